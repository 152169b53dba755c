//! `ado-entra recover`: the owner is already locked out. A thin adapter over
//! `ops::recover`: diagnose with the current sign-in (remembered with the
//! earlier ones) and list the ways back, or carry one out.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

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
        if args.json {
            println!("{}", report.to_json());
        } else {
            print_report(&report);
        }
        return Ok(code_of(&report));
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
    if args.json {
        let mut v = outcome.report.to_json();
        v["action"] = serde_json::to_value(&outcome.action).unwrap_or_default();
        v["outcome"] = serde_json::json!({
            "ok": outcome.ok,
            "status": outcome.status.name(),
            "summary": outcome.summary,
            "next": outcome.next,
            "file": outcome.file,
            "message": outcome.message,
            "verified": outcome.verified,
        });
        println!("{v}");
    } else {
        print_outcome(&outcome);
    }
    Ok(if outcome.ok && outcome.status == WayStatus::Done {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

fn code_of(r: &Report) -> u8 {
    match r.assessment.state {
        Access::Works => exit::OK,
        Access::Missing | Access::Unknown => exit::ERROR,
        _ => exit::CHECK_FAILED,
    }
}

fn print_report(r: &Report) {
    let f = &r.facts;
    let a = &r.assessment;
    match r.current() {
        Some(i) => say!("Recovering '{}' as {}\n", r.org, i.label()),
        None => say!("Recovering '{}'\n", r.org),
    }
    say!("{}\n", a.headline);
    if let Access::WrongSignIn { .. } = a.state {
        // A wrong sign-in is told to sign in again, and nothing else.
        if let Some(w) = r.way(WayId::SignIn) {
            for (i, s) in w.steps.iter().enumerate() {
                say!("  {}. {s}", i + 1);
            }
        }
        return;
    }
    if f.missing {
        return;
    }
    say!("The organization");
    match &f.tenant {
        Some(t) => {
            let mut names = Vec::new();
            if let Some(n) = &t.display_name {
                names.push(n.clone());
            }
            names.extend(t.domains.iter().cloned());
            say!(
                "  directory: {} (tenant {})",
                if names.is_empty() {
                    "name not readable".to_string()
                } else {
                    names.join(", ")
                },
                t.id
            );
            for e in &t.evidence {
                say!("    {e}");
            }
        }
        None if !f.connected => say!("  directory: none (personal Microsoft accounts)"),
        None => say!("  directory: not read"),
    }
    match &f.owner {
        Some(o) => say!(
            "  owner: {} (read from {})",
            o.address,
            o.source.replace('_', " ")
        ),
        None => say!("  owner: not readable with these identities"),
    }
    if let Some(id) = &f.org_id {
        say!("  id: {id}");
    }
    say!("\nYour identities");
    let tenant = f.tenant_name();
    for i in &f.identities {
        say!(
            "  {} {}{}",
            if *i.access() == Access::Works {
                "✔"
            } else {
                "✘"
            },
            i.label(),
            if i.current { " (signed in now)" } else { "" }
        );
        if f.connected {
            say!("      {}", i.in_tenant.describe(&tenant));
        }
        if let Some(n) = &i.upn_note {
            say!("      note: {n}");
        }
        for e in &i.evidence {
            say!("      {e}");
        }
        say!(
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
        );
    }
    if f.connected {
        let h = &f.who_can_help;
        say!("\nWho can let you back in");
        say!(
            "  Azure DevOps Administrators of {tenant}: {}",
            h.azure_devops_administrators.describe()
        );
        say!(
            "  Global Administrators of {tenant}: {}",
            h.global_administrators.describe()
        );
        say!(
            "  Project Collection Administrators still let in: {}",
            h.project_collection_administrators.describe()
        );
    }
    if a.state == Access::Works {
        // Nothing to recover: only what keeps it from happening again.
        if let Some(w) = a.ways.iter().find(|w| w.status == WayStatus::Done) {
            say!("\n{}", w.why);
            for s in &w.steps {
                say!("  - {s}");
            }
        }
        return;
    }
    say!("\nWays back, in order");
    for w in &a.ways {
        say!(
            "  {}. {} [{}]",
            w.order,
            w.title,
            w.status.name().replace('_', " ")
        );
        say!("     {}", w.why);
        if w.status.actionable() {
            for s in &w.steps {
                say!("     - {s}");
            }
            if let Some(c) = &w.command {
                say!("     run: {c}");
            }
        }
    }
}

fn print_outcome(o: &Outcome) {
    say!("{}", o.summary);
    if let Some(v) = &o.verified {
        print!(
            "{}",
            crate::domain::text::printable_lines(&super::verify::Probes(&v.probes).to_string())
        );
    }
    if let Some(f) = &o.file {
        say!("Written: {f}");
    }
    if let Some(m) = &o.message {
        say!("\n{m}");
    }
    if !o.next.is_empty() {
        say!("\nNext:");
        for (i, n) in o.next.iter().enumerate() {
            say!("  {}. {n}", i + 1);
        }
    }
}
