//! `cargo bench --bench bench`: prints a table of the figures docs/performance.md
//! tracks. A plain binary (no harness) so it runs anywhere without extra crates;
//! each figure is the median of several runs. Targets are printed beside the
//! figures; nothing here fails a build.

#[path = "bench/scale.rs"]
mod scale;

use std::process::Command;
use std::time::{Duration, Instant};

use ado_entra::app::{Environment, State, Target, TenantInfo};
use ado_entra::domain::matching::{MatchConfig, TenantIndex, bench_support, match_with_index};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        // The previous run's result goes first, so a peak-memory figure
        // counts one of them, not two.
        drop(last.take());
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

/// Peak resident set size of this process so far (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, figure: String, target: &str, ok: Option<bool>) {
    let verdict = match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "",
    };
    println!("| {name:<44} | {figure:>18} | {target:<12} | {verdict:<6} |");
}

fn main() {
    // `BENCH_TRACE=FILE`: the client's debug log (every request, how long it
    // queued for a place in the budget, how long the answer took) to FILE.
    if let Some(path) = std::env::var_os("BENCH_TRACE") {
        let file = std::fs::File::create(path).expect("BENCH_TRACE file");
        tracing_subscriber::fmt()
            .with_env_filter("ado_entra::client=debug,ado_entra::ops=debug,bench=info")
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .init();
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    println!(
        "| {:<44} | {:>18} | {:<12} | {:<6} |",
        "benchmark", "figure", "target", ""
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(46),
        "-".repeat(20),
        "-".repeat(14),
        "-".repeat(8)
    );

    if wants("matching") {
        let data = bench_support::generate(10_000, 200_000, 42);
        let config = MatchConfig::default();
        let (build, index) = time(3, || {
            TenantIndex::new(&data.tenant_users, &data.verified_domains)
        });
        let (matching, results) = time(3, || match_with_index(&data.disconnected, &index, &config));
        let total = build + matching;
        row("matching: index 200,000 tenant users", ms(build), "", None);
        row("matching: match 10,000 users", ms(matching), "", None);
        row(
            "matching: total 10,000 x 200,000 (1 core)",
            ms(total),
            "<= 300 ms",
            Some(total <= Duration::from_millis(300)),
        );
        let found = results
            .iter()
            .zip(&data.expected)
            .filter(|(r, e)| match e.target {
                Some(t) => {
                    r.suggestions.first().map(|s| s.tenant_user_id.as_str())
                        == Some(data.tenant_users[t].id.as_str())
                }
                None => r.suggestions.is_empty(),
            })
            .count();
        row(
            "matching: planted answer ranked first",
            format!("{:.1} %", 100.0 * found as f64 / results.len() as f64),
            "",
            None,
        );
        if let Some(rss) = peak_rss_mib() {
            row(
                "matching: peak RSS",
                format!("{rss:.0} MiB"),
                "<= 300 MB",
                Some(rss * 1.048_576 <= 300.0),
            );
        }
    }

    if wants("quality") {
        quality();
    }

    if wants("tui") {
        let state = State::new(
            Environment {
                target: Target::Emulator {
                    base_url: "http://127.0.0.1:1".into(),
                    scenario: Some("messy".into()),
                },
                org: Some("fabrikam".into()),
                owner: Some("owner@outlook.com".into()),
                tenants: vec![TenantInfo {
                    id: "00000000-0000-0000-0000-000000000001".into(),
                    display_name: "Fabrikam".into(),
                    domain: "fabrikam.onmicrosoft.com".into(),
                }],
                destination: None,
            },
            true,
        );
        let (first, _) = time(5, || {
            let mut term = Terminal::new(TestBackend::new(120, 40)).expect("backend");
            term.draw(|f| ado_entra::ui::view(&state, f)).expect("draw");
        });
        row("tui: first frame, welcome 120x40", ms(first), "", None);
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("backend");
        let (frame, _) = time(50, || {
            term.draw(|f| ado_entra::ui::view(&state, f)).expect("draw");
        });
        row(
            "tui: redraw one frame 120x40",
            ms(frame),
            "<= 2 ms",
            Some(frame <= Duration::from_millis(2)),
        );
    }

    if wants("resolve-table") {
        resolve_table();
    }

    if wants("check") {
        full_check(0);
        // The same organization with a fifth of it licensed as Visual Studio
        // subscribers, whom no account licence filter finds: the listing
        // falls back to walking everyone from both ends.
        full_check(20);
    }

    // Issue 20's scale rows: scale-fleet, scale-resolve-export, scale-50k, scale-100k.
    scale::run(&wants);

    if wants("resolve-lost") {
        resolve_lost_answers();
    }

    if wants("startup") {
        let exe = env!("CARGO_BIN_EXE_ado-entra");
        let (d, ok) = time(21, || {
            Command::new(exe)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
        });
        assert!(matches!(ok, Ok(true)), "ado-entra --version failed");
        row(
            "startup: ado-entra --version",
            ms(d),
            "<= 5 ms",
            Some(d <= Duration::from_millis(5)),
        );
    }
}

/// Suggestion quality on generated company directories with every trap
/// (src/domain/matching/quality.rs); `BENCH_VERBOSE` adds the first answers
/// per trap.
fn quality() {
    let measures = ado_entra::domain::matching::quality::run(&[1, 2, 3], 3_000);
    for (name, figure, target, ok) in measures.rows() {
        row(&name, figure, &target, ok);
    }
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        for (trap, t) in &measures.by_trap {
            eprintln!(
                "  {:<24} {:>4}/{:<4} first answers right",
                format!("{trap:?}"),
                t.right,
                t.total
            );
        }
    }
}

