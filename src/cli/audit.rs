//! `ado-entra audit`: what a tenant change breaks (service connections,
//! PATs, policies).

use std::sync::Arc;

use clap::Args;
use serde_json::json;

use super::check::{client_error, clients};
use super::{CliError, GlobalArgs, exit};
use crate::domain::checks::Status;
use crate::domain::directory::Directory;
use crate::domain::validate::{parse_org_name, parse_tenant};
use crate::ops::{change, gather};

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "With --to, audits a planned move to that directory; without it, the organization as it is.\nExit codes: 0 nothing to fix, 3 findings to act on, 1 error, 2 usage."
)]
pub struct AuditArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// The planned directory (tenant id or a verified domain).
    #[arg(long = "to", value_name = "TENANT")]
    pub to: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The directory named by `--to` (or the global `--tenant`), resolved to its id.
async fn tenant_arg(
    c: &crate::client::Clients,
    to: Option<&str>,
    global: &GlobalArgs,
) -> Result<Option<Directory>, CliError> {
    match to.or(global.tenant.as_deref()) {
        None => Ok(None),
        Some(t) => {
            let t = parse_tenant(t).map_err(|e| CliError::usage(e.to_string()))?;
            change::resolve_tenant(c, &t)
                .await
                .map(Some)
                .map_err(super::change::change_error)
        }
    }
}

/// Service connections bound to another tenant, PATs that break, and policies.
pub async fn audit(global: &GlobalArgs, args: AuditArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    run_audit(global, args).await.map_err(|e| e.json(json_out))
}

async fn run_audit(global: &GlobalArgs, args: AuditArgs) -> Result<u8, CliError> {
    let org = parse_org_name(&args.org).map_err(|e| CliError::usage(e.to_string()))?;
    let c = clients(global)?;
    let planned = tenant_arg(&c, args.to.as_deref(), global).await?;
    let now = change::backing(&c, &org)
        .await
        .map_err(super::change::change_error)?;
    let Some(op) = crate::ops::audit_operation(&now, planned.as_ref()) else {
        return Err(CliError::usage(format!(
            "'{org}' is not connected to a directory: give the planned one, e.g. ado-entra audit --org {org} --to TENANT"
        )));
    };
    let facts = gather::gather(&c, op, &org, chrono::Utc::now(), Arc::new(|_, _, _| {}))
        .await
        .map_err(client_error)?;
    let results = crate::ops::audit_rows(&facts);
    let conditional_access = facts.org.policies.enforce_aad_conditional_access;
    let guest_blocked = facts.org.policies.disallow_aad_guest_user_access;
    if args.json {
        println!(
            "{}",
            json!({
                "org": org,
                "tenant": facts.operation.destination(),
                "findings": results,
                "policies": {"disallow_aad_guest_user_access": guest_blocked, "enforce_aad_conditional_access": conditional_access},
            })
        );
    } else {
        println!(
            "Audit of '{org}'{}",
            facts
                .operation
                .destination()
                .map(|t| format!(" against directory {t}"))
                .unwrap_or_default()
        );
        for r in &results {
            println!("{} {}", r.status.symbol(), r.title);
            for e in &r.evidence {
                println!("    {e}");
            }
        }
        let show = |v: Option<bool>| {
            v.map_or("unknown".to_string(), |b| {
                if b { "on".into() } else { "off".into() }
            })
        };
        println!(
            "Policies: guest access disallowed: {}; conditional access enforced: {}",
            show(guest_blocked),
            show(conditional_access)
        );
    }
    Ok(
        if results
            .iter()
            .any(|r| matches!(r.status, Status::Warn | Status::Fail))
        {
            exit::CHECK_FAILED
        } else {
            exit::OK
        },
    )
}
