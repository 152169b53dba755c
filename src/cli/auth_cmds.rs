//! `login`, `logout` and `whoami`: headless sign-in commands.
//!
//! Exit codes: 0 ok, 1 error, 2 usage. With `--json`, stdout carries one JSON
//! object per line (the device-code prompt, then the result); human text goes
//! to stderr.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

use super::GlobalArgs;
use crate::client::auth::app::{self, AppAuth, AppIdentity};
use crate::client::auth::{
    self, AuthError, OAuthClient, OAuthConfig, SignInMethod, TokenCache, TokenProvider, browser,
    pat, signin,
};
use crate::client::{
    AdoClient, ClientError, ClientSettings, Clients, Endpoints, HttpCore, RetryPolicy,
};
use crate::domain::identity::{IdentityKind, PersonOnly};
use crate::paths::StatePaths;

/// `ado-entra login`.
#[derive(Debug, Args)]
#[group(skip)]
pub struct LoginArgs {
    /// Sign in with a code shown here, entered on another device (default).
    #[arg(long, group = "method")]
    pub device_code: bool,
    /// Sign in through the browser (authorization code + PKCE, loopback redirect).
    #[arg(long, group = "method")]
    pub browser: bool,
    /// Read a personal access token from stdin (Azure DevOps only; no Graph).
    #[arg(long, group = "method")]
    pub pat_stdin: bool,
    /// Reuse the Azure CLI's sign-in (`az account get-access-token`).
    #[arg(long, group = "method")]
    pub azure_cli: bool,
    /// Sign in as a service principal: AZURE_CLIENT_ID (or --client-id),
    /// AZURE_TENANT_ID (or --tenant), and AZURE_CLIENT_SECRET or
    /// AZURE_CLIENT_CERTIFICATE_PATH (a PEM with the RSA key). Never a secret on argv.
    #[arg(long, group = "method")]
    pub service_principal: bool,
    /// Sign in by workload identity federation: the token in
    /// AZURE_FEDERATED_TOKEN_FILE (GitHub Actions, AKS), with AZURE_CLIENT_ID
    /// and AZURE_TENANT_ID.
    #[arg(long, group = "method")]
    pub workload_identity: bool,
    /// Sign in as this machine's managed identity (instance metadata endpoint,
    /// or IDENTITY_ENDPOINT/IDENTITY_HEADER on App Service and Container Apps);
    /// --client-id picks a user-assigned one.
    #[arg(long, group = "method")]
    pub managed_identity: bool,
    /// Try the unattended credentials in DefaultAzureCredential's order
    /// (environment service principal, workload identity, managed identity,
    /// Azure CLI), then AZURE_DEVOPS_EXT_PAT, and say which one was used.
    #[arg(long, group = "method")]
    pub auto: bool,
    /// With --pat-stdin: prove the token against this organization instead of
    /// the profile (for a token scoped to one organization).
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Do not open a browser; print the URL instead.
    #[arg(long)]
    pub no_browser: bool,
    /// Machine-readable output: one JSON object per line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Refused: a PAT on the command line leaks to `ps` and shell history.
    #[arg(long, hide = true, value_name = "PAT", num_args = 0..=1)]
    pub pat: Option<Option<String>>,
    /// Refused: a client secret on the command line leaks the same way.
    #[arg(long, alias = "secret", hide = true, value_name = "SECRET", num_args = 0..=1)]
    pub client_secret: Option<Option<String>>,
}

/// `ado-entra whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Report a failure the way every command does (`--json`: on stdout).
fn fail(json: bool, e: super::CliError) -> ExitCode {
    let e = e.json(json);
    super::report_error(&e);
    ExitCode::from(e.code)
}

fn client_failure(e: ClientError) -> super::CliError {
    super::check::client_error(e)
}

fn other_failure(e: &dyn std::fmt::Display) -> super::CliError {
    super::CliError::error(e.to_string())
}

/// The client settings the global options carry. An emulator URL variable
/// that is set but empty stays set (and empty), so it is refused rather than
/// read as "use Azure".
pub fn settings(global: &GlobalArgs) -> ClientSettings {
    let emulator_url = global.emulator_url.clone().or_else(|| {
        std::env::var_os("ADO_ENTRA_EMULATOR_URL")
            .filter(|v| v.to_string_lossy().trim().is_empty())
            .map(|_| String::new())
    });
    ClientSettings {
        emulator_url,
        client_id: global.client_id.clone(),
        tenant: global.tenant.clone(),
    }
}

