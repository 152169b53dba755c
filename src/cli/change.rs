//! `connect`, `change-tenant`, `disconnect` and `verify`: thin adapters over
//! `ops::change` and `ops::verify`. Every change reads the journal and the
//! organization's real state first (under the organization's lock), then
//! takes exactly one decision; see `docs/user-guide.md`.

use std::fmt;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use clap::Args;
use serde::Serialize;

use super::{CliError, GlobalArgs, exit};
use crate::domain::checks::{ACCEPTABLE, Status, acceptable};
use crate::domain::directory::{Asked, Change, Decision, Target};
use crate::domain::validate::parse_tenant;
use crate::ops::change::{
    self as ops, Applied, ApplyStep, Assessment, ChangeError, Confirmed, Situation,
};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Reads the organization's journal and its real state first, then does exactly one thing: nothing (already there), finishes an interrupted run, refuses (with the reason), or runs every prerequisite check, shows the plan and, once confirmed, makes the change.\nWithout --yes it asks you to type the organization name; when not interactive, --yes is required.\nExit codes: 0 done or nothing to do, 1 error, 2 usage or wrong command for the organization's state, 3 refused (a check failed, or the organization's state forbids it).\n\nExamples:\n  ado-entra connect --org fabrikam --to fabrikam.onmicrosoft.com\n  ado-entra connect --org fabrikam --to 72f988bf-86f1-41af-91ab-2d7cd011db47 --yes --json"
)]
pub struct ChangeArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long, value_parser = super::org_arg)]
    pub org: String,
    /// Destination directory: tenant id or one of its verified domains.
    #[arg(long = "to", value_name = "TENANT", value_parser = super::tenant_arg)]
    pub to: Option<String>,
    /// Go ahead although this check failed (only `admins-keep-access` and
    /// `owner-is-personal-account`; recorded in the journal). Repeatable.
    #[arg(long = "accept-risk", value_name = "CHECK")]
    pub accept_risk: Vec<String>,
    /// Days without access after which a user counts as stale.
    #[arg(long, default_value_t = 90)]
    pub stale_days: u32,
    /// Skip the confirmation (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON on stdout (errors too).
    #[arg(long)]
    pub json: bool,
}

/// Which change command is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Connect,
    ChangeTenant,
    Disconnect,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::Connect => "connect",
            Command::ChangeTenant => "change-tenant",
            Command::Disconnect => "disconnect",
        }
    }
}

pub(super) fn paths() -> Result<StatePaths, CliError> {
    StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))
}

/// A change error as the command reports it (knowledge base first).
pub fn change_error(e: ChangeError) -> CliError {
    let refused = matches!(e, ChangeError::Locked(_));
    let err = CliError::problem(crate::ops::advice::change(&e));
    if refused {
        err.with_code(super::exit::CHECK_FAILED)
    } else {
        err
    }
}

pub(super) fn confirm(org: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "not asking without a terminal: pass --yes to confirm",
        ));
    }
    eprint!("Type the organization name ({org}) to proceed: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::error(e.to_string()))?;
    if line.trim().eq_ignore_ascii_case(org) {
        Ok(())
    } else {
        Err(CliError::error(
            "the name did not match; nothing was changed",
        ))
    }
}

fn print_step(quiet: bool) -> ops::OnStep {
    Arc::new(move |s: ApplyStep| {
        if !quiet {
            tell!("{s}");
        }
    })
}

