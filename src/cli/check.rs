//! `ado-entra check --org ORG [--tenant TENANT] [--json]`: every prerequisite,
//! and who keeps access, before anything changes. Changes nothing.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use serde::Serialize;

use super::auth_cmds::{client_error, signed_in};
use super::{CliError, GlobalArgs, exit};
use crate::domain::directory::{Asked, Backing, Decision};
use crate::domain::validate::parse_tenant;
use crate::ops::change::{Assessment, Situation};
use crate::ops::model::{Operation, TenantInfo};
use crate::ops::{approval, change, gather, output, report};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Reads the organization's real state first: on an organization already connected to the destination there is nothing to check.\nExit codes: 0 nothing failed (or nothing to do), 3 a check failed, 1 error (network, sign-in), 2 usage or bad input.\n\nExamples:\n  ado-entra check --org fabrikam --to contoso.onmicrosoft.com\n  ado-entra check --org fabrikam --to contoso.onmicrosoft.com --json | jq '.checks[] | select(.status==\"fail\")'\n  ado-entra check --org fabrikam --to contoso.onmicrosoft.com --report approval.html --notice notice.md"
)]
pub struct CheckArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long, value_parser = super::org_arg)]
    pub org: String,
    /// Destination directory (tenant id or a verified domain). Omit to check a
    /// disconnect of a connected organization.
    #[arg(long = "to", visible_alias = "destination", value_name = "TENANT", value_parser = super::tenant_arg)]
    pub destination: Option<String>,
    /// Days without access after which a user counts as stale.
    #[arg(long, default_value_t = 90)]
    pub stale_days: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the change-approval report to FILE: organization,
    /// destination, every check with evidence and fix, the lockout table,
    /// the plan, who prepared it and when (Markdown; HTML when FILE ends in .html).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write the notice to users before the change to FILE (Markdown;
    /// HTML when FILE ends in .html).
    #[arg(long, value_name = "FILE")]
    pub notice: Option<PathBuf>,
}

pub async fn run(global: &GlobalArgs, args: CheckArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    run_check(global, &args).await.map_err(|e| e.json(json_out))
}

async fn run_check(global: &GlobalArgs, args: &CheckArgs) -> Result<u8, CliError> {
    // Names are checked before any request is sent.
    let org = args.org.clone(); // parsed by clap (`org_arg`)
    let destination = match args.destination.as_deref().or(global.tenant.as_deref()) {
        None => None,
        Some(t) => Some(parse_tenant(t).map_err(|e| CliError::usage(e.to_string()))?),
    };
    let clients = signed_in(global).await?;
    // An organization of another directory is read with a token of its
    // own directory, as the wizard and `orgs --check` read it.
    // The organization's backing is probed once, for its situation and its
    // checks alike.
    let probed = clients.ado.probe_tenant(&org).await;
    let clients = match &probed {
        Ok(p) => crate::ops::fleet::clients_for_org(&clients, p)
            .await
            .unwrap_or(clients),
        Err(_) => clients,
    };
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let asked = match destination {
        Some(t) => Asked::Connect {
            to: change::resolve_tenant(&clients, &t)
                .await
                .map_err(super::change::change_error)?,
        },
        None => Asked::Disconnect,
    };
    let probe = probed.map_err(|e| super::change::change_error(e.into()))?;
    let situation =
        change::situation_from(&clients, &paths.journal_dir(), &org, &asked, Some(&probe))
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
            let op = match asked {
                Asked::Disconnect => Operation::Disconnect,
                _ => Operation::Connect,
            };
            let r = report::checks_report(&situation, tenant_info(&asked), None);
            write_documents(args, &subject(args, &org, op, None), &r)?;
            let code = match other {
                Decision::NothingToDo { .. } | Decision::AlreadyLanded { .. } => exit::OK,
                _ => exit::CHECK_FAILED,
            };
            let decided = Decided {
                org: &org,
                situation: &situation,
                message,
                checks: Vec::new(),
                code,
            };
            return Ok(super::emit(&decided, args.json));
        }
    };
    let quiet = args.json || !std::io::stderr().is_terminal();
    let progress: gather::Progress = Arc::new(move |done, total, what| {
        if !quiet {
            eprint!(
                "\r\x1b[2Kgathering {done}/{total}: {}",
                crate::domain::text::printable(what)
            );
        }
    });
    let known = change::Known {
        probe: Some(&probe),
        ..change::Known::default()
    };
    let a = change::assess_knowing(
        &clients,
        &org,
        &change,
        Some(args.stale_days),
        progress,
        known,
    )
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
        tell!(
            "Note: an interrupted {} of '{org}' (journal {}) is not in place in Azure; running the same command again continues it.",
            p.op,
            p.journal.display()
        );
    }
    let tenant = change.destination().map(|d| d.label());
    let op = match &change {
        crate::domain::directory::Change::Connect { .. } => Operation::Connect,
        crate::domain::directory::Change::ChangeTenant { .. } => Operation::ChangeTenant,
        crate::domain::directory::Change::Disconnect { .. } => Operation::Disconnect,
    };
    let r = report::checks_report(&situation, tenant_info(&asked), Some((&change, &a)));
    let who = Some(a.facts.caller.sign_in_name.clone()).filter(|s| !s.is_empty());
    write_documents(args, &subject(args, &org, op, who), &r)?;
    let checked = Checked {
        org: &org,
        destination: change.destination().map(|d| d.id.as_str()),
        tenant,
        assessment: &a,
        situation: &situation,
        color: std::io::stdout().is_terminal() && crate::runtime::color_enabled(),
    };
    Ok(super::emit(&checked, args.json))
}

