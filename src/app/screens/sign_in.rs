//! Sign in with a device code.

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{DeviceCodePrompt, Identity, Problem, TenantInfo};
use crate::app::nav::{self, Step};
use crate::app::{Effect, Slot, State};

use super::Screen;

/// Sign-in progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SignInPhase {
    /// Asked for a device code; none yet.
    #[default]
    Starting,
    /// Showing the code; `received_ms` is the clock when it arrived (for the countdown).
    Prompt {
        prompt: DeviceCodePrompt,
        received_ms: u64,
    },
    Failed(Problem),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInScreen {
    pub phase: SignInPhase,
    /// Signing in to this directory only, to read it (the main sign-in
    /// stays); `None` for the main sign-in.
    pub directory: Option<TenantInfo>,
    /// Where to go back to after a sign-in the wizard asked for on the way
    /// (the organization's directory); `None`: on to the organizations.
    pub then: Option<Then>,
    /// The authority of a sign-in asked for on the way.
    pub tenant: Option<String>,
}

/// Where a sign-in asked for on the way returns to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// List the directories again.
    Tenants,
    /// Read the organization's state and run the checks again.
    Checks,
    /// Load Resolve for the organization again.
    Resolve(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OpenBrowser,
    Copy,
    Retry,
    Cancel,
}

const WAITING: &[Binding<Action>] = &[
    Binding::open_browser(Action::OpenBrowser),
    Binding::copy_code(Action::Copy),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "cancel",
        "cancel the sign-in",
        Action::Cancel,
    ),
];

const FAILED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "retry",
        "ask for a new code",
        Action::Retry,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back",
        "back to Welcome",
        Action::Cancel,
    ),
];

pub const HELP: &str = "Sign in with a device code: open the address shown in any browser (Enter \
opens it here), type the code, and pick your account. Nothing in the organization changes. When \
signing in to a directory to read it, pick an account of that directory (your work account): \
your Azure DevOps sign-in stays as it is.";

impl SignInScreen {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match self.phase {
            SignInPhase::Failed(_) => FAILED,
            _ => WAITING,
        }
    }

    pub fn on_key(self, state: &mut State, key: Key) -> Step {
        match (keys::action(self.bindings(), key), &self.phase) {
            (Some(Action::Cancel), _) => {
                let mut fx = state.cancel(Slot::SignIn);
                let (screen, more) = match (self.directory, self.then) {
                    (Some(_), _) | (None, Some(Then::Checks)) => {
                        (nav::prereqs_again(state), vec![])
                    }
                    (None, Some(Then::Tenants)) => nav::pick_tenant(state),
                    (None, Some(Then::Resolve(org))) => nav::resolve(state, &org),
                    (None, None) => nav::welcome(state),
                };
                fx.extend(more);
                (screen, fx)
            }
            (Some(Action::Retry), _) => match (self.directory, self.then, self.tenant) {
                (Some(d), _, _) => nav::sign_in_directory(state, d),
                (None, Some(then), Some(tenant)) => nav::sign_in_at(state, tenant, then),
                _ => nav::sign_in(state),
            },
            (Some(Action::OpenBrowser), SignInPhase::Prompt { prompt, .. }) => {
                let uri = prompt.verification_uri.clone();
                (Screen::SignIn(self), vec![Effect::OpenBrowser(uri)])
            }
            (Some(Action::Copy), SignInPhase::Prompt { prompt, .. }) => {
                let code = prompt.user_code.clone();
                state.status = Some("Code copied to the clipboard".into());
                (Screen::SignIn(self), vec![Effect::Copy(code)])
            }
            _ => (Screen::SignIn(self), vec![]),
        }
    }
}

/// The sign-in to a directory finished: check again, now able to read it.
pub(super) fn signed_in_directory(
    state: &mut State,
    screen: Screen,
    result: Result<Identity, Problem>,
) -> Step {
    match (result, screen) {
        (Ok(who), Screen::SignIn(_)) => {
            state.status = Some(format!(
                "Signed in to the directory as {}; checking again",
                who.upn
            ));
            nav::run_checks(state)
        }
        (Err(e), Screen::SignIn(mut s)) => {
            s.phase = SignInPhase::Failed(e);
            (Screen::SignIn(s), vec![])
        }
        (_, screen) => (screen, vec![]),
    }
}

/// The sign-in finished.
pub(super) fn signed_in(
    state: &mut State,
    screen: Screen,
    result: Result<Identity, Problem>,
) -> Step {
    match (result, screen) {
        (Ok(identity), Screen::SignIn(s)) => {
            state.session.identity = Some(identity);
            match s.then {
                Some(Then::Tenants) => nav::pick_tenant(state),
                Some(Then::Checks) => nav::run_checks(state),
                Some(Then::Resolve(org)) => nav::resolve(state, &org),
                None => nav::pick_org(state),
            }
        }
        (Ok(identity), screen) => {
            state.session.identity = Some(identity);
            (screen, vec![])
        }
        (Err(e), Screen::SignIn(mut s)) => {
            s.phase = SignInPhase::Failed(e);
            (Screen::SignIn(s), vec![])
        }
        (Err(_), screen) => (screen, vec![]),
    }
}
