//! `ado-entra journal`: the interrupted changes the journal knows of, and a
//! way to close one after checking in Azure what it left behind.

use clap::{Args, Subcommand};
use serde_json::json;

use super::{CliError, GlobalArgs, exit};
use crate::domain::journal::{self, JournalWriter, Record};
use crate::ops::change::{self as ops, CHANGE_OPS};
use crate::paths::StatePaths;

#[derive(Debug, Clone, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub action: JournalAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum JournalAction {
    /// List unfinished runs (directory changes and Resolve runs).
    List {
        /// Only this organization.
        #[arg(long, value_parser = super::org_arg)]
        org: Option<String>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Close an interrupted directory change without finishing it: Azure is
    /// read first, and the journal records what it shows.
    #[command(
        after_help = "Use it when you no longer want the interrupted change (to finish it instead, run the same command again). Azure is read first, so the journal ends with the truth: whether the change had landed or not."
    )]
    Discard {
        /// Organization name or its dev.azure.com URL.
        #[arg(long, value_parser = super::org_arg)]
        org: String,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

impl JournalArgs {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match &self.action {
            JournalAction::List { json, .. } | JournalAction::Discard { json, .. } => *json,
        }
    }
}

pub async fn run(global: &GlobalArgs, args: JournalArgs) -> Result<u8, CliError> {
    match args.action {
        JournalAction::List { org, json } => list(org.as_deref(), json).map_err(|e| e.json(json)),
        JournalAction::Discard { org, json } => {
            discard(global, &org, json).await.map_err(|e| e.json(json))
        }
    }
}

fn list(org: Option<&str>, json_out: bool) -> Result<u8, CliError> {
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let dir = paths.journal_dir();
    let mut rows = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        for p in files {
            let Ok(r) = journal::read(&p) else { continue };
            if r.finished || org.is_some_and(|o| !o.eq_ignore_ascii_case(&r.org)) {
                continue;
            }
            let finish = if CHANGE_OPS.contains(&r.op.as_str()) {
                format!(
                    "run the same `ado-entra {}` again, or `ado-entra journal discard --org {}`",
                    r.op, r.org
                )
            } else {
                format!("ado-entra resolve --org {} --resume", r.org)
            };
            rows.push(json!({
                "org": r.org, "op": r.op, "started": r.started, "journal": p,
                "in_doubt": r.in_doubt().collect::<Vec<_>>(), "finish": finish,
            }));
        }
    }
    if json_out {
        println!("{}", json!({"unfinished": rows}));
    } else if rows.is_empty() {
        say!("No unfinished run.");
    } else {
        for r in &rows {
            say!(
                "{} of '{}', started {}: {}\n  journal: {}\n  finish: {}",
                r["op"].as_str().unwrap_or_default(),
                r["org"].as_str().unwrap_or_default(),
                r["started"].as_str().unwrap_or_default(),
                if r["in_doubt"].as_array().is_some_and(|a| !a.is_empty()) {
                    "a call is in doubt (Azure is checked before anything is sent again)"
                } else {
                    "stopped between steps"
                },
                r["journal"].as_str().unwrap_or_default(),
                r["finish"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(exit::OK)
}

async fn discard(global: &GlobalArgs, org: &str, json_out: bool) -> Result<u8, CliError> {
    let org = org.to_string(); // parsed by clap (`org_arg`)
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let jdir = paths.journal_dir();
    let c = super::auth_cmds::signed_in(global).await?;
    let _lock = ops::lock(
        &paths.lock_dir(),
        &org,
        &format!("ado-entra journal discard --org {org}"),
    )
    .map_err(super::change::change_error)?;
    let Some(pending) = ops::pending(&jdir, &org).map_err(|e| CliError::error(e.to_string()))?
    else {
        if json_out {
            println!("{}", json!({"org": org, "discarded": null}));
        } else {
            say!("'{org}' has no unfinished directory change.");
        }
        return Ok(exit::OK);
    };
    let now = ops::backing(&c, &org)
        .await
        .map_err(super::change::change_error)?;
    let landed = now.target() == pending.target;
    let summary = format!(
        "Discarded by the person after checking Azure: '{org}' uses {}, so the {} {} landed.",
        now.label(),
        pending.op,
        if landed { "had" } else { "had not" }
    );
    let io = |e: journal::JournalError| CliError::error(e.to_string());
    let mut w = JournalWriter::reopen(&pending.journal).map_err(io)?;
    w.append(&Record::Verified {
        step: "set-tenant".into(),
        at: chrono::Utc::now(),
        landed,
    })
    .map_err(io)?;
    w.append(&Record::End {
        at: chrono::Utc::now(),
        summary: summary.clone(),
    })
    .map_err(io)?;
    if json_out {
        println!(
            "{}",
            json!({"org": org, "discarded": pending, "landed": landed, "now": now, "summary": summary})
        );
    } else {
        say!("{summary}\nJournal: {}", pending.journal.display());
    }
    Ok(exit::OK)
}
