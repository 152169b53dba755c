//! Scenario files: the world an emulator starts with (docs/emulator.md lists
//! every field). Shipped scenarios live in `assets/scenarios/` and are compiled
//! in; `--scenario PATH` loads any file; the generator builds large ones.

use serde::{Deserialize, Serialize};

mod impact;
pub use impact::{INVITE_SETTINGS, TENANT_POLICIES};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Identity (UPN or personal account email) used by `--auto-approve` when none is given.
    pub default_sign_in: String,
    pub tenants: Vec<TenantSpec>,
    #[serde(default)]
    pub msa_accounts: Vec<MsaSpec>,
    pub org: OrgSpec,
    /// Further organizations in the same emulator (a fleet); `org` is the
    /// first one.
    #[serde(default)]
    pub orgs: Vec<OrgSpec>,
    /// App registrations' service principals and managed identities.
    #[serde(default)]
    pub service_principals: Vec<ServicePrincipalSpec>,
    /// Directory roles, invitation delay, back door (state/recovery.rs).
    #[serde(default)]
    pub recovery: super::state::recovery::RecoverySpec,
}

/// A service principal (or managed identity) in one of the tenants.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePrincipalSpec {
    pub display_name: String,
    /// Key of the tenant it lives in.
    pub tenant: String,
    /// `application` (default) or `managed_identity`.
    #[serde(default = "application")]
    pub kind: String,
    /// Application (client) id; derived from the name when absent.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub secrets: Vec<SecretSpec>,
    /// PEM certificates (public part) whose key may sign client assertions.
    #[serde(default)]
    pub certificates: Vec<String>,
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredentialSpec>,
    /// A managed identity the emulated machine has as its system-assigned one.
    #[serde(default)]
    pub system_assigned: bool,
    /// Added to the organization with this access level (absent: not added).
    /// Only possible from the tenant the organization is connected to.
    #[serde(default)]
    pub org_license: Option<String>,
    /// Member of Project Collection Administrators.
    #[serde(default)]
    pub org_admin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    pub value: String,
    /// Days until it expires (negative: expired that long ago).
    #[serde(default = "year")]
    pub expires_in_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedCredentialSpec {
    pub issuer: String,
    pub subject: String,
    #[serde(default = "token_exchange")]
    pub audiences: Vec<String>,
}

fn application() -> String {
    "application".into()
}
fn year() -> i64 {
    365
}
fn token_exchange() -> Vec<String> {
    vec!["api://AzureADTokenExchange".into()]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    /// Short key used to refer to the tenant inside the file (ids derive from it).
    pub key: String,
    pub display_name: String,
    /// The `*.onmicrosoft.com` domain.
    pub initial_domain: String,
    #[serde(default)]
    pub domains: Vec<String>,
    /// `public` (default) or `usgov`.
    #[serde(default = "public")]
    pub cloud: String,
    #[serde(default)]
    pub users: Vec<TenantUserSpec>,
    /// Directory roles by display name (`Azure DevOps Administrator`,
    /// `Guest Inviter`, ...), each with the UPNs holding it.
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, Vec<String>>,
    /// Azure DevOps tenant policies by name (`OrganizationCreationRestriction`,
    /// `RestrictGlobalPersonalAccessToken`, `RestrictFullScopePersonalAccessToken`,
    /// `RestrictPersonalAccessTokenLifespan`,
    /// `EnableLeakedPersonalAccessTokenAutoRevocation`); unset ones have
    /// their documented defaults.
    #[serde(default)]
    pub devops_policies: std::collections::BTreeMap<String, TenantPolicySpec>,
    /// `authorizationPolicy.allowInvitesFrom` (default `everyone`).
    #[serde(default)]
    pub allow_invites_from: Option<String>,
}

/// One Azure DevOps tenant policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPolicySpec {
    pub on: bool,
    /// UPNs of the tenant's users on its allowlist.
    #[serde(default)]
    pub allow: Vec<String>,
    /// `RestrictPersonalAccessTokenLifespan`: the maximum lifespan in days.
    #[serde(default)]
    pub max_days: Option<u32>,
}

