//! Plain facts about an organization, its tenants and the person at the
//! keyboard, as gathered before a connect, change or disconnect.
//!
//! These types are deliberately independent of the HTTP client: a gatherer
//! fills them from whatever the client returns, a test builds them by hand,
//! and they round-trip through JSON (`serde`) so a run can be saved and
//! replayed. Every fact that might not be obtainable is an `Option`; `None`
//! means "could not be gathered", and the checks then report "could not
//! verify" (a warning) instead of passing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::normalize_key;
use super::validate::normalize_email;

mod impact;
pub use impact::*;

/// How an Azure DevOps user signs in, from the `origin` of the user record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A personal Microsoft account (`msa`).
    Msa,
    /// A Microsoft Entra account (`aad`).
    Aad,
    /// Anything else (service identities, unknown origins).
    #[default]
    Other,
}

impl Origin {
    /// Reads the `origin` string of an Azure DevOps user record (any case).
    pub fn from_ado(origin: &str) -> Self {
        match origin.trim().to_ascii_lowercase().as_str() {
            "msa" => Origin::Msa,
            "aad" => Origin::Aad,
            _ => Origin::Other,
        }
    }
}

/// One user of the Azure DevOps organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrgUser {
    /// Graph subject descriptor (`msa.…`, `aad.…`).
    pub descriptor: String,
    /// Display name.
    pub display_name: String,
    /// Principal (sign-in) name; for MSA and Entra users this is the address
    /// they sign in with.
    pub principal_name: String,
    /// Mail address on record, if any.
    #[serde(default)]
    pub mail: Option<String>,
    /// Account type.
    pub origin: Origin,
    /// Id of the identity at its origin (Entra object id for `aad`).
    #[serde(default)]
    pub origin_id: String,
    /// For an Entra user, the tenant id its identity lives in, when known.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Access level name (e.g. "Basic", "Stakeholder").
    #[serde(default)]
    pub access_level: String,
    /// Last time the user accessed the organization; `None` if never.
    #[serde(default)]
    pub last_accessed: Option<DateTime<Utc>>,
    /// When the user was added; `None` if unknown.
    #[serde(default)]
    pub date_created: Option<DateTime<Utc>>,
}

impl OrgUser {
    /// The address this user signs in with, normalised (trimmed, lowercase).
    ///
    /// The principal name when it is a valid address, otherwise the mail
    /// address; `None` when neither is.
    pub fn sign_in_email(&self) -> Option<String> {
        normalize_email(&self.principal_name)
            .ok()
            .or_else(|| self.mail.as_deref().and_then(|m| normalize_email(m).ok()))
    }

    /// A short human label: `Display Name <address>` or the descriptor.
    pub fn label(&self) -> String {
        self.label_for(self.sign_in_email().as_deref())
    }

    /// [`Self::label`] with the sign-in address already worked out.
    pub fn label_for(&self, sign_in_email: Option<&str>) -> String {
        match sign_in_email {
            Some(e) if !self.display_name.trim().is_empty() => {
                // Written straight in: checks label every user of a large
                // organization.
                let name = self.display_name.trim();
                let mut s = String::with_capacity(name.len() + e.len() + 3);
                s.push_str(name);
                s.push_str(" <");
                s.push_str(e);
                s.push('>');
                s
            }
            Some(e) => e.to_string(),
            None if !self.display_name.trim().is_empty() => {
                format!("{} ({})", self.display_name.trim(), self.descriptor)
            }
            None => self.descriptor.clone(),
        }
    }
}

/// Entra `userType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserType {
    /// A member of the tenant.
    #[default]
    Member,
    /// An invited guest.
    Guest,
}

impl UserType {
    /// Reads Microsoft Graph's `userType` ("Member", "Guest"; any case).
    /// Anything else is treated as a guest, the less privileged reading.
    pub fn from_graph(s: &str) -> Self {
        if s.trim().eq_ignore_ascii_case("member") {
            UserType::Member
        } else {
            UserType::Guest
        }
    }
}

