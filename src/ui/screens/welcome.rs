//! The welcome screen: the environment (target, organization, owner, tenants) and the flows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::Theme;
use crate::app::{Flow, State, Target, Welcome};

pub fn draw(state: &State, w: &Welcome, frame: &mut Frame, area: Rect, theme: &Theme) {
    let env = &state.env;
    let mut info = Vec::new();
    let target = match &env.target {
        Target::Azure => "Azure DevOps and Microsoft Entra ID (live)".to_string(),
        Target::Emulator {
            base_url,
            scenario: Some(s),
        } => format!("emulator '{s}' {base_url}"),
        Target::Emulator { base_url, .. } => format!("emulator at {base_url}"),
    };
    info.push(field("Target", target, theme));
    info.push(field(
        "Organization",
        env.org
            .clone()
            .unwrap_or_else(|| "chosen after sign-in".into()),
        theme,
    ));
    info.push(field(
        "Owner",
        env.owner
            .clone()
            .unwrap_or_else(|| "shown after sign-in".into()),
        theme,
    ));
    if env.tenants.is_empty() {
        info.push(field("Tenants", "listed after sign-in".into(), theme));
    }
    for (i, t) in env.tenants.iter().enumerate() {
        let label = if i == 0 { "Tenants" } else { "" };
        info.push(field(
            label,
            format!("{} ({})", t.display_name, t.domain),
            theme,
        ));
    }

    let info_height = (info.len() as u16 + 2).min(area.height.saturating_sub(4).max(3));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(info_height), Constraint::Min(3)]).areas(area);
    frame.render_widget(
        Paragraph::new(info).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Environment ")
                .border_style(theme.accent()),
        ),
        top,
    );

    let items: Vec<ListItem> = Flow::ALL
        .iter()
        .map(|f| {
            ListItem::new(if area.width < 60 {
                f.short()
            } else {
                f.label()
            })
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" What do you want to do? ")
                .border_style(theme.accent()),
        )
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut ls = ListState::default().with_selected(Some(w.selected));
    frame.render_stateful_widget(list, bottom, &mut ls);
}

fn field<'a>(label: &'a str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<13}"), theme.dim()),
        Span::raw(value),
    ])
}
