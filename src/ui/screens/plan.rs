//! Drawing the plan.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::*;

pub fn draw(state: &State, p: &PlanScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = plan_text(state, theme);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((p.scroll, 0))
            .block(boxed(" Plan: nothing has changed yet ", theme)),
        area,
    );
}

fn plan_text(state: &State, theme: &Theme) -> Text<'static> {
    let mut lines = Vec::new();
    let Some(r) = &state.session.report else {
        return Text::from("No plan: run the prerequisite checks first.");
    };
    lines.push(Line::from(Span::styled(
        "What will change",
        theme.heading(),
    )));
    for c in &r.plan.changes {
        lines.push(Line::from(format!("• {c}")));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "Users who will be disconnected ({})",
            r.plan.disconnected.len()
        ),
        theme.heading(),
    )));
    if r.plan.disconnected.is_empty() {
        lines.push(Line::from("• nobody"));
    }
    for u in &r.plan.disconnected {
        lines.push(Line::from(format!("• {u}")));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "What users must do afterwards",
        theme.heading(),
    )));
    for (i, a) in r.plan.afterwards.iter().enumerate() {
        lines.push(Line::from(format!("{}. {a}", i + 1)));
    }
    Text::from(lines)
}
