//! The Resolve screen: a summary bar, the table of disconnected users (only
//! the rows that fit are built, so 10,000 users draw as fast as ten), and
//! pop-ups for one user's candidates, the confirmation, progress and result.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Cell, Clear, Gauge, List, ListItem, ListState, Paragraph, Row, Table, Wrap,
};

use super::super::widgets::{boxed, error_box, pending};
use super::Theme;
use crate::app::resolve::{Phase, ResolveScreen, decision_label, risky_mappings};
use crate::app::text::{count, wrap};
use crate::app::{Loadable, State};
use crate::domain::facts::UserType;
use crate::domain::matching::Suggestion;
use crate::domain::resolve::{Decision, Plan, Row as PlanRow};

pub fn draw(state: &State, r: &ResolveScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    let plan = match &r.plan {
        Loadable::Loading => {
            return pending(
                state,
                frame,
                area,
                theme,
                "Reading disconnected users and the directory's accounts…",
            );
        }
        Loadable::Failed(e) => {
            return error_box(
                e,
                "Could not load the users to resolve",
                &crate::app::keys::hint_line(r.bindings()),
                frame,
                area,
                theme,
            );
        }
        Loadable::Ready(p) => p,
    };
    let [bar, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let summary = if area.width < 60 {
        let s = plan.summary();
        format!(
            "{} map · {} invite · {} skip · {} left",
            s.mapped, s.to_invite, s.skipped, s.left
        )
    } else {
        r.summary_line()
    };
    let mut spans = vec![Span::styled(summary, theme.heading())];
    if r.editing_filter || !r.filter.is_empty() {
        spans.push(Span::raw("  filter: "));
        spans.push(Span::styled(
            format!("{}{}", r.filter, if r.editing_filter { "▏" } else { "" }),
            theme.key(),
        ));
        spans.push(Span::styled(
            format!(" ({} shown)", r.visible.len()),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bar);

    if plan.rows.is_empty() {
        frame.render_widget(
            Paragraph::new("Nobody is disconnected: every user of the organization has an account in its directory. Esc to leave.")
                .wrap(Wrap { trim: false })
                .block(boxed(" Disconnected users ", theme)),
            table_area,
        );
        return;
    }
    table(r, &plan.rows, frame, table_area, theme);

    if let Some(n) = r.unfinished
        && matches!(r.phase, Phase::Review)
    {
        let pop = crate::ui::centered(area, 60, 7);
        frame.render_widget(Clear, pop);
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(format!(
                    "An earlier Resolve run of {} was interrupted.",
                    count(n, "user", "users")
                )),
                Line::from(""),
                Line::from(vec![
                    Span::styled("R", theme.key()),
                    Span::raw(" finishes it: users already mapped are checked in Azure DevOps and not touched again."),
                ]),
            ])
            .wrap(Wrap { trim: false })
            .block(boxed(" Interrupted run ", theme)),
            pop,
        );
    }
    if r.detail.is_some() {
        detail(r, plan.rows.as_slice(), frame, area, theme);
    }
    match &r.phase {
        Phase::Review => {}
        Phase::Confirm => confirm_apply(r, plan, frame, area, theme),
        Phase::ConfirmLeave => {
            let n = r.unapplied();
            let lines = vec![
                Line::from(format!(
                    "{} not applied yet. Leaving discards {}.",
                    count(n, "decision is", "decisions are"),
                    if n == 1 { "it" } else { "them" }
                )),
                Line::from(""),
                Line::from("Apply them first (p), or export them as CSV (x) to import later."),
            ];
            ask(" Leave Resolve? ", lines, r, frame, area, theme);
        }
        Phase::Applying(p) => {
            let pop = crate::ui::centered(area, 64, 5);
            frame.render_widget(Clear, pop);
            let ratio = if p.total == 0 {
                0.0
            } else {
                p.done as f64 / p.total as f64
            };
            frame.render_widget(
                Gauge::default()
                    .block(boxed(" Applying ", theme))
                    .gauge_style(theme.accent())
                    .ratio(ratio.clamp(0.0, 1.0))
                    .label(format!(
                        "{} {}/{} · {} mapped · {} invited · {} failed",
                        state.spinner(),
                        p.done,
                        p.total,
                        p.mapped,
                        p.invited,
                        p.failed
                    )),
                pop,
            );
        }
        Phase::Finished(s) => {
            let mut lines = vec![
                Line::from(Span::styled(s.summary(), theme.good())),
                Line::from(Span::styled(
                    format!("Journal: {}", s.journal.display()),
                    theme.dim(),
                )),
            ];
            for crate::ops::resolve::Failure { who, error: e, .. } in s.failed.iter().take(5) {
                lines.push(Line::from(Span::styled(
                    format!("✘ {who}: {e}"),
                    theme.bad(),
                )));
            }
            if !s.failed.is_empty() {
                lines.push(Line::from(format!(
                    "Run `ado-entra resolve --org {} --resume` (or come back here) to retry the failures.",
                    r.org
                )));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                crate::app::keys::hint_line(r.bindings()),
                theme.key(),
            )));
            let pop = crate::ui::centered(area, 70, lines.len() as u16 + 5);
            frame.render_widget(Clear, pop);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(boxed(" Applied ", theme)),
                pop,
            );
        }
        Phase::Failed(e) => {
            let pop = crate::ui::centered(area, 70, 10);
            frame.render_widget(Clear, pop);
            error_box(
                e,
                "Apply stopped",
                &format!(
                    "What landed is journaled and will not be repeated. {}",
                    crate::app::keys::hint_line(r.bindings())
                ),
                frame,
                pop,
                theme,
            );
        }
    }
}

