//! Things that keep working differently, or stop working, after the
//! operation. These never block; they warn so nobody is surprised.
//!
//! - `ssh-keys`: existing SSH keys have to be cleared by Azure DevOps
//!   support before the directory changes, and added again afterwards
//!   (Microsoft Learn, "Connect your organization to Microsoft Entra ID").
//! - `pats-recreate`: personal access tokens are tied to the identity that
//!   created them; after a connect or tenant change they must be recreated.
//!   Every user's tokens are listed through token administration when the
//!   caller may (Microsoft Learn, "Personal Access Tokens - List" of the
//!   Token Admin API), else the caller's own.
//! - `entra-groups`: Entra groups added to the organization come from the
//!   old tenant and no longer resolve after a tenant change or disconnect.
//! - `service-connections`: an Azure Resource Manager service connection
//!   authenticates against a particular tenant (Microsoft Learn, "Troubleshoot Azure Resource Manager service connections"); connections whose
//!   tenant is not the destination are listed with their project.
//! - `global-pats`: global PATs stop working on 2026-12-01 (the Azure DevOps Blog, "Retirement of Global Personal Access Tokens in Azure DevOps" on
//!   their retirement, the date from the api notes), whatever the operation.

use chrono::{DateTime, TimeZone, Utc};

use super::{CheckResult, Status};
use crate::domain::facts::{ConnectionAuth, Facts, Operation, ServiceConnection};
use crate::domain::text::normalize_key;

/// The date global PATs stop working, as `YYYY-MM-DD`.
pub const GLOBAL_PAT_CUTOFF: &str = "2026-12-01";

/// The instant global PATs stop working (midnight UTC on [`GLOBAL_PAT_CUTOFF`]).
pub fn global_pat_cutoff() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `ssh-keys`: SSH keys must be cleared by support before the directory
/// changes, and their owners add new ones afterwards (Microsoft Learn,
/// "Connect your organization to Microsoft Entra ID": a prerequisite, and a
/// step for users after the change).
pub fn ssh_keys(facts: &Facts) -> CheckResult {
    const ID: &str = "ssh-keys";
    if facts.operation == Operation::Disconnect {
        return CheckResult::skip(ID, "Applies when connecting or changing tenants");
    }
    let fix = "Contact Azure DevOps support (https://azure.microsoft.com/support/devops/) to clear \
               the organization's SSH keys before the change; their owners add new keys \
               afterwards (User settings > SSH public keys).";
    let listed = facts.org.ssh_keys.as_deref();
    let present = listed.map(|k| !k.is_empty()).or(facts.org.ssh_keys_present);
    match present {
        Some(false) => CheckResult::new(ID, Status::Pass, "No SSH keys to clear"),
        Some(true) => {
            let keys: Vec<String> = match listed {
                Some(keys) => keys
                    .iter()
                    .map(|k| format!("SSH key \"{}\" of {}", k.display_name, k.owner))
                    .collect(),
                None => vec![format!("{} has SSH public keys registered", facts.org.name)],
            };
            CheckResult::new(
                ID,
                Status::Warn,
                format!(
                    "{} must be cleared before the change and added again after it",
                    crate::domain::text::plural(keys.len(), "SSH key", "SSH keys")
                ),
            )
            .evidence(keys.into_iter().chain(tokens_note(facts)))
            .fix(fix)
        }
        None => CheckResult::unverified(ID, "whether SSH keys exist").fix(
            "Ask users whether they have SSH public keys (User settings > SSH public keys); if so, \
             support must clear them before the change.",
        ),
    }
}

/// Evidence lines saying whose tokens were read, when not everyone's.
pub(super) fn tokens_note(facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    if facts.org.tokens_of_everyone == Some(false) {
        out.push(
            "Only your own tokens could be listed (listing every user's needs Project Collection \
             Administrator rights)"
                .to_string(),
        );
    }
    if facts.org.tokens_unread > 0 {
        out.push(format!(
            "The tokens of {} were not read; `ado-entra audit --org {}` reads them all",
            crate::domain::text::plural(facts.org.tokens_unread, "other user", "other users"),
            facts.org.name
        ));
    }
    out
}

