//! Verify: every token dropped, a fresh sign-in, the organization probed,
//! then what the change may have broken (service connections, agent pools,
//! Git, PATs); anything broken is shown here, with its fix, before going on.

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{DeviceCodePrompt, Problem, VerifyReport};
use crate::app::nav::{self, Step};
use crate::app::{Effect, State};

use super::{DoneScreen, Screen};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyScreen {
    /// Signed out; waiting for a fresh sign-in (maybe with a device code shown).
    SigningIn {
        prompt: Option<DeviceCodePrompt>,
        received_ms: u64,
    },
    Failed(Problem),
    /// The organization answers, but a deep probe found something broken.
    Results(VerifyReport),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OpenBrowser,
    Copy,
    Retry,
    Continue,
}

const SIGNING_IN: &[Binding<Action>] = &[
    Binding::open_browser(Action::OpenBrowser),
    Binding::copy_code(Action::Copy),
];

const FAILED: &[Binding<Action>] = &[Binding::new(
    &[Key::Enter],
    "Enter",
    "retry",
    "sign in afresh and verify again",
    Action::Retry,
)];

const RESULTS: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "go on; fix what is broken with the steps shown",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "verify again",
        "sign in afresh and verify again (after fixing something)",
        Action::Retry,
    ),
];

pub const HELP: &str = "All tokens were dropped. Sign in afresh as a user of the new directory \
so ado-entra can prove the organization is reachable, then it tries what the change may have \
broken: each service connection's verification, the agent pools, a Git fetch, your PATs.";

impl VerifyScreen {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match self {
            VerifyScreen::Failed(_) => FAILED,
            VerifyScreen::SigningIn { .. } => SIGNING_IN,
            VerifyScreen::Results(_) => RESULTS,
        }
    }

    pub fn on_key(self, state: &mut State, key: Key) -> Step {
        match (keys::action(self.bindings(), key), &self) {
            (Some(Action::Retry), _) => nav::verify(state),
            (Some(Action::Continue), VerifyScreen::Results(report)) => {
                let report = report.clone();
                proceed(state, report)
            }
            (
                Some(Action::OpenBrowser),
                VerifyScreen::SigningIn {
                    prompt: Some(p), ..
                },
            ) => {
                let uri = p.verification_uri.clone();
                (Screen::Verify(self), vec![Effect::OpenBrowser(uri)])
            }
            (
                Some(Action::Copy),
                VerifyScreen::SigningIn {
                    prompt: Some(p), ..
                },
            ) => {
                let code = p.user_code.clone();
                state.status = Some("Code copied to the clipboard".into());
                (Screen::Verify(self), vec![Effect::Copy(code)])
            }
            _ => (Screen::Verify(self), vec![]),
        }
    }
}

/// The verification finished: on to Resolve or Done when it works (by way
/// of the results when a deep probe found something broken), to the
/// diagnosis when the organization does not answer.
pub(super) fn verified(
    state: &mut State,
    screen: Screen,
    r: Result<VerifyReport, Problem>,
) -> Step {
    match r {
        Ok(report) if report.ok() && report.broken().next().is_some() => {
            state.session.identity = Some(report.identity.clone());
            state.session.verified = Some(report.clone());
            (Screen::Verify(VerifyScreen::Results(report)), vec![])
        }
        Ok(report) if report.ok() => proceed(state, report),
        Ok(report) => {
            state.session.identity = Some(report.identity.clone());
            (
                Screen::Diagnosis(super::diagnosis::diagnose(&state.session, report)),
                vec![],
            )
        }
        Err(e) if matches!(screen, Screen::Verify(_)) => {
            (Screen::Verify(VerifyScreen::Failed(e)), vec![])
        }
        Err(_) => (screen, vec![]),
    }
}

/// The organization answers: on to Resolve when users were predicted
/// disconnected, else Done.
fn proceed(state: &mut State, report: VerifyReport) -> Step {
    state.session.identity = Some(report.identity.clone());
    state.session.verified = Some(report);
    let disconnected = state
        .session
        .report
        .as_ref()
        .is_some_and(|r| !r.plan.disconnected.is_empty());
    if disconnected && state.session.operation().needs_destination() {
        let org = state.session.org().to_string();
        nav::resolve(state, &org)
    } else {
        (Screen::Done(DoneScreen::default()), vec![])
    }
}
