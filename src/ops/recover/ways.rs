//! Carrying out the ways back, each as far as the API allows, then a fresh
//! sign-in that proves who is back in. Changes to Azure (an invitation, a
//! disconnect) are journaled (operation `recover`) under the organization's
//! lock; waiting (for an invitation to be accepted, a page to be used, Azure
//! DevOps to see an Entra change) polls with a countdown reported as
//! [`Progress::Waiting`].
//!
//! Here: what to carry out ([`Action`], [`WayOptions`]), what it did
//! ([`Outcome`]), [`run`], and what every way shares (the diagnosis before
//! and after, polling, the journal, remembering what was tried). One file
//! per way: `sign_in` (1), `invite` (2), `back_door` (3), `claim` (4),
//! `support` (5); `verify_owner` signs in afresh as the owner and checks
//! until Azure DevOps lets them in.

mod back_door;
mod claim;
mod invite;
mod sign_in;
mod support;
mod verify_owner;

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

pub use crate::ops::model::RecoveryProgress as Progress;

use super::{Report, diagnose, record};
use crate::client::Clients;
use crate::domain::journal::JournalWriter;
use crate::domain::recover::{Identity, Tried, WayId, WayStatus};
use crate::ops::model::{Event, Events, Problem, VerifyReport};
use crate::ops::session::Session;

/// What to carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// One of the ways back.
    Way {
        /// Which.
        way: WayId,
    },
    /// Sign in afresh (as the owner) and verify, checking again until the
    /// organization answers or the wait is over.
    VerifyOwner {
        /// Where to sign in (`None`: the organization's directory).
        tenant: Option<String>,
    },
    /// Sign in with another of the person's accounts and diagnose again
    /// (the earlier sign-ins stay remembered).
    SignIn {
        /// Where (`None`: any work or personal account).
        tenant: Option<String>,
    },
}

impl Action {
    /// "back-door", "verify-owner".
    pub fn name(&self) -> &'static str {
        match self {
            Action::Way { way } => way.name(),
            Action::VerifyOwner { .. } => "verify-owner",
            Action::SignIn { .. } => "sign-in-another",
        }
    }
}

/// How long to keep checking, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WayOptions {
    /// Stop checking after this long (zero: check once).
    pub wait: Duration,
    /// Between checks (at least a second).
    pub every: Duration,
}

impl Default for WayOptions {
    fn default() -> Self {
        Self {
            wait: Duration::ZERO,
            every: Duration::from_secs(30),
        }
    }
}

/// What carrying out an action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// What was carried out.
    pub action: Action,
    /// It worked (for a way: the person is back in, or the step is done).
    pub ok: bool,
    /// Where the way stands now.
    pub status: WayStatus,
    /// One line for people.
    pub summary: String,
    /// What to do next, in order.
    pub next: Vec<String>,
    /// A file written (the support package, the message to send).
    pub file: Option<String>,
    /// A message for someone else to act on.
    pub message: Option<String>,
    /// The fresh sign-in's verification, when one was made.
    pub verified: Option<VerifyReport>,
    /// The diagnosis afterwards.
    pub report: Report,
}

fn say(events: &Events, text: impl Into<String>) {
    events(Event::Recovering(Progress::Step { text: text.into() }));
}

/// Check with `check` until it gives a value or `opts.wait` is over,
/// counting down to each next check.
async fn poll<T, F, Fut>(
    what: &str,
    opts: &WayOptions,
    events: &Events,
    mut check: F,
) -> Result<Option<T>, Problem>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Problem>>,
{
    let start = std::time::Instant::now();
    let every = opts.every.max(Duration::from_secs(1));
    loop {
        if let Some(t) = check().await? {
            return Ok(Some(t));
        }
        let waited = start.elapsed();
        if waited >= opts.wait {
            return Ok(None);
        }
        let next = every.min(opts.wait - waited);
        let deadline = std::time::Instant::now() + next;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            events(Event::Recovering(Progress::Waiting {
                what: what.to_string(),
                next_check_secs: left.as_secs_f64().ceil() as u64,
                waited_secs: start.elapsed().as_secs(),
                limit_secs: opts.wait.as_secs(),
            }));
            tokio::time::sleep(left.min(Duration::from_secs(1))).await;
        }
    }
}

