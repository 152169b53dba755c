//! Drawing the organization picker.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

pub fn draw(state: &State, p: &PickOrg, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [list_area, input_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(if p.input.is_some() { 4 } else { 0 }),
    ])
    .areas(area);
    match &p.orgs {
        Loadable::Loading => pending(
            state,
            frame,
            list_area,
            theme,
            "Listing your organizations…",
        ),
        Loadable::Failed(e) => error_box(
            e,
            "Could not list organizations",
            &hint_line(crate::app::screens::pick_org::LIST_FAILED),
            frame,
            list_area,
            theme,
        ),
        Loadable::Ready(list) => {
            let title = format!(" Organizations you belong to ({}) ", list.len());
            let items = list.iter().map(|o| ListItem::new(o.as_str())).collect();
            choice_list(items, p.selected, &title, frame, list_area, theme);
        }
    }
    if let Some(input) = &p.input {
        let mut lines = vec![Line::from(vec![
            Span::raw("dev.azure.com/"),
            Span::styled(input.as_str(), theme.heading()),
            Span::styled("█", theme.accent()),
        ])];
        if let Some(err) = &p.error {
            lines.push(Line::from(Span::styled(err.as_str(), theme.bad())));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(boxed(" Type the organization name ", theme)),
            input_area,
        );
    }
}
