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
pub mod identity;
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
    /// An app registration's service principal, with a client secret or a certificate.
    ServicePrincipal,
    /// A service principal whose proof is a token from the platform (GitHub
    /// Actions, AKS, Azure Pipelines) exchanged through a federated credential.
    WorkloadIdentity,
    /// The managed identity of an Azure VM, App Service or Container App.
    ManagedIdentity,
}

impl SignInMethod {
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
    #[error("{what} needs {missing} in the environment. Next step: {hint}")]
    MissingEnv {
        what: &'static str,
        missing: String,
        hint: &'static str,
    },
    #[error("the tenant in {source_name} is not valid: {reason}")]
    InvalidTenant { source_name: String, reason: String },
    #[error(
        "cannot use the certificate {path}: {reason}. Next step: give a PEM file holding the certificate and its unencrypted RSA private key (from a .pfx: `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`)"
    )]
    Certificate { path: String, reason: String },
    #[error(
        "cannot use the federated token file {path}: {reason}. Next step: check AZURE_FEDERATED_TOKEN_FILE points at the token the platform writes (AKS workload identity, or the file your pipeline step saves the OIDC token to)"
    )]
    FederatedTokenFile { path: String, reason: String },
    #[error(
        "no managed identity is available: {0}. Next step: run on an Azure VM, App Service or Container App with a managed identity assigned (give a user-assigned one with --client-id), or use --service-principal"
    )]
    ManagedIdentityUnavailable(String),
    #[error(
        "a managed identity signs in to its own directory only and cannot act in directory {tenant}. Next step: use a service principal registered in (or consented to by) that directory"
    )]
    FixedTenant { tenant: String },
    #[error(
        "the personal access token in {source_name} is invalid: {reason}. Next step: copy the whole token again (it is shown once when created) into {source_name}, or unset it"
    )]
    InvalidPat { source_name: String, reason: String },
    #[error(
        "Azure DevOps refused the personal access token{from}: {reason}. Next step: create a new token at https://dev.azure.com/{{org}}/_usersSettings/tokens (for all accessible organizations, or pass --org ORG to prove one scoped to an organization)"
    )]
    PatRefused { from: String, reason: String },
    #[error(
        "no credential for an unattended sign-in was found:\n{0}\nNext step: set one up (see `ado-entra login --help`), or sign in interactively with `ado-entra login`"
    )]
    NoUnattendedCredential(String),
}

/// Wrap a raw secret. Kept here so callers never build one from a log line.
pub fn secret(s: impl Into<String>) -> SecretString {
    SecretString::from(s.into())
}
