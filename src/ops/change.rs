//! A change of the organization's directory (connect, change tenant,
//! disconnect), shared by the wizard and the commands: read the journal and
//! the organization's real state, decide ([`domain::directory::decide`]),
//! assess (the prerequisite checks), apply under the organization's lock with
//! every step journaled, and record what Azure shows afterwards.
//!
//! [`domain::directory::decide`]: crate::domain::directory::decide

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::gather;
use super::lock::{LockError, OrgLock};
use crate::client::models::ado::{OrgTenant, TenantProbe};
use crate::client::{ClientError, Clients};
use crate::domain::checks::{CheckResult, Prediction, evaluate_sharing, verdict_accepting};
use crate::domain::directory::{
    AlreadyThere, Asked, Backing, Change, Decision, Directory, Pending, Refusal, Target, TenantId,
    decide,
};
use crate::domain::facts::{Facts, Origin};
use crate::domain::journal::{self, JournalError, JournalWriter, Record};
use crate::domain::validate::TenantRef;

/// Journal operation names of directory changes.
pub const CHANGE_OPS: [&str; 3] = ["connect", "change-tenant", "disconnect"];

/// The journal step of the one call a change makes.
const STEP: &str = "set-tenant";

/// Why a change could not be read, decided or made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// A call failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The journal could not be read or written.
    #[error("journal: {0}")]
    Journal(#[from] JournalError),
    /// Another process is changing the organization.
    #[error(transparent)]
    Locked(#[from] LockError),
    /// A tenant the person named could not be resolved to its id.
    #[error(
        "no Microsoft Entra tenant answers to '{input}' (asked the sign-in service for its OpenID configuration: {why})"
    )]
    UnknownTenant {
        /// What the person typed.
        input: String,
        /// What the sign-in service said.
        why: String,
    },
    /// The organization did not say which directory it uses.
    #[error(
        "'{org}' did not say which directory it uses (no X-VSS-ResourceTenant header on the anonymous probe)"
    )]
    UnknownBacking {
        /// The organization.
        org: String,
    },
    /// Azure answered, but the organization does not show the change.
    #[error("Azure did not refuse the change, but '{org}' still uses {now}; nothing more was sent")]
    NotLanded {
        /// The organization.
        org: String,
        /// What it uses now.
        now: String,
    },
    /// The checks failed (and were not all accepted).
    #[error("a prerequisite check failed: {}", failures.join(", "))]
    Blocked {
        /// The failed check ids.
        failures: Vec<String>,
    },
    /// The situation changed between the checks and the apply.
    #[error("{0}")]
    Moved(String),
}

impl ChangeError {
    /// The underlying client error, if any (for the knowledge base).
    pub fn client(&self) -> Option<&ClientError> {
        match self {
            ChangeError::Client(c) => Some(c),
            _ => None,
        }
    }
}

/// The tenant a person named, by id, with whatever names are known.
pub async fn resolve_tenant(c: &Clients, input: &TenantRef) -> Result<Directory, ChangeError> {
    match input {
        TenantRef::Id(id) => {
            TenantId::parse(id)
                .map(Directory::bare)
                .ok_or_else(|| ChangeError::UnknownTenant {
                    input: id.clone(),
                    why: "not a tenant id".into(),
                })
        }
        TenantRef::Domain(domain) => {
            let found =
                crate::client::directory::discover_tenant(&c.core, &c.endpoints, domain).await;
            let found = match found {
                Ok(f) => f,
                Err(ClientError::Api(e)) if e.status < 500 => {
                    return Err(ChangeError::UnknownTenant {
                        input: domain.clone(),
                        why: e
                            .code
                            .clone()
                            .map(|c| format!("{c}: {}", e.message.clone().unwrap_or_default()))
                            .unwrap_or_else(|| format!("HTTP {}", e.status)),
                    });
                }
                Err(e) => return Err(e.into()),
            };
            let id = TenantId::parse(&found.id).ok_or_else(|| ChangeError::UnknownTenant {
                input: domain.clone(),
                why: format!("the answer named '{}', not a tenant id", found.id),
            })?;
            Ok(Directory {
                id,
                display_name: String::new(),
                domain: domain.clone(),
            })
        }
    }
}

