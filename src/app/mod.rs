//! The wizard as a pure state machine.
//!
//! `update(&mut State, Msg) -> Vec<Effect>` is the only way state changes. It does
//! no IO and reads no clock: key presses, ticks (carrying the runtime's clock) and
//! API results all arrive as [`Msg`]s, and anything that must touch the outside
//! world leaves as an [`Effect`] for the runtime to perform. That is what lets
//! every flow be tested without a terminal or a network.
//!
//! The flow: Welcome → Sign in → Organization → Destination tenant →
//! Prerequisites → Plan → Confirm → Apply → Verify (fresh sign-in) → Done, with
//! a Diagnosis screen when verification is refused.

mod flow;
mod keys;
pub mod model;
pub mod resolve;
mod screens;
mod welcome;

pub use flow::{checklist_markdown, validate_org_input};
pub use keys::Key;
pub use model::*;
pub use resolve::{Candidate, ResolveLoad, ResolveProgress, ResolveScreen, ResolveSummary};
pub use screens::*;
pub use welcome::{Flow, Welcome};

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
}

impl Environment {
    pub fn azure() -> Self {
        Self {
            target: Target::Azure,
            org: None,
            owner: None,
            tenants: Vec::new(),
        }
    }
}

/// The change a flow makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    Connect,
    ChangeTenant,
    Disconnect,
    /// Run the checks; change nothing.
    CheckOnly,
}

impl Operation {
    pub fn from_flow(flow: Flow) -> Option<Self> {
        match flow {
            Flow::Connect => Some(Self::Connect),
            Flow::ChangeTenant => Some(Self::ChangeTenant),
            Flow::Disconnect => Some(Self::Disconnect),
            Flow::CheckOnly => Some(Self::CheckOnly),
            Flow::Resolve => None,
        }
    }
    /// Does this operation need a destination tenant?
    pub fn needs_destination(self) -> bool {
        !matches!(self, Self::Disconnect)
    }
    pub fn changes_something(self) -> bool {
        !matches!(self, Self::CheckOnly)
    }
    pub fn verb(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::ChangeTenant => "change tenant",
            Self::Disconnect => "disconnect",
            Self::CheckOnly => "check",
        }
    }
}

/// What the wizard has learned so far in this run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    pub operation: Option<Operation>,
    pub identity: Option<Identity>,
    pub org: Option<String>,
    /// Organizations listed for the caller (kept for back-navigation).
    pub orgs: Option<Vec<String>>,
    pub destination: Option<TenantInfo>,
    pub report: Option<ChecksReport>,
    pub applied: Option<ApplyReport>,
    pub verified: Option<VerifyReport>,
    /// Where the user checklist was exported.
    pub exported: Option<String>,
    /// Failed checks the person accepted (typed back on the Confirm screen).
    pub accepted_risks: Vec<String>,
    /// Audit findings (service connections, PATs, policies) run from Done.
    pub audit: Option<Result<Vec<CheckRow>, ErrorView>>,
    /// The flow chosen on Welcome is Resolve (no change to the directory).
    pub resolve_only: bool,
    /// What the Resolve step applied.
    pub resolved: Option<ResolveSummary>,
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
    /// Calls in flight.
    pub pending: usize,
    /// Draw with colour; false under `NO_COLOR` (selection then uses reverse video only).
    pub color: bool,
    /// The runtime's clock in milliseconds, from the last `Msg::Tick`.
    pub now_ms: u64,
    pub quitting: bool,
}

impl State {
    pub fn new(env: Environment, color: bool) -> Self {
        Self {
            env,
            session: Session::default(),
            screen: Screen::Welcome(Welcome::default()),
            overlay: None,
            status: None,
            pending: 0,
            color,
            now_ms: 0,
            quitting: false,
        }
    }