fn public() -> String {
    "public".into()
}
fn yes() -> bool {
    true
}
fn member() -> String {
    "Member".into()
}
fn basic() -> String {
    "Basic".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantUserSpec {
    pub upn: String,
    pub display_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub other_mails: Vec<String>,
    #[serde(default)]
    pub proxy_addresses: Vec<String>,
    /// `Member` (default) or `Guest`.
    #[serde(default = "member")]
    pub user_type: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// This directory object is a personal Microsoft account signing in here
    /// (a guest, or the account that created the tenant).
    #[serde(default)]
    pub msa: Option<String>,
    /// Created this many minutes before the emulator started (absent: long ago).
    #[serde(default)]
    pub created_minutes_ago: Option<i64>,
    /// `givenName`. Absent: the display name's first word; `null`: none (a
    /// shared, service or room account usually has none).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub given_name: Option<Option<String>>,
    /// `surname`. Absent: the rest of the display name; `null`: none.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub surname: Option<Option<String>>,
    /// Licences by SKU part number (`ENTERPRISEPACK`); served as
    /// `assignedLicenses` entries whose `skuId` is derived from the name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
}

/// A field that is present in the file, even as `null` (`Some(None)`),
/// as opposed to absent (`None`, through `#[serde(default)]`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MsaSpec {
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub name: String,
    /// Email (MSA) or UPN of the owner; must be one of `users`.
    pub owner: String,
    /// Key of the tenant the organization is connected to; absent = personal accounts.
    #[serde(default)]
    pub tenant: Option<String>,
    pub users: Vec<OrgUserSpec>,
    /// Add this many generated personal-account users (e.g. the over-100 scenario).
    #[serde(default)]
    pub generated_users: usize,
    #[serde(default)]
    pub projects: Vec<ProjectSpec>,
    #[serde(default)]
    pub service_connections: Vec<ServiceConnectionSpec>,
    /// Organization policies by name, e.g. `Policy.DisallowAadGuestUserAccess: true`.
    #[serde(default)]
    pub policies: std::collections::BTreeMap<String, bool>,
    #[serde(default)]
    pub pats: Vec<PatSpec>,
    /// Entra groups added to the organization (dropped on a tenant change).
    #[serde(default)]
    pub entra_groups: Vec<String>,
    /// `Policy.DisablePATCreation`'s allowlist: UPNs of the tenant the
    /// organization is connected to.
    #[serde(default)]
    pub pat_policy_allowlist: Vec<String>,
    #[serde(default)]
    pub ssh_keys: Vec<SshKeySpec>,
    #[serde(default)]
    pub variable_groups: Vec<VariableGroupSpec>,
    #[serde(default)]
    pub agent_pools: Vec<AgentPoolSpec>,
}

/// An SSH public key of an organization user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshKeySpec {
    /// Email/UPN of the org user who owns it.
    pub owner: String,
    pub display_name: String,
    #[serde(default = "year")]
    pub valid_days: i64,
}

/// A variable group, linked to Azure Key Vault when `key_vault` is set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableGroupSpec {
    pub project: String,
    pub name: String,
    #[serde(default)]
    pub key_vault: Option<String>,
    /// Name of the service connection the vault is read through.
    #[serde(default)]
    pub service_connection: Option<String>,
}

/// An agent pool and its agents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentPoolSpec {
    pub name: String,
    /// Microsoft-hosted.
    #[serde(default)]
    pub hosted: bool,
    #[serde(default)]
    pub agents: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgUserSpec {
    /// Personal account email (origin msa) or Entra UPN (origin aad).
    pub email: String,
    pub display_name: String,
    /// `msa` (default) or `aad`.
    #[serde(default = "msa")]
    pub origin: String,
    /// For `aad` users: key of their tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default = "basic")]
    pub license: String,
    /// Days since last access; absent = never.
    #[serde(default)]
    pub last_access_days: Option<i64>,
    #[serde(default = "created")]
    pub created_days: i64,
    /// Member of Project Collection Administrators.
    #[serde(default)]
    pub admin: bool,
}

