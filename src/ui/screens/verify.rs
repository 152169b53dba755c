//! Drawing the verification.

use ratatui::Frame;
use ratatui::layout::Rect;

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
