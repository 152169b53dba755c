//! Drawing the apply screen.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

pub fn draw(state: &State, a: &ApplyScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    match a {
        ApplyScreen::Running { last } => {
            let what = last.clone().unwrap_or_else(|| "starting".into());
            pending(
                state,
                frame,
                area,
                theme,
                &format!("Applying (journaled): {what}"),
            );
        }
        ApplyScreen::Failed(e) => error_box(
            e,
            "The change did not complete",
            &format!(
                "Nothing after the failed step was attempted; the journal records what landed. {}",
                hint_line(a.bindings())
            ),
            frame,
            area,
            theme,
        ),
    }
}
