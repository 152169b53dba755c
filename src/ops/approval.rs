//! The change-approval report and the notice to users, written from the
//! same [`ChecksReport`] the Prerequisites screen and `check` show: the
//! organization, the destination, every check with its evidence and fix,
//! the lockout table, the plan, who prepared it and when. Pure: the caller
//! gives the time and the person.
//!
//! One small document model ([`Block`]) renders to Markdown (for a ticket
//! or a pull request) and to HTML (for a board that reads it in a browser),
//! so the two never say different things. Text from Azure (names, reasons)
//! is neutralised for each format: control and bidirectional characters
//! cannot reorder or hide what a reviewer reads, and Markdown or HTML
//! syntax in a display name stays text.

use std::fmt::Write as _;

use super::model::{AccessOutcome, ChecksReport, Operation, TenantInfo};
use crate::domain::checks::Status;

/// The format a report is written in, chosen from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    /// HTML for `.html`/`.htm`, Markdown otherwise.
    pub fn for_path(path: &std::path::Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("html" | "htm") => Format::Html,
            _ => Format::Markdown,
        }
    }
}

/// What the report is about and who prepared it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub org: String,
    pub operation: Operation,
    /// Who ran the checks (the signed-in identity), if known.
    pub prepared_by: Option<String>,
    /// When, as the caller formats it (e.g. `2026-12-01 17:50 UTC`).
    pub prepared_at: String,
    /// The command that reproduces the checks.
    pub command: String,
}

/// A piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Heading(u8, String),
    Para(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Header row, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

use crate::domain::text::printable as plain;

/// Markdown that shows `s` as text: characters that start emphasis, code,
/// links, raw HTML or a table cell are escaped; an underscore inside a word
/// (`alice_outlook.com`) is left alone, as renderers leave it.
fn md_text(s: &str) -> String {
    let chars: Vec<char> = plain(s).chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside_word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' => true,
            '_' => !(inside_word(i.checked_sub(1)) && inside_word(Some(i + 1))),
            '#' | '+' | '-' => i == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in plain(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn render(title: &str, blocks: &[Block], format: Format) -> String {
    match format {
        Format::Markdown => markdown(title, blocks),
        Format::Html => html(title, blocks),
    }
}

fn markdown(title: &str, blocks: &[Block]) -> String {
    let mut out = format!("# {}\n", md_text(title));
    for b in blocks {
        out.push('\n');
        match b {
            Block::Heading(level, t) => {
                let _ = writeln!(out, "{} {}", "#".repeat(*level as usize), md_text(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}", md_text(t));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", md_text(i));
                }
            }
            Block::Table(head, rows) => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| md_text(c)).collect();
                    format!("| {} |", cells.join(" | "))
                };
                let _ = writeln!(out, "{}", line(head));
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for r in rows {
                    let _ = writeln!(out, "{}", line(r));
                }
            }
        }
    }
    out
}

