//! Drawing the recovery: what is running (with a device code or a
//! countdown), what the last step did, the headline, the ways back in order
//! (the highlighted one in full), then what was found.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::{hint_for, hint_line};
use crate::app::screens::recover::{Action, RecoverScreen, Running};
use crate::app::*;
use crate::domain::recover::{WayId, WayStatus};
use crate::domain::verify::Access;
use crate::ops::recover::{Progress, Report};

fn status_style(s: WayStatus, theme: &Theme) -> Style {
    match s {
        WayStatus::Available => theme.accent(),
        WayStatus::Done => theme.good(),
        WayStatus::Failed => theme.bad(),
        WayStatus::Waiting | WayStatus::NeedsSomeone => theme.warning(),
        WayStatus::NotNeeded | WayStatus::NotApplicable => theme.dim(),
    }
}

fn running_lines<'a>(state: &State, r: &Running, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(state.spinner(), theme.accent()),
        Span::raw(format!(" {}…", r.what)),
    ])];
    // What the person must do now comes first: a code to enter, a countdown.
    if let Some((p, at)) = &r.prompt {
        let left = p
            .expires_in_secs
            .saturating_sub(state.now_ms.saturating_sub(*at) / 1000);
        lines.push(Line::from(vec![
            Span::raw("Sign in: open "),
            Span::styled(p.verification_uri.clone(), theme.heading()),
            Span::raw(" and enter "),
            Span::styled(
                p.user_code.clone(),
                theme
                    .heading()
                    .add_modifier(ratatui::style::Modifier::REVERSED),
            ),
            Span::raw(format!(" (expires in {}:{:02})", left / 60, left % 60)),
        ]));
    }
    if let Some(Progress::Waiting {
        what,
        next_check_secs,
        waited_secs,
        limit_secs,
    }) = &r.waiting
    {
        lines.push(Line::from(Span::styled(
            format!(
                "Waiting for {what}: next check in {next_check_secs}s (waited {}:{:02} of {} min)",
                waited_secs / 60,
                waited_secs % 60,
                limit_secs.div_ceil(60)
            ),
            theme.warning(),
        )));
    }
    for s in r.steps.iter().rev().take(6).rev() {
        lines.push(Line::from(s.clone()));
    }
    lines
}

/// The report's lines, and where the highlighted way's lines start and end.
fn report_lines<'a>(
    s: &RecoverScreen,
    r: &Report,
    theme: &Theme,
) -> (Vec<Line<'a>>, (usize, usize)) {
    let a = &r.assessment;
    let f = &r.facts;
    let mut lines = vec![Line::from(Span::styled(
        "Ways back, in order",
        theme.heading(),
    ))];
    let mut selected = (0, lines.len());
    for (i, w) in a.ways.iter().enumerate() {
        let here = i == s.selected;
        if here {
            selected.0 = lines.len();
        }
        let marker = if here { "▶ " } else { "  " };
        let title = Span::styled(
            format!("{marker}{}. {}", w.order, w.title),
            if here {
                theme.selected()
            } else {
                Style::default()
            },
        );
        lines.push(Line::from(vec![
            title,
            Span::raw(" "),
            Span::styled(
                format!("[{}]", w.status.name().replace('_', " ")),
                status_style(w.status, theme),
            ),
        ]));
        if here {
            lines.push(Line::from(format!("     {}", w.why)));
            for step in &w.steps {
                lines.push(Line::from(format!("     - {step}")));
            }
            // The keys that do something for this way, from the bindings.
            let table = s.bindings();
            let mut keys = Vec::new();
            if s.running.is_none() && w.id == WayId::InviteOwner && w.status == WayStatus::Waiting {
                keys.push(format!(
                    "Enter or {}: sign in as the owner (it accepts the invitation) and check until it works",
                    hint_for(table, Action::VerifyOwner)
                ));
            } else if s.running.is_none() && w.status.actionable() {
                keys.push(hint_for(table, Action::Carry));
            }
            if matches!(
                w.id,
                WayId::BackDoor | WayId::ClaimOwnership | WayId::Support
            ) {
                keys.push(hint_for(table, Action::Open));
            }
            if w.message.is_some() {
                keys.push(hint_for(table, Action::CopyMessage));
            }
            keys.retain(|k| !k.is_empty());
            if !keys.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("     {}", keys.join(" · ")),
                    theme.key(),
                )));
            }
            selected.1 = lines.len();
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "The organization",
        theme.heading(),
    )));
    match &f.tenant {
        Some(t) => lines.push(Line::from(format!(
            "  directory: {} ({}){}",
            t.name(),
            t.id,
            if t.domains.is_empty() {
                String::new()
            } else {
                format!(", {}", t.domains.join(", "))
            }
        ))),
        None if !f.connected => lines.push(Line::from(
            "  directory: none (personal Microsoft accounts)",
        )),
        None => lines.push(Line::from("  directory: not read")),
    }
    lines.push(Line::from(format!(
        "  owner: {}",
        f.owner
            .as_ref()
            .map(|o| format!("{} (from {})", o.address, o.source.replace('_', " ")))
            .unwrap_or_else(|| "not readable with these accounts".into())
    )));
    lines.push(Line::from(Span::styled("Your sign-ins", theme.heading())));
    let tenant = f.tenant_name();
    for i in &f.identities {
        let ok = *i.access() == Access::Works;
        lines.push(Line::from(vec![
            Span::styled(
                if ok { "  ✔ " } else { "  ✘ " },
                if ok { theme.good() } else { theme.bad() },
            ),
            Span::raw(format!(
                "{}{}: {}",
                i.label(),
                if i.current { ", now" } else { "" },
                i.in_tenant.describe(&tenant)
            )),
        ]));
        if let Some(n) = &i.upn_note {
            lines.push(Line::from(Span::styled(format!("    {n}"), theme.dim())));
        }
        for e in &i.evidence {
            lines.push(Line::from(Span::styled(format!("    {e}"), theme.dim())));
        }
    }
    if f.connected {
        let h = &f.who_can_help;
        lines.push(Line::from(Span::styled(
            "Who can let you back in",
            theme.heading(),
        )));
        lines.push(Line::from(format!(
            "  Azure DevOps Administrators: {}",
            h.azure_devops_administrators.describe()
        )));
        lines.push(Line::from(format!(
            "  Global Administrators: {}",
            h.global_administrators.describe()
        )));
        lines.push(Line::from(format!(
            "  Project Collection Administrators: {}",
            h.project_collection_administrators.describe()
        )));
    }
    (lines, selected)
}

