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