/// One frame of the Resolve table with 10,000 users (only the visible rows are built).
fn resolve_table() {
    use ado_entra::app::{ResolveLoad, ResolveScreen, Screen};
    use ado_entra::domain::matching::match_users;
    use ado_entra::domain::resolve::Plan;
    let data = bench_support::generate(10_000, 20_000, 7);
    let matches = match_users(
        &data.disconnected,
        &data.tenant_users,
        &data.verified_domains,
        &MatchConfig::default(),
    );
    let plan = Plan::new("bench", "tenant", &data.disconnected, matches);
    let mut screen = ResolveScreen::loading("bench");
    screen.loaded(Ok(ResolveLoad {
        plan,
        unfinished: None,
    }));
    screen.cursor = 5_000;
    let mut state = State::new(
        Environment {
            target: Target::Emulator {
                base_url: "http://127.0.0.1:1".into(),
                scenario: None,
            },
            org: Some("bench".into()),
            owner: None,
            tenants: vec![],
            destination: None,
        },
        true,
    );
    state.screen = Screen::Resolve(Box::new(screen));
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    let (frame, _) = time(50, || {
        term.draw(|f| ado_entra::ui::view(&state, f)).expect("draw");
    });
    row(
        "tui: Resolve table, 10,000 rows, 120x40",
        ms(frame),
        "<= 2 ms",
        Some(frame <= Duration::from_millis(2)),
    );
}

/// With `BENCH_VERBOSE` set, print how far into the run `what` finished.
fn verbose(started: Instant, what: &str) {
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("  {:>6.2} s  {what}", started.elapsed().as_secs_f64());
    }
}

