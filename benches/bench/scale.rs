//! The scale rows of issue 20: `check` on 50,000 and 100,000 users, the
//! emulator's start and memory with a million directory users, `resolve
//! --export` on 50,000, and a fleet of 50 organizations checked at once.
//! The large emulators run as their own process (`ado-entra emulator`), so
//! this process's peak memory is the client's alone: run the group alone
//! (`cargo bench --bench bench scale`) for that figure to mean it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ado_entra::client::http::RetryPolicy;
use ado_entra::client::{ClientSettings, Clients};
use ado_entra::domain::directory::{Asked, Decision};
use ado_entra::ops::Session;
use ado_entra::paths::StatePaths;

use super::{ms, peak_rss_mib, row, time};

/// An emulator process, killed when dropped.
struct Process {
    child: Child,
    summary: serde_json::Value,
    started: Duration,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    fn start(args: &[&str]) -> Process {
        let exe = env!("CARGO_BIN_EXE_ado-entra");
        let t = Instant::now();
        let mut child = Command::new(exe)
            .arg("emulator")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("summary line");
        let started = t.elapsed();
        let summary = serde_json::from_str(&line).expect("summary json");
        Process {
            child,
            summary,
            started,
        }
    }

    /// A generated organization of `users` against a directory of
    /// `tenant_users`, every response 50 ms late, sign-ins approved as its
    /// owner; `connected` starts it connected to that directory.
    fn generated(users: usize, tenant_users: usize, connected: bool) -> Process {
        let (u, t) = (users.to_string(), tenant_users.to_string());
        let mut args = vec!["--users", &u, "--tenant-users", &t, "--seed", "1"];
        if connected {
            args.push("--connected");
        }
        args.extend([
            "--latency-ms",
            "50",
            "--auto-approve",
            "owner@contoso.example",
        ]);
        Process::start(&args)
    }

    fn base_url(&self) -> &str {
        self.summary["base_url"].as_str().unwrap_or_default()
    }

    /// Peak resident set size of the emulator (Linux), in MiB.
    fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

/// Signed-in clients against `base` (the emulator approves the sign-in),
/// with `concurrency` requests in flight at most.
async fn signed_in(base: &str, concurrency: usize) -> (Clients, StatePaths, tempfile::TempDir) {
    signed_in_at(base, None, None, concurrency).await
}

/// As [`signed_in`], at the authority `tenant` (a connected organization
/// answers only a token of its directory), and with `directory` also signed
/// in to that directory as an account of it (`login --directory`: the
/// owner of personal accounts reads the destination that way).
async fn signed_in_at(
    base: &str,
    tenant: Option<&str>,
    directory: Option<&str>,
    concurrency: usize,
) -> (Clients, StatePaths, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("tempdir");
    let settings = ClientSettings {
        emulator_url: Some(base.to_string()),
        client_id: None,
        tenant: None,
    };
    let paths = StatePaths::at(home.path());
    Session::new(settings.clone(), paths.clone())
        .sign_in(tenant, &ado_entra::ops::model::quiet())
        .await
        .expect("sign in");
    if let Some(d) = directory {
        Session::new(settings.clone(), paths.clone())
            .sign_in_directory(d, &ado_entra::ops::model::quiet())
            .await
            .expect("directory sign in");
    }
    let policy = RetryPolicy {
        concurrency,
        ..RetryPolicy::default()
    };
    let (clients, _) = Clients::from_settings(&settings, &paths, policy).expect("clients");
    (clients, paths, home)
}

/// User and system CPU time of this process so far (0 where unknown).
fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks (100 a second).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn requests(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/_emulator/stats"))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json")
}

