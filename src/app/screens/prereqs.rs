//! Prerequisites: the organization's state decides first; a real change
//! shows every check, its evidence and fix, and the lockout table.

use crate::app::State;
use crate::app::keys::{self, Binding, Key};
use crate::app::model::{ChecksReport, Operation, Problem, SituationKind, Status};
use crate::app::nav::{self, Step};

use super::sign_in::Then;
use super::{Loadable, PlanScreen, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prereqs {
    pub report: Loadable<ChecksReport>,
    pub progress: Option<(usize, usize, String)>,
    /// Highlighted check (its evidence and fix are shown).
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Move,
    Continue,
    Rerun,
    /// Sign in to the destination as an account of it, to read it.
    SignInDirectory,
    /// Sign in again at the organization's directory.
    SignInThere,
    Back,
}

const MOVE_KEYS: &[Key] = &[
    Key::Up,
    Key::Down,
    Key::Char('k'),
    Key::Char('j'),
    Key::Tab,
    Key::BackTab,
    Key::Home,
    Key::End,
    Key::Char('g'),
    Key::Char('G'),
];

const CHECKS: &[Binding<Action>] = &[
    Binding::new(
        MOVE_KEYS,
        "↑↓",
        "check",
        "highlight a check to see its evidence and fix",
        Action::Move,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "continue to the plan (a failed check blocks it)",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "re-run",
        "run every check again",
        Action::Rerun,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the previous choice",
        Action::Back,
    ),
];

/// The checks could not read the destination with this sign-in.
const CHECKS_UNREAD: &[Binding<Action>] = &[
    Binding::new(
        MOVE_KEYS,
        "↑↓",
        "check",
        "highlight a check to see its evidence and fix",
        Action::Move,
    ),
    Binding::new(
        &[Key::Char('d')],
        "d",
        "sign in to the directory",
        "sign in to the destination with an account of it (your work account), so the checks can read it; your Azure DevOps sign-in stays",
        Action::SignInDirectory,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "continue to the plan (a failed check blocks it)",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "re-run",
        "run every check again",
        Action::Rerun,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the previous choice",
        Action::Back,
    ),
];

const RUNNING: &[Binding<Action>] = &[];

const FAILED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter, Key::Char('r')],
        "Enter",
        "retry",
        "run the checks again",
        Action::Rerun,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the previous choice",
        Action::Back,
    ),
];

/// The checks could not start: the organization refuses this sign-in.
const FAILED_SIGN_IN: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('s')],
        "s",
        "sign in there",
        "sign in to the organization's directory as an account of it, then check again",
        Action::SignInThere,
    ),
    Binding::new(
        &[Key::Enter, Key::Char('r')],
        "Enter",
        "retry",
        "run the checks again",
        Action::Rerun,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the previous choice",
        Action::Back,
    ),
];

const DECIDED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "do what the organization's state calls for",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "read again",
        "read the organization's state again",
        Action::Rerun,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to the previous choice",
        Action::Back,
    ),
];

pub const HELP: &str = "First the organization's real state decides: nothing to do, another \
operation, a refusal, or an interrupted change to record. For a real change, every documented \
prerequisite is checked against live data. A failed check blocks the next step; its fix says \
what to change. Two failures can be accepted by typing names back on Confirm. The table shows \
who keeps access and who would not.";

impl Prereqs {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match &self.report {
            Loadable::Loading => RUNNING,
            Loadable::Failed(p) if p.sign_in_at.is_some() => FAILED_SIGN_IN,
            Loadable::Failed(_) => FAILED,
            Loadable::Ready(r) if !r.is_change() => DECIDED,
            Loadable::Ready(r) if r.directory_sign_in.is_some() => CHECKS_UNREAD,
            Loadable::Ready(_) => CHECKS,
        }
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        let count = match &self.report {
            Loadable::Ready(r) => r.checks.len(),
            _ => 0,
        };
        let op = state.session.operation();
        match keys::action(self.bindings(), key) {
            Some(Action::Back) => back(state),
            Some(Action::Rerun) => nav::run_checks(state),
            Some(Action::SignInThere) => match &self.report {
                Loadable::Failed(Problem {
                    sign_in_at: Some(t),
                    ..
                }) => nav::sign_in_at(state, t.clone(), Then::Checks),
                _ => (Screen::Prereqs(self), vec![]),
            },
            Some(Action::SignInDirectory) => match &self.report {
                Loadable::Ready(ChecksReport {
                    directory_sign_in: Some(d),
                    ..
                }) => nav::sign_in_directory(state, d.clone()),
                _ => (Screen::Prereqs(self), vec![]),
            },
            Some(Action::Move) => {
                keys::move_wrapping(&mut self.selected, count, key);
                (Screen::Prereqs(self), vec![])
            }
            Some(Action::Continue) => match &self.report {
                Loadable::Ready(r) if !r.is_change() => match r.situation.kind {
                    SituationKind::AlreadyLanded => nav::apply(state, Vec::new()),
                    SituationKind::WrongFlow => {
                        // The one other flow that fits: a connect.
                        state.session.flow = super::welcome::Flow::Connect;
                        nav::run_checks(state)
                    }
                    SituationKind::Refused => {
                        state.status = Some(format!("{} Esc goes back.", r.situation.message));
                        (Screen::Prereqs(self), vec![])
                    }
                    _ => (Screen::Done(Default::default()), vec![]),
                },
                Loadable::Ready(_) if op == Operation::CheckOnly => {
                    (Screen::Done(Default::default()), vec![])
                }
                Loadable::Ready(r) if r.blocked() && r.directory_sign_in.is_some() => {
                    state.status = Some(format!(
                        "The owner's access cannot be proven without reading the directory: {}.",
                        keys::hint_for(CHECKS_UNREAD, Action::SignInDirectory)
                    ));
                    (Screen::Prereqs(self), vec![])
                }
                Loadable::Ready(r) if r.blocked() => {
                    state.status = Some(format!(
                        "A failed check blocks this step: apply its fix, then {}.",
                        keys::hint_for(CHECKS, Action::Rerun)
                    ));
                    (Screen::Prereqs(self), vec![])
                }
                Loadable::Ready(_) => (Screen::Plan(PlanScreen::default()), vec![]),
                _ => (Screen::Prereqs(self), vec![]),
            },
            None => (Screen::Prereqs(self), vec![]),
        }
    }
}

/// Back to where the destination (or the organization) was chosen.
fn back(state: &mut State) -> Step {
    if state.session.operation().needs_destination() {
        nav::pick_tenant(state)
    } else {
        nav::pick_org(state)
    }
}

/// The checks finished.
pub(super) fn checked(
    state: &mut State,
    screen: Screen,
    result: Result<ChecksReport, Problem>,
) -> Step {
    if let Ok(r) = &result {
        state.session.report = Some(r.clone());
        // The directory as resolved (a typed domain becomes its id).
        if let (Some(d), Some(c)) = (&r.destination, state.session.choice.as_mut()) {
            c.destination = Some(d.clone());
        }
    }
    let Screen::Prereqs(mut p) = screen else {
        return (screen, vec![]);
    };
    p.progress = None;
    p.report = match result {
        Ok(r) => {
            // Start on the first failure, else the first warning.
            p.selected = r
                .checks
                .iter()
                .position(|c| c.status == Status::Fail)
                .or_else(|| r.checks.iter().position(|c| c.status == Status::Warn))
                .unwrap_or(0);
            Loadable::Ready(r)
        }
        Err(e) => Loadable::Failed(e),
    };
    (Screen::Prereqs(p), vec![])
}
