//! The emulated world and its rules. Every change made through any endpoint
//! lands here and shows in every other endpoint for the life of the process.
//!
//! The rules follow the docs and seeds: connecting needs a Project Collection
//! Administrator who is a Member of the destination (any number of users);
//! users keep their rights only when their personal-account email equals a
//! destination UPN (mail and other mails do not count, which is what locks out
//! the owner in a reported lockout); a remap moves a user's rights to an Entra identity;
//! Entra groups vanish on a tenant change; disconnect reverses a connection.
//!
//! This file holds the world's types and lookups; state/build.rs builds it
//! from a scenario, state/signin.rs says who signs in as whom,
//! state/changes.rs holds the rules that change it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::ids::{self, CONSUMERS_TENANT};

mod build;
mod changes;
mod impact;
mod index;
pub mod recovery;

pub use impact::{AgentPool, EndpointIdentity, Impact, OrgImpact};
mod signin;

#[derive(Debug, Clone)]
pub struct TenantUser {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub other_mails: Vec<String>,
    pub proxy_addresses: Vec<String>,
    /// `Member` or `Guest`.
    pub user_type: String,
    pub enabled: bool,
    /// The personal account behind this object, if any.
    pub msa: Option<String>,
    /// A guest made by an invitation: whether it was accepted (recovery.rs).
    pub invitation: Option<recovery::Invite>,
    /// `givenName` and `surname` as the scenario gives them; `None`: read
    /// from the display name (first word, rest).
    pub names: Option<(Option<String>, Option<String>)>,
    /// SKU part numbers of the assigned licences.
    pub licenses: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub key: String,
    pub display_name: String,
    pub initial_domain: String,
    pub domains: Vec<String>,
    pub cloud: String,
    pub users: Vec<TenantUser>,
    /// UPN, object-id and address lookups.
    index: index::Index,
}

use index::lc;

impl Tenant {
    /// A directory of `users`, indexed at once.
    pub fn new(
        id: String,
        key: String,
        display_name: String,
        initial_domain: String,
        domains: Vec<String>,
        cloud: String,
        users: Vec<TenantUser>,
    ) -> Self {
        let index = index::Index::build(&users);
        Tenant {
            id,
            key,
            display_name,
            initial_domain,
            domains,
            cloud,
            users,
            index,
        }
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&TenantUser> {
        self.index.by_upn(&self.users, upn).map(|i| &self.users[i])
    }
    /// Positions of the users whose UPN starts with `prefix` (any case).
    pub fn users_with_upn_prefix(&self, prefix: &str) -> Vec<usize> {
        self.index.with_upn_prefix(&self.users, prefix)
    }
    /// Positions of the users whose lowercased UPN is within `lo..=hi`.
    pub fn users_in_upn_range(&self, lo: Option<&str>, hi: Option<&str>) -> Vec<usize> {
        self.index.in_upn_range(&self.users, lo, hi)
    }
    /// Every user's position, in object-id order.
    pub fn in_id_order(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.index.id_order()
    }
    pub fn user_by_id(&self, id: &str) -> Option<&TenantUser> {
        self.index.by_id(&self.users, id).map(|i| &self.users[i])
    }
    /// Users whose mail, other mails or proxy addresses contain `addr`.
    pub fn users_by_address(&self, addr: &str) -> Vec<usize> {
        self.index.by_address(&self.users, addr)
    }
    /// The directory object a person signs in as here: their UPN, or the
    /// object that stands for their personal account.
    pub fn object_for(&self, who: &str) -> Option<&TenantUser> {
        self.user_by_upn(who)
            .or_else(|| self.user_for_external(who))
    }
    /// The default domain: the first custom verified domain, else the
    /// initial `*.onmicrosoft.com` one.
    pub fn default_domain(&self) -> &str {
        self.domains.first().unwrap_or(&self.initial_domain)
    }
    /// The directory object that stands for the external (personal)
    /// account `email` here: a guest, or an external member.
    pub fn user_for_external(&self, email: &str) -> Option<&TenantUser> {
        self.users.iter().find(|u| {
            u.msa
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(email))
        })
    }
    pub fn has_domain(&self, d: &str) -> bool {
        self.initial_domain.eq_ignore_ascii_case(d)
            || self.domains.iter().any(|x| x.eq_ignore_ascii_case(d))
    }
    pub fn add_user(&mut self, u: TenantUser) -> usize {
        self.users.push(u);
        let i = self.users.len() - 1;
        self.index.add(&self.users, i);
        i
    }
}

