//! The wizard as a pure state machine.
//!
//! `update(&mut State, Msg) -> Vec<Effect>` is the only way state changes. It does
//! no IO and reads no clock: key presses, ticks (carrying the runtime's clock) and
//! job results all arrive as [`Msg`]s, and anything that must touch the outside
//! world leaves as an [`Effect`] for the runtime to perform. That is what lets
//! every flow be tested without a terminal or a network.
//!
//! Each screen is a module of [`screens`] holding its state, its key bindings
//! (as data: [`keys::Binding`]) and what it does with keys and job results.
//! Work is correlated ([`jobs`]): a result for a job that is no longer wanted
//! is dropped in one place.
//!
//! The flow: Welcome → Sign in → Organization → Destination tenant →
//! Prerequisites → Plan → Confirm → Apply → Verify (fresh sign-in) → Done, with
//! a Diagnosis screen when verification is refused.

pub mod breadcrumb;
mod checklist;
pub mod exit;
pub mod jobs;
pub mod keys;
pub mod model;
mod nav;
pub mod screens;
pub mod text;

pub use checklist::{Checklist, Items, Section, checklist, checklist_markdown, named};
pub use jobs::{Done, Job, JobId, Jobs, Slot};
pub use keys::{Binding, Hint, Key};
pub use model::*;
pub use screens::resolve::{ResolveScreen, decision_label};
pub use screens::welcome::{Flow, Welcome};
pub use screens::*;

use crate::ops::model::Event;

/// Where the wizard is pointed: real Azure or an emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Azure,
    /// An emulator; `scenario` is known when we started it ourselves (`demo`).
    Emulator {
        base_url: String,
        scenario: Option<String>,
    },
}

/// What is known about the environment before any flow starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub target: Target,
    pub org: Option<String>,
    pub owner: Option<String>,
    pub tenants: Vec<TenantInfo>,
    /// The directory the organization picker judges readiness against
    /// (`wizard --to`, the demo's first tenant).
    pub destination: Option<String>,
}

impl Environment {
    pub fn azure() -> Self {
        Self {
            target: Target::Azure,
            org: None,
            owner: None,
            tenants: Vec::new(),
            destination: None,
        }
    }
}

/// The organization and destination, once chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub org: String,
    pub destination: Option<TenantInfo>,
}

/// What the wizard has learned so far in this run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    pub identity: Option<Identity>,
    /// Organizations listed for the caller (kept for back-navigation).
    pub orgs: Option<Vec<String>>,
    /// What the background survey found of each organization, by name,
    /// and what it was judged for (operation, destination).
    pub survey: std::collections::BTreeMap<String, FleetOrg>,
    pub survey_for: Option<(Option<Operation>, Option<String>)>,
    /// The flow chosen on Welcome.
    pub flow: Flow,
    /// The organization and destination, once chosen.
    pub choice: Option<Choice>,
    pub report: Option<ChecksReport>,
    pub applied: Option<Applied>,
    pub verified: Option<VerifyReport>,
    /// Where the user checklist was exported.
    pub exported: Option<String>,
    /// Failed checks the person accepted (typed back on the Confirm screen).
    pub accepted_risks: Vec<String>,
    /// Audit findings (service connections, PATs, policies) run from Done.
    pub audit: Option<Result<Vec<CheckResult>, Problem>>,
    /// What the Resolve step applied.
    pub resolved: Option<ResolveOutcome>,
    /// Where the organization given at start is now (read before sign-in).
    pub backing: Option<OrgBacking>,
}

impl Session {
    /// The chosen organization ("" before one is chosen).
    pub fn org(&self) -> &str {
        self.choice.as_ref().map_or("", |c| c.org.as_str())
    }

    /// The chosen flow's directory operation (check-only for Resolve).
    pub fn operation(&self) -> Operation {
        self.flow.operation().unwrap_or(Operation::CheckOnly)
    }

