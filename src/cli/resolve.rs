//! `ado-entra resolve`: the headless Resolve step. Shows the suggestions,
//! exports and imports the plan as CSV, applies it (journaled), and resumes an
//! interrupted run.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use super::auth_cmds::{client_error, signed_in};
use super::{CliError, GlobalArgs, exit};
use crate::domain::resolve::{
    CsvProblem, Decision, Directory, Job, MAX_CSV_BYTES, Plan, Summary, import_csv, to_csv,
};
use crate::domain::text::plural;
use crate::ops::resolve::{self as ops, Outcome, ResolveError, Settings};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  ado-entra resolve --org fabrikam                       # suggestions for every disconnected user\n  ado-entra resolve --org fabrikam --export plan.csv     # edit in a spreadsheet, then:\n  ado-entra resolve --org fabrikam --import plan.csv --dry-run\n  ado-entra resolve --org fabrikam --import plan.csv\n  ado-entra resolve --org fabrikam --accept-exact        # map every exact match only\n  ado-entra resolve --org fabrikam --resume              # finish an interrupted run\n\nCSV columns: descriptor,msa_email,display_name,action,target_upn,target_object_id,confidence,reason\nactions: map (to target_object_id or target_upn), invite (msa_email as a guest, then map), skip, review (left as is).\nAn imported file is checked row by row first; if any row is wrong, every problem is listed with its line and nothing is applied (exit 1).\nSign in as an administrator of the organization, in its directory (`ado-entra login --tenant TENANT`)."
)]
pub struct ResolveArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long, value_parser = super::org_arg)]
    pub org: String,
    /// Write the plan as CSV to this file (exact matches pre-accepted).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["import", "resume", "accept_exact"])]
    pub export: Option<std::path::PathBuf>,
    /// With --export: replace the file if it exists (an edited plan is lost).
    #[arg(long, requires = "export")]
    pub force: bool,
    /// Apply an edited plan (CSV).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["resume", "accept_exact"])]
    pub import: Option<std::path::PathBuf>,
    /// With --import: validate and show what would change, change nothing.
    #[arg(long, requires = "import")]
    pub dry_run: bool,
    /// Map every user whose match is exact and unambiguous, nothing else.
    #[arg(long, conflicts_with = "resume")]
    pub accept_exact: bool,
    /// Finish the newest interrupted run for this organization.
    #[arg(long)]
    pub resume: bool,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Let Microsoft Graph email each invitation (off by default).
    #[arg(long)]
    pub send_invitations: bool,
    /// Skip the confirmation (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn resolve_error(e: ResolveError) -> CliError {
    CliError::problem(crate::ops::advice::resolve(&e))
}

/// Progress on stderr, at most twice a second (always the last one).
fn progress(quiet: bool) -> ops::OnProgress {
    let last = std::sync::Mutex::new(Instant::now() - Duration::from_secs(1));
    Arc::new(move |p: ops::Progress| {
        if quiet {
            return;
        }
        let mut last = last.lock().expect("not poisoned");
        if p.done == p.total || last.elapsed() >= Duration::from_millis(500) {
            *last = Instant::now();
            let doubt = if p.in_doubt > 0 {
                format!(", {} in doubt (answer lost; checking Azure)", p.in_doubt)
            } else {
                String::new()
            };
            tell!(
                "resolving {}/{}: {} mapped, {} invited, {} failed{doubt}",
                p.done,
                p.total,
                p.mapped,
                p.invited,
                p.failed
            );
        }
    })
}

fn write_plan(f: &mut fmt::Formatter<'_>, plan: &Plan, directory: &str) -> fmt::Result {
    writeln!(
        f,
        "{} in '{}' (directory {directory}):",
        plural(plan.rows.len(), "disconnected user", "disconnected users"),
        plan.org,
    )?;
    for r in &plan.rows {
        let who = r.email.as_deref().unwrap_or("(no address)");
        let what = match (&r.decision, r.best()) {
            (Decision::Map { target_upn, .. }, _) => format!("map -> {target_upn}"),
            (Decision::Invite { email }, _) => format!("invite {email}"),
            (Decision::Skip, _) => "skip".into(),
            (Decision::Undecided, Some(b)) => format!(
                "review: {} ({}; {}; {})",
                b.upn,
                b.confidence.word(),
                b.account_words(),
                b.why()
            ),
            (Decision::Undecided, None) => "review: no suggestion (invite?)".into(),
        };
        let flags = if r.flags.is_empty() {
            String::new()
        } else {
            let words: Vec<&str> = r.flags.iter().map(|f| f.describe()).collect();
            format!(" [{}]", words.join("; "))
        };
        writeln!(f, "  {} <{who}>: {what}{flags}", r.display_name)?;
    }
    let s = plan.summary();
    writeln!(
        f,
        "\n{} to map, {} to invite, {} skipped, {} left to review.",
        s.mapped, s.to_invite, s.skipped, s.left
    )?;
    Ok(())
}

