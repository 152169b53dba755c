//! Recovering an organization whose owner is locked out: find out, from
//! whatever sign-ins the person can still make, what state the organization
//! and the person are in ([`diagnose`]), then carry out the ways back
//! ([`ways`]). The judgement is the domain's ([`crate::domain::recover`]);
//! this module reads Azure and remembers across runs ([`record`]).
//!
//! What is read, with one sign-in:
//! - the organization's directory from the anonymous probe's
//!   `X-VSS-ResourceTenant`, its names from Graph `/organization`;
//! - the verdict for the sign-in as it is ([`verify::verify`], whose
//!   [`crate::domain::verify::classify`] tells a wrong sign-in from a
//!   refusal), and for the same person moved into the organization's
//!   directory (refresh token to that tenant), with `/me` there (Member or
//!   Guest, and the UPN);
//! - the owner as Azure DevOps records it (the organization when it answers,
//!   else the directory's Enterprise catalog, else the journal);
//! - the owner's address looked up in the directory; the holders of the
//!   Azure DevOps Administrator and Global Administrator roles; the
//!   Project Collection Administrators when some identity gets in.

pub mod record;
pub mod ways;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::model::Problem;
use super::verify::{self, Verification};
use crate::client::auth::{AuthError, SignInMethod, TokenProvider};
use crate::client::graph::recovery::{AZURE_DEVOPS_ADMINISTRATOR, GLOBAL_ADMINISTRATOR};
use crate::client::{ClientError, Clients};
use crate::domain::directory::Backing;
use crate::domain::recover::{
    self as domain, Assessment, Facts, Holders, Identity, InTenant, Kind, Owner, Person, Tenant,
    Urls, WhoCanHelp,
};
use crate::domain::verify::{Access, SignedIn};
use crate::paths::StatePaths;

pub use record::Record;
pub use ways::{Action, Outcome, Progress, WayOptions};

/// What a diagnosis found, with the ways back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The organization.
    pub org: String,
    /// What the assessment looked at.
    pub facts: Facts,
    /// The verdict and the ways.
    pub assessment: Assessment,
    /// The services' refusals and errors, with request ids.
    pub probes: Vec<String>,
}

impl Report {
    /// The stable `--json` document: `state`, `tenant`, `identities`,
    /// `who_can_help`, `ways` (each with `status`), and the rest.
    pub fn to_json(&self) -> serde_json::Value {
        let f = &self.facts;
        serde_json::json!({
            "org": self.org,
            "state": self.assessment.state.name(),
            "headline": self.assessment.headline,
            "tenant": f.tenant,
            "owner": f.owner,
            "org_id": f.org_id,
            "identities": f.identities,
            "who_can_help": f.who_can_help,
            "invitation": f.invitation,
            "ways": self.assessment.ways,
            "tried": f.tried,
            "probes": self.probes,
        })
    }

    /// The way `id`.
    pub fn way(&self, id: domain::WayId) -> Option<&domain::Way> {
        self.assessment.ways.iter().find(|w| w.id == id)
    }

    /// The identity in use now.
    pub fn current(&self) -> Option<&Identity> {
        self.facts.identities.iter().find(|i| i.current)
    }
}

/// The signed-in clients of the same person moved into `tenant` (a refresh
/// token exchanged there), leaving `c` as it is.
pub async fn clients_in_tenant(c: &Clients, tenant: &str) -> Result<Clients, ClientError> {
    let snapshot = c
        .tokens
        .snapshot()
        .await
        .ok_or(ClientError::Auth(AuthError::NotSignedIn))?;
    let provider = TokenProvider::new(Some(snapshot), c.tokens.oauth(), None);
    provider.use_tenant(tenant).await?;
    Ok(Clients::new(c.core.clone(), c.endpoints.clone(), provider))
}

