//! One module per screen: its state, its key bindings (data) and what it
//! does with keys, job results and progress. This module only dispatches.

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

pub use apply::ApplyScreen;
pub use confirm::Confirm;
pub use diagnosis::{Diagnosis, RECOVERY_URL};
pub use done::DoneScreen;
pub use pick_org::PickOrg;
pub use pick_tenant::PickTenant;
pub use plan::PlanScreen;
pub use prereqs::{Pane, Prereqs};
pub use recover::RecoverScreen;
pub use sign_in::{SignInPhase, SignInScreen};
pub use verify::VerifyScreen;

use super::jobs::Done;
use super::keys::{Hint, Key};
use super::model::Problem;
use super::nav::Step;
use super::{Effect, State};
use crate::ops::model::Event;

/// Something loading, loaded, or failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loadable<T> {
    #[default]
    Loading,
    Ready(T),
    Failed(Problem),
}

/// One variant per screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Welcome(welcome::Welcome),
    SignIn(SignInScreen),
    PickOrg(PickOrg),
    PickTenant(PickTenant),
    Prereqs(Prereqs),
    Plan(PlanScreen),
    Confirm(Confirm),
    Apply(ApplyScreen),
    Verify(VerifyScreen),
    Diagnosis(Diagnosis),
    Resolve(Box<resolve::ResolveScreen>),
    Recover(Box<recover::RecoverScreen>),
    Done(DoneScreen),
}

impl Screen {
    /// Short name used in the header and the help overlay.
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Welcome(_) => "Welcome",
            Screen::SignIn(_) => "Sign in",
            Screen::PickOrg(_) => "Organization",
            Screen::PickTenant(_) => "Destination tenant",
            Screen::Prereqs(_) => "Prerequisites",
            Screen::Plan(_) => "Plan",
            Screen::Confirm(_) => "Confirm",
            Screen::Apply(_) => "Applying",
            Screen::Verify(_) => "Verify",
            Screen::Diagnosis(_) => "Diagnosis",
            Screen::Resolve(_) => "Resolve users",
            Screen::Recover(_) => "Recover",
            Screen::Done(_) => "Done",
        }
    }

    /// True when printable keys go into a text field (so `q` and `?` are text).
    pub fn takes_text(&self) -> bool {
        match self {
            Screen::Confirm(_) => true,
            Screen::PickOrg(p) => p.input.is_some() || p.filtering,
            Screen::PickTenant(p) => p.input.is_some(),
            Screen::Resolve(r) => r.takes_text(),
            _ => false,
        }
    }

    /// The keys that work now, from the screen's bindings table.
    pub fn hints(&self) -> Vec<Hint> {
        use super::keys::hints;
        match self {
            Screen::Welcome(_) => hints(welcome::BINDINGS),
            Screen::SignIn(s) => hints(s.bindings()),
            Screen::PickOrg(p) => hints(p.bindings()),
            Screen::PickTenant(p) => hints(p.bindings()),
            Screen::Prereqs(p) => hints(p.bindings()),
            Screen::Plan(_) => hints(plan::BINDINGS),
            Screen::Confirm(_) => hints(confirm::BINDINGS),
            Screen::Apply(a) => hints(a.bindings()),
            Screen::Verify(v) => hints(v.bindings()),
            Screen::Diagnosis(d) => hints(d.bindings()),
            Screen::Resolve(r) => r.hints(),
            Screen::Recover(r) => hints(r.bindings()),
            Screen::Done(_) => hints(done::BINDINGS),
        }
    }

    /// A paragraph about the screen for the help overlay.
    pub fn help(&self) -> &'static str {
        match self {
            Screen::Welcome(_) => welcome::HELP,
            Screen::SignIn(_) => sign_in::HELP,
            Screen::PickOrg(_) => pick_org::HELP,
            Screen::PickTenant(_) => pick_tenant::HELP,
            Screen::Prereqs(_) => prereqs::HELP,
            Screen::Plan(_) => plan::HELP,
            Screen::Confirm(_) => confirm::HELP,
            Screen::Apply(_) => apply::HELP,
            Screen::Verify(_) => verify::HELP,
            Screen::Diagnosis(_) => diagnosis::HELP,
            Screen::Resolve(_) => resolve::HELP,
            Screen::Recover(_) => recover::HELP,
            Screen::Done(_) => done::HELP,
        }
    }
}

