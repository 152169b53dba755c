//! Drawing the destination picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

pub fn draw(state: &State, p: &PickTenant, frame: &mut Frame, area: Rect, theme: &Theme) {
    if p.input.is_some() {
        let input = p.input.as_deref().unwrap_or_default();
        let mut lines = vec![
            Line::from("A tenant id (GUID) or one of its domains, e.g. contoso.onmicrosoft.com:"),
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
    } else {
        match &p.tenants {
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
                &hint_line(p.bindings()),
                frame,
                area,
                theme,
            ),
            Loadable::Ready(list) if list.is_empty() => {
                let e = Problem::msg(
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
                        let marks = crate::app::pick_tenant::marks(state, t);
                        let mut line = vec![Span::raw(t.display_name.clone())];
                        if !marks.is_empty() {
                            line.push(Span::styled(
                                format!("  [{}]", marks.join(", ")),
                                theme.key(),
                            ));
                        }
                        if !narrow {
                            line.push(Span::styled(
                                format!("  {}, {}", t.domain, t.id),
                                theme.dim(),
                            ));
                        }
                        ListItem::new(Line::from(line))
                    })
                    .collect();
                let title = if state.session.operation() == Operation::ChangeTenant {
                    " Move to which directory? "
                } else {
                    " Connect to which directory? "
                };
                choice_list(items, p.selected, title, frame, area, theme);
            }
        }
    }
}
