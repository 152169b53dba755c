//! Unattended sign-in through the binary against the `unattended` scenario:
//! service principal (secret, certificate), workload identity federation,
//! managed identity (instance metadata and App Service endpoints), `--auto`,
//! each Entra error explained, a CI run with only environment variables, and
//! the credential file's safety (symlinks, permissions, invalid PATs).

use std::process::{Command, Output};

use base64::Engine;
use serde_json::{Value, json};

use crate::support;

const ORG: &str = "fabrikam-ops";
const CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/fixtures/sp-certificate.pem"
);
const GITHUB: &str = "https://token.actions.githubusercontent.com";
const MAIN_BRANCH: &str = "repo:fabrikam/platform:ref:refs/heads/main";

/// Every variable an unattended run could pick up from the machine running the tests.
const CLEARED: [&str; 13] = [
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_DEVOPS_EXT_PAT",
    "ADO_ENTRA_TENANT",
    "ADO_ENTRA_CLIENT_ID",
    "ADO_ENTRA_EMULATOR_URL",
    "ADO_ENTRA_HOME",
];

struct Env {
    emu: ado_entra::emulator::Emulator,
    home: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

impl Env {
    async fn new() -> Env {
        Env {
            emu: support::start("unattended").await,
            home: tempfile::tempdir().unwrap(),
            vars: Vec::new(),
        }
    }

    fn sp(&self) -> &Value {
        self.emu
            .summary()
            .service_principal
            .as_ref()
            .expect("the scenario has a service principal")
    }

    fn set(&mut self, k: &str, v: &str) -> &mut Self {
        self.vars.push((k.to_string(), v.to_string()));
        self
    }

    /// The service principal's ids in the environment (no proof yet).
    fn sp_ids(&mut self) -> &mut Self {
        let (c, t) = (
            self.sp()["client_id"].as_str().unwrap().to_string(),
            self.sp()["tenant_id"].as_str().unwrap().to_string(),
        );
        self.set("AZURE_CLIENT_ID", &c).set("AZURE_TENANT_ID", &t)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ado-entra"));
        for k in CLEARED {
            c.env_remove(k);
        }
        c.args(args)
            .env("ADO_ENTRA_HOME", self.home.path())
            .env("ADO_ENTRA_EMULATOR_URL", self.emu.base_url())
            .env("NO_COLOR", "1");
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_with(self.command(args), "").await
    }

