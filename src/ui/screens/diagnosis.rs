//! Drawing the diagnosis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::super::Theme;
use super::super::widgets::*;
use crate::app::*;

pub fn draw(_state: &State, d: &Diagnosis, frame: &mut Frame, area: Rect, theme: &Theme) {
    let plain = Style::default();
    let mut rows = vec![
        (
            "The organization refused the fresh sign-in.".to_string(),
            theme.bad(),
        ),
        (d.error.message.clone(), plain),
        (String::new(), plain),
    ];
    for p in &d.probes {
        let sym = if p.ok { "✔" } else { "✘" };
        let style = if p.ok { theme.good() } else { theme.bad() };
        rows.push((format!(" {sym} {}: {}", p.what, p.detail), style));
    }
    if !d.probes.is_empty() {
        rows.push((String::new(), plain));
    }
    rows.push(("Recover in this order:".to_string(), theme.heading()));
    for (i, s) in d.steps.iter().enumerate() {
        rows.push((format!("{}. {s}", i + 1), plain));
    }
    if let Some(id) = &d.error.kb_id {
        rows.push((String::new(), plain));
        rows.push((format!("More: ado-entra explain {id}"), theme.dim()));
    }
    scrolled(&rows, d.scroll, " Diagnosis ", frame, area, theme);
}
