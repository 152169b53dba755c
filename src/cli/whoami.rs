//! `ado-entra whoami` and `ado-entra logout`.

use std::process::ExitCode;
use std::time::Duration;

use std::fmt;

use clap::Args;
use serde::Serialize;

use super::GlobalArgs;
use super::auth_cmds::{
    SignInSummary, Store, TokensHeld, client_failure, fail, other_failure, setup, store, summary,
    until,
};
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
        Ok(report) => ExitCode::from(super::emit(&report, args.json)),
        Err(e) => fail(args.json, client_failure(e)),
    }
}

/// Who is signed in, and what the sign-in holds.
#[derive(Debug, Clone, Serialize)]
pub struct Whoami {
    #[serde(flatten)]
    pub sign_in: SignInSummary,
    pub store: Store,
    /// Member or Guest, from Microsoft Graph (people only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Why Microsoft Graph could not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph_error: Option<String>,
    /// Second sign-ins kept for reading a directory (`login --directory`).
    pub directories: Vec<DirectorySignIn>,
}

/// A directory sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct DirectorySignIn {
    pub tenant_id: String,
    pub upn: Option<String>,
    pub tokens: TokensHeld,
}

impl super::Report for Whoami {}

impl fmt::Display for Whoami {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.sign_in;
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        match &s.client_id {
            Some(c) => writeln!(f, "identity:  {} (application {c})", s.identity_kind)?,
            None => writeln!(f, "identity:  {}", or_dash(&s.upn))?,
        }
        let personal = s.tenant_id.as_deref() == Some(crate::azure::CONSUMERS_TENANT);
        writeln!(
            f,
            "tenant:    {}{}",
            or_dash(&s.tenant_id),
            if personal {
                " (personal Microsoft accounts)"
            } else {
                ""
            }
        )?;
        if s.client_id.is_none() {
            writeln!(f, "user type: {}", or_dash(&self.user_type))?;
        }
        writeln!(
            f,
            "signed in: {}",
            serde_json::to_value(s.method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )?;
        match &self.store {
            Store::File { path, .. } => writeln!(
                f,
                "stored in: file {path} (mode 0600; no OS credential store is used)"
            )?,
            Store::Environment { .. } => {
                writeln!(f, "stored in: nothing saved (read from the environment)")?
            }
        }
        for (name, t) in [
            ("Azure DevOps", &s.tokens.azure_devops),
            ("Graph", &s.tokens.graph),
        ] {
            match t {
                Some(e) => writeln!(f, "{name} token: held, {}", until(e.expires_at))?,
                None => writeln!(f, "{name} token: not held")?,
            }
        }
        if s.tokens.pat {
            writeln!(f, "PAT: held (Azure DevOps only)")?;
        }
        for d in &self.directories {
            writeln!(
                f,
                "directory: {} as {} (read through Microsoft Graph only; `login --directory`)",
                d.tenant_id,
                or_dash(&d.upn)
            )?;
        }
        Ok(())
    }
}

async fn whoami_async(global: &GlobalArgs) -> Result<Whoami, ClientError> {
    let (clients, _oauth, paths) = setup(global)?;
    let provider = clients.tokens.clone();
    let cache = provider
        .snapshot()
        .await
        .ok_or(auth::AuthError::NotSignedIn)?;
    let mut report = Whoami {
        sign_in: summary(&cache),
        // A saved sign-in is in the file; otherwise it came from the
        // environment (nothing written to disk).
        store: match TokenCache::load(&paths.token_cache()) {
            Ok(Some(_)) => store(&paths),
            _ => Store::Environment {
                note: "not saved: read from the environment at each command",
            },
        },
        user_type: None,
        graph_error: None,
        directories: Vec::new(),
    };
    // Graph's /me is for people; an app-only token cannot call it.
    if cache.method != SignInMethod::Pat
        && cache.app.is_none()
        && (cache.graph.is_some() || cache.refresh_token.is_some())
    {
        match tokio::time::timeout(Duration::from_secs(60), clients.graph.me()).await {
            Ok(Ok(me)) => {
                report.user_type = me.user_type;
                if report.sign_in.upn.is_none() {
                    report.sign_in.upn = me.user_principal_name;
                }
                report.sign_in.object_id = Some(me.id);
            }
            Ok(Err(e)) => report.graph_error = Some(e.to_string()),
            Err(_) => report.graph_error = Some("Microsoft Graph did not answer in time".into()),
        }
        // Refreshes during /me are persisted by the provider; show the new expiry.
        if let Some(c) = provider.snapshot().await {
            report.sign_in.tokens = summary(&c).tokens;
        }
    }
    report.directories = DirectorySessions::list(paths.root())
        .iter()
        .map(|(tenant, cache)| {
            let d = summary(cache);
            DirectorySignIn {
                tenant_id: tenant.as_str().to_string(),
                upn: d.upn,
                tokens: d.tokens,
            }
        })
        .collect();
    Ok(report)
}