fn msa() -> String {
    "msa".into()
}
fn created() -> i64 {
    400
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    pub name: String,
    #[serde(default)]
    pub repos: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConnectionSpec {
    pub project: String,
    pub name: String,
    /// The tenant id (a GUID) or a tenant key from this file.
    pub tenant: String,
    /// `secret` (default), `certificate`, `workload_identity` or `managed_identity`.
    #[serde(default = "secret")]
    pub auth: String,
    /// Workload identity: the issuer its identity trusts: `devops` (Azure
    /// DevOps' own, the default) or a tenant key or id (that directory's
    /// Microsoft Entra issuer).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Verification fails with this Entra error code (e.g. `AADSTS700016`,
    /// the app registration was deleted).
    #[serde(default)]
    pub verify_error: Option<String>,
}

fn secret() -> String {
    "secret".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatSpec {
    /// Email/UPN of the org user who owns it.
    pub owner: String,
    pub display_name: String,
    /// Valid in every organization of its owner.
    #[serde(default)]
    pub global: bool,
    #[serde(default = "thirty")]
    pub valid_days: i64,
    /// The secret, so tests can authenticate with it.
    pub token: String,
    /// Its scopes (default `app_token`: full access).
    #[serde(default)]
    pub scope: Option<String>,
}

fn thirty() -> i64 {
    30
}

/// Names of the scenarios compiled into the binary.
pub const BUILTIN: [&str; 13] = [
    "ready",
    "lockout",
    "locked-out",
    "locked-out-uninvited",
    "guest-admin",
    "over-100",
    "messy",
    "disconnected",
    "two-tenants",
    "unattended",
    "fleet",
    "resolve-traps",
    "moving",
];

fn builtin_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "ready" => include_str!("../../assets/scenarios/ready.json"),
        "lockout" => include_str!("../../assets/scenarios/lockout.json"),
        "locked-out" => include_str!("../../assets/scenarios/locked-out.json"),
        "locked-out-uninvited" => {
            include_str!("../../assets/scenarios/locked-out-uninvited.json")
        }
        "guest-admin" => include_str!("../../assets/scenarios/guest-admin.json"),
        "over-100" => include_str!("../../assets/scenarios/over-100.json"),
        "messy" => include_str!("../../assets/scenarios/messy.json"),
        "disconnected" => include_str!("../../assets/scenarios/disconnected.json"),
        "two-tenants" => include_str!("../../assets/scenarios/two-tenants.json"),
        "unattended" => include_str!("../../assets/scenarios/unattended.json"),
        "resolve-traps" => include_str!("../../assets/scenarios/resolve-traps.json"),
        "moving" => include_str!("../../assets/scenarios/moving.json"),
        _ => return None,
    })
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "no scenario named '{0}'; use one of: ready, lockout, locked-out, locked-out-uninvited, guest-admin, over-100, messy, disconnected, two-tenants, unattended, resolve-traps, moving, fleet, or a path to a scenario file"
    )]
    Unknown(String),
    #[error("cannot read scenario file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("scenario {origin}: line {line}, column {column}: {message}")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("scenario {origin}: {problem}")]
    Invalid { origin: String, problem: String },
}

impl Scenario {
    /// Every organization: `org`, then `orgs`.
    pub fn all_orgs(&self) -> impl Iterator<Item = &OrgSpec> {
        std::iter::once(&self.org).chain(&self.orgs)
    }

    /// A built-in name, or a path to a file.
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        if name_or_path == "fleet" {
            return Ok(Scenario {
                name: "fleet".into(),
                ..generate_fleet(Fleet {
                    orgs: 10,
                    users: 40,
                    tenant_users: 300,
                    seed: 1,
                    uniform: false,
                })
            });
        }
        if let Some(text) = builtin_text(name_or_path) {
            return Self::parse(text, name_or_path);
        }
        let looks_like_path = name_or_path.contains('/')
            || name_or_path.contains('\\')
            || name_or_path.ends_with(".json");
        if !looks_like_path {
            return Err(ScenarioError::Unknown(name_or_path.into()));
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|source| ScenarioError::Read {
            path: name_or_path.into(),
            source,
        })?;
        Self::parse(&text, name_or_path)
    }

    /// Parse and validate scenario JSON; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ScenarioError> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError::Parse {
            origin: origin.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        s.validate().map_err(|problem| ScenarioError::Invalid {
            origin: origin.into(),
            problem,
        })?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        let keys: Vec<&str> = self.tenants.iter().map(|t| t.key.as_str()).collect();
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                return Err(format!("tenant key '{k}' is used twice"));
            }
        }
        for t in &self.tenants {
            if !matches!(t.cloud.as_str(), "public" | "usgov") {
                return Err(format!(
                    "tenant '{}': cloud must be 'public' or 'usgov', not '{}'",
                    t.key, t.cloud
                ));
            }
            for u in &t.users {
                if !matches!(u.user_type.as_str(), "Member" | "Guest") {
                    return Err(format!(
                        "tenant '{}' user '{}': user_type must be Member or Guest",
                        t.key, u.upn
                    ));
                }
                if !u.upn.contains('@') {
                    return Err(format!("tenant '{}': '{}' is not a UPN", t.key, u.upn));
                }
            }
        }
        let tenant_ok = |k: &Option<String>| k.as_ref().is_none_or(|k| keys.contains(&k.as_str()));
        let mut names = std::collections::HashSet::new();
        for org in self.all_orgs() {
            if !names.insert(org.name.to_lowercase()) {
                return Err(format!("organization '{}' is listed twice", org.name));
            }
            org.validate(&tenant_ok)?;
        }
        for sp in &self.service_principals {
            if !keys.contains(&sp.tenant.as_str()) {
                return Err(format!(
                    "service principal '{}': tenant '{}' is not a tenant key",
                    sp.display_name, sp.tenant
                ));
            }
            if !matches!(sp.kind.as_str(), "application" | "managed_identity") {
                return Err(format!(
                    "service principal '{}': kind must be application or managed_identity",
                    sp.display_name
                ));
            }
            // Only the connected directory's service principals can be added.
            if sp.org_license.is_some() && self.org.tenant.as_deref() != Some(sp.tenant.as_str()) {
                return Err(format!(
                    "service principal '{}': only one from the tenant the organization is connected to can be added to it",
                    sp.display_name
                ));
            }
        }
        super::state::recovery::validate(&self.recovery, &self.tenants)?;
        self.validate_impact()
    }
}

