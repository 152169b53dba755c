//! `ado-entra recover`: the owner is already locked out. A thin adapter over
//! `ops::recover`: diagnose with the current sign-in (remembered with the
//! earlier ones) and list the ways back, or carry one out.

use std::fmt;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use serde::Serialize;

use super::{CliError, GlobalArgs, exit};
use crate::domain::recover::{WayId, WayStatus};
use crate::domain::verify::Access;
use crate::ops::Session;
use crate::ops::model::{Event, Events};
use crate::ops::recover::{Action, Outcome, Progress, Report, WayOptions};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Run it with whatever account you can still sign in with; run it again after signing in with another (`ado-entra login --tenant consumers` for a personal Microsoft account, `ado-entra login` for a work account): each one is remembered, and the diagnosis uses them all.\n\nWays (in the order most likely to work): sign-in, invite-owner, back-door, claim-ownership, support.\nExit codes: 0 the organization answers (or the way worked), 3 still locked out (the output says what to do), 1 error, 2 usage.\n\nExamples:\n  ado-entra recover --org fabrikam\n  ado-entra recover --org fabrikam --json\n  ado-entra recover --org fabrikam --way back-door --wait 900\n  ado-entra recover --org fabrikam --way invite-owner --yes\n  ado-entra recover --org fabrikam --verify-owner --wait 3600\n  ado-entra recover --org fabrikam --way support"
)]
pub struct RecoverArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long, value_parser = super::org_arg)]
    pub org: String,
    /// Carry out one way back: sign-in, invite-owner, back-door, claim-ownership or support.
    #[arg(long, value_name = "WAY", value_parser = parse_way, conflicts_with = "verify_owner")]
    pub way: Option<WayId>,
    /// Sign in afresh (as the owner) and verify; with --wait, keep checking until the organization answers.
    #[arg(long)]
    pub verify_owner: bool,
    /// With --verify-owner: where to sign in (tenant id, domain, or `consumers`); default: the organization's directory.
    #[arg(long, value_name = "TENANT", requires = "verify_owner")]
    pub sign_in_at: Option<String>,
    /// Keep checking for this many seconds (an invitation accepted, a page used, Azure DevOps catching up); 0 checks once.
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    pub wait: u64,
    /// Seconds between checks while waiting.
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub every: u64,
    /// Skip the confirmation of a way that changes something (invite-owner, back-door).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON on stdout (errors too).
    #[arg(long)]
    pub json: bool,
}

fn parse_way(s: &str) -> Result<WayId, String> {
    WayId::parse(s).ok_or_else(|| {
        format!(
            "unknown way '{s}'; use one of: {}",
            WayId::ALL.map(WayId::name).join(", ")
        )
    })
}

/// `recover`.
pub async fn run(global: &GlobalArgs, args: RecoverArgs) -> Result<u8, CliError> {
    let json = args.json;
    run_inner(global, &args).await.map_err(|e| e.json(json))
}

/// Device codes, steps and countdowns on stderr.
fn printer() -> Events {
    let tty = std::io::stderr().is_terminal();
    let last_cycle: Mutex<Option<(String, u64)>> = Mutex::new(None);
    Arc::new(move |e: Event| match e {
        Event::SignInPrompt(p) => tell!(
            "To sign in, open {} and enter the code {} (it expires in {} min).",
            p.verification_uri,
            p.user_code,
            p.expires_in_secs.div_ceil(60)
        ),
        Event::Throttled { wait_secs } => {
            tell!("Azure is throttling; retrying in {wait_secs}s")
        }
        Event::Recovering(Progress::Step { text }) => {
            if tty {
                eprint!("\r\x1b[2K");
            }
            tell!("{text}")
        }
        Event::Recovering(Progress::Waiting {
            what,
            next_check_secs,
            waited_secs,
            limit_secs,
        }) => {
            let waited = if waited_secs < 120 {
                format!("{waited_secs}s")
            } else {
                format!("{} min", waited_secs / 60)
            };
            let line = format!(
                "waiting for {what}: next check in {next_check_secs}s (waited {waited} of {} min)",
                limit_secs.div_ceil(60)
            );
            if tty {
                eprint!("\r\x1b[2K{}", crate::domain::text::printable(&line));
            } else {
                // One line per check, not per second.
                let mut last = last_cycle.lock().expect("not poisoned");
                let cycle = (what.clone(), waited_secs.saturating_add(next_check_secs));
                if last.as_ref() != Some(&cycle) {
                    tell!("{line}");
                    *last = Some(cycle);
                }
            }
        }
        _ => {}
    })
}