/// One user of a Microsoft Entra tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TenantUser {
    /// Entra object id.
    pub id: String,
    /// User principal name (sign-in name). Guests have a rewritten
    /// `…#EXT#@tenant` UPN.
    pub user_principal_name: String,
    /// Primary mail address.
    #[serde(default)]
    pub mail: Option<String>,
    /// Additional addresses (`otherMails`).
    #[serde(default)]
    pub other_mails: Vec<String>,
    /// `proxyAddresses` entries, with their `SMTP:`/`smtp:` prefixes.
    #[serde(default)]
    pub proxy_addresses: Vec<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Member or guest.
    #[serde(default)]
    pub user_type: UserType,
    /// Whether the account can sign in.
    #[serde(default = "default_true")]
    pub account_enabled: bool,
    /// `givenName`, when the directory has one (the match engine reads it
    /// as a person signal and as the legal form of the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `surname`, when the directory has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// How many licences are assigned (`assignedLicenses`); `None` when the
    /// property was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<u32>,
}

fn default_true() -> bool {
    true
}

/// Which Microsoft cloud a tenant lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Microsoft Entra public cloud (the only one Azure DevOps Services supports).
    Public,
    /// Microsoft Entra Government.
    Government,
    /// Could not be determined.
    #[default]
    Unknown,
}

/// A Microsoft Entra tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Tenant {
    /// Tenant (directory) id, lowercase GUID.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Default domain (often `….onmicrosoft.com`).
    #[serde(default)]
    pub default_domain: String,
    /// All verified domains.
    #[serde(default)]
    pub verified_domains: Vec<String>,
    /// Which cloud the tenant lives in.
    #[serde(default)]
    pub cloud: Cloud,
}

impl Tenant {
    /// Whether `domain` (any case) is the default or a verified domain.
    pub fn owns_domain(&self, domain: &str) -> bool {
        let d = domain.trim();
        if d.is_empty() {
            return false;
        }
        // Asked once per user: compare in place (any case), allocating only
        // for a name beyond ASCII, where lowercasing is Unicode's.
        let same = |v: &str| {
            let v = v.trim();
            if v.is_ascii() && d.is_ascii() {
                v.eq_ignore_ascii_case(d)
            } else {
                normalize_key(v) == normalize_key(d)
            }
        };
        same(&self.default_domain) || self.verified_domains.iter().any(|v| same(v))
    }

    /// A label such as `Contoso (contoso.onmicrosoft.com)`.
    pub fn label(&self) -> String {
        match (self.display_name.trim(), self.default_domain.trim()) {
            ("", "") => self.id.clone(),
            (n, "") => format!("{n} ({})", self.id),
            ("", d) => d.to_string(),
            (n, d) => format!("{n} ({d})"),
        }
    }
}

/// Whether someone belongs to a tenant, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Membership {
    /// A member of the tenant.
    Member,
    /// A guest in the tenant.
    Guest,
    /// Not in the tenant at all.
    Absent,
}

/// The person running the wizard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Caller {
    /// The address or UPN the caller signed in with.
    pub sign_in_name: String,
    /// The caller's descriptor in the organization, if known.
    #[serde(default)]
    pub descriptor: Option<String>,
    /// Whether the caller is a Project Collection Administrator (`None`: unknown).
    #[serde(default)]
    pub is_pca: Option<bool>,
    /// Whether the caller owns the organization (`None`: unknown).
    #[serde(default)]
    pub is_owner: Option<bool>,
    /// The caller's standing in the destination tenant (`None`: unknown).
    #[serde(default)]
    pub destination_membership: Option<Membership>,
    /// The caller's standing in the current (source) tenant (`None`: unknown).
    #[serde(default)]
    pub source_membership: Option<Membership>,
    /// When the caller's account in the destination tenant was created
    /// (`None`: unknown); a new account can take up to an hour to show in
    /// Azure DevOps.
    #[serde(default)]
    pub destination_account_created: Option<DateTime<Utc>>,
    /// The account the destination was read as, when it is not the
    /// caller's own sign-in (`login --directory`).
    #[serde(default)]
    pub destination_read_as: Option<String>,
    /// Why the destination could not be read with the caller's sign-in,
    /// when no other account was at hand to read it.
    #[serde(default)]
    pub destination_unreadable: Option<String>,
}

