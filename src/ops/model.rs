//! The application layer's vocabulary: what its operations report, in terms
//! any surface (the wizard, the commands) can show. Nothing here knows how
//! it is drawn or printed.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::checks::CheckResult;
use crate::domain::verify::Access;

use super::verify::Probe;

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub upn: String,
    pub display_name: String,
    pub tenant_id: String,
}

/// What the person must do to finish a device-code sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    pub verification_uri: String,
    pub user_code: String,
    pub expires_in_secs: u64,
}

/// Something that went wrong, with its cause and the next step: what every
/// surface shows for a failure ([`super::advice`] makes them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Problem {
    pub message: String,
    /// TF/VS/AADSTS code or Graph error code, when known.
    pub code: Option<String>,
    /// What to do next, in one sentence.
    pub next_step: Option<String>,
    /// Matching knowledge base entry id (`ado-entra explain ID`).
    pub kb_id: Option<String>,
    /// The failure is the server refusing who we are (401/403, TF400813, TF401444).
    pub auth_failure: bool,
    /// The service's request id, for a support ticket.
    pub request_id: Option<String>,
    /// The directory to sign in to (as an account of it) that would let
    /// this work: the organization's, when the signed-in identity cannot
    /// sign in there.
    pub sign_in_at: Option<String>,
}

impl Problem {
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }
}

/// Where an organization is now, read anonymously (before any sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgBacking {
    /// The directory it is connected to; `None` for personal accounts.
    pub tenant: Option<TenantInfo>,
}

/// A tenant the caller can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub domain: String,
}

/// What happens to one person's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessOutcome {
    Keeps,
    Disconnected,
    LockedOut,
    /// A fact is missing: neither kept nor lost is proven.
    Unverified,
}

/// A person's standing in the organization, for the lockout table (ordered
/// as the table lists them: the owner first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Owner,
    Admin,
    User,
}

impl Standing {
    pub fn word(self) -> &'static str {
        match self {
            Standing::Owner => "owner",
            Standing::Admin => "admin",
            Standing::User => "user",
        }
    }
}

/// A row of the lockout-proof table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRow {
    pub who: String,
    pub role: Standing,
    pub outcome: AccessOutcome,
    pub reason: String,
}

/// Exactly what a change will do, for the Plan screen and the commands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PlanView {
    pub changes: Vec<String>,
    pub disconnected: Vec<String>,
    pub afterwards: Vec<String>,
}

/// What the organization's real state says about the asked change, before
/// any check (the one decision every surface takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SituationKind {
    /// A real change: the checks ran.
    #[default]
    Proceed,
    /// A real change continuing an interrupted run (which had not landed).
    Resume,
    /// Already there.
    NothingToDo,
    /// Another operation fits (e.g. change tenant on an unconnected organization).
    WrongFlow,
    /// Refused with a reason.
    Refused,
    /// An interrupted run had landed: record it and verify.
    AlreadyLanded,
}

/// The decision in words.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SituationView {
    pub kind: SituationKind,
    /// What the organization uses now (names with ids).
    pub backing: String,
    /// One line for people (empty for a plain change).
    pub message: String,
    /// Exact commands to run next, if any.
    pub next: Vec<String>,
}

/// A failed check the person may accept by typing `expected` back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptRisk {
    pub id: String,
    /// What they accept, in one line.
    pub title: String,
    /// What to type (names or an address), comma-separated when several.
    pub expected: String,
}

impl AcceptRisk {
    /// Whether `typed` names the same things as `expected` (any order, any case).
    pub fn matches(&self, typed: &str) -> bool {
        let norm = |s: &str| {
            let mut v: Vec<String> = s
                .split(',')
                .map(|p| {
                    p.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                })
                .filter(|p| !p.is_empty())
                .collect();
            v.sort();
            v
        };
        let want = norm(&self.expected);
        !want.is_empty() && norm(typed) == want
    }
}

/// Everything the Prerequisites screen shows once checks finish.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ChecksReport {
    /// The decision from the organization's real state; checks run only
    /// for a change.
    pub situation: SituationView,
    /// The destination as resolved (by id, with names), when there is one.
    pub destination: Option<TenantInfo>,
    pub checks: Vec<CheckResult>,
    pub access: Vec<AccessRow>,
    pub plan: PlanView,
    /// Failed checks that may be accepted (confirmed by typing).
    pub accept: Vec<AcceptRisk>,
    /// The destination could not be read with this sign-in (a personal
    /// account has no object there): a sign-in to it as an account of it
    /// (`login --directory`) lets the checks read it.
    pub directory_sign_in: Option<TenantInfo>,
}

impl ChecksReport {
    /// A failed check that cannot be accepted, or a check that must be
    /// proven and could not be, blocks the change.
    pub fn blocked(&self) -> bool {
        let all: Vec<String> = self.accept.iter().map(|a| a.id.clone()).collect();
        !crate::domain::checks::verdict_accepting(&self.checks, &all).can_proceed
    }