/// Entra's answers for a person with no account in the tenant (or a guest
/// whose invitation is not accepted yet).
fn not_in_tenant(e: &ClientError) -> bool {
    let ClientError::Auth(AuthError::Refused {
        code, description, ..
    }) = e
    else {
        return false;
    };
    let found = crate::client::auth::app::find_aadsts(code)
        .or_else(|| crate::client::auth::app::find_aadsts(description));
    found.is_some_and(|c| {
        ["AADSTS50020", "AADSTS50034", "AADSTS90072", "AADSTS500211"].contains(&c.as_str())
    })
}

/// Whether `address` (a sign-in address or a guest's `#EXT#` UPN) is the
/// person at `owner` ([`SignedIn::is`]'s rule).
fn same_person(address: &str, owner: &str) -> bool {
    SignedIn::Personal {
        address: address.to_string(),
    }
    .is(owner)
}

/// One line for the support package from a verification.
fn probe_lines(who: &str, v: &Verification, at: DateTime<Utc>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = &v.error {
        out.push(format!(
            "{} as {who}: {}{}{}",
            at.format("%Y-%m-%d %H:%M UTC"),
            e.status.map(|s| format!("HTTP {s} ")).unwrap_or_default(),
            e.code
                .as_deref()
                .map(|c| format!("{c} "))
                .unwrap_or_default(),
            e.request_id
                .as_deref()
                .map(|r| format!("(request id {r})"))
                .unwrap_or_else(|| crate::client::error::truncate(&e.message, 120))
        ));
    }
    out
}

/// A verification's probes as evidence lines ("✔ profile: answers").
fn evidence_of(v: &Verification) -> Vec<String> {
    v.probes
        .iter()
        .map(|p| {
            format!(
                "{} {}: {}",
                if p.ok { "✔" } else { "✘" },
                p.what,
                crate::client::error::truncate(&p.detail, 160)
            )
        })
        .collect()
}

/// The owner's address as it reads in a verification, with where from.
fn owner_of(v: &Verification, journal_dir: &Path) -> Option<Owner> {
    let address = v.owner.clone()?;
    let source = if verify::last_known_owner(journal_dir, &v.org).as_deref() == Some(&address) {
        "journal"
    } else if v.ok() {
        "azure_devops"
    } else {
        "enterprise_catalog"
    };
    Some(Owner {
        address,
        source: source.into(),
    })
}

/// Who holds `template` in the directory, as `ct` may read it.
async fn role_holders(ct: &Clients, template: &str, by: &str) -> Holders {
    match ct.graph.directory_role_members(template).await {
        Ok(users) => Holders::Read {
            people: users
                .into_iter()
                .map(|u| Person {
                    display_name: u.display_name.unwrap_or_default(),
                    address: u.user_principal_name.or(u.mail).unwrap_or(u.id),
                })
                .collect(),
            read_by: by.to_string(),
        },
        Err(e) => Holders::Unreadable {
            by: by.to_string(),
            reason: match (e.status(), e.code()) {
                (Some(s), Some(c)) => format!("Microsoft Graph answered {s} {c}"),
                _ => e.to_string(),
            },
        },
    }
}

/// The organization's Project Collection Administrators who still get in
/// (users of the connected directory; in a connected organization a user of
/// personal-account origin is disconnected).
async fn active_pcas(c: &Clients, org: &str, tenant: Option<&str>, by: &str) -> Holders {
    let read = async {
        let Some(pca) = c.ado.project_collection_admins(org).await? else {
            return Ok::<_, ClientError>(Vec::new());
        };
        let mut people = Vec::new();
        for d in c.ado.group_user_members(org, &pca.descriptor).await? {
            let Some(u) = c.ado.graph_user(org, &d).await? else {
                continue;
            };
            let active = match tenant {
                Some(t) => u.origin == "aad" && u.domain.eq_ignore_ascii_case(t),
                None => u.origin == "msa",
            };
            if active {
                people.push(Person {
                    display_name: u.display_name,
                    address: u.principal_name,
                });
            }
        }
        Ok(people)
    };
    match read.await {
        Ok(people) => Holders::Read {
            people,
            read_by: by.to_string(),
        },
        Err(e) => Holders::Unreadable {
            by: by.to_string(),
            reason: e.to_string(),
        },
    }
}

