//! The fleet view end to end: `orgs` over an emulator hosting a generated
//! fleet (organizations on personal accounts, on an old and on a new
//! directory, of mixed sizes and owners). The listing matches what the
//! emulator holds, every verdict equals the one `check` gives that
//! organization alone, and the catalog and the report work.

use super::bin;
use crate::support;
use ado_entra::emulator::scenario::Fleet;
use ado_entra::emulator::{Emulator, EmulatorConfig, Source};
use serde_json::Value;

struct Env {
    emu: Emulator,
    home: tempfile::TempDir,
}

impl Env {
    async fn fleet(orgs: usize) -> Env {
        Self::with(Fleet {
            orgs,
            users: 24,
            tenant_users: 150,
            seed: 4,
            uniform: false,
        })
        .await
    }

    async fn with(fleet: Fleet) -> Env {
        Self::answering_after(fleet, 0).await
    }

    /// [`Env::with`], every answer held `latency_ms`.
    async fn answering_after(fleet: Fleet, latency_ms: u64) -> Env {
        let emu = support::start_with(EmulatorConfig {
            source: Source::Fleet(fleet),
            auto_approve_default: true,
            latency_ms,
            ..EmulatorConfig::default()
        })
        .await;
        let env = Env {
            emu,
            home: tempfile::tempdir().unwrap(),
        };
        let (code, _, err) = env.run(&["login", "--device-code", "--json"]).await;
        assert_eq!(code, 0, "{err}");
        env
    }

