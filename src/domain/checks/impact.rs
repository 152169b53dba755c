//! Things that keep working differently, or stop working, after the
//! operation. These never block; they warn so nobody is surprised.
//!
//! - `ssh-keys`: on a tenant change, existing SSH keys have to be cleared by
//!   Azure DevOps support first (api notes, impact questions).
//! - `pats-recreate`: personal access tokens are tied to the identity that
//!   created them; after a connect or tenant change they must be recreated.
//! - `entra-groups`: Entra groups added to the organization come from the
//!   old tenant and no longer resolve after a tenant change or disconnect.
//! - `service-connections`: an Azure Resource Manager service connection
//!   authenticates against a particular tenant (Microsoft Learn, "Troubleshoot Azure Resource Manager service connections"); connections whose
//!   tenant is not the destination are listed with their project.
//! - `global-pats`: global PATs stop working on 2026-12-01 (the Azure DevOps Blog, "Retirement of Global Personal Access Tokens in Azure DevOps" on
//!   their retirement, the date from the api notes), whatever the operation.

use chrono::{DateTime, TimeZone, Utc};

use super::{CheckResult, Status};
use crate::domain::facts::{Facts, Operation};
use crate::domain::text::normalize_key;

/// The date global PATs stop working, as `YYYY-MM-DD`.
pub const GLOBAL_PAT_CUTOFF: &str = "2026-12-01";

/// The instant global PATs stop working (midnight UTC on [`GLOBAL_PAT_CUTOFF`]).
pub fn global_pat_cutoff() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `ssh-keys`: on a tenant change, SSH keys must be cleared by support first.
pub fn ssh_keys(facts: &Facts) -> CheckResult {
    const ID: &str = "ssh-keys";
    if !matches!(facts.operation, Operation::ChangeTenant { .. }) {
        return CheckResult::skip(ID, "Only applies when changing tenants");
    }
    match facts.org.ssh_keys_present {
        Some(false) => CheckResult::new(ID, Status::Pass, "No SSH keys to clear"),
        Some(true) => CheckResult::new(
            ID,
            Status::Warn,
            "SSH keys exist and must be cleared before the tenant change",
        )
        .evidence([format!("{} has SSH public keys registered", facts.org.name)])
        .fix(
            "Contact Azure DevOps support (https://azure.microsoft.com/support/devops/) to clear \
             the organization's SSH keys before changing the tenant; users add new keys \
             afterwards (User settings > SSH public keys).",
        ),
        None => CheckResult::unverified(ID, "whether SSH keys exist").fix(
            "Ask users whether they have SSH public keys (User settings > SSH public keys); if so, \
             support must clear them before the change.",
        ),
    }
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
                "{} personal access token(s) must be recreated afterwards",
                pats.len()
            ),
        )
        .evidence(pats.iter().map(|p| {
            let until = p
                .valid_to
                .map(|d| format!(", valid to {}", d.format("%Y-%m-%d")))
                .unwrap_or_default();
            format!("PAT \"{}\"{until}", p.display_name)
        }))
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
            format!("{n} Entra group(s) will no longer resolve"),
        )
        .evidence([format!(
            "{} uses {n} group(s) from the current tenant",
            facts.org.name
        )])
        .fix(
            "Note the groups' permissions and memberships now (Organization settings > \
             Permissions), and re-add equivalent groups from the new tenant afterwards.",
        ),
        None => CheckResult::unverified(ID, "whether Entra groups are in use"),
    }
}

/// `service-connections`: Azure Resource Manager service connections whose
/// tenant differs from the destination.
pub fn service_connections(facts: &Facts) -> CheckResult {
    const ID: &str = "service-connections";
    let Some(dest) = facts.operation.destination() else {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    };
    let Some(conns) = facts.org.service_connections.as_ref() else {
        return CheckResult::unverified(ID, "which service connections exist");
    };
    let dest = normalize_key(dest);
    let mut other = Vec::new();
    let mut unknown = Vec::new();
    for c in conns {
        match c.tenant_id.as_deref().map(normalize_key) {
            Some(t) if t == dest => {}
            Some(t) => other.push(format!(
                "\"{}\" in project {} uses tenant {t}",
                c.name, c.project
            )),
            None => unknown.push(format!(
                "\"{}\" in project {}: tenant not stated",
                c.name, c.project
            )),
        }
    }
    let fix = "Check each listed connection after the change (Project settings > Service \
               connections > (connection) > Edit > Verify); recreate it if it fails, ideally with \
               workload identity federation.";
    if other.is_empty() && unknown.is_empty() {
        CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{} service connection(s), all in the destination tenant",
                conns.len()
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
            format!("{} service connection(s) use another tenant", other.len()),
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
        .map(|p| format!("Global PAT \"{}\"", p.display_name));
    if facts.now >= cutoff {
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} global PAT(s) stopped working on {GLOBAL_PAT_CUTOFF}",
                global.len()
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
                "{} global PAT(s) stop working on {GLOBAL_PAT_CUTOFF} (in {days} days)",
                global.len()
            ),
        )
        .evidence(names)
        .fix(fix)
    }
}
