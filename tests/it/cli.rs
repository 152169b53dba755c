//! Integration tests: the binary as users and scripts meet it.

use std::process::Command;

use crate::tmux::Tmux;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ado-entra"))
}

#[test]
fn version_and_help() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let v = String::from_utf8(out.stdout).unwrap();
    assert_eq!(v.trim(), format!("ado-entra {}", env!("CARGO_PKG_VERSION")));

    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["demo", "wizard", "emulator"] {
        assert!(help.contains(cmd), "--help lacks {cmd}:\n{help}");
    }
    for sub in ["demo", "wizard", "emulator"] {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help failed");
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = bin().arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["demo", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn wizard_without_a_terminal_says_so() {
    let home = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("wizard")
        .env("ADO_ENTRA_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("interactive terminal"), "{err}");
}

#[test]
fn demo_shows_the_environment_and_quits_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(120, 40, home.path(), &[], &["demo"]);
    let screen = t.wait_for("What do you want to do?");
    assert!(screen.contains("demo: messy"), "{screen}");
    assert!(screen.contains("Organization"), "{screen}");
    assert!(screen.contains("Owner"), "{screen}");
    t.keys(&["?"]);
    t.wait_for("Help: Welcome");
    t.keys(&["Escape"]);
    // A terminal reads Esc followed at once by q as Alt-q: let the overlay close first.
    t.wait_gone("Help: Welcome");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    // The alternate screen is gone: the terminal shows the shell again, not the wizard.
    let after = t.screen();
    assert!(!after.contains("What do you want to do?"), "{after}");
    // Logs went to the state dir, not the screen.
    assert!(home.path().join("logs").is_dir());
}

#[test]
fn ctrl_c_restores_the_terminal_on_a_narrow_screen() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(
        40,
        12,
        home.path(),
        &[("NO_COLOR", "1")],
        &["demo", "--scenario", "ready"],
    );
    t.wait_for("Connect");
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(), 0);
    assert!(!t.screen().contains("Connect"));
}

#[test]
fn tiny_terminal_gets_a_notice_not_a_crash() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(30, 8, home.path(), &[], &["demo", "--scenario", "ready"]);
    t.wait_for("Terminal too small");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn explain_finds_entries_and_says_when_nothing_matches() {
    let out = bin()
        .args([
            "explain",
            "Only active members of the AAD tenant are allowed to perform the link.",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[only-active-members]"), "{text}");
    assert!(text.contains("What to do:"), "{text}");

    let out = bin()
        .args(["explain", "--json", "TF401444"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["match"]["id"], "TF401444");

    let out = bin().args(["explain", "all good here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--list"));

    let out = bin().args(["explain", "--markdown"]).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/troubleshooting.md"
    ))
    .unwrap();
    assert_eq!(md, doc);

    let out = bin().arg("explain").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no text is a usage error");
}

#[test]
fn completions_and_man_page_generate() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef ado-entra"),
        ("fish", "complete -c ado-entra"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} completions lack {marker:?}");
        assert!(
            text.contains("explain"),
            "{shell} completions lack subcommands"
        );
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH"),
        "{roff:.200}"
    );
    assert!(roff.contains("ado\\-entra"), "{roff:.400}");
}