#[derive(Debug, Clone)]
pub struct Msa {
    pub email: String,
    pub display_name: String,
    pub oid: String,
    pub puid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Msa,
    Aad,
}

#[derive(Debug, Clone)]
pub struct OrgUser {
    /// Stable storage key (the user's id in user entitlements).
    pub id: String,
    pub display_name: String,
    /// The personal account this user came from, if any.
    pub msa_email: Option<String>,
    pub origin: Origin,
    pub origin_id: String,
    pub principal_name: String,
    pub mail: String,
    pub descriptor: String,
    pub aad_tenant: Option<String>,
    /// False once disconnected by a connect/change/disconnect.
    pub active: bool,
    /// Successful remaps of this user (tests check "exactly once").
    pub remaps: u32,
    pub license: String,
    pub last_access: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub admin: bool,
    /// `application` or `managedIdentity` for a service principal (an
    /// `aadsp.` descriptor); `None` for a person.
    pub app_kind: Option<&'static str>,
}

/// Who a new organization user is, before they get their licence.
pub enum NewUser<'a> {
    /// The Entra object `oid` (UPN `upn`, mail `mail`) of the tenant `tid`.
    Entra {
        upn: &'a str,
        mail: &'a str,
        oid: &'a str,
        tid: &'a str,
    },
    /// A personal Microsoft account.
    Personal { email: &'a str, puid: &'a str },
}

impl OrgUser {
    /// An active organization user whose storage key is `key` (descriptors
    /// wrap it), not an administrator, never seen.
    pub fn new(
        key: &str,
        who: NewUser<'_>,
        display_name: &str,
        license: &str,
        created: DateTime<Utc>,
    ) -> Self {
        let (origin, origin_id, principal, mail, msa_email, aad_tenant) = match who {
            NewUser::Entra {
                upn,
                mail,
                oid,
                tid,
            } => (Origin::Aad, oid, upn, mail, None, Some(tid.to_string())),
            NewUser::Personal { email, puid } => (
                Origin::Msa,
                puid,
                email,
                email,
                Some(email.to_string()),
                None,
            ),
        };
        OrgUser {
            id: key.to_string(),
            display_name: display_name.to_string(),
            msa_email,
            origin,
            origin_id: origin_id.to_string(),
            principal_name: principal.to_string(),
            mail: mail.to_string(),
            descriptor: ids::descriptor(if origin == Origin::Aad { "aad" } else { "msa" }, key),
            aad_tenant,
            active: true,
            remaps: 0,
            license: license.to_string(),
            last_access: None,
            created,
            admin: false,
            app_kind: None,
        }
    }

    /// The graph subject's `domain`: the directory's id, or Windows Live ID.
    pub fn domain(&self) -> std::borrow::Cow<'_, str> {
        match self.origin {
            Origin::Msa => "Windows Live ID".into(),
            Origin::Aad => self.aad_tenant.as_deref().unwrap_or_default().into(),
        }
    }
    pub fn origin_str(&self) -> &'static str {
        match self.origin {
            Origin::Msa => "msa",
            Origin::Aad => "aad",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub repos: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ServiceEndpoint {
    pub id: String,
    pub project: String,
    pub name: String,
    pub tenant_id: String,
}

#[derive(Debug, Clone)]
pub struct Pat {
    pub owner: String,
    pub display_name: String,
    pub global: bool,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub token: String,
    pub authorization_id: String,
}

/// A service principal or managed identity of a tenant.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    /// The service principal's object id (what Azure DevOps knows it by).
    pub object_id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub managed_identity: bool,
    pub system_assigned: bool,
    /// Secret values and when they expire.
    pub secrets: Vec<(String, DateTime<Utc>)>,
    /// DER of each registered certificate.
    pub certificates: Vec<Vec<u8>>,
    pub federated: Vec<super::scenario::FederatedCredentialSpec>,
}

