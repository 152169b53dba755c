//! Credentials of pipelines that depend on the directory, beyond the
//! connections `service-connections` lists:
//!
//! - `workload-identity`: a workload identity federation connection whose
//!   identity trusts the Microsoft Entra issuer of the directory the
//!   organization leaves (`https://login.microsoftonline.com/{tenant}/v2.0`)
//!   no longer matches its federated credential afterwards: AADSTS700211 or
//!   AADSTS70021 (Microsoft Learn, "Troubleshoot workload identity service
//!   connections"). Saving the connection again updates the issuer.
//! - `key-vault-variable-groups`: a variable group linked to Azure Key Vault
//!   reads its secrets through a service connection (Microsoft Learn,
//!   "Link a variable group to secrets in Azure Key Vault"); when that
//!   connection is affected, so is every pipeline using the group.
//! - `agent-registrations`: a PAT is used only to register a self-hosted
//!   agent (Microsoft Learn, "Register an agent using a personal access
//!   token"): registered agents keep running, but registering again (a new
//!   VM, a container that registers at start, `config` run again) needs a
//!   PAT made after the change. Agent-pool-scoped PATs show where that
//!   happens.

use super::impact::{connection_trouble, issuer_breaks, tokens_note};
use super::{CheckResult, Status};
use crate::domain::facts::{ConnectionAuth, Facts, Operation};

/// `workload-identity`: workload identity connections whose issuer names
/// the directory the organization leaves.
pub fn workload_identity(facts: &Facts) -> CheckResult {
    const ID: &str = "workload-identity";
    let Some(conns) = facts.org.service_connections.as_ref() else {
        return CheckResult::unverified(ID, "which workload identity connections exist");
    };
    let wif: Vec<_> = conns
        .iter()
        .filter(|c| c.is_azure() && c.auth == ConnectionAuth::WorkloadIdentity)
        .collect();
    if wif.is_empty() {
        return CheckResult::new(ID, Status::Pass, "No workload identity connections");
    }
    if matches!(facts.operation, Operation::Connect { .. }) {
        return CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{}; connecting changes no issuer they trust",
                crate::domain::text::plural(
                    wif.len(),
                    "workload identity connection",
                    "workload identity connections"
                )
            ),
        );
    }
    let broken: Vec<String> = wif
        .iter()
        .filter(|c| issuer_breaks(facts, c))
        .map(|c| {
            format!(
                "\"{}\" in project {}: issuer {}, subject {}",
                c.name,
                c.project,
                c.issuer.as_deref().unwrap_or_default(),
                c.subject.as_deref().unwrap_or("(not stated)")
            )
        })
        .collect();
    if broken.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{}, none trusting the current directory's issuer",
                crate::domain::text::plural(
                    wif.len(),
                    "workload identity connection",
                    "workload identity connections"
                )
            ),
        );
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{} will fail: their issuer names the current directory",
            crate::domain::text::plural(
                broken.len(),
                "workload identity connection",
                "workload identity connections"
            )
        ),
    )
    .evidence(broken)
    .fix(
        "After the change, edit and save each connection so Azure DevOps updates its issuer \
         (Project settings > Service connections > (connection) > Edit > Save); for an identity \
         Azure DevOps did not create, add a federated credential with the new issuer and the \
         same subject to the app registration or managed identity. Until then pipelines fail \
         with AADSTS700211 or AADSTS70021.",
    )
}

