//! Resolve disconnected users against Azure: load the plan (who is
//! disconnected, the directory's accounts, the engine's suggestions), search
//! the directory, and apply a plan: invitations, then mappings, with bounded
//! concurrency, every call journaled, resumable without repeating a change.
//!
//! A resumed run never trusts the journal alone: it reads the organization's
//! users again, and a user who is no longer disconnected is counted as done
//! (the mapping landed, whether or not its outcome was written), so each
//! mapping lands exactly once.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;

use crate::client::graph::GraphClient;
use crate::client::models::ado::{GraphSubject, OrgTenant};
use crate::client::{ClientError, Clients};
use crate::domain::facts::TenantUser;
use crate::domain::journal::{self, JournalError, JournalWriter, Record, Replay, StepStatus};
use crate::domain::matching::{DisconnectedUser, MatchConfig, match_users};
use crate::domain::resolve::{Job, JobKind, Plan};

use super::lock::OrgLock;

use super::gather::{graph_in_tenant, tenant_user};

/// The journal's operation name.
pub const OP: &str = "resolve";

/// Why Resolve could not load or apply.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A call failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The organization uses personal accounts: there is nothing to map to.
    #[error("'{0}' is not connected to a Microsoft Entra directory, so nobody is disconnected")]
    NotConnected(String),
    /// The journal could not be written or read.
    #[error("journal: {0}")]
    Journal(#[from] JournalError),
    /// Nothing to resume.
    #[error("there is no unfinished Resolve run for '{0}' to resume")]
    NothingToResume(String),
    /// The journal's plan could not be read.
    #[error("the journal {0} has no readable plan; start a new run instead of resuming")]
    BadJournal(String),
}

/// Everything the Resolve screen and the headless command start from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The plan (undecided).
    pub plan: Plan,
    /// The connected directory's accounts.
    pub tenant_users: Vec<TenantUser>,
    /// Object ids that already stand for a user of the organization.
    pub taken: HashSet<String>,
}

/// Sort the organization's users into the disconnected ones (personal
/// accounts, or Entra users of another directory) and the object ids already
/// in use by connected users of `tenant`.
pub fn classify(users: &[GraphSubject], tenant: &str) -> (Vec<DisconnectedUser>, HashSet<String>) {
    let mut disconnected = Vec::new();
    let mut taken = HashSet::new();
    for u in users {
        if !u.subject_kind.is_empty() && !u.subject_kind.eq_ignore_ascii_case("user") {
            continue;
        }
        let in_tenant =
            u.origin.eq_ignore_ascii_case("aad") && u.domain.eq_ignore_ascii_case(tenant);
        if in_tenant {
            taken.insert(u.origin_id.to_lowercase());
            continue;
        }
        // Nothing to address a mapping to (or a placeholder): not offered.
        if u.is_bind_pending() || u.descriptor.trim().is_empty() {
            continue;
        }
        let email = [&u.principal_name, &u.mail_address]
            .into_iter()
            .find(|s| s.contains('@') && !s.contains("#EXT#"))
            .cloned();
        disconnected.push(DisconnectedUser {
            descriptor: u.descriptor.clone(),
            display_name: u.display_name.clone(),
            email,
        });
    }
    (disconnected, taken)
}

/// The directory `org` is connected to.
pub async fn connected_tenant(c: &Clients, org: &str) -> Result<String, ResolveError> {
    match c.ado.probe_tenant(org).await?.tenant {
        OrgTenant::Entra(t) => Ok(t),
        _ => Err(ResolveError::NotConnected(org.to_string())),
    }
}

/// Every user of the organization as a graph subject, from the user
/// entitlements (read page by page at once, see `client::ado::entitlements`),
/// not the graph users list (500 at a time, one page after another).
async fn org_users(c: &Clients, org: &str) -> Result<Vec<GraphSubject>, ClientError> {
    Ok(c.ado
        .user_entitlements(org)
        .await?
        .into_iter()
        .map(|e| e.user)
        .collect())
}