/// What the organization signs people in with, from the anonymous probe,
/// with the tenant's names when the caller may read them.
pub async fn backing(c: &Clients, org: &str) -> Result<Backing, ChangeError> {
    let probe = c.ado.probe_tenant(org).await?;
    backing_from(c, org, &probe).await
}

/// [`backing`] from a probe this run already made.
pub async fn backing_from(
    c: &Clients,
    org: &str,
    probe: &TenantProbe,
) -> Result<Backing, ChangeError> {
    let id = match &probe.tenant {
        OrgTenant::Msa => return Ok(Backing::Personal),
        OrgTenant::Entra(t) => TenantId::parse(t),
        OrgTenant::Unknown => None,
    };
    let id = id.ok_or_else(|| ChangeError::UnknownBacking { org: org.into() })?;
    let mut directory = Directory::bare(id);
    if let Ok(Some(info)) = c.ado.org_tenant(org).await
        && TenantId::parse(&info.id).as_ref() == Some(&directory.id)
    {
        directory.display_name = info.display_name.unwrap_or_default();
        directory.domain = info.domain.unwrap_or_default();
    }
    Ok(Backing::Tenant { directory })
}

/// The newest journal of a directory change of `org` (finished or not),
/// with what it recorded.
pub fn newest_change_journal(journal_dir: &Path, org: &str) -> Option<(PathBuf, journal::Replay)> {
    journal::newest(journal_dir, |p, r| {
        (CHANGE_OPS.contains(&r.op.as_str()) && r.org.eq_ignore_ascii_case(org)).then_some((p, r))
    })
}

/// The newest unfinished directory change of `org`, read from its journal.
pub fn pending(journal_dir: &Path, org: &str) -> Result<Option<Pending>, JournalError> {
    let Some((path, replay)) = journal::latest_unfinished_of(journal_dir, &CHANGE_OPS, org)? else {
        return Ok(None);
    };
    let plan = &replay.plan;
    // Journals name the target as "to"; older ones as "tenant".
    let value = plan["to"]
        .as_str()
        .or_else(|| plan["tenant"].as_str())
        .unwrap_or_default();
    let target = match (replay.op.as_str(), value) {
        ("disconnect", "") => Target::Personal,
        _ => Target::from_journal(value),
    };
    let accepted_risks = plan["accepted_risks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Pending {
        journal: path,
        op: replay.op,
        target,
        started: replay.started,
        accepted_risks,
    }))
}

/// Where the organization is and what to do about what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Situation {
    /// The organization.
    pub org: String,
    /// What it uses now.
    pub backing: Backing,
    /// The decision.
    pub decision: Decision,
}

/// Read the journal, then the organization's real state, and decide.
pub async fn situation(
    c: &Clients,
    journal_dir: &Path,
    org: &str,
    asked: &Asked,
) -> Result<Situation, ChangeError> {
    situation_from(c, journal_dir, org, asked, None).await
}

/// [`situation`], with the probe this run already made if it made one (the
/// organization's backing, read once for its situation and its checks).
/// Only a read-only run passes one: a change reads the state again under
/// its lock.
pub async fn situation_from(
    c: &Clients,
    journal_dir: &Path,
    org: &str,
    asked: &Asked,
    probed: Option<&TenantProbe>,
) -> Result<Situation, ChangeError> {
    let pending = pending(journal_dir, org)?;
    let fresh;
    let probe = match probed {
        Some(p) => p,
        None => {
            fresh = c.ado.probe_tenant(org).await?;
            &fresh
        }
    };
    let mut backing = backing_from(c, org, probe).await?;
    // The names the person used for the same tenant, when the organization
    // would not tell its own.
    if let (Backing::Tenant { directory }, Some(to)) = (&mut backing, asked.destination()) {
        directory.merge(to);
    }
    let decision = decide(&backing, asked, pending);
    Ok(Situation {
        org: org.to_string(),
        backing,
        decision,
    })
}