fn progress(quiet: bool) -> crate::ops::gather::Progress {
    let quiet = quiet || !std::io::stderr().is_terminal();
    Arc::new(move |done, total, what| {
        if !quiet {
            eprint!(
                "\r\x1b[2Kchecking {done}/{total}: {}",
                crate::domain::text::printable(what)
            );
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    })
}

/// `connect`, `change-tenant`, `disconnect`.
pub async fn change(global: &GlobalArgs, args: ChangeArgs, cmd: Command) -> Result<u8, CliError> {
    let json_out = args.json;
    run_change(global, &args, cmd)
        .await
        .map_err(|e| e.json(json_out))
}

async fn run_change(global: &GlobalArgs, args: &ChangeArgs, cmd: Command) -> Result<u8, CliError> {
    super::auth_cmds::require_person_to(global, cmd == Command::Disconnect)?;
    let org = args.org.clone(); // parsed by clap (`org_arg`)
    for risk in &args.accept_risk {
        if !acceptable(risk) {
            return Err(CliError::usage(format!(
                "--accept-risk {risk}: only these checks can be accepted: {}{}",
                ACCEPTABLE.join(", "),
                if risk == "lockout-proof" {
                    ". The owner's lockout never can: fix the owner's identity first"
                } else {
                    ""
                }
            )));
        }
    }
    // The destination is --to; the global --tenant (the sign-in directory)
    // is still read for it, as earlier versions documented.
    let destination = match (cmd, args.to.as_deref(), global.tenant.as_deref()) {
        (Command::Disconnect, Some(_), _) => {
            return Err(CliError::usage(
                "disconnect takes no --to: it returns the organization to personal Microsoft accounts",
            ));
        }
        (Command::Disconnect, None, _) => None,
        (_, Some(t), _) | (_, None, Some(t)) => {
            Some(parse_tenant(t).map_err(|e| CliError::usage(e.to_string()))?)
        }
        (_, None, None) => {
            return Err(CliError::usage(format!(
                "give the destination directory: ado-entra {} --org {org} --to TENANT (a tenant id or one of its domains)",
                cmd.name()
            )));
        }
    };
    let paths = paths()?;
    let jdir = paths.journal_dir();
    let c = super::auth_cmds::signed_in(global).await?;
    let command_line = std::iter::once("ado-entra".to_string())
        .chain(std::env::args().skip(1).filter(|a| !a.starts_with("--pat")))
        .collect::<Vec<_>>()
        .join(" ");
    // Held from before the journal is read until the change is recorded.
    let lock = ops::lock(&paths.lock_dir(), &org, &command_line).map_err(change_error)?;
    let asked = match (cmd, destination) {
        (Command::Disconnect, _) => Asked::Disconnect,
        (cmd, Some(t)) => {
            let to = ops::resolve_tenant(&c, &t).await.map_err(change_error)?;
            if cmd == Command::Connect {
                Asked::Connect { to }
            } else {
                Asked::ChangeTenant { to }
            }
        }
        (_, None) => unreachable!("checked above"),
    };
    let situation = ops::situation(&c, &jdir, &org, &asked)
        .await
        .map_err(change_error)?;
    let quiet = args.json;
    match &situation.decision {
        Decision::NothingToDo { .. } | Decision::WrongFlow { .. } | Decision::Refused { .. } => {
            let code = match &situation.decision {
                Decision::NothingToDo { .. } => exit::OK,
                Decision::WrongFlow { .. } => exit::USAGE,
                _ => exit::CHECK_FAILED,
            };
            let decided = Decided {
                org: &org,
                situation: &situation,
                message: situation.decision.explain(&org),
                next_steps: ops::next_commands(&org, &situation.decision),
                applied: None,
                code,
            };
            Ok(super::emit(&decided, args.json))
        }
        Decision::AlreadyLanded { .. } => {
            let applied = ops::apply(
                &c,
                &jdir,
                &lock,
                &situation,
                &Confirmed::default(),
                print_step(quiet),
            )
            .await
            .map_err(change_error)?;
            Ok(super::emit(
                &done(&org, &situation, None, &applied),
                args.json,
            ))
        }
        Decision::Proceed { change, resume } => {
            if let (Some(p), false) = (resume, quiet) {
                tell!(
                    "Continuing the interrupted {} of '{org}' (journal {}): Azure does not show it in place, so the checks run again first.",
                    p.op,
                    p.journal.display()
                );
            }
            let assessment = ops::assess(&c, &org, change, Some(args.stale_days), progress(quiet))
                .await
                .map_err(|e| change_error(e.into()))?;
            let blocking = assessment.blocking(&args.accept_risk);
            if !blocking.is_empty() {
                let blocked = Blocked {
                    org: &org,
                    situation: &situation,
                    applied: None,
                    blocked_by: blocking,
                    report: ChecksJson {
                        org: &org,
                        destination: change.destination().map(|d| d.id.as_str()),
                        assessment: &assessment,
                    },
                    command: &command_line,
                };
                return Ok(super::emit(&blocked, args.json));
            }
            let accepted: Vec<String> =
                crate::domain::checks::verdict_accepting(&assessment.results, &args.accept_risk)
                    .accepted
                    .into_iter()
                    .map(str::to_string)
                    .collect();
            if !args.json {
                print_plan(&org, change, &assessment, &accepted);
            }
            confirm(&org, args.yes)?;
            let confirmed = Confirmed {
                accepted_risks: accepted,
                owner: assessment.facts.owner_email(),
            };
            let applied = ops::apply(&c, &jdir, &lock, &situation, &confirmed, print_step(quiet))
                .await
                .map_err(change_error)?;
            Ok(super::emit(
                &done(&org, &situation, Some(&assessment), &applied),
                args.json,
            ))
        }
    }
}

fn print_plan(org: &str, change: &Change, a: &Assessment, accepted: &[String]) {
    let report = crate::ops::report::report(&a.facts, &a.results, &a.prediction);
    tell!("Plan: {}", change.describe(org));
    for c in &report.plan.changes {
        tell!("  • {c}");
    }
    if !report.plan.disconnected.is_empty() {
        tell!(
            "  Disconnected until mapped: {}",
            report.plan.disconnected.len()
        );
    }
    for id in accepted {
        tell!("  ! accepted risk: {id} (recorded in the journal)");
    }
}

/// The change made (or found made and recorded): what the journal says,
/// and what to do next.
fn done<'a>(
    org: &'a str,
    situation: &'a Situation,
    a: Option<&'a Assessment>,
    applied: &'a Applied,
) -> Done<'a> {
    let next = match &applied.now {
        Target::Tenant(t) => format!(
            "sign out, sign in afresh as a member of the directory (`ado-entra logout`, then `ado-entra login --tenant {t}`), and run `ado-entra verify --org {org}`"
        ),
        _ => format!(
            "sign in afresh with your personal Microsoft account (`ado-entra logout`, then `ado-entra login --tenant consumers`), and run `ado-entra verify --org {org}`"
        ),
    };
    Done {
        org,
        situation,
        applied,
        report: a.map(|assessment| ChecksJson {
            org,
            destination: situation
                .decision
                .change()
                .and_then(|c| c.destination())
                .map(|d| d.id.as_str()),
            assessment,
        }),
        next_steps: vec![next],
    }
}

