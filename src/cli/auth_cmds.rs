//! What the sign-in commands share with the rest of the CLI: the client
//! settings from the global options, the state directory, the summary of a
//! sign-in, failures reported the one way, and the person-only guard.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::GlobalArgs;
use crate::client::auth::{self, AuthError, OAuthClient, OAuthConfig, SignInMethod, TokenCache};
use crate::client::{ClientError, ClientSettings, Clients, Endpoints, HttpCore, RetryPolicy};
use crate::domain::identity::{IdentityKind, PersonOnly};
use crate::paths::StatePaths;

/// Report a failure the way every command does (`--json`: on stdout).
pub(super) fn fail(json: bool, e: super::CliError) -> ExitCode {
    let e = e.json(json);
    super::report_error(&e);
    ExitCode::from(e.code)
}

pub(super) fn client_failure(e: ClientError) -> super::CliError {
    client_error(e)
}

/// A client failure as the advice pipeline describes it.
pub fn client_error(e: ClientError) -> super::CliError {
    super::CliError::problem(crate::ops::advice::client(&e))
}

/// The clients of the saved sign-in (or `AZURE_DEVOPS_EXT_PAT`).
pub fn clients(global: &GlobalArgs) -> Result<Clients, super::CliError> {
    clients_with(global, RetryPolicy::default())
}

/// [`clients`] with its own retry and concurrency policy.
pub fn clients_with(global: &GlobalArgs, policy: RetryPolicy) -> Result<Clients, super::CliError> {
    let paths = StatePaths::resolve().map_err(|e| super::CliError::error(e.to_string()))?;
    let (clients, _) = Clients::from_settings(&settings(global), &paths, policy)
        .map_err(|e| super::CliError::error(e.to_string()))?;
    Ok(clients)
}

/// [`clients`], refusing before any request when nobody is signed in, with
/// the one answer every command gives (sign in, and how).
pub async fn signed_in(global: &GlobalArgs) -> Result<Clients, super::CliError> {
    signed_in_with(global, RetryPolicy::default()).await
}

/// [`signed_in`] with its own retry and concurrency policy. Azure DevOps's
/// rate limit slowing the command down is said on stderr.
pub async fn signed_in_with(
    global: &GlobalArgs,
    policy: RetryPolicy,
) -> Result<Clients, super::CliError> {
    let c = clients_with(global, policy)?;
    if c.tokens.snapshot().await.is_none() {
        return Err(client_error(ClientError::Auth(AuthError::NotSignedIn)));
    }
    crate::ops::pacing::print_on_stderr(&c);
    Ok(c)
}