/// The prerequisite checks and the prediction for a change.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// What was gathered.
    pub facts: Facts,
    /// Every check, in order.
    pub results: Vec<CheckResult>,
    /// Who keeps access.
    pub prediction: Prediction,
}

impl Assessment {
    /// Whether the change may go ahead with these accepted failures.
    pub fn blocking(&self, accepted: &[String]) -> Vec<String> {
        verdict_accepting(&self.results, accepted)
            .failures
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

/// What a read-only run already read and lends to an assessment, so it is
/// not asked for again.
#[derive(Clone, Copy, Default)]
pub struct Known<'a> {
    /// The directories read for other organizations (the fleet).
    pub directories: Option<&'a gather::Directories>,
    /// The organization's backing, as probed for its situation.
    pub probe: Option<&'a TenantProbe>,
}

/// Gather the facts for `change` on `org` and judge them.
pub async fn assess(
    c: &Clients,
    org: &str,
    change: &Change,
    stale_days: Option<u32>,
    progress: gather::Progress,
) -> Result<Assessment, ClientError> {
    assess_knowing(c, org, change, stale_days, progress, Known::default()).await
}

/// [`assess`], reading nothing `known` already holds.
pub async fn assess_knowing(
    c: &Clients,
    org: &str,
    change: &Change,
    stale_days: Option<u32>,
    progress: gather::Progress,
    known: Known<'_>,
) -> Result<Assessment, ClientError> {
    let op = change.operation();
    let options = gather::GatherOptions {
        probed: known.probe.cloned(),
        ..gather::GatherOptions::default()
    };
    let own = gather::Directories::default();
    let directories = known.directories.unwrap_or(&own);
    let reading = super::judging::reading();
    let mut facts =
        gather::gather_sharing(c, op, org, Utc::now(), progress, options, directories).await?;
    drop(reading);
    if let Some(d) = stale_days {
        facts.stale_after_days = d;
    }
    if let (Some(t), Some(dest)) = (facts.destination_tenant.as_mut(), change.destination())
        && t.display_name.is_empty()
    {
        t.display_name = dest.display_name.clone();
    }
    if matches!(change, Change::Disconnect { .. }) {
        // Addresses known to be personal Microsoft accounts: the users who
        // sign in with one today.
        facts.known_msa_emails = facts.org.users.as_ref().map(|users| {
            users
                .iter()
                .filter(|u| u.origin == Origin::Msa)
                .filter_map(|u| u.sign_in_email())
                .collect()
        });
    }
    // Judging a large organization is milliseconds of CPU: off the async
    // workers, so the answers of other work (a fleet's other organizations)
    // keep being read meanwhile.
    let e = super::judging::off_the_workers(|| {
        let tables = directories.index_tables(&facts);
        evaluate_sharing(&facts, tables.as_ref())
    });
    let (results, prediction) = (e.results, e.prediction);
    Ok(Assessment {
        facts,
        results,
        prediction,
    })
}

/// The change's destination with the names the directory itself reported.
pub fn named_destination(change: &Change, facts: &Facts) -> Option<Directory> {
    let mut d = change.destination()?.clone();
    if let Some(t) = &facts.destination_tenant {
        let named = Directory {
            id: d.id.clone(),
            display_name: t.display_name.clone(),
            domain: t.default_domain.clone(),
        };
        d.merge(&named);
    }
    Some(d)
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// One line for people.
    pub summary: String,
    /// The journal file.
    pub journal: PathBuf,
    /// The change had already landed in an interrupted run; nothing was sent.
    pub already_landed: bool,
    /// Where the organization is now, as Azure reports it.
    pub now: Target,
}

/// A step of an apply, for progress lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyStep {
    /// Checking in Azure what an interrupted run did.
    CheckingInterrupted,
    /// Sending the change.
    Sending(String),
    /// An answer was lost: checking whether the change landed.
    InDoubt,
    /// Reading back the organization's directory.
    Confirming,
}

