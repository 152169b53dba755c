//! Input refused before anything runs: usage errors, no terminal for the
//! wizard, a PAT on the command line.

use super::{bin, without_terminal};

#[test]
fn usage_errors_exit_2() {
    let out = bin().arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["demo", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn wizard_without_a_terminal_says_so() {
    let (code, err) = without_terminal(&["wizard"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("interactive terminal"), "{err}");
}

#[test]
fn a_pat_on_the_command_line_is_refused_with_the_safe_ways() {
    let out = bin()
        .args([
            "login",
            "--pat",
            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AZURE_DEVOPS_EXT_PAT") && err.contains("--pat-stdin"),
        "{err}"
    );
    assert!(
        !err.contains("abcdefghijklmnop"),
        "the refused PAT is not echoed: {err}"
    );
}

/// With `--json`, every command prints one JSON document on stdout when it
/// fails, whatever failed: not signed in, Azure unreachable, bad input, or
/// a command line clap refused. Nothing but that document is on stdout.
#[test]
fn every_command_with_json_prints_a_json_error_on_stdout() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["check", "--org", "fabrikam", "--to", "contoso.com"],
        &["check", "--org", "bad org!", "--to", "contoso.com"],
        &["check", "--org", "fabrikam", "--no-such-flag"],
        &[
            "connect",
            "--org",
            "fabrikam",
            "--to",
            "contoso.com",
            "--yes",
        ],
        &[
            "change-tenant",
            "--org",
            "fabrikam",
            "--to",
            "contoso.com",
            "--yes",
        ],
        &["disconnect", "--org", "fabrikam", "--yes"],
        &["verify", "--org", "fabrikam"],
        &["resolve", "--org", "fabrikam"],
        &[
            "resolve",
            "--org",
            "fabrikam",
            "--import",
            "/nonexistent/plan.csv",
        ],
        &["recover", "--org", "fabrikam"],
        &["orgs", "--check", "--to", "contoso.com"],
        &["audit", "--org", "fabrikam"],
        &["journal", "discard", "--org", "bad org!"],
        &["explain"],
        &["explain", "zzz-no-entry-matches-this"],
        &["login", "--pat-stdin"],
        &["whoami"],
    ];
    for args in cases {
        let out = bin()
            .args(*args)
            .arg("--json")
            .env("ADO_ENTRA_HOME", home.path())
            .env("ADO_ENTRA_EMULATOR_URL", "http://127.0.0.1:9")
            .env_remove("AZURE_DEVOPS_EXT_PAT")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} --json: stdout is not one JSON document ({e}): {stdout:?}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let code = out.status.code().unwrap_or(-1);
        assert_ne!(code, 0, "{args:?} should fail here: {v}");
        assert_eq!(
            v["error"]["code"].as_i64(),
            Some(code as i64),
            "{args:?}: the document names the exit code: {v}"
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{args:?}: {v}"
        );
    }
}
