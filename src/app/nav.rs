//! Moving between screens: each helper builds the screen to show next and
//! starts the job it needs. Screens call these instead of building each
//! other's state.

use super::screens::apply::ApplyScreen;
use super::screens::pick_org::PickOrg;
use super::screens::pick_tenant::PickTenant;
use super::screens::prereqs::Prereqs;
use super::screens::resolve::ResolveScreen;
use super::screens::sign_in::{SignInScreen, Then};
use super::screens::verify::VerifyScreen;
use super::screens::welcome::Welcome;
use super::screens::{Loadable, Screen};
use super::{Effect, Job, Slot, State};

/// The next screen and the effects to perform.
pub type Step = (Screen, Vec<Effect>);

/// Back to Welcome, with the flow that was chosen still highlighted; reads
/// that are in flight are no longer wanted.
pub fn welcome(state: &mut State) -> Step {
    let mut fx = Vec::new();
    for slot in [
        Slot::Orgs,
        Slot::Tenants,
        Slot::Checks,
        Slot::Resolve,
        Slot::Search,
    ] {
        fx.extend(state.cancel(slot));
    }
    (Screen::Welcome(Welcome::on(state.session.flow)), fx)
}

/// A device-code sign-in.
pub fn sign_in(state: &mut State) -> Step {
    let fx = state.start(Job::SignIn { tenant: None });
    (Screen::SignIn(SignInScreen::default()), fx)
}

/// Sign in again at `tenant` (the organization's directory), then go on
/// with `then`.
pub fn sign_in_at(state: &mut State, tenant: String, then: Then) -> Step {
    let fx = state.start(Job::SignIn {
        tenant: Some(tenant.clone()),
    });
    (
        Screen::SignIn(SignInScreen {
            then: Some(then),
            tenant: Some(tenant),
            ..SignInScreen::default()
        }),
        fx,
    )
}

/// Sign in to the destination directory as an account of it, to read it.
pub fn sign_in_directory(state: &mut State, directory: super::model::TenantInfo) -> Step {
    let fx = state.start(Job::SignInDirectory {
        tenant: directory.id.clone(),
    });
    (
        Screen::SignIn(SignInScreen {
            directory: Some(directory),
            ..SignInScreen::default()
        }),
        fx,
    )
}

/// The organization picker (from the list already read, or reading it).
pub fn pick_org(state: &mut State) -> Step {
    let want = state
        .session
        .choice
        .as_ref()
        .map(|c| c.org.clone())
        .or_else(|| state.env.org.clone());
    match state.session.orgs.clone() {
        Some(list) => {
            let fx = super::screens::pick_org::survey(state);
            (Screen::PickOrg(PickOrg::ready(list, want.as_deref())), fx)
        }
        None => {
            let fx = state.start(Job::ListOrgs);
            (Screen::PickOrg(PickOrg::default()), fx)
        }
    }
}

/// The destination picker for the chosen organization.
pub fn pick_tenant(state: &mut State) -> Step {
    let org = state.session.org().to_string();
    let fx = state.start(Job::ListTenants { org });
    (Screen::PickTenant(PickTenant::default()), fx)
}

/// Read the organization's state and, for a change, run every check.
pub fn run_checks(state: &mut State) -> Step {
    let job = Job::RunChecks {
        op: state.session.operation(),
        org: state.session.org().to_string(),
        tenant: state.session.destination_id(),
    };
    let fx = state.start(job);
    (Screen::Prereqs(Prereqs::default()), fx)
}

/// The Prerequisites screen showing the report already read.
pub fn prereqs_again(state: &State) -> Screen {
    Screen::Prereqs(Prereqs {
        report: match &state.session.report {
            Some(r) => Loadable::Ready(r.clone()),
            None => Loadable::Loading,
        },
        ..Prereqs::default()
    })
}

/// Make the change (or record one that had already landed).
pub fn apply(state: &mut State, accepted: Vec<String>) -> Step {
    let job = Job::Apply {
        op: state.session.operation(),
        org: state.session.org().to_string(),
        tenant: state.session.destination_id(),
        accepted,
    };
    let fx = state.start(job);
    (Screen::Apply(ApplyScreen::Running { last: None }), fx)
}

/// Drop the tokens, sign in afresh where the organization now lives, and verify.
pub fn verify(state: &mut State) -> Step {
    let tenant = match state.session.operation() {
        // After a disconnect, the owner signs in with a personal account.
        super::Operation::Disconnect => Some("consumers".to_string()),
        _ => state.session.destination_id(),
    };
    verify_in(state, tenant)
}

/// Drop the tokens, sign in afresh at `tenant` and verify.
pub fn verify_in(state: &mut State, tenant: Option<String>) -> Step {
    state.session.verified = None;
    let job = Job::Verify {
        org: state.session.org().to_string(),
        tenant,
    };
    let fx = state.start(job);
    (
        Screen::Verify(VerifyScreen::SigningIn {
            prompt: None,
            received_ms: state.now_ms,
        }),
        fx,
    )
}

/// The Recover screen for `org`, diagnosing.
pub fn recover(state: &mut State, org: &str) -> Step {
    let fx = state.start(Job::Recover {
        org: org.to_string(),
    });
    (
        Screen::Recover(Box::new(super::screens::recover::RecoverScreen::loading(
            org,
        ))),
        fx,
    )
}

/// The Resolve screen for `org`, loading.
pub fn resolve(state: &mut State, org: &str) -> Step {
    let fx = state.start(Job::LoadResolve {
        org: org.to_string(),
    });
    (Screen::Resolve(Box::new(ResolveScreen::loading(org))), fx)
}