/// `key-vault-variable-groups`: variable groups linked to Key Vault through
/// an affected service connection.
pub fn key_vault_variable_groups(facts: &Facts) -> CheckResult {
    const ID: &str = "key-vault-variable-groups";
    if facts.operation == Operation::Disconnect
        && !facts
            .org
            .service_connections
            .iter()
            .flatten()
            .any(|c| issuer_breaks(facts, c))
    {
        return CheckResult::skip(
            ID,
            "No connection a vault is read through changes when disconnecting",
        );
    }
    let Some(groups) = facts.org.variable_groups.as_ref() else {
        return CheckResult::unverified(ID, "which variable groups read Azure Key Vault");
    };
    let linked: Vec<_> = groups.iter().filter(|g| g.key_vault.is_some()).collect();
    if linked.is_empty() {
        return CheckResult::new(ID, Status::Pass, "No variable group reads Azure Key Vault");
    }
    let Some(conns) = facts.org.service_connections.as_ref() else {
        return CheckResult::unverified(ID, "the service connections the vaults are read through");
    };
    let mut affected = Vec::new();
    for g in &linked {
        let vault = g.key_vault.as_deref().unwrap_or_default();
        let conn = g
            .service_connection_id
            .as_deref()
            .and_then(|id| conns.iter().find(|c| c.id.eq_ignore_ascii_case(id)));
        match conn {
            Some(c) => {
                if let Some(why) = connection_trouble(facts, c) {
                    affected.push(format!(
                        "Variable group \"{}\" in project {} reads Key Vault {vault} through \"{}\": {why}",
                        g.name, g.project, c.name
                    ));
                }
            }
            None => affected.push(format!(
                "Variable group \"{}\" in project {} reads Key Vault {vault} through a connection that could not be found",
                g.name, g.project
            )),
        }
    }
    if affected.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{} Key Vault through unaffected connections",
                crate::domain::text::plural(
                    linked.len(),
                    "variable group reads",
                    "variable groups read"
                )
            ),
        );
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{} on a connection the change affects",
            crate::domain::text::plural(
                affected.len(),
                "Key Vault variable group depends",
                "Key Vault variable groups depend"
            )
        ),
    )
    .evidence(affected)
    .fix(
        "After fixing or recreating the connection, edit each group (Pipelines > Library > \
         (group)), pick the working connection and authorize it, then save so the secrets are \
         read again.",
    )
}

/// Scopes that register agents: agent pools, deployment groups.
const AGENT_SCOPES: [&str; 2] = ["vso.agentpools_manage", "vso.machinegroup_manage"];

/// `agent-registrations`: self-hosted agents, and the PATs that register them.
pub fn agent_registrations(facts: &Facts) -> CheckResult {
    const ID: &str = "agent-registrations";
    if facts.operation == Operation::Disconnect {
        return CheckResult::skip(ID, "Applies when connecting or changing tenants");
    }
    let Some(agents) = facts.org.agents.as_ref() else {
        return CheckResult::unverified(ID, "which self-hosted agents are registered");
    };
    let pats: Vec<String> = facts
        .org
        .pats
        .iter()
        .flatten()
        .filter(|p| {
            p.scope.as_deref().is_some_and(|s| {
                s.split_whitespace()
                    .any(|x| AGENT_SCOPES.iter().any(|a| a.eq_ignore_ascii_case(x)))
            })
        })
        .map(|p| {
            format!(
                "PAT {} registers agents (scope {})",
                p.label(),
                p.scope.as_deref().unwrap_or_default()
            )
        })
        .collect();
    if agents.is_empty() && pats.is_empty() {
        return CheckResult::new(ID, Status::Pass, "No self-hosted agents");
    }
    let mut evidence: Vec<String> = agents
        .iter()
        .map(|a| format!("Agent {} in pool {} ({})", a.name, a.pool, a.status))
        .collect();
    let n = agents.len();
    evidence.extend(pats);
    if facts.org.pats.is_some() {
        evidence.extend(tokens_note(facts));
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{}: registering one again needs a new credential",
            crate::domain::text::plural(n, "self-hosted agent", "self-hosted agents")
        ),
    )
    .evidence(evidence)
    .fix(
        "Registered agents keep running. Anything that registers agents again (new VMs, \
         containers that register at start, scale-set scripts) needs a PAT created after the \
         change, or better, a service principal or device-code sign-in (`config --auth SP`); \
         update those scripts and their secrets.",
    )
}
