//! Plain data the wizard shows. Messages carry these, so the state machine does
//! not depend on client types; the runtime maps client and domain results here.

use serde::Serialize;

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

/// An error as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ErrorView {
    pub message: String,
    /// TF/VS/AADSTS code or Graph error code, when known.
    pub code: Option<String>,
    /// What to do next, in one sentence.
    pub next_step: Option<String>,
    /// Matching knowledge base entry id (`ado-entra explain ID`).
    pub kb_id: Option<String>,
    /// The failure is the server refusing who we are (401/403, TF400813, TF401444).
    pub auth_failure: bool,
}

impl ErrorView {
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }
}

/// A tenant the caller can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub domain: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl CheckStatus {
    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            CheckStatus::Pass => "✔",
            CheckStatus::Warn => "!",
            CheckStatus::Fail => "✘",
            CheckStatus::Skip => "-",
        }
    }
}

/// One prerequisite check result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub id: String,
    pub status: CheckStatus,
    pub title: String,
    pub evidence: Vec<String>,
    pub fix: Option<String>,
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

/// A row of the lockout-proof table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRow {
    pub who: String,
    /// owner, admin or user.
    pub role: String,
    pub outcome: AccessOutcome,
    pub reason: String,
}

/// Exactly what a change will do, for the Plan screen.
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
    pub checks: Vec<CheckRow>,
    pub access: Vec<AccessRow>,
    pub plan: PlanView,
    /// Failed checks that may be accepted (confirmed by typing).
    pub accept: Vec<AcceptRisk>,
}

impl ChecksReport {
    /// A failed check that cannot be accepted blocks the change.
    pub fn blocked(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.status == CheckStatus::Fail && !self.accept.iter().any(|a| a.id == c.id))
    }

    /// The report is about a change that can be made (possibly after accepting risks).
    pub fn is_change(&self) -> bool {
        matches!(
            self.situation.kind,
            SituationKind::Proceed | SituationKind::Resume
        )
    }
}

/// Result of applying a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub summary: String,
    pub journal: String,
}

/// One verification probe after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

/// Results of verifying access with a fresh sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub identity: Identity,
    pub probes: Vec<Probe>,
    /// The first failure, if any.
    pub failure: Option<ErrorView>,
    /// What the probes mean: works, wrong sign-in, owner locked out, no access…
    pub access: crate::domain::verify::Access,
    /// The owner's address, when known.
    pub owner: Option<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.access == crate::domain::verify::Access::Works
    }
}
