//! Asynchronous work, correlated: every piece of work the wizard starts is
//! a [`Job`] with a [`JobId`]; its result comes back as one [`Done`] carrying
//! that id. [`Jobs`] keeps the ones in flight: "busy" and "pending" derive
//! from it, a new job supersedes one of the same [`Slot`], and a result whose
//! job is no longer in flight (superseded, cancelled) is dropped in one
//! place ([`Jobs::finish`]).

use std::collections::BTreeMap;

use super::model::*;
use crate::domain::checks::CheckResult;

/// Identifies one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub u64);

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Device-code sign-in (tenant `None` = the default authority).
    SignIn {
        tenant: Option<String>,
    },
    /// Device-code sign-in at a directory as an account of it, kept for
    /// reading that directory only (the main sign-in stays).
    SignInDirectory {
        tenant: String,
    },
    ListOrgs,
    /// In the background: each organization's backing, owner, users and
    /// whether the person administers it, and with `op` its readiness
    /// (against `tenant` when the change needs one).
    SurveyOrgs {
        orgs: Vec<String>,
        op: Option<Operation>,
        tenant: Option<String>,
    },
    /// Where the organization is now (anonymous: before any sign-in).
    ProbeBacking {
        org: String,
    },
    ListTenants {
        org: String,
    },
    /// Read the organization's state; for a real change, run every check.
    RunChecks {
        op: Operation,
        org: String,
        tenant: Option<String>,
    },
    /// Make the change (journaled, under the organization's lock).
    Apply {
        op: Operation,
        org: String,
        tenant: Option<String>,
        /// Failed checks the person accepted by typing them back.
        accepted: Vec<String>,
    },
    /// Drop every cached token, sign in afresh at `tenant`, probe the organization.
    Verify {
        org: String,
        tenant: Option<String>,
    },
    /// Service connections, PATs and policies of `org` as it is now.
    Audit {
        org: String,
    },
    /// Write the user checklist as Markdown into the state directory.
    ExportChecklist {
        markdown: String,
    },
    /// Write the change-approval report and the notice to users (from the
    /// report on screen) into the state directory.
    ExportReport {
        org: String,
        operation: Operation,
        prepared_by: Option<String>,
        report: Box<ChecksReport>,
    },
    /// Disconnected users of `org`, the directory's accounts and suggestions.
    LoadResolve {
        org: String,
    },
    /// Live search of the organization's directory.
    Search {
        org: String,
        query: String,
    },
    /// Apply Resolve decisions (journaled); `None` resumes the interrupted run.
    ApplyResolve {
        org: String,
        jobs: Option<Vec<crate::domain::resolve::Job>>,
    },
    /// Write the Resolve plan as CSV into the state directory.
    ExportResolve {
        org: String,
        csv: String,
    },
    /// Diagnose a locked-out owner's organization with the current sign-in.
    Recover {
        org: String,
    },
    /// Carry out a way back (or verify as the owner, or sign in with
    /// another account), checking up to `wait_secs` every `every_secs`.
    RecoverRun {
        org: String,
        action: crate::ops::recover::Action,
        wait_secs: u64,
        every_secs: u64,
    },
}

/// Kinds of work of which one at a time is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    SignIn,
    Backing,
    Orgs,
    /// Background work: never makes quitting ask first.
    Survey,
    Tenants,
    Checks,
    Apply,
    Verify,
    Audit,
    Export,
    Resolve,
    Search,
    ResolveApply,
    Recover,
}

impl Job {
    pub fn slot(&self) -> Slot {
        match self {
            Job::SignIn { .. } | Job::SignInDirectory { .. } => Slot::SignIn,
            Job::ListOrgs => Slot::Orgs,
            Job::SurveyOrgs { .. } => Slot::Survey,
            Job::ProbeBacking { .. } => Slot::Backing,
            Job::ListTenants { .. } => Slot::Tenants,
            Job::RunChecks { .. } => Slot::Checks,
            Job::Apply { .. } => Slot::Apply,
            Job::Verify { .. } => Slot::Verify,
            Job::Audit { .. } => Slot::Audit,
            Job::ExportChecklist { .. } | Job::ExportResolve { .. } | Job::ExportReport { .. } => {
                Slot::Export
            }
            Job::LoadResolve { .. } => Slot::Resolve,
            Job::Search { .. } => Slot::Search,
            Job::ApplyResolve { .. } => Slot::ResolveApply,
            Job::Recover { .. } | Job::RecoverRun { .. } => Slot::Recover,
        }
    }

    /// Work that changes Azure is never cancelled half way.
    pub fn changes_azure(&self) -> bool {
        matches!(self, Job::Apply { .. } | Job::ApplyResolve { .. })
    }
}

