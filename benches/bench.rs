//! `cargo bench --bench bench`: prints a table of the figures docs/performance.md
//! tracks. A plain binary (no harness) so it runs anywhere without extra crates;
//! each figure is the median of several runs. Targets are printed beside the
//! figures; nothing here fails a build.

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
    println!("| {name:<44} | {figure:>14} | {target:<12} | {verdict:<6} |");
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    println!(
        "| {:<44} | {:>14} | {:<12} | {:<6} |",
        "benchmark", "figure", "target", ""
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(46),
        "-".repeat(16),
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
