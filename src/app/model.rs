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

/// Everything the Prerequisites screen shows once checks finish.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ChecksReport {
    pub checks: Vec<CheckRow>,
    pub access: Vec<AccessRow>,
    pub plan: PlanView,
}

impl ChecksReport {
    pub fn blocked(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Fail)
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
    /// The first failure, if any, classified.
    pub failure: Option<ErrorView>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failure.is_none() && self.probes.iter().all(|p| p.ok)
    }
}