/// Remember that `way` was tried.
fn note(s: &Session, org: &str, way: WayId, ok: bool, outcome: &str) {
    let mut r = record::load(s.state_paths(), org);
    r.tried.push(Tried {
        way,
        at: Utc::now(),
        ok,
        outcome: outcome.to_string(),
    });
    if let Err(e) = record::save(s.state_paths(), &r) {
        tracing::warn!(error = %e, "recovery record not saved");
    }
}

/// The organization's directory, or why there is nothing to recover from.
fn tenant_of(r: &Report) -> Result<String, Box<Problem>> {
    r.facts
        .tenant
        .as_ref()
        .map(|t| t.id.clone())
        .ok_or_else(|| {
            Box::new(Problem::msg(format!(
                "'{}' is not connected to a directory: there is nothing to recover from. Run `ado-entra verify --org {}`.",
                r.org, r.org
            )))
        })
}

fn journal(
    s: &Session,
    org: &str,
    plan: serde_json::Value,
) -> Result<JournalWriter, crate::domain::journal::JournalError> {
    JournalWriter::create(
        &s.state_paths().journal_dir(),
        "recover",
        org,
        plan,
        Utc::now(),
    )
}

fn jerr(e: crate::domain::journal::JournalError) -> Problem {
    Problem::msg(format!("journal: {e}"))
}

/// Carry out `action` on `org`.
pub async fn run(
    s: &Session,
    org: &str,
    action: Action,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    match &action {
        Action::Way { way } => match way {
            WayId::SignIn => sign_in::sign_in(s, org, events).await,
            WayId::InviteOwner => invite::invite(s, org, opts, events).await,
            WayId::BackDoor => back_door::back_door(s, org, opts, events).await,
            WayId::ClaimOwnership => claim::claim(s, org, opts, events).await,
            WayId::Support => support::support(s, org, events).await,
        },
        Action::VerifyOwner { tenant } => {
            verify_owner::verify_owner(s, org, tenant.clone(), opts, events).await
        }
        Action::SignIn { tenant } => {
            let identity = s.sign_in(tenant.as_deref(), events).await?;
            let report = after(s, org, events).await?;
            Ok(Outcome {
                action: action.clone(),
                ok: true,
                status: WayStatus::Available,
                summary: format!(
                    "Signed in as {}; the diagnosis now uses it with your earlier sign-ins.",
                    identity.upn
                ),
                next: Vec::new(),
                file: None,
                message: None,
                verified: None,
                report,
            })
        }
    }
}

async fn current(s: &Session, org: &str, events: &Events) -> Result<(Clients, Report), Problem> {
    let c = s.clients(events).await?;
    let r = diagnose(&c, org, s.state_paths()).await?;
    Ok((c, r))
}

/// What a way that changes or watches the directory starts from.
struct Start {
    c: Clients,
    before: Report,
    /// The organization's directory: its id and its name for people.
    tenant: String,
    tname: String,
    /// The sign-in in use.
    me: Identity,
}

async fn begin(s: &Session, org: &str, events: &Events) -> Result<Start, Problem> {
    let (c, before) = current(s, org, events).await?;
    let tenant = tenant_of(&before).map_err(|p| *p)?;
    let tname = before.facts.tenant_name();
    let me = before
        .current()
        .cloned()
        .ok_or_else(|| Problem::msg("Not signed in."))?;
    Ok(Start {
        c,
        before,
        tenant,
        tname,
        me,
    })
}

async fn after(s: &Session, org: &str, events: &Events) -> Result<Report, Problem> {
    current(s, org, events).await.map(|(_, r)| r)
}
