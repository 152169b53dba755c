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
                assert_eq!(out.status.code(), Some(0), "{fault}: {v}");
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
    s.faults(&["stall:ms=5000,every=5"]).await;
    let started = std::time::Instant::now();
    let out = s
        .run(&["check", "--org", &org, "--to", &tenant, "--json"])
        .await;
    clean(&out, "stall");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(90),
        "bounded by the per-attempt timeout"
    );
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

#[tokio::test]
async fn tokens_expiring_mid_apply_are_renewed_and_nothing_repeats() {
    let s = CliEnv::start(
        EmulatorConfig {
            token_lifetime_secs: 1,
            latency_ms: 25,
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
            "2",
        ])
        .await;
    let err = clean(&out, "expiry");
    assert!(out.status.success(), "{err}");
    let stats: Value = support::http()
        .get(format!("{}/_emulator/stats", s.emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        stats["login"].as_u64().unwrap_or(0) >= 2,
        "tokens were renewed during the run: {stats}"
    );
    let st = support::state(&s.emu).await;
    let users = st["org"]["users"].as_array().unwrap();
    assert_eq!(users.iter().filter(|u| u["remaps"] == 1).count(), jobs);
    assert!(users.iter().all(|u| u["remaps"] == 0 || u["remaps"] == 1));
    s.emu.shutdown().await;
}
