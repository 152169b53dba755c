//! Headless twins of the wizard: `connect`, `disconnect`, `verify`. They share
//! the wizard's operations (`ops`), its checks, plan and journal.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use serde_json::json;

use super::{CliError, GlobalArgs, exit};
use crate::app::{ChecksReport, ErrorView, Msg, Operation};
use crate::domain::diagnose::KnowledgeBase;
use crate::domain::validate::{TenantRef, parse_org_name, parse_tenant};
use crate::ops::{self, Live};
use crate::paths::StatePaths;
use crate::runtime::Services;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Runs every prerequisite first and refuses (exit 3) when one fails.\nWithout --yes it asks you to type the organization name; when not interactive, --yes is required.\nThe change is journaled; running the same command again after an interruption resumes it."
)]
pub struct ChangeArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// Skip the confirmation (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Sign in first as the identity to verify (e.g. `ado-entra login --tenant TENANT`).\nExit 0 when the organization answers, 3 when it refuses (with the recovery steps), 1 on other errors."
)]
pub struct VerifyArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn live(global: &GlobalArgs) -> Result<Live, CliError> {
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    Ok(Live::new(super::auth_cmds::settings(global), paths))
}

fn view_error(e: ErrorView) -> CliError {
    let mut msg = e.message;
    if let Some(next) = e.next_step {
        msg.push_str(&format!("\n  next: {next}"));
    }
    if let Some(id) = e.kb_id {
        msg.push_str(&format!("\n  see: ado-entra explain {id}"));
    }
    CliError::error(msg)
}

/// Progress messages from the operations go to stderr (not in --json mode).
fn outbox(quiet: bool) -> crate::runtime::Outbox {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if quiet {
                continue;
            }
            match m {
                Msg::ChecksProgress { done, total, label } => {
                    eprintln!("checking {done}/{total}: {label}")
                }
                Msg::ApplyProgress(s) => eprintln!("{s}"),
                Msg::Throttled { wait_secs } => {
                    eprintln!("Azure is throttling; retrying in {wait_secs}s")
                }
                _ => {}
            }
        }
    });
    tx
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

fn print_blocked(report: &ChecksReport) {
    eprintln!("Refusing to change anything: a prerequisite failed.");
    for c in report
        .checks
        .iter()
        .filter(|c| c.status == crate::app::CheckStatus::Fail)
    {
        eprintln!("  ✘ {}", c.title);
        if let Some(fix) = &c.fix {
            eprintln!("    fix: {fix}");
        }
    }
    eprintln!("Run `ado-entra check --org ORG --tenant TENANT` for the full report.");
}

pub async fn change(global: &GlobalArgs, args: ChangeArgs, op: Operation) -> Result<u8, CliError> {
    super::auth_cmds::require_person_to(global, op)?;
    let org = parse_org_name(&args.org).map_err(|e| CliError::error(e.to_string()))?;
    let tenant = match (op, global.tenant.as_deref()) {
        (Operation::Disconnect, _) => None,
        (_, Some(t)) => Some(
            match parse_tenant(t).map_err(|e| CliError::error(e.to_string()))? {
                TenantRef::Id(id) => id,
                TenantRef::Domain(d) => d,
            },
        ),
        (_, None) => {
            return Err(CliError::usage(
                "give the destination directory with --tenant TENANT",
            ));
        }
    };
    let live = live(global)?;
    let out = outbox(args.json);
    let report = live
        .run_checks(op, org.clone(), tenant.clone(), out.clone())
        .await
        .map_err(view_error)?;
    if report.blocked() {
        if args.json {
            println!(
                "{}",
                json!({"org": org, "tenant": tenant, "applied": null, "report": report})
            );
        } else {
            print_blocked(&report);
        }
        return Ok(exit::CHECK_FAILED);
    }
    if !args.json {
        eprintln!("Plan:");
        for c in &report.plan.changes {
            eprintln!("  • {c}");
        }
        if !report.plan.disconnected.is_empty() {
            eprintln!(
                "  Disconnected until mapped: {}",
                report.plan.disconnected.len()
            );
        }
    }
    confirm(&org, args.yes)?;
    let applied = live
        .apply(op, org.clone(), tenant.clone(), out)
        .await
        .map_err(view_error)?;
    if args.json {
        println!(
            "{}",
            json!({"org": org, "tenant": tenant, "applied": applied, "report": report})
        );
    } else {
        println!("{}\nJournal: {}", applied.summary, applied.journal);
        println!(
            "Next: sign out, sign in afresh as a user of the directory, and run `ado-entra verify --org {org}`."
        );
    }
    Ok(exit::OK)
}

pub async fn verify(global: &GlobalArgs, args: VerifyArgs) -> Result<u8, CliError> {
    let org = parse_org_name(&args.org).map_err(|e| CliError::error(e.to_string()))?;
    let clients = super::check::clients(global)?;
    let Some(identity) = ops::current_identity(&clients).await else {
        return Err(CliError::error(
            "not signed in: run `ado-entra login` (with --tenant for a connected organization)",
        ));
    };
    // The expected directory is the one the caller signed in to, unless personal.
    let tenant = (identity.tenant_id != crate::emulator::ids::CONSUMERS_TENANT)
        .then(|| identity.tenant_id.clone());
    let report = ops::verify_access(&clients, identity, &org, tenant.as_deref()).await;
    super::auth_cmds::note_if_app(global);
    let steps: Vec<String> = match &report.failure {
        Some(f) if f.auth_failure => KnowledgeBase::builtin()
            .get("lockout-after-connect")
            .map(|e| e.fix.clone())
            .unwrap_or_default(),
        _ => vec![],
    };
    if args.json {
        println!(
            "{}",
            json!({"org": org, "ok": report.ok(), "report": report, "recovery": steps})
        );
    } else {
        println!(
            "Verifying '{org}' as {} (tenant {}):",
            report.identity.upn, report.identity.tenant_id
        );
        for p in &report.probes {
            println!(
                "  {} {}: {}",
                if p.ok { "✔" } else { "✘" },
                p.what,
                p.detail
            );
        }
        if let Some(f) = &report.failure {
            println!("\nRefused: {}", f.message);
            for (i, s) in steps.iter().enumerate() {
                println!("  {}. {s}", i + 1);
            }
        }
    }
    Ok(if report.ok() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}
