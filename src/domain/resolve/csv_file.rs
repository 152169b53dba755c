//! The plan as a CSV file an admin can edit in a spreadsheet: the export
//! ([`to_csv`], cells defused against formulas) and the import
//! ([`parse_csv`]), which checks every row against the plan and the
//! directory and reports each problem with its line and column
//! ([`CsvProblem`], [`CsvErrors`]) before anything is applied, within
//! [`MAX_CSV_BYTES`] and [`MAX_PROBLEMS`].

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::{Decision, Directory, Plan};
use crate::domain::text::printable;
use crate::domain::validate::normalize_email;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 8] = [
    "descriptor",
    "msa_email",
    "display_name",
    "action",
    "target_upn",
    "target_object_id",
    "confidence",
    "reason",
];

/// Whether a spreadsheet would evaluate a cell starting with `c` (`=`, `+`,
/// `-`, `@`, tab, carriage return), or `c` is the quote [`defuse`] adds.
fn needs_quote(c: Option<char>) -> bool {
    matches!(c, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\''))
}

/// A cell a spreadsheet shows as text: one `'` before a value that would
/// otherwise be read as a formula (`=cmd|…@gmail.com`, `-frank@…`) or that
/// starts with `'` itself, so that [`undefuse`] gives back exactly the value.
/// (OWASP, "CSV Injection".)
fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_quote(s.chars().next()) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The value [`defuse`] was given: one leading `'` removed when what follows
/// it is what `defuse` quotes; anything else as it is.
fn undefuse(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_quote(rest.chars().next()) => rest,
        _ => s,
    }
}

/// The plan as CSV, one row per user. Undecided rows are written as `review`
/// with the best suggestion filled in: change `review` to `map` to accept it.
pub fn to_csv(plan: &Plan) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(CSV_COLUMNS);
    for r in &plan.rows {
        let (target_upn, target_id, evidence) = match &r.decision {
            Decision::Map {
                target_id,
                target_upn,
            } => (
                target_upn.clone(),
                target_id.clone(),
                r.suggestions
                    .iter()
                    .find(|s| &s.tenant_user_id == target_id),
            ),
            Decision::Undecided => match r.best() {
                Some(b) => (b.upn.clone(), b.tenant_user_id.clone(), Some(b)),
                None => (String::new(), String::new(), None),
            },
            _ => (String::new(), String::new(), None),
        };
        let (confidence, mut reason) = match (evidence, &r.decision) {
            (Some(s), _) => (
                s.confidence.word().to_string(),
                format!("{} ({})", s.why(), s.account_words()),
            ),
            (None, Decision::Map { .. }) => {
                ("manual".to_string(), "chosen by a reviewer".to_string())
            }
            (None, Decision::Invite { .. }) => (String::new(), "invite as a guest".to_string()),
            _ => (String::new(), String::new()),
        };
        if !r.flags.is_empty() {
            let flags: Vec<&str> = r.flags.iter().map(|f| f.describe()).collect();
            reason = format!("{reason} [{}]", flags.join("; "));
        }
        let email = match &r.decision {
            Decision::Invite { email } => email.clone(),
            _ => r.email.clone().unwrap_or_default(),
        };
        // Every cell defused; the columns only read by people are also
        // cleared of control and bidirectional characters.
        let _ = w.write_record(
            [
                defuse(&r.descriptor),
                defuse(&email),
                defuse(&printable(&r.display_name)),
                defuse(r.decision.action()),
                defuse(&target_upn),
                defuse(&target_id),
                defuse(&confidence),
                defuse(&printable(&reason)),
            ]
            .iter()
            .map(|c| c.as_bytes()),
        );
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One problem in an imported CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvProblem {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column concerned, when one is.
    pub column: Option<&'static str>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every problem found in an imported CSV; nothing was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct CsvErrors {
    /// The file, for the message.
    pub file: String,
    /// The problems (at most [`MAX_PROBLEMS`]; `more` counts the rest).
    pub problems: Vec<CsvProblem>,
    /// Problems not listed.
    pub more: usize,
}

/// How many problems are listed before the rest are only counted.
pub const MAX_PROBLEMS: usize = 100;

impl fmt::Display for CsvErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} has {}; nothing was applied:",
            self.file,
            crate::domain::text::plural(self.problems.len() + self.more, "problem", "problems")
        )?;
        for p in &self.problems {
            writeln!(f, "  {}:{p}", self.file)?;
        }
        if self.more > 0 {
            writeln!(f, "  ... and {} more", self.more)?;
        }
        Ok(())
    }
}