/// The organization owner as Azure DevOps reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OwnerRef {
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Sign-in address.
    #[serde(default)]
    pub email: Option<String>,
    /// Descriptor in the organization, if known.
    #[serde(default)]
    pub descriptor: Option<String>,
}

impl OwnerRef {
    /// A human label for the owner.
    pub fn label(&self) -> String {
        match (self.display_name.trim(), self.email.as_deref()) {
            ("", Some(e)) => e.trim().to_string(),
            (n, Some(e)) => format!("{n} <{}>", e.trim()),
            ("", None) => self
                .descriptor
                .clone()
                .unwrap_or_else(|| "(unknown)".into()),
            (n, None) => n.to_string(),
        }
    }
}

/// Organization policies that matter here. `None`: could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Policies {
    /// `Policy.DisallowAadGuestUserAccess`: invited Entra guests are blocked.
    #[serde(default)]
    pub disallow_aad_guest_user_access: Option<bool>,
    /// `Policy.DisallowSecureShell`.
    #[serde(default)]
    pub disallow_secure_shell: Option<bool>,
    /// `Policy.EnforceAADConditionalAccess`.
    #[serde(default)]
    pub enforce_aad_conditional_access: Option<bool>,
    /// `Policy.DisallowOAuthAuthentication`.
    #[serde(default)]
    pub disallow_oauth_authentication: Option<bool>,
    /// `Policy.AllowTeamAdminsInvitationsAccessToken`: team and project
    /// administrators may invite new users.
    #[serde(default)]
    pub allow_team_admins_invitations: Option<bool>,
}

/// A service connection (every kind: Azure Resource Manager ones carry an
/// Entra tenant and identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceConnection {
    /// Connection name.
    pub name: String,
    /// Project it belongs to.
    pub project: String,
    /// Entra tenant id it authenticates against (`None`: not stated).
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The connection's id.
    #[serde(default)]
    pub id: String,
    /// Endpoint type (`AzureRM`, `GitHub`, ...); empty: `AzureRM`.
    #[serde(default)]
    pub kind: String,
    /// How it authenticates.
    #[serde(default)]
    pub auth: ConnectionAuth,
    /// Workload identity federation: the token issuer the identity trusts.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Workload identity federation: the subject the identity trusts.
    #[serde(default)]
    pub subject: Option<String>,
}

impl ServiceConnection {
    /// Whether this is an Azure Resource Manager connection.
    pub fn is_azure(&self) -> bool {
        self.kind.is_empty() || self.kind.eq_ignore_ascii_case("azurerm")
    }
}

/// A personal access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PatInfo {
    /// Display name.
    pub display_name: String,
    /// Whether it is valid for all accessible organizations (a global PAT).
    #[serde(default)]
    pub is_global: bool,
    /// Expiry.
    #[serde(default)]
    pub valid_to: Option<DateTime<Utc>>,
    /// Who owns it (sign-in address), when every user's tokens were read.
    #[serde(default)]
    pub owner: Option<String>,
    /// Its scopes (`app_token`: full access).
    #[serde(default)]
    pub scope: Option<String>,
}

impl PatInfo {
    /// Whether the token has full access (all scopes).
    pub fn is_full_scope(&self) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("app_token"))
    }

    /// `"name" of owner` for evidence lines.
    pub fn label(&self) -> String {
        match &self.owner {
            Some(o) => format!("\"{}\" of {o}", self.display_name),
            None => format!("\"{}\"", self.display_name),
        }
    }
}