    /// The chosen destination's id, if any.
    pub fn destination_id(&self) -> Option<String> {
        self.choice
            .as_ref()
            .and_then(|c| c.destination.as_ref())
            .map(|d| d.id.clone())
    }

    /// The chosen destination.
    pub fn destination(&self) -> Option<&TenantInfo> {
        self.choice.as_ref().and_then(|c| c.destination.as_ref())
    }

    /// Whether the flow is Resolve (no change to the directory).
    pub fn resolve_only(&self) -> bool {
        self.flow == Flow::Resolve
    }
}

/// Something drawn over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
}

/// The whole UI state. Drawn by `ui::view`, changed only by [`update`].
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub env: Environment,
    pub session: Session,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// A one-line message for the status bar (errors, hints, "retrying in 5s").
    pub status: Option<String>,
    /// Work in flight.
    pub jobs: Jobs,
    /// Draw with colour; false under `NO_COLOR` (selection then uses reverse video only).
    pub color: bool,
    /// The runtime's clock in milliseconds, from the last `Msg::Tick`.
    pub now_ms: u64,
    pub quitting: bool,
    /// The process's exit code once quitting (0, or 130 after Ctrl-C, or
    /// 128 + a signal's number).
    pub exit_code: u8,
}

impl State {
    pub fn new(env: Environment, color: bool) -> Self {
        Self {
            env,
            session: Session::default(),
            screen: Screen::Welcome(Welcome::default()),
            overlay: None,
            status: None,
            jobs: Jobs::default(),
            color,
            now_ms: 0,
            quitting: false,
            exit_code: 0,
        }
    }

    /// Start `job`: registered here, performed by the runtime. A job of the
    /// same kind still in flight is superseded (and stopped).
    pub fn start(&mut self, job: Job) -> Vec<Effect> {
        let (id, old) = self.jobs.start(&job);
        let mut fx: Vec<Effect> = old.map(Effect::Cancel).into_iter().collect();
        fx.push(Effect::Start { id, job });
        fx
    }

    /// Stop wanting the job in `slot`, if any.
    pub fn cancel(&mut self, slot: Slot) -> Vec<Effect> {
        self.jobs
            .cancel(slot)
            .map(Effect::Cancel)
            .into_iter()
            .collect()
    }

    /// Calls in flight.
    pub fn pending(&self) -> usize {
        self.jobs.pending()
    }

    /// Work is in flight or a change is half done: quitting must ask first.
    pub fn busy(&self) -> bool {
        // The background read of where the organization is never holds a quit.
        self.jobs.pending() > usize::from(self.jobs.running(Slot::Backing))
            || (self.session.applied.is_some() && self.session.verified.is_none())
            || matches!(&self.screen, Screen::Resolve(r) if r.busy())
    }

    /// Spinner frame derived from the clock.
    pub fn spinner(&self) -> &'static str {
        const FRAMES: [&str; 4] = ["|", "/", "-", "\\"];
        FRAMES[((self.now_ms / 150) % 4) as usize]
    }
}

/// Everything that can happen to the wizard.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Key),
    /// Periodic tick with the runtime's monotonic clock (ms since start).
    Tick {
        now_ms: u64,
    },
    /// A job reports while it runs.
    Progress {
        id: JobId,
        event: Event,
    },
    /// A job finished (boxed: a checks report is large, a key press is not).
    Done {
        id: JobId,
        done: Box<Done>,
    },
    /// A signal was sent to the process: leave now (the journal keeps any
    /// change in flight; the note on the way out says how to finish it).
    Signal(exit::Signal),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Perform `job` and answer `Msg::Done { id, .. }`.
    Start {
        id: JobId,
        job: Job,
    },
    /// Stop job `id` (its result would be dropped anyway).
    Cancel(JobId),
    OpenBrowser(String),
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
    Quit,
}

/// What the keys every screen shares do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Help,
    Quit,
}

