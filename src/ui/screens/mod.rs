//! One module per screen, mirroring `app::screens`; each draws only from `State`.

pub mod apply;
pub mod confirm;
pub mod diagnosis;
pub mod done;
pub mod pick_org;
pub mod pick_tenant;
pub mod plan;
pub mod prereqs;
pub mod recover;
pub mod resolve;
pub mod sign_in;
pub mod verify;
pub mod welcome;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Theme;
use crate::app::{Screen, State};

/// Draw the current screen's body.
pub fn draw(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    match &state.screen {
        Screen::Welcome(w) => welcome::draw(state, w, frame, area, theme),
        Screen::SignIn(s) => sign_in::draw(state, s, frame, area, theme),
        Screen::PickOrg(p) => pick_org::draw(state, p, frame, area, theme),
        Screen::PickTenant(p) => pick_tenant::draw(state, p, frame, area, theme),
        Screen::Prereqs(p) => prereqs::draw(state, p, frame, area, theme),
        Screen::Plan(p) => plan::draw(state, p, frame, area, theme),
        Screen::Confirm(c) => confirm::draw(state, c, frame, area, theme),
        Screen::Apply(a) => apply::draw(state, a, frame, area, theme),
        Screen::Verify(v) => verify::draw(state, v, frame, area, theme),
        Screen::Diagnosis(d) => diagnosis::draw(state, d, frame, area, theme),
        Screen::Resolve(r) => resolve::draw(state, r, frame, area, theme),
        Screen::Recover(r) => recover::draw(state, r, frame, area, theme),
        Screen::Done(d) => done::draw(state, d, frame, area, theme),
    }
}