/// The import's warnings again, beside the plan they concern.
struct Warnings<'a>(&'a [CsvProblem]);

impl fmt::Display for Warnings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "\n{} to look at before applying:",
            plural(self.0.len(), "warning", "warnings")
        )?;
        for w in self.0 {
            writeln!(f, "  {w}")?;
        }
        Ok(())
    }
}

/// An edited plan's bytes, refusing (before reading on) anything larger than
/// a plan can be: a wrong path such as /dev/zero or a log file fails at
/// once instead of filling memory.
fn read_plan_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let cannot =
        |e: std::io::Error| CliError::error(format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_CSV_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_CSV_BYTES {
        return Err(CliError::error(format!(
            "{} is larger than {} MiB, the most a plan may be: it is not a plan exported by `ado-entra resolve --export` (a plan has one short row per disconnected user)",
            path.display(),
            MAX_CSV_BYTES / 1024 / 1024
        )));
    }
    Ok(bytes)
}

/// The suggestions for every disconnected user (nothing changed).
#[derive(Serialize)]
struct Suggestions<'a> {
    org: &'a str,
    plan: &'a Plan,
    summary: Summary,
    #[serde(skip)]
    directory: &'a str,
}

impl super::Report for Suggestions<'_> {}

impl fmt::Display for Suggestions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_plan(f, self.plan, self.directory)?;
        writeln!(
            f,
            "Nothing was changed. Export the plan with --export FILE, or map the exact matches with --accept-exact."
        )
    }
}

/// `--export`: the plan written as CSV.
#[derive(Serialize)]
struct Exported<'a> {
    org: &'a str,
    file: &'a Path,
    rows: usize,
    summary: Summary,
}

impl super::Report for Exported<'_> {}

impl fmt::Display for Exported<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.summary;
        writeln!(
            f,
            "Wrote {} to {}: {} set to map, {} to review.\nEdit the action column (map, invite, skip, review), then run `ado-entra resolve --org {} --import {}`.",
            plural(self.rows, "row", "rows"),
            self.file.display(),
            plural(s.mapped, "exact match", "exact matches"),
            s.left,
            self.org,
            super::shell_word(&self.file.display().to_string())
        )
    }
}

/// `--import --dry-run`, or a plan with nothing to apply: what would change.
#[derive(Serialize)]
struct NotApplied<'a> {
    org: &'a str,
    /// Always false: nothing was changed.
    applied: bool,
    dry_run: bool,
    jobs: &'a [Job],
    summary: Summary,
    warnings: &'a [CsvProblem],
    #[serde(skip)]
    plan: &'a Plan,
    #[serde(skip)]
    directory: &'a str,
}

impl super::Report for NotApplied<'_> {}

impl fmt::Display for NotApplied<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_plan(f, self.plan, self.directory)?;
        write!(f, "{}", Warnings(self.warnings))?;
        writeln!(
            f,
            "{}",
            if self.jobs.is_empty() {
                "Nothing to apply."
            } else {
                "Dry run: the file is valid; nothing was changed."
            }
        )
    }
}

/// A run applied (or resumed): what was mapped, invited, and failed.
#[derive(Serialize)]
struct Applied<'a> {
    outcome: &'a Outcome,
    #[serde(skip)]
    org: &'a str,
}

impl super::Report for Applied<'_> {
    fn exit_code(&self) -> u8 {
        if self.outcome.failed.is_empty() {
            exit::OK
        } else {
            exit::ERROR
        }
    }
}

