//! Drawing the prerequisites: the decision, or every check and the lockout table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Gauge, ListItem, Paragraph, Row, Table, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

/// What the organization's real state decided, when it is not a change to
/// check: nothing to do, the wrong flow, a refusal, or an interrupted change
/// that had landed.
fn situation(p: &Prereqs, report: &ChecksReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    use crate::app::SituationKind;
    let v = &report.situation;
    let (title, style, enter) = match v.kind {
        SituationKind::NothingToDo => (" Nothing to do ", theme.good(), "Continuing finishes."),
        SituationKind::AlreadyLanded => (
            " The interrupted change had landed ",
            theme.good(),
            "Continuing records it in the journal (nothing is sent to Azure), then verifies.",
        ),
        SituationKind::WrongFlow => (
            " Another operation fits ",
            theme.warning(),
            "Continuing switches to it and runs its checks.",
        ),
        _ => (" Refused ", theme.bad(), "Nothing will be changed."),
    };
    let mut lines = vec![
        Line::from(Span::styled(v.message.clone(), style)),
        Line::from(""),
        Line::from(vec![
            Span::styled("Uses now: ", theme.dim()),
            Span::raw(v.backing.clone()),
        ]),
    ];
    if !v.next.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Next:", theme.heading())));
        lines.extend(v.next.iter().map(|n| Line::from(format!("  {n}"))));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(enter, theme.key())));
    lines.push(Line::from(Span::styled(
        hint_line(p.bindings()),
        theme.dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(title, theme)),
        area,
    );
}

pub fn draw(state: &State, p: &Prereqs, frame: &mut Frame, area: Rect, theme: &Theme) {
    let report = match &p.report {
        Loadable::Loading => {
            let [gauge, rest] =
                Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
            let (done, total, label) =
                p.progress
                    .clone()
                    .unwrap_or((0, 0, "gathering facts".into()));
            let ratio = if total == 0 {
                0.0
            } else {
                done as f64 / total as f64
            };
            frame.render_widget(
                Gauge::default()
                    .block(boxed(" Checking ", theme))
                    .gauge_style(theme.accent())
                    .ratio(ratio.clamp(0.0, 1.0))
                    .label(format!("{} {done}/{total} {label}", state.spinner())),
                gauge,
            );
            pending(
                state,
                frame,
                rest,
                theme,
                "Gathering facts from Azure DevOps and Microsoft Graph…",
            );
            return;
        }
        Loadable::Failed(e) => {
            error_box(
                e,
                "Checks could not run",
                &hint_line(p.bindings()),
                frame,
                area,
                theme,
            );
            return;
        }
        Loadable::Ready(r) => r,
    };
    if !report.is_change() {
        situation(p, report, frame, area, theme);
        return;
    }
    let access_rows = report.access.len() as u16;
    let narrow = area.width < 70 || area.height < 18;
    let [checks_area, detail_area, access_area] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(if narrow { 3 } else { 6 }),
        Constraint::Length(if narrow || access_rows == 0 {
            0
        } else {
            (access_rows + 3).min(area.height / 3)
        }),
    ])
    .areas(area);

    let items: Vec<ListItem> = report
        .checks
        .iter()
        .map(|c| {
            ListItem::new(Line::from(vec![
                Span::styled(
                    format!("{} ", c.status.symbol()),
                    status_style(c.status, theme),
                ),
                Span::raw(c.title.clone()),
            ]))
        })
        .collect();
    let warnings = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Warn)
        .count();
    let verdict = if report.blocked() {
        " Prerequisites: blocked ".to_string()
    } else if !report.accept.is_empty() {
        format!(
            " Prerequisites: {} failed check{} to accept before going ahead ",
            report.accept.len(),
            if report.accept.len() == 1 { "" } else { "s" }
        )
    } else if warnings > 0 {
        format!(
            " Prerequisites: ready, {warnings} warning{} ",
            if warnings == 1 { "" } else { "s" }
        )
    } else {
        " Prerequisites: ready ".to_string()
    };
    choice_list(items, p.selected, &verdict, frame, checks_area, theme);

    if let Some(c) = report.checks.get(p.selected) {
        let mut lines: Vec<Line> = c
            .evidence
            .iter()
            .map(|e| Line::from(format!("• {e}")))
            .collect();
        if let Some(fix) = &c.fix {
            lines.push(Line::from(vec![
                Span::styled("Fix: ", theme.key()),
                Span::raw(fix.clone()),
            ]));
        }
        if lines.is_empty() {
            lines.push(Line::from(Span::styled("Nothing to report.", theme.dim())));
        }
        frame.render_widget(
            Paragraph::new(Text::from(lines))
                .wrap(Wrap { trim: false })
                .block(boxed(" Evidence ", theme)),
            detail_area,
        );
    }

    if access_area.height > 0 {
        let rows = report.access.iter().map(|a| {
            let (label, style) = match a.outcome {
                AccessOutcome::Keeps => ("keeps access", theme.good()),
                AccessOutcome::Disconnected => ("disconnected", theme.warning()),
                AccessOutcome::LockedOut => ("LOCKED OUT", theme.bad()),
                AccessOutcome::Unverified => ("unverified", theme.warning()),
            };
            Row::new(vec![
                Cell::from(a.who.clone()),
                Cell::from(a.role.word()),
                Cell::from(Span::styled(label, style)),
                Cell::from(a.reason.clone()),
            ])
        });
        let table = Table::new(
            rows,
            [
                Constraint::Percentage(30),
                Constraint::Length(6),
                Constraint::Length(13),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(vec!["Who", "Role", "After", "Why"]).style(theme.heading()))
        .block(boxed(" Lockout proof: who keeps access ", theme));
        frame.render_widget(table, access_area);
    }
}
