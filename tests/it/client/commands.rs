//! `ado-entra login / logout / whoami` as a user runs them.

use std::process::{Command, Output, Stdio};

use super::mock;

fn cmd(home: &std::path::Path, base: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ado-entra"));
    c.env("ADO_ENTRA_HOME", home)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env_remove("ADO_ENTRA_EMULATOR_URL")
        .env_remove("ADO_ENTRA_TENANT")
        .env_remove("ADO_ENTRA_CLIENT_ID");
    if let Some(b) = base {
        c.env("ADO_ENTRA_EMULATOR_URL", b);
    }
    c
}

fn run(c: Command, stdin: &str) -> Output {
    crate::support::run_with_stdin(c, stdin)
}

async fn run_async(c: Command, stdin: &'static str) -> Output {
    crate::support::run_with_stdin_async(c, stdin).await
}

#[test]
fn pat_on_the_command_line_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), None);
    c.args(["login", "--pat", "abc"]);
    let out = run(c, "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AZURE_DEVOPS_EXT_PAT") && err.contains("--pat-stdin"),
        "{err}"
    );
    assert!(!home.path().join("tokens.json").exists());
}

/// The `ready` scenario's PAT (valid, owned by an organization user).
const READY_PAT: &str = "ready-ann-pat-0001";

/// `login --pat-stdin` with [`READY_PAT`], which must succeed.
async fn pat_login(home: &std::path::Path, base: Option<&str>, extra: &[&str]) -> Output {
    let mut c = cmd(home, base);
    c.args(["login", "--pat-stdin"]).args(extra);
    let out = run_async(c, "ready-ann-pat-0001\n").await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test]
async fn pat_from_stdin_then_whoami_then_logout() {
    let emu = crate::support::start("ready").await;
    let base = Some(emu.base_url());
    let home = tempfile::tempdir().unwrap();
    let out = pat_login(home.path(), base, &["--json"]).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains(READY_PAT));
    let cache = home.path().join("tokens.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let mut c = cmd(home.path(), base);
    c.args(["whoami", "--json"]);
    let out = run_async(c, "").await;
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["method"], "pat");
    assert_eq!(v["tokens"]["pat"], true);
    assert_eq!(v["store"]["kind"], "file");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(READY_PAT));

    let mut c = cmd(home.path(), base);
    c.arg("logout");
    assert_eq!(run_async(c, "").await.status.code(), Some(0));
    assert!(!cache.exists());
    let mut c = cmd(home.path(), base);
    c.arg("whoami");
    let out = run_async(c, "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ado-entra login"));
}

#[tokio::test]
async fn a_corrupt_cache_does_not_block_a_new_login() {
    let emu = crate::support::start("ready").await;
    let base = Some(emu.base_url());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("tokens.json"), "{corrupt").unwrap();
    let mut c = cmd(home.path(), base);
    c.arg("whoami");
    let out = run_async(c, "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("logout"));
    pat_login(home.path(), base, &[]).await;
}

#[test]
fn conflicting_methods_are_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), None);
    c.args(["login", "--browser", "--device-code"]);
    assert_eq!(run(c, "").status.code(), Some(2));
}

#[test]
fn insecure_emulator_url_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), Some("http://example.com"));
    c.args(["login", "--device-code", "--json"]);
    let out = run(c, "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("loopback"));
}

#[tokio::test]
async fn device_code_login_json_then_whoami_reads_graph() {
    let s = mock::start().await;
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), Some(&s.base));
    c.args(["login", "--device-code", "--json"]);
    let out = run_async(c, "").await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["user_code"], "ABCD-EFGH");
    assert_eq!(lines[0]["expires_in"], 900);
    assert!(lines[0]["verification_uri"].is_string());
    assert_eq!(lines[1]["ok"], true);
    assert_eq!(lines[1]["result"]["upn"], mock::UPN);
    assert_eq!(lines[1]["result"]["tenant_id"], mock::TENANT);

    let mut c = cmd(home.path(), Some(&s.base));
    c.args(["whoami", "--json"]);
    let out = run_async(c, "").await;
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["user_type"], "Member");
    assert!(v["tokens"]["azure_devops"]["expires_at"].is_string());
    assert!(v["tokens"]["graph"]["expires_at"].is_string());
}

#[cfg(unix)]
#[tokio::test]
async fn azure_cli_login_uses_az_on_path() {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().unwrap();
    let az = bin.path().join("az");
    let s = mock::start().await;
    let token = mock::mint(&s.mock, "az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/args.log\"\nprintf '%s' '{{\"accessToken\":\"{token}\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":4070908800,\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}'\n",
            mock::TENANT
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), Some(&s.base));
    c.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
    c.args(["login", "--azure-cli", "--json"]);
    let out = run_async(c, "").await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["method"], "azure-cli");
    assert_eq!(v["result"]["upn"], mock::UPN);
    let args = std::fs::read_to_string(bin.path().join("args.log")).unwrap();
    assert!(
        args.contains("--resource 499b84ac-1321-427f-aa17-267ca6975798"),
        "{args}"
    );
    assert!(
        args.contains("--resource https://graph.microsoft.com"),
        "{args}"
    );

    // Without az on PATH the error says so.
    let mut c = cmd(home.path(), Some(&s.base));
    c.env("PATH", "/nonexistent");
    c.args(["login", "--azure-cli"]);
    let out = run_async(c, "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on PATH"));
}

#[tokio::test]
async fn browser_login_with_no_browser_prints_the_url() {
    use std::io::BufRead;
    let s = mock::start().await;
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path(), Some(&s.base));
    c.args(["login", "--browser", "--no-browser", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = crate::support::Killed::spawn(&mut c);
    let stderr = child.stderr.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.starts_with("http"))
    })
    .await
    .unwrap()
    .expect("the authorize URL on stderr");
    assert!(
        url.contains("/login/organizations/oauth2/v2.0/authorize?"),
        "{url}"
    );
    // Be the browser: the authorize endpoint redirects to the loopback listener.
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("close this tab"));
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["method"], "browser");
}
