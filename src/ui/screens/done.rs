//! Drawing the Done screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::*;

pub fn draw(state: &State, d: &DoneScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines = Vec::new();
    if let Some(a) = &state.session.applied {
        lines.push(Line::from(Span::styled(a.summary.clone(), theme.good())));
        lines.push(Line::from(Span::styled(
            format!("Journal: {}", a.journal.display()),
            theme.dim(),
        )));
    }
    if let Some(v) = &state.session.verified {
        lines.push(Line::from(format!(
            "Verified as {} (tenant {}):",
            v.identity.upn, v.identity.tenant_id
        )));
        for p in &v.probes {
            lines.push(probe_line(p.ok, &p.what, &p.detail, theme));
        }
        if !v.deep.is_empty() {
            lines.push(Line::from(Span::styled(
                "What the change may have broken:",
                theme.heading(),
            )));
            lines.extend(super::verify::deep_lines(&v.deep, theme));
        }
    }
    let changed = state.session.applied.is_some()
        || state.session.resolve_only()
        || state.session.resolved.is_some()
        || state.session.report.as_ref().is_some_and(|r| r.is_change());
    if let Some(r) = &state.session.report {
        if r.is_change() {
            let count = |s| r.checks.iter().filter(|c| c.status == s).count();
            lines.push(Line::from(format!(
                "Checks: {} passed, {} warnings, {} failed.",
                count(Status::Pass),
                count(Status::Warn),
                count(Status::Fail)
            )));
        } else if state.session.applied.is_none() {
            lines.push(Line::from(r.situation.message.clone()));
            lines.extend(
                r.situation
                    .next
                    .iter()
                    .map(|n| Line::from(format!("  next: {n}"))),
            );
        }
    }
    if let Some(Ok(rows)) = &state.session.audit {
        lines.push(Line::from(Span::styled(
            "Audit (a re-runs it):",
            theme.heading(),
        )));
        for r in rows {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} ", r.status.symbol()),
                    status_style(r.status, theme),
                ),
                Span::raw(r.title.clone()),
            ]));
            for e in &r.evidence {
                lines.push(Line::from(format!("    {e}")));
            }
        }
    }
    if changed {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Checklist for your users (e exports it as Markdown):",
            theme.heading(),
        )));
        for l in crate::app::checklist_markdown(&state.session, &state.env).lines() {
            lines.push(Line::from(l.to_string()));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((d.scroll, 0))
            .block(boxed(" Done ", theme)),
        area,
    );
}