async fn run_inner(global: &GlobalArgs, args: &RecoverArgs) -> Result<u8, CliError> {
    let org = args.org.clone(); // parsed by clap (`org_arg`)
    super::auth_cmds::require_person(global, crate::domain::identity::PersonOnly::Recover)?;
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let session = Session::new(super::auth_cmds::settings(global), paths);
    let events = printer();
    let action = match (args.way, args.verify_owner) {
        (Some(way), _) => Some(Action::Way { way }),
        (None, true) => Some(Action::VerifyOwner {
            tenant: args.sign_in_at.clone(),
        }),
        (None, false) => None,
    };
    let Some(action) = action else {
        let report = session
            .recover(&org, &events)
            .await
            .map_err(CliError::problem)?;
        return Ok(super::emit(&Diagnosis(report), args.json));
    };
    if matches!(
        action,
        Action::Way {
            way: WayId::InviteOwner | WayId::BackDoor
        }
    ) {
        super::change::confirm(&org, args.yes)?;
    }
    let opts = WayOptions {
        wait: Duration::from_secs(args.wait),
        every: Duration::from_secs(args.every),
    };
    let outcome = session
        .recover_run(&org, action, &opts, &events)
        .await
        .map_err(CliError::problem)?;
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
    Ok(super::emit(&Carried(outcome), args.json))
}

/// `recover` without a way: the diagnosis and the ways back
/// (`ops::recover::Report`, whose JSON document ops writes).
struct Diagnosis(Report);

impl Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(s)
    }
}

impl super::Report for Diagnosis {
    fn exit_code(&self) -> u8 {
        code_of(&self.0)
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_report(f, &self.0)
    }
}

/// `recover --way` or `--verify-owner`: what was done, with the diagnosis
/// it started from.
struct Carried(Outcome);

impl Serialize for Carried {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = &self.0;
        let mut v = o.report.to_json();
        v["action"] = serde_json::to_value(&o.action).map_err(serde::ser::Error::custom)?;
        v["outcome"] = serde_json::json!({
            "ok": o.ok,
            "status": o.status.name(),
            "summary": o.summary,
            "next": o.next,
            "file": o.file,
            "message": o.message,
            "verified": o.verified,
        });
        v.serialize(s)
    }
}

impl super::Report for Carried {
    fn exit_code(&self) -> u8 {
        if self.0.ok && self.0.status == WayStatus::Done {
            exit::OK
        } else {
            exit::CHECK_FAILED
        }
    }
}

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_outcome(f, &self.0)
    }
}

fn code_of(r: &Report) -> u8 {
    match r.assessment.state {
        Access::Works => exit::OK,
        Access::Missing | Access::Unknown => exit::ERROR,
        _ => exit::CHECK_FAILED,
    }
}