    /// Work is in flight or a change is half done: quitting must ask first.
    pub fn busy(&self) -> bool {
        self.pending > 0
            || matches!(self.screen, Screen::Apply(ApplyScreen::Running { .. }))
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
    /// A device code is ready: show it.
    SignInPrompt(DeviceCodePrompt),
    SignedIn(Result<Identity, ErrorView>),
    OrgsLoaded(Result<Vec<String>, ErrorView>),
    TenantsLoaded(Result<Vec<TenantInfo>, ErrorView>),
    ChecksProgress {
        done: usize,
        total: usize,
        label: String,
    },
    ChecksDone(Result<ChecksReport, ErrorView>),
    ApplyProgress(String),
    Applied(Result<ApplyReport, ErrorView>),
    Verified(Result<VerifyReport, ErrorView>),
    /// The client is waiting out a 429/503.
    Throttled {
        wait_secs: u64,
    },
    Exported(Result<String, ErrorView>),
    Audited(Result<Vec<CheckRow>, ErrorView>),
    ResolveLoaded(Result<ResolveLoad, ErrorView>),
    DirectorySearched {
        query: String,
        result: Result<Vec<Candidate>, ErrorView>,
    },
    ResolveProgress(ResolveProgress),
    ResolveApplied(Result<ResolveSummary, ErrorView>),
    ResolveExported(Result<String, ErrorView>),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Device-code sign-in (tenant `None` = the default `organizations`).
    SignIn {
        tenant: Option<String>,
    },
    /// Stop a sign-in in progress.
    CancelSignIn,
    LoadOrgs,
    LoadTenants {
        org: String,
    },
    RunChecks {
        op: Operation,
        org: String,
        tenant: Option<String>,
    },
    Apply {
        op: Operation,
        org: String,
        tenant: Option<String>,
        /// Failed checks the person accepted by typing them back.
        accepted: Vec<String>,
    },
    /// Drop every cached token, then sign in afresh against `tenant` and probe the org.
    SignOutAndVerify {
        org: String,
        tenant: Option<String>,
    },
    OpenBrowser(String),
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
    /// Write the user checklist as Markdown to the state directory.
    ExportChecklist {
        markdown: String,
    },
    /// Audit service connections, PATs and policies of `org` as it is now.
    Audit {
        org: String,
    },
    /// Disconnected users of `org`, the directory's accounts and suggestions.
    LoadResolve {
        org: String,
    },
    /// Live search of the organization's directory.
    SearchDirectory {
        org: String,
        query: String,
    },
    /// Apply Resolve decisions (journaled); `None` resumes the interrupted run.
    ApplyResolve {
        org: String,
        jobs: Option<Vec<crate::domain::resolve::Job>>,
    },
    /// Write the Resolve plan as CSV to the state directory.
    ExportResolve {
        org: String,
        csv: String,
    },
    Quit,
}

/// Apply one message. Returns the effects the runtime must perform.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now_ms } => {
            state.now_ms = now_ms;
            Vec::new()
        }
        Msg::Key(key) => on_key(state, key),
        Msg::Throttled { wait_secs } => {
            state.status = Some(format!("Azure is throttling; retrying in {wait_secs}s"));
            Vec::new()
        }
        other => flow::on_result(state, other),
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    // Ctrl-C always leaves, whatever is open.
    if key == Key::CtrlC {
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
    let typing = state.screen.takes_text();
    match key {
        Key::Char('?') if !typing => {
            state.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Key::Char('q') if !typing => {
            if state.busy() {
                state.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else {
                quit(state)
            }
        }
        _ => flow::on_key(state, key),
    }
}

fn quit(state: &mut State) -> Vec<Effect> {
    state.quitting = true;
    vec![Effect::Quit]
}

/// Key hints for the footer of the current screen: (key, what it does).
pub fn key_hints(state: &State) -> Vec<(&'static str, &'static str)> {
    match state.overlay {
        Some(Overlay::Help) => return vec![("Esc", "close help")],
        Some(Overlay::ConfirmQuit) => return vec![("y", "quit"), ("any other key", "stay")],
        None => {}
    }
    let mut hints = state.screen.key_hints();
    if state.screen.takes_text() {
        hints.push(("Ctrl-C", "quit"));
    } else {
        hints.extend([("?", "help"), ("q", "quit")]);
    }
    hints
}

/// The help text for the current screen: a short paragraph and the full key list.
pub fn help_text(state: &State) -> (&'static str, Vec<(&'static str, &'static str)>) {
    let mut keys = state.screen.key_hints();
    keys.extend([
        ("?", "show or hide this help"),
        ("q", "quit (asks first while work is in flight)"),
        ("Ctrl-C", "quit at once, restoring the terminal"),
    ]);
    (state.screen.help(), keys)
}

#[cfg(test)]
mod tests;
