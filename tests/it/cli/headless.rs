//! The headless commands end to end: connect, verify, audit, orgs, and a
//! connect resumed from its journal.

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
    // The owner's personal account reads the destination as their work
    // account there (`login --directory`), as the checks ask.
    assert_eq!(
        env.run(s(&["login", "--directory", &t, "--device-code"]))
            .await
            .0,
        0
    );
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

    // Someone connected it by hand anyway, as in the Microsoft Q&A thread
    // where the sole owner was locked out right after connecting.
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
            "--to",
            &t,
            "--json",
        ]))
        .await;
    // Everything planted is a warning to act on, nothing blocks: exit 0
    // (3 is kept for findings that block the change).
    let v: Value = serde_json::from_str(&out).unwrap();
    let statuses: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"warn"), "{v}");
    assert!(!statuses.contains(&"fail"), "{v}");
    assert_eq!(code, 0, "{err}");
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
    // The owner's personal account reads the destination as their work
    // account there (`login --directory`), as the checks ask.
    assert_eq!(
        env.run(s(&["login", "--directory", &t, "--device-code"]))
            .await
            .0,
        0
    );
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
    // The owner's personal account reads the destination as their work
    // account there (`login --directory`), as the checks ask.
    assert_eq!(
        env.run(s(&["login", "--directory", &t, "--device-code"]))
            .await
            .0,
        0
    );
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

#[tokio::test]
async fn an_owner_on_a_personal_account_reads_the_destination_through_a_directory_sign_in() {
    let env = Env::new("ready").await;
    let t = env.tenant();
    assert_eq!(env.run(s(&["login", "--device-code", "--json"])).await.0, 0);
    let check = s(&["check", "--org", "fabrikam-ready", "--to", &t, "--json"]);
    // The personal account has no object in Fabrikam: nothing there can be
    // read as it, so the owner's access is not proven and the check stops.
    let (code, out, err) = env.run(check.clone()).await;
    assert_eq!(code, 3, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["verdict"]["failures"],
        serde_json::json!(["lockout-proof"])
    );
    let proof = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "lockout-proof")
        .unwrap();
    assert_eq!(proof["status"], "warn");
    let fix = proof["fix"].as_str().unwrap();
    assert!(
        fix.contains(&format!("ado-entra login --directory {t}")),
        "{fix}"
    );
    // connect refuses on the same grounds and changes nothing.
    let (code, _, err) = env.connect_yes("fabrikam-ready", &t, &[]).await;
    assert_eq!(code, 3, "{err}");
    assert!(support::state(&env.emu).await["org"]["tenant"].is_null());
    // --directory is a person's interactive sign-in only.
    let (code, _, err) = env
        .run(s(&["login", "--directory", &t, "--azure-cli"]))
        .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--device-code or --browser"), "{err}");
    // Signed in to Fabrikam as the owner's work account there; the main
    // sign-in stays the personal account.
    let (code, out, err) = env
        .run(s(&["login", "--directory", "fabrikam.com", "--json"]))
        .await;
    assert_eq!(code, 0, "{err}");
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["result"]["directory"], t.as_str(), "{last}");
    let (_, out, _) = env.run(s(&["whoami", "--json"])).await;
    let who: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        who["tenant_id"], "9188040d-6c67-4c5b-b112-36a304b66dad",
        "still the personal account: {who}"
    );
    assert_eq!(who["directories"][0]["tenant_id"], t.as_str(), "{who}");
    assert_eq!(who["directories"][0]["upn"], "ann@fabrikam.com");
    let session = env.home.path().join(format!("tokens-{t}.json"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Now the destination is read as that account and the proof holds.
    let (code, out, err) = env.run(check).await;
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["predicted"]["keep"].as_array().unwrap().len(), 3, "{v}");
    let member = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "caller-is-member-of-destination")
        .unwrap();
    assert!(
        member["evidence"]
            .to_string()
            .contains("read as ann@fabrikam.com"),
        "{member}"
    );
    // logout forgets both.
    let (code, _, err) = env.run(s(&["logout"])).await;
    assert_eq!(code, 0);
    assert!(err.contains("1 directory session"), "{err}");
    assert!(!session.exists());
    env.emu.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_change_says_how_to_finish_and_exits_130() {
    let env = support::CliEnv::start(EmulatorConfig::scenario("ready"), None).await;
    let t = env.tenant();
    env.login_directory(&t).await;
    // Every answer now takes long enough to be interrupted mid-run.
    env.faults(&["stall:ms=5000"]).await;
    let total = |v: Value| v["total"].as_u64().unwrap_or(0);
    let seen = total(support::control(&env.emu, "stats").await);
    let mut connect = env.command(&["connect", "--org", &env.org, "--to", &t, "--yes", "--json"]);
    connect
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = support::Killed::spawn(&mut connect);
    // The command is under way once its requests reach Azure (and stall).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while total(support::control(&env.emu, "stats").await) <= seen + 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the connect never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-s", "INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let v: Value =
        serde_json::from_slice(&out.stdout).expect("--json is JSON even when interrupted");
    let next = v["error"]["next_step"].as_str().unwrap();
    assert!(
        next.contains(&format!("ado-entra connect --org {} --to {t}", env.org)),
        "{next}"
    );
}