/// What a PAT is, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatLookup {
    /// Valid, owned by this user (who may be disconnected) of this
    /// organization: (organization, user).
    Owner(usize, usize),
    Expired,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct EntraGroup {
    pub name: String,
    pub descriptor: String,
    pub origin_id: String,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub owner: usize,
    pub tenant: Option<String>,
    pub users: Vec<OrgUser>,
    pub projects: Vec<Project>,
    pub endpoints: Vec<ServiceEndpoint>,
    pub policies: BTreeMap<String, bool>,
    pub pats: Vec<Pat>,
    pub entra_groups: Vec<EntraGroup>,
    pub pca_descriptor: String,
    pub pvu_descriptor: String,
    /// Its credentials, connections' identities, groups, pools and audit log.
    pub impact: OrgImpact,
}

impl Org {
    /// The user whose mail, personal account or sign-in name is `who`.
    pub fn user_named(&self, who: &str) -> Option<usize> {
        self.users.iter().position(|u| {
            u.mail.eq_ignore_ascii_case(who)
                || u.principal_name.eq_ignore_ascii_case(who)
                || u.msa_email
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(who))
        })
    }
    pub fn user_by_descriptor(&self, d: &str) -> Option<usize> {
        self.users.iter().position(|u| u.descriptor == d)
    }
    /// The user a descriptor names, now or before a connect, change or
    /// remap rewrote it (`msa.`/`aad.` descriptors wrap the storage key).
    pub fn user_by_any_descriptor(&self, d: &str) -> Option<usize> {
        let key = ids::descriptor_key(d)?;
        self.users.iter().position(|u| u.id == key)
    }
}

/// One of a person's accounts, fixed when they sign in and kept by every
/// token and refresh token that sign-in yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// A personal Microsoft account, by email.
    Personal(String),
    /// A work or school account: its home tenant and object id.
    Work { tid: String, oid: String },
}

/// The identity behind a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub tid: String,
    pub oid: String,
    pub upn: String,
    pub name: String,
}

/// An error the ADO side reports with an ADO error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub type_key: &'static str,
    pub message: String,
}

/// Everything the emulator knows.
#[derive(Debug, Clone)]
pub struct World {
    pub scenario: String,
    pub description: String,
    pub default_sign_in: String,
    pub tenants: Vec<Tenant>,
    pub msa: Vec<Msa>,
    msa_by_email: HashMap<String, usize>,
    /// Every organization the emulator hosts (at least one); the first is
    /// the scenario's `org`.
    pub orgs: Vec<Org>,
    /// Invitations sent, by lowercased address (tests check "exactly once").
    pub invitations: BTreeMap<String, u32>,
    /// Every invitation request, by lowercased invited address, whatever its
    /// answer (a re-sent invitation counts even when it returns the same guest).
    pub invitation_attempts: BTreeMap<String, u32>,
    /// Every remap PATCH, by the descriptor it was sent to, whatever its
    /// answer: a re-sent remap goes to the old descriptor and answers 404,
    /// but still counts here.
    pub remap_attempts: BTreeMap<String, u32>,
    /// Every organization PATCH (connect, change, disconnect), whatever its
    /// answer: "exactly once" for a directory change.
    pub tenant_change_attempts: u32,
    /// Service principals and managed identities of every tenant.
    pub apps: Vec<App>,
    /// Directory roles and the recovery rules (recovery.rs).
    pub recovery: recovery::Recovery,
    /// Policies, roles, credentials and the audit log (state/impact.rs).
    pub impact: Impact,
}

impl World {
    /// `{client_id, tenant_id, secret, object_id}` of the first service
    /// principal with a current secret (the emulator's first JSON line).
    pub fn service_principal_summary(&self) -> Option<serde_json::Value> {
        let now = Utc::now();
        self.apps.iter().find_map(|a| {
            let (secret, _) = a.secrets.iter().find(|(_, exp)| *exp > now)?;
            Some(serde_json::json!({
                "client_id": a.client_id, "tenant_id": a.tenant_id,
                "secret": secret, "object_id": a.object_id,
            }))
        })
    }