pub(super) fn other_failure(e: &dyn std::fmt::Display) -> super::CliError {
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
pub(super) fn validate_tenant(global: &GlobalArgs) -> Result<(), AuthError> {
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
pub(super) fn state_dir() -> Result<StatePaths, ClientError> {
    let paths = StatePaths::resolve().map_err(|e| std::io::Error::other(e.to_string()))?;
    for notice in paths.ensure()? {
        tell!("warning: {notice}");
    }
    Ok(paths)
}

/// For `login`: the OAuth client only (a corrupt old cache must not block a new sign-in).
pub(super) fn setup_oauth(
    global: &GlobalArgs,
) -> Result<(OAuthClient, StatePaths, Endpoints), ClientError> {
    validate_tenant(global)?;
    let endpoints = Endpoints::from_option(settings(global).emulator_url.as_deref())?;
    let paths = state_dir()?;
    let core = HttpCore::new(RetryPolicy::default())?;
    let config = OAuthConfig::new(global.client_id.as_deref(), global.tenant.as_deref());
    Ok((OAuthClient::new(core, &endpoints, config), paths, endpoints))
}

pub(super) fn setup(
    global: &GlobalArgs,
) -> Result<(Clients, OAuthClient, StatePaths), ClientError> {
    let paths = state_dir()?;
    let (clients, oauth) =
        Clients::from_settings(&settings(global), &paths, RetryPolicy::default())?;
    Ok((clients, oauth, paths))
}

/// What a sign-in holds, as `login --json` and `whoami` report it. Secrets
/// never appear: tokens are reported by their expiry only.
#[derive(Debug, Clone, Serialize)]
pub struct SignInSummary {
    pub method: SignInMethod,
    pub identity_kind: &'static str,
    /// The application, for an unattended sign-in.
    pub client_id: Option<String>,
    /// The person's sign-in name (none for an application).
    pub upn: Option<String>,
    pub name: Option<String>,
    pub tenant_id: Option<String>,
    pub object_id: Option<String>,
    pub tokens: TokensHeld,
}

/// Which tokens a sign-in holds.
#[derive(Debug, Clone, Serialize)]
pub struct TokensHeld {
    pub azure_devops: Option<Expiry>,
    pub graph: Option<Expiry>,
    pub refresh_token: bool,
    pub pat: bool,
}

/// When a token expires.
#[derive(Debug, Clone, Serialize)]
pub struct Expiry {
    pub expires_at: DateTime<Utc>,
}

/// The summary of `cache`.
pub(super) fn summary(cache: &TokenCache) -> SignInSummary {
    let claims = cache.claims().unwrap_or_default();
    let tok = |t: &Option<auth::CachedToken>| {
        t.as_ref().map(|t| Expiry {
            expires_at: t.expires_at,
        })
    };
    let app = cache.app.is_some();
    SignInSummary {
        method: cache.method,
        identity_kind: match cache.method.identity_kind() {
            IdentityKind::Person => "person",
            IdentityKind::ServicePrincipal => "service-principal",
            IdentityKind::ManagedIdentity => "managed-identity",
        },
        client_id: (app && !cache.client_id.is_empty())
            .then(|| cache.client_id.clone())
            .or(claims.appid.clone().filter(|_| app)),
        upn: claims.username().filter(|_| !app).map(str::to_string),
        name: claims.name.clone(),
        tenant_id: claims.tid.clone().or_else(|| {
            (!cache.tenant.is_empty() && cache.tenant != auth::DEFAULT_TENANT)
                .then(|| cache.tenant.clone())
        }),
        object_id: claims.oid.clone(),
        tokens: TokensHeld {
            azure_devops: tok(&cache.ado),
            graph: tok(&cache.graph),
            refresh_token: cache.refresh_token.is_some(),
            pat: cache.pat.is_some(),
        },
    }
}

/// [`summary`] as a JSON value, for reports that add to it (`login`).
pub(super) fn summary_json(cache: &TokenCache) -> serde_json::Value {
    serde_json::to_value(summary(cache)).unwrap_or_default()
}

pub(super) fn until(t: DateTime<Utc>) -> String {
    let secs = (t - Utc::now()).num_seconds();
    if secs <= 0 {
        "expired".into()
    } else if secs < 120 {
        format!("expires in {secs} s")
    } else {
        format!("expires in {} min", secs / 60)
    }
}

/// Where the sign-in is kept (`whoami` and `login --json` say it).
///
/// Only the 0600 file is implemented: an operating-system credential store
/// (Keychain, Credential Manager, Secret Service) is not used; the reason is
/// in docs/architecture.md.
pub(super) fn store(paths: &StatePaths) -> Store {
    Store::File {
        path: paths.token_cache().display().to_string(),
        mode: "0600",
    }
}

/// Where a sign-in is kept.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Store {
    /// The 0600 token cache.
    File { path: String, mode: &'static str },
    /// Nothing saved: read from the environment at each command.
    Environment { note: &'static str },
}

/// After `verify` as an app identity: say (on stderr) that it proved the
/// app's access, not the owner's.
pub fn note_if_app(global: &GlobalArgs) {
    if let Some(kind) = signed_in_kind(global)
        && let Some(note) = crate::domain::identity::verify_note(kind)
    {
        tell!("note: {note}");
    }
}

/// Who is signed in (saved or from the environment), if anyone.
pub(super) fn signed_in_kind(global: &GlobalArgs) -> Option<IdentityKind> {
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
