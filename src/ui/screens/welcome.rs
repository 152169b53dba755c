//! The welcome screen: the environment (target, organization, owner, tenants) and the flows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, ListItem, Paragraph, Wrap};

use super::super::widgets::choice_list;
use super::Theme;
use crate::app::{Flow, OrgBacking, State, Target, TenantInfo, Welcome};

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
    if let Some(b) = &state.session.backing {
        info.push(field("Uses now", uses(b, &env.tenants), theme));
    }
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

    // The flows get their rows first; a short screen shows less of the
    // environment, the organization first.
    let list_height = (Flow::ALL.len() as u16 + 2).min(area.height.saturating_sub(3));
    let info_height = (info.len() as u16 + 2).min(area.height.saturating_sub(list_height).max(3));
    if info_height < info.len() as u16 + 2 {
        info.retain(|l| !l.to_string().starts_with("Target"));
    }
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

    let connected = state.session.backing.as_ref().map(|b| b.tenant.is_some());
    let items: Vec<ListItem> = Flow::ALL
        .iter()
        .map(|f| {
            let name = if area.width < 60 {
                f.short()
            } else {
                f.label()
            };
            // What the organization's state says of each flow, once known.
            let note = match (f, connected) {
                (Flow::Connect, Some(true)) => " (already connected)",
                (Flow::ChangeTenant | Flow::Disconnect | Flow::Resolve, Some(false)) => {
                    " (not connected yet)"
                }
                _ => "",
            };
            ListItem::new(Line::from(vec![
                Span::raw(name),
                Span::styled(note, theme.dim()),
            ]))
        })
        .collect();
    choice_list(
        items,
        w.selected,
        " What do you want to do? ",
        frame,
        bottom,
        theme,
    );
}

/// Where the organization is now, in words.
fn uses(b: &OrgBacking, known: &[TenantInfo]) -> String {
    // Before sign-in only the id is read; a directory the target named has a name.
    let named = b.tenant.as_ref().map(|t| {
        known
            .iter()
            .find(|k| k.id.eq_ignore_ascii_case(&t.id))
            .filter(|_| t.display_name.is_empty())
            .cloned()
            .unwrap_or_else(|| t.clone())
    });
    match &named {
        None => "personal Microsoft accounts (not connected to a directory)".into(),
        Some(t) if t.display_name.is_empty() => format!("the directory {}", t.id),
        Some(t) if t.domain.is_empty() => format!("{} ({})", t.display_name, t.id),
        Some(t) => format!("{} ({})", t.display_name, t.domain),
    }
}

fn field<'a>(label: &'a str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<13}"), theme.dim()),
        Span::raw(value),
    ])
}
