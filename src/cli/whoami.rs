//! `ado-entra whoami` and `ado-entra logout`.

use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

use super::GlobalArgs;
use super::auth_cmds::{client_failure, fail, other_failure, setup, store, summary, until};
use crate::client::ClientError;
use crate::client::auth::sessions::DirectorySessions;
use crate::client::auth::{self, SignInMethod, TokenCache};
use crate::paths::StatePaths;

/// `ado-entra whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Run `logout`: delete the token cache and every directory session.
pub fn logout(_global: &GlobalArgs) -> ExitCode {
    let paths = match StatePaths::resolve() {
        Ok(p) => p,
        Err(e) => return fail(false, other_failure(&e)),
    };
    let sessions = match DirectorySessions::delete_all(paths.root()) {
        Ok(n) => n,
        Err(e) => return fail(false, other_failure(&e)),
    };
    let also = match sessions {
        0 => String::new(),
        1 => " and 1 directory session".into(),
        n => format!(" and {n} directory sessions"),
    };
    match TokenCache::delete(&paths.token_cache()) {
        Ok(true) => {
            tell!("Signed out: the token cache{also} deleted.");
            ExitCode::SUCCESS
        }
        Ok(false) if sessions > 0 => {
            tell!("Signed out: {} deleted.", also.trim_start_matches(" and "));
            ExitCode::SUCCESS
        }
        Ok(false) => {
            tell!("Not signed in; nothing to delete.");
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
        Some(c) => say!("identity:  {} (application {c})", s("identity_kind")),
        None => say!("identity:  {}", s("upn")),
    }
    say!("tenant:    {}", s("tenant_id"));
    if v["client_id"].is_null() {
        say!("user type: {}", s("user_type"));
    }
    say!("signed in: {}", s("method"));
    match v["store"]["kind"].as_str() {
        Some("file") => say!(
            "stored in: file {} (mode 0600; no OS credential store is used)",
            v["store"]["path"].as_str().unwrap_or("-")
        ),
        Some(_) => say!("stored in: nothing saved (read from the environment)"),
        None => {}
    }
    for (name, key) in [("Azure DevOps", "azure_devops"), ("Graph", "graph")] {
        let t = &v["tokens"][key];
        match t["expires_at"]
            .as_str()
            .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
        {
            Some(e) => say!("{name} token: held, {}", until(e.with_timezone(&Utc))),
            None => say!("{name} token: not held"),
        }
    }
    if v["tokens"]["pat"].as_bool() == Some(true) {
        say!("PAT: held (Azure DevOps only)");
    }
    for d in v["directories"].as_array().into_iter().flatten() {
        say!(
            "directory: {} as {} (read through Microsoft Graph only; `login --directory`)",
            d["tenant_id"].as_str().unwrap_or("-"),
            d["upn"].as_str().unwrap_or("-")
        );
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
    v["directories"] = DirectorySessions::list(paths.root())
        .iter()
        .map(|(tenant, cache)| {
            let d = summary(cache);
            json!({"tenant_id": tenant.as_str(), "upn": d["upn"], "tokens": d["tokens"]})
        })
        .collect();
    Ok(v)
}