/// Files larger than this are refused before parsing.
pub const MAX_CSV_BYTES: usize = 64 * 1024 * 1024;

/// Read an edited plan: validates every row against `plan` (its users) and
/// `directory` (the connected directory's accounts), and returns the decisions
/// by row index, or every problem with its line number.
///
/// `taken` holds object ids that already stand for another user of the
/// organization (mapping to them would be refused by Azure DevOps).
pub fn parse_csv(
    file: &str,
    text: &[u8],
    plan: &Plan,
    directory: &Directory<'_>,
    taken: &HashSet<String>,
) -> Result<Vec<(usize, Decision)>, CsvErrors> {
    import_csv(file, text, plan, directory, taken).map(|i| i.decisions)
}

/// An edited plan read without errors: its decisions, and what is allowed
/// but deserves a second look (a mapping to a disabled account), by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The decisions by row index of the plan.
    pub decisions: Vec<(usize, Decision)>,
    /// Warnings, in file order.
    pub warnings: Vec<CsvProblem>,
}

/// [`parse_csv`], with the warnings.
pub fn import_csv(
    file: &str,
    text: &[u8],
    plan: &Plan,
    directory: &Directory<'_>,
    taken: &HashSet<String>,
) -> Result<Imported, CsvErrors> {
    let mut problems: Vec<CsvProblem> = Vec::new();
    let fail = |problems: Vec<CsvProblem>| {
        let more = problems.len().saturating_sub(MAX_PROBLEMS);
        let mut problems = problems;
        problems.truncate(MAX_PROBLEMS);
        CsvErrors {
            file: file.to_string(),
            problems,
            more,
        }
    };
    if text.len() > MAX_CSV_BYTES {
        return Err(fail(vec![CsvProblem {
            line: 1,
            column: None,
            message: format!(
                "the file is {} bytes; plans larger than {} MiB are refused",
                text.len(),
                MAX_CSV_BYTES / 1024 / 1024
            ),
        }]));
    }
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(fail(vec![CsvProblem {
                line: 1,
                column: None,
                message: format!("cannot read the header: {e}"),
            }]));
        }
    };
    let mut col: HashMap<&'static str, usize> = HashMap::new();
    for want in CSV_COLUMNS {
        match headers
            .iter()
            .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(want))
        {
            Some(i) => {
                col.insert(want, i);
            }
            None if matches!(
                want,
                "descriptor" | "action" | "target_upn" | "target_object_id" | "msa_email"
            ) =>
            {
                problems.push(CsvProblem {
                    line: 1,
                    column: Some(want),
                    message: format!(
                        "the header has no '{want}' column; the header must be: {}",
                        CSV_COLUMNS.join(",")
                    ),
                })
            }
            None => {}
        }
    }
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let mut seen_rows: HashMap<usize, u64> = HashMap::new();
    let mut seen_targets: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut record = csv::ByteRecord::new();
    // (byte offset, 1-based line at that offset)
    let mut counted: (usize, u64) = (0, 1);
    loop {
        let line = rdr.position().line();
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                problems.push(CsvProblem {
                    line,
                    column: None,
                    message: format!("cannot read this row: {e}"),
                });
                if problems.len() > MAX_PROBLEMS * 10 {
                    break;
                }
                continue;
            }
        }
        // The reader's own line count skips blank lines; count newlines up to
        // the record's first byte instead (incrementally, so this stays linear).
        let line = match record.position() {
            Some(p) => {
                let mut start = (p.byte() as usize).min(text.len());
                while start < text.len() && matches!(text[start], b'\r' | b'\n') {
                    start += 1;
                }
                if start >= counted.0 {
                    counted.1 += text[counted.0..start]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count() as u64;
                    counted.0 = start;
                }
                counted.1
            }
            None => line,
        };
        let field = |name: &'static str, problems: &mut Vec<CsvProblem>| -> Option<String> {
            let i = *col.get(name)?;
            let raw = record.get(i).unwrap_or(b"");
            match std::str::from_utf8(raw) {
                Ok(s) => Some(undefuse(s).trim().to_string()),
                Err(_) => {
                    problems.push(CsvProblem {
                        line,
                        column: Some(name),
                        message: "is not valid UTF-8 text; save the file as CSV UTF-8".into(),
                    });
                    None
                }
            }
        };
        let descriptor = field("descriptor", &mut problems).unwrap_or_default();
        let action = field("action", &mut problems)
            .unwrap_or_default()
            .to_lowercase();
        let email = field("msa_email", &mut problems).unwrap_or_default();
        let target_upn = field("target_upn", &mut problems).unwrap_or_default();
        let target_id = field("target_object_id", &mut problems).unwrap_or_default();
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // a blank line in the middle of a spreadsheet export
        }
        if record.len() < headers.len() {
            // Cut short (a line broken in an editor, a lost quote): which
            // column holds what cannot be trusted, so nothing of it is read.
            problems.push(CsvProblem {
                line,
                column: None,
                message: format!(
                    "the row has {} of the header's {} columns; every row needs them all (export a fresh plan to see the layout)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let mut bad = |column: Option<&'static str>, message: String| {
            problems.push(CsvProblem {
                line,
                column,
                message,
            })
        };
        let Some(row) = plan.position(&descriptor) else {
            if descriptor.is_empty() {
                bad(
                    Some("descriptor"),
                    "is empty; every row needs the user's descriptor".into(),
                );
            } else {
                bad(
                    Some("descriptor"),
                    format!(
                        "unknown user {descriptor:?}: not a disconnected user of {} (export a fresh plan)",
                        plan.org
                    ),
                );
            }
            continue;
        };
        if let Some(first) = seen_rows.insert(row, line) {
            bad(
                Some("descriptor"),
                format!("{descriptor} already appears on line {first}; one row per user"),
            );
            continue;
        }
        let decision = match action.as_str() {
            "map" => {
                let by_id = (!target_id.is_empty()).then(|| directory.by_id(&target_id));
                let by_upn = (!target_upn.is_empty()).then(|| directory.by_upn(&target_upn));
                let target = match (by_id, by_upn) {
                    (None, None) => {
                        bad(
                            Some("target_object_id"),
                            "action 'map' needs target_object_id or target_upn".into(),
                        );
                        continue;
                    }
                    (Some(None), _) => {
                        bad(
                            Some("target_object_id"),
                            format!(
                                "unknown target {target_id:?}: no account with this object id in the directory"
                            ),
                        );
                        continue;
                    }
                    (None, Some(None)) => {
                        bad(
                            Some("target_upn"),
                            format!(
                                "unknown target {target_upn:?}: no account with this UPN in the directory"
                            ),
                        );
                        continue;
                    }
                    (Some(Some(a)), Some(Some(b))) if a.id != b.id => {
                        bad(
                            Some("target_upn"),
                            format!(
                                "{target_upn} is not the account {target_id} ({}); fix one of the two",
                                a.user_principal_name
                            ),
                        );
                        continue;
                    }
                    (Some(Some(a)), _) => a,
                    (None, Some(Some(b))) => b,
                };
                if let Some(first) = seen_targets.insert(target.id.clone(), line) {
                    bad(
                        Some("target_object_id"),
                        format!(
                            "duplicate target {}: line {first} maps another user to it; one account can stand for one user only",
                            target.user_principal_name
                        ),
                    );
                    continue;
                }
                if taken.contains(&target.id.to_lowercase()) {
                    bad(
                        Some("target_object_id"),
                        format!(
                            "{} already has access as another user of {}; choose another account",
                            target.user_principal_name, plan.org
                        ),
                    );
                    continue;
                }
                if !target.account_enabled {
                    let r = &plan.rows[row];
                    warnings.push(CsvProblem {
                        line,
                        column: Some("target_object_id"),
                        message: format!(
                            "maps {} to {}, a disabled account: they cannot sign in with it until an administrator enables it",
                            r.display_name, target.user_principal_name
                        ),
                    });
                }
                Decision::Map {
                    target_id: target.id.clone(),
                    target_upn: target.user_principal_name.clone(),
                }
            }
            "invite" => match normalize_email(&email) {
                Ok(e) => Decision::Invite { email: e },
                Err(e) => {
                    bad(
                        Some("msa_email"),
                        format!("malformed email {email:?} for an invitation: {}", e.message),
                    );
                    continue;
                }
            },
            "skip" => Decision::Skip,
            "review" | "" => Decision::Undecided,
            other => {
                bad(
                    Some("action"),
                    format!("unknown action {other:?}; use map, invite, skip or review"),
                );
                continue;
            }
        };
        out.push((row, decision));
    }
    if problems.is_empty() {
        Ok(Imported {
            decisions: out,
            warnings,
        })
    } else {
        Err(fail(problems))
    }
}

impl Plan {
    /// Apply imported decisions (from [`parse_csv`]); rows not in the file
    /// keep their decision.
    pub fn apply_decisions(&mut self, decisions: Vec<(usize, Decision)>) {
        for (row, d) in decisions {
            if let Some(r) = self.rows.get_mut(row) {
                r.decision = d;
            }
        }
    }
}
