//! `ado-entra explain "<error text or code>"`: the knowledge base entry for an error.

use std::fmt;

use clap::Args;
use serde::Serialize;

use super::{CliError, exit};
use crate::domain::diagnose::{Entry, KnowledgeBase};

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  ado-entra explain TF400813\n  ado-entra explain \"Only active members of the AAD tenant are allowed to perform the link\"\n  ado-entra explain --list"
)]
pub struct ExplainArgs {
    /// The error message, code (TF400813, AADSTS50076) or entry id to explain.
    #[arg(value_name = "TEXT", required_unless_present_any = ["list", "markdown"])]
    pub text: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// List every entry id and title.
    #[arg(long, conflicts_with = "markdown")]
    pub list: bool,
    /// Print the whole knowledge base as Markdown (this is docs/troubleshooting.md).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: ExplainArgs) -> Result<u8, CliError> {
    let kb = KnowledgeBase::builtin();
    if args.markdown {
        print!("{}", kb.to_markdown());
        return Ok(exit::OK);
    }
    if args.list {
        let list = Listed(
            kb.entries()
                .iter()
                .map(|e| Title {
                    id: &e.id,
                    title: &e.title,
                })
                .collect(),
        );
        return Ok(super::emit(&list, args.json));
    }
    let text = args.text.join(" ");
    let matches = kb.lookup(&text);
    let Some(best) = matches.first() else {
        return Err(CliError::error(
            "no knowledge base entry matches that text; try the exact error code (for example TF400813), or `ado-entra explain --list`",
        ));
    };
    let explained = Explained {
        query: &text,
        entry: best.entry,
        matched_on: &best.matched,
        also: matches[1..].iter().map(|m| m.entry.id.as_str()).collect(),
    };
    Ok(super::emit(&explained, args.json))
}

/// `explain --list`: every entry's id and title.
#[derive(Serialize)]
#[serde(transparent)]
struct Listed<'a>(Vec<Title<'a>>);

#[derive(Serialize)]
struct Title<'a> {
    id: &'a str,
    title: &'a str,
}

impl super::Report for Listed<'_> {}

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.0.iter().map(|e| e.id.len()).max().unwrap_or(0);
        for e in &self.0 {
            writeln!(f, "{:<w$}  {}", e.id, e.title)?;
        }
        Ok(())
    }
}

/// The entry that best matches what was pasted, and the others that match.
#[derive(Serialize)]
struct Explained<'a> {
    query: &'a str,
    #[serde(rename = "match")]
    entry: &'a Entry,
    matched_on: &'a str,
    also: Vec<&'a str>,
}

impl super::Report for Explained<'_> {}

impl fmt::Display for Explained<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.entry;
        writeln!(f, "{}  [{}]\n", e.title, e.id)?;
        writeln!(f, "Cause: {}\n", e.cause)?;
        writeln!(f, "What to do:")?;
        for (i, step) in e.fix.iter().enumerate() {
            writeln!(f, "  {}. {}", i + 1, step)?;
        }
        writeln!(f, "\nSource: {}", e.source)?;
        if !self.also.is_empty() {
            writeln!(f, "\nAlso related: {}", self.also.join(", "))?;
        }
        Ok(())
    }
}