/// `check --org O --to T` as the command runs it (situation, then facts and
/// checks), every response 50 ms late; with `BENCH_VERBOSE`, the timeline.
fn check(users: usize, tenant_users: usize, target: Duration) {
    let emu = Process::generated(users, tenant_users, false);
    let tag = format!(
        "check: {}k users x {}k tenant",
        users / 1000,
        tenant_users / 1000
    );
    row(
        &format!("emulator: start with {}k tenant users", tenant_users / 1000),
        secs(emu.started),
        if tenant_users >= 1_000_000 {
            "<= 5 s"
        } else {
            ""
        },
        (tenant_users >= 1_000_000).then_some(emu.started <= Duration::from_secs(5)),
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let base = emu.base_url().to_string();
        let tenant = emu.summary["tenants"][0]["id"].as_str().unwrap_or_default();
        let (c, paths, _home) = signed_in_at(
            &base,
            None,
            Some(tenant),
            RetryPolicy::default().concurrency,
        )
        .await;
        let org = emu.summary["org"].as_str().unwrap_or_default().to_string();
        let _ = reqwest::Client::new()
            .post(format!("{base}/_emulator/stats/reset"))
            .send()
            .await;
        let started = Instant::now();
        let to = ado_entra::ops::change::resolve_tenant(
            &c,
            &ado_entra::domain::validate::parse_tenant(tenant).expect("tenant"),
        )
        .await
        .expect("tenant");
        let asked = Asked::Connect { to };
        let situation = ado_entra::ops::change::situation(&c, &paths.journal_dir(), &org, &asked)
            .await
            .expect("situation");
        super::verbose(started, "situation");
        let Decision::Proceed { change, .. } = &situation.decision else {
            panic!("the generated organization can connect");
        };
        let progress: ado_entra::ops::gather::Progress = Arc::new(move |done, total, what| {
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!(
                    "  {:>6.2} s  {done}/{total} {what}",
                    started.elapsed().as_secs_f64()
                );
            }
        });
        let a = ado_entra::ops::change::assess(&c, &org, change, Some(90), progress)
            .await
            .expect("assess");
        let wall = started.elapsed();
        super::verbose(started, "checks and prediction");
        let stats = requests(&base).await;
        row(
            &format!("{tag}, 50 ms latency"),
            secs(wall),
            &format!("<= {} s", target.as_secs()),
            Some(wall <= target),
        );
        row(
            &format!("{tag}: HTTP requests"),
            stats["total"].as_u64().unwrap_or(0).to_string(),
            "",
            None,
        );
        row(
            &format!("{tag}: requests to Graph"),
            stats["graph"].as_u64().unwrap_or(0).to_string(),
            "",
            None,
        );
        row(
            &format!("{tag}: users / checks / disconnected"),
            format!(
                "{} / {} / {}",
                a.facts.org.users.as_ref().map_or(0, Vec::len),
                a.results.len(),
                a.prediction.disconnected.len()
            ),
            "",
            None,
        );
        if let Some(rss) = peak_rss_mib() {
            let big = users >= 100_000;
            row(
                &format!("{tag}: client peak RSS"),
                format!("{rss:.0} MiB"),
                if big { "<= 1.2 GB" } else { "" },
                big.then_some(rss * 1.048_576 <= 1200.0),
            );
        }
    });
    if let Some(rss) = emu.peak_rss_mib() {
        let big = tenant_users >= 1_000_000;
        row(
            &format!("emulator: peak RSS, {}k tenant users", tenant_users / 1000),
            format!("{rss:.0} MiB"),
            if big { "<= 1.5 GB" } else { "" },
            big.then_some(rss * 1.048_576 <= 1500.0),
        );
    }
}

/// `resolve --export` on a connected organization of 50,000 users: the
/// plan loaded (the organization's users and the directory read at once)
/// and written as CSV.
fn resolve_export(users: usize, tenant_users: usize) {
    let emu = Process::generated(users, tenant_users, true);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let base = emu.base_url().to_string();
        let tenant = emu.summary["tenants"][0]["id"].as_str().map(str::to_string);
        let (c, _paths, home) = signed_in_at(
            &base,
            tenant.as_deref(),
            None,
            RetryPolicy::default().concurrency,
        )
        .await;
        let org = emu.summary["org"].as_str().unwrap_or_default().to_string();
        let started = Instant::now();
        let (loaded, _) = ado_entra::ops::resolve::load(&c, &org).await.expect("load");
        super::verbose(started, "plan loaded");
        let mut plan = loaded.plan;
        plan.accept_all_exact();
        let text = ado_entra::domain::resolve::to_csv(&plan);
        std::fs::write(home.path().join("plan.csv"), text).expect("write");
        let wall = started.elapsed();
        row(
            &format!("resolve --export: {}k users, 50 ms latency", users / 1000),
            secs(wall),
            "<= 5 s",
            Some(wall <= Duration::from_secs(5)),
        );
        row(
            "resolve --export: rows",
            plan.rows.len().to_string(),
            "",
            None,
        );
    });
}