/// What applying will do, the risky mappings apart from the plain ones.
fn confirm_apply(r: &ResolveScreen, plan: &Plan, frame: &mut Frame, area: Rect, theme: &Theme) {
    let s = plan.summary();
    let risky = risky_mappings(plan);
    let mut lines = vec![
        Line::from(format!("In '{}':", plan.org)),
        Line::from(format!(
            "  • map {} to existing Entra accounts",
            count(s.mapped - risky.len(), "user", "users")
        )),
    ];
    if !risky.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "  • map {} you confirmed although risky:",
                count(risky.len(), "user", "users")
            ),
            theme.warning(),
        )));
        for (who, upn, why) in &risky {
            lines.push(Line::from(Span::styled(
                format!("    ⚠ {who} → {upn} ({why})"),
                theme.warning(),
            )));
        }
    }
    lines.push(Line::from(format!(
        "  • invite {}, then map them",
        count(s.to_invite, "user as a guest", "users as guests")
    )));
    lines.push(Line::from(format!(
        "  • leave {} skipped and {} undecided as they are",
        s.skipped, s.left
    )));
    lines.push(Line::from("Every call is journaled; a run can be resumed."));
    ask(" Apply? ", lines, r, frame, area, theme);
}

/// A question in a pop-up; its keys stay on the bottom border, visible
/// however little of the text fits.
fn ask(
    title: &str,
    lines: Vec<Line>,
    r: &ResolveScreen,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(2).min(72);
    let rows: usize = lines
        .iter()
        .map(|l| wrap(&l.to_string(), usize::from(w.saturating_sub(2))).len())
        .sum();
    let pop = crate::ui::centered(area, w, rows as u16 + 2);
    frame.render_widget(Clear, pop);
    let keys = format!(" {} ", crate::app::keys::hint_line(r.bindings()));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(title, theme).title_bottom(Line::from(Span::styled(keys, theme.key())))),
        pop,
    );
}

/// The account's UPN, with its kind and state when it is not an enabled
/// member person account ("x@contoso.com (guest)").
fn account_cell(s: &Suggestion) -> String {
    let mut notes: Vec<&str> = Vec::new();
    if !s.kind.is_person() {
        notes.push(s.kind.word());
    }
    if s.user_type == UserType::Guest {
        notes.push("guest");
    }
    if !s.account_enabled {
        notes.push("disabled");
    }
    if notes.is_empty() {
        s.upn.clone()
    } else {
        format!("{} ({})", s.upn, notes.join(", "))
    }
}

/// First row of the window that keeps `cursor` visible in `height` rows.
pub fn window_start(cursor: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        cursor.saturating_sub(height - 1)
    }
}

