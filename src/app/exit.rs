//! Leaving the wizard: the exit code, and what the person is told on the
//! way out when work was in flight or a change is half done (what is done,
//! what is not, and the exact command that finishes it).

use super::{Operation, Screen, Slot, State};

/// A signal sent to the process (not Ctrl-C typed as a key in raw mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT.
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP (the terminal went away).
    Hangup,
}

impl Signal {
    /// The shell convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Hangup => 129,
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Exit code of an interrupted run (Ctrl-C, SIGINT).
pub const INTERRUPTED: u8 = 130;

/// How the wizard ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    pub code: u8,
    /// Printed after the terminal is restored, when there is something left
    /// to finish.
    pub note: Option<String>,
}

/// How `state` ends now.
pub fn leave(state: &State) -> Exit {
    Exit {
        code: state.exit_code,
        note: note(state),
    }
}

/// The command that runs (or finishes) the chosen directory change.
fn change_command(state: &State) -> String {
    let org = state.session.org();
    let to = state
        .session
        .destination_id()
        .unwrap_or_else(|| "TENANT".into());
    match state.session.operation() {
        Operation::Connect => format!("ado-entra connect --org {org} --to {to}"),
        Operation::ChangeTenant => format!("ado-entra change-tenant --org {org} --to {to}"),
        Operation::Disconnect => format!("ado-entra disconnect --org {org}"),
        Operation::CheckOnly => format!("ado-entra check --org {org} --to {to}"),
    }
}

fn note(state: &State) -> Option<String> {
    let org = state.session.org();
    let op = state.session.operation();
    if state.jobs.running(Slot::Apply) {
        return Some(format!(
            "The {} of '{org}' was in flight when ado-entra stopped: it may or may not have reached Azure. \
             The journal holds it. To finish, run:\n  {}\nIt reads the organization's real state first and never sends the change twice \
             (`ado-entra journal list` shows what is unfinished).",
            op.verb(),
            change_command(state)
        ));
    }
    let resolving = state.jobs.running(Slot::ResolveApply)
        || matches!(&state.screen, Screen::Resolve(r) if r.busy());
    if resolving {
        return Some(format!(
            "Resolve was applying decisions for '{org}' when ado-entra stopped; what was sent is journaled. \
             To finish the rest, run:\n  ado-entra resolve --org {org} --resume"
        ));
    }
    if let Screen::Recover(r) = &state.screen
        && r.running.is_some()
    {
        return Some(format!(
            "A recovery step for '{}' was running when ado-entra stopped; what was sent is journaled and nothing is sent twice. \
             To see where it stands and go on, run:\n  ado-entra recover --org {}",
            r.org, r.org
        ));
    }
    if let (Some(applied), None) = (&state.session.applied, &state.session.verified) {
        let tenant = state
            .session
            .destination_id()
            .map(|t| format!("ado-entra login --tenant {t}, then "))
            .unwrap_or_default();
        return Some(format!(
            "{} It was not verified with a fresh sign-in yet: run {tenant}ado-entra verify --org {org}",
            applied.summary.trim_end_matches('.').to_string() + "."
        ));
    }
    None
}
