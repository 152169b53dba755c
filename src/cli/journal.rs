//! `ado-entra journal`: the interrupted changes the journal knows of, and a
//! way to close one after checking in Azure what it left behind.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::{CliError, GlobalArgs};
use crate::domain::directory::{Backing, Pending};
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
    let mut unfinished = Vec::new();
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
            unfinished.push(Unfinished {
                in_doubt: r.in_doubt().map(str::to_string).collect(),
                org: r.org,
                op: r.op,
                started: r.started,
                journal: p,
                finish,
            });
        }
    }
    Ok(super::emit(&Listed { unfinished }, json_out))
}

/// `journal list`: the unfinished runs.
#[derive(Serialize)]
struct Listed {
    unfinished: Vec<Unfinished>,
}

/// One unfinished run and how to finish it.
#[derive(Serialize)]
struct Unfinished {
    org: String,
    op: String,
    started: DateTime<Utc>,
    journal: PathBuf,
    /// Steps whose answer was lost (Azure is read before they are sent again).
    in_doubt: Vec<String>,
    finish: String,
}

impl super::Report for Listed {}

impl fmt::Display for Listed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unfinished.is_empty() {
            return writeln!(f, "No unfinished run.");
        }
        for r in &self.unfinished {
            writeln!(
                f,
                "{} of '{}', started {}: {}\n  journal: {}\n  finish: {}",
                r.op,
                r.org,
                // As its JSON spells it.
                serde_json::to_value(r.started)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                if r.in_doubt.is_empty() {
                    "stopped between steps"
                } else {
                    "a call is in doubt (Azure is checked before anything is sent again)"
                },
                r.journal.display(),
                r.finish
            )?;
        }
        Ok(())
    }
}

/// `journal discard`: the change closed, or none to close.
#[derive(Serialize)]
struct Discarded {
    org: String,
    /// The interrupted change closed; `null` when there was none.
    discarded: Option<Pending>,
    #[serde(flatten)]
    closed: Option<Closed>,
}

/// What Azure showed when the change was closed.
#[derive(Serialize)]
struct Closed {
    landed: bool,
    now: Backing,
    summary: String,
}

impl super::Report for Discarded {}

impl fmt::Display for Discarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.discarded, &self.closed) {
            (Some(p), Some(c)) => {
                writeln!(f, "{}\nJournal: {}", c.summary, p.journal.display())
            }
            _ => writeln!(f, "'{}' has no unfinished directory change.", self.org),
        }
    }
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
        let none = Discarded {
            org,
            discarded: None,
            closed: None,
        };
        return Ok(super::emit(&none, json_out));
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
    let done = Discarded {
        org,
        discarded: Some(pending),
        closed: Some(Closed {
            landed,
            now,
            summary,
        }),
    };
    Ok(super::emit(&done, json_out))
}
