//! Widgets every screen shares: boxes, lists, the spinner line, error and
//! device-code panels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::Theme;
use crate::app::{DeviceCodePrompt, Problem, State, Status};

pub fn boxed<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(theme.accent())
}

pub fn pending(state: &State, frame: &mut Frame, area: Rect, theme: &Theme, what: &str) {
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

pub fn error_box(
    e: &Problem,
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

pub fn choice_list(
    items: Vec<ListItem>,
    selected: usize,
    title: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let total = items.len();
    let list = List::new(items)
        .block(boxed(title, theme))
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut ls = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, area, &mut ls);
    let visible = usize::from(area.height.saturating_sub(2));
    more_markers(frame, area, total, ls.offset(), visible, theme);
}

/// Paragraphs in a box, wrapped at words, shown from row `scroll` (kept in
/// range), with "▲/▼ N more" on the borders when they do not all fit.
/// A row starting with "Fix: " has that word styled as a key.
pub fn scrolled(
    paragraphs: &[(String, Style)],
    scroll: u16,
    title: &str,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    if area.height < 3 {
        return;
    }
    let width = usize::from(area.width.saturating_sub(2));
    let rows: Vec<(String, Style)> = paragraphs
        .iter()
        .flat_map(|(p, style)| {
            crate::app::text::wrap(p, width)
                .into_iter()
                .map(move |l| (l, *style))
        })
        .collect();
    let visible = usize::from(area.height - 2);
    let first = usize::from(scroll).min(rows.len().saturating_sub(visible));
    let shown: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(visible)
        .map(|(l, style)| match l.strip_prefix("Fix: ") {
            Some(rest) => Line::from(vec![
                Span::styled("Fix: ", theme.key()),
                Span::styled(rest.to_string(), *style),
            ]),
            None => Line::from(Span::styled(l.clone(), *style)),
        })
        .collect();
    frame.render_widget(Paragraph::new(shown).block(boxed(title, theme)), area);
    more_markers(frame, area, rows.len(), first, visible, theme);
}

/// "▲ more" / "▼ more" on a box's top and bottom borders when `total` rows
/// do not fit: `first` is the first row shown, `visible` how many fit.
pub fn more_markers(
    frame: &mut Frame,
    area: Rect,
    total: usize,
    first: usize,
    visible: usize,
    theme: &Theme,
) {
    if area.width < 12 || area.height < 3 {
        return;
    }
    let mark = |text: String, y: u16, frame: &mut Frame| {
        let w = text.chars().count() as u16;
        let r = Rect {
            x: area.x + area.width.saturating_sub(w + 2),
            y,
            width: w,
            height: 1,
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.key())), r);
    };
    if first > 0 {
        mark(format!("▲ {first} more"), area.y, frame);
    }
    let below = total.saturating_sub(first + visible);
    if below > 0 {
        mark(format!("▼ {below} more"), area.y + area.height - 1, frame);
    }
}

#[allow(clippy::too_many_arguments)]
pub fn device_code(
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

pub fn status_style(s: Status, theme: &Theme) -> Style {
    match s {
        Status::Pass => theme.good(),
        Status::Warn => theme.warning(),
        Status::Fail => theme.bad(),
        Status::Skip => theme.dim(),
    }
}

pub fn probe_line<'a>(ok: bool, what: &str, detail: &str, theme: &Theme) -> Line<'a> {
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

/// The last pass over a drawn frame, for every screen at once: no cell may
/// send the terminal a control or bidirectional formatting character (a
/// directory display name can carry U+202E, which would reverse what
/// follows it). ratatui already drops escapes and bells; a cell that holds
/// only such characters shows `�` (it had a column), and one appended to
/// another character's cell is removed.
pub fn neutralise(buf: &mut ratatui::buffer::Buffer) {
    use crate::domain::text::is_unsafe_char;
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if !sym.chars().any(is_unsafe_char) {
            continue;
        }
        let kept: String = sym.chars().filter(|c| !is_unsafe_char(*c)).collect();
        if kept.is_empty() {
            cell.set_symbol("\u{fffd}");
        } else {
            cell.set_symbol(&kept);
        }
    }
}
