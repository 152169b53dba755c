//! `audit --since-change`: the directory change as the organization's audit
//! log recorded it: when, by whom, from where (`Organization.LinkToAAD`,
//! `Organization.UnlinkFromAAD`, Microsoft Learn "Auditing events list").
//! The log is read from shortly before the newest change this machine's
//! journal knows of, else over its 90-day retention.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::client::ado::impact::refused;
use crate::client::models::ado::AuditEntry;
use crate::client::{ClientError, Clients};

/// Audit log actions of a directory change.
pub const CHANGE_ACTIONS: [&str; 2] = ["Organization.LinkToAAD", "Organization.UnlinkFromAAD"];

/// How far back the audit log goes (Microsoft Learn, "Access, export, and
/// filter audit logs": 90 days).
pub const RETENTION_DAYS: i64 = 90;

/// One directory change in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEvent {
    /// `Organization.LinkToAAD` or `Organization.UnlinkFromAAD`.
    pub action: String,
    /// When (as the log says it).
    pub at: String,
    /// Who: `Name <upn>`.
    pub actor: String,
    /// The log's own sentence.
    pub details: String,
    /// From which address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

/// What the audit log says about the latest directory changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinceChange {
    /// The organization.
    pub org: String,
    /// The log was read from here on.
    pub since: DateTime<Utc>,
    /// The journal of the change the window starts from, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<PathBuf>,
    /// Directory changes, newest first.
    pub events: Vec<ChangeEvent>,
    /// Why the log could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

/// The newest change journal of `org`: its file and when it started.
pub fn last_change(journal_dir: &Path, org: &str) -> Option<(PathBuf, DateTime<Utc>)> {
    super::change::newest_change_journal(journal_dir, org).map(|(p, r)| (p, r.started))
}

fn event(e: &AuditEntry) -> ChangeEvent {
    let actor = match (e.actor_display_name.as_deref(), e.actor_upn.as_deref()) {
        (Some(n), Some(u)) if !u.is_empty() => format!("{n} <{u}>"),
        (Some(n), _) => n.to_string(),
        (None, Some(u)) => u.to_string(),
        (None, None) => "(unknown)".to_string(),
    };
    ChangeEvent {
        action: e.action_id.clone(),
        at: e.timestamp.clone().unwrap_or_default(),
        actor,
        details: e.details.clone().unwrap_or_default(),
        ip_address: e.ip_address.clone().filter(|a| !a.is_empty()),
    }
}

/// The directory changes of `org` in its audit log since its last change.
pub async fn since_change(
    c: &Clients,
    org: &str,
    journal_dir: &Path,
    now: DateTime<Utc>,
) -> Result<SinceChange, ClientError> {
    let known = last_change(journal_dir, org);
    let oldest = now - Duration::days(RETENTION_DAYS);
    let since = known
        .as_ref()
        .map(|(_, started)| (*started - Duration::hours(1)).max(oldest))
        .unwrap_or(oldest);
    let start = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = SinceChange {
        org: org.to_string(),
        since,
        journal: known.map(|(p, _)| p),
        events: Vec::new(),
        unavailable: None,
    };
    match c.ado.audit_log(org, &start).await {
        Ok(entries) => {
            out.events = entries
                .iter()
                .filter(|e| {
                    CHANGE_ACTIONS
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(&e.action_id))
                })
                .map(event)
                .collect();
        }
        // Auditing exists only for organizations backed by Entra ID, and
        // only Project Collection Administrators may read it.
        Err(e) if refused(&e) || e.status() == Some(404) => {
            out.unavailable = Some(format!(
                "the audit log could not be read: {e} (auditing exists only for organizations backed by Microsoft Entra ID, and reading it needs the 'View audit log' permission)"
            ));
        }
        Err(e) => return Err(e),
    }
    Ok(out)
}