    fn tenant(&self, i: usize) -> String {
        self.emu.summary().tenants[i]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let home = self.home.path().to_path_buf();
        let base = self.emu.base_url().to_string();
        tokio::task::spawn_blocking(move || {
            let out = bin()
                .args(&args)
                .env("ADO_ENTRA_HOME", &home)
                .env("ADO_ENTRA_EMULATOR_URL", &base)
                .env_remove("ADO_ENTRA_TENANT")
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

    async fn json(&self, args: &[&str], want: i32) -> Value {
        let (code, out, err) = self.run(args).await;
        assert_eq!(code, want, "{args:?}: {err}\n{out}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    async fn state_of(&self, org: &str) -> Value {
        support::http()
            .get(format!("{}/_emulator/state?org={org}", self.emu.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn rows(v: &Value) -> &Vec<Value> {
    v["organizations"].as_array().expect("organizations")
}

#[tokio::test]
async fn orgs_lists_every_organization_as_the_emulator_holds_it() {
    let env = Env::fleet(10).await;
    let v = env.json(&["orgs", "--json"], 0).await;
    assert_eq!(v["source"]["kind"], "accounts");
    let listed = rows(&v);
    assert_eq!(listed.len(), 10, "every organization the person is in: {v}");
    let backings: std::collections::BTreeSet<String> = listed
        .iter()
        .map(|o| o["backing"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(backings.len(), 3, "a mix of backings: {backings:?}");
    for o in listed {
        let name = o["name"].as_str().unwrap();
        let st = env.state_of(name).await;
        let org = &st["org"];
        assert_eq!(o["tenant"], org["tenant"], "{name}");
        assert_eq!(
            o["users"].as_u64(),
            org["users"].as_array().map(|u| u.len() as u64),
            "{name}"
        );
        let owner = &org["owner_user"];
        assert_eq!(o["owner"], owner["mail"], "{name}");
        // The person administers it when their user there is an
        // administrator (or the owner).
        let me = org["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| {
                u["msa_email"] == ado_entra::emulator::scenario::FLEET_ADMIN
                    || u["principal_name"]
                        .as_str()
                        .is_some_and(|p| p.starts_with("admin"))
            })
            .unwrap_or_else(|| panic!("{name}: the person is a user"));
        let admin = me["admin"].as_bool().unwrap() || me["descriptor"] == org["owner"];
        assert_eq!(o["admin"].as_bool(), Some(admin), "{name}");
        assert!(o["readiness"].is_null(), "no --check, no verdict");
    }
    // The table says the same, one line each.
    let (code, text, err) = env.run(&["orgs"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        text.starts_with("Organizations you belong to (10)"),
        "{text}"
    );
    for o in listed {
        assert!(text.contains(o["name"].as_str().unwrap()), "{text}");
    }
    env.emu.shutdown().await;
}

/// Each check's id and status, in order.
fn id_and_status(checks: &Value) -> Vec<(String, String)> {
    checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The verdict `check --org O --to T` gives one organization alone:
/// nothing to do or blocked by the decision (no checks), else blocked by a
/// failed check, warnings, or ready.
fn single_verdict(code: i32, v: &Value) -> (&'static str, Vec<(String, String)>) {
    let checks = id_and_status(&v["checks"]);
    let any = |s: &str| checks.iter().any(|(_, st)| st == s);
    let verdict = match (code, checks.is_empty()) {
        (0, true) => "nothing_to_do",
        (3, true) => "blocked",
        _ if any("fail") => "blocked",
        _ if any("warn") || any("skip") => "warnings",
        _ => "ready",
    };
    (verdict, checks)
}

#[tokio::test]
async fn every_verdict_equals_the_single_organization_check() {
    let env = Env::fleet(10).await;
    let t = env.tenant(0);
    let (code, out, err) = env.run(&["orgs", "--check", "--to", &t, "--json"]).await;
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let verdicts: std::collections::BTreeSet<&str> = rows(&v)
        .iter()
        .map(|o| o["readiness"]["verdict"].as_str().unwrap())
        .collect();
    assert!(
        verdicts.len() >= 3,
        "the fleet mixes verdicts: {verdicts:?}"
    );
    assert_eq!(
        code,
        if verdicts.contains("blocked") { 3 } else { 0 },
        "{err}"
    );
    for o in rows(&v) {
        let name = o["name"].as_str().unwrap();
        let (code, out, err) = env
            .run(&["check", "--org", name, "--to", &t, "--json"])
            .await;
        let single: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{name}: {e}: {out} {err}"));
        let (verdict, checks) = single_verdict(code, &single);
        let r = &o["readiness"];
        assert_eq!(r["verdict"], verdict, "{name}: {r}");
        let fleet_checks = id_and_status(&r["checks"]);
        assert_eq!(fleet_checks, checks, "{name}: every check the same");
        if let Some(first_fail) = single["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "fail")
        {
            assert_eq!(r["reason"], first_fail["title"], "{name}: the top reason");
        }
    }
    env.emu.shutdown().await;
}

#[tokio::test]
async fn the_catalog_lists_a_directory_and_the_report_is_written() {
    let env = Env::fleet(6).await;
    let fabrikam = env.tenant(1);
    let v = env
        .json(&["orgs", "--tenant", &fabrikam, "--json"], 0)
        .await;
    assert_eq!(v["source"]["kind"], "catalog");
    let all = env.emu.summary().orgs.clone();
    let expected: Vec<&str> = all
        .iter()
        .filter(|o| o["tenant"] == fabrikam.as_str())
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let listed: Vec<&str> = rows(&v)
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        listed, expected,
        "exactly the organizations on that directory"
    );

    let report = env.home.path().join("approval.md");
    let contoso = env.tenant(0);
    let (code, _, err) = env
        .run(&[
            "orgs",
            "--check",
            "--to",
            &contoso,
            "--report",
            report.to_str().unwrap(),
        ])
        .await;
    assert!(matches!(code, 0 | 3), "{err}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("# Change approval"), "{text}");
    assert!(
        text.contains("| organization | backing | owner |"),
        "{text}"
    );
    for o in &all {
        assert!(
            text.contains(&format!("## {}", o["name"].as_str().unwrap())),
            "{text}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report names people: private");
    }
    // --to belongs with --check; --json stays JSON on a failure.
    let (code, _, err) = env.run(&["orgs", "--to", &contoso]).await;
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = env
        .run(&["orgs", "--check", "--to", "no such tenant!", "--json"])
        .await;
    assert_eq!(code, 2);
    let e: Value = serde_json::from_str(&out).unwrap();
    assert!(e["error"]["message"].is_string(), "{out}");
    env.emu.shutdown().await;
}

/// Organizations moving to one directory are checked against the same
/// directory: the fleet lists its users once for all of them, as many
/// times as one `check` lists them for one organization, not once per
/// organization. Each organization is probed once, as one `check` probes
/// its own.
#[tokio::test]
async fn the_fleet_reads_a_shared_directory_once() {
    // Big enough organizations that each one alone reads the whole
    // directory rather than looking its users' addresses up.
    let n = 5;
    let env = Env::with(Fleet {
        orgs: n,
        users: 60,
        tenant_users: 150,
        seed: 4,
        uniform: true,
    })
    .await;
    let t = env.tenant(0);
    let lists = |s: &Value| s["graph.users.list"].as_u64().unwrap_or(0);
    let org = env.emu.summary().orgs[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    post(&env, "stats/reset", serde_json::json!({})).await;
    let (code, out, err) = env
        .run(&["check", "--org", &org, "--to", &t, "--json"])
        .await;
    assert!(matches!(code, 0 | 3), "{err}\n{out}");
    let s = stats(&env).await;
    let alone = lists(&s);
    assert!(alone >= 1, "one check lists the directory's users: {alone}");
    // The anonymous probe of the organization (answered 401 with its
    // tenant) is made once and read by the situation and the checks alike.
    let probes = |s: &Value| s["dev.401"].as_u64().unwrap_or(0);
    assert_eq!(probes(&s), 1, "one check probes its organization once: {s}");

    post(&env, "stats/reset", serde_json::json!({})).await;
    let (code, out, err) = env.run(&["orgs", "--check", "--to", &t, "--json"]).await;
    assert!(matches!(code, 0 | 3), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(rows(&v).len(), n);
    for o in rows(&v) {
        assert!(o["problem"].is_null(), "{o}");
        assert!(o["readiness"]["verdict"].is_string(), "{o}");
    }
    let s = stats(&env).await;
    assert_eq!(
        lists(&s),
        alone,
        "{n} organizations, one directory read once: {s}"
    );
    assert_eq!(probes(&s), n as u64, "each organization probed once: {s}");
    env.emu.shutdown().await;
}

async fn post(env: &Env, path: &str, body: Value) {
    let r = support::http()
        .post(format!("{}/_emulator/{path}", env.emu.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

async fn stats(env: &Env) -> Value {
    support::control(&env.emu, "stats").await
}

/// Azure DevOps rate limits each identity: past its budget it delays, at
/// twice the budget it answers 429. A client that ignores the headers is
/// blocked; the fleet, reading `X-RateLimit-Remaining`, slows down before
/// that and says so, and every organization still gets its verdict.
#[tokio::test]
async fn rate_limit_headers_slow_the_fleet_down_before_a_429() {
    // Two dozen small organizations, eight requests in flight: the fleet
    // costs about 3 TSTU, three times a budget of 1 TSTU per 4 s window;
    // without heeding the headers it is blocked (about 50 answers 429).
    let n = 24;
    let env = Env::with(Fleet {
        orgs: n,
        users: 12,
        tenant_users: 400,
        seed: 4,
        uniform: true,
    })
    .await;
    let t = env.tenant(0);
    let budget = serde_json::json!({"limit": 1.0, "window_secs": 4.0});
    post(&env, "ratelimit", budget.clone()).await;

    // A naive client: the same person, 300 requests at once, headers ignored.
    let who = ado_entra::emulator::scenario::FLEET_ADMIN;
    let (token, _) = support::sign_in(&env.emu, who, "organizations", support::ADO_SCOPE).await;
    let org = env.emu.summary().org.clone();
    let url = format!("{}/dev/{org}/_apis/connectionData", env.emu.base_url());
    let burst = futures_util::future::join_all((0..300).map(|_| {
        support::http()
            .get(&url)
            .bearer_auth(&token)
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
    }))
    .await;
    let blocked: Vec<_> = burst
        .into_iter()
        .filter_map(Result::ok)
        .filter(|r| r.status() == 429)
        .collect();
    assert!(!blocked.is_empty(), "the budget is enforced");
    let h = blocked[0].headers();
    assert!(h.get("retry-after").is_some(), "{h:?}");
    assert_eq!(h.get("x-ratelimit-remaining").unwrap(), "0");
    assert!(h.get("x-ratelimit-resource").is_some() && h.get("x-ratelimit-reset").is_some());
    assert!(stats(&env).await["ratelimit.blocked"].as_u64().unwrap() > 0);

    // The same budget, afresh, for the fleet.
    post(&env, "ratelimit", budget).await;
    post(&env, "stats/reset", serde_json::json!({})).await;
    let (code, out, err) = env
        .run(&[
            "orgs",
            "--check",
            "--to",
            &t,
            "--json",
            "--max-requests",
            "8",
        ])
        .await;
    assert!(matches!(code, 0 | 3), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows(&v).len(), n);
    for o in rows(&v) {
        assert!(o["problem"].is_null(), "{o}");
        assert!(o["readiness"]["verdict"].is_string(), "{o}");
    }
    let s = stats(&env).await;
    let count = |k: &str| s[k].as_u64().unwrap_or(0);
    assert!(count("ratelimit.warned") > 0, "the headers came: {s}");
    assert_eq!(count("ratelimit.blocked"), 0, "never a 429: {s}");
    assert!(
        count("ratelimit.delayed") < count("ratelimit.warned"),
        "mostly slowed by itself, before Azure DevOps had to delay it: {s}"
    );
    assert!(
        err.contains("slowing down") || err.contains("pausing every request"),
        "the person sees why it is slower: {err}"
    );
    env.emu.shutdown().await;
}

/// The wizard's picker surveys under a budget of its own the size of
/// `orgs --check`'s, not the wizard's 8 requests in flight, so it fills in
/// as fast as the command does; every organization is heard of as it
/// finishes, each with its readiness.
#[tokio::test]
async fn the_wizards_picker_surveys_with_the_fleets_budget() {
    use ado_entra::ops::model::{Event, Events, Operation};
    use ado_entra::ops::session::Session;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = 12;
    // Answers take a while, so requests overlap as far as the budget lets them.
    let fleet = Fleet {
        orgs: n,
        users: 24,
        tenant_users: 150,
        seed: 4,
        uniform: true,
    };
    let env = Env::answering_after(fleet, 40).await;
    let session = Session::new(
        ado_entra::client::ClientSettings {
            emulator_url: Some(env.emu.base_url().to_string()),
            ..Default::default()
        },
        ado_entra::paths::StatePaths::at(env.home.path()),
    );
    let heard = std::sync::Arc::new(AtomicUsize::new(0));
    let events: Events = {
        let heard = std::sync::Arc::clone(&heard);
        std::sync::Arc::new(move |e| {
            if matches!(e, Event::Surveyed(..)) {
                heard.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let orgs = session.list_orgs(&events).await.unwrap();
    assert_eq!(orgs.len(), n);
    post(&env, "stats/reset", serde_json::json!({})).await;
    let rows = session
        .survey(
            &orgs,
            Some(Operation::CheckOnly),
            Some(&env.tenant(0)),
            &events,
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), n);
    assert_eq!(heard.load(Ordering::SeqCst), n);
    for r in &rows {
        assert!(r.problem.is_none(), "{r:?}");
        assert!(r.readiness.is_some(), "{r:?}");
    }
    // With the wizard's own budget no host ever has more than 8 at once.
    let s = stats(&env).await;
    let peak = s
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.ends_with(".peak"))
        .filter_map(|(_, v)| v.as_u64())
        .max()
        .unwrap_or(0);
    assert!(peak > 8, "the survey's own budget: {s}");
}
