//! `ado-entra explain "<error text or code>"`: the knowledge base entry for an error.

use clap::Args;
use serde_json::json;

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
        if args.json {
            let list: Vec<_> = kb
                .entries()
                .iter()
                .map(|e| json!({"id": e.id, "title": e.title}))
                .collect();
            println!("{}", serde_json::Value::Array(list));
        } else {
            let w = kb.entries().iter().map(|e| e.id.len()).max().unwrap_or(0);
            for e in kb.entries() {
                say!("{:<w$}  {}", e.id, e.title);
            }
        }
        return Ok(exit::OK);
    }
    let text = args.text.join(" ");
    let matches = kb.lookup(&text);
    let Some(best) = matches.first() else {
        if args.json {
            println!("{}", json!({"query": text, "match": null}));
        }
        return Err(CliError::error(
            "no knowledge base entry matches that text; try the exact error code (for example TF400813), or `ado-entra explain --list`",
        ));
    };
    if args.json {
        let also: Vec<&str> = matches[1..].iter().map(|m| m.entry.id.as_str()).collect();
        println!(
            "{}",
            json!({"query": text, "match": best.entry, "matched_on": best.matched, "also": also})
        );
    } else {
        print_entry(best.entry);
        if matches.len() > 1 {
            let also: Vec<&str> = matches[1..].iter().map(|m| m.entry.id.as_str()).collect();
            say!("\nAlso related: {}", also.join(", "));
        }
    }
    Ok(exit::OK)
}

fn print_entry(e: &Entry) {
    say!("{}  [{}]\n", e.title, e.id);
    say!("Cause: {}\n", e.cause);
    say!("What to do:");
    for (i, step) in e.fix.iter().enumerate() {
        say!("  {}. {}", i + 1, step);
    }
    say!("\nSource: {}", e.source);
}
