//! The async client layer for Azure DevOps, Microsoft Graph and Entra sign-in.
//!
//! - [`endpoints`]: every host in one [`Endpoints`] value (Azure or an emulator base).
//! - [`http`]: the one retry/timeout/concurrency pipeline and [`ClientEvent`]s;
//!   [`budget`]: its places for requests in flight, let in by priority.
//! - [`error`]: the one [`ClientError`].
//! - [`ado`]: [`AdoClient`] (undocumented calls isolated in `ado::undocumented`).
//! - [`graph`]: the [`GraphClient`].
//! - [`auth`]: sign-in flows, token cache and [`auth::TokenProvider`].
//! - [`models`]: serde models of the responses.

pub mod ado;
pub mod auth;
pub mod budget;
pub mod directory;
pub mod endpoints;
pub mod error;
pub mod graph;
pub mod http;
pub mod models;
pub mod pace;

pub use ado::AdoClient;
pub use endpoints::Endpoints;
pub use error::{ApiError, ClientError, Service};
pub use graph::GraphClient;
pub use http::{ClientEvent, HttpCore, RetryPolicy};

/// Everything a caller needs, wired together.
#[derive(Clone, Debug)]
pub struct Clients {
    pub core: HttpCore,
    pub endpoints: Endpoints,
    pub tokens: auth::TokenProvider,
    pub ado: AdoClient,
    pub graph: GraphClient,
    /// Second sign-ins kept for reading a directory the main one cannot
    /// (`login --directory`).
    pub directories: auth::sessions::DirectorySessions,
}

impl Clients {
    /// Wire ADO and Graph clients over one pipeline and one token provider.
    pub fn new(core: HttpCore, endpoints: Endpoints, tokens: auth::TokenProvider) -> Self {
        Self {
            ado: AdoClient::new(core.clone(), endpoints.clone(), tokens.clone()),
            graph: GraphClient::new(core.clone(), &endpoints, tokens.clone()),
            core,
            endpoints,
            tokens,
            directories: auth::sessions::DirectorySessions::default(),
        }
    }

    /// The same sign-ins over [`HttpCore::with_budget`].
    pub fn with_budget(&self, concurrency: usize) -> Self {
        let core = self.core.with_budget(concurrency);
        Self {
            directories: self.directories.clone(),
            ..Self::new(core, self.endpoints.clone(), self.tokens.clone())
        }
    }
}

/// Settings to build [`Clients`] from (the global CLI options).
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// Emulator base URL; real Azure when `None`.
    pub emulator_url: Option<String>,
    /// OAuth public client id override.
    pub client_id: Option<String>,
    /// Tenant override (`organizations` by default).
    pub tenant: Option<String>,
}

impl Clients {
    /// Build everything from settings and the state directory: the signed-in
    /// token cache, or `AZURE_DEVOPS_EXT_PAT` when there is none.
    pub fn from_settings(
        settings: &ClientSettings,
        paths: &crate::paths::StatePaths,
        policy: RetryPolicy,
    ) -> Result<(Self, auth::OAuthClient), ClientError> {
        let endpoints = Endpoints::from_option(settings.emulator_url.as_deref())?;
        let core = HttpCore::new(policy)?;
        let config =
            auth::OAuthConfig::new(settings.client_id.as_deref(), settings.tenant.as_deref());
        let oauth = auth::OAuthClient::new(core.clone(), &endpoints, config);
        let tokens = auth::TokenProvider::load_or_env_pat(paths.token_cache(), oauth.clone())?;
        let mut clients = Self::new(core, endpoints, tokens);
        clients.directories = auth::sessions::DirectorySessions::new(paths.root(), oauth.clone());
        Ok((clients, oauth))
    }
}