impl fmt::Display for Applied<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.outcome;
        writeln!(f, "{}", o.summary())?;
        for x in &o.failed {
            writeln!(f, "  ✘ {} ({}): {}", x.who, x.descriptor, x.error)?;
        }
        if !o.failed.is_empty() {
            writeln!(
                f,
                "Retry the failures: ado-entra resolve --org {} --resume",
                self.org
            )?;
        }
        writeln!(f, "Journal: {}", o.journal.display())
    }
}

pub async fn run(global: &GlobalArgs, args: ResolveArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    run_resolve(global, args)
        .await
        .map_err(|e| e.json(json_out))
}

async fn run_resolve(global: &GlobalArgs, args: ResolveArgs) -> Result<u8, CliError> {
    if args.import.is_some() && !args.dry_run || args.accept_exact || args.resume {
        super::auth_cmds::require_person(
            global,
            crate::domain::identity::PersonOnly::ResolveApply,
        )?;
    }
    let org = args.org.clone(); // parsed by clap (`org_arg`)
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let settings = Settings {
        concurrency: args.concurrency as usize,
        send_invitations: args.send_invitations,
    };
    // An edited plan is worth more than a fresh export: never replaced
    // unasked (and said before anything is read from Azure).
    if let Some(path) = &args.export
        && !args.force
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(CliError {
            next_step: Some(format!(
                "to replace it, run: ado-entra resolve --org {org} --export {} --force",
                super::shell_word(&path.display().to_string())
            )),
            ..CliError::error(format!(
                "{} already exists and may hold edits; nothing was written",
                path.display()
            ))
        });
    }
    // A wrong path (/dev/zero, a log) is refused before Azure is read.
    let import_bytes = args.import.as_deref().map(read_plan_file).transpose()?;
    let c = signed_in(global).await?;
    let backing = crate::ops::change::backing(&c, &org).await;
    // The directory by name where Azure DevOps says it (id otherwise).
    let directory = match &backing {
        Ok(crate::domain::directory::Backing::Tenant { directory }) => Some(directory.label()),
        _ => None,
    };
    // Signed in elsewhere than the organization's directory: say so, with the
    // exact command, before any call is refused for it.
    if let (Some(who), Ok(backing)) = (crate::ops::verify::signed_in(&c).await, &backing)
        && let Some(cmd) = crate::domain::verify::classify(
            Some(backing),
            &who,
            &crate::domain::verify::Seen::default(),
            None,
        )
        .sign_in_command()
    {
        return Err(CliError::error(format!(
            "you are signed in as {} outside the directory '{org}' uses ({}): sign in there first\n  next: {cmd}",
            who.address().unwrap_or("(an identity)"),
            backing.label()
        )));
    }
    if !args.json {
        // Rate-limit waits, as they happen.
        let mut events = c.core.subscribe();
        tokio::spawn(async move {
            while let Ok(ev) = events.recv().await {
                if let crate::client::http::ClientEvent::RetryAfter { wait, status, .. } = ev {
                    tell!(
                        "Azure answered {status}; waiting {}s as asked, then retrying",
                        wait.as_secs().max(1)
                    );
                }
            }
        });
    }
    let jdir = paths.journal_dir();
    let journal_error = |e: crate::domain::journal::JournalError| CliError::error(e.to_string());
    // Anything that may change the organization holds its lock from before
    // the journal is read: a second run refuses at once instead of repeating.
    let changes = args.resume || args.accept_exact || (args.import.is_some() && !args.dry_run);
    let lock = if changes {
        let command = std::iter::once("ado-entra".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" ");
        Some(
            crate::ops::change::lock(&paths.lock_dir(), &org, &command)
                .map_err(super::change::change_error)?,
        )
    } else {
        None
    };

    if args.resume {
        let Some(ops::Unfinished {
            journal,
            replay,
            tenant,
            jobs,
        }) = ops::unfinished(&jdir, &org).map_err(resolve_error)?
        else {
            return Err(resolve_error(ResolveError::NothingToResume(org)));
        };
        if !args.json {
            tell!(
                "Resuming the run of {} for '{org}' ({}); users already resolved are checked in Azure DevOps and not touched again.",
                replay.started.format("%Y-%m-%d %H:%M UTC"),
                crate::domain::text::plural(jobs.len(), "user", "users")
            );
        }
        let graph = crate::ops::gather::graph_in_tenant(&c, &tenant)
            .await
            .map_err(client_error)?;
        let o = ops::apply(
            &c,
            &graph,
            lock.as_ref().expect("held for --resume"),
            &org,
            &tenant,
            jobs,
            journal,
            Some(replay),
            settings,
            progress(args.json),
        )
        .await
        .map_err(resolve_error)?;
        let applied = Applied {
            outcome: &o,
            org: &org,
        };
        return Ok(super::emit(&applied, args.json));
    }

    if let Some((path, _)) =
        crate::domain::journal::latest_unfinished(&jdir, ops::OP, &org).map_err(journal_error)?
    {
        if args.import.is_some() || args.accept_exact {
            return Err(CliError::error(format!(
                "an earlier Resolve run for '{org}' did not finish ({}); finish it first with `ado-entra resolve --org {org} --resume`",
                path.display()
            )));
        }
        // Only reading: say so, so an unfinished run is never forgotten.
        if !args.json {
            eprintln!(
                "Note: an earlier Resolve run for '{org}' did not finish; what it had not applied is still to do. Finish it with `ado-entra resolve --org {org} --resume`."
            );
        }
    }

    if !args.json {
        tell!("Reading disconnected users of '{org}' and the directory's accounts...");
    }
    let (loaded, graph) = ops::load(&c, &org).await.map_err(resolve_error)?;
    let mut plan = loaded.plan;
    let directory = directory.unwrap_or_else(|| plan.tenant.clone());

    if let Some(path) = &args.export {
        plan.accept_all_exact();
        let text = to_csv(&plan);
        crate::paths::write_private(path, text.as_bytes())
            .map_err(|e| CliError::error(format!("cannot write {}: {e}", path.display())))?;
        let exported = Exported {
            org: &org,
            file: path,
            rows: plan.rows.len(),
            summary: plan.summary(),
        };
        return Ok(super::emit(&exported, args.json));
    }

    let mut warnings: Vec<CsvProblem> = Vec::new();
    if let Some(path) = &args.import {
        let bytes = import_bytes.unwrap_or_default();
        let dir = Directory::new(&loaded.tenant_users);
        let file = path.display().to_string();
        let imported = import_csv(&file, &bytes, &plan, &dir, &loaded.taken)
            .map_err(|e| CliError::error(e.to_string().trim_end().to_string()))?;
        plan.apply_decisions(imported.decisions);
        warnings = imported.warnings;
        if !args.json {
            for w in &warnings {
                tell!("warning: {file}:{w}");
            }
        }
    } else if args.accept_exact {
        plan.accept_all_exact();
    } else {
        // Only show the suggestions.
        let suggestions = Suggestions {
            org: &org,
            plan: &plan,
            summary: plan.summary(),
            directory: &directory,
        };
        return Ok(super::emit(&suggestions, args.json));
    }

    let jobs = plan.jobs();
    let s = plan.summary();
    if args.dry_run || jobs.is_empty() {
        let not_applied = NotApplied {
            org: &org,
            applied: false,
            dry_run: args.dry_run,
            jobs: &jobs,
            summary: s,
            warnings: &warnings,
            plan: &plan,
            directory: &directory,
        };
        return Ok(super::emit(&not_applied, args.json));
    }
    if !args.json {
        tell!(
            "Will change '{org}': map {} to existing accounts and invite {} as guests (then map them); {} skipped, {} left as they are.",
            plural(s.mapped, "user", "users"),
            s.to_invite,
            s.skipped,
            s.left
        );
        print!(
            "{}",
            crate::domain::text::printable_lines(&Warnings(&warnings).to_string())
        );
    }
    super::change::confirm(&org, args.yes)?;
    let journal = ops::begin(&jdir, &org, &plan.tenant, &jobs).map_err(resolve_error)?;
    let Some(lock) = lock.as_ref() else {
        return Err(CliError::error(
            "internal: applying without the organization's lock",
        ));
    };
    let o = ops::apply(
        &c,
        &graph,
        lock,
        &org,
        &plan.tenant.clone(),
        jobs,
        journal,
        None,
        settings,
        progress(args.json),
    )
    .await
    .map_err(resolve_error)?;
    let applied = Applied {
        outcome: &o,
        org: &org,
    };
    Ok(super::emit(&applied, args.json))
}
