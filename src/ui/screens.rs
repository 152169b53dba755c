//! Every screen after Welcome. Each draws only from `State`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Borders, Cell, Gauge, List, ListItem, ListState, Paragraph, Row, Table, Wrap,
};

use super::Theme;
use crate::app::{
    AccessOutcome, ApplyScreen, CheckStatus, DeviceCodePrompt, ErrorView, Loadable, Operation,
    Screen, SignInPhase, State, VerifyScreen,
};

pub fn draw(state: &State, screen: &Screen, frame: &mut Frame, area: Rect, theme: &Theme) {
    match screen {
        Screen::Welcome(_) => {}
        Screen::Resolve(r) => super::resolve::draw(state, r, frame, area, theme),
        Screen::SignIn(s) => match &s.phase {
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
            } => device_code(state, prompt, *received_ms, "Sign in", frame, area, theme),
            SignInPhase::Failed(e) => error_box(
                e,
                "Sign-in failed",
                "Enter to try again, Esc to go back.",
                frame,
                area,
                theme,
            ),
        },
        Screen::PickOrg(p) => {
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
                    "Press t to type the name, or r to retry.",
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
        Screen::PickTenant(p) if p.input.is_some() => {
            let input = p.input.as_deref().unwrap_or_default();
            let mut lines = vec![
                Line::from(
                    "A tenant id (GUID) or one of its domains, e.g. contoso.onmicrosoft.com:",
                ),
                Line::from(vec![
                    Span::styled(input, theme.heading()),
                    Span::styled("█", theme.accent()),
                ]),
            ];
            if let Some(err) = &p.error {
                lines.push(Line::from(Span::styled(err.as_str(), theme.bad())));
            }
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(boxed(" Type the directory ", theme)),
                area,
            );
        }
        Screen::PickTenant(p) => match &p.tenants {
            Loadable::Loading => pending(
                state,
                frame,
                area,
                theme,
                "Listing the directories your account belongs to…",
            ),
            Loadable::Failed(e) => error_box(
                e,
                "Could not list directories",
                "Press t to type a tenant id or domain, Enter to retry, Esc to go back.",
                frame,
                area,
                theme,
            ),
            Loadable::Ready(list) if list.is_empty() => {
                let e = ErrorView::msg(
                    "Your account belongs to no Microsoft Entra directory that can be used.",
                );
                error_box(
                    &e,
                    "No directories",
                    "Ask a directory administrator to add you as a member, then retry.",
                    frame,
                    area,
                    theme,
                )
            }
            Loadable::Ready(list) => {
                let narrow = area.width < 70;
                let items = list
                    .iter()
                    .map(|t| {
                        if narrow {
                            ListItem::new(t.display_name.clone())
                        } else {
                            ListItem::new(format!("{}  ({}, {})", t.display_name, t.domain, t.id))
                        }
                    })
                    .collect();
                let title = if state.session.operation == Some(Operation::ChangeTenant) {
                    " Move to which directory? "
                } else {
                    " Connect to which directory? "
                };
                choice_list(items, p.selected, title, frame, area, theme);
            }
        },
        Screen::Prereqs(p) => prereqs(state, p, frame, area, theme),
        Screen::Plan(p) => {
            let text = plan_text(state, theme);
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .scroll((p.scroll, 0))
                    .block(boxed(" Plan: nothing has changed yet ", theme)),
                area,
            );
        }
        Screen::Confirm(c) => {
            let org = state.session.org.clone().unwrap_or_default();
            let op = state.session.operation.unwrap_or(Operation::CheckOnly);
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
        Screen::Apply(a) => match a {
            ApplyScreen::Running { last } => {
                let what = last.clone().unwrap_or_else(|| "starting".into());
                pending(
                    state,
                    frame,
                    area,
                    theme,
                    &format!("Applying (journaled): {what}"),
                );
            }
            ApplyScreen::Failed(e) => error_box(
                e,
                "The change did not complete",
                "Nothing after the failed step was attempted; the journal records what landed. Enter returns to the plan.",
                frame,
                area,
                theme,
            ),
        },
        Screen::Verify(v) => match v {
            VerifyScreen::SigningIn {
                prompt: Some(p),
                received_ms,
            } => device_code(
                state,
                p,
                *received_ms,
                "Signed out. Sign in afresh to verify",
                frame,
                area,
                theme,
            ),
            VerifyScreen::SigningIn { prompt: None, .. } => pending(
                state,
                frame,
                area,
                theme,
                "Signed out; signing in afresh and probing the organization…",
            ),
            VerifyScreen::Failed(e) => error_box(
                e,
                "Verification could not run",
                "Enter to try again.",
                frame,
                area,
                theme,
            ),
        },
        Screen::Diagnosis(d) => {
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
        Screen::Done(d) => {
            let mut lines = Vec::new();
            if let Some(a) = &state.session.applied {
                lines.push(Line::from(Span::styled(a.summary.clone(), theme.good())));
                lines.push(Line::from(Span::styled(
                    format!("Journal: {}", a.journal),
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
            }
            let changed = state.session.applied.is_some()
                || state.session.resolve_only
                || state.session.resolved.is_some()
                || state.session.report.as_ref().is_some_and(|r| r.is_change());
            if let Some(r) = &state.session.report {
                if r.is_change() {
                    let count = |s| r.checks.iter().filter(|c| c.status == s).count();
                    lines.push(Line::from(format!(
                        "Checks: {} passed, {} warnings, {} failed.",
                        count(CheckStatus::Pass),
                        count(CheckStatus::Warn),
                        count(CheckStatus::Fail)
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
    }
}

pub(super) fn boxed<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(theme.accent())
}

pub(super) fn pending(state: &State, frame: &mut Frame, area: Rect, theme: &Theme, what: &str) {
    let line = Line::from(vec![
        Span::styled(state.spinner(), theme.accent()),
        Span::raw(" "),
        Span::raw(what.to_string()),
    ]);
    frame.render_widget(
        Paragraph::new(line)
            .wrap(Wrap { trim: false })
            .block(boxed(" Working ", theme)),
        area,
    );
}

pub(super) fn error_box(
    e: &ErrorView,
    title: &str,
    hint: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let mut lines = vec![Line::from(Span::styled(e.message.clone(), theme.bad()))];
    if let Some(code) = &e.code {
        lines.push(Line::from(Span::styled(
            format!("Code: {code}"),
            theme.dim(),
        )));
    }
    if let Some(next) = &e.next_step {
        lines.push(Line::from(""));
        lines.push(Line::from(next.clone()));
    }
    if let Some(id) = &e.kb_id {
        lines.push(Line::from(Span::styled(
            format!("More: ado-entra explain {id}"),
            theme.dim(),
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(hint.to_string(), theme.dim())));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(&format!(" {title} "), theme)),
        area,
    );
}

fn choice_list(
    items: Vec<ListItem>,
    selected: usize,
    title: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let list = List::new(items)
        .block(boxed(title, theme))
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut ls = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, area, &mut ls);
}

#[allow(clippy::too_many_arguments)]
fn device_code(
    state: &State,
    p: &DeviceCodePrompt,
    received_ms: u64,
    title: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let elapsed = state.now_ms.saturating_sub(received_ms) / 1000;
    let left = p.expires_in_secs.saturating_sub(elapsed);
    let big = theme.heading().add_modifier(ratatui::style::Modifier::BOLD);
    let lines = vec![
        Line::from("1. Open this address in a browser (Enter opens it):"),
        Line::from(Span::styled(format!("   {}", p.verification_uri), big)),
        Line::from(""),
        Line::from("2. Enter this code (c copies it):"),
        Line::from(Span::styled(
            format!("   {}", spaced(&p.user_code)),
            big.add_modifier(ratatui::style::Modifier::REVERSED),
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(state.spinner(), theme.accent()),
            Span::raw(format!(
                " Waiting for you to approve… code expires in {}:{:02}",
                left / 60,
                left % 60
            )),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(&format!(" {title} "), theme)),
        area,
    );
}

/// `ABCDEFGH` → `A B C D E F G H`: easier to read across a room.
fn spaced(code: &str) -> String {
    code.chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn status_style(s: CheckStatus, theme: &Theme) -> Style {
    match s {
        CheckStatus::Pass => theme.good(),
        CheckStatus::Warn => theme.warning(),
        CheckStatus::Fail => theme.bad(),
        CheckStatus::Skip => theme.dim(),
    }
}

fn probe_line<'a>(ok: bool, what: &str, detail: &str, theme: &Theme) -> Line<'a> {
    let (sym, style) = if ok {
        ("✔", theme.good())
    } else {
        ("✘", theme.bad())
    };
    Line::from(vec![
        Span::styled(format!(" {sym} "), style),
        Span::raw(format!("{what}: {detail}")),
    ])
}

/// What the organization's real state decided, when it is not a change to
/// check: nothing to do, the wrong flow, a refusal, or an interrupted change
/// that had landed.
fn situation(report: &crate::app::ChecksReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    use crate::app::SituationKind;
    let v = &report.situation;
    let (title, style, enter) = match v.kind {
        SituationKind::NothingToDo => (" Nothing to do ", theme.good(), "Enter finishes."),
        SituationKind::AlreadyLanded => (
            " The interrupted change had landed ",
            theme.good(),
            "Enter records it in the journal (nothing is sent to Azure), then verifies.",
        ),
        SituationKind::WrongFlow => (
            " Another operation fits ",
            theme.warning(),
            "Enter switches to it and runs its checks; Esc goes back.",
        ),
        _ => (" Refused ", theme.bad(), "Esc goes back."),
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
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(title, theme)),
        area,
    );
}

fn prereqs(state: &State, p: &crate::app::Prereqs, frame: &mut Frame, area: Rect, theme: &Theme) {
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
                "Enter or r to retry, Esc to go back.",
                frame,
                area,
                theme,
            );
            return;
        }
        Loadable::Ready(r) => r,
    };
    if !report.is_change() {
        situation(report, frame, area, theme);
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
        .filter(|c| c.status == CheckStatus::Warn)
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
                Cell::from(a.role.clone()),
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
