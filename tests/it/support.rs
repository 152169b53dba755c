//! Shared fixtures: start an emulator, sign in through its real endpoints.

#![allow(dead_code)]

use ado_entra::emulator::{Emulator, EmulatorConfig, Source};
use serde_json::Value;

pub const ADO_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default offline_access";

pub async fn start(name: &str) -> Emulator {
    Emulator::start(EmulatorConfig::scenario(name))
        .await
        .expect("emulator starts")
}

pub async fn start_with(cfg: EmulatorConfig) -> Emulator {
    Emulator::start(cfg).await.expect("emulator starts")
}

pub fn generated(users: usize, tenant_users: usize) -> EmulatorConfig {
    EmulatorConfig {
        source: Source::Generated(ado_entra::emulator::Generate {
            users,
            tenant_users,
            seed: 3,
            connected: false,
            subscribers: 0,
        }),
        ..EmulatorConfig::default()
    }
}

/// A generated organization already connected to its tenant (by support),
/// so the users without a same-UPN account are disconnected.
pub fn generated_connected(users: usize, tenant_users: usize) -> EmulatorConfig {
    EmulatorConfig {
        source: Source::Generated(ado_entra::emulator::Generate {
            users,
            tenant_users,
            seed: 5,
            connected: true,
            subscribers: 0,
        }),
        ..EmulatorConfig::default()
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Tokens from a full device-code sign-in of `who` at `tenant`, approved
/// through the emulator's hook. Returns (access token, refresh token).
pub async fn sign_in(emu: &Emulator, who: &str, tenant: &str, scope: &str) -> (String, String) {
    let tok = device_token(emu, who, tenant, scope, &[]).await;
    (
        tok["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{tok}"))
            .to_string(),
        tok["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// The whole token response of a device-code sign-in of `who` at `tenant`
/// (client `test-client`), approved through the emulator's hook; `extra`
/// goes into the token request's form (e.g. `client_info=1`).
pub async fn device_token(
    emu: &Emulator,
    who: &str,
    tenant: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> Value {
    let c = http();
    let base = emu.base_url();
    let dc: Value = c
        .post(format!("{base}/login/{tenant}/oauth2/v2.0/devicecode"))
        .form(&[("client_id", "test-client"), ("scope", scope)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approve = c
        .post(format!("{base}/_emulator/device/approve"))
        .json(&serde_json::json!({"user_code": dc["user_code"], "upn": who}))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 200);
    let mut form = vec![
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", "test-client"),
        ("device_code", dc["device_code"].as_str().unwrap()),
    ];
    form.extend_from_slice(extra);
    c.post(format!("{base}/login/{tenant}/oauth2/v2.0/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Exchange a refresh token at `tenant` for `scope`.
pub async fn refresh(emu: &Emulator, rt: &str, tenant: &str, scope: &str) -> Value {
    http()
        .post(format!(
            "{}/login/{tenant}/oauth2/v2.0/token",
            emu.base_url()
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "test-client"),
            ("refresh_token", rt),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn get_json(url: &str, token: &str) -> (u16, Value) {
    let r = http()
        .get(url)
        .bearer_auth(token)
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body)
}

pub async fn state(emu: &Emulator) -> Value {
    control(emu, "state").await
}

/// A spawned process (an emulator, the binary) that is killed and reaped
/// when the guard is dropped: at the end of the test, and also when the test
/// panics half way, so no process outlives its test.
pub struct Killed(Option<std::process::Child>);

impl Killed {
    pub fn spawn(c: &mut std::process::Command) -> Killed {
        Killed(Some(
            c.spawn().unwrap_or_else(|e| panic!("spawn {c:?}: {e}")),
        ))
    }

    /// Wait for the process to end by itself; its status and captured output.
    pub fn wait_with_output(mut self) -> std::process::Output {
        let child = self.0.take().expect("not waited for yet");
        child.wait_with_output().unwrap()
    }
}

impl std::ops::Deref for Killed {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("not waited for yet")
    }
}

impl std::ops::DerefMut for Killed {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_mut().expect("not waited for yet")
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Say on the terminal (past the test harness's capture) that the running
/// test was skipped and why: `SKIPPED (reason): module::test`.
pub fn skipped(reason: &str) {
    use std::io::Write;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED ({reason}): {test}");
}

/// Wait until `done()` holds, looking every 20 ms. The bound is a guard
/// against a hang (generous, never a timing under test): past it the test
/// fails naming `what`.
pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// True when the environment variable `name` is set to `1`: CI's way of
/// saying a skip would be a failure.
pub fn required(name: &str) -> bool {
    std::env::var(name).as_deref() == Ok("1")
}

/// PATCH the organization's TenantId (connect, change, or with the all-zero
/// GUID disconnect) as `token`, the way the portal does.
pub async fn set_tenant(emu: &Emulator, org: &str, token: &str, value: &str) -> reqwest::Response {
    http()
        .patch(format!(
            "{}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1",
            emu.base_url()
        ))
        .bearer_auth(token)
        .header("content-type", "application/json-patch+json")
        .body(
            serde_json::json!([{"from": "", "op": 2, "path": "/TenantId", "value": value}])
                .to_string(),
        )
        .send()
        .await
        .unwrap()
}

/// The real binary against an emulator that approves sign-ins as its
/// scenario's default identity, with its own state directory.
pub struct CliEnv {
    pub emu: Emulator,
    pub home: tempfile::TempDir,
    pub org: String,
}

impl CliEnv {
    /// Start `cfg` and sign the binary in with `login` (at `tenant`, or the
    /// default authority), before any fault is switched on.
    pub async fn start(cfg: EmulatorConfig, tenant: Option<&str>) -> CliEnv {
        let env = CliEnv::launch(cfg).await;
        env.login(tenant).await;
        env
    }

    /// [`CliEnv::start`], signed in to the scenario's first tenant.
    pub async fn in_first_tenant(cfg: EmulatorConfig) -> CliEnv {
        let env = CliEnv::launch(cfg).await;
        env.login(Some(&env.tenant())).await;
        env
    }

    pub async fn launch(cfg: EmulatorConfig) -> CliEnv {
        let emu = start_with(EmulatorConfig {
            auto_approve_default: true,
            ..cfg
        })
        .await;
        CliEnv {
            org: emu.summary().org.clone(),
            emu,
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn login(&self, tenant: Option<&str>) {
        let mut args = vec!["login", "--device-code"];
        if let Some(t) = tenant {
            args.extend(["--tenant", t]);
        }
        let out = self.run(&args).await;
        assert!(
            out.status.success(),
            "login: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `login --directory TENANT`: sign in to a directory as an account of
    /// it, kept beside the main sign-in for reading that directory (what an
    /// owner on a personal account does before connecting).
    pub async fn login_directory(&self, tenant: &str) {
        let out = self
            .run(&["login", "--directory", tenant, "--device-code"])
            .await;
        assert!(
            out.status.success(),
            "login --directory {tenant}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The id of the scenario's first tenant.
    pub fn tenant(&self) -> String {
        self.emu.summary().tenants[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ado-entra"));
        c.args(args)
            .env("ADO_ENTRA_HOME", self.home.path())
            .env("ADO_ENTRA_EMULATOR_URL", self.emu.base_url())
            .env_remove("ADO_ENTRA_TENANT");
        c
    }

    pub async fn run(&self, args: &[&str]) -> std::process::Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().unwrap())
            .await
            .unwrap()
    }

    /// `ado-entra resolve --org ORG` with `extra`.
    pub async fn resolve(&self, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["resolve", "--org", &self.org];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// Replace the emulator's faults.
    pub async fn faults(&self, faults: &[&str]) {
        let r = http()
            .post(format!("{}/_emulator/faults", self.emu.base_url()))
            .json(&serde_json::json!({ "faults": faults }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{faults:?}");
    }

    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join(name)
    }

    /// `resolve --export plan.csv`, which must succeed: the file and its text.
    pub async fn export_plan(&self) -> (std::path::PathBuf, String) {
        let plan = self.file("plan.csv");
        let out = self.resolve(&["--export", plan.to_str().unwrap()]).await;
        assert!(
            out.status.success(),
            "export: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&plan).unwrap();
        (plan, text)
    }
}

/// Run `c` with `stdin` piped in, stdout and stderr captured.
pub fn run_with_stdin(mut c: std::process::Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Killed::spawn(
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output()
}

/// [`run_with_stdin`] off the async runtime's threads.
pub async fn run_with_stdin_async(
    c: std::process::Command,
    stdin: &'static str,
) -> std::process::Output {
    tokio::task::spawn_blocking(move || run_with_stdin(c, stdin))
        .await
        .unwrap()
}

/// A control endpoint's JSON (`/_emulator/{path}`).
pub async fn control(emu: &Emulator, path: &str) -> Value {
    http()
        .get(format!("{}/_emulator/{path}", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
