//! How a fleet prints: the table for people, the JSON document for
//! scripts, and the change-approval report (Markdown) for the people who
//! sign the change off. Pure.

use serde_json::{Value, json};

use super::model::{FleetOrg, Verdict};
use crate::domain::checks::Status;

/// What the fleet was listed from and judged against, for headings.
#[derive(Debug, Clone, Default)]
pub struct Heading {
    /// "Organizations you belong to" or "Organizations connected to …".
    pub source: String,
    /// The destination's label, when readiness was judged.
    pub destination: Option<String>,
    /// Who is signed in.
    pub signed_in: Option<String>,
}

/// How many organizations have each verdict, and how many could not be read.
pub fn totals(orgs: &[FleetOrg]) -> Value {
    let count = |v: Verdict| {
        orgs.iter()
            .filter(|o| o.readiness.as_ref().is_some_and(|r| r.verdict == v))
            .count()
    };
    json!({
        "organizations": orgs.len(),
        "blocked": count(Verdict::Blocked),
        "warnings": count(Verdict::Warnings),
        "ready": count(Verdict::Ready),
        "nothing_to_do": count(Verdict::NothingToDo),
        "unreadable": orgs.iter().filter(|o| o.problem.is_some()).count(),
    })
}

/// The `--json` document.
pub fn json(h: &Heading, source: Value, orgs: &[FleetOrg]) -> Value {
    json!({
        "source": source,
        "destination": h.destination,
        "organizations": orgs,
        "totals": totals(orgs),
    })
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

fn paint(v: Verdict, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match v {
        Verdict::Blocked => "1;31",
        Verdict::Warnings => "33",
        Verdict::Ready => "32",
        Verdict::NothingToDo => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A cell cut to `w` characters (with an ellipsis), padded to `w`; the
/// wizard's fleet rows use it too.
pub fn cell(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s}{}", " ".repeat(w - n))
    } else {
        let cut: String = s.chars().take(w.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The table for people; `width` is the terminal's (lines are cut to it),
/// `None` when not a terminal.
pub fn table(h: &Heading, orgs: &[FleetOrg], color: bool, width: Option<usize>) -> String {
    let mut out = format!("{} ({})", h.source, orgs.len());
    if let Some(d) = &h.destination {
        out.push_str(&format!(", readiness for {d}"));
    }
    out.push_str("\n\n");
    if orgs.is_empty() {
        out.push_str("No organization.\n");
        return out;
    }
    let checked = orgs
        .iter()
        .any(|o| o.readiness.is_some() || o.problem.is_some());
    let backing = |o: &FleetOrg| o.backing.clone().unwrap_or_else(|| "?".into());
    let owner = |o: &FleetOrg| o.owner.clone().unwrap_or_else(|| "?".into());
    let users = |o: &FleetOrg| o.users.map_or("?".into(), |n| n.to_string());
    // A narrow terminal gets narrower backing and owner columns; the
    // verdict comes right after the name so cutting a line never hides it.
    let narrow = width.is_some_and(|w| w < 140);
    let wide = |f: &dyn Fn(&FleetOrg) -> String, head: &str, cap: usize| {
        orgs.iter()
            .map(|o| f(o).chars().count())
            .chain([head.len()])
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let (wn, wb, wo, wu) = (
        wide(
            &|o| o.name.clone(),
            "organization",
            if narrow { 24 } else { 32 },
        ),
        wide(&backing, "backing", if narrow { 14 } else { 28 }),
        wide(&owner, "owner", if narrow { 18 } else { 30 }),
        wide(&users, "users", 8),
    );
    let verdict_of = |o: &FleetOrg| -> (Option<Verdict>, String, String) {
        match (&o.problem, &o.readiness) {
            (Some(p), _) => (None, "unreadable".into(), p.message.clone()),
            (None, Some(r)) => (Some(r.verdict), r.verdict.word().into(), r.reason.clone()),
            (None, None) => (None, String::new(), String::new()),
        }
    };
    let mut head = cell("organization", wn);
    if checked {
        head.push_str(&format!("  {}", cell("readiness", 13)));
    }
    head.push_str(&format!(
        "  {:>wu$}  admin  {}  {}",
        "users",
        cell("backing", wb),
        cell("owner", wo)
    ));
    if checked {
        head.push_str("  reason");
    }
    let cut = |line: String| match width {
        Some(w) if line.chars().count() > w => {
            let mut s: String = line.chars().take(w.saturating_sub(1)).collect();
            s.push('…');
            s
        }
        _ => line,
    };
    out.push_str(cut(head).trim_end());
    out.push('\n');
    for o in orgs {
        let (verdict, word, reason) = verdict_of(o);
        let mut line = cell(&o.name, wn);
        if checked {
            line.push_str(&format!("  {}", cell(&word, 13)));
        }
        line.push_str(&format!(
            "  {:>wu$}  {:<5}  {}  {}",
            users(o),
            yes_no(o.admin),
            cell(&backing(o), wb),
            cell(&owner(o), wo)
        ));
        if checked {
            line.push_str(&format!("  {reason}"));
        }
        let line = cut(line);
        // Colour the verdict word only, in its column, after cutting
        // (escapes take no room).
        let line = match verdict {
            Some(v) if color && line.chars().count() >= wn + 2 + word.len() => {
                let at: usize = line.chars().take(wn + 2).map(char::len_utf8).sum();
                let (a, b) = line.split_at(at);
                format!("{a}{}{}", paint(v, &word, true), &b[word.len()..])
            }
            _ => line,
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if checked {
        let t = totals(orgs);
        out.push_str(&format!(
            "\n{} blocked, {} with warnings, {} ready, {} with nothing to do{}\n",
            t["blocked"],
            t["warnings"],
            t["ready"],
            t["nothing_to_do"],
            match t["unreadable"].as_u64() {
                Some(n) if n > 0 => format!(", {n} could not be read"),
                _ => String::new(),
            }
        ));
    }
    out
}

fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✔",
        Status::Warn => "!",
        Status::Fail => "✘",
        Status::Skip => "?",
    }
}

/// Markdown-safe text for a table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The change-approval report: who prepared it, the fleet at a glance,
/// then each organization's verdict, findings (evidence and fix), who
/// keeps access and the exact commands to run.
pub fn report(h: &Heading, orgs: &[FleetOrg], prepared: &str) -> String {
    let mut r = String::new();
    match &h.destination {
        Some(d) => r.push_str(&format!(
            "# Change approval: Azure DevOps organizations to Microsoft Entra directory {d}\n\n"
        )),
        None => r.push_str("# Azure DevOps organizations\n\n"),
    }
    r.push_str(&format!(
        "Prepared {prepared} with ado-entra {}{}. Read-only: nothing was changed.\n\n",
        env!("CARGO_PKG_VERSION"),
        h.signed_in
            .as_deref()
            .map(|s| format!(", signed in as {s}"))
            .unwrap_or_default()
    ));
    r.push_str(&format!("{} ({}).\n\n", h.source, orgs.len()));
    r.push_str(
        "| organization | backing | owner | users | you administer it | verdict | top reason |\n",
    );
    r.push_str("|---|---|---|---:|---|---|---|\n");
    for o in orgs {
        let (verdict, reason) = match (&o.problem, &o.readiness) {
            (Some(p), _) => ("could not be read".to_string(), p.message.clone()),
            (None, Some(x)) => (x.verdict.word().to_string(), x.reason.clone()),
            (None, None) => (String::new(), String::new()),
        };
        r.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md(&o.name),
            md(o.backing.as_deref().unwrap_or("?")),
            md(o.owner.as_deref().unwrap_or("?")),
            o.users.map_or("?".into(), |n| n.to_string()),
            yes_no(o.admin),
            verdict,
            md(&reason)
        ));
    }
    let t = totals(orgs);
    if h.destination.is_some() {
        r.push_str(&format!(
            "\nTotals: {} blocked, {} with warnings, {} ready, {} with nothing to do, {} could not be read.\n",
            t["blocked"], t["warnings"], t["ready"], t["nothing_to_do"], t["unreadable"]
        ));
    }
    for o in orgs {
        r.push_str(&format!("\n## {}\n\n", o.name));
        r.push_str(&format!(
            "- Backing: {}\n- Owner: {}\n- Users: {}\n- You administer it: {}\n",
            o.backing.as_deref().unwrap_or("unknown"),
            o.owner.as_deref().unwrap_or("unknown"),
            o.users.map_or("unknown".into(), |n| n.to_string()),
            yes_no(o.admin)
        ));
        if let Some(p) = &o.problem {
            r.push_str(&format!("- Could not be read: {}\n", p.message));
            if let Some(n) = &p.next_step {
                r.push_str(&format!("- Next: {n}\n"));
            }
            continue;
        }
        let Some(x) = &o.readiness else {
            continue;
        };
        r.push_str(&format!(
            "- Verdict: **{}** ({})\n",
            x.verdict.word(),
            x.reason
        ));
        if !x.checks.is_empty() {
            r.push_str(&format!(
                "- Access afterwards: {} keep it, {} disconnected until mapped or invited, {} locked out\n",
                x.keep, x.disconnected, x.locked_out
            ));
            let passed = x.checks.iter().filter(|c| c.status == Status::Pass).count();
            r.push_str(&format!(
                "- Checks: {passed} of {} passed\n",
                x.checks.len()
            ));
        }
        if !x.findings.is_empty() {
            r.push_str("\n### Findings\n\n");
            for f in &x.findings {
                r.push_str(&format!("- {} {}\n", status_mark(f.status), f.title));
                for e in f.evidence.iter().take(10) {
                    r.push_str(&format!("  - {e}\n"));
                }
                if f.evidence.len() > 10 {
                    r.push_str(&format!("  - … and {} more\n", f.evidence.len() - 10));
                }
                if let Some(fix) = &f.fix {
                    r.push_str(&format!("  - Fix: {fix}\n"));
                }
            }
        }
        if !x.next.is_empty() {
            r.push_str("\n### Next\n\n");
            for n in &x.next {
                r.push_str(&format!("    {n}\n"));
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::model::{Problem, Readiness};

    fn org(name: &str, verdict: Option<Verdict>) -> FleetOrg {
        FleetOrg {
            name: name.into(),
            backing: Some("personal accounts".into()),
            owner: Some(format!("owner@{name}.example")),
            users: Some(12),
            admin: Some(true),
            readiness: verdict.map(|v| Readiness {
                verdict: v,
                reason: format!("{name} reason"),
                checks: vec![],
                findings: vec![],
                keep: 1,
                disconnected: 2,
                locked_out: 0,
                next: vec![format!("ado-entra connect --org {name} --to T")],
            }),
            ..FleetOrg::default()
        }
    }

    #[test]
    fn the_table_lines_up_cuts_to_the_terminal_and_totals() {
        let mut bad = org("gone", None);
        bad.problem = Some(Problem::msg("TF400813: not authorized"));
        let orgs = vec![
            org("alpha", Some(Verdict::Ready)),
            org("beta-with-a-long-name", Some(Verdict::Blocked)),
            bad,
        ];
        let h = Heading {
            source: "Organizations you belong to".into(),
            destination: Some("Contoso".into()),
            signed_in: None,
        };
        let t = table(&h, &orgs, false, Some(80));
        assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
        assert!(
            t.contains("ready") && t.contains("blocked") && t.contains("unreadable"),
            "{t}"
        );
        assert!(t.contains("1 blocked, 0 with warnings, 1 ready"), "{t}");
        let colored = table(&h, &orgs, true, None);
        assert!(colored.contains("\x1b[1;31mblocked\x1b[0m"), "{colored}");
        let r = report(&h, &orgs, "2026-01-01 00:00 UTC");
        assert!(r.contains("| beta-with-a-long-name |"), "{r}");
        assert!(r.contains("ado-entra connect --org alpha --to T"), "{r}");
        assert!(r.contains("Could not be read: TF400813"), "{r}");
        assert_eq!(totals(&orgs)["unreadable"], 1);
    }
}