    /// `{client_id, object_id, identity_header}` of the system-assigned
    /// managed identity.
    pub fn managed_identity_summary(&self) -> Option<serde_json::Value> {
        let a = self
            .apps
            .iter()
            .find(|a| a.managed_identity && a.system_assigned)?;
        Some(serde_json::json!({
            "client_id": a.client_id, "tenant_id": a.tenant_id, "object_id": a.object_id,
            "identity_header": self.identity_header(),
        }))
    }

    /// The header value App Service's identity endpoint expects
    /// (`IDENTITY_HEADER`); stable for a scenario.
    pub fn identity_header(&self) -> String {
        ids::guid(&["identity-header", &self.scenario])
    }

    /// What a PAT is here: its owner in the organization that issued it.
    pub fn pat_lookup(&self, secret: &str, now: DateTime<Utc>) -> PatLookup {
        let Some((o, pat)) = self
            .orgs
            .iter()
            .enumerate()
            .find_map(|(o, org)| org.pats.iter().find(|p| p.token == secret).map(|p| (o, p)))
        else {
            return PatLookup::Unknown;
        };
        if pat.valid_to <= now {
            return PatLookup::Expired;
        }
        self.orgs[o]
            .user_named(&pat.owner)
            .map_or(PatLookup::Unknown, |i| PatLookup::Owner(o, i))
    }

    /// The user a PAT authenticates in organization `o`: its owner there,
    /// when it was issued by `o` or is global (valid in every organization
    /// of its owner).
    pub fn pat_user_in(&self, o: usize, secret: &str, now: DateTime<Utc>) -> PatLookup {
        match self.pat_lookup(secret, now) {
            PatLookup::Owner(po, i) if po == o => PatLookup::Owner(o, i),
            PatLookup::Owner(po, i) => {
                let global = self.orgs[po]
                    .pats
                    .iter()
                    .any(|p| p.token == secret && p.global);
                let owner = &self.orgs[po].users[i];
                let here = self.orgs[o]
                    .user_named(owner.msa_email.as_deref().unwrap_or(&owner.mail))
                    .or_else(|| self.orgs[o].user_named(&owner.principal_name));
                match here {
                    Some(j) if global => PatLookup::Owner(o, j),
                    _ => PatLookup::Unknown,
                }
            }
            other => other,
        }
    }

    /// The organization named `name` (any case).
    pub fn org_index(&self, name: &str) -> Option<usize> {
        self.orgs
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub fn msa(&self, email: &str) -> Option<&Msa> {
        self.msa_by_email.get(&lc(email)).map(|&i| &self.msa[i])
    }

    /// Tenant by id or verified/initial domain.
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        let k = lc(id_or_domain);
        self.tenants.iter().find(|t| t.id == k || t.has_domain(&k))
    }
    pub fn tenant_mut(&mut self, id: &str) -> Option<&mut Tenant> {
        let k = lc(id);
        self.tenants
            .iter_mut()
            .find(|t| t.id == k || t.has_domain(&k))
    }

    /// The active user of organization `o` a token's subject is, if any.
    pub fn org_user_for(&self, o: usize, s: &Subject) -> Option<usize> {
        let org = &self.orgs[o];
        let found = if s.tid == CONSUMERS_TENANT {
            if org.tenant.is_some() {
                return None;
            }
            org.users.iter().position(|u| {
                u.origin == Origin::Msa
                    && u.msa_email
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&s.upn))
            })
        } else {
            if org.tenant.as_ref().is_some_and(|t| *t != s.tid) {
                return None;
            }
            org.users.iter().position(|u| {
                u.origin == Origin::Aad
                    && u.origin_id == s.oid
                    && u.aad_tenant.as_deref() == Some(&s.tid)
            })
        };
        found.filter(|&i| org.users[i].active)
    }

    pub fn is_admin(&self, o: usize, user: usize) -> bool {
        user == self.orgs[o].owner || self.orgs[o].users[user].admin
    }
}