/// Check `--tenant` locally (a GUID, a domain, or an authority alias) before
/// any request is sent.
fn validate_tenant(global: &GlobalArgs) -> Result<(), AuthError> {
    match global.tenant.as_deref().map(str::trim) {
        None => Ok(()),
        Some("organizations" | "common" | "consumers") => Ok(()),
        Some(t) => crate::domain::validate::parse_tenant(t)
            .map(|_| ())
            .map_err(|e| AuthError::InvalidTenant {
                source_name: "--tenant (or ADO_ENTRA_TENANT)".into(),
                reason: e.to_string(),
            }),
    }
}

/// The state directory, created or tightened (0700), with a notice on stderr
/// for each directory that had to be tightened.
fn state_dir() -> Result<StatePaths, ClientError> {
    let paths = StatePaths::resolve().map_err(|e| std::io::Error::other(e.to_string()))?;
    for notice in paths.ensure()? {
        eprintln!("warning: {notice}");
    }
    Ok(paths)
}

/// For `login`: the OAuth client only (a corrupt old cache must not block a new sign-in).
fn setup_oauth(global: &GlobalArgs) -> Result<(OAuthClient, StatePaths, Endpoints), ClientError> {
    validate_tenant(global)?;
    let endpoints = Endpoints::from_option(settings(global).emulator_url.as_deref())?;
    let paths = state_dir()?;
    let core = HttpCore::new(RetryPolicy::default())?;
    let config = OAuthConfig::new(global.client_id.as_deref(), global.tenant.as_deref());
    Ok((OAuthClient::new(core, &endpoints, config), paths, endpoints))
}

fn setup(global: &GlobalArgs) -> Result<(Clients, OAuthClient, StatePaths), ClientError> {
    let paths = state_dir()?;
    let (clients, oauth) =
        Clients::from_settings(&settings(global), &paths, RetryPolicy::default())?;
    Ok((clients, oauth, paths))
}

fn summary(cache: &TokenCache) -> serde_json::Value {
    let claims = cache.claims().unwrap_or_default();
    let tok = |t: &Option<auth::CachedToken>| {
        t.as_ref()
            .map(|t| json!({ "expires_at": t.expires_at.to_rfc3339() }))
    };
    let app = cache.app.is_some();
    json!({
        "method": cache.method,
        "identity_kind": match cache.method.identity_kind() {
            IdentityKind::Person => "person",
            IdentityKind::ServicePrincipal => "service-principal",
            IdentityKind::ManagedIdentity => "managed-identity",
        },
        "client_id": (app && !cache.client_id.is_empty()).then(|| cache.client_id.clone()).or(claims.appid.clone().filter(|_| app)),
        "upn": claims.username().filter(|_| !app),
        "name": claims.name,
        "tenant_id": claims.tid.clone().or_else(|| (!cache.tenant.is_empty() && cache.tenant != auth::DEFAULT_TENANT).then(|| cache.tenant.clone())),
        "object_id": claims.oid,
        "tokens": {
            "azure_devops": tok(&cache.ado),
            "graph": tok(&cache.graph),
            "refresh_token": cache.refresh_token.is_some(),
            "pat": cache.pat.is_some(),
        }
    })
}

fn until(t: DateTime<Utc>) -> String {
    let secs = (t - Utc::now()).num_seconds();
    if secs <= 0 {
        "expired".into()
    } else if secs < 120 {
        format!("expires in {secs} s")
    } else {
        format!("expires in {} min", secs / 60)
    }
}

