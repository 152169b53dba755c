//! Drawing: [`view`] renders a [`State`] into a ratatui `Frame`.
//!
//! Widgets only draw; they never fetch or mutate. Each screen has its own module.
//! Layout: a one-line header (tool, screen, target), the screen body, a status
//! line when there is something to say, and a footer listing the keys that work.

pub(crate) mod screens;
mod theme;
mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::{self, Hint, Overlay, State, Target};

pub use theme::Theme;

/// Smallest terminal the wizard draws into; below it a notice asks for more room.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Draw the whole UI for `state`.
pub fn view(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(state.color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let status_height = u16::from(state.status.is_some());
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_height),
        Constraint::Length(1),
    ])
    .areas(area);

    draw_header(state, frame, header, &theme);
    screens::draw(state, frame, body, &theme);
    if let Some(msg) = &state.status {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(msg.as_str(), theme.warning()))),
            status,
        );
    }
    draw_footer(state, frame, footer, &theme);

    match state.overlay {
        Some(Overlay::Help) => draw_help(state, frame, body, &theme),
        Some(Overlay::ConfirmQuit) => draw_confirm_quit(frame, body, &theme),
        None => {}
    }
    widgets::neutralise(frame.buffer_mut());
}

fn draw_header(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let target = match &state.env.target {
        Target::Azure => "Azure".to_string(),
        Target::Emulator {
            scenario: Some(s), ..
        } => format!("demo: {s}"),
        Target::Emulator { .. } => "emulator".to_string(),
    };
    // Tool, where am I (flow, step n of m, organization → destination), target.
    // Narrow: where am I matters more than the target's name.
    let target = if area.width >= 70 {
        format!("[{target}]")
    } else {
        String::new()
    };
    let room = usize::from(area.width).saturating_sub(" ado-entra ".len() + 2 + target.len() + 2);
    let place = match app::breadcrumb::breadcrumb(state) {
        Some(b) => b.text(room),
        None => state.screen.title().to_string(),
    };
    let line = Line::from(vec![
        Span::styled(" ado-entra ", theme.title()),
        Span::raw(" "),
        Span::styled(place, theme.heading()),
        Span::raw("  "),
        Span::styled(target, theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_footer(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let (own, always) = app::footer_hints(state);
    let width = |h: &Hint| h.shown.chars().count() + h.label.chars().count() + 3;
    // Every key with its label if they fit; else the screen's keys in order
    // while they fit beside the ones that always stay (help lists the rest).
    let room = usize::from(area.width) + 2;
    let mut left = room.saturating_sub(always.iter().map(width).sum());
    let mut chosen: Vec<Hint> = Vec::new();
    for h in own {
        if width(&h) <= left {
            left -= width(&h);
            chosen.push(h);
        }
    }
    chosen.extend(always);
    let mut spans = Vec::new();
    for (i, h) in chosen.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(h.shown, theme.key()));
        if !h.label.is_empty() {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(h.label, theme.dim()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = Text::from(vec![
        Line::from(Span::styled("Terminal too small", theme.heading())),
        Line::from(format!(
            "{}x{}; need {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from("Enlarge it, or q to quit"),
    ]);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_help(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let (about, keys) = app::help_text(state);
    // The keys first: on a small screen they are what the person came for.
    let mut lines = Vec::new();
    let key_width = keys
        .iter()
        .map(|h| h.shown.chars().count())
        .max()
        .unwrap_or(0);
    for h in &keys {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<key_width$}", h.shown), theme.key()),
            Span::raw("  "),
            Span::raw(if h.help.is_empty() { h.label } else { h.help }),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(about));
    let popup = centered(area, 72, (lines.len() as u16).saturating_add(6));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" Help: {} ", state.screen.title()))
                .border_style(theme.accent()),
        ),
        popup,
    );
}

fn draw_confirm_quit(frame: &mut Frame, area: Rect, theme: &Theme) {
    let popup = centered(area, 50, 5);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new("Work is still in flight. Quit anyway? (y/N)")
            .wrap(Wrap { trim: true })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Quit? ")
                    .border_style(theme.warning()),
            ),
        popup,
    );
}

#[cfg(test)]
mod tests;
