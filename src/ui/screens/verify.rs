//! Drawing the verification.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::Theme;
use super::super::widgets::*;
use crate::app::keys::hint_line;
use crate::app::*;

pub fn draw(state: &State, v: &VerifyScreen, frame: &mut Frame, area: Rect, theme: &Theme) {
    match v {
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
        VerifyScreen::Results(report) => results(report, frame, area, theme),
        VerifyScreen::Failed(e) => error_box(
            e,
            "Verification could not run",
            &hint_line(v.bindings()),
            frame,
            area,
            theme,
        ),
    }
}

/// What the change broke, with each fix, before going on.
fn results(report: &VerifyReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    let broken = report.broken().count();
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "The organization answers {}, but {} the change affects {} broken:",
                report.identity.upn,
                crate::app::text::count(broken, "thing", "things"),
                if broken == 1 { "is" } else { "are" }
            ),
            theme.heading(),
        )),
        Line::from(""),
    ];
    lines.extend(deep_lines(&report.deep, theme));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(boxed(" Verified, with problems ", theme)),
        area,
    );
}

/// One line per deep probe, and the fix under a broken one.
pub fn deep_lines<'a>(probes: &'a [DeepProbe], theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for p in probes {
        let style = match p.state {
            DeepState::Working => theme.good(),
            DeepState::Broken => theme.bad(),
            DeepState::NotCheckable => theme.dim(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", p.state.symbol()), style),
            Span::raw(format!("{}: {}", p.what, p.detail)),
        ]));
        if let Some(id) = &p.known_as {
            lines.push(Line::from(Span::styled(
                format!("    known problem {id} (ado-entra explain {id})"),
                theme.dim(),
            )));
        }
        for (i, f) in p.fix.iter().enumerate() {
            lines.push(Line::from(format!("    {}. {f}", i + 1)));
        }
    }
    lines
}