pub fn draw(state: &State, s: &RecoverScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    let report = match &s.report {
        Loadable::Ready(r) => r,
        Loadable::Failed(e) if s.running.is_none() => {
            return error_box(
                e,
                "Recovery could not read the organization",
                &hint_line(s.bindings()),
                frame,
                area,
                theme,
            );
        }
        _ => {
            let lines = s
                .running
                .as_ref()
                .map(|r| running_lines(state, r, theme))
                .unwrap_or_default();
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(boxed(&format!(" Recover '{}' ", s.org), theme)),
                area,
            );
            return;
        }
    };
    let mut top: Vec<Line> = Vec::new();
    if let Some(r) = &s.running {
        top = running_lines(state, r, theme);
    } else if let Some(o) = &s.outcome {
        match o {
            Ok(o) => {
                top.push(Line::from(Span::styled(
                    o.summary.clone(),
                    if o.ok { theme.good() } else { theme.warning() },
                )));
                if let Some(h) = s.handover() {
                    top.push(Line::from(Span::styled(
                        format!("Enter: {}", h.label()),
                        theme.key(),
                    )));
                }
                if let Some(f) = &o.file {
                    top.push(Line::from(format!("Written: {f}")));
                }
                for n in o.next.iter().take(3) {
                    top.push(Line::from(format!("→ {n}")));
                }
            }
            Err(e) => {
                top.push(Line::from(Span::styled(e.message.clone(), theme.bad())));
                if let Some(n) = &e.next_step {
                    top.push(Line::from(format!("→ {n}")));
                }
            }
        }
    }
    let areas = if top.is_empty() {
        vec![Rect::default(), area]
    } else {
        let inner = area.width.saturating_sub(2).max(1) as usize;
        let rows: usize = top.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
        let cap = if s.running.is_some() {
            area.height * 2 / 3
        } else {
            area.height / 2
        };
        let height = (rows as u16 + 2).min(cap).max(3);
        Layout::vertical([Constraint::Length(height), Constraint::Min(3)])
            .split(area)
            .to_vec()
    };
    if !top.is_empty() {
        frame.render_widget(
            Paragraph::new(top)
                .wrap(Wrap { trim: false })
                .block(boxed(" Now ", theme)),
            areas[0],
        );
    }
    let title = format!(" Recover '{}' ", s.org);
    let block = boxed(&title, theme);
    let framed = block.inner(areas[1]);
    frame.render_widget(block, areas[1]);
    // The headline always shows; the rest scrolls under it.
    let headline = Line::from(Span::styled(
        report.assessment.headline.clone(),
        match report.assessment.state {
            Access::Works => theme.good(),
            Access::WrongSignIn { .. } => theme.warning(),
            _ => theme.bad(),
        },
    ));
    let width = framed.width.max(1) as usize;
    let head_rows = (headline.width().div_ceil(width).max(1) as u16 + 1).min(framed.height / 2);
    let parts = Layout::vertical([Constraint::Length(head_rows), Constraint::Min(1)]).split(framed);
    frame.render_widget(
        Paragraph::new(headline).wrap(Wrap { trim: false }),
        parts[0],
    );
    let body = parts[1];
    let (lines, (selected_start, selected_end)) = report_lines(s, report, theme);
    // Keep the highlighted way in view; PgUp/PgDn scroll from there.
    let visible = body.height as usize;
    let inner = body.width.max(1) as usize;
    // Rows the lines take once wrapped (word wrapping may add a few more).
    let rows = |n: usize| -> usize {
        lines[..n]
            .iter()
            .map(|l| l.width().div_ceil(inner).max(1))
            .sum()
    };
    // The whole highlighted way when it fits, else from its title.
    let follow = rows(selected_end)
        .saturating_sub(visible)
        .min(rows(selected_start)) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((follow.saturating_add(s.scroll), 0)),
        body,
    );
}
