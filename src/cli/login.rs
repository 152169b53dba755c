//! `ado-entra login`: sign in as a person (device code, browser, PAT, Azure
//! CLI), unattended (service principal, workload or managed identity,
//! `--auto`), or to a directory only (`--directory`).
//!
//! Exit codes: 0 ok, 1 error, 2 usage. With `--json`, stdout carries one JSON
//! object per line (the device-code prompt, then the result); human text goes
//! to stderr.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::GlobalArgs;
use super::auth_cmds::{client_failure, fail, other_failure, setup_oauth, store, summary};
use crate::client::auth::app::{self, AppAuth, AppIdentity};
use crate::client::auth::{
    self, AuthError, OAuthClient, TokenCache, TokenProvider, browser, pat, signin,
};
use crate::client::{AdoClient, ClientError, Endpoints, HttpCore, RetryPolicy};

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
    /// Sign in to this directory (tenant id or verified domain) with an
    /// account of it, kept beside your main sign-in and used only to read
    /// that directory through Microsoft Graph. For an owner whose personal
    /// Microsoft account has no object in the directory the organization
    /// moves to: your Azure DevOps sign-in stays as it is. With
    /// --device-code (default) or --browser.
    #[arg(long, value_name = "TENANT")]
    pub directory: Option<String>,
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
    if args.directory.is_some()
        && (args.pat_stdin
            || args.azure_cli
            || args.service_principal
            || args.workload_identity
            || args.managed_identity
            || args.auto)
    {
        let mut e = super::CliError::usage(
            "--directory signs a person in to read a directory: it works with --device-code or --browser only",
        );
        e.next_step = Some(
            "Run `ado-entra login --directory TENANT` (device code) or add `--browser`.".into(),
        );
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
            } else if let Some(dir) = v["directory"].as_str() {
                tell!(
                    "Signed in to directory {dir} as {}: ado-entra reads that directory as this account. Your main sign-in is unchanged.",
                    v["upn"].as_str().unwrap_or("an unknown account"),
                );
            } else {
                let who = v["upn"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| v["client_id"].as_str().map(|c| format!("application {c}")))
                    .unwrap_or_else(|| "an unknown identity".into());
                tell!(
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
    if let Some(dir) = args.directory.clone() {
        return login_directory(global, &args, &dir).await;
    }
    let (oauth, paths, endpoints) = setup_oauth(global)?;
    let mut tried: Option<Vec<serde_json::Value>> = None;
    let (cache, warning) = if args.pat_stdin {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            tell!("Paste the personal access token and press Enter:");
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
    } else if !args.device_code
        && !args.browser
        && let Some(p) = pat::from_env()?
    {
        tell!("Using the personal access token from {}.", pat::PAT_ENV);
        prove_pat(&oauth, &endpoints, &p, args.org.as_deref(), pat::PAT_ENV).await?;
        (signin::pat(&oauth, p), None)
    } else {
        interactive(&oauth, &args).await?
    };
    if let Some(w) = &warning {
        tell!("warning: no Microsoft Graph token: {w}");
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

/// A person's sign-in through the browser (`--browser`) or with a code
/// (the default).
async fn interactive(oauth: &OAuthClient, args: &LoginArgs) -> Result<SignedIn, ClientError> {
    if args.browser {
        let no_browser = args.no_browser;
        return signin::browser(
            oauth,
            |url| {
                if no_browser || !browser::open_browser(url) {
                    tell!("Open this URL in a browser to sign in:\n{url}");
                } else {
                    tell!("A browser window was opened to sign in. If it did not, open:\n{url}");
                }
            },
            browser::BROWSER_TIMEOUT,
        )
        .await;
    }
    let json_out = args.json;
    signin::device_code(oauth, |p| {
        if json_out {
            println!(
                "{}",
                json!({ "verification_uri": p.verification_uri, "user_code": p.user_code, "expires_in": p.expires_in })
            );
        } else {
            tell!(
                "To sign in, open {} and enter the code {} (expires in {} min).",
                p.verification_uri,
                p.user_code,
                p.expires_in / 60
            );
        }
    })
    .await
}

/// `login --directory TENANT`: a person's sign-in at that directory, kept
/// as its directory session (the main sign-in is not touched).
async fn login_directory(
    global: &GlobalArgs,
    args: &LoginArgs,
    directory: &str,
) -> Result<serde_json::Value, ClientError> {
    let at = GlobalArgs {
        tenant: Some(directory.to_string()),
        ..global.clone()
    };
    let (oauth, paths, _) = setup_oauth(&at)?;
    let (cache, warning) = interactive(&oauth, args).await?;
    if let Some(w) = warning {
        // Reading the directory is all this sign-in is for.
        return Err(w);
    }
    let claims = cache.claims().unwrap_or_default();
    let tenant = claims
        .tid
        .as_deref()
        .and_then(crate::domain::directory::TenantId::parse)
        .ok_or_else(|| {
            AuthError::Protocol(format!(
                "the sign-in at {directory} returned a token without a directory id"
            ))
        })?;
    let path = auth::sessions::DirectorySessions::path(paths.root(), &tenant);
    cache.save(&path)?;
    let mut v = summary(&cache);
    v["directory"] = json!(tenant.as_str());
    v["store"] = json!({"kind": "file", "path": path.display().to_string(), "mode": "0600"});
    Ok(v)
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
        tell!("  {name}: skipped ({why})");
        log.push(json!({"credential": name, "result": "skipped", "why": why}));
    };
    let used = |name: &str, log: &mut Vec<serde_json::Value>| {
        tell!("  {name}: used");
        log.push(json!({"credential": name, "result": "used"}));
    };
    tell!("Looking for a credential (--auto):");
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