impl OrgSpec {
    /// Its owner is one of its users, users are listed once, and an Entra
    /// user (and the organization) names a tenant of the file.
    fn validate(&self, tenant_ok: &dyn Fn(&Option<String>) -> bool) -> Result<(), String> {
        let name = &self.name;
        if !tenant_ok(&self.tenant) {
            return Err(format!(
                "org '{name}': tenant '{}' is not a tenant key",
                self.tenant.clone().unwrap_or_default()
            ));
        }
        if !self
            .users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(&self.owner))
        {
            return Err(format!(
                "org '{name}': owner '{}' is not one of its users",
                self.owner
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for u in &self.users {
            if !seen.insert(u.email.to_lowercase()) {
                return Err(format!("org user '{}' is listed twice", u.email));
            }
            match u.origin.as_str() {
                "msa" => {}
                "aad" if tenant_ok(&u.tenant) && u.tenant.is_some() => {}
                "aad" => {
                    return Err(format!(
                        "org user '{}': origin aad needs a valid tenant key",
                        u.email
                    ));
                }
                o => return Err(format!("org user '{}': unknown origin '{o}'", u.email)),
            }
        }
        Ok(())
    }
}

mod generate;

pub use generate::{FLEET_ADMIN, Fleet, Generate, generate, generate_fleet};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses() {
        for name in BUILTIN {
            let s = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, name);
        }
    }

    #[test]
    fn unknown_names_and_bad_files_say_what_and_where() {
        assert!(matches!(
            Scenario::load("nope"),
            Err(ScenarioError::Unknown(_))
        ));
        let e = Scenario::parse("{\n  \"name\": 3\n}", "x.json").unwrap_err();
        assert!(matches!(e, ScenarioError::Parse { line: 2, .. }), "{e}");
        let mut s: serde_json::Value =
            serde_json::from_str(builtin_text("ready").unwrap()).unwrap();
        s["org"]["owner"] = "nobody@x.com".into();
        let e = Scenario::parse(&s.to_string(), "y.json").unwrap_err();
        assert!(e.to_string().contains("owner"), "{e}");
    }

    #[test]
    fn generator_is_deterministic_and_sized() {
        let g = Generate {
            users: 300,
            tenant_users: 2000,
            seed: 7,
            connected: false,
            subscribers: 0,
        };
        let a = generate(g);
        let b = generate(g);
        assert_eq!(a.org.users.len(), 301);
        let mut emails: Vec<String> = a.org.users.iter().map(|u| u.email.to_lowercase()).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 301, "no two users share an address");
        assert_eq!(a.tenants[0].users.len(), 2001);
        assert_eq!(
            serde_json::to_string(&a.org.users).unwrap(),
            serde_json::to_string(&b.org.users).unwrap()
        );
    }

    #[test]
    fn a_generated_fleet_mixes_backings_sizes_and_owners_and_is_a_valid_file() {
        let f = generate_fleet(Fleet {
            orgs: 10,
            users: 40,
            tenant_users: 300,
            seed: 2,
            uniform: false,
        });
        assert_eq!(f.all_orgs().count(), 10);
        // As a file it parses and validates, so scenario files may list several.
        let again = Scenario::parse(&serde_json::to_string(&f).unwrap(), "fleet.json").unwrap();
        assert_eq!(again.orgs.len(), 9);
        let backings: std::collections::BTreeSet<Option<&str>> =
            f.all_orgs().map(|o| o.tenant.as_deref()).collect();
        assert_eq!(backings.len(), 3, "personal, the old and the new directory");
        let sizes: std::collections::BTreeSet<usize> =
            f.all_orgs().map(|o| o.users.len()).collect();
        assert!(sizes.len() >= 3, "{sizes:?}");
        let owners: std::collections::BTreeSet<&str> =
            f.all_orgs().map(|o| o.owner.as_str()).collect();
        assert_eq!(owners.len(), 10, "each has its own owner");
        // The same name twice is refused.
        let mut twice = f.clone();
        twice.orgs[0].name = twice.org.name.clone();
        let e = Scenario::parse(&serde_json::to_string(&twice).unwrap(), "x.json").unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }
}
