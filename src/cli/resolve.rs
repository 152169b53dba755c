//! `ado-entra resolve`: the headless Resolve step. Shows the suggestions,
//! exports and imports the plan as CSV, applies it (journaled), and resumes an
//! interrupted run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;

use super::check::{client_error, clients};
use super::{CliError, GlobalArgs, exit};
use crate::domain::resolve::{Decision, Directory, Plan, parse_csv, to_csv};
use crate::domain::validate::parse_org_name;
use crate::ops::resolve::{self as ops, Outcome, ResolveError, Settings};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  ado-entra resolve --org fabrikam                       # suggestions for every disconnected user\n  ado-entra resolve --org fabrikam --export plan.csv     # edit in a spreadsheet, then:\n  ado-entra resolve --org fabrikam --import plan.csv --dry-run\n  ado-entra resolve --org fabrikam --import plan.csv\n  ado-entra resolve --org fabrikam --accept-exact        # map every exact match only\n  ado-entra resolve --org fabrikam --resume              # finish an interrupted run\n\nCSV columns: descriptor,msa_email,display_name,action,target_upn,target_object_id,confidence,reason\nactions: map (to target_object_id or target_upn), invite (msa_email as a guest, then map), skip, review (left as is).\nAn imported file is checked row by row first; if any row is wrong, every problem is listed with its line and nothing is applied (exit 1).\nSign in as an administrator of the organization, in its directory (`ado-entra login --tenant TENANT`)."
)]
pub struct ResolveArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long)]
    pub org: String,
    /// Write the plan as CSV to this file (exact matches pre-accepted).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["import", "resume", "accept_exact"])]
    pub export: Option<std::path::PathBuf>,
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
            eprintln!(
                "resolving {}/{}: {} mapped, {} invited, {} failed{doubt}",
                p.done, p.total, p.mapped, p.invited, p.failed
            );
        }
    })
}

fn print_plan(plan: &Plan) {
    println!(
        "{} disconnected user(s) in '{}' (directory {}):",
        plan.rows.len(),
        plan.org,
        plan.tenant
    );
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
        println!("  {} <{who}>: {what}{flags}", r.display_name);
    }
    let s = plan.summary();
    println!(
        "\n{} to map, {} to invite, {} skipped, {} left to review.",
        s.mapped, s.to_invite, s.skipped, s.left
    );
}

fn print_outcome(org: &str, o: &Outcome, json_out: bool) {
    if json_out {
        println!("{}", json!({"outcome": o}));
        return;
    }
    println!("{}", o.summary());
    for f in &o.failed {
        println!("  ✘ {} ({}): {}", f.who, f.descriptor, f.error);
    }
    if !o.failed.is_empty() {
        println!("Retry the failures: ado-entra resolve --org {org} --resume");
    }
    println!("Journal: {}", o.journal.display());
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
    let org = parse_org_name(&args.org).map_err(|e| CliError::usage(e.to_string()))?;
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let settings = Settings {
        concurrency: args.concurrency as usize,
        send_invitations: args.send_invitations,
    };
    let c = clients(global)?;
    // Signed in elsewhere than the organization's directory: say so, with the
    // exact command, before any call is refused for it.
    if let (Some(who), Ok(backing)) = (
        crate::ops::verify::signed_in(&c).await,
        crate::ops::change::backing(&c, &org).await,
    ) && let Some(cmd) = crate::domain::verify::classify(
        Some(&backing),
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
                    eprintln!(
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
            eprintln!(
                "Resuming the run of {} for '{org}' ({} user(s)); users already resolved are checked in Azure DevOps and not touched again.",
                replay.started.format("%Y-%m-%d %H:%M UTC"),
                jobs.len()
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
        print_outcome(&org, &o, args.json);
        return Ok(if o.failed.is_empty() {
            exit::OK
        } else {
            exit::ERROR
        });
    }

    if let Some((path, _)) =
        crate::domain::journal::latest_unfinished(&jdir, ops::OP, &org).map_err(journal_error)?
        && (args.import.is_some() || args.accept_exact)
    {
        return Err(CliError::error(format!(
            "an earlier Resolve run for '{org}' did not finish ({}); finish it first with `ado-entra resolve --org {org} --resume`",
            path.display()
        )));
    }

    if !args.json {
        eprintln!("Reading disconnected users of '{org}' and the directory's accounts...");
    }
    let (loaded, graph) = ops::load(&c, &org).await.map_err(resolve_error)?;
    let mut plan = loaded.plan;

    if let Some(path) = &args.export {
        plan.accept_all_exact();
        let text = to_csv(&plan);
        crate::paths::write_private(path, text.as_bytes())
            .map_err(|e| CliError::error(format!("cannot write {}: {e}", path.display())))?;
        let s = plan.summary();
        if args.json {
            println!(
                "{}",
                json!({"org": org, "file": path, "rows": plan.rows.len(), "summary": s})
            );
        } else {
            println!(
                "Wrote {} row(s) to {}: {} exact match(es) set to map, {} to review.\nEdit the action column (map, invite, skip, review), then run `ado-entra resolve --org {org} --import {}`.",
                plan.rows.len(),
                path.display(),
                s.mapped,
                s.left,
                path.display()
            );
        }
        return Ok(exit::OK);
    }

    if let Some(path) = &args.import {
        let bytes = std::fs::read(path)
            .map_err(|e| CliError::error(format!("cannot read {}: {e}", path.display())))?;
        let dir = Directory::new(&loaded.tenant_users);
        let decisions = parse_csv(
            &path.display().to_string(),
            &bytes,
            &plan,
            &dir,
            &loaded.taken,
        )
        .map_err(|e| CliError::error(e.to_string().trim_end().to_string()))?;
        plan.apply_decisions(decisions);
    } else if args.accept_exact {
        plan.accept_all_exact();
    } else {
        // Only show the suggestions.
        if args.json {
            println!(
                "{}",
                json!({"org": org, "plan": plan, "summary": plan.summary()})
            );
        } else {
            print_plan(&plan);
            println!(
                "Nothing was changed. Export the plan with --export FILE, or map the exact matches with --accept-exact."
            );
        }
        return Ok(exit::OK);
    }

    let jobs = plan.jobs();
    let s = plan.summary();
    if args.dry_run || jobs.is_empty() {
        if args.json {
            println!(
                "{}",
                json!({"org": org, "applied": false, "dry_run": args.dry_run, "jobs": jobs, "summary": s})
            );
        } else {
            print_plan(&plan);
            println!(
                "{}",
                if jobs.is_empty() {
                    "Nothing to apply."
                } else {
                    "Dry run: the file is valid; nothing was changed."
                }
            );
        }
        return Ok(exit::OK);
    }
    if !args.json {
        eprintln!(
            "Will change '{org}': map {} user(s) to existing accounts and invite {} as guest(s) (then map them); {} skipped, {} left as they are.",
            s.mapped, s.to_invite, s.skipped, s.left
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
    print_outcome(&org, &o, args.json);
    Ok(if o.failed.is_empty() {
        exit::OK
    } else {
        exit::ERROR
    })
}