/// The checks as `check --json` writes them (`ops::output::check_json`).
struct ChecksJson<'a> {
    org: &'a str,
    destination: Option<&'a str>,
    assessment: &'a Assessment,
}

impl Serialize for ChecksJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.assessment;
        crate::ops::output::check_json(self.org, self.destination, &a.results, &a.prediction)
            .serialize(s)
    }
}

/// Nothing to do, the wrong command, or refused by the organization's state.
#[derive(Serialize)]
struct Decided<'a> {
    org: &'a str,
    situation: &'a Situation,
    message: String,
    next_steps: Vec<String>,
    /// Nothing was applied (`null`).
    applied: Option<&'a Applied>,
    #[serde(skip)]
    code: u8,
}

impl super::Report for Decided<'_> {
    fn exit_code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for Decided<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        for n in &self.next_steps {
            writeln!(f, "  next: {n}")?;
        }
        Ok(())
    }
}

/// Refused: a prerequisite failed and was not accepted. Nothing changed.
#[derive(Serialize)]
struct Blocked<'a> {
    org: &'a str,
    situation: &'a Situation,
    /// Nothing was applied (`null`).
    applied: Option<&'a Applied>,
    blocked_by: Vec<String>,
    report: ChecksJson<'a>,
    /// The command to run again after fixing.
    #[serde(skip)]
    command: &'a str,
}

impl super::Report for Blocked<'_> {
    fn exit_code(&self) -> u8 {
        exit::CHECK_FAILED
    }
    fn text_on_stderr(&self) -> bool {
        true
    }
}

impl fmt::Display for Blocked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Refusing to change '{}': a prerequisite failed.",
            self.org
        )?;
        for r in self
            .report
            .assessment
            .results
            .iter()
            .filter(|r| r.status == Status::Fail && self.blocked_by.iter().any(|b| b == r.id))
        {
            writeln!(f, "  ✘ {}: {}", r.id, r.title)?;
            for e in r.evidence.iter().take(5) {
                writeln!(f, "      {e}")?;
            }
            if let Some(fix) = &r.fix {
                writeln!(f, "    fix: {fix}")?;
            }
        }
        writeln!(
            f,
            "Nothing was changed. After fixing, run the same command again: {}",
            self.command
        )
    }
}

/// The change made: the journal's summary and what to do next.
#[derive(Serialize)]
struct Done<'a> {
    org: &'a str,
    situation: &'a Situation,
    applied: &'a Applied,
    /// The checks run before the change (`null` when it had already landed).
    report: Option<ChecksJson<'a>>,
    next_steps: Vec<String>,
}

impl super::Report for Done<'_> {}

impl fmt::Display for Done<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}\nJournal: {}",
            self.applied.summary,
            self.applied.journal.display()
        )?;
        for n in &self.next_steps {
            writeln!(f, "Next: {n}.")?;
        }
        Ok(())
    }
}
