//! Drawing the prerequisites: the decision, or every check and the lockout table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, ListItem, Paragraph, Row, Table, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::prereqs::{evidence_lines, row_title};
use crate::app::text::{count, wrap};
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
    let narrow = area.width < 70 || area.height < 18;
    let wide_table = !narrow && !report.access.is_empty();
    // At a narrow size the lower pane shows the lockout table while it has
    // the keys, else the evidence.
    let table_in_place = narrow && p.focus == Pane::Lockout && !report.access.is_empty();
    let table_h = if wide_table {
        (report.access.len() as u16 + 3).min((area.height / 3).max(5))
    } else {
        0
    };
    let rest = area.height.saturating_sub(table_h);
    let checks_min = (report.checks.len() as u16 + 2).min((rest * 2 / 5).max(4));
    let evidence = report
        .checks
        .get(p.selected)
        .map(evidence_lines)
        .unwrap_or_default();
    let evidence_rows: usize = evidence
        .iter()
        .map(|l| wrap(l, usize::from(area.width.saturating_sub(2))).len())
        .sum();
    let lower_h = if table_in_place {
        rest.saturating_sub(checks_min)
    } else {
        (evidence_rows as u16 + 2).min(rest.saturating_sub(checks_min))
    };
    let [checks_area, detail_area, access_area] = Layout::vertical([
        Constraint::Min(checks_min),
        Constraint::Length(lower_h),
        Constraint::Length(table_h),
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
                Span::raw(row_title(c)),
            ]))
        })
        .collect();
    let warnings = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Warn)
        .count();
    let verdict = if report.blocked() {
        "Prerequisites: blocked".to_string()
    } else if !report.accept.is_empty() {
        format!(
            "Prerequisites: {} to accept before going ahead",
            count(report.accept.len(), "failed check", "failed checks")
        )
    } else if warnings > 0 {
        format!(
            "Prerequisites: ready, {}",
            count(warnings, "warning", "warnings")
        )
    } else {
        "Prerequisites: ready".to_string()
    };
    let title = pane_title(&verdict, p.focus == Pane::Checks);
    choice_list(items, p.selected, &title, frame, checks_area, theme);
    if table_in_place {
        lockout_table(p, report, frame, detail_area, theme);
    } else {
        let paragraphs: Vec<(String, Style)> = evidence
            .into_iter()
            .map(|l| (l, Style::default()))
            .collect();
        let title = pane_title("Evidence", p.focus == Pane::Evidence);
        scrolled(
            &paragraphs,
            p.evidence_scroll,
            &title,
            frame,
            detail_area,
            theme,
        );
    }
    if access_area.height > 0 {
        lockout_table(p, report, frame, access_area, theme);
    }
}

/// " » Evidence " for the pane the movement keys act on.
fn pane_title(name: &str, focused: bool) -> String {
    if focused {
        format!(" » {name} ")
    } else {
        format!(" {name} ")
    }
}

/// Who keeps access and who would not, from its scroll offset.
fn lockout_table(p: &Prereqs, report: &ChecksReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    let visible = usize::from(area.height.saturating_sub(3));
    let total = report.access.len();
    let first = usize::from(p.table_scroll).min(total.saturating_sub(visible));
    // Narrow: the name and the outcome matter most; the role shows in
    // the outcome (LOCKED OUT is the owner's or an administrator's).
    let narrow = area.width < 60;
    let rows = report.access.iter().skip(first).take(visible).map(|a| {
        let (label, style) = match a.outcome {
            AccessOutcome::Keeps => ("keeps access", theme.good()),
            AccessOutcome::Disconnected => ("disconnected", theme.warning()),
            AccessOutcome::LockedOut => ("LOCKED OUT", theme.bad()),
            AccessOutcome::Unverified => ("unverified", theme.warning()),
        };
        let mut cells = vec![Cell::from(a.who.clone())];
        if !narrow {
            cells.push(Cell::from(a.role.word()));
        }
        cells.push(Cell::from(Span::styled(label, style)));
        cells.push(Cell::from(a.reason.clone()));
        Row::new(cells)
    });
    let title = pane_title("Lockout proof: who keeps access", p.focus == Pane::Lockout);
    let (widths, header) = if narrow {
        (
            vec![
                Constraint::Percentage(45),
                Constraint::Length(12),
                Constraint::Min(4),
            ],
            vec!["Who", "After", "Why"],
        )
    } else {
        (
            vec![
                Constraint::Percentage(30),
                Constraint::Length(6),
                Constraint::Length(13),
                Constraint::Min(10),
            ],
            vec!["Who", "Role", "After", "Why"],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.heading()))
        .block(boxed(&title, theme));
    frame.render_widget(table, area);
    more_markers(frame, area, total, first, visible, theme);
}
