//! `ado-entra check --org ORG [--tenant TENANT] [--json]`: every prerequisite,
//! and who keeps access, before anything changes. Changes nothing.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Args;

use super::{CliError, GlobalArgs, exit};
use crate::client::http::RetryPolicy;
use crate::client::{ClientError, Clients};
use crate::domain::directory::{Asked, Backing, Decision};
use crate::domain::validate::{parse_org_name, parse_tenant};
use crate::ops::{change, gather, output};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Reads the organization's real state first: on an organization already connected to the destination there is nothing to check.\nExit codes: 0 nothing failed (or nothing to do), 3 a check failed, 1 error (network, sign-in), 2 usage or bad input.\n\nExamples:\n  ado-entra check --org fabrikam --to contoso.onmicrosoft.com\n  ado-entra check --org fabrikam --to contoso.onmicrosoft.com --json | jq '.checks[] | select(.status==\"fail\")'"
)]
pub struct CheckArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// Destination directory (tenant id or a verified domain). Omit to check a
    /// disconnect of a connected organization.
    #[arg(long = "to", visible_alias = "destination", value_name = "TENANT")]
    pub destination: Option<String>,
    /// Days without access after which a user counts as stale.
    #[arg(long, default_value_t = 90)]
    pub stale_days: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Sign-in state and clients for a headless command; a clear error when not signed in.
pub fn clients(global: &GlobalArgs) -> Result<Clients, CliError> {
    clients_with(global, RetryPolicy::default())
}

/// [`clients`] with its own retry and concurrency policy.
pub fn clients_with(global: &GlobalArgs, policy: RetryPolicy) -> Result<Clients, CliError> {
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let settings = super::auth_cmds::settings(global);
    let (clients, _) = Clients::from_settings(&settings, &paths, policy)
        .map_err(|e| CliError::error(e.to_string()))?;
    // Say so on stderr when Azure DevOps's rate limit slows the command down.
    crate::ops::pacing::print_on_stderr(&clients);
    Ok(clients)
}

pub fn client_error(e: ClientError) -> CliError {
    CliError::problem(crate::ops::advice::client(&e))
}

pub async fn run(global: &GlobalArgs, args: CheckArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    run_check(global, &args).await.map_err(|e| e.json(json_out))
}

async fn run_check(global: &GlobalArgs, args: &CheckArgs) -> Result<u8, CliError> {
    // Names are checked before any request is sent.
    let org = parse_org_name(&args.org).map_err(|e| CliError::usage(e.to_string()))?;
    let destination = match args.destination.as_deref().or(global.tenant.as_deref()) {
        None => None,
        Some(t) => Some(parse_tenant(t).map_err(|e| CliError::usage(e.to_string()))?),
    };
    let clients = clients(global)?;
    // An organization of another directory is read with a token of its
    // own directory, as the wizard and `orgs --check` read it.
    let clients = crate::ops::fleet::clients_for_org(&clients, &org)
        .await
        .unwrap_or(clients);
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let asked = match destination {
        Some(t) => Asked::Connect {
            to: change::resolve_tenant(&clients, &t)
                .await
                .map_err(super::change::change_error)?,
        },
        None => Asked::Disconnect,
    };
    let situation = change::situation(&clients, &paths.journal_dir(), &org, &asked)
        .await
        .map_err(super::change::change_error)?;
    let change = match (&situation.decision, &situation.backing) {
        (Decision::Proceed { change, .. }, _) => change.clone(),
        (Decision::NothingToDo { .. }, Backing::Personal) => {
            return Err(CliError::usage(format!(
                "'{org}' is not connected to a directory: give the destination, e.g. ado-entra check --org {org} --to TENANT"
            )));
        }
        (other, _) => {
            let message = other.explain(&org);
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"org": org, "situation": situation, "message": message, "checks": []})
                );
            } else {
                println!("{message}");
            }
            return Ok(match other {
                Decision::NothingToDo { .. } | Decision::AlreadyLanded { .. } => exit::OK,
                _ => exit::CHECK_FAILED,
            });
        }
    };
    let quiet = args.json || !std::io::stderr().is_terminal();
    let progress: gather::Progress = Arc::new(move |done, total, what| {
        if !quiet {
            eprint!("\r\x1b[2Kgathering {done}/{total}: {what}");
        }
    });
    let a = change::assess(&clients, &org, &change, Some(args.stale_days), progress)
        .await
        .map_err(client_error)?;
    if !quiet {
        eprint!("\r\x1b[2K");
    }
    if let Decision::Proceed {
        resume: Some(p), ..
    } = &situation.decision
        && !args.json
    {
        eprintln!(
            "Note: an interrupted {} of '{org}' (journal {}) is not in place in Azure; running the same command again continues it.",
            p.op,
            p.journal.display()
        );
    }
    let tenant = change.destination().map(|d| d.label());
    if args.json {
        let mut v = output::check_json(
            &org,
            change.destination().map(|d| d.id.as_str()),
            &a.results,
            &a.prediction,
        );
        v["situation"] = serde_json::to_value(&situation).unwrap_or_default();
        println!("{v}");
    } else {
        let color = std::io::stdout().is_terminal() && crate::runtime::color_enabled();
        print!(
            "{}",
            output::check_table(&org, tenant.as_deref(), &a.results, &a.prediction, color)
        );
    }
    // A check that must be proven and could not be counts as failed.
    Ok(if crate::domain::checks::verdict(&a.results).can_proceed {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}