/// Facts about the organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrgFacts {
    /// Organization name.
    pub name: String,
    /// Organization id.
    #[serde(default)]
    pub id: Option<String>,
    /// The owner (`None`: could not be read).
    #[serde(default)]
    pub owner: Option<OwnerRef>,
    /// Tenant id the organization is connected to now (`None`: personal
    /// Microsoft accounts, or unknown).
    #[serde(default)]
    pub current_tenant: Option<String>,
    /// All users (`None`: could not be listed).
    #[serde(default)]
    pub users: Option<Vec<OrgUser>>,
    /// Descriptors of Project Collection Administrators, nested groups
    /// already expanded (`None`: could not be read).
    #[serde(default)]
    pub pca_members: Option<Vec<String>>,
    /// Organization policies.
    #[serde(default)]
    pub policies: Policies,
    /// Whether any SSH public keys exist (`None`: unknown).
    #[serde(default)]
    pub ssh_keys_present: Option<bool>,
    /// Azure Resource Manager service connections (`None`: could not be listed).
    #[serde(default)]
    pub service_connections: Option<Vec<ServiceConnection>>,
    /// Personal access tokens (`None`: could not be listed).
    #[serde(default)]
    pub pats: Option<Vec<PatInfo>>,
    /// Number of Entra groups added to the organization (`None`: unknown).
    #[serde(default)]
    pub entra_groups_count: Option<u32>,
    /// Whether `pats` and `ssh_keys` hold every user's tokens (token
    /// administration) rather than the caller's own (`None`: unknown).
    #[serde(default)]
    pub tokens_of_everyone: Option<bool>,
    /// Users whose tokens were not read (a large organization's check reads
    /// the owner's and administrators' only).
    #[serde(default)]
    pub tokens_unread: u32,
    /// SSH public keys (`None`: could not be listed).
    #[serde(default)]
    pub ssh_keys: Option<Vec<SshKeyInfo>>,
    /// Variable groups (`None`: could not be listed).
    #[serde(default)]
    pub variable_groups: Option<Vec<VariableGroupInfo>>,
    /// Self-hosted agents (`None`: could not be listed).
    #[serde(default)]
    pub agents: Option<Vec<AgentInfo>>,
    /// The organization's PAT creation restriction (`None`: not read).
    #[serde(default)]
    pub pat_creation_policy: Option<PatCreationPolicy>,
    /// Descriptors of users licensed through a Visual Studio subscription
    /// (`None`: unknown).
    #[serde(default)]
    pub vs_subscribers: Option<Vec<String>>,
}

/// What the wizard is about to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// Connect an organization of personal accounts to a tenant.
    Connect {
        /// Destination tenant id.
        destination: String,
    },
    /// Move a connected organization from one tenant to another.
    ChangeTenant {
        /// Current tenant id.
        from: String,
        /// Destination tenant id.
        to: String,
    },
    /// Disconnect the organization from its tenant.
    Disconnect,
}

impl Operation {
    /// The destination tenant id, if the operation has one.
    pub fn destination(&self) -> Option<&str> {
        match self {
            Operation::Connect { destination } => Some(destination),
            Operation::ChangeTenant { to, .. } => Some(to),
            Operation::Disconnect => None,
        }
    }

    /// A short verb phrase for messages ("connecting", …).
    pub fn gerund(&self) -> &'static str {
        match self {
            Operation::Connect { .. } => "connecting",
            Operation::ChangeTenant { .. } => "changing the tenant",
            Operation::Disconnect => "disconnecting",
        }
    }
}

/// Default for [`Facts::stale_after_days`].
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 90;

fn default_stale() -> u32 {
    DEFAULT_STALE_AFTER_DAYS
}