    async fn run_with(&self, c: Command, stdin: &'static str) -> Output {
        support::run_with_stdin_async(c, stdin).await
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// The last JSON line `login --json` prints.
fn login_result(o: &Output) -> Value {
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    serde_json::from_str(&last).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// `check`, `audit` and `verify` all work for an app identity, and the
/// changes a person must make are refused with the reason.
async fn reads_work_and_changes_are_refused(env: &Env, kind: &str) {
    let check = env.run(&["check", "--org", ORG, "--json"]).await;
    assert!(
        matches!(check.status.code(), Some(0 | 3)),
        "{}",
        text(&check)
    );
    let v = json_out(&check);
    assert!(v["checks"].as_array().is_some_and(|c| !c.is_empty()), "{v}");

    let audit = env.run(&["audit", "--org", ORG, "--json"]).await;
    assert!(
        matches!(audit.status.code(), Some(0 | 3)),
        "{}",
        text(&audit)
    );
    assert!(json_out(&audit)["findings"].is_array());

    let tenant = env.emu.summary().tenants[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let orgs = env.run(&["orgs", "--tenant", &tenant, "--json"]).await;
    ok(&orgs);
    assert_eq!(json_out(&orgs)["organizations"][0]["name"], ORG);

    let verify = env.run(&["verify", "--org", ORG, "--json"]).await;
    ok(&verify);
    assert_eq!(json_out(&verify)["ok"], true);
    assert!(
        String::from_utf8_lossy(&verify.stderr).contains("proves its own access only"),
        "{}",
        text(&verify)
    );

    for args in [
        vec!["disconnect", "--org", ORG, "--yes"],
        vec!["resolve", "--org", ORG, "--accept-exact", "--yes"],
    ] {
        let out = env.run(&args).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("must be run by a person")
                && err.contains(kind)
                && err.contains("learn.microsoft.com"),
            "{err}"
        );
    }
    // Nothing changed.
    let state = support::state(&env.emu).await;
    assert!(state["org"]["tenant"].is_string(), "{state}");
}

#[tokio::test]
async fn service_principal_with_a_secret_signs_in_checks_audits_and_verifies() {
    let mut env = Env::new().await;
    let secret = env.sp()["secret"].as_str().unwrap().to_string();
    env.sp_ids().set("AZURE_CLIENT_SECRET", &secret);
    let out = env.run(&["login", "--service-principal", "--json"]).await;
    ok(&out);
    let v = login_result(&out);
    assert_eq!(v["result"]["method"], "service-principal");
    assert_eq!(v["result"]["identity_kind"], "service-principal");
    assert_eq!(v["result"]["client_id"], env.sp()["client_id"]);
    assert_eq!(v["result"]["store"]["kind"], "file");
    assert!(!text(&out).contains(&secret), "the secret was printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.home.path().join("tokens.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The saved sign-in works without the variables.
    env.vars.clear();
    let who = env.run(&["whoami", "--json"]).await;
    ok(&who);
    let w = json_out(&who);
    assert_eq!(w["method"], "service-principal");
    assert_eq!(w["store"]["kind"], "file");
    reads_work_and_changes_are_refused(&env, "a service principal").await;
    // The service principal is an Azure DevOps user with an `aadsp.`
    // descriptor, listed with its entitlement as an application.
    let (owner, _) = support::sign_in(
        &env.emu,
        "owner@fabrikam.com",
        env.sp()["tenant_id"].as_str().unwrap(),
        support::ADO_SCOPE,
    )
    .await;
    let (status, list) = support::get_json(
        &format!(
            "{}/vsaex/{ORG}/_apis/userentitlements?api-version=7.1",
            env.emu.base_url()
        ),
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let sp = list["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["originId"] == env.sp()["object_id"])
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        sp["user"]["descriptor"]
            .as_str()
            .unwrap()
            .starts_with("aadsp.")
    );
    assert_eq!(sp["user"]["metaType"], "application");
    assert_eq!(sp["accessLevel"]["licenseDisplayName"], "Basic");
}

#[tokio::test]
async fn ci_runs_check_with_only_environment_variables() {
    let mut env = Env::new().await;
    let secret = env.sp()["secret"].as_str().unwrap().to_string();
    env.sp_ids().set("AZURE_CLIENT_SECRET", &secret);
    let out = env.run(&["check", "--org", ORG, "--json"]).await;
    assert!(matches!(out.status.code(), Some(0 | 3)), "{}", text(&out));
    let v = json_out(&out);
    assert_eq!(v["org"], ORG, "{v}");
    assert!(v["checks"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(!text(&out).contains(&secret));
    // Nothing was saved: the environment is read at each command.
    assert!(!env.home.path().join("tokens.json").exists());
    let who = json_out(&env.run(&["whoami", "--json"]).await);
    assert_eq!(who["store"]["kind"], "environment", "{who}");
    assert_eq!(who["method"], "service-principal");
}

#[tokio::test]
async fn service_principal_with_a_certificate_signs_in_and_verifies() {
    let mut env = Env::new().await;
    env.sp_ids().set("AZURE_CLIENT_CERTIFICATE_PATH", CERT);
    let out = env.run(&["login", "--service-principal", "--json"]).await;
    ok(&out);
    assert_eq!(login_result(&out)["result"]["method"], "service-principal");
    env.vars.clear();
    reads_work_and_changes_are_refused(&env, "a service principal").await;
}

/// A token as GitHub Actions' OIDC provider would issue it (unsigned here:
/// the emulator, like an offline Entra, cannot fetch the issuer's keys).
fn federated_token(subject: &str) -> String {
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = chrono::Utc::now().timestamp();
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(json!({"alg": "RS256", "typ": "JWT", "kid": "github"})),
        b64(
            json!({"iss": GITHUB, "sub": subject, "aud": "api://AzureADTokenExchange", "iat": now, "nbf": now, "exp": now + 300})
        )
    )
}

#[tokio::test]
async fn workload_identity_federation_signs_in_and_verifies() {
    let mut env = Env::new().await;
    let file = env.home.path().join("oidc-token");
    std::fs::write(&file, federated_token(MAIN_BRANCH)).unwrap();
    env.sp_ids()
        .set("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap());
    let out = env.run(&["login", "--workload-identity", "--json"]).await;
    ok(&out);
    assert_eq!(login_result(&out)["result"]["method"], "workload-identity");
    // Refreshes re-read the file (the platform rotates it): keep it there.
    reads_work_and_changes_are_refused(&env, "a service principal").await;
}

#[tokio::test]
async fn managed_identity_from_the_metadata_endpoint_and_app_service() {
    let env = Env::new().await;
    let out = env.run(&["login", "--managed-identity", "--json"]).await;
    ok(&out);
    let v = login_result(&out);
    assert_eq!(v["result"]["method"], "managed-identity");
    assert_eq!(
        v["result"]["client_id"],
        env.emu.summary().managed_identity.as_ref().unwrap()["client_id"]
    );
    reads_work_and_changes_are_refused(&env, "a managed identity").await;
    // It cannot act in another directory, and says so instead of reading its own.
    let contoso = env.emu.summary().tenants[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env.run(&["orgs", "--tenant", &contoso]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("its own directory only"),
        "{}",
        text(&out)
    );

    // App Service / Container Apps: IDENTITY_ENDPOINT + IDENTITY_HEADER, a
    // user-assigned identity picked with --client-id; no login saved.
    let mut env = Env::new().await;
    let header = env.emu.summary().managed_identity.as_ref().unwrap()["identity_header"]
        .as_str()
        .unwrap()
        .to_string();
    let endpoint = format!("{}/msi/token", env.emu.base_url());
    env.set("IDENTITY_ENDPOINT", &endpoint)
        .set("IDENTITY_HEADER", &header)
        .set("AZURE_CLIENT_ID", "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e");
    let verify = env.run(&["verify", "--org", ORG, "--json"]).await;
    ok(&verify);
    assert!(!env.home.path().join("tokens.json").exists());
    // A wrong header is refused by the endpoint, and said so.
    let mut bad = Env::new().await;
    bad.set(
        "IDENTITY_ENDPOINT",
        &format!("{}/msi/token", bad.emu.base_url()),
    )
    .set("IDENTITY_HEADER", "not-the-header");
    let out = bad.run(&["login", "--managed-identity"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no managed identity is available"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn auto_tries_in_order_and_says_which_it_used() {
    // Nothing in the environment: the managed identity answers.
    let env = Env::new().await;
    let out = env.run(&["login", "--auto", "--json"]).await;
    ok(&out);
    let v = login_result(&out);
    assert_eq!(v["result"]["method"], "managed-identity");
    let log = v["result"]["auto"].as_array().unwrap();
    let names: Vec<&str> = log
        .iter()
        .map(|l| l["credential"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "environment (service principal)",
            "workload identity",
            "managed identity"
        ]
    );
    assert_eq!(log[2]["result"], "used");
    assert!(String::from_utf8_lossy(&out.stderr).contains("managed identity: used"));

    // A service principal in the environment comes first.
    let mut env = Env::new().await;
    let secret = env.sp()["secret"].as_str().unwrap().to_string();
    env.sp_ids().set("AZURE_CLIENT_SECRET", &secret);
    let out = env.run(&["login", "--auto", "--json"]).await;
    ok(&out);
    assert_eq!(login_result(&out)["result"]["method"], "service-principal");
}

/// Each Entra refusal the emulator produces, as ado-entra explains it.
#[tokio::test]
async fn each_entra_error_is_produced_and_explained_with_its_fix() {
    let env0 = Env::new().await;
    let tenant = env0.sp()["tenant_id"].as_str().unwrap().to_string();
    let client = env0.sp()["client_id"].as_str().unwrap().to_string();
    let token_file = env0.home.path().join("oidc-token");
    std::fs::write(
        &token_file,
        federated_token("repo:fabrikam/platform:pull_request"),
    )
    .unwrap();
    // (error code, variables that provoke it, login flag)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "AADSTS7000215",
            vec![("AZURE_CLIENT_SECRET", "emu~wrong.secret-9999".into())],
            "--service-principal",
        ),
        (
            "AADSTS7000222",
            vec![(
                "AZURE_CLIENT_SECRET",
                "emu~pipeline.secret_expired-0000".into(),
            )],
            "--service-principal",
        ),
        (
            "AADSTS700016",
            vec![
                ("AZURE_CLIENT_SECRET", "emu~whatever-0003".into()),
                (
                    "AZURE_CLIENT_ID",
                    "9d9d9d9d-0000-4000-8000-000000000000".into(),
                ),
            ],
            "--service-principal",
        ),
        (
            "AADSTS70021",
            vec![(
                "AZURE_FEDERATED_TOKEN_FILE",
                token_file.to_str().unwrap().to_string(),
            )],
            "--workload-identity",
        ),
    ];
    for (code, vars, flag) in cases {
        let mut c = env0.command(&["login", flag]);
        c.env("AZURE_CLIENT_ID", &client)
            .env("AZURE_TENANT_ID", &tenant);
        for (k, v) in &vars {
            c.env(k, v);
        }
        let out = env0.run_with(c, "").await;
        assert_eq!(out.status.code(), Some(1), "{code}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{code}: {err}");
        assert!(
            err.contains(&format!("ado-entra explain {code}")),
            "{code}: {err}"
        );
        for (k, v) in &vars {
            if k.contains("SECRET") {
                assert!(!err.contains(v.as_str()), "{code}: the secret was printed");
            }
        }
        // The knowledge base explains it, with the fix and a public source.
        let explain = env0.run(&["explain", code, "--json"]).await;
        ok(&explain);
        let e = json_out(&explain);
        let entry = &e["match"];
        assert_eq!(entry["id"], code, "{e}");
        assert!(
            entry["source"]
                .as_str()
                .unwrap()
                .contains("learn.microsoft.com"),
            "{e}"
        );
        assert!(!entry["fix"].as_array().unwrap().is_empty());
    }
    assert!(!env0.home.path().join("tokens.json").exists());
}

#[tokio::test]
async fn pats_are_proven_before_saving_and_junk_is_invalid_not_missing() {
    let env = Env::new().await;
    let login_stdin = |pat: &'static str| {
        let c = env.command(&["login", "--pat-stdin"]);
        env.run_with(c, pat)
    };
    let out = login_stdin("unattendedexpiredpat00000000000000000000000000000000\n").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("it has expired"),
        "{}",
        text(&out)
    );
    let out = login_stdin("unattendeddisconnectedpat0000000000000000000000000000\n").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reaches no organization"),
        "{}",
        text(&out)
    );
    let out = login_stdin("unattendedwrongpat000000000000000000000000000000000\n").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        !env.home.path().join("tokens.json").exists(),
        "nothing saved"
    );
    let out = login_stdin("unattendedownerpat0000000000000000000000000000000000\n").await;
    ok(&out);

    // Junk in AZURE_DEVOPS_EXT_PAT is invalid, not missing, and never echoed.
    let mut junk = Env::new().await;
    junk.set("AZURE_DEVOPS_EXT_PAT", "my pat is here");
    for args in [vec!["check", "--org", ORG, "--json"], vec!["login"]] {
        let out = junk.run(&args).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let all = text(&out);
        assert!(
            all.contains("AZURE_DEVOPS_EXT_PAT is invalid")
                && !all.contains("no personal access token found"),
            "{all}"
        );
        assert!(!all.contains("my pat is here"), "{all}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_token_file_is_never_written_through_a_symlink_and_open_dirs_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Env::new().await;
    let secret = env.sp()["secret"].as_str().unwrap().to_string();
    env.sp_ids().set("AZURE_CLIENT_SECRET", &secret);
    let victim = env.home.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, env.home.path().join("tokens.json")).unwrap();
    let out = env.run(&["login", "--service-principal"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("symbolic link") && err.contains("rm "),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!err.contains(&secret));

    std::fs::remove_file(env.home.path().join("tokens.json")).unwrap();
    std::fs::set_permissions(env.home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env.run(&["login", "--service-principal"]).await;
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was readable by other users") && err.contains("0700"),
        "{err}"
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(env.home.path()), 0o700);
    assert_eq!(mode(&env.home.path().join("tokens.json")), 0o600);
}

#[tokio::test]
async fn bad_settings_are_named_before_any_request() {
    let env = Env::new().await;
    // A tenant that is neither a GUID nor a domain.
    let out = env
        .run(&["login", "--device-code", "--tenant", "not a tenant!"])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tenant"));
    let stats = support::control(&env.emu, "stats").await;
    assert!(stats.get("login").is_none(), "a request was sent: {stats}");

    // An empty emulator URL is an error, not real Azure.
    let mut c = env.command(&["whoami"]);
    c.env("ADO_ENTRA_EMULATOR_URL", "");
    let out = env.run_with(c, "").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("set but empty"),
        "{}",
        text(&out)
    );

    // An ADO_ENTRA_HOME that cannot be a directory is named as such.
    let file = env.home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let mut c = env.command(&["login", "--managed-identity"]);
    c.env("ADO_ENTRA_HOME", file.join("state"));
    let out = env.run_with(c, "").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ADO_ENTRA_HOME=") && err.contains("is not writable"),
        "{err}"
    );
}

#[tokio::test]
async fn the_first_json_line_names_the_service_principal() {
    let env = Env::new().await;
    let line = serde_json::to_value(env.emu.summary()).unwrap();
    let sp = &line["service_principal"];
    for k in ["client_id", "tenant_id", "secret"] {
        assert!(sp[k].as_str().is_some_and(|v| !v.is_empty()), "{line}");
    }
    // Scenarios without one print no such key.
    let ready = support::start("ready").await;
    let line = serde_json::to_value(ready.summary()).unwrap();
    assert!(line.get("service_principal").is_none(), "{line}");
}