fn html(title: &str, blocks: &[Block]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.2em .5em;text-align:left}}</style>\n\
         </head>\n<body>\n<h1>{t}</h1>\n",
        t = html_text(title)
    );
    for b in blocks {
        match b {
            Block::Heading(level, t) => {
                let _ = writeln!(out, "<h{l}>{}</h{l}>", html_text(t), l = level);
            }
            Block::Para(t) => {
                let _ = writeln!(out, "<p>{}</p>", html_text(t));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", html_text(i));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(head, rows) => {
                out.push_str("<table>\n<tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", html_text(h));
                }
                out.push_str("</tr>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", html_text(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn tenant(t: &TenantInfo) -> String {
    match (t.display_name.trim(), t.domain.trim()) {
        ("", "") => t.id.clone(),
        ("", d) => format!("{d} ({})", t.id),
        (n, "") => format!("{n} ({})", t.id),
        (n, d) => format!("{n}, {d} ({})", t.id),
    }
}

fn destination(r: &ChecksReport) -> String {
    r.destination
        .as_ref()
        .map(tenant)
        .unwrap_or_else(|| "personal Microsoft accounts".into())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The verdict in one line, as the board reads it.
fn verdict_line(r: &ChecksReport) -> String {
    if !r.is_change() {
        return r.situation.message.clone();
    }
    let fails = r.checks.iter().filter(|c| c.status == Status::Fail).count();
    let warns = r.checks.iter().filter(|c| c.status == Status::Warn).count();
    if r.blocked() {
        format!(
            "Blocked: {} must be fixed before the change.",
            plural(fails, "failed check", "failed checks")
        )
    } else if fails > 0 {
        format!(
            "Can proceed only if the named risks are accepted ({}); {}.",
            plural(fails, "failed check", "failed checks"),
            plural(warns, "warning", "warnings")
        )
    } else if warns > 0 {
        format!(
            "Ready, with {} to read first.",
            plural(warns, "warning", "warnings")
        )
    } else {
        "Ready: every check passed.".into()
    }
}

fn change_line(s: &Subject, r: &ChecksReport) -> String {
    match s.operation {
        Operation::Disconnect => {
            "Disconnect from its directory (back to personal Microsoft accounts)".into()
        }
        Operation::ChangeTenant => format!("Move to directory {}", destination(r)),
        Operation::Connect | Operation::CheckOnly => {
            format!("Connect to directory {}", destination(r))
        }
    }
}

fn outcome_word(o: AccessOutcome) -> &'static str {
    match o {
        AccessOutcome::Keeps => "keeps access",
        AccessOutcome::Disconnected => "disconnected until mapped",
        AccessOutcome::LockedOut => "LOCKED OUT",
        AccessOutcome::Unverified => "not proven",
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "passed",
        Status::Warn => "warning",
        Status::Fail => "FAILED",
        Status::Skip => "does not apply",
    }
}

/// The change-approval report.
pub fn approval(s: &Subject, r: &ChecksReport, format: Format) -> String {
    let title = format!("Change approval: {} {}", s.operation.verb(), s.org);
    let mut b = vec![Block::Table(
        vec!["".into(), "".into()],
        vec![
            vec![
                "Organization".into(),
                format!("{} (https://dev.azure.com/{})", s.org, s.org),
            ],
            vec!["Uses now".into(), r.situation.backing.clone()],
            vec!["Change".into(), change_line(s, r)],
            vec!["Verdict".into(), verdict_line(r)],
            vec![
                "Prepared by".into(),
                s.prepared_by
                    .clone()
                    .unwrap_or_else(|| "(not signed in)".into()),
            ],
            vec!["Prepared at".into(), s.prepared_at.clone()],
            vec!["Checks reproduced by".into(), s.command.clone()],
        ],
    )];
    if !r.is_change() {
        b.push(Block::Heading(2, "Nothing will change".into()));
        b.push(Block::Para(r.situation.message.clone()));
        if !r.situation.next.is_empty() {
            b.push(Block::List(r.situation.next.clone()));
        }
        return render(&title, &b, format);
    }

    b.push(Block::Heading(2, "Checks".into()));
    for c in &r.checks {
        b.push(Block::Heading(
            3,
            format!(
                "{} {} ({}, {})",
                c.status.symbol(),
                c.title,
                status_word(c.status),
                c.id
            ),
        ));
        if !c.evidence.is_empty() {
            b.push(Block::List(c.evidence.clone()));
        }
        if let Some(fix) = &c.fix
            && c.status != Status::Pass
        {
            b.push(Block::Para(format!("Fix: {fix}")));
        }
    }
    if !r.accept.is_empty() {
        b.push(Block::Heading(
            3,
            "Risks the person making the change may accept".into(),
        ));
        b.push(Block::List(
            r.accept
                .iter()
                .map(|a| format!("{} ({}): confirmed by typing {}", a.title, a.id, a.expected))
                .collect(),
        ));
    }

    b.push(Block::Heading(
        2,
        "Who keeps access (the lockout proof)".into(),
    ));
    if r.access.is_empty() {
        b.push(Block::Para("Nobody loses access.".into()));
    } else {
        b.push(Block::Table(
            vec![
                "Who".into(),
                "Role".into(),
                "After the change".into(),
                "Why".into(),
            ],
            r.access
                .iter()
                .map(|a| {
                    vec![
                        a.who.clone(),
                        a.role.word().into(),
                        outcome_word(a.outcome).into(),
                        a.reason.clone(),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "The plan".into()));
    if !r.plan.changes.is_empty() {
        b.push(Block::Heading(3, "What changes".into()));
        b.push(Block::List(r.plan.changes.clone()));
    }
    if !r.plan.disconnected.is_empty() {
        b.push(Block::Heading(
            3,
            format!("Disconnected until mapped ({})", r.plan.disconnected.len()),
        ));
        b.push(Block::List(r.plan.disconnected.clone()));
    }
    if !r.plan.afterwards.is_empty() {
        b.push(Block::Heading(3, "Afterwards".into()));
        b.push(Block::List(r.plan.afterwards.clone()));
    }

    b.push(Block::Heading(2, "Sign-off".into()));
    b.push(Block::Table(
        vec![
            "Role".into(),
            "Name".into(),
            "Date".into(),
            "Decision".into(),
        ],
        vec![
            vec!["Organization owner".into(), "".into(), "".into(), "".into()],
            vec![
                "Directory administrator".into(),
                "".into(),
                "".into(),
                "".into(),
            ],
            vec!["Change board".into(), "".into(), "".into(), "".into()],
        ],
    ));
    b.push(Block::Heading(2, "Notice to users (draft)".into()));
    b.extend(notice_blocks(s, r));
    render(&title, &b, format)
}

/// The destination as users know it: its name and domain, no id.
fn destination_name(r: &ChecksReport) -> String {
    let Some(t) = &r.destination else {
        return "the new directory".into();
    };
    match (t.display_name.trim(), t.domain.trim()) {
        ("", "") => "the new directory".into(),
        (n, "") | ("", n) => n.to_string(),
        (n, d) => format!("{n} ({d})"),
    }
}

fn notice_blocks(s: &Subject, r: &ChecksReport) -> Vec<Block> {
    let url = format!("https://dev.azure.com/{}", s.org);
    let dest = destination_name(r);
    let (what, how) = match s.operation {
        Operation::Disconnect => (
            format!(
                "The Azure DevOps organization {} will be disconnected from Microsoft Entra ID.",
                s.org
            ),
            format!(
                "After the change, sign in to {url} with your personal Microsoft account (the address you were added with). Work accounts will no longer sign in to it."
            ),
        ),
        Operation::ChangeTenant => (
            format!(
                "The Azure DevOps organization {} will move to the Microsoft Entra directory {dest}.",
                s.org
            ),
            format!(
                "After the change, sign in to {url} with your work account in {dest}. Accounts of the old directory will no longer sign in to it."
            ),
        ),
        Operation::Connect | Operation::CheckOnly => (
            format!(
                "The Azure DevOps organization {} will be connected to the Microsoft Entra directory {dest}.",
                s.org
            ),
            format!(
                "After the change, sign in to {url} with your work account in {dest}. Personal Microsoft accounts will no longer sign in to it."
            ),
        ),
    };
    let mut b = vec![
        Block::Para(what),
        Block::Para(how),
        Block::Para(
            "Your projects, repositories, work items and pipelines stay as they are. Personal access tokens and SSH keys tied to your old sign-in stop working: create new ones after you sign in."
                .into(),
        ),
    ];
    let n = r.plan.disconnected.len();
    if n > 0 {
        b.push(Block::Para(format!(
            "{} will be disconnected until an administrator maps them to an account of the new directory. If you cannot sign in afterwards, reply to this notice: your history and permissions are kept and come back when you are mapped.",
            plural(n, "person", "people")
        )));
    }
    b
}

/// The notice to users before the change, on its own.
pub fn notice(s: &Subject, r: &ChecksReport, format: Format) -> String {
    let title = format!("Sign-in to Azure DevOps organization {} is changing", s.org);
    render(&title, &notice_blocks(s, r), format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::CheckResult;
    use crate::ops::model::{AccessRow, PlanView, SituationKind, SituationView, Standing};

    fn subject() -> Subject {
        Subject {
            org: "fabrikam".into(),
            operation: Operation::Connect,
            prepared_by: Some("owner@fabrikam.com".into()),
            prepared_at: "2026-12-01 17:50 UTC".into(),
            command: "ado-entra check --org fabrikam --to fabrikam.com".into(),
        }
    }

    fn blocked() -> ChecksReport {
        let mut fail = CheckResult {
            id: "owner-keeps-access",
            status: Status::Fail,
            title: "The owner would be locked out".into(),
            evidence: vec!["owner@outlook.com has no member account in Fabrikam".into()],
            fix: Some("Transfer ownership to a member of the directory".into()),
        };
        fail.evidence.push("second line".into());
        ChecksReport {
            situation: SituationView {
                backing: "personal Microsoft accounts".into(),
                ..SituationView::default()
            },
            destination: Some(TenantInfo {
                id: "afade585-0000-0000-0000-000000000000".into(),
                display_name: "Fabrikam".into(),
                domain: "fabrikam.com".into(),
            }),
            checks: vec![fail],
            access: vec![AccessRow {
                who: "Eve \u{202E}moc.evil\u{1b}[2J <eve|x@y.com>".into(),
                role: Standing::Owner,
                outcome: AccessOutcome::LockedOut,
                reason: "no member with this UPN".into(),
            }],
            plan: PlanView {
                changes: vec!["Connect fabrikam to Fabrikam".into()],
                disconnected: vec!["eve@outlook.com".into()],
                afterwards: vec![],
            },
            ..ChecksReport::default()
        }
    }

    #[test]
    fn the_report_names_the_verdict_every_check_the_table_and_the_plan() {
        let md = approval(&subject(), &blocked(), Format::Markdown);
        assert!(
            md.starts_with("# Change approval: connect fabrikam\n"),
            "{md}"
        );
        assert!(md.contains("Blocked: 1 failed check must be fixed"), "{md}");
        assert!(md.contains("Fabrikam, fabrikam.com (afade585-"), "{md}");
        assert!(md.contains("The owner would be locked out (FAILED, owner-keeps-access)"));
        assert!(md.contains("Fix: Transfer ownership"));
        assert!(md.contains("LOCKED OUT"));
        assert!(md.contains("Disconnected until mapped (1)"));
        assert!(md.contains("owner@fabrikam.com") && md.contains("2026-12-01 17:50 UTC"));
        assert!(md.contains("1 person will be disconnected"), "{md}");
    }

    #[test]
    fn hostile_names_stay_text_in_markdown_and_html() {
        let md = approval(&subject(), &blocked(), Format::Markdown);
        assert!(!md.contains('\u{202E}') && !md.contains('\u{1b}'), "{md}");
        assert!(
            md.contains('\u{fffd}'),
            "the override shows as a mark: {md}"
        );
        // The pipe in the address cannot split the table row.
        assert!(md.contains("eve\\|x@y.com"), "{md}");
        let html = approval(&subject(), &blocked(), Format::Html);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("&lt;eve|x@y.com&gt;"), "{html}");
        assert!(!html.contains('\u{202E}') && !html.contains('\u{1b}'));
        assert_eq!(
            html.matches("<table>").count(),
            html.matches("</table>").count()
        );
    }

    #[test]
    fn nothing_to_do_says_so_instead_of_listing_checks() {
        let r = ChecksReport {
            situation: SituationView {
                kind: SituationKind::NothingToDo,
                backing: "Fabrikam".into(),
                message: "Already connected to Fabrikam.".into(),
                next: vec![],
            },
            ..ChecksReport::default()
        };
        let md = approval(&subject(), &r, Format::Markdown);
        assert!(md.contains("Nothing will change") && md.contains("Already connected"));
        assert!(!md.contains("## Checks"));
    }

    #[test]
    fn the_format_follows_the_file_name() {
        use std::path::Path;
        assert_eq!(Format::for_path(Path::new("a/b.HTML")), Format::Html);
        assert_eq!(Format::for_path(Path::new("b.md")), Format::Markdown);
        assert_eq!(Format::for_path(Path::new("report")), Format::Markdown);
    }

    #[test]
    fn the_notice_tells_users_how_to_sign_in_afterwards() {
        let n = notice(&subject(), &blocked(), Format::Markdown);
        assert!(n.contains("work account in Fabrikam (fabrikam.com)"), "{n}");
        assert!(!n.contains("afade585"), "no ids in a text for users: {n}");
        let mut s = subject();
        s.operation = Operation::Disconnect;
        let n = notice(&s, &blocked(), Format::Markdown);
        assert!(n.contains("personal Microsoft account"), "{n}");
    }
}