/// How `address` stands in the directory `ct` is signed in to.
async fn look_up(ct: &Clients, address: &str) -> InTenant {
    match ct.graph.find_users_by_email(address).await {
        Ok(users) => match users.into_iter().next() {
            None => InTenant::Absent,
            Some(u) => {
                let upn = u.user_principal_name.clone().unwrap_or_default();
                if u.user_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
                {
                    match ct.graph.guest_state(&u.id).await {
                        Ok(g) if !g.accepted() => InTenant::Invited { upn },
                        _ => InTenant::Guest { upn },
                    }
                } else {
                    InTenant::Member { upn }
                }
            }
        },
        Err(e) => InTenant::Unknown {
            reason: e.to_string(),
        },
    }
}

/// When `org` was last connected (or moved), from the journal.
pub fn connected_at(journal_dir: &Path, org: &str) -> Option<DateTime<Utc>> {
    crate::domain::journal::newest(journal_dir, |_, r| {
        (["connect", "change-tenant"].contains(&r.op.as_str())
            && r.org.eq_ignore_ascii_case(org)
            && r.finished)
            .then_some(r.started)
    })
}

/// Diagnose `org` with the sign-in of `c`, remembering it with the earlier
/// ones (the record is saved).
pub async fn diagnose(c: &Clients, org: &str, paths: &StatePaths) -> Result<Report, Problem> {
    if c.tokens.method().await == Some(SignInMethod::Pat) {
        return Err(Problem::msg(
            "A personal access token cannot be used to recover an organization: sign in as a person (`ado-entra login --tenant consumers` for a personal account, `ado-entra login` for a work account).",
        ));
    }
    let Some(who) = verify::signed_in(c).await else {
        return Err(Problem {
            next_step: Some(
                "Sign in with whatever account you still can: `ado-entra login --tenant consumers` (personal Microsoft account) or `ado-entra login` (work account); ado-entra remembers each one.".into(),
            ),
            ..Problem::msg("Not signed in.")
        });
    };
    let jdir = paths.journal_dir();
    let now = Utc::now();
    let mut rec = record::load(paths, org);
    let v_now = verify::verify(c, org, who.clone(), &jdir).await;
    let address = who.address().unwrap_or_default().to_string();
    for l in probe_lines(&address, &v_now, now) {
        rec.probe(l);
    }
    let urls = Urls {
        org: crate::client::endpoints::join(&c.endpoints.dev, &[org]).to_string(),
        back_door: crate::client::endpoints::join(&c.endpoints.aex_web, &["me"]).to_string(),
    };
    if v_now.access == Access::Missing {
        let facts = Facts {
            missing: true,
            ..facts_of(&rec, org, urls, false, None)
        };
        let assessment = domain::assess(&facts);
        return Ok(Report {
            org: org.into(),
            facts,
            assessment,
            probes: rec.probes,
        });
    }
    let (kind, home) = match &who {
        SignedIn::Personal { .. } => (Kind::Personal, None),
        SignedIn::Tenant { tenant, .. } => (Kind::Work, Some(tenant.to_string())),
        SignedIn::Pat => unreachable!("refused above"),
    };
    let tenant_id = v_now
        .backing
        .as_ref()
        .and_then(Backing::tenant_id)
        .map(|t| t.to_string());
    let connected = tenant_id.is_some();
    let mut owner = owner_of(&v_now, &jdir);
    let mut in_tenant = InTenant::Unknown {
        reason: "not connected to a directory".into(),
    };
    let mut in_directory = None;
    let mut evidence = evidence_of(&v_now);
    let mut ado_admin = false;
    let mut works_in: Option<Clients> = v_now.ok().then(|| c.clone());
    if let Some(t) = &tenant_id {
        let moved = if home.as_deref() == Some(t.as_str()) {
            Ok(c.clone())
        } else {
            clients_in_tenant(c, t).await
        };
        match moved {
            Ok(ct) => {
                let who_t = verify::signed_in(&ct).await.unwrap_or(who.clone());
                let v_t = if home.as_deref() == Some(t.as_str()) {
                    v_now.clone()
                } else {
                    let v = verify::verify(&ct, org, who_t.clone(), &jdir).await;
                    for l in probe_lines(who_t.address().unwrap_or_default(), &v, now) {
                        rec.probe(l);
                    }
                    v
                };
                if v_t.ok() && works_in.is_none() {
                    works_in = Some(ct.clone());
                }
                let upn_t = who_t.address().unwrap_or_default().to_string();
                match ct.graph.me().await {
                    Ok(me) => {
                        let upn = me.user_principal_name.clone().unwrap_or(upn_t.clone());
                        in_tenant = if me
                            .user_type
                            .as_deref()
                            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
                        {
                            InTenant::Guest { upn }
                        } else {
                            InTenant::Member { upn }
                        };
                    }
                    Err(e) => {
                        in_tenant = InTenant::Unknown {
                            reason: e.to_string(),
                        }
                    }
                }
                if owner.is_none() {
                    owner = owner_of(&v_t, &jdir);
                }
                in_directory = (home.as_deref() != Some(t.as_str())).then(|| v_t.access.clone());
                if in_directory.is_some() {
                    evidence = evidence_of(&v_t);
                }
                read_directory(&ct, org, t, &upn_t, &mut rec, &mut ado_admin).await;
            }
            Err(e) if not_in_tenant(&e) => {
                let invited = rec.invitation.as_ref().is_some_and(|i| {
                    i.address.eq_ignore_ascii_case(&address) && i.accepted != Some(true)
                });
                in_tenant = if invited {
                    InTenant::Invited { upn: String::new() }
                } else {
                    InTenant::Absent
                };
                rec.probe(format!(
                    "{} as {address}: sign-in to the directory {t} refused: {e}",
                    now.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            Err(e) => {
                in_tenant = InTenant::Unknown {
                    reason: e.to_string(),
                }
            }
        }
    }
    if let Some(o) = owner.clone() {
        rec.owner = Some(o);
    }
    let owner_address = rec.owner.as_ref().map(|o| o.address.clone());
    let is_owner = owner_address
        .as_deref()
        .map(|o| who.is(o) || in_tenant.upn().is_some_and(|u| same_person(u, o)));
    if let Some(ct) = &works_in
        && connected
    {
        rec.who_can_help
            .get_or_insert_with(WhoCanHelp::default)
            .project_collection_administrators =
            active_pcas(ct, org, tenant_id.as_deref(), &address).await;
    }
    let upn_note = in_tenant.upn().and_then(domain::ext_upn_note);
    rec.remember(Identity {
        address: address.clone(),
        kind,
        home_tenant: home,
        in_tenant,
        upn_note,
        signed_in: v_now.access.clone(),
        in_directory,
        is_owner,
        azure_devops_administrator: ado_admin,
        current: true,
        evidence,
        checked_at: now,
    });
    // Earlier identities: whether they are the owner, now it is known.
    if let Some(o) = &owner_address {
        for i in rec.identities.iter_mut().filter(|i| i.is_owner.is_none()) {
            i.is_owner = Some(
                same_person(&i.address, o) || i.in_tenant.upn().is_some_and(|u| same_person(u, o)),
            );
        }
    }
    if let Some(t) = &tenant_id {
        let known = rec.tenant.get_or_insert_with(|| Tenant {
            id: t.clone(),
            display_name: None,
            domains: Vec::new(),
            evidence: Vec::new(),
        });
        if known.id != *t {
            *known = Tenant {
                id: t.clone(),
                display_name: None,
                domains: Vec::new(),
                evidence: Vec::new(),
            };
        }
        let evidence = format!(
            "the id: X-VSS-ResourceTenant on the anonymous probe of {}",
            urls.org
        );
        if !known.evidence.contains(&evidence) {
            known.evidence.insert(0, evidence);
        }
    }
    if let Err(e) = record::save(paths, &rec) {
        tracing::warn!(error = %e, "recovery record not saved");
    }
    let mut facts = facts_of(&rec, org, urls, connected, connected_at(&jdir, org));
    facts.missing = false;
    let assessment = domain::assess(&facts);
    Ok(Report {
        org: org.into(),
        facts,
        assessment,
        probes: rec.probes,
    })
}

/// Read what an identity of the directory may: its names, the Enterprise
/// catalog (organization id, owner), the owner's address there, the role
/// holders, the invitation's state.
async fn read_directory(
    ct: &Clients,
    org: &str,
    tenant: &str,
    by: &str,
    rec: &mut Record,
    ado_admin: &mut bool,
) {
    let me_id = ct.graph.me().await.map(|m| m.id).unwrap_or_default();
    if let Ok(o) = ct.graph.organization().await {
        let t = rec.tenant.get_or_insert_with(|| Tenant {
            id: tenant.to_string(),
            display_name: None,
            domains: Vec::new(),
            evidence: Vec::new(),
        });
        if t.id == tenant {
            t.display_name = o.display_name.clone().filter(|n| !n.is_empty());
            t.domains = o.verified_domains.iter().map(|d| d.name.clone()).collect();
            let ev = format!("the names: Microsoft Graph /organization, read as {by}");
            if !t.evidence.contains(&ev) {
                t.evidence.push(ev);
            }
        }
    }
    if let Ok(list) = ct.ado.enterprise_catalog(tenant).await
        && let Some(row) = list.into_iter().find(|o| o.name.eq_ignore_ascii_case(org))
    {
        rec.org_id = Some(row.id.clone()).filter(|i| !i.trim().is_empty());
        if !row.owner.trim().is_empty() && rec.owner.is_none() {
            rec.owner = Some(Owner {
                address: row.owner.trim().to_string(),
                source: "enterprise_catalog".into(),
            });
        }
    }
    let ado = role_holders(ct, AZURE_DEVOPS_ADMINISTRATOR, by).await;
    let global = role_holders(ct, GLOBAL_ADMINISTRATOR, by).await;
    if let Some(people) = ado.people() {
        *ado_admin = people.iter().any(|p| p.address.eq_ignore_ascii_case(by))
            || (!me_id.is_empty() && people.iter().any(|p| p.address == me_id));
    }
    let help = rec.who_can_help.get_or_insert_with(WhoCanHelp::default);
    // A read answer is kept over a refusal seen with another identity.
    if ado.people().is_some() || help.azure_devops_administrators.people().is_none() {
        help.azure_devops_administrators = ado;
    }
    if global.people().is_some() || help.global_administrators.people().is_none() {
        help.global_administrators = global;
    }
    if let Some(o) = rec.owner.as_ref().map(|o| o.address.clone()) {
        rec.owner_in_tenant = Some(look_up(ct, &o).await);
    }
    if let Some(inv) = rec.invitation.as_mut()
        && inv.tenant.eq_ignore_ascii_case(tenant)
        && let Ok(g) = ct.graph.guest_state(&inv.user_id).await
    {
        inv.accepted = Some(g.accepted());
    }
}

/// The assessment's facts from the record.
fn facts_of(
    rec: &Record,
    org: &str,
    urls: Urls,
    connected: bool,
    connected_at: Option<DateTime<Utc>>,
) -> Facts {
    Facts {
        org: org.to_string(),
        org_id: rec.org_id.clone(),
        missing: false,
        tenant: rec.tenant.clone().filter(|_| connected),
        connected,
        last_tenant: rec.tenant.as_ref().map(|t| t.id.clone()),
        owner: rec.owner.clone(),
        owner_in_tenant: rec.owner_in_tenant.clone(),
        identities: rec.identities.clone(),
        who_can_help: rec.who_can_help.clone().unwrap_or_default(),
        invitation: rec.invitation.clone(),
        tried: rec.tried.clone(),
        connected_at,
        urls,
    }
}

/// Reports for the wizard's tests and snapshots (fixed ids and times).
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::recover::WayId;
    use crate::domain::verify::Access;

    pub use crate::domain::recover::fixtures::TENANT;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts(identities: Vec<Identity>) -> Facts {
        let reader = "alice_outlook.com#EXT#@contoso.onmicrosoft.com";
        let person = |name: &str, address: &str| Person {
            display_name: name.into(),
            address: address.into(),
        };
        Facts {
            owner_in_tenant: Some(InTenant::Member { upn: reader.into() }),
            who_can_help: WhoCanHelp {
                azure_devops_administrators: Holders::Read {
                    people: vec![person("Dana Devops", "devops-admin@contoso.com")],
                    read_by: reader.into(),
                },
                global_administrators: Holders::Read {
                    people: vec![person("Gil Global", "admin@contoso.com")],
                    read_by: reader.into(),
                },
                ..WhoCanHelp::default()
            },
            ..domain::fixtures::facts(identities)
        }
    }

    fn alice(in_directory: Access) -> Identity {
        let upn = "alice_outlook.com#EXT#@contoso.onmicrosoft.com";
        Identity {
            address: "alice@outlook.com".into(),
            kind: Kind::Personal,
            home_tenant: None,
            in_tenant: InTenant::Member { upn: upn.into() },
            upn_note: domain::ext_upn_note(upn),
            signed_in: Access::WrongSignIn {
                needs: crate::domain::directory::TenantId::parse(TENANT),
            },
            in_directory: Some(in_directory),
            is_owner: Some(true),
            azure_devops_administrator: false,
            current: true,
            evidence: vec![
                "✔ profile: answers".into(),
                "✘ projects: TF400813: the user is not authorized to access this resource".into(),
            ],
            checked_at: at(),
        }
    }

    fn report(facts: Facts) -> Report {
        let assessment = domain::assess(&facts);
        Report {
            org: facts.org.clone(),
            facts,
            assessment,
            probes: vec!["2026-01-02 03:04 UTC as alice@outlook.com: HTTP 401 TF400813".into()],
        }
    }

    /// The owner locked out, signed in with her personal account.
    pub fn locked_out() -> Report {
        report(facts(vec![alice(Access::OwnerLockedOut)]))
    }

    /// The owner's personal account, whose identity in the directory works.
    pub fn wrong_sign_in() -> Report {
        report(facts(vec![alice(Access::Works)]))
    }

    /// The owner's address invited, not accepted yet.
    pub fn invited() -> Report {
        let mut f = facts(vec![Identity {
            in_tenant: InTenant::Absent,
            upn_note: None,
            in_directory: None,
            ..alice(Access::OwnerLockedOut)
        }]);
        f.owner_in_tenant = Some(InTenant::Absent);
        f.invitation = Some(domain::Invitation {
            address: "alice@outlook.com".into(),
            user_id: "guest-1".into(),
            tenant: TENANT.into(),
            by: "alice@contoso.com".into(),
            at: at(),
            accepted: Some(false),
        });
        report(f)
    }

    /// Back in after `way` worked.
    pub fn back_in_after(way: WayId) -> Report {
        let mut f = facts(vec![Identity {
            signed_in: Access::Works,
            in_directory: None,
            ..alice(Access::Works)
        }]);
        f.tried.push(domain::Tried {
            way,
            at: at(),
            ok: true,
            outcome: format!("{} worked", way.name()),
        });
        report(f)
    }
}
