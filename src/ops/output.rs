//! How `ado-entra check` prints: a table for people (colour and symbols, plain
//! under `NO_COLOR` or when not a terminal) and a stable JSON document for scripts.

use serde_json::{Value, json};

use crate::domain::checks::{CheckResult, PredictedUser, Prediction, Status};
use crate::domain::text::{plural, printable_lines};

/// The `--json` document: `{org, tenant, checks[], predicted{keep, disconnected, locked_out}}`.
pub fn check_json(
    org: &str,
    tenant: Option<&str>,
    results: &[CheckResult],
    prediction: &Prediction,
) -> Value {
    let person = |u: &PredictedUser| {
        json!({
            "descriptor": u.descriptor,
            "display_name": u.display_name,
            "email": u.email,
            "roles": u.roles,
            "maps_to": u.maps_to,
            "reason": u.reason,
        })
    };
    let list = |v: &[PredictedUser]| Value::Array(v.iter().map(person).collect());
    json!({
        "org": org,
        "tenant": tenant,
        "checks": results.iter().map(|r| json!({
            "id": r.id,
            "status": r.status,
            "title": r.title,
            "evidence": r.evidence,
            "fix": r.fix,
        })).collect::<Vec<_>>(),
        "predicted": {
            "keep": list(&prediction.keep),
            "disconnected": list(&prediction.disconnected),
            "locked_out": list(&prediction.locked_out),
            "unverified": list(&prediction.unverified),
        },
        "verdict": crate::domain::checks::verdict(results),
    })
}

fn symbol(s: Status) -> &'static str {
    match s {
        Status::Pass => "✔",
        Status::Warn => "!",
        Status::Fail => "✘",
        Status::Skip => "-",
    }
}

fn paint(s: Status, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match s {
        Status::Pass => "32",
        Status::Warn => "33",
        Status::Fail => "1;31",
        Status::Skip => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The human table. `color` is false under NO_COLOR or when stdout is not a terminal.
pub fn check_table(
    org: &str,
    tenant: Option<&str>,
    results: &[CheckResult],
    prediction: &Prediction,
    color: bool,
) -> String {
    // Every text from Azure (titles and evidence name users and directories)
    // goes through the one sanitiser before the colours are added.
    let clean = |s: &str| printable_lines(s).into_owned();
    let mut out = format!(
        "Prerequisites for organization '{}'{}\n\n",
        clean(org),
        tenant
            .map(|t| format!(" -> directory {}", clean(t)))
            .unwrap_or_default()
    );
    let label_width = results
        .iter()
        .map(|r| r.status_label().len())
        .max()
        .unwrap_or(4);
    for r in results {
        let tag = format!("{} {:<label_width$}", symbol(r.status), r.status_label());
        out.push_str(&format!(
            "{}  {}\n",
            paint(r.status, &tag, color),
            clean(&r.title)
        ));
        if r.status != Status::Pass && r.status != Status::Skip {
            const SHOWN: usize = 8;
            for e in r.evidence.iter().take(SHOWN) {
                out.push_str(&format!("      {}\n", clean(e)));
            }
            if r.evidence.len() > SHOWN {
                out.push_str(&format!(
                    "      ... and {} more (--json lists all)\n",
                    r.evidence.len() - SHOWN
                ));
            }
            if let Some(fix) = &r.fix {
                out.push_str(&format!("      fix: {}\n", clean(fix)));
            }
        }
    }
    let verdict = crate::domain::checks::verdict(results);
    let failed = results.iter().filter(|r| r.status == Status::Fail).count();
    let unproven = verdict.failures.len() - failed;
    let warnings = verdict.warnings.len();
    out.push_str(&format!(
        "\nAfter the change: {} keep access, {} disconnected, {} locked out{}.\n",
        prediction.keep.len(),
        prediction.disconnected.len(),
        prediction.locked_out.len(),
        if prediction.unverified.is_empty() {
            String::new()
        } else {
            format!(", {} could not be judged", prediction.unverified.len())
        }
    ));
    for u in &prediction.locked_out {
        out.push_str(&paint(
            Status::Fail,
            &clean(&format!(
                "  LOCKED OUT: {} ({})\n",
                u.email.clone().unwrap_or_else(|| u.display_name.clone()),
                u.reason
            )),
            color,
        ));
    }
    out.push_str(&match (failed, unproven) {
        (0, 0) => format!("\nNo check failed ({}).\n", plural(warnings, "warning", "warnings")),
        (f, 0) => format!(
            "\n{} failed, {}: fix the failures before changing anything.\n",
            plural(f, "check", "checks"),
            plural(warnings, "warning", "warnings")
        ),
        (f, u) => format!(
            "\n{} failed and {u} could not be proven ({}), {}: nothing may change until the owner's access is proven.\n",
            plural(f, "check", "checks"),
            verdict.failures[f..].join(", "),
            plural(warnings, "warning", "warnings")
        ),
    });
    out
}

trait StatusLabel {
    fn status_label(&self) -> &'static str;
}
impl StatusLabel for CheckResult {
    fn status_label(&self) -> &'static str {
        match self.status {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::Role;

    fn results() -> Vec<CheckResult> {
        vec![
            CheckResult {
                id: "caller-is-admin",
                status: Status::Pass,
                title: "You are the owner".into(),
                evidence: vec!["hidden when passing".into()],
                fix: None,
            },
            CheckResult {
                id: "lockout-proof",
                status: Status::Fail,
                title: "The owner would be locked out".into(),
                evidence: vec!["owner@outlook.com maps to no member UPN".into()],
                fix: Some("add the owner as a member".into()),
            },
        ]
    }

    fn prediction() -> Prediction {
        Prediction {
            locked_out: vec![PredictedUser {
                descriptor: Some("msa.1".into()),
                display_name: "Owner".into(),
                email: Some("owner@outlook.com".into()),
                roles: vec![Role::Owner],
                maps_to: None,
                reason: "no member UPN".into(),
            }],
            ..Prediction::default()
        }
    }

    #[test]
    fn json_has_the_documented_shape() {
        let v = check_json("fab", Some("t1"), &results(), &prediction());
        assert_eq!(v["org"], "fab");
        assert_eq!(v["tenant"], "t1");
        assert_eq!(v["checks"][1]["id"], "lockout-proof");
        assert_eq!(v["checks"][1]["status"], "fail");
        assert_eq!(v["checks"][1]["fix"], "add the owner as a member");
        assert_eq!(
            v["predicted"]["locked_out"][0]["email"],
            "owner@outlook.com"
        );
        assert_eq!(v["predicted"]["locked_out"][0]["roles"][0], "owner");
        assert!(v["predicted"]["keep"].as_array().unwrap().is_empty());
    }

    #[test]
    fn table_is_plain_without_colour_and_shows_failures_with_fixes() {
        let t = check_table("fab", None, &results(), &prediction(), false);
        assert!(!t.contains('\x1b'), "{t}");
        assert!(t.contains("✘ FAIL  The owner would be locked out"), "{t}");
        assert!(t.contains("fix: add the owner as a member"), "{t}");
        assert!(!t.contains("hidden when passing"), "{t}");
        assert!(t.contains("LOCKED OUT: owner@outlook.com"), "{t}");
        assert!(t.contains("1 check failed"), "{t}");
        let c = check_table("fab", None, &results(), &prediction(), true);
        assert!(c.contains("\x1b[1;31m"), "{c}");
    }
}
