//! What a change affects beyond the user list, through the binary: `check`
//! finds every problem `messy` and `moving` plant and nothing else,
//! `verify --deep` reports the planted broken connections with the right
//! fix, and `audit --since-change` finds the change and who made it.

use crate::support::{self, ADO_SCOPE, CliEnv, GRAPH_SCOPE, http, sign_in};
use ado_entra::emulator::EmulatorConfig;
use serde_json::{Value, json};

/// `scenario`'s emulator approving sign-ins as `who` (else its default
/// identity), signed in at `tenant` (else the default authority: a personal
/// account), and for `messy` also to Fabrikam as the same person's work
/// account (`login --directory`), as the checks ask of a personal account.
async fn env(scenario: &str, who: Option<&str>, tenant: Option<usize>) -> CliEnv {
    let env = CliEnv::launch(EmulatorConfig {
        auto_approve: who.map(str::to_string),
        ..EmulatorConfig::scenario(scenario)
    })
    .await;
    let t = tenant.map(|i| tenant_id(&env, i));
    env.login(t.as_deref()).await;
    if t.is_none() {
        env.login_directory(&tenant_id(&env, 0)).await;
    }
    env
}

fn tenant_id(env: &CliEnv, i: usize) -> String {
    env.emu.summary().tenants[i]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `check --json` against tenant `to` (an index into the scenario's tenants).
async fn check(env: &CliEnv, to: usize) -> (i32, Value) {
    let t = tenant_id(env, to);
    let out = env
        .run(&["check", "--org", &env.org, "--tenant", &t, "--json"])
        .await;
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

fn result<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn status<'a>(v: &'a Value, id: &str) -> &'a str {
    result(v, id)["status"].as_str().unwrap()
}

fn evidence(v: &Value, id: &str) -> Vec<String> {
    result(v, id)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect()
}

/// The check's evidence is exactly `want` (in any order): what was
/// planted, and nothing else.
fn exactly(v: &Value, id: &str, want: &[&str]) {
    let mut got = evidence(v, id);
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "{id}");
}

