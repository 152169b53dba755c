//! The fault matrix (docs/reliability.md): the real binary against the
//! emulator's fault flags. For each fault: no panic, a clear message, and for
//! changes, every change lands exactly once. (Resolve's apply under faults is
//! in `resolve`; the client's retry rules in `client`.)

use std::process::Output;

use ado_entra::emulator::EmulatorConfig;
use serde_json::Value;

use crate::support::{self, CliEnv};

/// No panic, and a failure says what happened: one `error:` paragraph on
/// stderr, or with `--json` one `{"error": …}` document on stdout.
fn clean(out: &Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{what}: {err}"
    );
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1 | 3)),
        "{what}: exit {code:?}: {err}"
    );
    if code == Some(1) {
        let json_error = serde_json::from_slice::<Value>(&out.stdout)
            .is_ok_and(|v| v["error"]["message"].is_string());
        assert!(err.contains("error: ") || json_error, "{what}: {err}");
    }
    err
}

/// What `check` must answer under one fault.
enum Expect {
    /// Waited out or retried: the full answer, everyone kept.
    Complete,
    /// The check ran; this check could not verify (a warning, not a pass).
    Unverified(&'static str),
    /// The organization's users could not be read: an error naming the call.
    Error(&'static str),
}

#[tokio::test]
async fn check_survives_every_fault_with_a_clear_answer() {
    let s = CliEnv::start(EmulatorConfig::scenario("ready"), None).await;
    let tenant = s.emu.summary().tenants[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.login_directory(&tenant).await;
    let org = s.emu.summary().org.clone();
    let check = ["check", "--org", &org, "--to", &tenant, "--json"];
    for (fault, expect) in [
        ("429:every=3,retry-after=1", Expect::Complete),
        ("503:burst=1,every=5", Expect::Complete),
        // Reads are sent again when the connection drops mid-answer.
        ("drop:every=4", Expect::Complete),
        (
            "malformed:host=dev,path=Contribution",
            Expect::Unverified("lockout-proof"),
        ),
        (
            "malformed:path=_apis/projects",
            Expect::Unverified("service-connections"),
        ),
        (
            "hostile:shape=types,host=vsaex",
            Expect::Error("userentitlements"),
        ),
        (
            "hostile:shape=deep,host=vsaex",
            Expect::Error("userentitlements"),
        ),
        (
            "hostile:shape=huge,host=graph",
            Expect::Unverified("lockout-proof"),
        ),
        (
            "hostile:shape=types,host=graph",
            Expect::Unverified("lockout-proof"),
        ),
    ] {
        s.faults(&[fault]).await;
        let out = s.run(&check).await;
        let err = clean(&out, fault);
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{fault}: --json is always JSON: {e}: {err}"));
        match expect {
            Expect::Complete => {
                assert_eq!(out.status.code(), Some(0), "{fault}: {v}");
                assert_eq!(
                    v["predicted"]["keep"].as_array().unwrap().len(),
                    3,
                    "{fault}"
                );
            }
            Expect::Unverified(id) => {
                // The owner's access must be proven: "could not verify"
                // stops a change as a failure does (exit 3).
                let code = if id == "lockout-proof" { 3 } else { 0 };
                assert_eq!(out.status.code(), Some(code), "{fault}: {v}");
                let c = v["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == id)
                    .unwrap_or_else(|| panic!("{fault}: {v}"));
                assert_eq!(c["status"], "warn", "{fault}: {c}");
                assert!(
                    c["title"].as_str().unwrap().starts_with("Could not verify"),
                    "{fault}: {c}"
                );
            }
            Expect::Error(call) => {
                assert_eq!(out.status.code(), Some(1), "{fault}: {v}");
                let msg = v["error"]["message"].as_str().unwrap();
                assert!(msg.contains(call), "{fault}: {msg}");
                assert!(msg.len() < 2_000, "{fault}: a short message");
            }
        }
    }
    s.emu.shutdown().await;
}

#[tokio::test]
async fn a_stall_is_waited_out_or_timed_out_not_hung() {
    let s = CliEnv::start(EmulatorConfig::scenario("ready"), None).await;
    let org = s.emu.summary().org.clone();
    let tenant = s.emu.summary().tenants[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.login_directory(&tenant).await;
    // Each stall is shorter than the per-attempt timeout: waited out, and
    // the answer is complete. (A hang would never get here.)
    s.faults(&["stall:ms=2000,every=5"]).await;
    let out = s
        .run(&["check", "--org", &org, "--to", &tenant, "--json"])
        .await;
    let err = clean(&out, "stall");
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["predicted"]["keep"].as_array().unwrap().len(), 3, "{v}");
    s.emu.shutdown().await;
}

#[tokio::test]
async fn resolve_survives_hostile_directory_answers() {
    let s = CliEnv::start(
        EmulatorConfig::scenario("disconnected"),
        Some("fabrikam.onmicrosoft.com"),
    )
    .await;
    let org = s.emu.summary().org.clone();
    for f in [
        "hostile:shape=types,host=graph",
        "hostile:shape=deep,host=graph",
        "hostile:shape=huge,host=vssps",
    ] {
        s.faults(&[f]).await;
        let out = s.run(&["resolve", "--org", &org]).await;
        let err = clean(&out, f);
        assert!(err.lines().count() < 20, "{f}: {err}");
        if out.status.code() == Some(0) {
            // A well-formed (if absurd) answer: nothing without a descriptor
            // is offered for mapping, and the screen is not flooded.
            assert!(
                out.stdout.len() < 64 * 1024,
                "{f}: {} bytes",
                out.stdout.len()
            );
        }
    }
    s.emu.shutdown().await;
}

/// Tokens run out during an apply, between calls and in the middle of one,
/// and the run renews them without repeating a change. The emulator's tokens
/// live 3 s (to the second), so between two calls the one the client holds has
/// always expired by the client's rule (it renews 5 minutes early) and is
/// renewed first; a fresh token then has at least 2 s left, more than any
/// ordinary call needs. And every `hold`th mapping is held 3 s before the
/// emulator looks at its token: it arrives expired however fast the machine
/// is, is refused (401), and the client must renew and send it again. With
/// one mapping at a time, the mapping sent again is never the one held.
#[tokio::test]
async fn tokens_expiring_mid_apply_are_renewed_and_nothing_repeats() {
    let s = CliEnv::start(
        EmulatorConfig {
            token_lifetime_secs: 3,
            ..support::generated_connected(300, 400)
        },
        Some("contosogen.onmicrosoft.com"),
    )
    .await;
    let org = s.emu.summary().org.clone();
    let plan = s.home.path().join("plan.csv");
    let out = s
        .run(&["resolve", "--org", &org, "--export", plan.to_str().unwrap()])
        .await;
    let err = clean(&out, "export");
    assert!(out.status.success(), "{err}");
    // Map every suggestion nobody else has; leave the rest.
    let text = std::fs::read_to_string(&plan).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rdr.headers().unwrap()).unwrap();
    let mut used = std::collections::HashSet::new();
    let mut jobs = 0;
    for rec in rdr.records() {
        let mut cols: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        if !cols[5].is_empty() && used.insert(cols[5].clone()) {
            cols[3] = "map".into();
            jobs += 1;
        }
        w.write_record(&cols).unwrap();
    }
    std::fs::write(&plan, w.into_inner().unwrap()).unwrap();
    assert!(jobs > 20, "{jobs}");
    // Three mappings, spread over the run, are held past their token's life.
    let hold = jobs / 3;
    s.faults(&[&format!(
        "stall:ms=3000,method=PATCH,path=/_apis/graph/users/,every={hold}"
    )])
    .await;
    support::http()
        .post(format!("{}/_emulator/stats/reset", s.emu.base_url()))
        .send()
        .await
        .unwrap();
    let out = s
        .run(&[
            "resolve",
            "--org",
            &org,
            "--import",
            plan.to_str().unwrap(),
            "--yes",
            "--concurrency",
            "1",
        ])
        .await;
    let err = clean(&out, "expiry");
    assert!(out.status.success(), "{err}");
    let stats = support::control(&s.emu, "stats").await;
    assert!(
        stats["login"].as_u64().unwrap_or(0) >= 2,
        "tokens were renewed during the run: {stats}"
    );
    assert_eq!(
        stats["vssps.401"].as_u64().unwrap_or(0),
        3,
        "each held mapping arrived with an expired token: {stats}"
    );
    let st = support::state(&s.emu).await;
    let users = st["org"]["users"].as_array().unwrap();
    assert_eq!(users.iter().filter(|u| u["remaps"] == 1).count(), jobs);
    assert!(users.iter().all(|u| u["remaps"] == 0 || u["remaps"] == 1));
    // The refused calls never reached the mapping: each mapped user was
    // attempted exactly once.
    let attempts = st["counters"]["remap_attempts"].as_object().unwrap();
    assert_eq!(attempts.len(), jobs, "{attempts:?}");
    assert!(attempts.values().all(|n| n == 1), "{attempts:?}");
    s.emu.shutdown().await;
}
