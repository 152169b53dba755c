//! The fleet: every organization the signed-in person belongs to (the
//! accounts API) or every organization connected to a directory (the
//! EnterpriseCatalog), each with its backing, owner, user count and whether
//! the person administers it; with a destination, each one's readiness,
//! decided exactly as `check` decides it for one organization (the same
//! situation, the same checks, the same stale-user threshold).
//!
//! Every organization is read at once over one client: its concurrency
//! limit is the one request budget the whole fleet shares, and its pacer
//! slows every organization down together when Azure DevOps says the
//! identity's rate limit is near. An organization connected to a directory
//! is read with a token of that directory (one per directory, shared).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};

use super::model::{CheckBrief, FleetOrg, Problem, Readiness, Verdict};
use super::{advice, change};
use crate::client::models::ado::{OrgTenant, TenantProbe};
use crate::client::{AdoClient, ClientError, Clients};
use crate::domain::checks::Status;
use crate::domain::directory::{Asked, Backing, Decision, Directory};

/// Requests in flight at once by default, shared by the whole fleet
/// (`orgs --max-requests`): as many as one HTTP/2 connection is expected to
/// carry at once (RFC 9113, section 6.5.2, recommends servers allow at least
/// 100 concurrent streams), so the budget's order, not a server's stream
/// limit, decides what goes first. Azure DevOps limits what an identity
/// consumes in a sliding five-minute window (Microsoft Learn, "Rate and
/// usage limits"), which sending the same requests closer together does not
/// change; the pacer slows every organization down when the headers say the
/// limit is near. At 64, a fleet of 50 was bound by its requests
/// (docs/performance.md).
pub const DEFAULT_REQUESTS: u16 = 100;

/// Where the list of organizations comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The organizations the signed-in identity belongs to.
    Accounts,
    /// The organizations connected to this directory.
    Catalog(Directory),
}

/// How to survey.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The change to judge every organization for (`None`: no checks).
    pub asked: Option<Asked>,
    /// Days without access after which a user counts as stale.
    pub stale_days: u32,
    /// Where interrupted changes are journaled (the decision reads them).
    pub journal_dir: PathBuf,
}

/// The organizations the signed-in identity is a member of (the accounts
/// API answers for the identity of the token: one directory at a time).
async fn accounts(c: &Clients) -> Result<Vec<String>, ClientError> {
    let profile = c.ado.profile().await?;
    let member = profile.public_alias.clone().unwrap_or(profile.id.clone());
    Ok(c.ado
        .accounts(&member)
        .await?
        .into_iter()
        .map(|a| a.account_name)
        .collect())
}

/// The organizations of `source`, by name (any case), sorted.
///
/// For the accounts API, the person may be in other directories too (a
/// personal account that is a guest of an old directory and a member of
/// the new one, after a merger): an organization they belong to says which
/// directories they are in, and the same person is asked again as a member
/// of each, so the list is every organization they belong to, whatever
/// backs it.
pub async fn list(c: &Clients, source: &Source) -> Result<Vec<String>, ClientError> {
    let mut names: Vec<String> = match source {
        Source::Accounts => {
            let mut names = accounts(c).await?;
            let here = super::current_identity(c).await.map(|i| i.tenant_id);
            let tenants = match names.first() {
                Some(first) => c.ado.user_tenants(first).await.unwrap_or_default(),
                None => Vec::new(),
            };
            let others = tenants.into_iter().filter(|t| {
                here.as_deref()
                    .is_none_or(|h| !h.eq_ignore_ascii_case(&t.id))
            });
            let more = futures_util::future::join_all(others.map(|t| async move {
                match in_tenant(c, &t.id).await {
                    Ok(moved) => accounts(&moved).await.unwrap_or_default(),
                    // Not a member there after all: nothing to add.
                    Err(_) => Vec::new(),
                }
            }))
            .await;
            names.extend(more.into_iter().flatten());
            names
        }
        Source::Catalog(directory) => {
            let tenant = directory.id.to_string();
            // The catalog answers a token of that directory.
            let moved = reader_in(c, &tenant).await?;
            moved
                .ado
                .enterprise_catalog(&tenant)
                .await?
                .into_iter()
                .map(|o| o.name)
                .collect()
        }
    };
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Ok(names)
}

/// The clients moved to `tenant`, without touching `c`'s session (its own
/// token stays where it is).
pub async fn in_tenant(c: &Clients, tenant: &str) -> Result<Clients, ClientError> {
    let provider = super::gather::own_in_tenant(c, tenant).await?;
    Ok(Clients::new(c.core.clone(), c.endpoints.clone(), provider))
}

/// The clients for reading `tenant`: moved there, or the directory session
/// kept by `login --directory` when the signed-in identity has no object
/// there (as every read of a directory does).
async fn reader_in(c: &Clients, tenant: &str) -> Result<Clients, ClientError> {
    let (provider, _) = super::gather::session_in_tenant(c, tenant).await?;
    Ok(Clients::new(c.core.clone(), c.endpoints.clone(), provider))
}

