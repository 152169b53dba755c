//! The wizard in a real terminal (tmux), read off the screen as a person
//! would: the demo's scenarios walked end to end.

use super::{bin, without_terminal};
use crate::tmux::Tmux;

#[test]
fn demo_shows_the_environment_and_quits_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(120, 40, home.path(), &[], &["demo"]) else {
        return;
    };
    t.wait_for("What do you want to do?");
    t.wait_for("demo: messy");
    t.wait_for("Organization");
    t.wait_for("Owner");
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

/// `ado-entra emulator` serving in the background (a generated organization
/// here), then `demo --emulator-url` runs the wizard against it instead of
/// starting its own; an address where no emulator answers is said plainly.
#[test]
fn demo_runs_against_an_emulator_already_serving() {
    use std::io::BufRead;
    let (code, err) = without_terminal(&["demo", "--emulator-url", "http://127.0.0.1:9"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no ado-entra emulator answers at http://127.0.0.1:9")
            && err.contains("ado-entra emulator"),
        "{err}"
    );
    let mut emulator = crate::support::Killed::spawn(
        bin()
            .args([
                "emulator",
                "--users",
                "150",
                "--tenant-users",
                "300",
                "--auto-approve",
                "owner@contoso.example",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null()),
    );
    let mut first = String::new();
    std::io::BufReader::new(emulator.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let summary: serde_json::Value = serde_json::from_str(&first).unwrap();
    let base = summary["base_url"].as_str().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(
        120,
        40,
        home.path(),
        &[],
        &["demo", "--emulator-url", &base],
    ) else {
        return;
    };
    t.wait_for("What do you want to do?");
    t.wait_for("contoso-generated");
    t.wait_for("demo: generated-150-300-1");
    t.wait_for(&base);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn ctrl_c_restores_the_terminal_on_a_narrow_screen() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(
        40,
        12,
        home.path(),
        &[("NO_COLOR", "1")],
        &["demo", "--scenario", "ready"],
    ) else {
        return;
    };
    t.wait_for("Connect");
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(), 130, "Ctrl-C is an interrupt");
    assert!(!t.screen().contains("Connect"));
}

#[test]
fn signals_sent_to_the_wizard_restore_the_terminal() {
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let home = tempfile::tempdir().unwrap();
        let Some(t) = Tmux::start(80, 24, home.path(), &[], &["demo", "--scenario", "ready"])
        else {
            return;
        };
        t.wait_for("What do you want to do?");
        assert_eq!(t.pane("#{alternate_on}"), "1", "the wizard owns the screen");
        assert!(t.stty().contains("-icanon"), "raw mode while it runs");
        t.signal(signal);
        assert_eq!(t.wait_exit(), code, "SIG{signal}");
        assert_eq!(
            t.pane("#{alternate_on}"),
            "0",
            "SIG{signal}: alternate screen left"
        );
        assert_eq!(t.pane("#{cursor_flag}"), "1", "SIG{signal}: cursor shown");
        let stty = t.stty();
        assert!(
            stty.contains(" icanon") && stty.contains(" echo"),
            "SIG{signal}: raw mode off: {stty}"
        );
    }
}

#[test]
fn tiny_terminal_gets_a_notice_not_a_crash() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(20, 8, home.path(), &[], &["demo", "--scenario", "ready"]) else {
        return;
    };
    t.wait_for("too small");
    // Keys still work underneath: Ctrl-C leaves and restores the terminal.
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(), 130);
    assert!(
        !t.screen().contains("too small"),
        "the alternate screen was left"
    );
}

/// Walk the `ready` demo through a connect to the verified Done screen.
fn connect_ready(t: &Tmux) -> String {
    t.wait_for("What do you want to do?");
    t.keys(&["Enter"]); // Connect; the demo approves the sign-in as the owner
    t.wait_for("fabrikam-ready");
    t.wait_for("Organizations you belong to");
    t.keys(&["Enter"]);
    t.wait_for("Connect to which directory?");
    t.keys(&["Enter"]);
    // The owner's personal account cannot read Fabrikam: the owner's access
    // is not proven, and the wizard offers to sign in there to read it.
    t.wait_for("Prerequisites: blocked");
    t.wait_for("d sign in to the directory");
    t.keys(&["Enter"]);
    t.wait_for("cannot be proven without reading the directory");
    t.keys(&["d"]); // the demo approves as the owner's work account there
    t.wait_for("Prerequisites: ready");
    t.wait_for("keeps access");
    t.keys(&["Enter"]);
    t.wait_for("Plan: nothing has changed yet");
    t.keys(&["Enter"]);
    t.wait_for("Type fabrikam-ready to confirm");
    t.keys(&["-l", "fabrikam-ready"]);
    t.keys(&["Enter"]);
    t.wait_for("Verified as ann@fabrikam.com")
}

