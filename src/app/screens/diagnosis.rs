//! Diagnosis: why the organization did not answer the fresh sign-in, and
//! what to do about that reason only.

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{Probe, Problem, VerifyReport};
use crate::app::nav::{self, Step};
use crate::app::{Effect, Session, State};
use crate::domain::diagnose::KnowledgeBase;
use crate::domain::verify::Access;

use super::Screen;

pub use crate::azure::RECOVERY_URL;

/// Verification was refused: what happened and how to recover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub error: Problem,
    pub probes: Vec<Probe>,
    pub steps: Vec<String>,
    /// What the probes mean.
    pub access: Access,
    /// First row shown (the drawing keeps it in range).
    pub scroll: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Again,
    SignInThere,
    OpenRecovery,
    Recover,
    Scroll,
}

/// The steps can be longer than the screen.
const SCROLL: Binding<Action> = Binding::new(
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
    "scroll (PgUp/PgDn by ten, g to the top)",
    Action::Scroll,
);

const LOCKED_OUT: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "verify again",
        "sign in afresh and verify again",
        Action::Again,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "recover",
        "find out why from every account you can still sign in with, and take the ways back in",
        Action::Recover,
    ),
    Binding::new(
        &[Key::Char('o')],
        "o",
        "open the recovery page",
        "open aex.dev.azure.com/me, where the original owner account still gets in",
        Action::OpenRecovery,
    ),
    SCROLL,
];

const WRONG_SIGN_IN: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "sign in where the organization lives",
        "sign in again in the organization's directory and verify",
        Action::SignInThere,
    ),
    SCROLL,
];

const OTHER: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "verify again",
        "sign in afresh and verify again",
        Action::Again,
    ),
    SCROLL,
];

pub const HELP: &str = "The organization did not answer the fresh sign-in. The steps depend on \
why: a sign-in in the wrong directory only needs a new sign-in; an owner locked out after a \
connect follows the recovery steps in order; anyone else asks an administrator to add them.";

impl Diagnosis {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match self.access {
            Access::OwnerLockedOut => LOCKED_OUT,
            Access::WrongSignIn { .. } => WRONG_SIGN_IN,
            _ => OTHER,
        }
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match keys::action(self.bindings(), key) {
            Some(Action::Scroll) => {
                keys::scroll(&mut self.scroll, key);
                (Screen::Diagnosis(self), vec![])
            }
            Some(Action::SignInThere) => {
                let tenant = match &self.access {
                    Access::WrongSignIn { needs: Some(t) } => t.to_string(),
                    _ => "consumers".to_string(),
                };
                nav::verify_in(state, Some(tenant))
            }
            Some(Action::Again) => nav::verify(state),
            Some(Action::Recover) => {
                let org = state.session.org().to_string();
                state.session.flow = super::welcome::Flow::Recover;
                nav::recover(state, &org)
            }
            Some(Action::OpenRecovery) => (
                Screen::Diagnosis(self),
                vec![Effect::OpenBrowser(RECOVERY_URL.into())],
            ),
            None => (Screen::Diagnosis(self), vec![]),
        }
    }
}

/// What a refused verification means and what to do, by what the probes
/// showed: a wrong sign-in is told to sign in again and nothing else; only
/// the owner refused while the profile answers is the lockout, whose
/// recovery (the knowledge base's steps) may mean disconnecting.
pub fn diagnose(session: &Session, report: VerifyReport) -> Diagnosis {
    let org = session.org();
    let error = report
        .failure
        .clone()
        .unwrap_or_else(|| Problem::msg("The organization did not answer every probe."));
    let kb = KnowledgeBase::builtin();
    let mut steps = Vec::new();
    match &report.access {
        Access::WrongSignIn { .. } => {
            if let Some(cmd) = report.access.sign_in_command() {
                steps.push(format!(
                    "You are signed in as {} in another directory than the organization's. \
                     Press Enter to sign in again there (the same as `{cmd}`); nothing else \
                     is wrong.",
                    report.identity.upn
                ));
            }
        }
        Access::OwnerLockedOut => {
            if error.code.as_deref() == Some("TF401444")
                && let Some(e) = kb.get("TF401444")
            {
                steps.extend(e.fix.iter().cloned());
            }
            if let Some(e) = kb.get("lockout-after-connect") {
                // The organization is known here: the commands name it.
                steps.extend(
                    e.fix
                        .iter()
                        .map(|s| s.replace("--org ORG", &format!("--org {org}"))),
                );
            }
        }
        Access::NoAccess => {
            let who = report
                .owner
                .as_deref()
                .map(|o| format!("the owner ({o}) or a Project Collection Administrator"))
                .unwrap_or_else(|| "its owner or a Project Collection Administrator".into());
            steps.push(format!(
                "'{org}' does not let {} in. Ask {who} to add this account in Organization \
                 settings > Users, then press Enter to verify again.",
                report.identity.upn
            ));
        }
        Access::Missing => steps.push(format!(
            "There is no organization named '{org}': check the spelling (the part after dev.azure.com/)."
        )),
        Access::Works | Access::Unknown => steps.push(
            "The organization answered with an error; press Enter to verify again.".into(),
        ),
    }
    Diagnosis {
        error,
        probes: report.probes,
        steps,
        access: report.access,
        scroll: 0,
    }
}
