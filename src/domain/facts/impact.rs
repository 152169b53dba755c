//! Facts about what a change affects beyond the user list: the destination
//! tenant's Azure DevOps policies and directory settings, the organization's
//! PAT creation policy, and every credential that authenticates through the
//! organization's directory (PATs and SSH keys of every user, service
//! connections of every kind, Key Vault-linked variable groups, self-hosted
//! agents). As everywhere in [`super`], `None` means "could not be read".

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One tenant policy of Azure DevOps (Organization settings > Microsoft
/// Entra), with its allowlist of Entra users and groups (object ids).
///
/// Microsoft Learn, "Manage personal access tokens using policies" and
/// "Restrict organization creation".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TenantPolicy {
    /// Whether the policy is on.
    pub on: bool,
    /// Object ids of the users and groups the policy exempts.
    #[serde(default)]
    pub allowlist: Vec<String>,
}

/// The destination tenant's Azure DevOps policies, as an Azure DevOps
/// Administrator of that tenant reads them. Each `None`: not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TenantPolicies {
    /// Restrict organization creation: off the allowlist, nobody can create
    /// an organization in the tenant or connect one to it.
    #[serde(default)]
    pub restrict_org_creation: Option<TenantPolicy>,
    /// Restrict global personal access token creation.
    #[serde(default)]
    pub restrict_global_pats: Option<TenantPolicy>,
    /// Restrict full-scoped personal access token creation.
    #[serde(default)]
    pub restrict_full_scope_pats: Option<TenantPolicy>,
    /// Enforce a maximum lifespan for new personal access tokens.
    #[serde(default)]
    pub max_pat_lifespan: Option<TenantPolicy>,
    /// The maximum lifespan in days, when that policy is on.
    #[serde(default)]
    pub max_pat_lifespan_days: Option<u32>,
    /// Automatically revoke leaked personal access tokens (on by default).
    #[serde(default)]
    pub revoke_leaked_pats: Option<bool>,
    /// The signed-in person's object id in the destination tenant.
    #[serde(default)]
    pub caller_id: Option<String>,
    /// Allowlisted ids (groups, roles) the signed-in person belongs to.
    #[serde(default)]
    pub caller_member_of: Vec<String>,
    /// Names of allowlisted ids, for evidence (`id` -> `Name <upn>`).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl TenantPolicies {
    /// Whether `policy`'s allowlist covers the signed-in person (directly or
    /// through a group); `None` when the person's id is unknown.
    pub fn covers_caller(&self, policy: &TenantPolicy) -> Option<bool> {
        let me = self.caller_id.as_deref()?;
        Some(policy.allowlist.iter().any(|id| {
            id.eq_ignore_ascii_case(me)
                || self
                    .caller_member_of
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(id))
        }))
    }

    /// A label for an allowlisted id.
    pub fn name_of(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// One entry of an organization policy's allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AllowlistEntry {
    /// Entra object id (of the tenant the organization is connected to).
    pub object_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
}

/// The organization policy "Restrict personal access token (PAT) creation"
/// (`Policy.DisablePATCreation`); it exists only on Entra-backed
/// organizations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PatCreationPolicy {
    /// Whether the restriction is on.
    pub on: bool,
    /// Whether users off the allowlist may still create packaging-only PATs.
    #[serde(default)]
    pub packaging_only: bool,
    /// Whether the allowlist is in use.
    #[serde(default)]
    pub allowlist_enabled: bool,
    /// Who may still create PATs of any scope.
    #[serde(default)]
    pub allowlist: Vec<AllowlistEntry>,
}

/// An SSH public key registered by a user of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SshKeyInfo {
    /// The owner's sign-in address (or name).
    pub owner: String,
    /// The key's description.
    #[serde(default)]
    pub display_name: String,
    /// Expiry.
    #[serde(default)]
    pub valid_to: Option<DateTime<Utc>>,
}

/// How a service connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionAuth {
    /// An app registration with a client secret.
    Secret,
    /// An app registration with a certificate.
    Certificate,
    /// Workload identity federation (an app registration or a managed
    /// identity trusting Azure DevOps' token issuer).
    WorkloadIdentity,
    /// The managed identity of the agent's Azure VM.
    ManagedIdentity,
    /// Anything else (not an Azure identity).
    #[default]
    Other,
}

impl ConnectionAuth {
    /// From a service endpoint's `authorization.scheme` and its
    /// `authenticationType` parameter.
    pub fn from_endpoint(scheme: &str, authentication_type: Option<&str>) -> Self {
        match scheme.to_ascii_lowercase().as_str() {
            "workloadidentityfederation" => ConnectionAuth::WorkloadIdentity,
            "managedserviceidentity" => ConnectionAuth::ManagedIdentity,
            "serviceprincipal" => match authentication_type.map(str::to_ascii_lowercase) {
                Some(t) if t == "spncertificate" => ConnectionAuth::Certificate,
                _ => ConnectionAuth::Secret,
            },
            _ => ConnectionAuth::Other,
        }
    }

    /// A few words for evidence lines.
    pub fn label(self) -> &'static str {
        match self {
            ConnectionAuth::Secret => "app registration with a secret",
            ConnectionAuth::Certificate => "app registration with a certificate",
            ConnectionAuth::WorkloadIdentity => "workload identity federation",
            ConnectionAuth::ManagedIdentity => "managed identity",
            ConnectionAuth::Other => "not an Azure identity",
        }
    }
}

/// A variable group, when it reads its secrets from Azure Key Vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VariableGroupInfo {
    /// Name.
    pub name: String,
    /// Project.
    pub project: String,
    /// The Key Vault it is linked to (`None`: an ordinary group).
    #[serde(default)]
    pub key_vault: Option<String>,
    /// Id of the service connection it reads the vault through.
    #[serde(default)]
    pub service_connection_id: Option<String>,
}

/// A self-hosted pipeline agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AgentInfo {
    /// Agent name.
    pub name: String,
    /// Pool name.
    pub pool: String,
    /// `online` or `offline`.
    #[serde(default)]
    pub status: String,
}

/// Who may invite guests into the destination directory
/// (`authorizationPolicy.allowInvitesFrom`), and what the signed-in person
/// is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InvitationSettings {
    /// `none`, `adminsAndGuestInviters`, `adminsGuestInvitersAndAllMembers`
    /// or `everyone`.
    pub allow_invites_from: String,
    /// Directory roles the signed-in person holds there (`None`: unknown).
    #[serde(default)]
    pub caller_roles: Option<Vec<String>>,
}

/// Directory roles that may always invite guests (Microsoft Entra
/// built-in roles reference: Guest Inviter, User Administrator, Global
/// Administrator).
pub use crate::azure::INVITER_ROLES;

impl InvitationSettings {
    /// Whether the signed-in person may invite guests (`None`: unknown).
    pub fn caller_may_invite(&self, caller_is_member: Option<bool>) -> Option<bool> {
        let holds_role = || {
            self.caller_roles.as_ref().map(|roles| {
                roles
                    .iter()
                    .any(|r| INVITER_ROLES.iter().any(|i| i.eq_ignore_ascii_case(r)))
            })
        };
        match self.allow_invites_from.to_ascii_lowercase().as_str() {
            "everyone" => Some(true),
            "none" => Some(false),
            "adminsguestinvitersandallmembers" => match caller_is_member {
                Some(true) => Some(true),
                _ => holds_role(),
            },
            _ => holds_role(),
        }
    }
}