impl std::fmt::Display for ApplyStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyStep::CheckingInterrupted => f.write_str("checking what the interrupted run did"),
            ApplyStep::Sending(what) => write!(f, "sending: {what}"),
            ApplyStep::InDoubt => f.write_str("the answer was lost; in doubt, checking Azure"),
            ApplyStep::Confirming => f.write_str("reading back the organization's directory"),
        }
    }
}

/// Progress callback for [`apply`].
pub type OnStep = Arc<dyn Fn(ApplyStep) + Send + Sync>;

/// What the person confirmed, written into the journal.
#[derive(Debug, Clone, Default)]
pub struct Confirmed {
    /// Failed checks accepted (only acceptable ones count).
    pub accepted_risks: Vec<String>,
    /// The owner's address as the checks read it (for a later diagnosis).
    pub owner: Option<String>,
}

/// Apply a decision, holding `org`'s lock. `Proceed` sends the change (or
/// continues an interrupted run in its journal); `AlreadyLanded` records
/// that the interrupted run's change is in place. Any other decision changes
/// nothing and is an error here.
pub async fn apply(
    c: &Clients,
    journal_dir: &Path,
    lock: &OrgLock,
    situation: &Situation,
    confirmed: &Confirmed,
    on_step: OnStep,
) -> Result<Applied, ChangeError> {
    let org = situation.org.as_str();
    debug_assert!(lock.org().eq_ignore_ascii_case(org));
    match &situation.decision {
        Decision::AlreadyLanded { pending, now } => {
            on_step(ApplyStep::CheckingInterrupted);
            let mut j = JournalWriter::reopen(&pending.journal)?;
            j.append(&Record::Verified {
                step: STEP.into(),
                at: Utc::now(),
                landed: true,
            })?;
            let summary = situation.decision.explain(org);
            j.append(&Record::End {
                at: Utc::now(),
                summary: summary.clone(),
            })?;
            Ok(Applied {
                summary,
                journal: pending.journal.clone(),
                already_landed: true,
                now: now.target(),
            })
        }
        Decision::Proceed { change, resume } => {
            apply_change(
                c,
                journal_dir,
                org,
                &situation.backing,
                change,
                resume.as_ref(),
                confirmed,
                on_step,
            )
            .await
        }
        other => Err(ChangeError::Moved(other.explain(org))),
    }
}