/// Run `login`.
pub fn login(global: &GlobalArgs, args: LoginArgs) -> ExitCode {
    // Secrets on argv leak to `ps` and shell history: refused before anything runs.
    if args.pat.is_some() {
        return fail(
            args.json,
            client_failure(AuthError::PatOnCommandLine.into()).with_code(super::exit::USAGE),
        );
    }
    if args.client_secret.is_some() {
        let mut e = super::CliError::usage(
            "a client secret must not be given on the command line (it would be visible to other users and kept in shell history)",
        );
        e.next_step = Some(format!(
            "Set {} and run `ado-entra login --service-principal`.",
            app::CLIENT_SECRET_ENV
        ));
        return fail(args.json, e);
    }
    let json_out = args.json;
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(json_out, other_failure(&e)),
    };
    match rt.block_on(login_async(global, args)) {
        Ok(v) => {
            if json_out {
                println!("{}", json!({ "ok": true, "result": v }));
            } else {
                let who = v["upn"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| v["client_id"].as_str().map(|c| format!("application {c}")))
                    .unwrap_or_else(|| "an unknown identity".into());
                eprintln!(
                    "Signed in as {who} (tenant {}) with {}.",
                    v["tenant_id"].as_str().unwrap_or("unknown"),
                    v["method"].as_str().unwrap_or("?"),
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(json_out, client_failure(e)),
    }
}

async fn login_async(
    global: &GlobalArgs,
    args: LoginArgs,
) -> Result<serde_json::Value, ClientError> {
    let (oauth, paths, endpoints) = setup_oauth(global)?;
    let json_out = args.json;
    let mut tried: Option<Vec<serde_json::Value>> = None;
    let (cache, warning) = if args.pat_stdin {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("Paste the personal access token and press Enter:");
        }
        let p = pat::from_reader(stdin.lock())?;
        prove_pat(&oauth, &endpoints, &p, args.org.as_deref(), "").await?;
        (signin::pat(&oauth, p), None)
    } else if args.service_principal {
        signin::app(&oauth, service_principal(global)?).await?
    } else if args.workload_identity {
        let id = app::workload_identity_from_env()?.ok_or(AuthError::MissingEnv {
            what: "`login --workload-identity`",
            missing: app::FEDERATED_TOKEN_FILE_ENV.into(),
            hint: app::FEDERATED_HINT,
        })?;
        signin::app(&oauth, with_overrides(global, id)).await?
    } else if args.managed_identity {
        signin::app(&oauth, managed_identity(global)).await?
    } else if args.auto {
        let (found, log) = auto(global, &oauth, &endpoints).await?;
        tried = Some(log);
        found
    } else if args.azure_cli {
        signin::azure_cli(&oauth).await?
    } else if args.browser {
        let no_browser = args.no_browser;
        signin::browser(
            &oauth,
            |url| {
                if no_browser || !browser::open_browser(url) {
                    eprintln!("Open this URL in a browser to sign in:\n{url}");
                } else {
                    eprintln!(
                        "A browser window was opened to sign in. If it did not, open:\n{url}"
                    );
                }
            },
            browser::BROWSER_TIMEOUT,
        )
        .await?
    } else if !args.device_code
        && let Some(p) = pat::from_env()?
    {
        eprintln!("Using the personal access token from {}.", pat::PAT_ENV);
        prove_pat(&oauth, &endpoints, &p, args.org.as_deref(), pat::PAT_ENV).await?;
        (signin::pat(&oauth, p), None)
    } else {
        signin::device_code(&oauth, |p| {
            if json_out {
                println!(
                    "{}",
                    json!({ "verification_uri": p.verification_uri, "user_code": p.user_code, "expires_in": p.expires_in })
                );
            } else {
                eprintln!(
                    "To sign in, open {} and enter the code {} (expires in {} min).",
                    p.verification_uri,
                    p.user_code,
                    p.expires_in / 60
                );
            }
        })
        .await?
    };
    if let Some(w) = &warning {
        eprintln!("warning: no Microsoft Graph token: {w}");
    }
    cache.save(&paths.token_cache())?;
    let mut v = summary(&cache);
    v["store"] = store(&paths);
    if let Some(w) = warning {
        v["warning"] = json!(w.to_string());
    }
    if let Some(log) = tried {
        v["auto"] = json!(log);
    }
    Ok(v)
}

/// Where the sign-in is kept (`whoami` and `login --json` say it).
///
/// Only the 0600 file is implemented: an operating-system credential store
/// (Keychain, Credential Manager, Secret Service) is not used; the reason is
/// in docs/architecture.md.
fn store(paths: &StatePaths) -> serde_json::Value {
    json!({"kind": "file", "path": paths.token_cache().display().to_string(), "mode": "0600"})
}

/// `--client-id`/`--tenant` win over AZURE_CLIENT_ID/AZURE_TENANT_ID.
fn with_overrides(global: &GlobalArgs, mut id: AppIdentity) -> AppIdentity {
    if let Some(c) = global.client_id.as_deref().filter(|c| !c.trim().is_empty()) {
        id.client_id = c.trim().to_string();
    }
    if let Some(t) = global.tenant.as_deref().filter(|t| !t.trim().is_empty()) {
        id.tenant = t.trim().to_string();
    }
    id
}

/// The service principal `login --service-principal` signs in as.
fn service_principal(global: &GlobalArgs) -> Result<AppIdentity, AuthError> {
    // The ids may come from the flags; the proof only from the environment.
    let proof_missing = || AuthError::MissingEnv {
        what: "`login --service-principal`",
        missing: format!(
            "{} or {}",
            app::CLIENT_SECRET_ENV,
            app::CLIENT_CERTIFICATE_PATH_ENV
        ),
        hint: app::PROOF_HINT,
    };
    let flags_give_ids = global.client_id.is_some() && global.tenant.is_some();
    match app::service_principal_from_env() {
        Ok(Some(id)) => Ok(with_overrides(global, id)),
        Ok(None) => Err(proof_missing()),
        Err(AuthError::MissingEnv { .. }) if flags_give_ids => {
            let auth = match std::env::var(app::CLIENT_SECRET_ENV) {
                Ok(s) if !s.trim().is_empty() => AppAuth::Secret(auth::secret(s.trim())),
                _ => AppAuth::Certificate(
                    std::env::var(app::CLIENT_CERTIFICATE_PATH_ENV)
                        .map_err(|_| proof_missing())?
                        .into(),
                ),
            };
            Ok(with_overrides(
                global,
                AppIdentity {
                    tenant: String::new(),
                    client_id: String::new(),
                    auth,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

/// The managed identity `login --managed-identity` signs in as.
fn managed_identity(global: &GlobalArgs) -> AppIdentity {
    AppIdentity {
        tenant: String::new(),
        client_id: global
            .client_id
            .clone()
            .or_else(app::managed_identity_client_id_from_env)
            .unwrap_or_default(),
        auth: AppAuth::ManagedIdentity,
    }
}

type SignedIn = (TokenCache, Option<ClientError>);

/// `login --auto`: DefaultAzureCredential's order. A credential that is not
/// set up is skipped (and said so); one that is set up but fails stops the
/// search with its error, as DefaultAzureCredential does.
async fn auto(
    global: &GlobalArgs,
    oauth: &OAuthClient,
    endpoints: &Endpoints,
) -> Result<(SignedIn, Vec<serde_json::Value>), ClientError> {
    let mut log: Vec<serde_json::Value> = Vec::new();
    let mut skip = |name: &str, why: String| {
        eprintln!("  {name}: skipped ({why})");
        log.push(json!({"credential": name, "result": "skipped", "why": why}));
    };
    let used = |name: &str, log: &mut Vec<serde_json::Value>| {
        eprintln!("  {name}: used");
        log.push(json!({"credential": name, "result": "used"}));
    };
    eprintln!("Looking for a credential (--auto):");
    let from_env = [
        (
            "environment (service principal)",
            app::service_principal_from_env()?,
            format!(
                "{} and {} are not set",
                app::CLIENT_SECRET_ENV,
                app::CLIENT_CERTIFICATE_PATH_ENV
            ),
        ),
        (
            "workload identity",
            app::workload_identity_from_env()?,
            format!("{} is not set", app::FEDERATED_TOKEN_FILE_ENV),
        ),
    ];
    for (name, found, why) in from_env {
        match found {
            Some(id) => {
                let r = signin::app(oauth, with_overrides(global, id)).await?;
                used(name, &mut log);
                return Ok((r, log));
            }
            None => skip(name, why),
        }
    }
    // The instance metadata endpoint answers at once on Azure and not at all
    // elsewhere: probe it with one short attempt.
    let probe_core = HttpCore::new(RetryPolicy {
        max_attempts: 1,
        timeout: Duration::from_secs(2),
        ..RetryPolicy::default()
    })?;
    let probe = OAuthClient::new(probe_core, endpoints, oauth.config.clone());
    match signin::app(&probe, managed_identity(global)).await {
        Ok(found) => {
            used("managed identity", &mut log);
            return Ok((found, log));
        }
        Err(ClientError::Auth(AuthError::ManagedIdentityUnavailable(why))) => {
            skip("managed identity", why)
        }
        Err(e) => return Err(e),
    }
    match signin::azure_cli(oauth).await {
        Ok(r) => {
            used("Azure CLI", &mut log);
            return Ok((r, log));
        }
        Err(e) => skip("Azure CLI", e.to_string()),
    }
    match pat::from_env()? {
        Some(p) => {
            prove_pat(oauth, endpoints, &p, None, pat::PAT_ENV).await?;
            used(pat::PAT_ENV, &mut log);
            Ok(((signin::pat(oauth, p), None), log))
        }
        None => {
            skip(pat::PAT_ENV, "not set".into());
            let lines: Vec<String> = log
                .iter()
                .map(|l| {
                    format!(
                        "  {}: {}",
                        l["credential"].as_str().unwrap_or("?"),
                        l["why"].as_str().unwrap_or("")
                    )
                })
                .collect();
            Err(AuthError::NoUnattendedCredential(lines.join("\n")).into())
        }
    }
}

/// Prove a PAT works before saving it: the profile answers (else it is
/// invalid, expired or revoked), and it reaches at least one organization;
/// with `org`, that organization answers instead.
async fn prove_pat(
    oauth: &OAuthClient,
    endpoints: &Endpoints,
    p: &secrecy::SecretString,
    org: Option<&str>,
    from: &str,
) -> Result<(), ClientError> {
    let from = if from.is_empty() {
        String::new()
    } else {
        format!(" from {from}")
    };
    let refused = |reason: String| -> ClientError {
        AuthError::PatRefused {
            from: from.clone(),
            reason,
        }
        .into()
    };
    let ado = AdoClient::new(
        oauth.core().clone(),
        endpoints.clone(),
        TokenProvider::from_pat(p.clone()),
    );
    let why = |e: &ClientError| -> String {
        let text = e.to_string();
        if text.to_ascii_lowercase().contains("expired") {
            "it has expired".into()
        } else {
            "it is not valid (mistyped, revoked or expired), or it is scoped to one organization (then pass --org ORG)".into()
        }
    };
    if let Some(org) = org {
        let org = crate::domain::validate::parse_org_name(org)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        return match ado.connection_data(&org).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_auth() => Err(refused(format!(
                "organization '{org}' does not accept it: {}",
                why(&e)
            ))),
            Err(e) => Err(e),
        };
    }
    let profile = match ado.profile().await {
        Ok(p) => p,
        Err(e) if e.is_auth() => return Err(refused(why(&e))),
        Err(e) => return Err(e),
    };
    let member = profile.public_alias.clone().unwrap_or(profile.id.clone());
    match ado.accounts(&member).await {
        Ok(list) if list.is_empty() => Err(refused(
            "it is valid but reaches no organization (its owner is not, or no longer, a user of any organization it is scoped to)".into(),
        )),
        Ok(_) => Ok(()),
        Err(e) if e.is_auth() => Err(refused(why(&e))),
        Err(e) => Err(e),
    }
}

/// After `verify` as an app identity: say (on stderr) that it proved the
/// app's access, not the owner's.
pub fn note_if_app(global: &GlobalArgs) {
    if let Some(kind) = signed_in_kind(global)
        && let Some(note) = crate::domain::identity::verify_note(kind)
    {
        eprintln!("note: {note}");
    }
}

/// Who is signed in (saved or from the environment), if anyone.
fn signed_in_kind(global: &GlobalArgs) -> Option<IdentityKind> {
    let paths = StatePaths::resolve().ok()?;
    let (clients, _) =
        Clients::from_settings(&settings(global), &paths, RetryPolicy::default()).ok()?;
    clients.tokens.try_method().map(SignInMethod::identity_kind)
}

/// The guard of `connect`, `change-tenant` and `disconnect` (see [`require_person`]).
pub fn require_person_to(global: &GlobalArgs, disconnect: bool) -> Result<(), super::CliError> {
    require_person(
        global,
        if disconnect {
            PersonOnly::Disconnect
        } else {
            PersonOnly::Connect
        },
    )
}

/// The one-line guard of `connect`, `disconnect` and applying `resolve`:
/// refuses (with why a person must) when the signed-in identity is a service
/// principal or managed identity. Not signed in is left to the command.
pub fn require_person(global: &GlobalArgs, action: PersonOnly) -> Result<(), super::CliError> {
    let kind = signed_in_kind(global).unwrap_or(IdentityKind::Person);
    crate::domain::identity::may(kind, action).map_err(super::CliError::error)
}

/// Run `logout`: delete the token cache.
pub fn logout(_global: &GlobalArgs) -> ExitCode {
    let paths = match StatePaths::resolve() {
        Ok(p) => p,
        Err(e) => return fail(false, other_failure(&e)),
    };
    match TokenCache::delete(&paths.token_cache()) {
        Ok(true) => {
            eprintln!("Signed out: the token cache was deleted.");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("Not signed in; nothing to delete.");
            ExitCode::SUCCESS
        }
        Err(e) => fail(false, other_failure(&e)),
    }
}

/// Run `whoami`.
pub fn whoami(global: &GlobalArgs, args: WhoamiArgs) -> ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(args.json, other_failure(&e)),
    };
    match rt.block_on(whoami_async(global)) {
        Ok(v) => {
            if args.json {
                println!("{v}");
            } else {
                print_whoami(&v);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(args.json, client_failure(e)),
    }
}

fn print_whoami(v: &serde_json::Value) {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    match v["client_id"].as_str() {
        Some(c) => println!("identity:  {} (application {c})", s("identity_kind")),
        None => println!("identity:  {}", s("upn")),
    }
    println!("tenant:    {}", s("tenant_id"));
    if v["client_id"].is_null() {
        println!("user type: {}", s("user_type"));
    }
    println!("signed in: {}", s("method"));
    match v["store"]["kind"].as_str() {
        Some("file") => println!(
            "stored in: file {} (mode 0600; no OS credential store is used)",
            v["store"]["path"].as_str().unwrap_or("-")
        ),
        Some(_) => println!("stored in: nothing saved (read from the environment)"),
        None => {}
    }
    for (name, key) in [("Azure DevOps", "azure_devops"), ("Graph", "graph")] {
        let t = &v["tokens"][key];
        match t["expires_at"]
            .as_str()
            .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
        {
            Some(e) => println!("{name} token: held, {}", until(e.with_timezone(&Utc))),
            None => println!("{name} token: not held"),
        }
    }
    if v["tokens"]["pat"].as_bool() == Some(true) {
        println!("PAT: held (Azure DevOps only)");
    }
}

async fn whoami_async(global: &GlobalArgs) -> Result<serde_json::Value, ClientError> {
    let (clients, _oauth, paths) = setup(global)?;
    let provider = clients.tokens.clone();
    let cache = provider
        .snapshot()
        .await
        .ok_or(auth::AuthError::NotSignedIn)?;
    let mut v = summary(&cache);
    // A saved sign-in is in the file; otherwise it came from the environment
    // (nothing written to disk).
    v["store"] = match TokenCache::load(&paths.token_cache()) {
        Ok(Some(_)) => store(&paths),
        _ => {
            json!({"kind": "environment", "note": "not saved: read from the environment at each command"})
        }
    };
    // Graph's /me is for people; an app-only token cannot call it.
    if cache.method != SignInMethod::Pat
        && cache.app.is_none()
        && (cache.graph.is_some() || cache.refresh_token.is_some())
    {
        match tokio::time::timeout(Duration::from_secs(60), clients.graph.me()).await {
            Ok(Ok(me)) => {
                v["user_type"] = json!(me.user_type);
                if v["upn"].is_null() {
                    v["upn"] = json!(me.user_principal_name);
                }
                v["object_id"] = json!(me.id);
            }
            Ok(Err(e)) => v["graph_error"] = json!(e.to_string()),
            Err(_) => v["graph_error"] = json!("Microsoft Graph did not answer in time"),
        }
        // Refreshes during /me are persisted by the provider; show the new expiry.
        if let Some(c) = provider.snapshot().await {
            v["tokens"] = summary(&c)["tokens"].clone();
        }
    }
    Ok(v)
}