    /// The report is about a change that can be made (possibly after accepting risks).
    pub fn is_change(&self) -> bool {
        matches!(
            self.situation.kind,
            SituationKind::Proceed | SituationKind::Resume
        )
    }
}

/// A verification with a fresh sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub identity: Identity,
    pub probes: Vec<Probe>,
    /// The first failure, if any.
    pub failure: Option<Problem>,
    /// What the probes mean: works, wrong sign-in, owner locked out, no access…
    pub access: Access,
    /// The owner's address, when known.
    pub owner: Option<String>,
    /// What the change may have broken, tried once the organization answers.
    pub deep: Vec<super::verify::deep::DeepProbe>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.access == Access::Works
    }

    /// The deep probes that found something broken.
    pub fn broken(&self) -> impl Iterator<Item = &super::verify::deep::DeepProbe> {
        self.deep
            .iter()
            .filter(|p| p.state == super::verify::deep::DeepState::Broken)
    }
}

/// An account found by the live directory search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub guest: bool,
    pub enabled: bool,
}

/// What the Resolve screen loads.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolveLoad {
    pub plan: crate::domain::resolve::Plan,
    /// Users in an interrupted run of this organization, if there is one.
    pub unfinished: Option<usize>,
}

/// Something an operation reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A device code is ready: show it.
    SignInPrompt(DeviceCodePrompt),
    /// Gathering facts: `done` of `total` steps, the last one `label`.
    Checking {
        done: usize,
        total: usize,
        label: String,
    },
    /// A step of a directory change.
    Applying(String),
    /// Resolve's apply.
    Resolving(super::resolve::Progress),
    /// Azure asked to wait (429/503) this long before retrying.
    Throttled { wait_secs: u64 },
    /// Azure DevOps's rate limit is near: requests are slowed, as this
    /// says; `None` when they go at full speed again.
    Pacing(Option<String>),
    /// One organization of a fleet was surveyed (its position in the list).
    Surveyed(usize, Box<FleetOrg>),
    /// A locked-out owner's recovery: a step, or a countdown.
    Recovering(RecoveryProgress),
}

/// Where an operation sends its [`Event`]s.
pub type Events = Arc<dyn Fn(Event) + Send + Sync>;

/// A sink that drops every event (headless callers that print nothing).
pub fn quiet() -> Events {
    Arc::new(|_| {})
}

/// The change a wizard flow makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    Connect,
    ChangeTenant,
    Disconnect,
    /// Run the checks; change nothing.
    CheckOnly,
}

impl Operation {
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

/// What a change would meet in one organization, in a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A check failed, or the change is refused as asked.
    Blocked,
    /// Nothing failed; something to look at (a warning, or a fact that
    /// could not be verified).
    Warnings,
    /// Every check passed.
    Ready,
    /// Already where it was asked to go.
    NothingToDo,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::Warnings => "warnings",
            Verdict::Ready => "ready",
            Verdict::NothingToDo => "nothing to do",
        }
    }
}

/// One check's outcome, in brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckBrief {
    pub id: String,
    pub status: crate::domain::checks::Status,
    pub title: String,
}

/// An organization's readiness for the change asked of the fleet: the
/// same decision and checks `check` makes for it alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub verdict: Verdict,
    /// What matters most: the first failed check, else the first warning,
    /// else why there is nothing to do or why it is refused.
    pub reason: String,
    /// Every check run, in order (none when the decision needed none).
    pub checks: Vec<CheckBrief>,
    /// Failed and warned checks with their evidence and fix.
    pub findings: Vec<CheckResult>,
    /// People who keep access, are disconnected, or are locked out.
    pub keep: usize,
    pub disconnected: usize,
    pub locked_out: usize,
    /// The commands to run next.
    pub next: Vec<String>,
}

impl Readiness {
    /// Decided without running the checks (nothing to do, or refused as
    /// asked).
    pub fn decided(verdict: Verdict, reason: String, next: Vec<String>) -> Self {
        Self {
            verdict,
            reason,
            checks: Vec::new(),
            findings: Vec::new(),
            keep: 0,
            disconnected: 0,
            locked_out: 0,
            next,
        }
    }
}

/// One organization of a fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FleetOrg {
    pub name: String,
    /// Personal Microsoft accounts, or the directory by name.
    pub backing: Option<String>,
    /// The directory's id, when connected to one.
    pub tenant: Option<String>,
    /// The owner's address.
    pub owner: Option<String>,
    pub users: Option<u64>,
    /// Whether the signed-in person is the owner or a Project Collection
    /// Administrator.
    pub admin: Option<bool>,
    /// With a destination: the verdict and its reason.
    pub readiness: Option<Readiness>,
    /// Why the organization could not be read, if it could not.
    pub problem: Option<Problem>,
}

impl FleetOrg {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }
}

/// What a recovery reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecoveryProgress {
    /// A step, or what the person should do now.
    Step {
        /// One line.
        text: String,
    },
    /// Waiting for something; the next check in `next_check_secs`.
    Waiting {
        /// What is awaited.
        what: String,
        next_check_secs: u64,
        waited_secs: u64,
        limit_secs: u64,
    },
}
