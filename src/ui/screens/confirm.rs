//! Drawing the confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::*;

pub fn draw(state: &State, c: &Confirm, frame: &mut Frame, area: Rect, theme: &Theme) {
    let org = state.session.org().to_string();
    let op = state.session.operation();
    let mut lines = vec![
        Line::from(format!("This will {} the organization '{org}'.", op.verb())),
        Line::from(""),
    ];
    match c.risks.first() {
        Some(r) => {
            lines.push(Line::from(vec![
                Span::styled("A failed check to accept: ", theme.bad()),
                Span::raw(r.title.clone()),
            ]));
            lines.push(Line::from(vec![
                Span::raw("To go ahead anyway, type "),
                Span::styled(r.expected.clone(), theme.heading()),
                Span::raw(" (recorded in the journal; Esc goes back):"),
            ]));
        }
        None => lines.push(Line::from(vec![
            Span::raw("Type "),
            Span::styled(org.clone(), theme.heading()),
            Span::raw(" to confirm:"),
        ])),
    }
    lines.push(Line::from(vec![
        Span::styled(c.typed.as_str(), theme.key()),
        Span::styled("█", theme.accent()),
    ]));
    if c.mismatch {
        lines.push(Line::from(Span::styled(
            if c.risks.is_empty() {
                "That is not the organization name."
            } else {
                "That is not what the check names."
            },
            theme.bad(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(" Confirm ", theme)),
        area,
    );
}
