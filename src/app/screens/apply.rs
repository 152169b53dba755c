//! Applying: the change is made and journaled.

use crate::app::State;
use crate::app::keys::{self, Binding, Key};
use crate::app::model::{Applied, Problem};
use crate::app::nav::{self, Step};

use super::Screen;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyScreen {
    Running { last: Option<String> },
    Failed(Problem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadAgain,
}

const FAILED: &[Binding<Action>] = &[Binding::new(
    &[Key::Enter],
    "Enter",
    "read the state again",
    "the change may or may not be in place: read the organization's state and the journal again",
    Action::ReadAgain,
)];

pub const HELP: &str = "The change is being made and journaled. If ado-entra is interrupted, run \
it again: it resumes from the journal without repeating what already landed.";

impl ApplyScreen {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match self {
            ApplyScreen::Failed(_) => FAILED,
            ApplyScreen::Running { .. } => &[],
        }
    }

    pub fn on_key(self, state: &mut State, key: Key) -> Step {
        match keys::action(self.bindings(), key) {
            // The change may or may not be in place: read the state again.
            Some(Action::ReadAgain) => nav::run_checks(state),
            None => (Screen::Apply(self), vec![]),
        }
    }
}

/// The change was made (or failed).
pub(super) fn applied(state: &mut State, screen: Screen, r: Result<Applied, Problem>) -> Step {
    match r {
        Ok(report) => {
            state.session.applied = Some(report);
            nav::verify(state)
        }
        Err(e) if matches!(screen, Screen::Apply(_)) => {
            (Screen::Apply(ApplyScreen::Failed(e)), vec![])
        }
        Err(e) => {
            state.status = Some(format!("The change failed: {}", e.message));
            (screen, vec![])
        }
    }
}