/// `check` plus match suggestions on a generated organization of 10,000 users
/// and a tenant of 200,000, every request 50 ms late: wall time and requests.
/// `subscribers`: percent of the users licensed as Visual Studio subscribers
/// (0 is the benchmark the targets are for).
fn full_check(subscribers: u8) {
    use ado_entra::client::http::RetryPolicy;
    use ado_entra::client::{ClientSettings, Clients};
    use ado_entra::domain::checks::evaluate;
    use ado_entra::domain::facts::Operation;
    use ado_entra::domain::matching::{DisconnectedUser, match_with_index};
    use ado_entra::emulator::{Emulator, EmulatorConfig, Generate, Source};
    use ado_entra::ops::Session;
    use ado_entra::paths::StatePaths;

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let emu = Emulator::start(EmulatorConfig {
            source: Source::Generated(Generate {
                users: 10_000,
                tenant_users: 200_000,
                seed: 1,
                connected: false,
                subscribers,
            }),
            auto_approve_default: true,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let home = tempfile::tempdir().expect("tempdir");
        let settings = ClientSettings {
            emulator_url: Some(emu.base_url().to_string()),
            client_id: None,
            tenant: None,
        };
        let paths = StatePaths::at(home.path());
        let tenant = emu.summary().tenants[0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let session = Session::new(settings.clone(), paths.clone());
        session
            .sign_in(None, &ado_entra::ops::model::quiet())
            .await
            .expect("sign in");
        // The owner is a personal account: the destination is read as the
        // owner's account there (`login --directory`), as `check` asks.
        session
            .sign_in_directory(&tenant, &ado_entra::ops::model::quiet())
            .await
            .expect("directory sign in");
        let (clients, _) =
            Clients::from_settings(&settings, &paths, RetryPolicy::default()).expect("clients");
        let org = emu.summary().org.clone();
        let http = reqwest::Client::new();
        let control = |p: &str| format!("{}/_emulator/{p}", emu.base_url());
        let _ = http
            .post(control("faults"))
            .json(&serde_json::json!({"faults": ["latency:ms=50"]}))
            .send()
            .await;
        let _ = http.post(control("stats/reset")).send().await;
        let started = Instant::now();
        let facts = ado_entra::ops::gather::gather(
            &clients,
            Operation::Connect {
                destination: tenant.clone(),
            },
            &org,
            chrono::Utc::now(),
            std::sync::Arc::new(move |done, total, what: &str| {
                if std::env::var_os("BENCH_VERBOSE").is_some() {
                    eprintln!(
                        "  {:>6.2} s  {done}/{total} {what}",
                        started.elapsed().as_secs_f64()
                    );
                }
            }),
        )
        .await
        .expect("gather");
        verbose(started, "facts gathered");
        let evaluation = evaluate(&facts);
        verbose(started, "checks and prediction");
        let disconnected: Vec<DisconnectedUser> = evaluation
            .prediction
            .disconnected
            .iter()
            .map(DisconnectedUser::from)
            .collect();
        // Suggestions come from the index the checks already built.
        let suggestions = evaluation
            .index()
            .map(|index| match_with_index(&disconnected, index, &MatchConfig::default()))
            .unwrap_or_default();
        let checks = &evaluation.results;
        verbose(started, "suggestions");
        let wall = started.elapsed();
        let stats: serde_json::Value = http
            .get(control("stats"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json");
        let total = stats["total"].as_u64().unwrap_or(0);
        let users = facts.org.users.as_ref().map(Vec::len).unwrap_or(0);
        // The naive way: list the users, then for each one look the address
        // up in the directory and ask whether they are an administrator.
        let naive = (users * 2) as u64;
        let peak = stats["vsaex.peak"].as_u64().unwrap_or(0);
        if subscribers > 0 {
            let tag = format!("check, {subscribers}% VS subscribers");
            row(
                &format!("{tag}: wall time"),
                format!("{:.2} s", wall.as_secs_f64()),
                "(fallback)",
                None,
            );
            row(
                &format!("{tag}: HTTP requests"),
                total.to_string(),
                &format!("<= {}", naive / 100),
                Some(total <= naive / 100),
            );
            emu.shutdown().await;
            return;
        }
        row(
            "check: 10k users x 200k tenant, 50 ms latency",
            format!("{:.2} s", wall.as_secs_f64()),
            "<= 3 s",
            Some(wall <= Duration::from_secs(3)),
        );
        row(
            "check: HTTP requests",
            total.to_string(),
            &format!("<= {}", naive / 100),
            Some(total <= naive / 100),
        );
        row(
            "check: naive requests (2 per user)",
            naive.to_string(),
            "",
            None,
        );
        for host in ["vsaex", "vssps", "dev", "graph", "aex", "app-vssps"] {
            if let Some(n) = stats[host].as_u64() {
                row(
                    &format!("check: requests to {host}"),
                    n.to_string(),
                    "",
                    None,
                );
            }
        }
        row(
            "check: user-entitlement pages in flight (peak)",
            peak.to_string(),
            "",
            None,
        );
        row(
            "check: checks / disconnected / suggested",
            format!(
                "{} / {} / {}",
                checks.len(),
                disconnected.len(),
                suggestions
                    .iter()
                    .filter(|m| !m.suggestions.is_empty())
                    .count()
            ),
            "",
            None,
        );
        // Judging alone, warm: every check and the prediction over the
        // facts just gathered, the destination's index tables built once
        // (as a fleet shares them), so only the per-user work is timed.
        let tables = ado_entra::domain::checks::index_tables(&facts);
        let (judging, _) = time(7, || {
            ado_entra::domain::checks::evaluate_sharing(&facts, tables.as_ref())
                .results
                .len()
        });
        row(
            "check: judging the 10k users (index shared, warm)",
            ms(judging),
            "",
            None,
        );
        emu.shutdown().await;
    });
}

/// Resolve's apply of several hundred changes on a 3,000-user organization,
/// without faults and with every answer lost after the change landed (each
/// settled by one targeted read): the second must stay within 10x the first.
fn resolve_lost_answers() {
    use ado_entra::client::http::RetryPolicy;
    use ado_entra::client::{ClientSettings, Clients};
    use ado_entra::emulator::{Emulator, EmulatorConfig, Generate, Source};
    use ado_entra::ops::{Session, lock::OrgLock, resolve};
    use ado_entra::paths::StatePaths;

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let run = |faults: &'static [&'static str]| {
        rt.block_on(async move {
            let emu = Emulator::start(EmulatorConfig {
                source: Source::Generated(Generate {
                    users: 3_000,
                    tenant_users: 4_000,
                    seed: 5,
                    connected: true,
                    subscribers: 0,
                }),
                auto_approve_default: true,
                ..EmulatorConfig::default()
            })
            .await
            .expect("emulator");
            let home = tempfile::tempdir().expect("tempdir");
            let tenant = emu.summary().tenants[0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let settings = ClientSettings {
                emulator_url: Some(emu.base_url().to_string()),
                client_id: None,
                tenant: Some(tenant.clone()),
            };
            let paths = StatePaths::at(home.path());
            Session::new(settings.clone(), paths.clone())
                .sign_in(Some(&tenant), &ado_entra::ops::model::quiet())
                .await
                .expect("sign in");
            let (c, _) =
                Clients::from_settings(&settings, &paths, RetryPolicy::default()).expect("clients");
            let org = emu.summary().org.clone();
            let (loaded, graph) = resolve::load(&c, &org).await.expect("load");
            let mut plan = loaded.plan;
            // Every suggestion nobody else takes is mapped; a few people are invited.
            let mut used = std::collections::HashSet::new();
            for i in 0..plan.rows.len() {
                let best = plan.rows[i].best().map(|b| b.tenant_user_id.clone());
                match best {
                    Some(id) if !used.contains(&id) => {
                        used.insert(id);
                        let _ = plan.accept(i, 0);
                    }
                    None if i % 4 == 0 && plan.rows[i].email.is_some() => {
                        let _ = plan.invite(i);
                    }
                    _ => {}
                }
            }
            let jobs = plan.jobs();
            let n = jobs.len();
            let http = reqwest::Client::new();
            let _ = http
                .post(format!("{}/_emulator/faults", emu.base_url()))
                .json(&serde_json::json!({ "faults": faults }))
                .send()
                .await;
            let lock = OrgLock::acquire(&paths.lock_dir(), &org, "bench").expect("lock");
            let journal =
                resolve::begin(&paths.journal_dir(), &org, &plan.tenant, &jobs).expect("journal");
            let started = Instant::now();
            let o = resolve::apply(
                &c,
                &graph,
                &lock,
                &org,
                &plan.tenant,
                jobs,
                journal,
                None,
                resolve::Settings::default(),
                std::sync::Arc::new(|_| {}),
            )
            .await
            .expect("apply");
            let wall = started.elapsed();
            let st: serde_json::Value = http
                .get(format!("{}/_emulator/state", emu.base_url()))
                .send()
                .await
                .expect("state")
                .json()
                .await
                .expect("state json");
            let repeated = st["org"]["users"]
                .as_array()
                .map(|u| u.iter().filter(|u| u["remaps"].as_u64() > Some(1)).count())
                .unwrap_or(0);
            emu.shutdown().await;
            (wall, n, o, repeated)
        })
    };
    let (clean, n, o, _) = run(&[]);
    row(
        &format!("resolve: apply {n} changes, 3k users"),
        ms(clean),
        "",
        None,
    );
    row(
        "resolve: mapped / invited / failed",
        format!("{} / {} / {}", o.mapped, o.invited, o.failed.len()),
        "",
        None,
    );
    let (lost, n2, o2, repeated) = run(&[
        "drop:every=1,after=1,method=PATCH,host=vssps,path=graph/users/",
        "drop:every=1,after=1,method=POST,host=graph,path=invitations",
    ]);
    let ratio = lost.as_secs_f64() / clean.as_secs_f64().max(1e-6);
    row(
        &format!("resolve: {n2} changes, every answer lost"),
        ms(lost),
        "<= 10x clean",
        Some(ratio <= 10.0),
    );
    row(
        "resolve: lost answers: ratio to clean",
        format!("{ratio:.1}x"),
        "<= 10x",
        Some(ratio <= 10.0),
    );
    row(
        "resolve: lost: mapped / invited / failed / checked",
        format!(
            "{} / {} / {} / {}",
            o2.mapped,
            o2.invited,
            o2.failed.len(),
            o2.checked
        ),
        &format!("= {} / {} / 0", o.mapped, o.invited),
        Some(o2.mapped == o.mapped && o2.invited == o.invited && o2.failed.is_empty()),
    );
    row(
        "resolve: lost: mappings sent twice",
        repeated.to_string(),
        "0",
        Some(repeated == 0),
    );
}
