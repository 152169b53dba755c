//! Generated scenarios: one large organization (`--users N --tenant-users
//! M`), or a fleet of organizations (`--orgs N`) with a mix of backings,
//! sizes and owners. Deterministic for a seed.

use super::*;

/// Parameters of a generated scenario (`--users N --tenant-users M --seed S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generate {
    pub users: usize,
    pub tenant_users: usize,
    pub seed: u64,
    /// Start connected to the generated tenant (as support would connect an
    /// organization of more than 100 users).
    pub connected: bool,
    /// Percent of the users licensed as Visual Studio subscribers (through
    /// MSDN, so no account `licenseId` filter finds them).
    pub subscribers: u8,
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const GIVEN: [&str; 24] = [
    "Ada", "Bo", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea", "Mo",
    "Nia", "Oskar", "Pia", "Quin", "Rae", "Sol", "Tove", "Uma", "Vik", "Wen", "Yara",
];

/// The members of a generated directory: `u000000@{domain}` and on, each
/// with a display name drawn from `rng`; one in fifty is disabled.
fn members(rng: &mut XorShift, domain: &str, n: usize) -> Vec<TenantUserSpec> {
    (0..n)
        .map(|i| {
            let given = GIVEN[(rng.below(GIVEN.len() as u64)) as usize];
            let display = format!("{given} Gen{i:06}");
            let upn = format!("u{i:06}@{domain}");
            TenantUserSpec {
                mail: Some(upn.clone()),
                proxy_addresses: vec![format!("SMTP:{upn}")],
                other_mails: vec![],
                upn,
                display_name: display,
                user_type: "Member".into(),
                enabled: rng.below(50) != 0,
                msa: None,
                created_minutes_ago: None,
                given_name: None,
                surname: None,
                licenses: vec![],
            }
        })
        .collect()
}

/// `n` personal-account users against `tenant` (whose first entry is not
/// drawn): about 80 % of their emails equal a UPN there, 10 % are only
/// another mail of an account (added to it), 5 % share only the display
/// name, 5 % match nothing. `start` offsets the stride, so organizations of
/// a fleet draw different people; `used` keeps addresses unique. A `clean`
/// organization has only same-UPN users, all active in the last month.
fn personal_users(
    rng: &mut XorShift,
    n: usize,
    start: usize,
    tenant: &mut [TenantUserSpec],
    used: &mut std::collections::HashSet<String>,
    subscribers: u8,
    clean: bool,
) -> Vec<OrgUserSpec> {
    let accounts = tenant.len().saturating_sub(1);
    let mut out = Vec::with_capacity(n);
    for i in start..start + n {
        // The user's tenant account: a stride through the tenant (7919 is
        // prime, so distinct users get distinct accounts while there are
        // fewer users than accounts, and nobody's planted match is taken).
        let t = (accounts > 0).then(|| 1 + (i * 7919) % accounts);
        let kind = if clean { 0 } else { rng.below(100) };
        let (email, display) = match t {
            Some(t) if kind < 80 => (tenant[t].upn.clone(), tenant[t].display_name.clone()),
            Some(t) if kind < 90 => {
                let personal = format!("person{i:06}@outlook.example");
                tenant[t].other_mails.push(personal.clone());
                (personal, tenant[t].display_name.clone())
            }
            Some(t) if kind < 95 => (
                format!("nick{i:06}@hotmail.example"),
                tenant[t].display_name.clone(),
            ),
            _ => (
                format!("stranger{i:06}@gmail.example"),
                format!("Stranger {i}"),
            ),
        };
        // Two users never share an address (one account, one user).
        let (email, display) = if used.insert(email.to_lowercase()) {
            (email, display)
        } else {
            let s = format!("stranger{i:06}@gmail.example");
            used.insert(s.clone());
            (s, format!("Stranger {i}"))
        };
        out.push(OrgUserSpec {
            email,
            display_name: display,
            origin: "msa".into(),
            tenant: None,
            // The subscriber draw only happens when asked for, so the
            // generated organizations of a seed stay as they were.
            license: if subscribers > 0 && rng.below(100) < u64::from(subscribers) {
                "Visual Studio Subscriber"
            } else if rng.below(4) == 0 {
                "Stakeholder"
            } else {
                "Basic"
            }
            .into(),
            last_access_days: Some(rng.below(if clean { 30 } else { 200 }) as i64),
            created_days: 300 + rng.below(500) as i64,
            admin: false,
        });
    }
    out
}

fn org_spec(name: String, owner: String, tenant: Option<&str>, users: Vec<OrgUserSpec>) -> OrgSpec {
    OrgSpec {
        name,
        owner,
        tenant: tenant.map(str::to_string),
        users,
        generated_users: 0,
        projects: vec![ProjectSpec {
            name: "Platform".into(),
            repos: vec!["platform".into()],
        }],
        service_connections: vec![],
        policies: Default::default(),
        pats: vec![],
        entra_groups: vec![],
        pat_policy_allowlist: vec![],
        ssh_keys: vec![],
        variable_groups: vec![],
        agent_pools: vec![],
    }
}

