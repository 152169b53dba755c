//! Building the world from a scenario (or the generator's scenario): ids
//! derived from names, tenants indexed, organization users, projects,
//! service principals; a scenario that starts connected is linked as if
//! support had connected it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::super::ids;
use super::super::scenario::Scenario;
use super::*;

impl World {
    /// The world a scenario describes; its directories' users are moved
    /// in, not copied (a million of them must fit twice over otherwise).
    pub fn from_scenario(mut s: Scenario, now: DateTime<Utc>) -> Self {
        let impact = Impact::from_tenants(&s.tenants, now);
        let mut tenants: Vec<Tenant> = s
            .tenants
            .iter_mut()
            .map(|t| {
                let id = ids::guid(&["tenant", &t.key]);
                let users = std::mem::take(&mut t.users)
                    .into_iter()
                    .map(|u| TenantUser {
                        id: ids::guid(&["user", &id, &lc(&u.upn)]),
                        upn: u.upn,
                        display_name: u.display_name,
                        mail: u.mail,
                        other_mails: u.other_mails,
                        proxy_addresses: u.proxy_addresses,
                        user_type: u.user_type,
                        enabled: u.enabled,
                        msa: u.msa,
                        invitation: None,
                        names: (u.given_name.is_some() || u.surname.is_some())
                            .then(|| (u.given_name.flatten(), u.surname.flatten())),
                        licenses: u.licenses,
                    })
                    .collect();
                Tenant::new(
                    id,
                    t.key.clone(),
                    t.display_name.clone(),
                    t.initial_domain.clone(),
                    t.domains.clone(),
                    t.cloud.clone(),
                    users,
                )
            })
            .collect();
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
        let mut orgs = Vec::new();
        for spec in s.all_orgs() {
            orgs.push(build_org(spec, now, &mut tenants, &mut |email, name| {
                add_msa(email, name, &mut msa)
            }));
        }
        let mut world = World {
            scenario: s.name.clone(),
            description: s.description.clone(),
            default_sign_in: s.default_sign_in.clone(),
            tenants,
            msa,
            msa_by_email,
            orgs,
            invitations: BTreeMap::new(),
            invitation_attempts: BTreeMap::new(),
            remap_attempts: BTreeMap::new(),
            tenant_change_attempts: 0,
            apps: Vec::new(),
            recovery: Default::default(),
            impact,
        };
        // Checked when the scenario was parsed.
        let tenant_id = |key: &str| ids::guid(&["tenant", key]);
        world.recovery = recovery::Recovery::build(&s.recovery, tenant_id, |tid, upn| {
            world.tenant(tid)?.user_by_upn(upn).map(|u| u.id.clone())
        })
        .unwrap_or_default();
        // Roles a tenant lists (by display name and holders' UPNs) join the
        // same assignments: one store of who holds which role.
        for t in &s.tenants {
            let tid = tenant_id(&t.key);
            for (role, upns) in &t.roles {
                let Some(template) = crate::azure::role_template(role) else {
                    continue; // refused when the scenario was parsed
                };
                let members = upns
                    .iter()
                    .filter_map(|u| world.tenant(&tid)?.user_by_upn(u).map(|x| x.id.clone()))
                    .collect();
                world.recovery.assign(&tid, template, members);
            }
        }
        // A scenario that starts connected was connected "by support": no
        // checks, the same effect on users as a connect.
        for o in 0..world.orgs.len() {
            if let Some(tid) = world.orgs[o].tenant.clone()
                && let Some(dest) = world.tenant(&tid).cloned()
            {
                world.link_users(o, &dest);
            }
        }
        // Service principals join after the link: they were added to the
        // connected organization, never matched by name.
        for sp in &s.service_principals {
            world.add_app(sp, now);
        }
        world
    }

    fn add_app(&mut self, sp: &super::super::scenario::ServicePrincipalSpec, now: DateTime<Utc>) {
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
            let key = ids::guid(&["orguser", &self.orgs[0].id, &app.object_id]);
            self.orgs[0].users.push(OrgUser {
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
}

/// One organization of the scenario, with its users (personal accounts
/// registered through `add_msa`, Entra users added to their tenant when
/// the scenario names one the tenant lacks).
fn build_org(
    spec: &super::super::scenario::OrgSpec,
    now: DateTime<Utc>,
    tenants: &mut [Tenant],
    add_msa: &mut dyn FnMut(&str, &str),
) -> Org {
    let tenant_id = |key: &str| ids::guid(&["tenant", key]);
    let org_id = ids::guid(&["org", &spec.name]);
    let mut users = Vec::new();
    let mut specs = spec.users.clone();
    for i in 0..spec.generated_users {
        specs.push(super::super::scenario::OrgUserSpec {
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
                        invitation: None,
                        names: None,
                        licenses: vec![],
                    });
                    t.users[i].id.clone()
                }
            };
            let who = NewUser::Entra {
                upn: &u.email,
                mail: &u.email,
                oid: &oid,
                tid: &tid,
            };
            OrgUser::new(&key, who, &u.display_name, &u.license, created)
        } else {
            add_msa(&u.email, &u.display_name);
            let who = NewUser::Personal {
                email: &u.email,
                puid: &ids::puid(&u.email),
            };
            OrgUser::new(&key, who, &u.display_name, &u.license, created)
        };
        users.push(OrgUser {
            last_access,
            admin: u.admin,
            ..user
        });
    }
    let owner = users
        .iter()
        .position(|u| u.mail.eq_ignore_ascii_case(&spec.owner))
        .expect("validated owner");
    let projects = spec
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
    let endpoints = spec
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
    let pats = spec
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
    let entra_groups = spec
        .entra_groups
        .iter()
        .map(|g| EntraGroup {
            name: g.clone(),
            descriptor: ids::descriptor("aadgp", &ids::guid(&["aadgp", &org_id, g])),
            origin_id: ids::guid(&["aadgp-origin", g]),
        })
        .collect();
    let mut org = Org {
        pca_descriptor: ids::descriptor("vssgp", &ids::guid(&["pca", &org_id])),
        pvu_descriptor: ids::descriptor("vssgp", &ids::guid(&["pvu", &org_id])),
        id: org_id,
        name: spec.name.clone(),
        owner,
        tenant: spec.tenant.as_deref().map(tenant_id),
        users,
        projects,
        endpoints,
        policies: spec.policies.clone(),
        pats,
        entra_groups,
        impact: Default::default(),
    };
    org.impact = OrgImpact::from_spec(spec, &org, tenants, now);
    org
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
