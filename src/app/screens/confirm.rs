//! Confirm: the only question asked before a change (and, first, typing back
//! the names of any failed check the person accepts).

use crate::app::State;
use crate::app::keys::{self, Binding, Key};
use crate::app::model::AcceptRisk;
use crate::app::nav::{self, Step};

use super::{PlanScreen, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Confirm {
    pub typed: String,
    pub mismatch: bool,
    /// Failed checks still to accept, each by typing what it names, before
    /// the organization name is asked for.
    pub risks: Vec<AcceptRisk>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Back,
}

pub const BINDINGS: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "apply",
        "check what was typed and go on",
        Action::Submit,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the plan; nothing changes",
        Action::Back,
    ),
];

pub const HELP: &str = "Type the organization name to confirm. This is the only question asked \
before the change is made. When a check failed that you may accept (another administrator \
losing access, or an owner whose work address is also a personal account), you first type the \
names it lists: the acceptance is recorded in the journal.";

impl Confirm {
    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match (keys::action(BINDINGS, key), key) {
            (Some(Action::Back), _) => (Screen::Plan(PlanScreen::default()), vec![]),
            (Some(Action::Submit), _) if !self.risks.is_empty() => {
                if self.risks[0].matches(&self.typed) {
                    let risk = self.risks.remove(0);
                    state.session.accepted_risks.push(risk.id);
                    self.typed.clear();
                    self.mismatch = false;
                } else {
                    self.mismatch = true;
                }
                (Screen::Confirm(self), vec![])
            }
            (Some(Action::Submit), _) => {
                let org = state.session.org();
                if !org.is_empty() && self.typed.trim().eq_ignore_ascii_case(org) {
                    let accepted = state.session.accepted_risks.clone();
                    nav::apply(state, accepted)
                } else {
                    self.mismatch = true;
                    (Screen::Confirm(self), vec![])
                }
            }
            (None, k) => {
                if keys::edit(&mut self.typed, k) {
                    self.mismatch = false;
                }
                (Screen::Confirm(self), vec![])
            }
        }
    }
}
