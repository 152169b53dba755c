//! Drawing the Done screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::key_for;
use crate::app::screens::done::Action as DoneAction;
use crate::app::*;

pub fn draw(state: &State, d: &DoneScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines = Vec::new();
    if let Some(a) = &state.session.applied {
        lines.push(Line::from(Span::styled(
            named(&a.summary, &state.session, &state.env),
            theme.good(),
        )));
        lines.push(Line::from(Span::styled(
            format!("Journal: {}", a.journal.display()),
            theme.dim(),
        )));
    }
    if let Some(v) = &state.session.verified {
        lines.push(Line::from(format!(
            "Verified as {} (directory {}):",
            v.identity.upn,
            named(&v.identity.tenant_id, &state.session, &state.env)
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
                "Checks: {} passed, {}, {} failed.",
                count(Status::Pass),
                text::count(count(Status::Warn), "warning", "warnings"),
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
    if let Some(r) = &state.session.resolved {
        lines.push(Line::from(Span::styled(
            format!("Resolve journal: {}", r.journal.display()),
            theme.dim(),
        )));
    }
    if changed {
        lines.push(Line::from(""));
        let c = checklist(&state.session, &state.env);
        lines.push(Line::from(Span::styled(
            format!(
                "Checklist for your users ({} exports it as Markdown):",
                key_for(crate::app::screens::done::BINDINGS, DoneAction::Export)
            ),
            theme.heading(),
        )));
        lines.push(Line::from(Span::styled(c.title, theme.key())));
        for sec in c.sections {
            lines.push(Line::from(Span::styled(sec.heading, theme.heading())));
            for (i, item) in sec.items.iter().enumerate() {
                let mark = match sec.kind {
                    Items::Bullets => "•".to_string(),
                    Items::Steps => format!("{}.", i + 1),
                    Items::ToDo => "☐".to_string(),
                };
                lines.push(Line::from(format!("  {mark} {item}")));
            }
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