/// `pats-recreate`: personal access tokens must be recreated after a
/// connect or tenant change.
pub fn pats_recreate(facts: &Facts) -> CheckResult {
    const ID: &str = "pats-recreate";
    if facts.operation == Operation::Disconnect {
        return CheckResult::skip(ID, "Applies when connecting or changing tenants");
    }
    match facts.org.pats.as_deref() {
        Some([]) => CheckResult::new(ID, Status::Pass, "No personal access tokens to recreate"),
        Some(pats) => CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} must be recreated afterwards",
                crate::domain::text::plural(
                    pats.len(),
                    "personal access token",
                    "personal access tokens"
                )
            ),
        )
        .evidence(
            pats.iter()
                .map(|p| {
                    let until = p
                        .valid_to
                        .map(|d| format!(", valid to {}", d.format("%Y-%m-%d")))
                        .unwrap_or_default();
                    format!("PAT {}{until}", p.label())
                })
                .chain(tokens_note(facts)),
        )
        .fix(
            "After the change, each owner of a token creates a new one (User settings > Personal \
             access tokens > New Token) and updates the scripts and services that use it.",
        ),
        None => CheckResult::unverified(ID, "which personal access tokens exist")
            .evidence(["Only the signed-in user's own tokens can be listed".to_string()])
            .fix("Tell users that personal access tokens must be recreated after the change."),
    }
}

/// `entra-groups`: Entra groups vanish on a tenant change or disconnect.
pub fn entra_groups(facts: &Facts) -> CheckResult {
    const ID: &str = "entra-groups";
    if matches!(facts.operation, Operation::Connect { .. }) {
        return CheckResult::skip(
            ID,
            "An organization of personal accounts has no Entra groups",
        );
    }
    match facts.org.entra_groups_count {
        Some(0) => CheckResult::new(ID, Status::Pass, "No Entra groups are in use"),
        Some(n) => CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} will no longer resolve",
                crate::domain::text::plural(n, "Entra group", "Entra groups")
            ),
        )
        .evidence([format!(
            "{} uses {} from the current tenant",
            facts.org.name,
            crate::domain::text::plural(n, "group", "groups")
        )])
        .fix(
            "Note the groups' permissions and memberships now (Organization settings > \
             Permissions), and re-add equivalent groups from the new tenant afterwards.",
        ),
        None => CheckResult::unverified(ID, "whether Entra groups are in use"),
    }
}

/// Why a service connection stops working after the operation, if it does:
/// its identity lives in another tenant than the destination, its tenant is
/// not stated, or (workload identity federation) it trusts a token issuer
/// that names the directory the organization is leaving.
pub(crate) fn connection_trouble(facts: &Facts, c: &ServiceConnection) -> Option<String> {
    if !c.is_azure() {
        return None;
    }
    if issuer_breaks(facts, c) {
        return Some(format!(
            "its identity trusts the issuer {}, which names the directory the organization is leaving",
            c.issuer.as_deref().unwrap_or_default()
        ));
    }
    let dest = normalize_key(facts.operation.destination()?);
    match c.tenant_id.as_deref().map(normalize_key) {
        Some(t) if t == dest => None,
        Some(t) => Some(format!("its identity lives in tenant {t}")),
        None => Some("its tenant is not stated".to_string()),
    }
}

/// A workload identity connection whose Entra issuer
/// (`https://login.microsoftonline.com/{tenant}/v2.0`) names the
/// organization's current directory, on an operation that leaves it
/// (Microsoft Learn, "Troubleshoot workload identity service connections":
/// the issuer and subject must match the federated credential).
pub(crate) fn issuer_breaks(facts: &Facts, c: &ServiceConnection) -> bool {
    if c.auth != ConnectionAuth::WorkloadIdentity
        || matches!(facts.operation, Operation::Connect { .. })
    {
        return false;
    }
    let (Some(issuer), Some(current)) = (c.issuer.as_deref(), facts.org.current_tenant.as_deref())
    else {
        return false;
    };
    let issuer = normalize_key(issuer);
    issuer.starts_with("https://login.microsoftonline.com/")
        && issuer.contains(&normalize_key(current))
        && facts
            .operation
            .destination()
            .is_none_or(|d| !issuer.contains(&normalize_key(d)))
}

