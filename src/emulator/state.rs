//! The emulated world and its rules. Every change made through any endpoint
//! lands here and shows in every other endpoint for the life of the process.
//!
//! The rules follow the docs and seeds: connecting needs a Project Collection
//! Administrator who is a Member of the destination (any number of users);
//! users keep their rights only when their personal-account email equals a
//! destination UPN (mail and other mails do not count, which is what locks out
//! seed 000's owner); a remap moves a user's rights to an Entra identity;
//! Entra groups vanish on a tenant change; disconnect reverses a connection.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::ids::{self, CONSUMERS_TENANT};
use super::scenario::Scenario;

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
    /// Sorted, so `startswith(userPrincipalName, …)` is a range.
    by_upn: BTreeMap<String, usize>,
    by_address: HashMap<String, Vec<usize>>,
    /// Sorted: listings come in object-id order, as Graph's do in practice.
    by_id: BTreeMap<String, usize>,
}

fn lc(s: &str) -> String {
    s.trim().to_lowercase()
}

impl Tenant {
    fn index(&mut self, i: usize) {
        let u = &self.users[i];
        self.by_upn.insert(lc(&u.upn), i);
        self.by_id.insert(u.id.clone(), i);
        let mut addrs: Vec<String> = u.mail.iter().map(|m| lc(m)).collect();
        addrs.extend(u.other_mails.iter().map(|m| lc(m)));
        addrs.extend(u.proxy_addresses.iter().map(|p| {
            let p = lc(p);
            p.strip_prefix("smtp:").map(str::to_string).unwrap_or(p)
        }));
        addrs.sort();
        addrs.dedup();
        for a in addrs {
            self.by_address.entry(a).or_default().push(i);
        }
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&TenantUser> {
        self.by_upn.get(&lc(upn)).map(|&i| &self.users[i])
    }
    /// Positions of the users whose UPN starts with `prefix` (any case).
    pub fn users_with_upn_prefix(&self, prefix: &str) -> Vec<usize> {
        let p = lc(prefix);
        let mut v: Vec<usize> = self
            .by_upn
            .range(p.clone()..)
            .take_while(|(k, _)| k.starts_with(&p))
            .map(|(_, &i)| i)
            .collect();
        v.sort_unstable();
        v
    }
    /// Positions of the users whose lowercased UPN is within `lo..=hi`.
    pub fn users_in_upn_range(&self, lo: Option<&str>, hi: Option<&str>) -> Vec<usize> {
        use std::ops::Bound;
        let lo = lo.map(lc);
        let hi = hi.map(lc);
        let range = (
            lo.map_or(Bound::Unbounded, Bound::Included),
            hi.map_or(Bound::Unbounded, Bound::Included),
        );
        if let (Bound::Included(a), Bound::Included(b)) = (&range.0, &range.1)
            && a > b
        {
            return Vec::new();
        }
        let mut v: Vec<usize> = self
            .by_upn
            .range::<String, _>(range)
            .map(|(_, &i)| i)
            .collect();
        v.sort_unstable();
        v
    }
    /// Every user's position, in object-id order.
    pub fn in_id_order(&self) -> Vec<usize> {
        self.by_id.values().copied().collect()
    }
    pub fn user_by_id(&self, id: &str) -> Option<&TenantUser> {
        self.by_id.get(&lc(id)).map(|&i| &self.users[i])
    }
    /// Users whose mail, other mails or proxy addresses contain `addr`.
    pub fn users_by_address(&self, addr: &str) -> Vec<usize> {
        self.by_address.get(&lc(addr)).cloned().unwrap_or_default()
    }
    /// The directory object a person signs in as here: their UPN, or the
    /// object that stands for their personal account.
    pub fn object_for(&self, who: &str) -> Option<&TenantUser> {
        self.user_by_upn(who).or_else(|| {
            self.users.iter().find(|u| {
                u.msa
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(who))
            })
        })
    }
    /// The default domain: the first custom verified domain, else the
    /// initial `*.onmicrosoft.com` one.
    pub fn default_domain(&self) -> &str {
        self.domains.first().unwrap_or(&self.initial_domain)
    }
    pub fn has_domain(&self, d: &str) -> bool {
        self.initial_domain.eq_ignore_ascii_case(d)
            || self.domains.iter().any(|x| x.eq_ignore_ascii_case(d))
    }
    pub fn add_user(&mut self, u: TenantUser) -> usize {
        self.users.push(u);
        let i = self.users.len() - 1;
        self.index(i);
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

impl OrgUser {
    pub fn domain(&self) -> String {
        match self.origin {
            Origin::Msa => "Windows Live ID".into(),
            Origin::Aad => self.aad_tenant.clone().unwrap_or_default(),
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
    /// Valid, owned by this organization user (who may be disconnected).
    Owner(usize),
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
}

impl Org {
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
    pub org: Org,
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
}

impl World {
    pub fn from_scenario(s: &Scenario, now: DateTime<Utc>) -> Self {
        let mut tenants: Vec<Tenant> = s
            .tenants
            .iter()
            .map(|t| {
                let id = ids::guid(&["tenant", &t.key]);
                let mut tenant = Tenant {
                    id: id.clone(),
                    key: t.key.clone(),
                    display_name: t.display_name.clone(),
                    initial_domain: t.initial_domain.clone(),
                    domains: t.domains.clone(),
                    cloud: t.cloud.clone(),
                    users: Vec::with_capacity(t.users.len()),
                    by_upn: BTreeMap::new(),
                    by_address: HashMap::with_capacity(t.users.len()),
                    by_id: BTreeMap::new(),
                };
                for u in &t.users {
                    tenant.add_user(TenantUser {
                        id: ids::guid(&["user", &id, &lc(&u.upn)]),
                        upn: u.upn.clone(),
                        display_name: u.display_name.clone(),
                        mail: u.mail.clone(),
                        other_mails: u.other_mails.clone(),
                        proxy_addresses: u.proxy_addresses.clone(),
                        user_type: u.user_type.clone(),
                        enabled: u.enabled,
                        msa: u.msa.clone(),
                        names: (u.given_name.is_some() || u.surname.is_some())
                            .then(|| (u.given_name.clone().flatten(), u.surname.clone().flatten())),
                        licenses: u.licenses.clone(),
                    });
                }
                tenant
            })
            .collect();
        let tenant_id = |key: &str| ids::guid(&["tenant", key]);
        let mut msa: Vec<Msa> = Vec::new();
        let mut msa_by_email = HashMap::new();
        let mut add_msa = |email: &str, name: &str, msa: &mut Vec<Msa>| {
            if msa_by_email.contains_key(&lc(email)) {
                return;
            }
            msa_by_email.insert(lc(email), msa.len());
            msa.push(Msa {
                email: email.to_string(),
                display_name: name.to_string(),
                oid: ids::guid(&["msa", &lc(email)]),
                puid: ids::puid(email),
            });
        };
        for m in &s.msa_accounts {
            add_msa(&m.email, &m.display_name, &mut msa);
        }
        let org_id = ids::guid(&["org", &s.org.name]);
        let mut users = Vec::new();
        let mut specs = s.org.users.clone();
        for i in 0..s.org.generated_users {
            specs.push(super::scenario::OrgUserSpec {
                email: format!("member{:03}@outlook.example", i + 1),
                display_name: format!("Member {:03}", i + 1),
                origin: "msa".into(),
                tenant: None,
                license: "Basic".into(),
                last_access_days: Some((i % 60) as i64),
                created_days: 365,
                admin: false,
            });
        }
        for u in &specs {
            let key = ids::guid(&["orguser", &org_id, &lc(&u.email)]);
            let last_access = u.last_access_days.map(|d| now - Duration::days(d));
            let created = now - Duration::days(u.created_days);
            let user = if u.origin == "aad" {
                let tkey = u.tenant.clone().unwrap_or_default();
                let tid = tenant_id(&tkey);
                let t = tenants
                    .iter_mut()
                    .find(|t| t.id == tid)
                    .expect("validated tenant key");
                let oid = match t.user_by_upn(&u.email) {
                    Some(tu) => tu.id.clone(),
                    None => {
                        let i = t.add_user(TenantUser {
                            id: ids::guid(&["user", &tid, &lc(&u.email)]),
                            upn: u.email.clone(),
                            display_name: u.display_name.clone(),
                            mail: Some(u.email.clone()),
                            other_mails: vec![],
                            proxy_addresses: vec![],
                            user_type: "Member".into(),
                            enabled: true,
                            msa: None,
                            names: None,
                            licenses: vec![],
                        });
                        t.users[i].id.clone()
                    }
                };
                OrgUser {
                    id: key.clone(),
                    display_name: u.display_name.clone(),
                    msa_email: None,
                    origin: Origin::Aad,
                    origin_id: oid,
                    principal_name: u.email.clone(),
                    mail: u.email.clone(),
                    descriptor: ids::descriptor("aad", &key),
                    aad_tenant: Some(tid),
                    active: true,
                    remaps: 0,
                    license: u.license.clone(),
                    last_access,
                    created,
                    admin: u.admin,
                    app_kind: None,
                }
            } else {
                add_msa(&u.email, &u.display_name, &mut msa);
                OrgUser {
                    id: key.clone(),
                    display_name: u.display_name.clone(),
                    msa_email: Some(u.email.clone()),
                    origin: Origin::Msa,
                    origin_id: ids::puid(&u.email),
                    principal_name: u.email.clone(),
                    mail: u.email.clone(),
                    descriptor: ids::descriptor("msa", &key),
                    aad_tenant: None,
                    active: true,
                    remaps: 0,
                    license: u.license.clone(),
                    last_access,
                    created,
                    admin: u.admin,
                    app_kind: None,
                }
            };
            users.push(user);
        }
        let owner = users
            .iter()
            .position(|u| u.mail.eq_ignore_ascii_case(&s.org.owner))
            .expect("validated owner");
        let projects = s
            .org
            .projects
            .iter()
            .map(|p| Project {
                id: ids::guid(&["project", &org_id, &p.name]),
                name: p.name.clone(),
                repos: p
                    .repos
                    .iter()
                    .map(|r| (ids::guid(&["repo", &org_id, &p.name, r]), r.clone()))
                    .collect(),
            })
            .collect();
        let endpoints = s
            .org
            .service_connections
            .iter()
            .map(|e| ServiceEndpoint {
                id: ids::guid(&["endpoint", &org_id, &e.project, &e.name]),
                project: e.project.clone(),
                name: e.name.clone(),
                tenant_id: if uuid::Uuid::parse_str(&e.tenant).is_ok() {
                    e.tenant.to_lowercase()
                } else {
                    tenant_id(&e.tenant)
                },
            })
            .collect();
        let pats = s
            .org
            .pats
            .iter()
            .map(|p| Pat {
                owner: p.owner.clone(),
                display_name: p.display_name.clone(),
                global: p.global,
                valid_from: now - Duration::days(10),
                valid_to: now + Duration::days(p.valid_days),
                token: p.token.clone(),
                authorization_id: ids::guid(&["pat", &p.token]),
            })
            .collect();
        let entra_groups = s
            .org
            .entra_groups
            .iter()
            .map(|g| EntraGroup {
                name: g.clone(),
                descriptor: ids::descriptor("aadgp", &ids::guid(&["aadgp", &org_id, g])),
                origin_id: ids::guid(&["aadgp-origin", g]),
            })
            .collect();
        let org = Org {
            pca_descriptor: ids::descriptor("vssgp", &ids::guid(&["pca", &org_id])),
            pvu_descriptor: ids::descriptor("vssgp", &ids::guid(&["pvu", &org_id])),
            id: org_id,
            name: s.org.name.clone(),
            owner,
            tenant: s.org.tenant.as_deref().map(tenant_id),
            users,
            projects,
            endpoints,
            policies: s.org.policies.clone(),
            pats,
            entra_groups,
        };
        let mut world = World {
            scenario: s.name.clone(),
            description: s.description.clone(),
            default_sign_in: s.default_sign_in.clone(),
            tenants,
            msa,
            msa_by_email,
            org,
            invitations: BTreeMap::new(),
            invitation_attempts: BTreeMap::new(),
            remap_attempts: BTreeMap::new(),
            tenant_change_attempts: 0,
            apps: Vec::new(),
        };
        // A scenario that starts connected was connected "by support": no
        // checks, the same effect on users as a connect.
        if let Some(tid) = world.org.tenant.clone()
            && let Some(dest) = world.tenant(&tid).cloned()
        {
            world.link_users(&dest);
        }
        // Service principals join after the link: they were added to the
        // connected organization, never matched by name.
        for sp in &s.service_principals {
            world.add_app(sp, now);
        }
        world
    }

    fn add_app(&mut self, sp: &super::scenario::ServicePrincipalSpec, now: DateTime<Utc>) {
        let tenant_id = ids::guid(&["tenant", &sp.tenant]);
        let client_id = sp
            .client_id
            .clone()
            .unwrap_or_else(|| ids::guid(&["app", &tenant_id, &sp.display_name]));
        let app = App {
            object_id: ids::guid(&["serviceprincipal", &tenant_id, &client_id]),
            client_id: client_id.to_lowercase(),
            tenant_id: tenant_id.clone(),
            display_name: sp.display_name.clone(),
            managed_identity: sp.kind == "managed_identity",
            system_assigned: sp.system_assigned,
            secrets: sp
                .secrets
                .iter()
                .map(|x| (x.value.clone(), now + Duration::days(x.expires_in_days)))
                .collect(),
            certificates: sp
                .certificates
                .iter()
                .filter_map(|pem| pem_der(pem))
                .collect(),
            federated: sp.federated_credentials.clone(),
        };
        if let Some(license) = &sp.org_license {
            let key = ids::guid(&["orguser", &self.org.id, &app.object_id]);
            self.org.users.push(OrgUser {
                id: key.clone(),
                display_name: app.display_name.clone(),
                msa_email: None,
                origin: Origin::Aad,
                origin_id: app.object_id.clone(),
                principal_name: app.client_id.clone(),
                mail: String::new(),
                descriptor: ids::descriptor("aadsp", &key),
                aad_tenant: Some(tenant_id),
                active: true,
                remaps: 0,
                license: license.clone(),
                last_access: Some(now - Duration::hours(1)),
                created: now - Duration::days(30),
                admin: sp.org_admin,
                app_kind: Some(if app.managed_identity {
                    "managedIdentity"
                } else {
                    "application"
                }),
            });
        }
        self.apps.push(app);
    }

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

    /// What a PAT is here.
    pub fn pat_lookup(&self, secret: &str, now: DateTime<Utc>) -> PatLookup {
        let Some(pat) = self.org.pats.iter().find(|p| p.token == secret) else {
            return PatLookup::Unknown;
        };
        if pat.valid_to <= now {
            return PatLookup::Expired;
        }
        self.org
            .users
            .iter()
            .position(|u| {
                u.mail.eq_ignore_ascii_case(&pat.owner)
                    || u.msa_email
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&pat.owner))
            })
            .map_or(PatLookup::Unknown, PatLookup::Owner)
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

    /// Who `who` (a UPN or personal account email) is when signing in to the
    /// authority `tenant` (`organizations`, `common`, `consumers`, an id or a domain).
    pub fn resolve(&self, who: &str, tenant: &str) -> Result<Subject, String> {
        let msa_subject = |m: &Msa| Subject {
            tid: CONSUMERS_TENANT.into(),
            oid: m.oid.clone(),
            upn: m.email.clone(),
            name: m.display_name.clone(),
        };
        let in_tenant = |t: &Tenant, u: &TenantUser| Subject {
            tid: t.id.clone(),
            oid: u.id.clone(),
            upn: u.upn.clone(),
            name: u.display_name.clone(),
        };
        match lc(tenant).as_str() {
            "consumers" | CONSUMERS_TENANT => self
                .msa(who)
                .map(msa_subject)
                .ok_or_else(|| format!("AADSTS50020: User account '{who}' does not exist as a personal Microsoft account.")),
            "organizations" | "common" => {
                if let Some(m) = self.msa(who) {
                    return Ok(msa_subject(m));
                }
                for t in &self.tenants {
                    if let Some(u) = t.user_by_upn(who).filter(|u| u.msa.is_none() && u.user_type == "Member") {
                        return Ok(in_tenant(t, u));
                    }
                }
                Err(format!("AADSTS50034: The user account {who} does not exist in any directory."))
            }
            other => {
                let t = self
                    .tenant(other)
                    .ok_or_else(|| format!("AADSTS90002: Tenant '{other}' not found."))?;
                let u = t.object_for(who).ok_or_else(|| {
                    format!(
                        "AADSTS50020: User account '{who}' does not exist in tenant '{}' and cannot access the application.",
                        t.display_name
                    )
                })?;
                if !u.enabled {
                    return Err("AADSTS50057: The user account is disabled.".into());
                }
                Ok(in_tenant(t, u))
            }
        }
    }

    /// Every identity a person could pick on the sign-in pages.
    pub fn sign_in_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.msa.iter().map(|m| m.email.clone()).collect();
        for t in &self.tenants {
            for u in t.users.iter().take(200) {
                if u.msa.is_none() && !v.iter().any(|x| x.eq_ignore_ascii_case(&u.upn)) {
                    v.push(u.upn.clone());
                }
            }
        }
        v
    }

    /// The active organization user a token's subject is, if any.
    pub fn org_user_for(&self, s: &Subject) -> Option<usize> {
        let org = &self.org;
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

    pub fn is_admin(&self, user: usize) -> bool {
        user == self.org.owner || self.org.users[user].admin
    }

    /// Names a user could appear under in another directory: their sign-in
    /// name and their personal account email.
    fn names_of(&self, user: usize, subject_upn: Option<&str>) -> Vec<String> {
        let u = &self.org.users[user];
        let mut v = vec![u.principal_name.clone()];
        v.extend(u.msa_email.clone());
        v.extend(subject_upn.map(str::to_string));
        v
    }

    /// Connect (or change) the organization to `tenant_id`; `caller` is the
    /// organization user making the request.
    pub fn connect(
        &mut self,
        caller: usize,
        caller_upn: &str,
        tenant_id: &str,
    ) -> Result<(), Refusal> {
        if !self.is_admin(caller) {
            return Err(refusal(
                403,
                "UnauthorizedRequestException",
                "TF400813: Only Project Collection Administrators or the organization owner can change the organization's Microsoft Entra connection.",
            ));
        }
        let Some(dest) = self.tenant(tenant_id).cloned() else {
            return Err(refusal(
                400,
                "InvalidTenantException",
                &format!("VS403282: The tenant '{tenant_id}' was not found."),
            ));
        };
        let names = self.names_of(caller, Some(caller_upn));
        let member = names
            .iter()
            .filter_map(|n| dest.object_for(n))
            .any(|u| u.user_type == "Member" && u.enabled);
        if !member {
            return Err(refusal(
                400,
                "AadTenantLinkException",
                "Only active members of the AAD tenant are allowed to perform the link.",
            ));
        }
        if let Some(src) = self.org.tenant.clone() {
            if src == dest.id {
                return Ok(());
            }
            let in_source = self
                .tenant(&src)
                .is_some_and(|t| names.iter().any(|n| t.object_for(n).is_some()));
            if !in_source {
                return Err(refusal(
                    400,
                    "AadTenantLinkException",
                    "You must be a member or a guest of the organization's current directory to change it.",
                ));
            }
        }
        // No user limit: organizations of more than 100 users can still
        // connect; 100 is the limit of the portal's Resolve page (Microsoft
        // Learn, "Access via Microsoft Entra FAQs", faq-azure-access).
        let changing = self.org.tenant.is_some();
        self.link_users(&dest);
        if changing {
            self.org.entra_groups.clear();
        }
        self.org.tenant = Some(dest.id);
        Ok(())
    }

    /// What a connect does to the users: same-UPN users move to the
    /// directory, everyone else is disconnected (kept, without access).
    fn link_users(&mut self, dest: &Tenant) {
        for u in &mut self.org.users {
            let key = match u.origin {
                Origin::Msa => u
                    .msa_email
                    .clone()
                    .unwrap_or_else(|| u.principal_name.clone()),
                Origin::Aad => u.principal_name.clone(),
            };
            match dest.user_by_upn(&key) {
                Some(tu) => {
                    u.origin = Origin::Aad;
                    u.origin_id = tu.id.clone();
                    u.principal_name = tu.upn.clone();
                    u.aad_tenant = Some(dest.id.clone());
                    u.descriptor = ids::descriptor("aad", &u.id);
                    u.active = true;
                }
                None => u.active = false,
            }
        }
    }

    /// Disconnect: back to personal accounts.
    pub fn disconnect(&mut self, caller: usize) -> Result<(), Refusal> {
        if !self.is_admin(caller) {
            return Err(refusal(
                403,
                "UnauthorizedRequestException",
                "TF400813: Only Project Collection Administrators or the organization owner can disconnect the organization.",
            ));
        }
        if self.org.tenant.is_none() {
            return Ok(());
        }
        let msa_emails: HashMap<String, (String, String)> = self
            .msa
            .iter()
            .map(|m| (lc(&m.email), (m.email.clone(), m.puid.clone())))
            .collect();
        for u in &mut self.org.users {
            let candidates = [u.msa_email.clone(), Some(u.principal_name.clone())];
            let found = candidates
                .iter()
                .flatten()
                .find_map(|e| msa_emails.get(&lc(e)));
            match found {
                Some((email, puid)) => {
                    u.origin = Origin::Msa;
                    u.origin_id = puid.clone();
                    u.principal_name = email.clone();
                    u.msa_email = Some(email.clone());
                    u.aad_tenant = None;
                    u.descriptor = ids::descriptor("msa", &u.id);
                    u.active = true;
                }
                None => u.active = false,
            }
        }
        self.org.entra_groups.clear();
        self.org.tenant = None;
        Ok(())
    }

    /// Add `principal` to the organization with `license` (user entitlements'
    /// POST): an Entra user of the connected directory (by UPN, or the
    /// object standing for a personal account), or, while the organization
    /// is backed by personal accounts, a personal account. A user who is
    /// already there gets the licence. Returns the user's position.
    pub fn add_org_user(
        &mut self,
        principal: &str,
        license: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, String> {
        let existing = self.org.users.iter().position(|u| {
            u.principal_name.eq_ignore_ascii_case(principal)
                || u.msa_email
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(principal))
        });
        if let Some(i) = existing {
            self.org.users[i].license = license.to_string();
            return Ok(i);
        }
        let key = ids::guid(&["orguser", &self.org.id, &lc(principal)]);
        let user = match self.org.tenant.clone() {
            Some(tid) => {
                let t = self.tenant(&tid).expect("connected tenant exists");
                let tu = t.object_for(principal).filter(|u| u.enabled).ok_or_else(|| {
                    format!(
                        "The user '{principal}' was not found in the organization's Microsoft Entra directory ({}).",
                        t.display_name
                    )
                })?;
                OrgUser {
                    id: key.clone(),
                    display_name: tu.display_name.clone(),
                    msa_email: None,
                    origin: Origin::Aad,
                    origin_id: tu.id.clone(),
                    principal_name: tu.upn.clone(),
                    mail: tu.mail.clone().unwrap_or_else(|| tu.upn.clone()),
                    descriptor: ids::descriptor("aad", &key),
                    aad_tenant: Some(tid),
                    active: true,
                    remaps: 0,
                    license: license.to_string(),
                    last_access: None,
                    created: now,
                    admin: false,
                    app_kind: None,
                }
            }
            None => {
                let m = self.msa(principal).ok_or_else(|| {
                    format!(
                        "The user '{principal}' is not a Microsoft account; this organization is backed by Microsoft accounts."
                    )
                })?;
                OrgUser {
                    id: key.clone(),
                    display_name: m.display_name.clone(),
                    msa_email: Some(m.email.clone()),
                    origin: Origin::Msa,
                    origin_id: m.puid.clone(),
                    principal_name: m.email.clone(),
                    mail: m.email.clone(),
                    descriptor: ids::descriptor("msa", &key),
                    aad_tenant: None,
                    active: true,
                    remaps: 0,
                    license: license.to_string(),
                    last_access: None,
                    created: now,
                    admin: false,
                    app_kind: None,
                }
            }
        };
        self.org.users.push(user);
        Ok(self.org.users.len() - 1)
    }

    /// Move a (disconnected) user's rights to the Entra object `oid` of the connected tenant.
    pub fn remap(&mut self, descriptor: &str, oid: &str) -> Result<usize, Refusal> {
        let Some(i) = self.org.user_by_descriptor(descriptor) else {
            return Err(refusal(
                404,
                "GraphSubjectNotFoundException",
                &format!(
                    "VS860015: The subject with descriptor '{descriptor}' could not be found."
                ),
            ));
        };
        let Some(tid) = self.org.tenant.clone() else {
            return Err(refusal(
                400,
                "InvalidOperationException",
                "The organization is not connected to a Microsoft Entra directory; there is nothing to map to.",
            ));
        };
        let t = self.tenant(&tid).expect("connected tenant exists");
        let Some(tu) = t.user_by_id(oid).cloned() else {
            return Err(refusal(
                404,
                "IdentityNotFoundException",
                &format!(
                    "The identity with origin id '{oid}' was not found in the organization's directory."
                ),
            ));
        };
        let taken = self
            .org
            .users
            .iter()
            .position(|u| u.active && u.origin == Origin::Aad && u.origin_id == tu.id);
        if taken.is_some_and(|other| other != i) {
            return Err(refusal(
                409,
                "IdentityAlreadyExistsException",
                &format!(
                    "The identity '{}' already has access as another user of this organization.",
                    tu.upn
                ),
            ));
        }
        let u = &mut self.org.users[i];
        u.origin = Origin::Aad;
        u.origin_id = tu.id.clone();
        u.principal_name = tu.upn.clone();
        u.aad_tenant = Some(tid);
        u.descriptor = ids::descriptor("aad", &u.id);
        u.active = true;
        u.remaps += 1;
        Ok(i)
    }
}

/// The DER of the first CERTIFICATE block of a PEM text.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body = pem
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)?
        .split("-----END CERTIFICATE-----")
        .next()?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn refusal(status: u16, type_key: &'static str, message: &str) -> Refusal {
    Refusal {
        status,
        type_key,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(name: &str) -> World {
        World::from_scenario(&Scenario::load(name).unwrap(), Utc::now())
    }

    fn caller(w: &World) -> (usize, String) {
        let s = w.resolve(&w.default_sign_in, "organizations").unwrap();
        (w.org_user_for(&s).expect("owner can use the org"), s.upn)
    }

    #[test]
    fn ready_connect_keeps_everyone() {
        let mut w = world("ready");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(c, &upn, &t).unwrap();
        assert!(
            w.org
                .users
                .iter()
                .all(|u| u.active && u.origin == Origin::Aad)
        );
        // The old personal sign-in no longer works; the Entra one does.
        assert!(
            w.org_user_for(&w.resolve("ann@fabrikam.com", "organizations").unwrap())
                .is_none()
        );
        let entra = w.resolve("ann@fabrikam.com", &t).unwrap();
        assert_eq!(w.org_user_for(&entra), Some(0));
    }

    #[test]
    fn lockout_owner_loses_access_exactly_as_seed_000() {
        let mut w = world("lockout");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(c, &upn, &t).unwrap();
        let owner_entra = w.resolve("alice@outlook.com", &t).unwrap();
        assert_eq!(owner_entra.tid, t);
        assert!(owner_entra.upn.contains("#EXT#"));
        assert!(
            w.org_user_for(&owner_entra).is_none(),
            "owner is locked out"
        );
        assert!(!w.org.users[w.org.owner].active);
        // Remapping the owner to the #EXT# member restores access.
        let d = w.org.users[w.org.owner].descriptor.clone();
        w.remap(&d, &owner_entra.oid).unwrap();
        assert_eq!(w.org_user_for(&owner_entra), Some(w.org.owner));
        // Disconnect reverses it: the personal account works again.
        w.disconnect(w.org.owner).unwrap();
        let personal = w.resolve("alice@outlook.com", "organizations").unwrap();
        assert_eq!(w.org_user_for(&personal), Some(w.org.owner));
    }

    #[test]
    fn guest_cannot_connect_and_over_100_can() {
        let mut w = world("guest-admin");
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        let e = w.connect(c, &upn, &t).unwrap_err();
        assert!(e.message.contains("Only active members"), "{e:?}");
        assert!(w.org.tenant.is_none());

        let mut w = world("over-100");
        assert_eq!(w.org.users.len(), 150);
        let (c, upn) = caller(&w);
        let t = w.tenants[0].id.clone();
        w.connect(c, &upn, &t).unwrap();
        assert_eq!(w.org.tenant.as_deref(), Some(t.as_str()));
        let active = w.org.users.iter().filter(|u| u.active).count();
        assert_eq!(active, 1, "only the owner has a same-UPN account");
    }

    #[test]
    fn change_tenant_drops_entra_groups_and_needs_membership() {
        let mut w = world("messy");
        let (c, upn) = caller(&w);
        let fab = w.tenant("fabrikam.onmicrosoft.com").unwrap().id.clone();
        let nw = w.tenant("northwind.com").unwrap().id.clone();
        w.connect(c, &upn, &fab).unwrap();
        w.org.entra_groups.push(EntraGroup {
            name: "Devs".into(),
            descriptor: "aadgp.x".into(),
            origin_id: "x".into(),
        });
        // The owner is only a guest in Northwind: refused, nothing changes.
        let owner = w.resolve("owner@fabrikam.com", &fab).unwrap();
        let c = w.org_user_for(&owner).unwrap();
        assert!(w.connect(c, &owner.upn, &nw).is_err());
        assert_eq!(w.org.tenant.as_deref(), Some(fab.as_str()));
        assert_eq!(w.org.entra_groups.len(), 1);
    }
}