/// The clients to read the organization `probe` answered for: as they are
/// for an organization of personal accounts or of the directory the session
/// is in, else moved to the organization's directory (a token of another
/// directory is refused).
pub async fn clients_for_org(c: &Clients, probe: &TenantProbe) -> Result<Clients, ClientError> {
    let tenant = match &probe.tenant {
        OrgTenant::Entra(t) => t,
        _ => return Ok(c.clone()),
    };
    let here = super::current_identity(c).await.map(|i| i.tenant_id);
    if here.is_some_and(|h| h.eq_ignore_ascii_case(tenant)) {
        return Ok(c.clone());
    }
    in_tenant(c, tenant).await
}

/// One set of clients per directory, made once and shared by every
/// organization of that directory.
struct Sessions {
    base: Clients,
    here: Option<String>,
    /// No change asked: only the brief facts are read.
    listing: bool,
    moved: Mutex<HashMap<String, Arc<OnceCell<Clients>>>>,
    /// Each destination directory, read once for every organization.
    directories: super::gather::Directories,
}

impl Sessions {
    async fn for_tenant(&self, tenant: Option<&str>) -> Result<Clients, ClientError> {
        let Some(t) = tenant.filter(|t| {
            self.here
                .as_deref()
                .is_none_or(|h| !h.eq_ignore_ascii_case(t))
        }) else {
            return Ok(self.base.clone());
        };
        let cell = {
            let mut all = self.moved.lock().await;
            Arc::clone(all.entry(t.to_ascii_lowercase()).or_default())
        };
        // Shared by every organization of the directory: first in the budget.
        cell.get_or_try_init(|| {
            crate::client::budget::shared_first(async {
                match in_tenant(&self.base, t).await {
                    Ok(moved) => Ok(moved),
                    // Listing only: the directory session may read it. A check
                    // goes on with the session as it is, as `check` does.
                    Err(_) if self.listing => reader_in(&self.base, t).await,
                    Err(_) => Ok(self.base.clone()),
                }
            })
        })
        .await
        .cloned()
    }
}

/// Survey every organization of `orgs` at once; `on_done` hears each as it
/// finishes (its position in `orgs`). The result is in the order of `orgs`.
///
/// Each organization is its own task, so one organization's checks (CPU)
/// never hold up another's answers, which would keep their requests'
/// places in the shared budget; dropping the survey stops every task.
pub async fn survey(
    c: &Clients,
    orgs: &[String],
    settings: &Settings,
    on_done: &(dyn Fn(usize, &FleetOrg) + Send + Sync),
) -> Vec<FleetOrg> {
    let sessions = Arc::new(Sessions {
        base: c.clone(),
        here: super::current_identity(c).await.map(|i| i.tenant_id),
        listing: settings.asked.is_none(),
        moved: Mutex::new(HashMap::new()),
        directories: super::gather::Directories::shared(),
    });
    let settings = Arc::new(settings.clone());
    let mut pending = tokio::task::JoinSet::new();
    for (i, org) in orgs.iter().enumerate() {
        let (sessions, settings, org) = (Arc::clone(&sessions), Arc::clone(&settings), org.clone());
        // The organizations' requests are let in in the order given, so the
        // first ones finish first and their checks run while the others'
        // answers are on their way.
        pending.spawn(crate::client::budget::with_priority(i as u64, async move {
            (i, one(&sessions, &org, &settings).await)
        }));
    }
    let mut out: Vec<Option<FleetOrg>> = vec![None; orgs.len()];
    while let Some(done) = pending.join_next().await {
        let (i, row) = match done {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Cancelled: only when the survey itself is dropped.
            Err(_) => continue,
        };
        on_done(i, &row);
        out[i] = Some(row);
    }
    out.into_iter().flatten().collect()
}

