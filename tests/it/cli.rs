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

/// Run `args` with no terminal and a fresh home: (exit code, stderr).
fn without_terminal(args: &[&str]) -> (Option<i32>, String) {
    let home = tempfile::tempdir().unwrap();
    let out = bin()
        .args(args)
        .env("ADO_ENTRA_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn wizard_without_a_terminal_says_so() {
    let (code, err) = without_terminal(&["wizard"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("interactive terminal"), "{err}");
}

#[test]
fn demo_shows_the_environment_and_quits_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(120, 40, home.path(), &[], &["demo"]) else {
        return;
    };
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
    let screen = t.wait_for("What do you want to do?");
    assert!(screen.contains("contoso-generated"), "{screen}");
    assert!(screen.contains("demo: generated-150-300-1"), "{screen}");
    assert!(screen.contains(&base), "{screen}");
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
    assert_eq!(t.wait_exit(), 0);
    assert!(!t.screen().contains("Connect"));
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
    assert_eq!(t.wait_exit(), 0);
    assert!(
        !t.screen().contains("too small"),
        "the alternate screen was left"
    );
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

mod check {
    use super::bin;
    use crate::support;
    use ado_entra::emulator::EmulatorConfig;
    use serde_json::Value;

    /// Sign in through `ado-entra login` against an emulator that approves as the
    /// scenario's owner, then run `ado-entra check --json`.
    async fn check(scenario: &str) -> (i32, Value, ado_entra::emulator::Emulator) {
        let emu = support::start_with(EmulatorConfig {
            auto_approve_default: true,
            ..EmulatorConfig::scenario(scenario)
        })
        .await;
        let home = tempfile::tempdir().unwrap();
        let base = emu.base_url().to_string();
        let org = emu.summary().org.clone();
        let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
        let h = home.path().to_path_buf();
        let out = tokio::task::spawn_blocking(move || {
            let login = bin()
                .args(["login", "--device-code", "--json"])
                .env("ADO_ENTRA_HOME", &h)
                .env("ADO_ENTRA_EMULATOR_URL", &base)
                .output()
                .unwrap();
            assert!(
                login.status.success(),
                "login: {}",
                String::from_utf8_lossy(&login.stderr)
            );
            bin()
                .args(["check", "--org", &org, "--tenant", &tenant, "--json"])
                .env("ADO_ENTRA_HOME", &h)
                .env("ADO_ENTRA_EMULATOR_URL", &base)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap_or(-1), json, emu)
    }

    fn status<'a>(v: &'a Value, id: &str) -> &'a str {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}"))["status"]
            .as_str()
            .unwrap()
    }

    fn failures(v: &Value) -> Vec<String> {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "fail")
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn ready_passes_with_everyone_kept() {
        let (code, v, emu) = check("ready").await;
        assert_eq!(code, 0, "{v}");
        assert!(failures(&v).is_empty(), "{v}");
        assert_eq!(v["org"], "fabrikam-ready");
        assert_eq!(v["predicted"]["keep"].as_array().unwrap().len(), 3);
        assert!(v["predicted"]["locked_out"].as_array().unwrap().is_empty());
        for id in [
            "caller-is-admin",
            "caller-is-member-of-destination",
            "user-limit",
            "lockout-proof",
            "email-comparison",
        ] {
            assert_eq!(status(&v, id), "pass", "{id}");
        }
        // Checks change nothing.
        let st = support::state(&emu).await;
        assert!(st["org"]["tenant"].is_null());
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn lockout_fails_the_lockout_proof_naming_the_owner() {
        let (code, v, emu) = check("lockout").await;
        assert_eq!(code, 3);
        assert_eq!(failures(&v), vec!["lockout-proof"]);
        let locked = v["predicted"]["locked_out"].as_array().unwrap();
        assert_eq!(locked.len(), 1);
        assert_eq!(locked[0]["email"], "alice@outlook.com");
        let proof = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "lockout-proof")
            .unwrap();
        assert!(
            proof["evidence"][0]
                .as_str()
                .unwrap()
                .contains("alice@outlook.com")
        );
        assert!(
            proof["fix"]
                .as_str()
                .unwrap()
                .contains("transfer organization ownership")
        );
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn guest_admin_fails_the_membership_check() {
        let (code, v, emu) = check("guest-admin").await;
        assert_eq!(code, 3);
        assert_eq!(status(&v, "caller-is-member-of-destination"), "fail");
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn over_100_warns_about_the_portal_resolve_limit_and_may_connect() {
        let (code, v, emu) = check("over-100").await;
        assert_eq!(status(&v, "user-limit"), "warn");
        assert_eq!(status(&v, "lockout-proof"), "pass");
        assert!(failures(&v).is_empty(), "{v}");
        assert_eq!(code, 0, "a warning does not refuse: {v}");
        let limit = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "user-limit")
            .unwrap()
            .to_string();
        assert!(limit.contains("ado-entra resolve"), "{limit}");
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn messy_raises_each_warning_with_the_right_users() {
        let (code, v, emu) = check("messy").await;
        let text = v.to_string();
        assert_eq!(status(&v, "stale-users"), "warn");
        assert!(text.contains("gina@fabrikam.com"), "stale user named");
        assert_eq!(status(&v, "no-destination-users-preadded"), "fail");
        assert!(text.contains("hank@fabrikam.com"));
        assert_eq!(status(&v, "guest-access-policy"), "warn");
        assert_eq!(status(&v, "service-connections"), "warn");
        assert!(text.contains("prod-azure") && text.contains("legacy-subscription"));
        assert!(
            !v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == "service-connections")
                .unwrap()
                .to_string()
                .contains("analytics"),
            "a connection already in the destination is fine"
        );
        assert_eq!(status(&v, "global-pats"), "warn");
        assert_eq!(status(&v, "email-comparison"), "warn");
        assert!(text.contains("carl.personal@outlook.com") && text.contains("frank@gmail.com"));
        assert_eq!(
            code, 3,
            "a destination user added beforehand blocks the connect"
        );
        emu.shutdown().await;
    }

    #[test]
    fn bad_org_names_are_refused_before_any_request() {
        let out = bin()
            .args([
                "check",
                "--org",
                "bad org!",
                "--tenant",
                "contoso.onmicrosoft.com",
            ])
            .env("ADO_ENTRA_EMULATOR_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "bad input is a usage error");
        assert!(String::from_utf8_lossy(&out.stderr).contains("organization name"));
    }
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
    let done = connect_ready(&t);
    assert!(done.contains("projects: 1 reachable"), "{done}");
    assert!(done.contains("Connected 'fabrikam-ready'"), "{done}");
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
    let screen = t.wait_for("Audit (a re-runs it)");
    assert!(screen.contains("personal access token"), "{screen}");
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
    t.keys(&["j", "j", "j", "Enter"]); // Resolve disconnected users
    // The owner's personal account lists no organization: the name is prefilled.
    t.wait_for("dev.azure.com/fabrikam-resolve");
    t.keys(&["Enter"]);
    // A frame may be captured half drawn: wait for each line itself.
    t.wait_for("Disconnected users 1/8");
    t.wait_for("mapped 0 · to invite 0 · skipped 0 · left 8");
    t.wait_for("carl@fabrikam.com");
    t.keys(&["A"]); // Mia's exact mail match
    t.wait_for("Accepted 1 exact match(es).");
    t.keys(&["a"]); // Carl, other mail
    t.keys(&["j", "j", "i"]); // Frank: invite
    t.wait_for("mapped 2 · to invite 1 · skipped 0 · left 5");
    t.keys(&["p"]);
    t.wait_for("to apply (journaled)");
    t.keys(&["y"]);
    t.wait_for("3 mapped (1 invited as guests first)");
    t.wait_for("Journal:");
    t.keys(&["u"]); // review who is left: the three are gone
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
    t.keys(&["j", "Enter"]); // Change the organization's Entra directory
    t.wait_for("dev.azure.com/fabrikam-resolve");
    t.keys(&["Enter"]);
    t.wait_for("Move to which directory?");
    t.keys(&["j", "Enter"]); // Contoso
    t.wait_for("Prerequisites: ready");
    // A frame may be captured half drawn: wait for each line itself.
    t.wait_for("You belong to the current tenant");
    t.wait_for("Olga Owner <owner@fabrikam.com>     owner  keeps access");
    t.keys(&["Enter"]);
    let plan = t.wait_for("Plan: nothing has changed yet");
    assert!(plan.contains("SSH keys must have been cleared"), "{plan}");
    assert!(
        plan.contains("Entra groups of the old directory are removed"),
        "{plan}"
    );
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
    let screen = t.wait_for("Prerequisites: blocked");
    assert!(screen.contains("LOCKED OUT"), "{screen}");
    assert!(screen.contains("The owner would be locked out"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("A failed check blocks this step");
    assert!(screen.contains("Prerequisites"), "{screen}");
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

mod headless {
    use super::bin;
    use crate::support;
    use ado_entra::emulator::EmulatorConfig;
    use serde_json::Value;

    struct Env {
        emu: ado_entra::emulator::Emulator,
        home: tempfile::TempDir,
    }

    impl Env {
        async fn new(scenario: &str) -> Env {
            let emu = support::start_with(EmulatorConfig {
                auto_approve_default: true,
                ..EmulatorConfig::scenario(scenario)
            })
            .await;
            Env {
                emu,
                home: tempfile::tempdir().unwrap(),
            }
        }
        fn tenant(&self) -> String {
            self.emu.summary().tenants[0]["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
        /// `connect --org ORG --tenant T --yes`, then `extra` (say `--json`).
        async fn connect_yes(&self, org: &str, t: &str, extra: &[&str]) -> (i32, String, String) {
            let mut args = s(&["connect", "--org", org, "--tenant", t, "--yes"]);
            args.extend(s(extra));
            self.run(args).await
        }
        async fn run(&self, args: Vec<String>) -> (i32, String, String) {
            let home = self.home.path().to_path_buf();
            let base = self.emu.base_url().to_string();
            tokio::task::spawn_blocking(move || {
                let out = bin()
                    .args(&args)
                    .env("ADO_ENTRA_HOME", &home)
                    .env("ADO_ENTRA_EMULATOR_URL", &base)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                (
                    out.status.code().unwrap_or(-1),
                    String::from_utf8_lossy(&out.stdout).into_owned(),
                    String::from_utf8_lossy(&out.stderr).into_owned(),
                )
            })
            .await
            .unwrap()
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[tokio::test]
    async fn connect_then_verify_on_ready() {
        let env = Env::new("ready").await;
        let t = env.tenant();
        assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
        // Not interactive and no --yes: refuses, changes nothing.
        let (code, _, err) = env
            .run(s(&["connect", "--org", "fabrikam-ready", "--tenant", &t]))
            .await;
        assert_eq!(code, 2, "{err}");
        assert!(support::state(&env.emu).await["org"]["tenant"].is_null());
        let (code, out, err) = env.connect_yes("fabrikam-ready", &t, &["--json"]).await;
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(
            v["applied"]["journal"]
                .as_str()
                .unwrap()
                .ends_with(".jsonl")
        );
        assert_eq!(support::state(&env.emu).await["org"]["tenant"], t.as_str());
        // Connected now: checking or connecting again is nothing to do.
        let (code, out, err) = env
            .run(s(&["check", "--org", "fabrikam-ready", "--to", &t]))
            .await;
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("already connected"), "{out}");
        // The personal-account session is a wrong sign-in for it now: verify
        // says to sign in there, and nothing else.
        let (code, out, _) = env
            .run(s(&["verify", "--org", "fabrikam-ready", "--json"]))
            .await;
        assert_eq!(code, 3, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["state"], "wrong_sign_in", "{v}");
        let next = v["next_steps"].to_string();
        assert!(next.contains(&format!("login --tenant {t}")), "{next}");
        assert!(!next.to_lowercase().contains("disconnect"), "{next}");
        // Fresh sign-in at the new directory, then verify.
        assert_eq!(env.run(s(&["logout"])).await.0, 0);
        assert_eq!(
            env.run(s(&["login", "--device-code", "--json", "--tenant", &t]))
                .await
                .0,
            0
        );
        let (code, out, err) = env
            .run(s(&["verify", "--org", "fabrikam-ready", "--json"]))
            .await;
        assert_eq!(code, 0, "{out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ok"], true);
        env.emu.shutdown().await;
    }

    #[tokio::test]
    async fn connect_refuses_lockout_and_verify_diagnoses_an_existing_one() {
        let env = Env::new("lockout").await;
        let t = env.tenant();
        assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
        let (code, _, err) = env.connect_yes("contoso-lockout", &t, &[]).await;
        assert_eq!(code, 3);
        assert!(err.contains("The owner would be locked out"), "{err}");
        assert!(
            support::state(&env.emu).await["org"]["tenant"].is_null(),
            "nothing changed"
        );

        // Someone connected it by hand anyway (the seed-000 situation).
        let (tok, _) = support::sign_in(
            &env.emu,
            "alice@outlook.com",
            "organizations",
            support::ADO_SCOPE,
        )
        .await;
        let r = support::set_tenant(&env.emu, "contoso-lockout", &tok, &t).await;
        assert_eq!(r.status(), 200);
        assert_eq!(env.run(s(&["logout"])).await.0, 0);
        assert_eq!(
            env.run(s(&["login", "--device-code", "--json", "--tenant", &t]))
                .await
                .0,
            0
        );
        let (code, out, _) = env.run(s(&["verify", "--org", "contoso-lockout"])).await;
        assert_eq!(code, 3, "{out}");
        assert!(out.contains("The owner is locked out"), "{out}");
        assert!(out.contains("✔ profile: answers"), "{out}");
        assert!(out.contains("TF400813"), "{out}");
        assert!(out.contains("https://aex.dev.azure.com/me"), "{out}");
        env.emu.shutdown().await;
    }

    #[tokio::test]
    async fn audit_finds_exactly_the_planted_problems_in_messy() {
        let env = Env::new("messy").await;
        let t = env.tenant();
        assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
        let (code, out, err) = env
            .run(s(&[
                "audit",
                "--org",
                "fabrikam-messy",
                "--tenant",
                &t,
                "--json",
            ]))
            .await;
        assert_eq!(code, 3, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let finding = |id: &str| {
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == id)
                .unwrap()
                .clone()
        };
        let sc = finding("service-connections").to_string();
        assert!(
            sc.contains("prod-azure") && sc.contains("legacy-subscription"),
            "{sc}"
        );
        assert!(
            !sc.contains("analytics"),
            "bound to the destination already: {sc}"
        );
        let pats = finding("global-pats").to_string();
        assert!(
            pats.contains("everything (global)") && !pats.contains("release pipeline"),
            "{pats}"
        );
        assert_eq!(v["policies"]["disallow_aad_guest_user_access"], true);
        env.emu.shutdown().await;
    }

    #[tokio::test]
    async fn orgs_lists_what_is_connected_to_a_tenant() {
        let env = Env::new("ready").await;
        let t = env.tenant();
        assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
        let (code, out, err) = env.run(s(&["orgs", "--tenant", &t, "--json"])).await;
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["organizations"].as_array().unwrap().is_empty());
        let (code, _, err) = env.connect_yes("fabrikam-ready", &t, &[]).await;
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = env.run(s(&["orgs", "--tenant", &t, "--json"])).await;
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["organizations"][0]["name"], "fabrikam-ready");
        assert_eq!(v["organizations"][0]["owner"], "ann@fabrikam.com");
        env.emu.shutdown().await;
    }

    #[tokio::test]
    async fn an_interrupted_connect_resumes_in_its_journal_without_repeating() {
        use ado_entra::domain::journal::{JournalWriter, read};
        let env = Env::new("ready").await;
        let t = env.tenant();
        assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
        // A previous run wrote its intent and died before the call.
        let jdir = env.home.path().join("journal");
        let mut w = JournalWriter::create(
            &jdir,
            "connect",
            "fabrikam-ready",
            serde_json::json!({"to": t}),
            chrono::Utc::now(),
        )
        .unwrap();
        w.intent(
            "set-tenant",
            serde_json::json!({"tenant": t}),
            chrono::Utc::now(),
        )
        .unwrap();
        let path = w.path().to_path_buf();
        drop(w);
        let (code, out, err) = env.connect_yes("fabrikam-ready", &t, &["--json"]).await;
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["applied"]["journal"],
            path.display().to_string(),
            "the same journal was continued"
        );
        assert_eq!(std::fs::read_dir(&jdir).unwrap().count(), 1);
        let replay = read(&path).unwrap();
        assert!(replay.finished);
        assert!(replay.is_done("set-tenant"));
        let text = std::fs::read_to_string(&path).unwrap();
        // The in-doubt step was checked against the organization (not landed), then done once.
        assert!(text.contains("\"landed\":false"), "{text}");
        assert_eq!(text.matches("\"outcome\"").count(), 1, "{text}");
        assert_eq!(support::state(&env.emu).await["org"]["tenant"], t.as_str());
        env.emu.shutdown().await;
    }
}
