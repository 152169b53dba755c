//! `ado-entra recover` end to end against the emulator: the lockout
//! diagnosed from each sign-in, a wrong sign-in told to sign in again and
//! nothing else, each way back carried out to a verified owner sign-in, and
//! each wrong turn (no right to read the roles, the invitation not yet
//! accepted, the disconnect refused). Sign-ins are approved as a named
//! person through the emulator's control endpoint, as a person would on the
//! device-code page; no test sleeps: each waits on a state.

use std::process::{Output, Stdio};

use ado_entra::emulator::EmulatorConfig;
use serde_json::Value;

use crate::support::{self, CliEnv, Killed};

/// The binary against `cfg` with no automatic approval: every sign-in is
/// approved as the person the test names.
async fn env(cfg: EmulatorConfig) -> CliEnv {
    let emu = support::start_with(cfg).await;
    CliEnv {
        org: emu.summary().org.clone(),
        emu,
        home: tempfile::tempdir().unwrap(),
    }
}

/// [`env`], signed in as `who` at `tenant`.
async fn signed_in(cfg: EmulatorConfig, who: &str, tenant: &str) -> CliEnv {
    let e = env(cfg).await;
    login(&e, who, tenant).await;
    e
}

/// `locked-out`, signed in with the owner's personal account.
async fn alice_on_locked_out() -> CliEnv {
    signed_in(
        EmulatorConfig::scenario("locked-out"),
        "alice@outlook.com",
        "consumers",
    )
    .await
}

/// A built-in scenario with its `recovery` block changed by `edit`.
async fn variant(name: &str, edit: impl FnOnce(&mut Value)) -> CliEnv {
    let path = format!(
        "{}/assets/scenarios/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut v["recovery"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}-variant.json"));
    std::fs::write(&file, v.to_string()).unwrap();
    let e = env(EmulatorConfig::scenario(file.to_str().unwrap())).await;
    // The scenario is read at start; the file can go.
    drop(dir);
    e
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Start `args` (stdin closed, output captured).
fn spawn(env: &CliEnv, args: &[&str]) -> Killed {
    Killed::spawn(
        env.command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
}

/// Wait for the process to end by itself.
async fn finish(child: Killed) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
}

