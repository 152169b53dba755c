//! Drawing the diagnosis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::*;

pub fn draw(_state: &State, d: &Diagnosis, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines = vec![
        Line::from(Span::styled(
            "The organization refused the fresh sign-in.",
            theme.bad(),
        )),
        Line::from(d.error.message.clone()),
        Line::from(""),
    ];
    for p in &d.probes {
        lines.push(probe_line(p.ok, &p.what, &p.detail, theme));
    }
    if !d.probes.is_empty() {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "Recover in this order:",
        theme.heading(),
    )));
    for (i, s) in d.steps.iter().enumerate() {
        lines.push(Line::from(format!("{}. {s}", i + 1)));
    }
    if let Some(id) = &d.error.kb_id {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("More: ado-entra explain {id}"),
            theme.dim(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(" Diagnosis ", theme)),
        area,
    );
}
