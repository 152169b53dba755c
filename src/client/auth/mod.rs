//! Entra sign-in and the token provider the API clients call.
//!
//! Flows: device code ([`oauth::OAuthClient::device_code`]), authorization code +
//! PKCE with a loopback redirect ([`browser`]), a PAT from the environment or
//! stdin ([`pat`]), and reuse of an Azure CLI sign-in ([`azcli`]). One sign-in
//! yields an Azure DevOps token and, via the refresh token, a Graph token.

pub mod azcli;
pub mod browser;
pub mod cache;
pub mod jwt;
pub mod oauth;
pub mod pat;
pub mod provider;
pub mod signin;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

pub use cache::{CachedToken, TokenCache};
pub use jwt::Claims;
pub use oauth::{DeviceCodePrompt, OAuthClient, OAuthConfig};
pub use provider::TokenProvider;

/// The Azure DevOps resource (application) id.
pub const ADO_RESOURCE_ID: &str = "499b84ac-1321-427f-aa17-267ca6975798";
/// Scope for Azure DevOps, with a refresh token.
pub const ADO_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access";
/// Scope for Microsoft Graph.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default offline_access";
/// The Azure CLI's first-party public client: pre-authorized for Azure DevOps
/// and Graph, allows device code and loopback redirects, needs no app registration.
pub const DEFAULT_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// Default authority segment: any work or school tenant.
pub const DEFAULT_TENANT: &str = "organizations";

/// Which API a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    AzureDevOps,
    Graph,
}

impl Resource {
    pub fn scope(self) -> &'static str {
        match self {
            Resource::AzureDevOps => ADO_SCOPE,
            Resource::Graph => GRAPH_SCOPE,
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::AzureDevOps => "Azure DevOps",
            Resource::Graph => "Microsoft Graph",
        })
    }
}

/// How the user signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignInMethod {
    DeviceCode,
    Browser,
    Pat,
    AzureCli,
}

/// What goes into the `Authorization` header. Debug never shows the secret.
#[derive(Clone)]
pub enum Credential {
    /// An Entra access token (refreshable when a refresh token or `az` is available).
    Bearer {
        token: SecretString,
        refreshable: bool,
    },
    /// An Azure DevOps personal access token (Basic auth, empty user name).
    Pat(SecretString),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Bearer { refreshable, .. } => f
                .debug_struct("Bearer")
                .field("token", &"[REDACTED]")
                .field("refreshable", refreshable)
                .finish(),
            Credential::Pat(_) => f.write_str("Pat([REDACTED])"),
        }
    }
}

impl Credential {
    pub(crate) fn apply(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credential::Bearer { token, .. } => rb.bearer_auth(token.expose_secret()),
            Credential::Pat(pat) => rb.basic_auth("", Some(pat.expose_secret())),
        }
    }
    pub(crate) fn is_refreshable(&self) -> bool {
        matches!(
            self,
            Credential::Bearer {
                refreshable: true,
                ..
            }
        )
    }
}

/// Sign-in failures, each with a plain next step.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("not signed in. Next step: run `ado-entra login`")]
    NotSignedIn,
    #[error(
        "the sign-in code expired before it was used. Next step: run `ado-entra login` again and enter the code within the time shown"
    )]
    ExpiredToken,
    #[error(
        "the sign-in was declined in the browser. Next step: run `ado-entra login` again and accept the consent prompt"
    )]
    Declined,
    #[error("the sign-in code was not recognised. Next step: run `ado-entra login` again")]
    BadVerificationCode,
    #[error("the sign-in service refused: {code}: {description}. Next step: {next_step}")]
    Refused {
        code: String,
        description: String,
        next_step: String,
    },
    #[error(
        "the session for {resource} expired and cannot be refreshed. Next step: run `ado-entra login` again"
    )]
    RefreshUnavailable { resource: Resource },
    #[error(
        "the browser sign-in answered with a different state value (possible cross-site request); sign-in aborted. Next step: run `ado-entra login --browser` again"
    )]
    StateMismatch,
    #[error(
        "the browser sign-in failed: {0}. Next step: run `ado-entra login --device-code` instead"
    )]
    Browser(String),
    #[error(
        "a personal access token must not be given on the command line (it would be visible to other users and kept in shell history). Next step: set AZURE_DEVOPS_EXT_PAT or pipe it with `--pat-stdin`"
    )]
    PatOnCommandLine,
    #[error(
        "no personal access token found. Next step: set AZURE_DEVOPS_EXT_PAT or pipe one into `ado-entra login --pat-stdin`"
    )]
    NoPat,
    #[error(
        "the Azure CLI (`az`) is not on PATH. Next step: install it and run `az login`, or use `ado-entra login --device-code`"
    )]
    AzCliMissing,
    #[error(
        "`az account get-access-token` failed: {0}. Next step: run `az login` (with `--allow-no-subscriptions` if needed)"
    )]
    AzCliFailed(String),
    #[error(
        "the token cache {path} is unreadable: {reason}. Next step: run `ado-entra logout` then `ado-entra login`"
    )]
    BadCache { path: String, reason: String },
    #[error("cannot save the token cache {path}: {reason}")]
    CacheWrite { path: String, reason: String },
    #[error("the sign-in service answered unexpectedly: {0}")]
    Protocol(String),
}

/// Wrap a raw secret. Kept here so callers never build one from a log line.
pub fn secret(s: impl Into<String>) -> SecretString {
    SecretString::from(s.into())
}