#[allow(clippy::too_many_arguments)]
async fn apply_change(
    c: &Clients,
    journal_dir: &Path,
    org: &str,
    backing: &Backing,
    change: &Change,
    resume: Option<&Pending>,
    confirmed: &Confirmed,
    on_step: OnStep,
) -> Result<Applied, ChangeError> {
    let target = change.target();
    let mut j = match resume {
        Some(p) => {
            on_step(ApplyStep::CheckingInterrupted);
            let mut j = JournalWriter::reopen(&p.journal)?;
            // The decision read Azure: the interrupted change is not in place.
            j.append(&Record::Verified {
                step: STEP.into(),
                at: Utc::now(),
                landed: false,
            })?;
            j
        }
        None => JournalWriter::create(
            journal_dir,
            change.journal_op(),
            org,
            json!({
                "op": change.journal_op(),
                "org": org,
                "from": backing.target().tenant_value(),
                "to": target.tenant_value(),
                "change": change,
                "accepted_risks": confirmed.accepted_risks,
                "owner": confirmed.owner,
            }),
            Utc::now(),
        )?,
    };
    on_step(ApplyStep::Sending(change.describe(org)));
    j.intent(
        STEP,
        json!({"tenant": target.tenant_value(), "accepted_risks": confirmed.accepted_risks}),
        Utc::now(),
    )?;
    let sent = c.ado.set_tenant(org, target.tenant_value()).await;
    j.outcome(
        STEP,
        sent.as_ref().map(|_| ()).map_err(|e| e.to_string()),
        Utc::now(),
    )?;
    if let Err(e) = sent {
        // The answer may be lost while the change landed: ask Azure (one
        // anonymous probe) before calling it a failure.
        on_step(ApplyStep::InDoubt);
        match landed_now(c, org, &target).await {
            Ok((true, _)) => {}
            _ => return Err(e.into()),
        }
    }
    on_step(ApplyStep::Confirming);
    let (landed, now) = landed_now(c, org, &target).await?;
    j.append(&Record::Verified {
        step: STEP.into(),
        at: Utc::now(),
        landed,
    })?;
    if !landed {
        return Err(ChangeError::NotLanded {
            org: org.into(),
            now,
        });
    }
    let summary = change.done(org);
    j.append(&Record::End {
        at: Utc::now(),
        summary: summary.clone(),
    })?;
    Ok(Applied {
        summary,
        journal: j.path().to_path_buf(),
        already_landed: false,
        now: target,
    })
}

/// Whether `org` is at `target` now (one anonymous probe), and what it uses.
async fn landed_now(
    c: &Clients,
    org: &str,
    target: &Target,
) -> Result<(bool, String), ChangeError> {
    let now = c.ado.probe_tenant(org).await?.tenant;
    let (at, label) = match &now {
        OrgTenant::Msa => (
            Some(Target::Personal),
            "personal Microsoft accounts".to_string(),
        ),
        OrgTenant::Entra(t) => (
            TenantId::parse(t).map(Target::Tenant),
            format!("tenant {t}"),
        ),
        OrgTenant::Unknown => (None, "an undisclosed directory".to_string()),
    };
    Ok((at.as_ref() == Some(target), label))
}

/// The command that asks for `target` on `org` (to finish an interrupted run).
fn command_for(org: &str, op: &str, target: &Target) -> String {
    match target {
        Target::Personal => format!("ado-entra disconnect --org {org}"),
        Target::Tenant(t) => format!("ado-entra {op} --org {org} --to {t}"),
        Target::Unreadable(t) => format!("ado-entra {op} --org {org} --to {t}"),
    }
}

/// The exact commands to run next after a decision that changes nothing.
pub fn next_commands(org: &str, decision: &Decision) -> Vec<String> {
    match decision {
        Decision::NothingToDo {
            already: AlreadyThere::Connected { .. },
        } => vec![format!("ado-entra verify --org {org}")],
        Decision::NothingToDo {
            already: AlreadyThere::Personal,
        } => vec![],
        Decision::WrongFlow { suggested } => match suggested {
            Asked::Connect { to } => vec![format!("ado-entra connect --org {org} --to {}", to.id)],
            other => vec![format!("ado-entra {} --org {org}", other.command())],
        },
        Decision::Refused {
            refusal: Refusal::SameTenant { .. },
        } => vec![format!("ado-entra verify --org {org}")],
        Decision::Refused {
            refusal: Refusal::OtherUnfinished { pending },
        } => unfinished_steps(org, pending),
        _ => vec![],
    }
}

fn unfinished_steps(org: &str, pending: &Pending) -> Vec<String> {
    vec![
        format!(
            "finish it: {}",
            command_for(org, &pending.op, &pending.target)
        ),
        format!(
            "or discard it (Azure is checked and the journal closed with what it shows): ado-entra journal discard --org {org}"
        ),
    ]
}

/// The lock for changing `org`, named after the command holding it.
pub fn lock(journal_dir: &Path, org: &str, command: &str) -> Result<OrgLock, ChangeError> {
    Ok(OrgLock::acquire(journal_dir, org, command)?)
}