fn person(
    email: &str,
    display_name: &str,
    origin: &str,
    tenant: Option<&str>,
    admin: bool,
) -> OrgUserSpec {
    OrgUserSpec {
        email: email.to_string(),
        display_name: display_name.to_string(),
        origin: origin.into(),
        tenant: tenant.map(str::to_string),
        license: "Basic".into(),
        last_access_days: Some(1),
        created_days: 900,
        admin,
    }
}

fn rng_for(seed: u64) -> XorShift {
    XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
}

/// A deterministic large scenario: an organization of `users` personal accounts
/// and a destination tenant of `tenant_users`. Most users' email equals a tenant
/// UPN; some match only by mail or other mails, some only by name, some not at all.
pub fn generate(g: Generate) -> Scenario {
    let mut rng = rng_for(g.seed);
    let domain = "contoso.example";
    let owner = format!("owner@{domain}");
    let mut tenant_users = Vec::with_capacity(g.tenant_users.max(1) + 1);
    tenant_users.push(TenantUserSpec {
        upn: owner.clone(),
        display_name: "Owner Generated".into(),
        mail: Some(owner.clone()),
        other_mails: vec![],
        proxy_addresses: vec![format!("SMTP:{owner}")],
        user_type: "Member".into(),
        enabled: true,
        msa: None,
        created_minutes_ago: None,
        given_name: None,
        surname: None,
        licenses: vec![],
    });
    tenant_users.extend(members(&mut rng, domain, g.tenant_users));
    let mut used = std::collections::HashSet::from([owner.clone()]);
    let mut org_users = vec![person(&owner, "Owner Generated", "msa", None, true)];
    org_users.extend(personal_users(
        &mut rng,
        g.users,
        0,
        &mut tenant_users,
        &mut used,
        g.subscribers,
        false,
    ));
    Scenario {
        name: format!("generated-{}-{}-{}", g.users, g.tenant_users, g.seed),
        description: "Generated large organization".into(),
        default_sign_in: owner.clone(),
        tenants: vec![contoso(tenant_users)],
        msa_accounts: org_users
            .iter()
            .map(|u| MsaSpec {
                email: u.email.clone(),
                display_name: u.display_name.clone(),
            })
            .collect(),
        org: org_spec(
            "contoso-generated".into(),
            owner,
            g.connected.then_some("contoso"),
            org_users,
        ),
        orgs: vec![],
        service_principals: vec![],
        recovery: Default::default(),
    }
}

fn contoso(users: Vec<TenantUserSpec>) -> TenantSpec {
    TenantSpec {
        key: "contoso".into(),
        display_name: "Contoso (generated)".into(),
        initial_domain: "contosogen.onmicrosoft.com".into(),
        domains: vec!["contoso.example".into()],
        cloud: "public".into(),
        users,
        roles: Default::default(),
        devops_policies: Default::default(),
        allow_invites_from: None,
    }
}

/// Parameters of a generated fleet (`--orgs N --users U --tenant-users M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fleet {
    pub orgs: usize,
    /// Users of the largest organizations.
    pub users: usize,
    /// Members of the new directory (Contoso).
    pub tenant_users: usize,
    pub seed: u64,
    /// Every organization of `users` users, all backed by personal accounts
    /// (the benchmark's fleet); otherwise sizes and backings are mixed.
    pub uniform: bool,
}

/// Names organizations of a fleet are built from.
const ORG_WORDS: [&str; 8] = [
    "adatum",
    "alpine",
    "fourth",
    "litware",
    "proseware",
    "tailspin",
    "wingtip",
    "woodgrove",
];

/// Who signs in to a generated fleet: a personal account of the same
/// address as the person's Contoso account (a member of the new
/// directory), a guest of the old one (Fabrikam), administrator of most
/// organizations.
pub const FLEET_ADMIN: &str = "admin@contoso.example";