/// Load the plan for `org`: its disconnected users, the directory's accounts
/// (read as the same person, in the organization's directory) and
/// suggestions. The organization's users and the directory are read at
/// the same time.
pub async fn load(c: &Clients, org: &str) -> Result<(Loaded, GraphClient), ResolveError> {
    let tenant = connected_tenant(c, org).await?;
    let directory = async {
        let graph = graph_in_tenant(c, &tenant).await?;
        let (accounts, info) = tokio::join!(graph.all_users_for_matching(), graph.organization());
        Ok::<_, ClientError>((graph, accounts?, info))
    };
    let (users, directory) = tokio::join!(org_users(c, org), directory);
    let (users, (graph, accounts, info)) = (users?, directory?);
    let (disconnected, taken) = classify(&users, &tenant);
    let tenant_users: Vec<TenantUser> = accounts.iter().map(tenant_user).collect();
    drop(accounts);
    // The verified domains only sharpen one kind of evidence; go on without them.
    let domains: Vec<String> = info
        .map(|o| o.verified_domains.into_iter().map(|d| d.name).collect())
        .unwrap_or_default();
    // Accounts that already stand for a connected user cannot take a second
    // one (Azure DevOps refuses the mapping): never suggest them.
    let free: Vec<TenantUser> = tenant_users
        .iter()
        .filter(|u| !taken.contains(&u.id.to_lowercase()))
        .cloned()
        .collect();
    let matches = match_users(&disconnected, &free, &domains, &MatchConfig::default());
    let plan = Plan::new(org, &tenant, &disconnected, matches);
    Ok((
        Loaded {
            plan,
            tenant_users,
            taken,
        },
        graph,
    ))
}

/// Progress of an apply, sent after every finished user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    /// Users finished (landed, already in place, or failed).
    pub done: usize,
    /// Users in the run.
    pub total: usize,
    /// Mapped by this run.
    pub mapped: usize,
    /// Guests invited by this run.
    pub invited: usize,
    /// Failed.
    pub failed: usize,
    /// Changes whose answer was lost, being checked in Azure right now.
    pub in_doubt: usize,
    /// Lost answers settled by reading Azure, so far.
    pub checked: usize,
}

/// Progress callback.
pub type OnProgress = Arc<dyn Fn(Progress) + Send + Sync>;

/// How to apply.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Let Microsoft Graph email the invitation.
    pub send_invitations: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 8,
            send_invitations: false,
        }
    }
}

/// One user that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Display name.
    pub who: String,
    /// Descriptor.
    pub descriptor: String,
    /// What went wrong.
    pub error: String,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Users mapped by this run.
    pub mapped: usize,
    /// Guests invited by this run.
    pub invited: usize,
    /// Users found already resolved (a resumed run, or fixed elsewhere).
    pub already: usize,
    /// Users that failed (the run can be resumed to retry them).
    pub failed: Vec<Failure>,
    /// The journal file.
    pub journal: PathBuf,
    /// Whether this continued an interrupted run.
    pub resumed: bool,
    /// Answers lost in transit that were settled by reading Azure.
    pub checked: usize,
}

impl Outcome {
    /// One line for people.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} mapped ({} invited as guests first), {} already resolved",
            self.mapped, self.invited, self.already
        );
        if self.checked > 0 {
            s.push_str(&format!(
                ", {} lost answer{} checked in Azure",
                self.checked,
                if self.checked == 1 { "" } else { "s" }
            ));
        }
        if !self.failed.is_empty() {
            s.push_str(&format!(", {} failed", self.failed.len()));
        }
        s
    }
}

/// Start a journal for `jobs` (the plan as confirmed).
pub fn begin(
    dir: &std::path::Path,
    org: &str,
    tenant: &str,
    jobs: &[Job],
) -> Result<JournalWriter, ResolveError> {
    Ok(JournalWriter::create(
        dir,
        OP,
        org,
        json!({"org": org, "tenant": tenant, "jobs": jobs}),
        Utc::now(),
    )?)
}

/// An interrupted run, ready to continue.
pub struct Unfinished {
    /// Appends to the run's journal.
    pub journal: JournalWriter,
    /// What the journal says happened.
    pub replay: Replay,
    /// The directory the run maps into.
    pub tenant: String,
    /// The run's plan.
    pub jobs: Vec<Job>,
}