/// A fleet of 50 organizations of 1,000 users on personal accounts, under
/// the emulator's rate limits and 50 ms latency: one checked alone, then
/// all 50 at once (`orgs --check`, its default budget of requests in flight
/// shared; `BENCH_FLEET_REQUESTS=N` to try another).
fn fleet(orgs: usize) {
    use ado_entra::emulator::scenario::Fleet;
    use ado_entra::emulator::{Emulator, EmulatorConfig, Source};
    use ado_entra::ops::fleet::{Settings, Source as Listing, list, survey};
    let start = || async {
        Emulator::start(EmulatorConfig {
            source: Source::Fleet(Fleet {
                orgs,
                users: 1000,
                tenant_users: 2000,
                seed: 1,
                uniform: true,
            }),
            latency_ms: 50,
            auto_approve_default: true,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator")
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let emu = start().await;
        let base = emu.base_url().to_string();
        let (c, paths, _home) =
            signed_in(&base, usize::from(ado_entra::ops::fleet::DEFAULT_REQUESTS)).await;
        let tenant = emu.summary().tenants[0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let to = ado_entra::ops::change::resolve_tenant(
            &c,
            &ado_entra::domain::validate::parse_tenant(&tenant).expect("tenant"),
        )
        .await
        .expect("tenant");
        let settings = Settings {
            asked: Some(Asked::Connect { to }),
            stale_days: 90,
            journal_dir: paths.journal_dir(),
        };
        let names = list(&c, &Listing::Accounts).await.expect("list");
        let quiet = |_: usize, _: &ado_entra::ops::model::FleetOrg| {};
        let started = Instant::now();
        let alone = survey(&c, &names[..1], &settings, &quiet).await;
        let one = started.elapsed();
        // A fresh window: the single check's requests do not count against
        // the fleet's budget.
        emu.shutdown().await;
        let emu = start().await;
        let base = emu.base_url().to_string();
        let (c, paths, _home2) = signed_in(
            &base,
            std::env::var("BENCH_FLEET_REQUESTS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(usize::from(ado_entra::ops::fleet::DEFAULT_REQUESTS)),
        )
        .await;
        let settings = Settings {
            journal_dir: paths.journal_dir(),
            ..settings
        };
        let _ = reqwest::Client::new()
            .post(format!("{base}/_emulator/stats/reset"))
            .send()
            .await;
        let cpu = cpu_seconds();
        let started = Instant::now();
        let done = std::sync::Mutex::new(Vec::new());
        let heard = |i: usize, _: &ado_entra::ops::model::FleetOrg| {
            tracing::info!(org = i, "organization done");
            done.lock().expect("done").push(started.elapsed());
        };
        tracing::info!("fleet survey starts");
        let all = survey(&c, &names, &settings, &heard).await;
        let wall = started.elapsed();
        tracing::info!("fleet survey ends");
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            // When the organizations finished, and the CPU the run took
            // (client and emulator: one process).
            let done = done.into_inner().expect("done");
            let at = |q: usize| secs(done[(done.len() - 1) * q / 100]);
            eprintln!(
                "  organizations done: first {}, median {}, last {}; CPU {:.2} s",
                at(0),
                at(50),
                at(100),
                cpu_seconds() - cpu
            );
        }
        let stats = requests(&base).await;
        // Judging one of them, warm (after the fleet, so its allocations do
        // not change the fleet's run): every check and the prediction over its
        // facts, the directory's index tables built once as the fleet
        // shares them, so only the per-user work is timed.
        let facts = ado_entra::ops::gather::gather(
            &c,
            ado_entra::domain::facts::Operation::Connect {
                destination: tenant.clone(),
            },
            &names[0],
            chrono::Utc::now(),
            Arc::new(|_, _, _: &str| {}),
        )
        .await
        .expect("gather");
        let tables = ado_entra::domain::checks::index_tables(&facts);
        let (judging, _) = time(21, || {
            ado_entra::domain::checks::evaluate_sharing(&facts, tables.as_ref())
                .results
                .len()
        });
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            // Where the requests went: by host, and the directory's listings.
            let mut counts: Vec<(&String, u64)> = stats
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k, v.as_u64()?)))
                .collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            for (k, n) in counts {
                eprintln!("  {n:>6}  {k}");
            }
        }
        let verdict = |o: &ado_entra::ops::model::FleetOrg| o.readiness.as_ref().map(|r| r.verdict);
        let same = all.first().map(verdict) == alone.first().map(verdict);
        let read = all.iter().filter(|o| o.problem.is_none()).count();
        row(
            &format!("fleet: 1 of {orgs} checked alone"),
            secs(one),
            "",
            None,
        );
        row(
            "fleet: judging 1 organization (index shared, warm)",
            ms(judging),
            "",
            None,
        );
        row(
            &format!("fleet: {orgs} x 1,000 users, orgs --check"),
            secs(wall),
            &format!("<= {}", secs(one * 2)),
            Some(wall <= one * 2),
        );
        row(
            "fleet: organizations read / same verdict as alone",
            format!("{read} / {}", if same { "yes" } else { "NO" }),
            &orgs.to_string(),
            Some(read == orgs && same),
        );
        row(
            "fleet: requests / rate-limit delays / 429s",
            format!(
                "{} / {} / {}",
                stats["total"].as_u64().unwrap_or(0),
                stats["ratelimit.delayed"].as_u64().unwrap_or(0),
                stats["ratelimit.blocked"].as_u64().unwrap_or(0)
            ),
            "0 429s",
            Some(stats["ratelimit.blocked"].as_u64().unwrap_or(0) == 0),
        );
        emu.shutdown().await;
    });
}

/// Every row of the group.
pub fn run(wants: &dyn Fn(&str) -> bool) {
    if wants("scale-fleet") {
        fleet(50);
    }
    if wants("scale-resolve-export") {
        resolve_export(50_000, 500_000);
    }
    if wants("scale-50k") {
        check(50_000, 500_000, Duration::from_secs(6));
    }
    if wants("scale-100k") {
        check(100_000, 1_000_000, Duration::from_secs(12));
    }
}
