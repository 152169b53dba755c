//! The application layer, shared by the wizard and the headless commands:
//! read the organization's real state, gather facts, judge them, plan, apply
//! with the journal and the organization's lock, verify, resolve users.
//!
//! It speaks its own vocabulary ([`model`]) and reports progress as its own
//! [`model::Event`]s; it knows nothing of the wizard or the terminal. The
//! wizard's runtime maps its results and events to messages; the commands
//! print them.

pub mod advice;
pub mod approval;
pub mod change;
pub mod fleet;
pub mod fleet_report;
pub mod gather;
mod judging;
pub mod lock;
pub mod model;
pub mod output;
pub mod pacing;
pub mod recover;
pub mod report;
pub mod resolve;
pub mod session;
pub mod since_change;
pub mod verify;

use crate::domain::checks::{CheckResult, run_all};
use crate::domain::directory::{Backing, Directory};
use crate::domain::facts;

pub use change::ChangeError;
pub use session::{Session, current_identity};

/// What an audit judges against: a planned directory when given, else the
/// directory the organization uses now (a connected organization "moving" to
/// its own tenant); `None` for an organization of personal accounts with no plan.
pub fn audit_operation(now: &Backing, planned: Option<&Directory>) -> Option<facts::Operation> {
    match (now, planned) {
        (Backing::Tenant { directory }, Some(to)) => Some(facts::Operation::ChangeTenant {
            from: directory.id.to_string(),
            to: to.id.to_string(),
        }),
        (_, Some(to)) => Some(facts::Operation::Connect {
            destination: to.id.to_string(),
        }),
        (Backing::Tenant { directory }, None) => Some(facts::Operation::ChangeTenant {
            from: directory.id.to_string(),
            to: directory.id.to_string(),
        }),
        (Backing::Personal, None) => None,
    }
}

/// The checks an audit reports: every credential the change affects
/// (service connections of each kind, Key Vault variable groups, agent
/// registrations, PATs, SSH keys) and the policies that apply to them.
pub fn audit_rows(facts: &facts::Facts) -> Vec<CheckResult> {
    const AUDIT: [&str; 12] = [
        "service-connections",
        "workload-identity",
        "key-vault-variable-groups",
        "agent-registrations",
        "global-pats",
        "pats-recreate",
        "ssh-keys",
        "tenant-pat-policies",
        "pat-creation-policy",
        "org-policies",
        "guest-access-policy",
        "guest-invitations",
    ];
    run_all(facts)
        .into_iter()
        .filter(|r| AUDIT.contains(&r.id))
        .collect()
}