/// One organization: its backing, then its readiness (when a change is
/// asked) or the brief facts alone.
async fn one(sessions: &Sessions, org: &str, settings: &Settings) -> FleetOrg {
    let mut row = FleetOrg::named(org);
    let failed = |mut row: FleetOrg, p: Problem| {
        row.problem = Some(p);
        row
    };
    // Probed once: the situation and the checks read this same answer.
    let probe = match sessions.base.ado.probe_tenant(org).await {
        Ok(p) => p,
        Err(e) => return failed(row, advice::client(&e)),
    };
    let tenant = match &probe.tenant {
        OrgTenant::Entra(t) => Some(t.clone()),
        _ => None,
    };
    row.tenant = tenant.clone();
    let c = match sessions.for_tenant(tenant.as_deref()).await {
        Ok(c) => c,
        Err(e) => return failed(row, advice::client(&e)),
    };
    let Some(asked) = &settings.asked else {
        match change::backing_from(&c, org, &probe).await {
            Ok(b) => row.backing = Some(backing_name(&b)),
            Err(e) => return failed(row, advice::change(&e)),
        }
        brief(&c, org, &mut row).await;
        return row;
    };
    let situation =
        match change::situation_from(&c, &settings.journal_dir, org, asked, Some(&probe)).await {
            Ok(s) => s,
            Err(e) => return failed(row, advice::change(&e)),
        };
    row.backing = Some(backing_name(&situation.backing));
    let next = change::next_commands(org, &situation.decision);
    let Decision::Proceed { change: ch, .. } = &situation.decision else {
        brief(&c, org, &mut row).await;
        let verdict = match situation.decision {
            Decision::NothingToDo { .. } | Decision::AlreadyLanded { .. } => Verdict::NothingToDo,
            _ => Verdict::Blocked,
        };
        row.readiness = Some(Readiness::decided(
            verdict,
            situation.decision.explain(org),
            next,
        ));
        return row;
    };
    let quiet: super::gather::Progress = Arc::new(|_, _, _| {});
    let stale = Some(settings.stale_days);
    let known = change::Known {
        directories: Some(&sessions.directories),
        probe: Some(&probe),
    };
    let a = match change::assess_knowing(&c, org, ch, stale, quiet, known).await {
        Ok(a) => a,
        Err(e) => return failed(row, advice::client(&e)),
    };
    let facts = &a.facts;
    row.owner = facts.org.owner.as_ref().and_then(|o| o.email.clone());
    row.users = facts.org.users.as_ref().map(|u| u.len() as u64);
    row.admin = match (facts.caller.is_owner, facts.caller.is_pca) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    let first = |s: Status| a.results.iter().find(|r| r.status == s);
    let (verdict, reason) = if let Some(r) = first(Status::Fail) {
        (Verdict::Blocked, r.title.clone())
    } else if let Some(r) = first(Status::Warn).or_else(|| first(Status::Skip)) {
        (Verdict::Warnings, r.title.clone())
    } else {
        (Verdict::Ready, "every check passed".to_string())
    };
    let command = match ch {
        crate::domain::directory::Change::Connect { to } => {
            format!("ado-entra connect --org {org} --to {}", to.id)
        }
        crate::domain::directory::Change::ChangeTenant { to, .. } => {
            format!("ado-entra change-tenant --org {org} --to {}", to.id)
        }
        crate::domain::directory::Change::Disconnect { .. } => {
            format!("ado-entra disconnect --org {org}")
        }
    };
    let mut next = next;
    if verdict != Verdict::Blocked {
        next.push(command);
    } else {
        next.push(format!(
            "ado-entra check --org {org} --to {}",
            asked_to(asked)
        ));
    }
    let checks = a
        .results
        .iter()
        .map(|r| CheckBrief {
            id: r.id.to_string(),
            status: r.status,
            title: r.title.clone(),
        })
        .collect();
    let (keep, disconnected, locked_out) = (
        a.prediction.keep.len(),
        a.prediction.disconnected.len(),
        a.prediction.locked_out.len(),
    );
    row.readiness = Some(Readiness {
        verdict,
        reason,
        checks,
        // Moved, not copied: a large organization's findings carry a line
        // per user.
        findings: a
            .results
            .into_iter()
            .filter(|r| matches!(r.status, Status::Fail | Status::Warn))
            .collect(),
        keep,
        disconnected,
        locked_out,
        next,
    });
    row
}

/// "personal accounts", or the directory by its name (else domain, else id).
fn backing_name(b: &Backing) -> String {
    match b {
        Backing::Personal => "personal accounts".into(),
        Backing::Tenant { directory } => [&directory.display_name, &directory.domain]
            .into_iter()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .map_or_else(|| directory.id.to_string(), str::to_string),
    }
}

fn asked_to(asked: &Asked) -> String {
    asked
        .destination()
        .map(|d| d.id.to_string())
        .unwrap_or_default()
}

/// The owner, the number of users and whether the person administers the
/// organization, read at once; what cannot be read stays unknown.
async fn brief(c: &Clients, org: &str, row: &mut FleetOrg) {
    let ado: &AdoClient = &c.ado;
    let (owner, users, admin, me) = tokio::join!(
        ado.owner(org),
        ado.user_count(org),
        ado.caller_is_project_collection_admin(org),
        super::current_identity(c),
    );
    row.owner = owner.ok().and_then(|o| o.email);
    row.users = users.ok();
    let is_owner = match (&row.owner, &me) {
        (Some(o), Some(me)) => Some(o.eq_ignore_ascii_case(&me.upn)),
        _ => None,
    };
    row.admin = match (is_owner, admin.ok()) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (_, Some(false)) => Some(false),
        _ => None,
    };
}
