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
use crate::client::auth::{
    self, OAuthClient, OAuthConfig, SignInMethod, TokenCache, browser, pat, signin,
};
use crate::client::{ClientError, ClientSettings, Clients, Endpoints, HttpCore, RetryPolicy};
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
    /// Do not open a browser; print the URL instead.
    #[arg(long)]
    pub no_browser: bool,
    /// Machine-readable output: one JSON object per line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Refused: a PAT on the command line leaks to `ps` and shell history.
    #[arg(long, hide = true, value_name = "PAT", num_args = 0..=1)]
    pub pat: Option<Option<String>>,
}

/// `ado-entra whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

const EXIT_ERROR: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn fail(json: bool, e: &dyn std::fmt::Display) -> ExitCode {
    if json {
        println!("{}", json!({ "ok": false, "error": e.to_string() }));
    } else {
        eprintln!("error: {e}");
    }
    ExitCode::from(EXIT_ERROR)
}

/// The client settings the global options carry.
pub fn settings(global: &GlobalArgs) -> ClientSettings {
    ClientSettings {
        emulator_url: global.emulator_url.clone(),
        client_id: global.client_id.clone(),
        tenant: global.tenant.clone(),
    }
}

/// For `login`: the OAuth client only (a corrupt old cache must not block a new sign-in).
fn setup_oauth(global: &GlobalArgs) -> Result<(OAuthClient, StatePaths), ClientError> {
    let paths = StatePaths::resolve().map_err(|e| std::io::Error::other(e.to_string()))?;
    let endpoints = Endpoints::from_option(global.emulator_url.as_deref())?;
    let core = HttpCore::new(RetryPolicy::default())?;
    let config = OAuthConfig::new(global.client_id.as_deref(), global.tenant.as_deref());
    Ok((OAuthClient::new(core, &endpoints, config), paths))
}

fn setup(global: &GlobalArgs) -> Result<(Clients, OAuthClient, StatePaths), ClientError> {
    let paths = StatePaths::resolve().map_err(|e| std::io::Error::other(e.to_string()))?;
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
    json!({
        "method": cache.method,
        "upn": claims.username(),
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
    if args.pat.is_some() {
        eprintln!("error: {}", auth::AuthError::PatOnCommandLine);
        return ExitCode::from(EXIT_USAGE);
    }
    let json_out = args.json;
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(json_out, &e),
    };
    match rt.block_on(login_async(global, args)) {
        Ok(v) => {
            if json_out {
                println!("{}", json!({ "ok": true, "result": v }));
            } else {
                eprintln!(
                    "Signed in as {} (tenant {}) with {}.",
                    v["upn"].as_str().unwrap_or("an unknown identity"),
                    v["tenant_id"].as_str().unwrap_or("unknown"),
                    v["method"].as_str().unwrap_or("?"),
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(json_out, &e),
    }
}

async fn login_async(
    global: &GlobalArgs,
    args: LoginArgs,
) -> Result<serde_json::Value, ClientError> {
    let (oauth, paths) = setup_oauth(global)?;
    let json_out = args.json;
    let (cache, warning) = if args.pat_stdin {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("Paste the personal access token and press Enter:");
        }
        let p = pat::from_reader(stdin.lock())?;
        (signin::pat(&oauth, p), None)
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
    } else if !args.device_code && pat::from_env().is_some() {
        let p = pat::from_env().ok_or(auth::AuthError::NoPat)?;
        eprintln!("Using the personal access token from {}.", pat::PAT_ENV);
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
    if let Some(w) = warning {
        v["warning"] = json!(w.to_string());
    }
    Ok(v)
}

/// Run `logout`: delete the token cache.
pub fn logout(_global: &GlobalArgs) -> ExitCode {
    let paths = match StatePaths::resolve() {
        Ok(p) => p,
        Err(e) => return fail(false, &e),
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
        Err(e) => fail(false, &e),
    }
}

/// Run `whoami`.
pub fn whoami(global: &GlobalArgs, args: WhoamiArgs) -> ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(args.json, &e),
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
        Err(e) => fail(args.json, &e),
    }
}

fn print_whoami(v: &serde_json::Value) {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    println!("identity:  {}", s("upn"));
    println!("tenant:    {}", s("tenant_id"));
    println!("user type: {}", s("user_type"));
    println!("signed in: {}", s("method"));
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
    let (clients, _oauth, _paths) = setup(global)?;
    let provider = clients.tokens.clone();
    let cache = provider
        .snapshot()
        .await
        .ok_or(auth::AuthError::NotSignedIn)?;
    let mut v = summary(&cache);
    if cache.method != SignInMethod::Pat && (cache.graph.is_some() || cache.refresh_token.is_some())
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
