//! Output safety through the binary: names from the directory that carry
//! escape sequences, BEL and bidirectional overrides never reach the
//! terminal; the CSV export defuses every cell a spreadsheet would run and
//! the import reads it back exactly; a bad or enormous plan file is refused
//! with the file, the limit or the line; an existing export is not replaced
//! unasked; `audit` with warnings only exits 0.

use std::process::Output;

use ado_entra::emulator::{EmulatorConfig, Source};
use serde_json::Value;

use crate::support::CliEnv as Env;

/// A name that tries to set the window title, clear the screen, ring the
/// bell and reverse what follows it.
const HOSTILE: &str = "Mal\u{1b}]0;pwned\u{7}lory \u{202e}gnp.exe\u{1b}[2J";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_clean(what: &str, o: &Output) {
    let t = text(o);
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(
            !t.contains(bad),
            "{what}: {bad:?} reached the terminal:\n{t}"
        );
    }
}

/// `resolve-traps` with a hostile directory name, a hostile user on both
/// sides, and addresses a spreadsheet would run (`=cmd|…`, `-frank@…`).
async fn hostile(dir: &std::path::Path) -> Env {
    let mut s: Value =
        serde_json::from_str(include_str!("../../../assets/scenarios/resolve-traps.json")).unwrap();
    s["name"] = "hostile".into();
    s["tenants"][0]["display_name"] = "Contoso\u{1b}[31m\u{202e}\u{7}".into();
    let users = s["tenants"][0]["users"].as_array_mut().unwrap();
    users.push(serde_json::json!({"upn": "mallory@contoso.com", "display_name": HOSTILE, "mail": "mallory@contoso.com"}));
    users.push(serde_json::json!({"upn": "frank.minus@contoso.com", "display_name": "Frank Minus", "mail": "-frank@outlook.com"}));
    let org = s["org"]["users"].as_array_mut().unwrap();
    org.push(serde_json::json!({"email": "mallory@outlook.com", "display_name": HOSTILE, "last_access_days": 3}));
    org.push(serde_json::json!({"email": "=cmd|calc@gmail.com", "display_name": "+Formula", "last_access_days": 3}));
    org.push(serde_json::json!({"email": "-frank@outlook.com", "display_name": "Frank Minus", "last_access_days": 3}));
    let path = dir.join("hostile.json");
    std::fs::write(&path, s.to_string()).unwrap();
    Env::in_first_tenant(EmulatorConfig {
        source: Source::Named(path.display().to_string()),
        ..EmulatorConfig::default()
    })
    .await
}

#[tokio::test]
async fn names_from_the_directory_reach_no_terminal_as_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let env = hostile(dir.path()).await;
    let out = env.resolve(&[]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_clean("resolve", &out);
    let t = text(&out);
    // Shown, visibly marked, by name.
    assert!(
        t.contains("Mal\u{fffd}]0;pwned\u{fffd}lory \u{fffd}gnp.exe\u{fffd}[2J"),
        "{t}"
    );
    assert!(t.contains("(directory Contoso\u{fffd}[31m"), "{t}");
    for args in [
        vec!["check", "--org", &env.org],
        vec!["audit", "--org", &env.org],
        vec!["verify", "--org", &env.org],
        vec!["whoami"],
    ] {
        let out = env.run(&args).await;
        assert_clean(&args.join(" "), &out);
    }
    // JSON keeps the data exact (JSON escapes control characters itself).
    let out = env.resolve(&["--json"]).await;
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\u001b]0;pwned"));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn audit_with_warnings_only_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let env = hostile(dir.path()).await;
    let out = env.run(&["audit", "--org", &env.org, "--json"]).await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"warn"), "{v}");
    assert!(!statuses.contains(&"fail"), "{v}");
    assert_eq!(out.status.code(), Some(0), "{v}");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn the_csv_defuses_every_cell_and_the_import_reads_it_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let env = hostile(dir.path()).await;
    let (plan, csv) = env.export_plan().await;
    let line = |who: &str| {
        csv.lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("{who}: {csv}"))
            .to_string()
    };
    assert!(line("calc@gmail.com").contains(",'=cmd|calc@gmail.com,'+Formula,"));
    assert!(line("frank@outlook.com").contains(",'-frank@outlook.com,Frank Minus,map,"));
    // No control character, and human words rather than internal tags.
    assert!(
        !csv.contains('\u{1b}') && !csv.contains('\u{202e}'),
        "{csv}"
    );
    assert!(line("kim.lee@hotmail.com").contains("[the account is disabled]"));
    assert!(!csv.contains("best_candidate_disabled"), "{csv}");

    // Invite the `-frank` address: the quote is gone again on import.
    let edited = csv.replace(
        &line("frank@outlook.com"),
        &line("frank@outlook.com").replace(",map,", ",invite,"),
    );
    std::fs::write(&plan, edited).unwrap();
    let out = env
        .resolve(&["--import", plan.to_str().unwrap(), "--dry-run", "--json"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = v["jobs"].to_string();
    assert!(jobs.contains("\"-frank@outlook.com\""), "{jobs}");
    assert!(!jobs.contains("'-frank"), "{jobs}");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn a_plan_file_is_refused_with_its_name_its_limit_or_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let env = hostile(dir.path()).await;
    let (plan, csv) = env.export_plan().await;
    let p = plan.to_str().unwrap();

    // An export never replaces a file unasked; the error gives the command.
    let out = env.resolve(&["--export", p]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("already exists"), "{t}");
    assert!(
        t.contains(&format!(
            "ado-entra resolve --org {} --export {p} --force",
            env.org
        )),
        "{t}"
    );
    std::fs::write(&plan, "edited").unwrap();
    let out = env.resolve(&["--export", p, "--force"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), csv);

    // Anything larger than a plan can be: refused at once, by name and limit.
    #[cfg(unix)]
    {
        let out = env.resolve(&["--import", "/dev/zero", "--dry-run"]).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let t = text(&out);
        assert!(t.contains("/dev/zero is larger than 64 MiB"), "{t}");
    }

    // A row cut short is an error naming its line, and nothing is applied.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let cut: Vec<&str> = lines[3].split(',').take(3).collect();
    lines[3] = cut.join(",");
    let short = dir.path().join("short.csv");
    std::fs::write(&short, lines.join("\n")).unwrap();
    let out = env
        .resolve(&["--import", short.to_str().unwrap(), "--dry-run"])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("line 4: the row has 3 of the header's 8 columns"),
        "{t}"
    );

    // A mapping to a disabled account is allowed, and warned by line.
    let (n, kim) = csv
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("kim.lee@hotmail.com"))
        .unwrap();
    let edited = csv.replace(kim, &kim.replace(",review,", ",map,"));
    std::fs::write(&plan, edited).unwrap();
    let out = env.resolve(&["--import", p, "--dry-run"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    let want = format!(
        "line {}, column target_object_id: maps Kim Lee to kim.lee@contoso.com, a disabled account",
        n + 1
    );
    assert!(t.contains(&format!("warning: {p}:{want}")), "{t}");
    assert!(t.contains("1 warning to look at before applying"), "{t}");
    let out = env.resolve(&["--import", p, "--dry-run", "--json"]).await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"][0]["line"], n as u64 + 1, "{v}");
    env.emu.shutdown().await;
}