fn write_report(out: &mut fmt::Formatter<'_>, r: &Report) -> fmt::Result {
    let f = &r.facts;
    let a = &r.assessment;
    match r.current() {
        Some(i) => writeln!(out, "Recovering '{}' as {}\n", r.org, i.label())?,
        None => writeln!(out, "Recovering '{}'\n", r.org)?,
    }
    writeln!(out, "{}\n", a.headline)?;
    if let Access::WrongSignIn { .. } = a.state {
        // A wrong sign-in is told to sign in again, and nothing else.
        if let Some(w) = r.way(WayId::SignIn) {
            for (i, s) in w.steps.iter().enumerate() {
                writeln!(out, "  {}. {s}", i + 1)?;
            }
        }
        return Ok(());
    }
    if f.missing {
        return Ok(());
    }
    writeln!(out, "The organization")?;
    match &f.tenant {
        Some(t) => {
            let mut names = Vec::new();
            if let Some(n) = &t.display_name {
                names.push(n.clone());
            }
            names.extend(t.domains.iter().cloned());
            writeln!(
                out,
                "  directory: {} (tenant {})",
                if names.is_empty() {
                    "name not readable".to_string()
                } else {
                    names.join(", ")
                },
                t.id
            )?;
            for e in &t.evidence {
                writeln!(out, "    {e}")?;
            }
        }
        None if !f.connected => writeln!(out, "  directory: none (personal Microsoft accounts)")?,
        None => writeln!(out, "  directory: not read")?,
    }
    match &f.owner {
        Some(o) => writeln!(
            out,
            "  owner: {} (read from {})",
            o.address,
            o.source.replace('_', " ")
        )?,
        None => writeln!(out, "  owner: not readable with these identities")?,
    }
    if let Some(id) = &f.org_id {
        writeln!(out, "  id: {id}")?;
    }
    writeln!(out, "\nYour identities")?;
    let tenant = f.tenant_name();
    for i in &f.identities {
        writeln!(
            out,
            "  {} {}{}",
            if *i.access() == Access::Works {
                "✔"
            } else {
                "✘"
            },
            i.label(),
            if i.current { " (signed in now)" } else { "" }
        )?;
        if f.connected {
            writeln!(out, "      {}", i.in_tenant.describe(&tenant))?;
        }
        if let Some(n) = &i.upn_note {
            writeln!(out, "      note: {n}")?;
        }
        for e in &i.evidence {
            writeln!(out, "      {e}")?;
        }
        writeln!(
            out,
            "      as signed in: {}{}{}{}",
            i.signed_in.name().replace('_', " "),
            i.in_directory
                .as_ref()
                .map(|a| format!("; signed in to {tenant}: {}", a.name().replace('_', " ")))
                .unwrap_or_default(),
            match i.is_owner {
                Some(true) => "; the owner",
                _ => "",
            },
            if i.azure_devops_administrator {
                "; Azure DevOps Administrator"
            } else {
                ""
            }
        )?;
    }
    if f.connected {
        let h = &f.who_can_help;
        writeln!(out, "\nWho can let you back in")?;
        writeln!(
            out,
            "  Azure DevOps Administrators of {tenant}: {}",
            h.azure_devops_administrators.describe()
        )?;
        writeln!(
            out,
            "  Global Administrators of {tenant}: {}",
            h.global_administrators.describe()
        )?;
        writeln!(
            out,
            "  Project Collection Administrators still let in: {}",
            h.project_collection_administrators.describe()
        )?;
    }
    if a.state == Access::Works {
        // Nothing to recover: only what keeps it from happening again.
        if let Some(w) = a.ways.iter().find(|w| w.status == WayStatus::Done) {
            writeln!(out, "\n{}", w.why)?;
            for s in &w.steps {
                writeln!(out, "  - {s}")?;
            }
        }
        return Ok(());
    }
    writeln!(out, "\nWays back, in order")?;
    for w in &a.ways {
        writeln!(
            out,
            "  {}. {} [{}]",
            w.order,
            w.title,
            w.status.name().replace('_', " ")
        )?;
        writeln!(out, "     {}", w.why)?;
        if w.status.actionable() {
            for s in &w.steps {
                writeln!(out, "     - {s}")?;
            }
            if let Some(c) = &w.command {
                writeln!(out, "     run: {c}")?;
            }
        }
    }
    Ok(())
}

fn write_outcome(f: &mut fmt::Formatter<'_>, o: &Outcome) -> fmt::Result {
    writeln!(f, "{}", o.summary)?;
    if let Some(v) = &o.verified {
        write!(f, "{}", super::verify::Probes(&v.probes))?;
    }
    if let Some(file) = &o.file {
        writeln!(f, "Written: {file}")?;
    }
    if let Some(m) = &o.message {
        writeln!(f, "\n{m}")?;
    }
    if !o.next.is_empty() {
        writeln!(f, "\nNext:")?;
        for (i, n) in o.next.iter().enumerate() {
            writeln!(f, "  {}. {n}", i + 1)?;
        }
    }
    Ok(())
}
