//! The plan: exactly what will change. Changes nothing.

use crate::app::State;
use crate::app::keys::{self, Binding, Key};
use crate::app::nav::{self, Step};

use super::{Confirm, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanScreen {
    pub scroll: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Scroll,
    Continue,
    Report,
    Back,
}

pub const BINDINGS: &[Binding<Action>] = &[
    Binding::new(
        &[
            Key::Up,
            Key::Down,
            Key::Char('k'),
            Key::Char('j'),
            Key::PageUp,
            Key::PageDown,
            Key::Home,
            Key::Char('g'),
        ],
        "↑↓",
        "scroll",
        "scroll (PgUp/PgDn by ten)",
        Action::Scroll,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "on to the confirmation",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('w')],
        "w",
        "write report",
        "write the change-approval report and the notice to users, as Markdown beside the state",
        Action::Report,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the prerequisites",
        Action::Back,
    ),
];

pub const HELP: &str = "Exactly what will change, who will be disconnected, and what users must \
do afterwards. Nothing has changed yet.";

impl PlanScreen {
    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match keys::action(BINDINGS, key) {
            Some(Action::Back) => (nav::prereqs_again(state), vec![]),
            Some(Action::Report) => {
                let fx = match state.session.report.clone() {
                    Some(r) => super::prereqs::start_report(state, &r),
                    None => vec![],
                };
                (Screen::Plan(self), fx)
            }
            Some(Action::Scroll) => {
                keys::scroll(&mut self.scroll, key);
                (Screen::Plan(self), vec![])
            }
            Some(Action::Continue) => {
                state.session.accepted_risks.clear();
                let risks = state
                    .session
                    .report
                    .as_ref()
                    .map(|r| r.accept.clone())
                    .unwrap_or_default();
                (
                    Screen::Confirm(Confirm {
                        risks,
                        ..Confirm::default()
                    }),
                    vec![],
                )
            }
            None => (Screen::Plan(self), vec![]),
        }
    }
}
