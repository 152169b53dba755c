//! Drawing the sign-in screen.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

pub fn draw(state: &State, s: &SignInScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    match &s.phase {
        SignInPhase::Starting => pending(
            state,
            frame,
            area,
            theme,
            "Asking Entra ID for a sign-in code…",
        ),
        SignInPhase::Prompt {
            prompt,
            received_ms,
        } => {
            let title = match &s.directory {
                Some(d) => format!("Sign in to {} to read it", d.display_name),
                None => "Sign in".to_string(),
            };
            device_code(state, prompt, *received_ms, &title, frame, area, theme)
        }
        SignInPhase::Failed(e) => error_box(
            e,
            "Sign-in failed",
            &hint_line(s.bindings()),
            frame,
            area,
            theme,
        ),
    }
}
