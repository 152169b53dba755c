//! `ado-entra check` after `login`, on every scenario.

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
        // As the check's fix says, the owner also signs in to the
        // destination as their account there; an owner without one (the
        // lockout scenarios) cannot, and the check reads what it can.
        let _ = bin()
            .args(["login", "--directory", &tenant, "--device-code"])
            .env("ADO_ENTRA_HOME", &h)
            .env("ADO_ENTRA_EMULATOR_URL", &base)
            .output()
            .unwrap();
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

/// `check --report` writes the change-approval report a board signs off:
/// the verdict, every check with its fix, the lockout table naming the
/// owner, the plan, who prepared it; HTML when the file ends in .html; and
/// `--notice` the text for users, from the same data.
#[tokio::test(flavor = "multi_thread")]
async fn check_writes_the_change_approval_report_and_the_user_notice() {
    let env = support::CliEnv::start(EmulatorConfig::scenario("lockout"), None).await;
    let tenant = env.tenant();
    let md = env.file("approval.md");
    let html = env.file("approval.html");
    let notice = env.file("notice.md");
    let out = env
        .run(&[
            "check",
            "--org",
            &env.org,
            "--to",
            &tenant,
            "--report",
            md.to_str().unwrap(),
            "--notice",
            notice.to_str().unwrap(),
        ])
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("Wrote the change-approval report to"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Change approval: connect"), "{text}");
    assert!(text.contains("Blocked:"), "{text}");
    assert!(text.contains("## Who keeps access (the lockout proof)"));
    assert!(
        text.contains("LOCKED OUT"),
        "the owner's lockout is in the table: {text}"
    );
    assert!(text.contains("Fix: "), "every failed check says its fix");
    assert!(text.contains(&format!("ado-entra check --org {} --to {tenant}", env.org)));
    let n = std::fs::read_to_string(&notice).unwrap();
    assert!(n.contains("sign in to https://dev.azure.com/"), "{n}");

    // HTML, and the same verdict as --json gives.
    let out = env
        .run(&[
            "check",
            "--org",
            &env.org,
            "--to",
            &tenant,
            "--json",
            "--report",
            html.to_str().unwrap(),
        ])
        .await;
    let v: Value = serde_json::from_slice(&out.stdout).expect("--json stays valid JSON");
    assert_eq!(v["verdict"]["can_proceed"], false, "{v}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("<table>"),
        "{page}"
    );
    for c in v["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert!(page.contains(id), "check {id} is in the report");
    }
    env.emu.shutdown().await;
}