const GLOBAL: &[Binding<Global>] = &[
    Binding::new(
        &[Key::Char('?')],
        "?",
        "help",
        "show or hide this help",
        Global::Help,
    ),
    Binding::new(
        &[Key::Char('q')],
        "q",
        "quit",
        "quit (asks first while work is in flight)",
        Global::Quit,
    ),
];

const CTRL_C: Hint = Hint {
    shown: "Ctrl-C",
    label: "quit",
    help: "quit at once, restoring the terminal",
};

/// Apply one message. Returns the effects the runtime must perform.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now_ms } => {
            state.now_ms = now_ms;
            Vec::new()
        }
        Msg::Key(key) => on_key(state, key),
        Msg::Progress { id, event } => {
            // Progress of a job no longer wanted is dropped, like its result;
            // throttling concerns every call, whichever job reported it.
            if state.jobs.wants(id) || matches!(event, Event::Throttled { .. } | Event::Pacing(_)) {
                screens::on_event(state, event);
            }
            Vec::new()
        }
        Msg::Done { id, done } => {
            if !state.jobs.finish(id) {
                return Vec::new();
            }
            screens::on_done(state, *done)
        }
        Msg::Signal(signal) => {
            state.exit_code = signal.exit_code();
            quit(state)
        }
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    // Ctrl-C always leaves, whatever is open.
    if key == Key::CtrlC {
        state.exit_code = exit::INTERRUPTED;
        return quit(state);
    }
    match state.overlay {
        Some(Overlay::Help) => {
            if matches!(key, Key::Esc | Key::Char('?') | Key::Char('q') | Key::Enter) {
                state.overlay = None;
            }
            return Vec::new();
        }
        Some(Overlay::ConfirmQuit) => {
            return match key {
                Key::Char('y') | Key::Char('Y') => quit(state),
                _ => {
                    state.overlay = None;
                    Vec::new()
                }
            };
        }
        None => {}
    }
    // Screens with a text field take printable keys themselves.
    if !state.screen.takes_text() {
        match keys::action(GLOBAL, key) {
            Some(Global::Help) => {
                state.overlay = Some(Overlay::Help);
                return Vec::new();
            }
            Some(Global::Quit) if state.busy() => {
                state.overlay = Some(Overlay::ConfirmQuit);
                return Vec::new();
            }
            Some(Global::Quit) => return quit(state),
            None => {}
        }
    }
    screens::on_key(state, key)
}

fn quit(state: &mut State) -> Vec<Effect> {
    state.quitting = true;
    vec![Effect::Quit]
}

/// Key hints for the footer of the current screen.
pub fn key_hints(state: &State) -> Vec<Hint> {
    let (mut hints, always) = footer_hints(state);
    hints.extend(always);
    hints
}

/// The footer's hints in two parts: the screen's own, in order of
/// importance, and those that stay however narrow the footer (help and
/// quit), so a narrow footer drops screen keys whole rather than cutting
/// words; `?` lists every key.
pub fn footer_hints(state: &State) -> (Vec<Hint>, Vec<Hint>) {
    let hint = |shown, label| Hint {
        shown,
        label,
        help: "",
    };
    match state.overlay {
        Some(Overlay::Help) => return (vec![], vec![hint("Esc", "close help")]),
        Some(Overlay::ConfirmQuit) => {
            return (
                vec![],
                vec![hint("y", "quit"), hint("any other key", "stay")],
            );
        }
        None => {}
    }
    let always = if state.screen.takes_text() {
        vec![CTRL_C]
    } else {
        keys::hints(GLOBAL)
    };
    (state.screen.hints(), always)
}

/// The help text for the current screen: a short paragraph and every key.
pub fn help_text(state: &State) -> (&'static str, Vec<Hint>) {
    let mut keys = state.screen.hints();
    keys.extend(keys::hints(GLOBAL));
    keys.push(CTRL_C);
    (state.screen.help(), keys)
}

#[cfg(test)]
mod tests;