#[test]
fn demo_connects_and_verifies_ready_end_to_end() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(100, 32, home.path(), &[], &["demo", "--scenario", "ready"]) else {
        return;
    };
    connect_ready(&t);
    t.wait_for("projects: 1 reachable");
    t.wait_for("Connected 'fabrikam-ready'");
    // The journal recorded intent, outcome and the verified landing.
    let jdir = home.path().join("demo/journal");
    let entry = std::fs::read_dir(&jdir).unwrap().next().unwrap().unwrap();
    let journal = std::fs::read_to_string(entry.path()).unwrap();
    for kind in [
        "\"begin\"",
        "\"intent\"",
        "\"outcome\"",
        "\"verified\"",
        "\"end\"",
    ] {
        assert!(journal.contains(kind), "journal lacks {kind}:\n{journal}");
    }
    // The audit is reachable from Done.
    t.keys(&["a"]);
    t.wait_for("Audit (a re-runs it)");
    t.wait_for("personal access token");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn demo_resolves_disconnected_users_in_the_table() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(
        120,
        32,
        home.path(),
        &[],
        &["demo", "--scenario", "disconnected"],
    ) else {
        return;
    };
    t.wait_for("What do you want to do?");
    // The organization is connected already: Welcome says so and proposes Resolve.
    t.wait_for("Uses now Fabrikam");
    t.wait_for("Connect the organization to Microsoft Entra ID (already connected)");
    t.wait_for("▶ Resolve disconnected users");
    t.keys(&["Enter"]);
    // The owner's personal account lists no organization: the name is prefilled.
    t.wait_for("dev.azure.com/fabrikam-resolve");
    t.keys(&["Enter"]);
    // The organization uses Fabrikam, where the personal account cannot
    // sign in: the wizard says so and signs in there on s.
    t.wait_for("s sign in there");
    t.keys(&["s"]);
    // A frame may be captured half drawn: wait for each line itself.
    t.wait_for("Disconnected users 1/8");
    t.wait_for("mapped 0 · to invite 0 · skipped 0 · left 8");
    t.wait_for("carl@fabrikam.com");
    t.keys(&["A"]); // Mia's exact mail match
    t.wait_for("Accepted 1 exact match.");
    t.keys(&["a"]); // Carl, other mail
    t.keys(&["j", "j", "i"]); // Frank: invite
    t.wait_for("mapped 2 · to invite 1 · skipped 0 · left 5");
    t.keys(&["p"]);
    t.wait_for("Every call is journaled");
    t.wait_for("y apply · any other key back");
    t.keys(&["y"]);
    t.wait_for("3 mapped (1 invited as guests first)");
    t.wait_for("Journal:");
    t.keys(&["l"]); // review those left: the three are gone
    t.wait_for("Disconnected users 1/5");
    t.keys(&["Escape"]);
    t.wait_for("resolve disconnected users");
    t.wait_for("3 mapped");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn demo_changes_the_directory_then_resolves_against_the_new_one() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(
        120,
        40,
        home.path(),
        &[],
        &["demo", "--scenario", "disconnected"],
    ) else {
        return;
    };
    t.wait_for("What do you want to do?");
    t.wait_for("▶ Resolve disconnected users"); // proposed: it is connected
    t.keys(&["k", "k", "Enter"]); // Change the organization's Entra directory
    t.wait_for("dev.azure.com/fabrikam-resolve");
    t.keys(&["Enter"]);
    // Signed in with the owner's personal account, which Fabrikam (where
    // the organization is) refuses: sign in there, then list again.
    t.wait_for("s sign in there");
    t.keys(&["s"]);
    t.wait_for("Move to which directory?");
    t.keys(&["j", "Enter"]); // Contoso
    t.wait_for("Prerequisites: ready");
    // A frame may be captured half drawn: wait for each line itself.
    t.wait_for("You belong to the current tenant");
    t.wait_for("Olga Owner <owner@fabrikam.com>     owner  keeps access");
    t.keys(&["Enter"]);
    t.wait_for("Plan: nothing has changed yet");
    t.wait_for("SSH keys must have been cleared");
    t.wait_for("Entra groups of the old directory are removed");
    t.keys(&["Enter"]);
    t.wait_for("Type fabrikam-resolve to confirm");
    t.keys(&["-l", "fabrikam-resolve"]);
    t.keys(&["Enter"]);
    // Verified with a fresh sign-in, then straight into Resolve against Contoso.
    t.wait_for("Disconnected users 1/8");
    t.wait_for("carl@contoso.com");
    t.keys(&["Escape"]);
    t.wait_for("Verified as owner@fabrikam.com");
    t.wait_for("change tenant");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn demo_refuses_to_connect_lockout() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(80, 24, home.path(), &[], &["demo", "--scenario", "lockout"]) else {
        return;
    };
    t.wait_for("What do you want to do?");
    t.keys(&["Enter"]);
    t.wait_for("Organizations you belong to");
    t.keys(&["Enter"]);
    t.wait_for("Connect to which directory?");
    t.keys(&["Enter"]);
    t.wait_for("Prerequisites: blocked");
    t.wait_for("LOCKED OUT");
    t.wait_for("The owner would be locked out");
    t.keys(&["Enter"]);
    t.wait_for("A failed check blocks this step");
    t.wait_for("Prerequisites");
    // Nothing was changed: no journal was written.
    assert!(
        !home.path().join("demo/journal").exists()
            || std::fs::read_dir(home.path().join("demo/journal"))
                .unwrap()
                .next()
                .is_none()
    );
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn secrets_stay_out_of_trace_logs_and_the_screen() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(
        100,
        32,
        home.path(),
        &[("ADO_ENTRA_LOG", "trace")],
        &["demo", "--scenario", "ready"],
    ) else {
        return;
    };
    let screen = connect_ready(&t);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);

    let state = home.path().join("demo");
    let cache: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("tokens.json")).unwrap()).unwrap();
    // Every secret the cache holds (access and refresh tokens), and the
    // scenario's PAT.
    let mut secrets: Vec<String> = vec!["ready-ann-pat-0001".into()];
    for token in [
        &cache["ado"]["token"],
        &cache["graph"]["token"],
        &cache["refresh_token"],
    ] {
        secrets.push(token.as_str().expect("a token in the cache").to_string());
    }
    // The directory session the wizard signed in to read Fabrikam.
    let sessions: Vec<_> = files(&state)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tokens-"))
        })
        .collect();
    assert_eq!(sessions.len(), 1, "one directory session: {sessions:?}");
    let session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sessions[0]).unwrap()).unwrap();
    for token in [&session["graph"]["token"], &session["refresh_token"]] {
        secrets.push(token.as_str().expect("a token in the session").to_string());
    }
    assert!(
        secrets.iter().any(|s| s.starts_with("eyJ")),
        "the cache holds an access token to look for: {cache}"
    );
    let logs: Vec<std::path::PathBuf> = files(&home.path().join("logs"));
    assert!(!logs.is_empty(), "a log file was written");
    let mut log_text = String::new();
    for l in &logs {
        log_text.push_str(&String::from_utf8_lossy(&std::fs::read(l).unwrap()));
    }
    assert!(
        log_text.lines().count() > 20,
        "TRACE logging produced a real log:\n{log_text}"
    );
    for (what, text) in [("log", &log_text), ("screen", &screen)] {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret ({}…) appears in the {what}",
                &secret[..8]
            );
        }
        assert!(
            !text.contains("eyJ0eXAi") && !text.contains("eyJhbGci"),
            "something JWT-like appears in the {what}"
        );
    }
    // Files holding secrets or names of people are private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&state.join("tokens.json")), 0o600);
        let journals = files(&state.join("journal"));
        assert!(!journals.is_empty());
        for j in journals {
            assert_eq!(mode(&j), 0o600, "{}", j.display());
        }
    }
}