/// The newest unfinished run for `org`.
pub fn unfinished(dir: &std::path::Path, org: &str) -> Result<Option<Unfinished>, ResolveError> {
    let Some((path, replay)) = journal::latest_unfinished(dir, OP, org)? else {
        return Ok(None);
    };
    let bad = || ResolveError::BadJournal(path.display().to_string());
    let tenant = replay.plan["tenant"].as_str().ok_or_else(bad)?.to_string();
    let jobs: Vec<Job> = serde_json::from_value(replay.plan["jobs"].clone()).map_err(|_| bad())?;
    Ok(Some(Unfinished {
        journal: JournalWriter::reopen(&path)?,
        replay,
        tenant,
        jobs,
    }))
}

/// Apply `jobs` (a fresh run, or the rest of `replay`'s run), holding the
/// organization's lock (`_lock`: one change at a time, across processes).
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    c: &Clients,
    graph: &GraphClient,
    _lock: &OrgLock,
    org: &str,
    tenant: &str,
    jobs: Vec<Job>,
    journal: JournalWriter,
    replay: Option<Replay>,
    settings: Settings,
    progress: OnProgress,
) -> Result<Outcome, ResolveError> {
    let path = journal.path().to_path_buf();
    let journal = Mutex::new(journal);
    // What Azure says now: anyone no longer disconnected is done, whatever
    // the journal recorded.
    let users = org_users(c, org).await?;
    let (still, _) = classify(&users, tenant);
    let still: HashSet<&str> = still.iter().map(|u| u.descriptor.as_str()).collect();
    let total = jobs.len();
    let mut already = 0usize;
    let mut todo = Vec::new();
    for job in jobs {
        if still.contains(job.descriptor.as_str()) {
            todo.push(job);
            continue;
        }
        already += 1;
        let map_step = job.map_step();
        if replay
            .as_ref()
            .is_some_and(|r| r.status(&map_step).is_some_and(|s| *s != StepStatus::Done))
        {
            write(&journal, |j| {
                j.append(&Record::Verified {
                    step: map_step.clone(),
                    at: Utc::now(),
                    landed: true,
                })
            })?;
        }
    }
    let done = AtomicUsize::new(already);
    let mapped = AtomicUsize::new(0);
    let invited = AtomicUsize::new(0);
    let doubt = Doubt::default();
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let journal_error: Mutex<Option<JournalError>> = Mutex::new(None);
    let redirect = c
        .endpoints
        .dev
        .join(org)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("https://dev.azure.com/{org}"));
    let report = || {
        progress(Progress {
            done: done.load(Ordering::SeqCst),
            total,
            mapped: mapped.load(Ordering::SeqCst),
            invited: invited.load(Ordering::SeqCst),
            failed: failures.lock().map(|f| f.len()).unwrap_or(0),
            in_doubt: doubt.now.load(Ordering::SeqCst),
            checked: doubt.checked.load(Ordering::SeqCst),
        })
    };
    report();
    let already_done = AtomicUsize::new(0);
    let run_one = |job: Job| {
        let (journal, replay, redirect) = (&journal, &replay, &redirect);
        let (mapped, invited, failures, stop, journal_error, done) =
            (&mapped, &invited, &failures, &stop, &journal_error, &done);
        let (report, doubt, already_done) = (&report, &doubt, &already_done);
        async move {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let ctx = Ctx {
                c,
                graph,
                org,
                journal,
                replay: replay.as_ref(),
                redirect,
                settings,
                doubt,
                report,
            };
            match one(&ctx, &job).await {
                Ok(Done {
                    invited: did_invite,
                    mapped: true,
                }) => {
                    mapped.fetch_add(1, Ordering::SeqCst);
                    if did_invite {
                        invited.fetch_add(1, Ordering::SeqCst);
                    }
                }
                Ok(Done {
                    invited: did_invite,
                    mapped: false,
                }) => {
                    already_done.fetch_add(1, Ordering::SeqCst);
                    if did_invite {
                        invited.fetch_add(1, Ordering::SeqCst);
                    }
                }
                Err(Step::Journal(e)) => {
                    stop.store(true, Ordering::SeqCst);
                    *journal_error.lock().expect("not poisoned") = Some(e);
                }
                Err(Step::Call(e)) => {
                    // Without sign-in or rights nothing else will work either.
                    if e.is_auth() || matches!(e.status(), Some(401)) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    failures.lock().expect("not poisoned").push(Failure {
                        who: job.display_name.clone(),
                        descriptor: job.descriptor.clone(),
                        error: e.to_string(),
                    });
                }
            }
            done.fetch_add(1, Ordering::SeqCst);
            report();
        }
    };
    futures_util::stream::iter(todo)
        .map(run_one)
        .buffer_unordered(settings.concurrency.max(1))
        .collect::<Vec<()>>()
        .await;
    if let Some(e) = journal_error.into_inner().expect("not poisoned") {
        return Err(e.into());
    }
    let failed = failures.into_inner().expect("not poisoned");
    let outcome = Outcome {
        mapped: mapped.load(Ordering::SeqCst),
        invited: invited.load(Ordering::SeqCst),
        already: already + already_done.load(Ordering::SeqCst),
        failed,
        journal: path,
        resumed: replay.is_some(),
        checked: doubt.checked.load(Ordering::SeqCst),
    };
    // An unfinished journal is what `--resume` picks up; end it only when
    // every user is resolved.
    if outcome.failed.is_empty() && !stop.load(Ordering::SeqCst) {
        write(&journal, |j| {
            j.append(&Record::End {
                at: Utc::now(),
                summary: outcome.summary(),
            })
        })?;
    }
    Ok(outcome)
}