/// A key for the current screen.
pub(crate) fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    state.status = None;
    // Take the screen out so handlers can replace it while reading the rest of the state.
    let screen = std::mem::replace(&mut state.screen, Screen::Done(DoneScreen::default()));
    let (screen, effects): Step = match screen {
        Screen::Welcome(w) => w.on_key(state, key),
        Screen::SignIn(s) => s.on_key(state, key),
        Screen::PickOrg(p) => p.on_key(state, key),
        Screen::PickTenant(p) => p.on_key(state, key),
        Screen::Prereqs(p) => p.on_key(state, key),
        Screen::Plan(p) => p.on_key(state, key),
        Screen::Confirm(c) => c.on_key(state, key),
        Screen::Apply(a) => a.on_key(state, key),
        Screen::Verify(v) => v.on_key(state, key),
        Screen::Diagnosis(d) => d.on_key(state, key),
        Screen::Resolve(r) => resolve::on_key(*r, state, key),
        Screen::Recover(r) => (*r).on_key(state, key),
        Screen::Done(d) => d.on_key(state, key),
    };
    state.screen = screen;
    effects
}

/// A job's result. What the session learns is kept whatever the screen; the
/// screen that asked shows it.
pub(crate) fn on_done(state: &mut State, done: Done) -> Vec<Effect> {
    let screen = std::mem::replace(&mut state.screen, Screen::Done(DoneScreen::default()));
    let (screen, effects): Step = match done {
        Done::SignedIn(r) => sign_in::signed_in(state, screen, r),
        Done::DirectorySignedIn(r) => sign_in::signed_in_directory(state, screen, r),
        Done::Orgs(r) => pick_org::loaded(state, screen, r),
        Done::Surveyed(r) => pick_org::survey_done(state, screen, r),
        Done::Backing(r) => welcome::backing(state, screen, r),
        Done::Tenants(r) => pick_tenant::loaded(state, screen, r),
        Done::Checks(r) => prereqs::checked(state, screen, r),
        Done::Applied(r) => apply::applied(state, screen, r),
        Done::Verified(r) => verify::verified(state, screen, r),
        Done::Audited(r) => done::audited(state, screen, r),
        Done::Exported(r) => done::exported(state, screen, r),
        Done::ResolveLoaded(r) => resolve::loaded(state, screen, r),
        Done::Searched { query, result } => resolve::searched(screen, &query, result),
        Done::ResolveApplied(r) => resolve::applied(state, screen, r),
        Done::Recovered(r) => recover::diagnosed(state, screen, r),
        Done::RecoverRan(r) => recover::ran(state, screen, r),
    };
    state.screen = screen;
    effects
}

/// Progress of a job in flight.
pub(crate) fn on_event(state: &mut State, event: Event) {
    match (&mut state.screen, event) {
        (_, Event::Throttled { wait_secs }) => {
            state.status = Some(format!("Azure is throttling; retrying in {wait_secs}s"));
        }
        (_, Event::Surveyed(_, row)) => pick_org::surveyed(state, *row),
        (_, Event::Pacing(note)) => {
            state.status = Some(note.unwrap_or_else(|| "Azure DevOps: back to full speed".into()));
        }
        (Screen::SignIn(s), Event::SignInPrompt(prompt)) => {
            s.phase = SignInPhase::Prompt {
                prompt,
                received_ms: state.now_ms,
            };
        }
        (
            Screen::Verify(VerifyScreen::SigningIn {
                prompt: p,
                received_ms,
            }),
            Event::SignInPrompt(prompt),
        ) => {
            *p = Some(prompt);
            *received_ms = state.now_ms;
        }
        (Screen::Prereqs(p), Event::Checking { done, total, label }) => {
            p.progress = Some((done, total, label));
        }
        (Screen::Apply(ApplyScreen::Running { last }), Event::Applying(step)) => {
            *last = Some(step);
        }
        (Screen::Resolve(r), Event::Resolving(p)) => r.progress(p),
        (Screen::Recover(r), Event::SignInPrompt(p)) => r.prompt(state.now_ms, p),
        (Screen::Recover(r), Event::Recovering(p)) => r.progress(p),
        _ => {}
    }
}
