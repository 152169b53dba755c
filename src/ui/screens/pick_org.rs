//! Drawing the organization picker: one line per organization with its
//! backing, users, whether you administer it and its readiness, filled in
//! as the background survey reads each; narrow terminals keep the name and
//! the verdict.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

use crate::ops::fleet_report::cell;

fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    match v {
        Verdict::Blocked => theme.bad(),
        Verdict::Warnings => theme.warning(),
        Verdict::Ready => theme.good(),
        Verdict::NothingToDo => theme.dim(),
    }
}

/// One organization's line for a list `width` wide.
fn row<'a>(
    state: &State,
    name: &'a str,
    info: Option<&'a FleetOrg>,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    // The name, the verdict and users always; backing, admin and the
    // reason as room allows.
    let wide = width >= 100;
    let name_w = if wide {
        26
    } else {
        22.min(width.saturating_sub(24))
    };
    let mut spans = vec![Span::raw(cell(name, name_w.max(8)))];
    let Some(o) = info else {
        if state.jobs.running(Slot::Survey) {
            spans.push(Span::styled(
                format!("  {} reading…", state.spinner()),
                theme.dim(),
            ));
        }
        return Line::from(spans);
    };
    let (word, style, reason) = match (&o.problem, &o.readiness) {
        (Some(p), _) => ("unreadable", theme.bad(), p.message.as_str()),
        (None, Some(r)) => (
            r.verdict.word(),
            verdict_style(r.verdict, theme),
            r.reason.as_str(),
        ),
        (None, None) => ("", theme.dim(), ""),
    };
    spans.push(Span::styled(format!("  {}", cell(word, 13)), style));
    spans.push(Span::raw(format!(
        "{:>7}",
        o.users.map_or("?".into(), |n| n.to_string())
    )));
    if wide {
        let admin = match o.admin {
            Some(true) => "admin",
            Some(false) => "user ",
            None => "?    ",
        };
        spans.push(Span::raw(format!("  {admin}")));
        spans.push(Span::styled(
            format!("  {}", cell(o.backing.as_deref().unwrap_or("?"), 22)),
            theme.dim(),
        ));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = width.saturating_sub(used + 6);
    if room > 8 && !reason.is_empty() {
        spans.push(Span::styled(
            format!("  {}", cell(reason, room)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

pub fn draw(state: &State, p: &PickOrg, frame: &mut Frame, area: Rect, theme: &Theme) {
    let field = p.input.is_some() || p.filtering || !p.filter.is_empty();
    let [list_area, input_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(if field { 4 } else { 0 }),
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
            &hint_line(crate::app::screens::pick_org::LIST_FAILED),
            frame,
            list_area,
            theme,
        ),
        Loadable::Ready(list) => {
            let shown = p.shown(&state.session.survey);
            let read = list
                .iter()
                .filter(|n| state.session.survey.contains_key(*n))
                .count();
            let mut title = format!(" Organizations you belong to ({}", list.len());
            if shown.len() != list.len() {
                title.push_str(&format!(", {} shown", shown.len()));
            }
            title.push(')');
            if let Some(Some(d)) = state.session.survey_for.as_ref().map(|(_, d)| d) {
                let name = state
                    .env
                    .tenants
                    .iter()
                    .find(|t| t.id.eq_ignore_ascii_case(d) || t.domain.eq_ignore_ascii_case(d))
                    .map_or(d.as_str(), |t| t.display_name.as_str());
                title.push_str(&format!(" · readiness for {name}"));
            }
            if read < list.len() && state.jobs.running(Slot::Survey) {
                title.push_str(&format!(" · read {read} of {}", list.len()));
            }
            title.push_str(&format!(" · sorted by {} ", p.sort.word()));
            let width = usize::from(list_area.width.saturating_sub(4));
            let items = shown
                .iter()
                .map(|(n, o)| ListItem::new(row(state, n, *o, width, theme)))
                .collect();
            let selected = p.selected.min(shown.len().saturating_sub(1));
            choice_list(items, selected, &title, frame, list_area, theme);
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
    } else if field {
        let mut line = vec![
            Span::raw("Filter: "),
            Span::styled(p.filter.as_str(), theme.heading()),
        ];
        if p.filtering {
            line.push(Span::styled("█", theme.accent()));
        }
        frame.render_widget(
            Paragraph::new(Line::from(line))
                .block(boxed(" Name, backing, owner or verdict contains ", theme)),
            input_area,
        );
    }
}