/// Wait for the process, which must succeed: its JSON.
async fn finish_ok(child: Killed) -> Value {
    let out = finish(child).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

/// Approve the next device code that shows up, as `who`.
async fn approve(env: &CliEnv, who: &str) {
    let base = env.emu.base_url().to_string();
    let code = {
        let mut found = None;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        while found.is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "no device code to approve as {who}"
            );
            let v = support::control(&env.emu, "device/pending").await;
            found = v["user_codes"][0].as_str().map(str::to_string);
            if found.is_none() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        found.unwrap()
    };
    let r = support::http()
        .post(format!("{base}/_emulator/device/approve"))
        .json(&serde_json::json!({"user_code": code, "upn": who}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `ado-entra login --device-code --tenant TENANT`, approved as `who`.
async fn login(env: &CliEnv, who: &str, tenant: &str) {
    let child = spawn(env, &["login", "--device-code", "--tenant", tenant]);
    approve(env, who).await;
    let out = finish(child).await;
    assert!(
        out.status.success(),
        "login as {who}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `recover --org ORG` with `extra`.
async fn recover(env: &CliEnv, extra: &[&str]) -> Output {
    let mut args = vec!["recover", "--org", &env.org];
    args.extend_from_slice(extra);
    env.run(&args).await
}

/// `recover --org ORG` with `extra`, started in the background.
fn recover_spawn(env: &CliEnv, extra: &[&str]) -> Killed {
    let mut args = vec!["recover", "--org", env.org.as_str()];
    args.extend_from_slice(extra);
    spawn(env, &args)
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["ways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["id"].as_str().unwrap().to_string(),
                w["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn way<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["ways"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap_or_else(|| panic!("no way {id} in {v}"))
}

async fn post_form(env: &CliEnv, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = support::http()
        .post(format!("{}{path}", env.emu.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Wait until a recovery journal records the outcome of `step`.
async fn journaled(env: &CliEnv, step: &str) {
    let dir = env.home.path().join("journal");
    let want = format!("\"step\":\"{step}\"");
    support::wait_until(&format!("the journal's outcome of {step}"), || {
        std::fs::read_dir(&dir).is_ok_and(|entries| {
            entries.filter_map(|e| e.ok()).any(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|t| {
                    t.lines()
                        .any(|l| l.contains("\"kind\":\"outcome\"") && l.contains(&want))
                })
            })
        })
    })
    .await;
}

#[tokio::test]
async fn the_lockout_is_diagnosed_from_the_owners_personal_account() {
    let env = alice_on_locked_out().await;
    let t = env.tenant();
    let out = recover(&env, &["--json"]).await;
    assert_eq!(out.status.code(), Some(3), "still locked out");
    let v = json(&out);
    assert_eq!(v["state"], "owner_locked_out", "{v}");
    assert_eq!(v["tenant"]["id"], t.as_str());
    assert_eq!(v["tenant"]["display_name"], "Contoso");
    assert!(
        v["tenant"]["domains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "contoso.com")
    );
    assert!(
        v["tenant"]["evidence"][0]
            .as_str()
            .unwrap()
            .contains("X-VSS-ResourceTenant")
    );
    assert_eq!(v["owner"]["address"], "alice@outlook.com");
    assert_eq!(v["owner"]["source"], "enterprise_catalog");
    assert!(v["org_id"].as_str().is_some_and(|s| !s.is_empty()));
    let me = &v["identities"][0];
    assert_eq!(me["kind"], "personal");
    assert_eq!(me["signed_in"]["state"], "wrong_sign_in");
    assert_eq!(me["in_directory"]["state"], "owner_locked_out");
    assert_eq!(me["in_tenant"]["status"], "member");
    assert_eq!(
        me["in_tenant"]["upn"],
        "alice_outlook.com#EXT#@contoso.onmicrosoft.com"
    );
    assert!(
        me["upn_note"].as_str().unwrap().contains("not an address"),
        "a guest's #EXT# UPN is not their address: {me}"
    );
    assert_eq!(me["is_owner"], true);
    // The lockout signature, with its evidence: the profile answers, the
    // organization refuses.
    let evidence: Vec<&str> = me["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(evidence.contains(&"✔ profile: answers"), "{evidence:?}");
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("✘ projects") && e.contains("TF400813")),
        "{evidence:?}"
    );
    let help = &v["who_can_help"];
    assert_eq!(help["azure_devops_administrators"]["status"], "read");
    assert_eq!(
        help["azure_devops_administrators"]["people"][0]["address"],
        "devops-admin@contoso.com"
    );
    assert_eq!(
        help["global_administrators"]["people"][0]["address"],
        "admin@contoso.com"
    );
    assert_eq!(
        help["project_collection_administrators"]["status"],
        "not_checked"
    );
    let want: Vec<(String, String)> = [
        ("sign-in", "not_applicable"),
        ("invite-owner", "not_needed"),
        ("back-door", "available"),
        ("claim-ownership", "needs_someone"),
        ("support", "available"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(statuses(&v), want);
    assert!(
        way(&v, "claim-ownership")["message"]
            .as_str()
            .unwrap()
            .contains("Hello Dana Devops")
    );
    // The same, for a person.
    let out = recover(&env, &[]).await;
    let t = text(&out);
    assert!(
        t.contains("The owner (alice@outlook.com) is locked out"),
        "{t}"
    );
    assert!(t.contains("Dana Devops <devops-admin@contoso.com>"), "{t}");
    assert!(
        t.contains("run: ado-entra recover --org contoso-lockout --way back-door"),
        "{t}"
    );
}

#[tokio::test]
async fn a_wrong_sign_in_is_told_to_sign_in_again_and_nothing_else() {
    let env = env(EmulatorConfig::scenario("disconnected")).await;
    let t = env.tenant();
    let contoso = env.emu.summary().tenants[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The owner's work account of Contoso, on an organization of Fabrikam
    // where the same person's Fabrikam account gets in.
    login(&env, "owner@fabrikam.com", &contoso).await;
    let out = recover(&env, &["--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["state"], "wrong_sign_in", "{v}");
    assert_eq!(v["identities"][0]["in_directory"]["state"], "works");
    assert_eq!(way(&v, "sign-in")["status"], "available");
    for w in v["ways"].as_array().unwrap().iter().skip(1) {
        assert_eq!(w["status"], "not_needed", "{w}");
    }
    let out = recover(&env, &[]).await;
    let said = text(&out);
    assert!(
        said.contains(&format!("ado-entra login --tenant {t}")),
        "{said}"
    );
    for never in ["back door", "Claim", "support", "disconnect", "Disconnect"] {
        assert!(
            !said.contains(never),
            "a wrong sign-in is told nothing else: {said}"
        );
    }
    // Way 1, carried out: a fresh sign-in where the organization lets the
    // person in, then verified.
    let child = recover_spawn(&env, &["--way", "sign-in", "--json"]);
    approve(&env, "owner@fabrikam.com").await;
    let v = finish_ok(child).await;
    assert_eq!(v["outcome"]["ok"], true);
    assert_eq!(v["outcome"]["verified"]["access"]["state"], "works");
    assert_eq!(v["state"], "works");
    // Nothing in the organization changed.
    assert_eq!(support::state(&env.emu).await["org"]["tenant"], t.as_str());
}

/// A work account on an organization of personal accounts is a wrong
/// sign-in too: told to sign in with the personal account, nothing else.
#[tokio::test]
async fn a_work_account_on_personal_accounts_is_told_to_sign_in_personally() {
    let env = env(EmulatorConfig::scenario("two-tenants")).await;
    let t = env.tenant();
    login(&env, "ann@fabrikam.com", &t).await;
    let v = json(&recover(&env, &["--json"]).await);
    assert_eq!(v["state"], "wrong_sign_in", "{v}");
    assert!(v["tenant"].is_null());
    let step = way(&v, "sign-in")["steps"][0].as_str().unwrap().to_string();
    assert!(
        step.contains("ado-entra login --tenant consumers"),
        "{step}"
    );
    let child = recover_spawn(&env, &["--way", "sign-in", "--json"]);
    approve(&env, "ann@fabrikam.com").await;
    let v = finish_ok(child).await;
    assert_eq!(v["state"], "works", "{v}");
}

/// Way 2 and its wrong turn: the owner's address is not in the directory;
/// her work account (a member) invites it; not accepted yet, it waits; the
/// owner's fresh sign-in accepts it and, once Azure DevOps sees the guest,
/// the organization lets her in.
#[tokio::test]
async fn the_owner_is_invited_and_verified_once_the_invitation_is_accepted() {
    let env = variant("locked-out-uninvited", |r| r["propagation_secs"] = 0.into()).await;
    let t = env.tenant();
    login(&env, "alice@outlook.com", "consumers").await;
    let v = json(&recover(&env, &["--json"]).await);
    assert_eq!(v["state"], "no_access", "the owner cannot be read yet: {v}");
    assert_eq!(v["identities"][0]["in_tenant"]["status"], "absent");
    login(&env, "alice@contoso.com", &t).await;
    let v = json(&recover(&env, &["--json"]).await);
    assert_eq!(v["state"], "owner_locked_out", "{v}");
    assert_eq!(
        v["identities"].as_array().unwrap().len(),
        2,
        "both sign-ins remembered"
    );
    assert_eq!(way(&v, "invite-owner")["status"], "available");
    // Without a terminal, a change needs --yes.
    let out = recover(&env, &["--way", "invite-owner"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(support::state(&env.emu).await["counters"]["invitations"], 0);
    let out = recover(&env, &["--way", "invite-owner", "--yes", "--json"]).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["outcome"]["status"], "waiting");
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("not accepted yet")
    );
    assert_eq!(v["invitation"]["accepted"], false);
    assert_eq!(way(&v, "invite-owner")["status"], "waiting");
    // Asked again: not sent twice.
    let out = recover(&env, &["--way", "invite-owner", "--yes", "--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let st = support::state(&env.emu).await;
    assert_eq!(
        st["counters"]["invitation_attempts"]["alice@outlook.com"],
        1
    );
    // The owner signs in afresh (accepting the invitation) and is verified.
    let child = recover_spawn(
        &env,
        &["--verify-owner", "--wait", "60", "--every", "1", "--json"],
    );
    approve(&env, "alice@outlook.com").await;
    let v = finish_ok(child).await;
    assert_eq!(v["outcome"]["ok"], true);
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("its owner"),
        "{v}"
    );
    assert_eq!(v["state"], "works");
    let st = support::state(&env.emu).await;
    assert_eq!(st["org"]["owner_user"]["active"], true);
    assert_eq!(st["org"]["owner_user"]["origin"], "aad");
    // Now her personal sign-in as it is is only a wrong sign-in: her guest
    // account of Contoso gets in.
    login(&env, "alice@outlook.com", "consumers").await;
    let v = json(&recover(&env, &["--json"]).await);
    assert_eq!(v["state"], "wrong_sign_in", "{v}");
    assert!(
        way(&v, "sign-in")["steps"][0]
            .as_str()
            .unwrap()
            .contains(&format!("ado-entra login --tenant {t}"))
    );
    // Journaled as a recovery step.
    let journals: Vec<_> = std::fs::read_dir(env.home.path().join("journal"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("recover"))
        .collect();
    assert_eq!(journals.len(), 1);
}

/// An accepted invitation that Azure DevOps has not seen yet: the owner's
/// fresh sign-in is still refused, and the answer says why and waits.
#[tokio::test]
async fn an_invitation_azure_devops_has_not_seen_yet_is_waited_for() {
    let env = variant("locked-out-uninvited", |r| {
        r["propagation_secs"] = 3600.into()
    })
    .await;
    let t = env.tenant();
    login(&env, "alice@contoso.com", &t).await;
    let out = recover(&env, &["--way", "invite-owner", "--yes"]).await;
    assert_eq!(out.status.code(), Some(3));
    let child = recover_spawn(&env, &["--verify-owner", "--json"]);
    approve(&env, "alice@outlook.com").await;
    let out = finish(child).await;
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["outcome"]["status"], "waiting", "{v}");
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("up to an hour")
    );
    assert_eq!(v["invitation"]["accepted"], true, "signing in accepted it");
}

/// Way 3 on the page: the API refuses the personal account, ado-entra
/// watches the organization while the owner disconnects it on the page,
/// then verifies her with a fresh sign-in.
#[tokio::test]
async fn the_back_door_page_disconnects_and_the_owner_is_verified() {
    let env = alice_on_locked_out().await;
    let child = recover_spawn(
        &env,
        &[
            "--way",
            "back-door",
            "--yes",
            "--wait",
            "300",
            "--every",
            "1",
            "--json",
        ],
    );
    // Once the API has refused (journaled), the owner uses the page.
    journaled(&env, "disconnect").await;
    let (status, page) = post_form(
        &env,
        "/aex/me/disconnect",
        &[("who", "alice@outlook.com"), ("org", "contoso-lockout")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    approve(&env, "alice@outlook.com").await;
    let out = finish(child).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("The API refused alice@outlook.com"), "{err}");
    assert!(err.contains("/aex/me"), "the page is named: {err}");
    let v = json(&out);
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("on the page"),
        "{v}"
    );
    assert_eq!(v["outcome"]["verified"]["access"]["state"], "works");
    assert!(
        v["outcome"]["next"][1]
            .as_str()
            .unwrap()
            .contains("ado-entra check")
    );
    let st = support::state(&env.emu).await;
    assert!(st["org"]["tenant"].is_null());
    assert_eq!(st["org"]["owner_user"]["active"], true);
}

#[tokio::test]
async fn the_back_door_api_disconnects_when_it_accepts_the_personal_account() {
    let env = variant("locked-out", |r| r["back_door"] = "api".into()).await;
    login(&env, "alice@outlook.com", "consumers").await;
    let child = recover_spawn(&env, &["--way", "back-door", "--yes", "--json"]);
    approve(&env, "alice@outlook.com").await;
    let v = finish_ok(child).await;
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("the API accepted"),
        "{v}"
    );
    assert_eq!(
        way(&v, "back-door")["status"],
        "done",
        "the way that worked: {v}"
    );
    let st = support::state(&env.emu).await;
    assert!(st["org"]["tenant"].is_null());
    assert_eq!(st["counters"]["tenant_change_attempts"], 1, "sent once");
}

/// The wrong turn of way 3: the page refuses too; the way is reported as
/// failed, the organization untouched, and the next ways are shown.
#[tokio::test]
async fn a_refused_disconnect_is_reported_and_the_next_ways_remain() {
    let env = variant("locked-out", |r| r["back_door"] = "refused".into()).await;
    login(&env, "alice@outlook.com", "consumers").await;
    let (status, page) = post_form(
        &env,
        "/aex/me/disconnect",
        &[("who", "alice@outlook.com"), ("org", "contoso-lockout")],
    )
    .await;
    assert_eq!(status, 403, "{page}");
    let out = recover(&env, &["--way", "back-door", "--yes", "--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["outcome"]["status"], "failed");
    assert!(
        v["outcome"]["summary"]
            .as_str()
            .unwrap()
            .contains("still connected"),
        "{v}"
    );
    let v = json(&recover(&env, &["--json"]).await);
    assert_eq!(way(&v, "back-door")["status"], "failed");
    assert_eq!(way(&v, "claim-ownership")["status"], "needs_someone");
    assert_eq!(way(&v, "support")["status"], "available");
    assert_eq!(v["tried"][0]["way"], "back-door");
    assert_eq!(
        support::state(&env.emu).await["org"]["tenant"],
        env.tenant().as_str()
    );
}

/// Way 4: the directory's Azure DevOps Administrator runs recover, is walked
/// through Claim Ownership, and is verified as the new owner; the locked-out
/// owner gets the message to send instead.
#[tokio::test]
async fn the_directorys_azure_devops_administrator_claims_ownership() {
    let env = alice_on_locked_out().await;
    let t = env.tenant();
    let out = recover(&env, &["--way", "claim-ownership", "--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["outcome"]["status"], "needs_someone");
    let file = v["outcome"]["file"].as_str().unwrap();
    let message = std::fs::read_to_string(file).unwrap();
    assert!(
        message.contains("Hello Dana Devops") && message.contains("Claim Ownership"),
        "{message}"
    );

    login(&env, "devops-admin@contoso.com", &t).await;
    let v = json(&recover(&env, &["--json"]).await);
    let me = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["current"] == true)
        .unwrap()
        .clone();
    assert_eq!(me["azure_devops_administrator"], true);
    assert_eq!(way(&v, "claim-ownership")["status"], "available");
    let child = recover_spawn(
        &env,
        &[
            "--way",
            "claim-ownership",
            "--wait",
            "300",
            "--every",
            "1",
            "--json",
        ],
    );
    let (status, page) = post_form(
        &env,
        "/dev/contoso-lockout/_claimownership",
        &[
            ("who", "devops-admin@contoso.com"),
            ("justification", "owner locked out"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    approve(&env, "devops-admin@contoso.com").await;
    let v = finish_ok(child).await;
    assert_eq!(v["outcome"]["ok"], true);
    assert!(
        v["outcome"]["next"][0]
            .as_str()
            .unwrap()
            .contains("ado-entra resolve")
    );
    let st = support::state(&env.emu).await;
    assert_eq!(
        st["org"]["owner_user"]["principal_name"],
        "devops-admin@contoso.com"
    );
}

/// The wrong turn of "who can help": an identity that may not read the
/// directory's roles says so, and claiming says where to look instead.
#[tokio::test]
async fn an_identity_that_may_not_read_the_roles_says_so() {
    let env = variant("locked-out", |r| r["restrict_role_reads"] = true.into()).await;
    login(&env, "alice@outlook.com", "consumers").await;
    let v = json(&recover(&env, &["--json"]).await);
    let ado = &v["who_can_help"]["azure_devops_administrators"];
    assert_eq!(ado["status"], "unreadable", "{v}");
    assert_eq!(ado["by"], "alice_outlook.com#EXT#@contoso.onmicrosoft.com");
    assert!(ado["reason"].as_str().unwrap().contains("403"), "{ado}");
    let claim = way(&v, "claim-ownership");
    assert_eq!(claim["status"], "needs_someone");
    assert!(
        claim["why"].as_str().unwrap().contains("may not read"),
        "{claim}"
    );
}

/// Way 5: the package for support, written to a file and shown.
#[tokio::test]
async fn the_support_package_carries_what_support_asks_for() {
    let env = alice_on_locked_out().await;
    let t = env.tenant();
    let out = recover(&env, &["--way", "support"]).await;
    assert_eq!(out.status.code(), Some(0));
    let said = text(&out);
    let path = said
        .lines()
        .find_map(|l| l.strip_prefix("Written: "))
        .unwrap_or_else(|| panic!("{said}"));
    let package = std::fs::read_to_string(path).unwrap();
    let st = support::state(&env.emu).await;
    for want in [
        "contoso-lockout",
        st["org"]["id"].as_str().unwrap(),
        t.as_str(),
        "alice@outlook.com",
        "TF400813",
        "azure.microsoft.com/support",
    ] {
        assert!(package.contains(want), "{want} missing from {package}");
    }
    assert!(
        said.contains("Owner as Azure DevOps records it"),
        "shown too: {said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// The emulator's directory roles, as Graph shows them.
#[tokio::test]
async fn directory_roles_answer_in_graphs_shapes() {
    let emu = support::start("locked-out").await;
    let base = emu.base_url();
    let t = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    let (tok, _) = support::sign_in(&emu, "dev1@contoso.com", &t, support::GRAPH_SCOPE).await;
    let tok = tok.as_str();
    let (s, roles) = support::get_json(&format!("{base}/graph/v1.0/directoryRoles"), tok).await;
    assert_eq!(s, 200);
    assert!(
        roles["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["displayName"] == "Azure DevOps Administrator"
                && r["roleTemplateId"] == "e3973bdf-4987-49ae-837a-ba8e231c7286")
    );
    let (s, members) = support::get_json(
        &format!("{base}/graph/v1.0/directoryRoles(roleTemplateId='e3973bdf-4987-49ae-837a-ba8e231c7286')/members"),
        tok,
    )
    .await;
    assert_eq!(s, 200, "{members}");
    assert_eq!(
        members["value"][0]["userPrincipalName"],
        "devops-admin@contoso.com"
    );
    assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");
    let (s, assigned) = support::get_json(
        &format!("{base}/graph/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId%20eq%20'62e90394-69f5-4237-9190-012177145e10'&$expand=principal"),
        tok,
    )
    .await;
    assert_eq!(s, 200, "{assigned}");
    assert_eq!(
        assigned["value"][0]["principal"]["userPrincipalName"],
        "admin@contoso.com"
    );
    // A role nobody was given is not activated: 404.
    let (s, _) = support::get_json(
        &format!("{base}/graph/v1.0/directoryRoles(roleTemplateId='e8611ab8-c189-46e8-94e1-60213ab1f814')/members"),
        tok,
    )
    .await;
    assert_eq!(s, 404);
    emu.shutdown().await;
}

/// The wizard's path: "I'm locked out" on Welcome, the sign-in (the demo
/// approves it as the owner's personal account), the organization typed
/// (a locked-out owner belongs to none), the same diagnosis and ways.
#[test]
fn the_wizard_diagnoses_the_lockout_from_welcome() {
    let home = tempfile::tempdir().unwrap();
    let Some(t) = crate::tmux::Tmux::start(
        120,
        40,
        home.path(),
        &[],
        &["demo", "--scenario", "locked-out"],
    ) else {
        return;
    };
    t.wait_for("What do you want to do?");
    t.keys(&["End", "Enter"]);
    // The demo knows the organization and fills the name in.
    t.wait_for("type its name");
    t.wait_for("contoso-lockout");
    t.keys(&["Enter"]);
    t.wait_for("The owner (alice@outlook.com) is locked out");
    t.wait_for("Disconnect through the back door [available]");
    let screen = t.wait_for("Dana Devops <devops-admin@contoso.com>");
    assert!(
        screen.contains("is how the directory writes the external address"),
        "{screen}"
    );
    t.keys(&["j", "c"]);
    t.wait_for("clipboard");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