/// A fleet after a merger: organizations on personal accounts (three in
/// five; one in three of them clean, every user a same-UPN user active
/// this month), on the old directory Fabrikam (one in five) and already on
/// the new one, Contoso (one in five); sizes of `users`, half, a quarter
/// and an eighth; every organization has its own owner (on personal
/// accounts, one in two owners has a Contoso account of the same address);
/// the signed-in administrator ([`FLEET_ADMIN`]) administers all but one in
/// seven. A `uniform` fleet is all clean personal organizations of `users`.
pub fn generate_fleet(f: Fleet) -> Scenario {
    let mut rng = rng_for(f.seed);
    let admin_upn = FLEET_ADMIN;
    let guest_upn = "admin_contoso.example#EXT#@fabrikamgen.onmicrosoft.com";
    let mut contoso_users = vec![TenantUserSpec {
        upn: admin_upn.into(),
        display_name: "Fleet Admin".into(),
        mail: Some(admin_upn.into()),
        other_mails: vec![],
        proxy_addresses: vec![format!("SMTP:{admin_upn}")],
        user_type: "Member".into(),
        enabled: true,
        msa: Some(FLEET_ADMIN.into()),
        created_minutes_ago: None,
        given_name: None,
        surname: None,
        licenses: vec![],
    }];
    contoso_users.extend(members(&mut rng, "contoso.example", f.tenant_users));
    let fabrikam_users = vec![TenantUserSpec {
        upn: guest_upn.into(),
        display_name: "Fleet Admin".into(),
        mail: Some(FLEET_ADMIN.into()),
        other_mails: vec![FLEET_ADMIN.into()],
        proxy_addresses: vec![],
        user_type: "Guest".into(),
        enabled: true,
        msa: Some(FLEET_ADMIN.into()),
        created_minutes_ago: None,
        given_name: None,
        surname: None,
        licenses: vec![],
    }];
    let mut orgs = Vec::with_capacity(f.orgs);
    for o in 0..f.orgs.max(1) {
        let size = if f.uniform {
            f.users
        } else {
            (f.users >> (o % 4)).max(3)
        };
        let backing = if f.uniform {
            None
        } else {
            match o % 5 {
                3 => Some("fabrikam"),
                4 => Some("contoso"),
                _ => None,
            }
        };
        let name = format!("{}-{o:02}", ORG_WORDS[o % ORG_WORDS.len()]);
        let admin = o % 7 != 6;
        let others = size.saturating_sub(2);
        let accounts = contoso_users.len().saturating_sub(1).max(1);
        let (owner, mut users) = match backing {
            None => {
                // One owner in two has a Contoso account of the same address.
                let owner = if o % 2 == 0 && contoso_users.len() > 1 {
                    contoso_users[1 + (o * 104_729) % accounts].upn.clone()
                } else {
                    format!("owner{o:03}@outlook.example")
                };
                let mut users = vec![
                    person(&owner, &format!("Owner {o:03}"), "msa", None, true),
                    person(FLEET_ADMIN, "Fleet Admin", "msa", None, admin),
                ];
                let mut mine = std::collections::HashSet::from([
                    owner.to_lowercase(),
                    FLEET_ADMIN.to_string(),
                ]);
                // One personal organization in three is clean: ready to go.
                let clean = o % 3 == 0 || f.uniform;
                users.extend(personal_users(
                    &mut rng,
                    others,
                    o * f.users,
                    &mut contoso_users,
                    &mut mine,
                    0,
                    clean,
                ));
                (owner, users)
            }
            Some("fabrikam") => {
                let owner = format!("owner{o:03}@fabrikam.example");
                let mut users = vec![
                    person(
                        &owner,
                        &format!("Owner {o:03}"),
                        "aad",
                        Some("fabrikam"),
                        true,
                    ),
                    person(guest_upn, "Fleet Admin", "aad", Some("fabrikam"), admin),
                ];
                users.extend((0..others).map(|i| {
                    let mut u = person(
                        &format!("f{o:03}x{i:05}@fabrikam.example"),
                        &format!("Fabrikam {o:03} {i:05}"),
                        "aad",
                        Some("fabrikam"),
                        false,
                    );
                    u.last_access_days = Some(rng.below(200) as i64);
                    u
                }));
                (owner, users)
            }
            Some(_) => {
                let pick =
                    |k: usize| contoso_users[1 + (o * 104_729 + k * 7919) % accounts].clone();
                let owner = pick(0);
                let mut users = vec![
                    person(
                        &owner.upn,
                        &owner.display_name,
                        "aad",
                        Some("contoso"),
                        true,
                    ),
                    person(admin_upn, "Fleet Admin", "aad", Some("contoso"), admin),
                ];
                let mut mine = std::collections::HashSet::from([
                    owner.upn.to_lowercase(),
                    admin_upn.to_string(),
                ]);
                for k in 1..=others {
                    let t = pick(k);
                    if mine.insert(t.upn.to_lowercase()) {
                        users.push(person(
                            &t.upn,
                            &t.display_name,
                            "aad",
                            Some("contoso"),
                            false,
                        ));
                    }
                }
                (owner.upn, users)
            }
        };
        users.dedup_by(|a, b| a.email.eq_ignore_ascii_case(&b.email));
        orgs.push(org_spec(name, owner, backing, users));
    }
    let mut all = orgs.into_iter();
    let first = all.next().expect("at least one organization");
    Scenario {
        name: format!("fleet-{}-{}-{}-{}", f.orgs, f.users, f.tenant_users, f.seed),
        description: "Generated fleet: organizations on personal accounts, on the old directory (Fabrikam) and on the new one (Contoso)".into(),
        default_sign_in: FLEET_ADMIN.into(),
        tenants: vec![
            contoso(contoso_users),
            TenantSpec {
                key: "fabrikam".into(),
                display_name: "Fabrikam (old directory)".into(),
                initial_domain: "fabrikamgen.onmicrosoft.com".into(),
                domains: vec!["fabrikam.example".into()],
                cloud: "public".into(),
                users: fabrikam_users,
                roles: Default::default(),
                devops_policies: Default::default(),
                allow_invites_from: None,
            },
        ],
        msa_accounts: vec![MsaSpec {
            email: FLEET_ADMIN.into(),
            display_name: "Fleet Admin".into(),
        }],
        org: first,
        orgs: all.collect(),
        service_principals: vec![],
        recovery: Default::default(),
    }
}
