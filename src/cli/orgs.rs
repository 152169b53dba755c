//! `ado-entra orgs`: the fleet view. Every organization the signed-in
//! person belongs to (or, with --tenant, every organization connected to
//! that directory), with backing, owner, users and whether the person
//! administers it; with `--check --to T`, each one's readiness for the
//! move to T, decided as `check` decides it. Table, `--json`, and
//! `--report FILE` (the change-approval report).

use std::fmt;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use serde_json::json;

use super::auth_cmds::{client_error, signed_in_with};
use super::{CliError, GlobalArgs, exit};
use crate::client::http::RetryPolicy;
use crate::domain::directory::{Asked, Directory};
use crate::domain::text::printable;
use crate::domain::validate::parse_tenant;
use crate::ops::fleet::{self, Settings, Source};
use crate::ops::fleet_report::{self, Heading};
use crate::ops::model::{FleetOrg, Verdict};
use crate::ops::{change, current_identity};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Lists the organizations the signed-in identity belongs to, or with --tenant those connected to that directory (its EnterpriseCatalog).\n\
With --check --to T, each organization gets the verdict `ado-entra check --org ORG --to T` would give it: blocked, warnings, ready or nothing to do, with the top reason. Nothing is changed.\n\
Every organization is read at once, sharing one budget of requests in flight (--max-requests), and slowing down together when Azure DevOps says the rate limit is near.\n\
Exit codes: 0 listed (nothing blocked), 3 an organization is blocked or could not be read (with --check), 1 error, 2 usage.\n\n\
Examples:\n  ado-entra orgs\n  ado-entra orgs --tenant contoso.onmicrosoft.com --json\n  ado-entra orgs --check --to contoso.onmicrosoft.com --report approval.md"
)]
pub struct OrgsArgs {
    /// Judge each organization's readiness for a move to this directory
    /// (tenant id or a verified domain); with --check.
    #[arg(long = "to", value_name = "TENANT", requires = "check")]
    pub to: Option<String>,
    /// Run every prerequisite check on every organization (changes nothing).
    #[arg(long, requires = "to")]
    pub check: bool,
    /// Days without access after which a user counts as stale (as `check`).
    #[arg(long, default_value_t = 90)]
    pub stale_days: u32,
    /// Requests in flight at once, shared by every organization.
    #[arg(long, default_value_t = crate::ops::fleet::DEFAULT_REQUESTS, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=512))]
    pub max_requests: u16,
    /// Write the change-approval report (Markdown) for all of them to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub async fn orgs(global: &GlobalArgs, args: OrgsArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    run(global, args).await.map_err(|e| e.json(json_out))
}

async fn tenant(c: &crate::client::Clients, input: &str) -> Result<Directory, CliError> {
    let t = parse_tenant(input).map_err(|e| CliError::usage(e.to_string()))?;
    change::resolve_tenant(c, &t)
        .await
        .map_err(super::change::change_error)
}

async fn run(global: &GlobalArgs, args: OrgsArgs) -> Result<u8, CliError> {
    let c = signed_in_with(
        global,
        RetryPolicy {
            concurrency: usize::from(args.max_requests),
            ..RetryPolicy::default()
        },
    )
    .await?;
    let source = match global.tenant.as_deref() {
        Some(t) => Source::Catalog(tenant(&c, t).await?),
        None => Source::Accounts,
    };
    let destination = match &args.to {
        Some(t) => Some(tenant(&c, t).await?),
        None => None,
    };
    let names = fleet::list(&c, &source).await.map_err(client_error)?;
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let settings = Settings {
        asked: destination.clone().map(|to| Asked::Connect { to }),
        stale_days: args.stale_days,
        journal_dir: paths.journal_dir(),
    };
    let progress = !args.json && std::io::stderr().is_terminal();
    let total = names.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let on_done = move |_: usize, o: &FleetOrg| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if progress {
            eprint!("\r\x1b[2Korganizations {n}/{total}: {}", o.name);
        }
    };
    let orgs = fleet::survey(&c, &names, &settings, &on_done).await;
    if progress {
        eprint!("\r\x1b[2K");
    }
    let heading = Heading {
        source: match &source {
            Source::Accounts => "Organizations you belong to".to_string(),
            Source::Catalog(d) => format!("Organizations connected to {}", d.label()),
        },
        destination: destination.as_ref().map(Directory::label),
        signed_in: current_identity(&c).await.map(|i| i.upn),
    };
    if let Some(path) = &args.report {
        let prepared = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
        let text = fleet_report::report(&heading, &orgs, &prepared);
        crate::paths::write_private(path, text.as_bytes()).map_err(|e| {
            CliError::error(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ))
        })?;
        if !args.json {
            eprintln!("Change-approval report written to {}", path.display());
        }
    }
    let source_json = match &source {
        Source::Accounts => json!({"kind": "accounts"}),
        Source::Catalog(d) => {
            json!({"kind": "catalog", "tenant": d.id.to_string(), "label": d.label()})
        }
    };
    let terminal = std::io::stdout().is_terminal();
    let fleet = Fleet {
        source: source_json,
        destination_id: destination.as_ref().map(|d| d.id.to_string()),
        heading,
        orgs,
        check: args.check,
        color: terminal && crate::runtime::color_enabled(),
        width: terminal
            .then(|| crossterm::terminal::size().ok())
            .flatten()
            .map(|(w, _)| usize::from(w)),
    };
    Ok(super::emit(&fleet, args.json))
}

/// `orgs`' answer: the fleet, written by `ops::fleet_report` (its JSON
/// document with the destination's id; its table, coloured on a terminal
/// and cut to its width).
struct Fleet {
    heading: Heading,
    /// What the fleet was listed from (JSON `source`).
    source: serde_json::Value,
    destination_id: Option<String>,
    orgs: Vec<FleetOrg>,
    /// Readiness was judged (`--check`).
    check: bool,
    color: bool,
    width: Option<usize>,
}

impl Serialize for Fleet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = fleet_report::json(&self.heading, self.source.clone(), &self.orgs);
        if let Some(id) = &self.destination_id {
            v["destination_id"] = json!(id);
        }
        v.serialize(s)
    }
}

impl super::Report for Fleet {
    fn exit_code(&self) -> u8 {
        let blocked = self.orgs.iter().any(|o| {
            o.problem.is_some()
                || o.readiness
                    .as_ref()
                    .is_some_and(|r| r.verdict == Verdict::Blocked)
        });
        if self.check && blocked {
            exit::CHECK_FAILED
        } else {
            exit::OK
        }
    }
    fn painted(&self) -> bool {
        self.color
    }
}

impl fmt::Display for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.color {
            return f.write_str(&fleet_report::table(
                &self.heading,
                &self.orgs,
                false,
                self.width,
            ));
        }
        // Coloured: what came from servers is made printable before the
        // table is painted (one character for one, so columns stay aligned).
        let clean = |s: &String| printable(s).into_owned();
        let heading = Heading {
            source: clean(&self.heading.source),
            destination: self.heading.destination.as_ref().map(clean),
            signed_in: self.heading.signed_in.as_ref().map(clean),
        };
        let orgs: Vec<FleetOrg> = self
            .orgs
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.name = clean(&o.name);
                o.backing = o.backing.as_ref().map(clean);
                o.owner = o.owner.as_ref().map(clean);
                if let Some(r) = &mut o.readiness {
                    r.reason = clean(&r.reason);
                }
                if let Some(p) = &mut o.problem {
                    p.message = clean(&p.message);
                }
                o
            })
            .collect();
        f.write_str(&fleet_report::table(&heading, &orgs, true, self.width))
    }
}