enum Step {
    Call(ClientError),
    Journal(JournalError),
}

impl From<ClientError> for Step {
    fn from(e: ClientError) -> Self {
        Step::Call(e)
    }
}

fn write<T>(
    journal: &Mutex<JournalWriter>,
    f: impl FnOnce(&mut JournalWriter) -> Result<T, JournalError>,
) -> Result<T, JournalError> {
    let mut j = journal.lock().expect("journal lock not poisoned");
    f(&mut j)
}

/// Counters of lost answers.
#[derive(Default)]
struct Doubt {
    /// Being checked now.
    now: AtomicUsize,
    /// Settled so far.
    checked: AtomicUsize,
}

/// What one user's apply needs.
struct Ctx<'a, R: Fn()> {
    c: &'a Clients,
    graph: &'a GraphClient,
    org: &'a str,
    journal: &'a Mutex<JournalWriter>,
    replay: Option<&'a Replay>,
    redirect: &'a str,
    settings: Settings,
    doubt: &'a Doubt,
    report: &'a R,
}

impl<R: Fn()> Ctx<'_, R> {
    fn journal(
        &self,
        f: impl FnOnce(&mut JournalWriter) -> Result<(), JournalError>,
    ) -> Result<(), Step> {
        write(self.journal, f).map_err(Step::Journal)
    }

    /// Settle a lost answer by one targeted read of Azure (read again if that
    /// answer is garbled too), showing the change as in doubt meanwhile.
    async fn settle<T, F, Fut>(&self, read: F) -> Result<T, ClientError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        self.doubt.now.fetch_add(1, Ordering::SeqCst);
        (self.report)();
        let mut r = read().await;
        for _ in 1..SENDS {
            match &r {
                Err(e) if in_doubt(e) => r = read().await,
                _ => break,
            }
        }
        self.doubt.now.fetch_sub(1, Ordering::SeqCst);
        self.doubt.checked.fetch_add(1, Ordering::SeqCst);
        r
    }
}

/// What one user's apply did.
struct Done {
    /// An invitation was sent by this run (and landed).
    invited: bool,
    /// The mapping was made by this run (false: found already in place).
    mapped: bool,
}

/// A failed call whose answer may have been lost after the change landed
/// (a cut connection, a garbled body, a gateway error): Azure is read before
/// anything is sent again.
fn in_doubt(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Transport { .. } | ClientError::Decode { .. }
    ) || matches!(e.status(), Some(500 | 502 | 504))
}

/// How many times a change is sent when Azure shows it did not land.
const SENDS: usize = 3;

