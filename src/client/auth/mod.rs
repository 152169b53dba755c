//! Entra sign-in and the token provider the API clients call.
//!
//! Flows: device code ([`oauth::OAuthClient::device_code`]), authorization code +
//! PKCE with a loopback redirect ([`browser`]), a PAT from the environment or
//! stdin ([`pat`]), and reuse of an Azure CLI sign-in ([`azcli`]). One sign-in
//! yields an Azure DevOps token and, via the refresh token, a Graph token.
//! Unattended flows ([`app`]): a service principal with a secret or a
//! certificate, workload identity federation and managed identity; they ask
//! again for each token instead of refreshing. [`identity`] says what each kind
//! of identity may do.

pub mod app;
pub mod azcli;
pub mod browser;
pub mod cache;
pub mod jwt;
pub mod oauth;
pub mod pat;
pub mod provider;
pub mod sessions;
pub mod signin;
pub mod token;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

pub use cache::TokenCache;
pub use jwt::Claims;
pub use oauth::{DeviceCodePrompt, OAuthClient, OAuthConfig};
pub use provider::TokenProvider;
pub use token::CachedToken;

pub use crate::azure::{ADO_RESOURCE_ID, ADO_SCOPE};
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
    /// An app registration's service principal, with a client secret or a certificate.
    ServicePrincipal,
    /// A service principal whose proof is a token from the platform (GitHub
    /// Actions, AKS, Azure Pipelines) exchanged through a federated credential.
    WorkloadIdentity,
    /// The managed identity of an Azure VM, App Service or Container App.
    ManagedIdentity,
}

impl SignInMethod {
    /// Who signs in this way, as the person-only rule sees it.
    pub fn identity_kind(self) -> crate::domain::identity::IdentityKind {
        use crate::domain::identity::IdentityKind;
        match self {
            SignInMethod::ServicePrincipal | SignInMethod::WorkloadIdentity => {
                IdentityKind::ServicePrincipal
            }
            SignInMethod::ManagedIdentity => IdentityKind::ManagedIdentity,
            SignInMethod::DeviceCode
            | SignInMethod::Browser
            | SignInMethod::Pat
            | SignInMethod::AzureCli => IdentityKind::Person,
        }
    }

    /// The word `login --json` and `whoami` print (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::DeviceCode => "device-code",
            SignInMethod::Browser => "browser",
            SignInMethod::Pat => "pat",
            SignInMethod::AzureCli => "azure-cli",
            SignInMethod::ServicePrincipal => "service-principal",
            SignInMethod::WorkloadIdentity => "workload-identity",
            SignInMethod::ManagedIdentity => "managed-identity",
        }
    }
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

/// Sign-in failures, as data (what to do is `domain::advice`'s answer).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("the sign-in code expired before it was used")]
    ExpiredToken,
    #[error("the sign-in was declined in the browser")]
    Declined,
    #[error("the sign-in code was not recognised")]
    BadVerificationCode,
    #[error("the sign-in service refused: {code}: {description}")]
    Refused { code: String, description: String },
    #[error("the session for {resource} expired and cannot be refreshed")]
    RefreshUnavailable { resource: Resource },
    #[error(
        "the browser sign-in answered with a different state value (possible cross-site request); sign-in aborted"
    )]
    StateMismatch,
    #[error("the browser sign-in failed: {0}")]
    Browser(String),
    #[error(
        "a personal access token must not be given on the command line (it would be visible to other users and kept in shell history)"
    )]
    PatOnCommandLine,
    #[error("no personal access token found")]
    NoPat,
    #[error("the Azure CLI (`az`) is not on PATH")]
    AzCliMissing,
    #[error("`az account get-access-token` failed: {0}")]
    AzCliFailed(String),
    #[error("the token cache {path} is unreadable: {reason}")]
    BadCache { path: String, reason: String },
    #[error("cannot save the token cache {path}: {reason}")]
    CacheWrite { path: String, reason: String },
    #[error("the sign-in service answered unexpectedly: {0}")]
    Protocol(String),
    #[error("{what} needs {missing} in the environment")]
    MissingEnv {
        what: &'static str,
        missing: String,
        hint: &'static str,
    },
    #[error("the tenant in {source_name} is not valid: {reason}")]
    InvalidTenant { source_name: String, reason: String },
    #[error("cannot use the certificate {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("cannot use the federated token file {path}: {reason}")]
    FederatedTokenFile { path: String, reason: String },
    #[error("no managed identity is available: {0}")]
    ManagedIdentityUnavailable(String),
    #[error(
        "a managed identity signs in to its own directory only and cannot act in directory {tenant}"
    )]
    FixedTenant { tenant: String },
    #[error("the personal access token in {source_name} is invalid: {reason}")]
    InvalidPat { source_name: String, reason: String },
    #[error("Azure DevOps refused the personal access token{from}: {reason}")]
    PatRefused { from: String, reason: String },
    #[error("no credential for an unattended sign-in was found:\n{0}")]
    NoUnattendedCredential(String),
}

/// Wrap a raw secret. Kept here so callers never build one from a log line.
pub fn secret(s: impl Into<String>) -> SecretString {
    SecretString::from(s.into())
}
