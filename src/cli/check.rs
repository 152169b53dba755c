//! `ado-entra check --org ORG [--tenant TENANT] [--json]`: every prerequisite,
//! and who keeps access, before anything changes. Changes nothing.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Args;

use super::{CliError, GlobalArgs, exit};
use crate::client::http::RetryPolicy;
use crate::client::models::ado::OrgTenant;
use crate::client::{ClientError, Clients};
use crate::domain::checks::{Status, evaluate};
use crate::domain::validate::{TenantRef, parse_org_name, parse_tenant};
use crate::ops::{gather, output};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Exit codes: 0 nothing failed, 3 a check failed, 1 error (network, sign-in, bad input), 2 usage.\n\nExamples:\n  ado-entra check --org fabrikam --tenant contoso.onmicrosoft.com\n  ado-entra check --org fabrikam --json | jq '.checks[] | select(.status==\"fail\")'"
)]
pub struct CheckArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// Destination tenant (id or domain). Omit to check a disconnect of a connected organization.
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
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let settings = super::auth_cmds::settings(global);
    let (clients, _) = Clients::from_settings(&settings, &paths, RetryPolicy::default())
        .map_err(|e| CliError::error(e.to_string()))?;
    Ok(clients)
}

pub fn client_error(e: ClientError) -> CliError {
    let mut msg = e.to_string();
    if let Some(code) = e.code()
        && let Some(entry) = crate::domain::diagnose::KnowledgeBase::builtin().best(code)
    {
        msg.push_str(&format!("\n  see: ado-entra explain {}", entry.id));
    }
    if e.is_auth() {
        msg.push_str("\n  sign in first: ado-entra login");
    }
    CliError::error(msg)
}

pub async fn run(global: &GlobalArgs, args: CheckArgs) -> Result<u8, CliError> {
    // Names are checked before any request is sent (seed 002's rules).
    let org = parse_org_name(&args.org).map_err(|e| CliError::error(e.to_string()))?;
    let destination = match args.destination.as_deref().or(global.tenant.as_deref()) {
        None => None,
        Some(t) => Some(
            match parse_tenant(t).map_err(|e| CliError::error(e.to_string()))? {
                TenantRef::Id(id) => id,
                TenantRef::Domain(d) => d,
            },
        ),
    };
    let clients = clients(global)?;
    let probe = clients.ado.probe_tenant(&org).await.map_err(client_error)?;
    let op = match (&probe.tenant, destination) {
        (OrgTenant::Entra(_), None) => crate::ops::domain_op(
            crate::app::Operation::Disconnect,
            &probe.tenant,
            None,
        ),
        (_, None) => {
            return Err(CliError::usage(
                "the organization is not connected to a directory: give the destination with --tenant TENANT",
            ));
        }
        (_, dest) => crate::ops::domain_op(crate::app::Operation::Connect, &probe.tenant, dest),
    }
    .map_err(|e| CliError::error(e.message))?;
    let quiet = args.json || !std::io::stderr().is_terminal();
    let progress: gather::Progress = Arc::new(move |done, total, what| {
        if !quiet {
            eprint!("\r\x1b[2Kgathering {done}/{total}: {what}");
        }
    });
    let mut facts = gather::gather(&clients, op, &org, chrono::Utc::now(), progress)
        .await
        .map_err(client_error)?;
    if !quiet {
        eprint!("\r\x1b[2K");
    }
    facts.stale_after_days = args.stale_days;
    let crate::domain::checks::Evaluation {
        results,
        prediction,
        ..
    } = evaluate(&facts);
    let tenant = facts.operation.destination().map(str::to_string);
    if args.json {
        println!(
            "{}",
            output::check_json(&org, tenant.as_deref(), &results, &prediction)
        );
    } else {
        let color = std::io::stdout().is_terminal() && crate::runtime::color_enabled();
        print!(
            "{}",
            output::check_table(&org, tenant.as_deref(), &results, &prediction, color)
        );
    }
    Ok(if results.iter().any(|r| r.status == Status::Fail) {
        exit::CHECK_FAILED
    } else {
        exit::OK
    })
}