/// A job's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    SignedIn(Result<Identity, Problem>),
    /// Signed in to a directory for reading it.
    DirectorySignedIn(Result<Identity, Problem>),
    Orgs(Result<Vec<String>, Problem>),
    /// The survey finished (each organization arrived as an event).
    Surveyed(Result<(), Problem>),
    Backing(Result<OrgBacking, Problem>),
    Tenants(Result<Vec<TenantInfo>, Problem>),
    Checks(Result<ChecksReport, Problem>),
    Applied(Result<Applied, Problem>),
    Verified(Result<VerifyReport, Problem>),
    Audited(Result<Vec<CheckResult>, Problem>),
    /// Where a file was written (checklist or Resolve CSV).
    Exported(Result<String, Problem>),
    ResolveLoaded(Result<ResolveLoad, Problem>),
    Searched {
        query: String,
        result: Result<Vec<Candidate>, Problem>,
    },
    ResolveApplied(Result<ResolveOutcome, Problem>),
    Recovered(Result<Box<crate::ops::recover::Report>, Problem>),
    RecoverRan(Result<Box<crate::ops::recover::Outcome>, Problem>),
}

/// The jobs in flight.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jobs {
    next: u64,
    running: BTreeMap<JobId, (Slot, bool)>,
}

impl Jobs {
    /// Register `job`; returns its id and the job it supersedes (same slot),
    /// which the runtime should stop.
    pub fn start(&mut self, job: &Job) -> (JobId, Option<JobId>) {
        self.next += 1;
        let id = JobId(self.next);
        let slot = job.slot();
        let old = self
            .running
            .iter()
            .find(|(_, (s, _))| *s == slot)
            .map(|(id, _)| *id);
        if let Some(old) = old {
            self.running.remove(&old);
        }
        self.running.insert(id, (slot, job.changes_azure()));
        (id, old)
    }

    /// Forget the job in `slot` (the screen that wanted it is gone); returns its id.
    pub fn cancel(&mut self, slot: Slot) -> Option<JobId> {
        let id = self
            .running
            .iter()
            .find(|(_, (s, changes))| *s == slot && !changes)
            .map(|(id, _)| *id)?;
        self.running.remove(&id);
        Some(id)
    }

    /// A result arrived: true when its job is still wanted (and no longer
    /// in flight); false for a superseded or cancelled job, whose result is dropped.
    pub fn finish(&mut self, id: JobId) -> bool {
        self.running.remove(&id).is_some()
    }

    /// Whether `id` is in flight (its progress events are wanted).
    pub fn wants(&self, id: JobId) -> bool {
        self.running.contains_key(&id)
    }

    /// How many are in flight (background work left out).
    pub fn pending(&self) -> usize {
        self.running
            .values()
            .filter(|(slot, _)| *slot != Slot::Survey)
            .count()
    }

    /// Whether work in `slot` is in flight.
    pub fn running(&self, slot: Slot) -> bool {
        self.running.values().any(|(s, _)| *s == slot)
    }

    /// The job in flight in `slot`, if any.
    pub fn id_in(&self, slot: Slot) -> Option<JobId> {
        self.running
            .iter()
            .find(|(_, (s, _))| *s == slot)
            .map(|(id, _)| *id)
    }

    /// Some job in flight, if any.
    pub fn any(&self) -> Option<JobId> {
        self.running.keys().next().copied()
    }

    /// Whether something that changes Azure is in flight.
    pub fn changing(&self) -> bool {
        self.running.values().any(|(_, changes)| *changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_job_of_the_same_kind_supersedes_and_its_elder_is_dropped() {
        let mut jobs = Jobs::default();
        let (a, none) = jobs.start(&Job::ListTenants { org: "a".into() });
        assert_eq!(none, None);
        let (orgs, _) = jobs.start(&Job::ListOrgs);
        let (b, old) = jobs.start(&Job::ListTenants { org: "b".into() });
        assert_eq!(old, Some(a), "the runtime is told to stop the elder");
        assert_eq!(jobs.pending(), 2);
        assert!(!jobs.finish(a), "the result for 'a' is dropped");
        assert!(jobs.finish(b));
        assert!(jobs.finish(orgs));
        assert!(!jobs.finish(b), "a result counts once");
        assert_eq!(jobs.pending(), 0);
    }

    #[test]
    fn a_change_is_never_cancelled() {
        let mut jobs = Jobs::default();
        jobs.start(&Job::Apply {
            op: Operation::Connect,
            org: "o".into(),
            tenant: None,
            accepted: vec![],
        });
        assert!(jobs.changing());
        assert_eq!(jobs.cancel(Slot::Apply), None);
        let (s, _) = jobs.start(&Job::Search {
            org: "o".into(),
            query: "q".into(),
        });
        assert_eq!(jobs.cancel(Slot::Search), Some(s));
        assert!(!jobs.wants(s));
    }
}