/// `check` on an organization where no check runs: what its state says
/// (nothing to do, finish the interrupted change, or refused).
#[derive(Serialize)]
struct Decided<'a> {
    org: &'a str,
    situation: &'a Situation,
    message: String,
    /// None ran.
    checks: Vec<serde_json::Value>,
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
        writeln!(f, "{}", self.message)
    }
}

/// `check`'s answer: every check and who keeps access. The JSON is
/// `ops::output::check_json` with the organization's `situation`; the text
/// is `ops::output::check_table` (coloured on a terminal).
struct Checked<'a> {
    org: &'a str,
    /// The destination's id (JSON `tenant`).
    destination: Option<&'a str>,
    /// The destination by name (the table's heading).
    tenant: Option<String>,
    assessment: &'a Assessment,
    situation: &'a Situation,
    color: bool,
}

impl Serialize for Checked<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.assessment;
        let mut v = output::check_json(self.org, self.destination, &a.results, &a.prediction);
        v["situation"] = serde_json::to_value(self.situation).map_err(serde::ser::Error::custom)?;
        v.serialize(s)
    }
}

impl super::Report for Checked<'_> {
    /// A check that must be proven and could not be counts as failed.
    fn exit_code(&self) -> u8 {
        if crate::domain::checks::verdict(&self.assessment.results).can_proceed {
            exit::OK
        } else {
            exit::CHECK_FAILED
        }
    }
    fn painted(&self) -> bool {
        self.color
    }
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.assessment;
        f.write_str(&output::check_table(
            self.org,
            self.tenant.as_deref(),
            &a.results,
            &a.prediction,
            self.color,
        ))
    }
}

/// The destination as asked, by id with its names.
fn tenant_info(asked: &Asked) -> Option<TenantInfo> {
    asked.destination().map(|d| TenantInfo {
        id: d.id.to_string(),
        display_name: d.name().to_string(),
        domain: d.domain.clone(),
    })
}

fn subject(args: &CheckArgs, org: &str, op: Operation, who: Option<String>) -> approval::Subject {
    let to = args
        .destination
        .as_deref()
        .map(|t| format!(" --to {t}"))
        .unwrap_or_default();
    approval::Subject {
        org: org.to_string(),
        operation: op,
        prepared_by: who,
        prepared_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        command: format!("ado-entra check --org {org}{to}"),
    }
}

/// Write `--report` and `--notice`, saying where on stderr.
fn write_documents(
    args: &CheckArgs,
    subject: &approval::Subject,
    r: &crate::ops::model::ChecksReport,
) -> Result<(), CliError> {
    let write = |path: &Path, what: &str, text: String| -> Result<(), CliError> {
        std::fs::write(path, text).map_err(|e| {
            CliError::error(format!(
                "cannot write the {what} to {}: {e}",
                path.display()
            ))
        })?;
        if !args.json {
            eprintln!("Wrote the {what} to {}", path.display());
        }
        Ok(())
    };
    if let Some(p) = &args.report {
        let text = approval::approval(subject, r, approval::Format::for_path(p));
        write(p, "change-approval report", text)?;
    }
    if let Some(p) = &args.notice {
        let text = approval::notice(subject, r, approval::Format::for_path(p));
        write(p, "notice to users", text)?;
    }
    Ok(())
}