fn titled(v: &Value, id: &str) -> String {
    result(v, id)["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn check_on_messy_finds_every_planted_problem_and_nothing_else() {
    let env = env("messy", None, None).await;
    let (code, v) = check(&env, 0).await;
    assert_eq!(code, 3, "{v}");
    // The one failure is the planted destination user; the restriction on
    // creating organizations allows the owner.
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["no-destination-users-preadded"]);
    assert_eq!(status(&v, "org-creation-policy"), "pass");
    assert!(evidence(&v, "org-creation-policy")[1].contains("Olga Owner <owner@fabrikam.com>"));

    exactly(
        &v,
        "ssh-keys",
        &["SSH key \"dora-laptop\" of dora@hotmail.com"],
    );
    let pats = evidence(&v, "pats-recreate");
    assert_eq!(pats.len(), 3, "{pats:?}");
    for (name, owner) in [
        ("everything (global)", "owner@fabrikam.com"),
        ("release pipeline", "ann@fabrikam.com"),
        ("agent registration", "carl.personal@outlook.com"),
    ] {
        assert!(
            pats.iter()
                .any(|p| p.contains(&format!("\"{name}\" of {owner}"))),
            "{pats:?}"
        );
    }

    let sc = evidence(&v, "service-connections");
    assert_eq!(sc.len(), 4, "{sc:?}");
    for (name, kind) in [
        ("prod-azure", "app registration with a secret"),
        ("legacy-subscription", "app registration with a secret"),
        ("deploy-federated", "workload identity federation"),
        ("vm-managed", "managed identity"),
    ] {
        assert!(
            sc.iter()
                .any(|l| l.contains(&format!("\"{name}\"")) && l.contains(kind)),
            "{name}: {sc:?}"
        );
    }
    assert_eq!(status(&v, "workload-identity"), "pass");

    let tp = evidence(&v, "tenant-pat-policies");
    let findings: Vec<&String> = tp.iter().filter(|l| l.contains(" of ")).collect();
    assert_eq!(findings.len(), 4, "{tp:?}");
    assert!(findings.iter().all(|l| !l.contains("agent registration")));
    assert_eq!(
        findings
            .iter()
            .filter(|l| l.contains("\"release pipeline\""))
            .count(),
        1,
        "full-scoped only"
    );

    let op = evidence(&v, "org-policies");
    assert!(titled(&v, "org-policies").starts_with("2 "), "{op:?}");
    assert!(op[0].contains("IP Conditional Access"));
    assert!(op[1].contains("Team and project administrators"));
    assert_eq!(status(&v, "pat-creation-policy"), "skip");

    let kv = format!(
        "Variable group \"prod-secrets\" in project Web reads Key Vault kv-fabrikam-prod through \"prod-azure\": its identity lives in tenant {}",
        tenant_id(&env, 1)
    );
    exactly(&v, "key-vault-variable-groups", &[kv.as_str()]);
    exactly(
        &v,
        "agent-registrations",
        &[
            "Agent build-01 in pool Self-hosted (online)",
            "PAT \"agent registration\" of carl.personal@outlook.com registers agents (scope vso.agentpools_manage)",
        ],
    );
    let vs = evidence(&v, "visual-studio-subscriptions");
    assert_eq!(vs.len(), 1);
    assert!(vs[0].starts_with("Erik Lund <erik.l@gmail.com>"));
    let dual: Vec<String> = evidence(&v, "dual-accounts")
        .iter()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        dual,
        [
            "Olga Owner <owner@fabrikam.com>",
            "Ann Berg <ann@fabrikam.com>",
            "Gina Holt <gina@fabrikam.com>",
            "Ivy Jones <ivy@fabrikam.com>"
        ]
    );
    let domains: Vec<String> = evidence(&v, "unverified-domains")
        .iter()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        domains,
        ["gmail.com (2)", "hotmail.com (1)", "outlook.com (1)"]
    );
    assert_eq!(
        status(&v, "guest-invitations"),
        "pass",
        "the owner is a Guest Inviter"
    );
    assert_eq!(status(&v, "directory-propagation"), "warn");
    assert!(titled(&v, "directory-propagation").contains("20 minutes"));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn someone_who_may_not_read_the_tenant_policies_is_told_whom_to_ask() {
    // Ann administers the organization but is neither an Azure DevOps
    // Administrator nor a Guest Inviter of Fabrikam.
    let env = env("messy", Some("ann@fabrikam.com"), None).await;
    let (_, v) = check(&env, 0).await;
    for id in ["org-creation-policy", "tenant-pat-policies"] {
        assert_eq!(status(&v, id), "warn", "{id}");
        assert!(titled(&v, id).starts_with("Could not verify"), "{id}");
        let fix = result(&v, id)["fix"].as_str().unwrap();
        assert!(fix.contains("Olga Owner <owner@fabrikam.com>"), "{fix}");
    }
    assert_eq!(status(&v, "guest-invitations"), "warn");
    assert!(titled(&v, "guest-invitations").contains("could not invite the 2 users"));
    assert_eq!(status(&v, "directory-propagation"), "pass");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn the_emulator_enforces_the_restrictions_it_reports() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let t = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    // Ann is off the organization creation allowlist: she cannot connect it.
    let (ann, _) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    let r = support::set_tenant(&emu, "fabrikam-messy", &ann, &t).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("allowlist"));
    assert!(support::state(&emu).await["org"]["tenant"].is_null());
    // Only administrators and Guest Inviters may invite guests.
    let (g, _) = sign_in(&emu, "ann@fabrikam.com", &t, GRAPH_SCOPE).await;
    let r = http()
        .post(format!("{base}/graph/v1.0/invitations"))
        .bearer_auth(&g)
        .json(&json!({"invitedUserEmailAddress": "frank@gmail.com", "inviteRedirectUrl": "https://dev.azure.com/fabrikam-messy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Tenant policies answer the Azure DevOps Administrators only.
    let (owner_t, _) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let (ann_t, _) = sign_in(&emu, "ann@fabrikam.com", &t, ADO_SCOPE).await;
    let url = format!(
        "{base}/vssps/fabrikam-messy/_apis/TenantPolicy/Policies/TenantPolicy.RestrictPersonalAccessTokenLifespan?api-version=7.1-preview.1"
    );
    let (s, p) = support::get_json(&url, &owner_t).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["value"], true);
    assert_eq!(p["properties"]["MaxPatLifespanInDays"], 30);
    let (s, _) = support::get_json(&url, &ann_t).await;
    assert_eq!(s, 403);
    emu.shutdown().await;
}

#[tokio::test]
async fn check_of_a_tenant_change_predicts_what_only_a_move_breaks() {
    let env = env("moving", None, Some(0)).await;
    let (code, v) = check(&env, 1).await;
    assert_eq!(code, 0, "{v}");
    let wif = evidence(&v, "workload-identity");
    assert_eq!(wif.len(), 1, "{wif:?}");
    assert!(wif[0].starts_with("\"deploy-entra\""));
    assert!(
        !evidence(&v, "service-connections")
            .join("\n")
            .contains("deploy-entra"),
        "one finding per connection"
    );
    let kv = evidence(&v, "key-vault-variable-groups");
    assert_eq!(kv.len(), 1);
    assert!(kv[0].contains("\"web-secrets\"") && kv[0].contains("\"deploy-entra\""));
    let pat = evidence(&v, "pat-creation-policy").join("\n");
    assert!(pat.contains("(Ben Ortiz)"), "{pat}");
    assert!(pat.contains("could not create or regenerate them: ben@fabrikam.com"));
    assert!(
        result(&v, "pat-creation-policy")["fix"]
            .as_str()
            .unwrap()
            .contains("credential.azreposCredentialType oauth")
    );
    for id in [
        "dual-accounts",
        "visual-studio-subscriptions",
        "agent-registrations",
    ] {
        assert!(
            matches!(status(&v, id), "pass" | "skip"),
            "{id}: {}",
            result(&v, id)
        );
    }
    env.emu.shutdown().await;
}

#[tokio::test]
async fn verify_deep_reports_the_broken_connection_with_its_fix() {
    let env = env("messy", None, None).await;
    let out = env
        .run(&["verify", "--org", &env.org, "--deep", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(3), "a broken probe is a finding");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["state"], "works");
    let deep = v["verification"]["deep"].as_array().unwrap();
    let broken: Vec<&Value> = deep.iter().filter(|p| p["state"] == "broken").collect();
    assert_eq!(broken.len(), 1, "{deep:?}");
    assert_eq!(
        broken[0]["what"],
        "service connection \"legacy-subscription\" (Data)"
    );
    assert_eq!(broken[0]["known_as"], "AADSTS700016");
    assert!(broken[0]["fix"].as_array().unwrap().iter().any(|f| {
        f.as_str()
            .unwrap()
            .contains("create a new service connection")
    }));
    let kinds: Vec<&str> = deep
        .iter()
        .filter(|p| p["state"] == "working")
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "service-connection").count(),
        4
    );
    for k in ["agent-pools", "git", "pats"] {
        assert!(kinds.contains(&k), "{k}: {deep:?}");
    }
    // The same as text, with the fix under the broken one.
    let out = env.run(&["verify", "--org", &env.org, "--deep"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("✘ service connection \"legacy-subscription\""),
        "{text}"
    );
    assert!(text.contains("ado-entra explain AADSTS700016"), "{text}");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn after_a_tenant_change_verify_deep_and_the_audit_log_show_what_happened() {
    let env = env("moving", None, Some(0)).await;
    let to = tenant_id(&env, 1);
    // Before any change this machine knows of, over the log's retention.
    let out = env
        .run(&["audit", "--org", &env.org, "--since-change", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["events"].as_array().unwrap().is_empty(), "{v}");
    let out = env
        .run(&["change-tenant", "--org", &env.org, "--to", &to, "--yes"])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.run(&["logout"]).await.status.success());
    env.login(Some(&to)).await;
    let out = env
        .run(&["verify", "--org", &env.org, "--deep", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let broken: Vec<&Value> = v["verification"]["deep"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "broken")
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(
        broken[0]["what"],
        "service connection \"deploy-entra\" (Web)"
    );
    assert_eq!(
        broken[0]["known_as"], "AADSTS700211",
        "the issuer, as predicted"
    );
    let out = env
        .run(&["audit", "--org", &env.org, "--since-change", "--json"])
        .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{v}");
    assert_eq!(events[0]["action"], "Organization.LinkToAAD");
    assert_eq!(events[0]["actor"], "Ann Berg <ann@fabrikam.com>");
    assert!(events[0]["details"].as_str().unwrap().contains("Contoso"));
    assert!(v["journal"].as_str().unwrap().contains("change-tenant"));
    env.emu.shutdown().await;
}