/// Everything the checks look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The current time (passed in; the domain never reads a clock).
    pub now: DateTime<Utc>,
    /// Users idle for at least this many days are reported as stale.
    #[serde(default = "default_stale")]
    pub stale_after_days: u32,
    /// What is about to happen.
    pub operation: Operation,
    /// The organization.
    pub org: OrgFacts,
    /// The person running the wizard.
    pub caller: Caller,
    /// The connector name, when one is being created.
    #[serde(default)]
    pub connector_name: Option<String>,
    /// The destination tenant (`None`: unknown or no destination).
    #[serde(default)]
    pub destination_tenant: Option<Tenant>,
    /// Users of the destination tenant (`None`: could not be listed).
    #[serde(default)]
    /// Shared: a fleet reads a directory once for every organization.
    pub destination_users: Option<Arc<Vec<TenantUser>>>,
    /// For a disconnect: addresses known to have a personal Microsoft
    /// account (`None`: unknown).
    #[serde(default)]
    pub known_msa_emails: Option<Vec<String>>,
    /// The destination tenant's Azure DevOps policies (`None`: not readable
    /// by this sign-in).
    #[serde(default)]
    pub tenant_policies: Option<TenantPolicies>,
    /// The destination's Azure DevOps Administrators, as labels (`None`:
    /// unknown); they can read and change its tenant policies.
    #[serde(default)]
    pub devops_admins: Option<Vec<String>>,
    /// Who may invite guests into the destination (`None`: unknown).
    #[serde(default)]
    pub invitations: Option<InvitationSettings>,
}

impl Facts {
    /// The destination's users to change (copied first if shared).
    pub fn destination_users_mut(&mut self) -> Option<&mut Vec<TenantUser>> {
        self.destination_users.as_mut().map(Arc::make_mut)
    }

    /// Facts with defaults for everything optional.
    pub fn new(now: DateTime<Utc>, operation: Operation, org: OrgFacts, caller: Caller) -> Self {
        Facts {
            now,
            stale_after_days: DEFAULT_STALE_AFTER_DAYS,
            operation,
            org,
            caller,
            connector_name: None,
            destination_tenant: None,
            destination_users: None,
            known_msa_emails: None,
            tenant_policies: None,
            devops_admins: None,
            invitations: None,
        }
    }

    /// The owner's normalised sign-in address, if known.
    pub fn owner_email(&self) -> Option<String> {
        let owner = self.org.owner.as_ref()?;
        owner
            .email
            .as_deref()
            .and_then(|e| normalize_email(e).ok())
            .or_else(|| self.owner_user().and_then(OrgUser::sign_in_email))
    }

    /// The organization user who owns the organization, if identifiable.
    ///
    /// Matched by descriptor first, then by sign-in or mail address.
    pub fn owner_user(&self) -> Option<&OrgUser> {
        let owner = self.org.owner.as_ref()?;
        let users = self.org.users.as_deref()?;
        if let Some(d) = owner.descriptor.as_deref().filter(|d| !d.is_empty())
            && let Some(u) = users.iter().find(|u| u.descriptor == d)
        {
            return Some(u);
        }
        let email = owner
            .email
            .as_deref()
            .and_then(|e| normalize_email(e).ok())?;
        users.iter().find(|u| {
            u.sign_in_email().as_deref() == Some(email.as_str())
                || u.mail.as_deref().map(normalize_key).as_deref() == Some(email.as_str())
        })
    }

    /// Whether `user` is the organization owner.
    pub fn is_owner(&self, user: &OrgUser) -> bool {
        self.owner_user()
            .is_some_and(|o| o.descriptor == user.descriptor)
    }