/// Resolve one user: invite first when asked (reusing a guest an earlier
/// run or a lost answer already created), then map. A lost answer is
/// settled by one targeted read: the guest by address, the user by
/// descriptor; never by reading the whole organization.
async fn one<R: Fn()>(ctx: &Ctx<'_, R>, job: &Job) -> Result<Done, Step> {
    let (target, did_invite) = match &job.kind {
        JobKind::Map { target_id, .. } => (target_id.clone(), false),
        JobKind::Invite { email } => invite(ctx, job, email).await?,
    };
    let step = job.map_step();
    for _ in 0..SENDS {
        ctx.journal(|w| w.intent(&step, json!({"originId": target}), Utc::now()))?;
        let r = ctx
            .c
            .ado
            .remap_user(ctx.org, &job.descriptor, &target)
            .await;
        match r {
            Ok(_) => {
                ctx.journal(|w| w.outcome(&step, Ok(()), Utc::now()))?;
                return Ok(Done {
                    invited: did_invite,
                    mapped: true,
                });
            }
            Err(e) if in_doubt(&e) => {
                let user = ctx
                    .settle(|| ctx.c.ado.graph_user(ctx.org, &job.descriptor))
                    .await?;
                // The old identity is gone (a remap rewrites it), or it now
                // stands for the target: the mapping is in place.
                let landed = user.as_ref().is_none_or(|u| {
                    u.origin.eq_ignore_ascii_case("aad")
                        && u.origin_id.eq_ignore_ascii_case(&target)
                });
                ctx.journal(|w| {
                    w.append(&Record::Verified {
                        step: step.clone(),
                        at: Utc::now(),
                        landed,
                    })
                })?;
                if landed {
                    return Ok(Done {
                        invited: did_invite,
                        mapped: true,
                    });
                }
            }
            Err(e) if e.status() == Some(404) => {
                // Not sent twice by us: someone (the portal, another tool)
                // mapped or removed the user meanwhile.
                ctx.journal(|w| {
                    w.append(&Record::Verified {
                        step: step.clone(),
                        at: Utc::now(),
                        landed: true,
                    })
                })?;
                return Ok(Done {
                    invited: did_invite,
                    mapped: false,
                });
            }
            Err(e) => {
                let msg = e.to_string();
                ctx.journal(|w| w.outcome(&step, Err(msg), Utc::now()))?;
                return Err(e.into());
            }
        }
    }
    Err(Step::Call(ClientError::Decode {
        request: format!("PATCH graph/users/{}", job.descriptor),
        message: format!(
            "the mapping was sent {SENDS} times, every answer was lost, and Azure DevOps still shows the user disconnected"
        ),
    }))
}

/// Invite `email` as a guest unless an earlier run (or a lost answer) did;
/// returns the guest's object id and whether this run sent the invitation.
async fn invite<R: Fn()>(ctx: &Ctx<'_, R>, job: &Job, email: &str) -> Result<(String, bool), Step> {
    let step = job.invite_step();
    // An earlier run may have invited already: find that guest first.
    if ctx.replay.and_then(|r| r.status(&step)).is_some()
        && let Some(u) = ctx
            .settle(|| ctx.graph.find_users_by_email(email))
            .await?
            .into_iter()
            .next()
    {
        return Ok((u.id, false));
    }
    for _ in 0..SENDS {
        ctx.journal(|w| w.intent(&step, json!({"email": email}), Utc::now()))?;
        let r = ctx
            .graph
            .invite(
                email,
                Some(&job.display_name),
                ctx.redirect,
                ctx.settings.send_invitations,
            )
            .await;
        match r {
            Ok(inv) => {
                ctx.journal(|w| w.outcome(&step, Ok(()), Utc::now()))?;
                let id = inv.invited_user.map(|u| u.id).filter(|id| !id.is_empty());
                return id.map(|id| (id, true)).ok_or_else(|| {
                    Step::Call(ClientError::Decode {
                        request: "POST /v1.0/invitations".into(),
                        message: "the invitation names no invited user".into(),
                    })
                });
            }
            Err(e) if in_doubt(&e) => {
                let found = ctx
                    .settle(|| ctx.graph.find_users_by_email(email))
                    .await?
                    .into_iter()
                    .next();
                ctx.journal(|w| {
                    w.append(&Record::Verified {
                        step: step.clone(),
                        at: Utc::now(),
                        landed: found.is_some(),
                    })
                })?;
                if let Some(u) = found {
                    return Ok((u.id, true));
                }
            }
            Err(e) => {
                let msg = e.to_string();
                ctx.journal(|w| w.outcome(&step, Err(msg), Utc::now()))?;
                return Err(e.into());
            }
        }
    }
    Err(Step::Call(ClientError::Decode {
        request: "POST /v1.0/invitations".into(),
        message: format!(
            "the invitation was sent {SENDS} times, every answer was lost, and the directory has no guest for it"
        ),
    }))
}