fn table(r: &ResolveScreen, rows: &[PlanRow], frame: &mut Frame, area: Rect, theme: &Theme) {
    let narrow = area.width < 80;
    // Borders and the header row take three lines.
    let height = area.height.saturating_sub(3) as usize;
    let start = window_start(r.cursor, height);
    let end = (start + height).min(r.visible.len());
    let body: Vec<Row> = r.visible[start..end]
        .iter()
        .map(|&i| {
            let row = &rows[i];
            let (target, conf, why) = match (&row.decision, row.best()) {
                (
                    Decision::Map {
                        target_upn,
                        target_id,
                    },
                    _,
                ) => {
                    let s = row
                        .suggestions
                        .iter()
                        .find(|s| &s.tenant_user_id == target_id);
                    (
                        s.map_or_else(|| target_upn.clone(), account_cell),
                        s.map(|s| s.confidence.word()).unwrap_or("manual"),
                        s.map(|s| s.why()).unwrap_or_else(|| "chosen by you".into()),
                    )
                }
                (Decision::Invite { email }, _) => (format!("guest {email}"), "", String::new()),
                (_, Some(b)) => (account_cell(b), b.confidence.word(), b.why()),
                (_, None) => ("-".into(), "", "no suggestion: invite?".into()),
            };
            let flags: Vec<&str> = row.flags.iter().map(|f| f.describe()).collect();
            let why = if flags.is_empty() {
                why
            } else {
                format!("⚠ {} · {why}", flags.join(", "))
            };
            let action = decision_label(&row.decision);
            let action_style = match row.decision {
                Decision::Undecided => theme.dim(),
                Decision::Skip => theme.warning(),
                _ => theme.good(),
            };
            let mut cells = vec![
                Cell::from(Span::styled(action, action_style)),
                Cell::from(row.display_name.clone()),
            ];
            if !narrow {
                cells.push(Cell::from(row.email.clone().unwrap_or_default()));
            }
            cells.push(Cell::from(target));
            if !narrow {
                cells.push(Cell::from(conf));
                cells.push(Cell::from(why));
            }
            Row::new(cells)
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if narrow {
        (
            vec!["", "User", "Account"],
            vec![
                Constraint::Length(6),
                Constraint::Percentage(40),
                Constraint::Fill(1),
            ],
        )
    } else {
        (
            vec!["", "User", "Address", "Account", "Conf.", "Why"],
            vec![
                Constraint::Length(6),
                Constraint::Percentage(16),
                Constraint::Percentage(22),
                Constraint::Percentage(22),
                Constraint::Length(6),
                Constraint::Fill(1),
            ],
        )
    };
    let title = format!(
        " Disconnected users {}/{} ",
        if r.visible.is_empty() {
            0
        } else {
            r.cursor + 1
        },
        r.visible.len()
    );
    let table = Table::new(body, widths)
        .header(Row::new(header).style(theme.heading()))
        .block(boxed(&title, theme))
        .row_highlight_style(theme.selected())
        .column_spacing(1);
    let mut ts = ratatui::widgets::TableState::default()
        .with_selected((!r.visible.is_empty()).then(|| r.cursor - start));
    frame.render_stateful_widget(table, area, &mut ts);
}

fn detail(r: &ResolveScreen, rows: &[PlanRow], frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(d) = &r.detail else { return };
    let Some(row) = rows.get(d.row) else { return };
    // Narrow or short: the pop-up takes the whole body, so no table
    // letters show around it.
    let (w, h) = if area.width < 60 || area.height < 16 {
        (area.width, area.height)
    } else {
        (
            area.width.saturating_sub(4).min(100),
            area.height.saturating_sub(2).min(20),
        )
    };
    let pop = crate::ui::centered(area, w, h);
    frame.render_widget(Clear, pop);
    let [head, list_area, search] = Layout::vertical([
        Constraint::Length(if pop.height >= 12 { 5 } else { 0 }),
        Constraint::Min(2),
        Constraint::Length(3),
    ])
    .areas(pop);
    let flags = r.detail_flags();
    let mut head_lines = vec![
        Line::from(Span::styled(row.display_name.clone(), theme.heading())),
        Line::from(row.email.clone().unwrap_or_else(|| "(no address)".into())),
    ];
    if !flags.is_empty() {
        head_lines.push(Line::from(Span::styled(
            format!("⚠ {}", flags.join("; ")),
            theme.warning(),
        )));
    }
    frame.render_widget(
        Paragraph::new(head_lines).block(boxed(" Candidates ", theme)),
        head,
    );
    let entries = r.detail_entries();
    let mut items: Vec<ListItem> = entries
        .iter()
        .map(|e| {
            ListItem::new(vec![
                Line::from(e.title.clone()),
                Line::from(Span::styled(format!("  {}", e.detail), theme.dim())),
            ])
        })
        .collect();
    match &d.results {
        Some(Loadable::Loading) => items.push(ListItem::new("searching the directory…")),
        Some(Loadable::Failed(e)) => items.push(ListItem::new(Line::from(Span::styled(
            format!("search failed: {}", e.message),
            theme.bad(),
        )))),
        Some(Loadable::Ready(v)) if v.is_empty() => {
            items.push(ListItem::new("no account starts with that"))
        }
        _ => {}
    }
    if entries.is_empty() && d.results.is_none() {
        items.push(ListItem::new(
            "no suggestion; press / to search the directory",
        ));
    }
    let title = if head.height == 0 {
        format!(" {} ", row.display_name)
    } else {
        " Enter maps to the highlighted account ".to_string()
    };
    let list = List::new(items)
        .block(boxed(&title, theme))
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut ls = ListState::default().with_selected((!entries.is_empty()).then_some(d.cursor));
    frame.render_stateful_widget(list, list_area, &mut ls);
    let prompt = if d.typing {
        format!("{}▏", d.query)
    } else if d.query.is_empty() {
        "press / to search by name, UPN or mail".into()
    } else {
        d.query.clone()
    };
    frame.render_widget(
        Paragraph::new(prompt).block(boxed(" Search the directory ", theme)),
        search,
    );
}
