//! `ado-entra audit`: what a tenant change breaks (service connections,
//! PATs, policies).

use std::fmt;
use std::sync::Arc;

use clap::Args;
use serde::Serialize;

use super::auth_cmds::{client_error, signed_in};
use super::{CliError, GlobalArgs, exit};
use crate::domain::checks::{CheckResult, Status};
use crate::domain::directory::Directory;
use crate::domain::validate::{parse_org_name, parse_tenant};
use crate::ops::since_change::SinceChange;
use crate::ops::{change, gather};

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "With --to, audits a planned move to that directory; without it, the organization as it is: every credential the change affects (every user's PATs and SSH keys, service connections of each kind, Key Vault variable groups, agent registrations) and the policies that apply to them.\nWith --since-change, reads the organization's audit log instead: the directory change (connect, change, disconnect), when, and who made it.\nExit codes: 0 nothing blocks (warnings alone are listed, not failed; with --since-change: the change was found), 3 something blocks the change (with --since-change: none found, or the log cannot be read), 1 error, 2 usage.\n\nExamples:\n  ado-entra audit --org fabrikam --to contoso.onmicrosoft.com\n  ado-entra audit --org fabrikam --since-change --json"
)]
pub struct AuditArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// The planned directory (tenant id or a verified domain).
    #[arg(long = "to", value_name = "TENANT", conflicts_with = "since_change")]
    pub to: Option<String>,
    /// Read the audit log for the directory change (since the newest change
    /// in the journal, else the last 90 days): when, and by whom.
    #[arg(long)]
    pub since_change: bool,
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
    let c = signed_in(global).await?;
    if args.since_change {
        return since_change(&c, &org, args.json).await;
    }
    let planned = tenant_arg(&c, args.to.as_deref(), global).await?;
    let now = change::backing(&c, &org)
        .await
        .map_err(super::change::change_error)?;
    let Some(op) = crate::ops::audit_operation(&now, planned.as_ref()) else {
        return Err(CliError::usage(format!(
            "'{org}' is not connected to a directory: give the planned one, e.g. ado-entra audit --org {org} --to TENANT"
        )));
    };
    // An audit reads every user's tokens, however large the organization.
    let all = gather::GatherOptions {
        all_tokens: true,
        ..gather::GatherOptions::default()
    };
    let facts = gather::gather_with(
        &c,
        op,
        &org,
        chrono::Utc::now(),
        Arc::new(|_, _, _| {}),
        all,
    )
    .await
    .map_err(client_error)?;
    let audited = Audited {
        tenant: facts.operation.destination().map(str::to_string),
        findings: crate::ops::audit_rows(&facts),
        policies: Policies {
            disallow_aad_guest_user_access: facts.org.policies.disallow_aad_guest_user_access,
            enforce_aad_conditional_access: facts.org.policies.enforce_aad_conditional_access,
        },
        org,
    };
    Ok(super::emit(&audited, args.json))
}

/// `audit`: every credential and policy the change affects.
#[derive(Serialize)]
struct Audited {
    org: String,
    /// The planned directory (none for a disconnect).
    tenant: Option<String>,
    findings: Vec<CheckResult>,
    policies: Policies,
}

#[derive(Serialize)]
struct Policies {
    disallow_aad_guest_user_access: Option<bool>,
    enforce_aad_conditional_access: Option<bool>,
}

impl super::Report for Audited {
    /// Warnings are findings to read, not a reason to stop a script: only a
    /// failed check (something that blocks the change) exits 3.
    fn exit_code(&self) -> u8 {
        if self.findings.iter().any(|r| r.status == Status::Fail) {
            exit::CHECK_FAILED
        } else {
            exit::OK
        }
    }
}

impl fmt::Display for Audited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Audit of '{}'{}",
            self.org,
            self.tenant
                .as_ref()
                .map(|t| format!(" against directory {t}"))
                .unwrap_or_default()
        )?;
        for r in &self.findings {
            writeln!(f, "{} {}", r.status.symbol(), r.title)?;
            for e in &r.evidence {
                writeln!(f, "    {e}")?;
            }
        }
        let show = |v: Option<bool>| match v {
            None => "unknown",
            Some(true) => "on",
            Some(false) => "off",
        };
        writeln!(
            f,
            "Policies: guest access disallowed: {}; conditional access enforced: {}",
            show(self.policies.disallow_aad_guest_user_access),
            show(self.policies.enforce_aad_conditional_access)
        )
    }
}

/// `audit --since-change`: the directory change in the audit log.
async fn since_change(
    c: &crate::client::Clients,
    org: &str,
    json_out: bool,
) -> Result<u8, CliError> {
    let paths = crate::paths::StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let found =
        crate::ops::since_change::since_change(c, org, &paths.journal_dir(), chrono::Utc::now())
            .await
            .map_err(client_error)?;
    Ok(super::emit(&Since(found), json_out))
}

/// `audit --since-change`'s answer, as `ops::since_change` found it.
#[derive(Serialize)]
#[serde(transparent)]
struct Since(SinceChange);

impl super::Report for Since {
    /// None found (or the log unreadable) exits 3.
    fn exit_code(&self) -> u8 {
        if self.0.events.is_empty() {
            exit::CHECK_FAILED
        } else {
            exit::OK
        }
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = &self.0;
        writeln!(
            f,
            "Directory changes of '{}' in its audit log since {}{}:",
            found.org,
            found.since.format("%Y-%m-%d %H:%M UTC"),
            found
                .journal
                .as_ref()
                .map(|j| format!(" (an hour before the change in {})", j.display()))
                .unwrap_or_default()
        )?;
        if let Some(why) = &found.unavailable {
            writeln!(f, "  none read: {why}")?;
        } else if found.events.is_empty() {
            writeln!(
                f,
                "  none: no connect, change or disconnect was recorded in that time"
            )?;
        }
        for e in &found.events {
            let verb = if e.action.eq_ignore_ascii_case("Organization.UnlinkFromAAD") {
                "disconnected"
            } else {
                "connected"
            };
            writeln!(f, "  {} {verb} by {}: {}", e.at, e.actor, e.details)?;
            if let Some(ip) = &e.ip_address {
                writeln!(f, "      from {ip}")?;
            }
        }
        Ok(())
    }
}