    /// Whether `user` is a Project Collection Administrator (`None`: unknown).
    pub fn is_pca(&self, user: &OrgUser) -> Option<bool> {
        self.org
            .pca_members
            .as_ref()
            .map(|m| m.contains(&user.descriptor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(descriptor: &str, principal: &str) -> OrgUser {
        OrgUser {
            descriptor: descriptor.into(),
            display_name: "X".into(),
            principal_name: principal.into(),
            origin: Origin::Msa,
            ..OrgUser::default()
        }
    }

    #[test]
    fn origin_and_user_type_parse() {
        assert_eq!(Origin::from_ado("MSA"), Origin::Msa);
        assert_eq!(Origin::from_ado(" aad "), Origin::Aad);
        assert_eq!(Origin::from_ado("vsts"), Origin::Other);
        assert_eq!(UserType::from_graph("Member"), UserType::Member);
        assert_eq!(UserType::from_graph("Guest"), UserType::Guest);
        assert_eq!(UserType::from_graph(""), UserType::Guest);
    }

    #[test]
    fn sign_in_email_prefers_principal_then_mail() {
        let mut u = user("msa.1", " Alice@Outlook.com ");
        assert_eq!(u.sign_in_email().as_deref(), Some("alice@outlook.com"));
        u.principal_name = "Alice".into();
        assert_eq!(u.sign_in_email(), None);
        u.mail = Some("ALICE@x.com".into());
        assert_eq!(u.sign_in_email().as_deref(), Some("alice@x.com"));
        assert_eq!(u.label(), "X <alice@x.com>");
    }

    #[test]
    fn owner_is_found_by_descriptor_or_email() {
        let users = vec![user("msa.1", "a@x.com"), user("msa.2", "b@x.com")];
        let org = OrgFacts {
            name: "o".into(),
            owner: Some(OwnerRef {
                display_name: "B".into(),
                email: Some("B@X.com".into()),
                descriptor: None,
            }),
            users: Some(users),
            pca_members: Some(vec!["msa.1".into()]),
            ..OrgFacts::default()
        };
        let mut f = Facts::new(Utc::now(), Operation::Disconnect, org, Caller::default());
        assert_eq!(f.owner_user().map(|u| u.descriptor.as_str()), Some("msa.2"));
        assert_eq!(f.owner_email().as_deref(), Some("b@x.com"));
        let u1 = f.org.users.as_ref().unwrap()[0].clone();
        assert!(!f.is_owner(&u1));
        assert_eq!(f.is_pca(&u1), Some(true));
        f.org.owner.as_mut().unwrap().descriptor = Some("msa.1".into());
        assert_eq!(f.owner_user().map(|u| u.descriptor.as_str()), Some("msa.1"));
        f.org.pca_members = None;
        assert_eq!(f.is_pca(&u1), None);
    }

    #[test]
    fn facts_round_trip_through_json_with_defaults() {
        let json = r#"{
            "now": "2026-11-01T00:00:00Z",
            "operation": {"kind": "change_tenant", "from": "a", "to": "b"},
            "org": {"name": "contoso"},
            "caller": {"sign_in_name": "me@contoso.com"}
        }"#;
        let f: Facts = serde_json::from_str(json).unwrap();
        assert_eq!(f.stale_after_days, 90);
        assert_eq!(f.operation.destination(), Some("b"));
        assert_eq!(f.org.users, None);
        let back: Facts = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        let t: TenantUser =
            serde_json::from_str(r#"{"id":"1","user_principal_name":"a@b.c"}"#).unwrap();
        assert!(t.account_enabled);
        assert_eq!(t.user_type, UserType::Member);
    }

    #[test]
    fn tenant_owns_domains_case_insensitively() {
        let t = Tenant {
            id: "t".into(),
            display_name: "Contoso".into(),
            default_domain: "contoso.onmicrosoft.com".into(),
            verified_domains: vec!["Contoso.com".into()],
            cloud: Cloud::Public,
        };
        assert!(t.owns_domain("CONTOSO.COM"));
        assert!(t.owns_domain("contoso.onmicrosoft.com"));
        assert!(!t.owns_domain("fabrikam.com"));
        assert!(!t.owns_domain(""));
        assert!(!t.owns_domain("  "));
        assert!(t.owns_domain(" contoso.com "));
        // Beyond ASCII, Unicode's lowercasing decides.
        let t = Tenant {
            verified_domains: vec!["Bücher.example".into()],
            ..t
        };
        assert!(t.owns_domain("BÜCHER.example"));
        assert!(!t.owns_domain("bucher.example"));
        assert_eq!(t.label(), "Contoso (contoso.onmicrosoft.com)");
    }
}