/// `service-connections`: Azure Resource Manager service connections (a
/// secret, a certificate, workload identity or a managed identity) whose
/// identity lives in another tenant than the destination. Workload identity
/// connections whose issuer breaks are `workload-identity`'s.
pub fn service_connections(facts: &Facts) -> CheckResult {
    const ID: &str = "service-connections";
    let Some(dest) = facts.operation.destination() else {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    };
    let Some(conns) = facts.org.service_connections.as_ref() else {
        return CheckResult::unverified(ID, "which service connections exist");
    };
    let dest = normalize_key(dest);
    let azure: Vec<&ServiceConnection> = conns.iter().filter(|c| c.is_azure()).collect();
    let mut other = Vec::new();
    let mut unknown = Vec::new();
    for c in azure.iter().filter(|c| !issuer_breaks(facts, c)) {
        match c.tenant_id.as_deref().map(normalize_key) {
            Some(t) if t == dest => {}
            Some(t) => other.push(format!(
                "\"{}\" in project {} uses tenant {t} ({})",
                c.name,
                c.project,
                c.auth.label()
            )),
            None => unknown.push(format!(
                "\"{}\" in project {}: tenant not stated",
                c.name, c.project
            )),
        }
    }
    let fix = "Check each listed connection after the change (Project settings > Service \
               connections > (connection) > Edit > Verify, or `ado-entra verify --deep`); \
               recreate it if it fails, ideally with workload identity federation.";
    if other.is_empty() && unknown.is_empty() {
        CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{}, none bound to another tenant",
                crate::domain::text::plural(
                    azure.len(),
                    "Azure service connection",
                    "Azure service connections"
                )
            ),
        )
    } else if other.is_empty() {
        CheckResult::unverified(ID, "the tenant of some service connections")
            .evidence(unknown)
            .fix(fix)
    } else {
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} another tenant",
                crate::domain::text::plural(
                    other.len(),
                    "service connection uses",
                    "service connections use"
                )
            ),
        )
        .evidence(other.into_iter().chain(unknown))
        .fix(fix)
    }
}

/// `global-pats`: global PATs stop working on [`GLOBAL_PAT_CUTOFF`].
pub fn global_pats(facts: &Facts) -> CheckResult {
    const ID: &str = "global-pats";
    let Some(pats) = facts.org.pats.as_ref() else {
        return CheckResult::unverified(ID, "whether global personal access tokens are in use");
    };
    let cutoff = global_pat_cutoff();
    let global: Vec<_> = pats.iter().filter(|p| p.is_global).collect();
    if global.is_empty() {
        return CheckResult::new(ID, Status::Pass, "No global personal access tokens");
    }
    let fix = "Replace each with a token scoped to this organization (User settings > Personal \
               access tokens > New Token, Organization: this one), or move automation to a \
               service principal or managed identity.";
    let names = global
        .iter()
        .map(|p| format!("Global PAT {}", p.label()))
        .chain(tokens_note(facts));
    if facts.now >= cutoff {
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} working on {GLOBAL_PAT_CUTOFF}",
                crate::domain::text::plural(
                    global.len(),
                    "global PAT stopped",
                    "global PATs stopped"
                )
            ),
        )
        .evidence(names)
        .fix(fix)
    } else {
        let days = (cutoff - facts.now).num_days();
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} working on {GLOBAL_PAT_CUTOFF} (in {days} days)",
                crate::domain::text::plural(global.len(), "global PAT stops", "global PATs stop")
            ),
        )
        .evidence(names)
        .fix(fix)
    }
}
