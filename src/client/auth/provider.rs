//! The token provider the API clients call for a fresh credential.
//!
//! It refreshes before expiry (with a skew), and on demand after a 401. One
//! lock serialises refreshes so parallel requests share one refresh.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::cache::{REFRESH_SKEW, TokenCache};
use super::oauth::OAuthClient;
use super::token::CachedToken;
use super::{AuthError, Credential, Resource, SignInMethod, azcli};
use crate::client::error::ClientError;
use crate::client::http::ClientEvent;

struct Inner {
    cache: Option<TokenCache>,
    /// When each resource's token was last renewed because a request was
    /// refused (401) with the one before it.
    renewed_after_refusal: HashMap<Resource, std::time::Instant>,
}

/// A token renewed after a refusal and itself refused within this time is
/// not renewed again: it is new, so the refusal is about the request (the
/// caller may not do it, e.g. read another user's tokens), and renewing
/// would only hold every other request of the sign-in back, once per
/// refusal.
const RENEWAL_PROVES_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// The cached token for `resource`.
fn slot(cache: &TokenCache, resource: Resource) -> Option<&CachedToken> {
    match resource {
        Resource::AzureDevOps => cache.ado.as_ref(),
        Resource::Graph => cache.graph.as_ref(),
    }
}

/// Whether `cred` is the bearer token `t` itself.
fn carries(cred: &Credential, t: &CachedToken) -> bool {
    matches!(cred, Credential::Bearer { token, .. } if token.expose_secret() == t.token.expose_secret())
}

/// Hands out credentials, refreshing and persisting as needed. Cheap to clone.
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Mutex<Inner>>,
    oauth: Option<OAuthClient>,
    path: Option<PathBuf>,
    skew: Duration,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("path", &self.path)
            .field("skew", &self.skew)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider over a signed-in cache. `path` persists refreshed tokens.
    pub fn new(
        cache: Option<TokenCache>,
        oauth: Option<OAuthClient>,
        path: Option<PathBuf>,
    ) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                cache,
                renewed_after_refusal: HashMap::new(),
            })),
            oauth,
            path,
            skew: REFRESH_SKEW,
        }
    }

    /// The OAuth client refreshes go through, if any (none for a PAT).
    pub fn oauth(&self) -> Option<OAuthClient> {
        self.oauth.clone()
    }

    /// Replace the signed-in cache (after a sign-in), persisting it when this
    /// provider has a path.
    pub async fn set_cache(&self, cache: TokenCache) -> Result<(), ClientError> {
        if let Some(p) = &self.path {
            cache.save(p)?;
        }
        self.inner.lock().await.cache = Some(cache);
        Ok(())
    }

    /// Forget every token (sign out), deleting the cache file.
    pub async fn clear(&self) -> std::io::Result<()> {
        self.inner.lock().await.cache = None;
        if let Some(p) = &self.path {
            TokenCache::delete(p)?;
        }
        Ok(())
    }

    /// Load the cache at `path` (not signed in when absent, or when it was made
    /// against another login base, e.g. the emulator vs. Azure).
    pub fn load(path: PathBuf, oauth: OAuthClient) -> Result<Self, ClientError> {
        let cache = TokenCache::load(&path)?
            .filter(|c| c.method == SignInMethod::Pat || c.login_url == oauth.login_url().as_str());
        Ok(Self::new(cache, Some(oauth), Some(path)))
    }

    /// Like [`TokenProvider::load`], but without a saved sign-in use the
    /// environment, in DefaultAzureCredential's order: a service principal
    /// (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`), workload identity
    /// (`AZURE_FEDERATED_TOKEN_FILE`), App Service's managed identity
    /// (`IDENTITY_ENDPOINT`/`IDENTITY_HEADER`), then a PAT in
    /// `AZURE_DEVOPS_EXT_PAT`. Nothing from the environment is written to disk.
    pub fn load_or_env_pat(path: PathBuf, oauth: OAuthClient) -> Result<Self, ClientError> {
        let loaded = Self::load(path.clone(), oauth.clone())?;
        if loaded.has_cache() {
            return Ok(loaded);
        }
        if let Some(app) =
            super::app::service_principal_from_env()?.or(super::app::workload_identity_from_env()?)
        {
            return Ok(Self::from_app(app, oauth));
        }
        if super::app::app_service_identity_in_env() {
            let app = super::app::AppIdentity {
                tenant: String::new(),
                client_id: super::app::managed_identity_client_id_from_env().unwrap_or_default(),
                auth: super::app::AppAuth::ManagedIdentity,
            };
            return Ok(Self::from_app(app, oauth));
        }
        if let Some(p) = super::pat::from_env()? {
            return Ok(Self::from_pat(p));
        }
        Ok(loaded)
    }

    /// A provider for an app-only identity (nothing persisted): each token is
    /// asked for when needed.
    pub fn from_app(app: super::app::AppIdentity, oauth: OAuthClient) -> Self {
        Self::new(Some(TokenCache::for_app(app, &oauth)), Some(oauth), None)
    }

    /// A provider holding only a PAT (nothing persisted).
    pub fn from_pat(pat: SecretString) -> Self {
        Self::new(
            Some(TokenCache {
                method: SignInMethod::Pat,
                tenant: String::new(),
                client_id: String::new(),
                login_url: String::new(),
                ado: None,
                graph: None,
                refresh_token: None,
                pat: Some(pat),
                app: None,
            }),
            None,
            None,
        )
    }

    /// Refresh this long before expiry (default 5 minutes).
    pub fn with_skew(mut self, skew: std::time::Duration) -> Self {
        self.skew = Duration::from_std(skew).unwrap_or(REFRESH_SKEW);
        self
    }

    /// A copy of the current cache (for `whoami`). An unattended identity
    /// read from the environment has no token until first used; one is asked
    /// for here, so who it is can be read off the token (a failure is left to
    /// the first real call to report).
    pub async fn snapshot(&self) -> Option<TokenCache> {
        let needs_token = self
            .inner
            .lock()
            .await
            .cache
            .as_ref()
            .is_some_and(|c| c.app.is_some() && c.ado.is_none());
        if needs_token {
            let _ = self.credential(Resource::AzureDevOps, false).await;
        }
        self.inner.lock().await.cache.clone()
    }

    /// Whether a sign-in is held (false while a refresh holds the lock).
    pub fn has_cache(&self) -> bool {
        self.inner.try_lock().is_ok_and(|g| g.cache.is_some())
    }

    /// How the user signed in, without waiting (`None` while a refresh holds
    /// the lock, or when not signed in).
    pub fn try_method(&self) -> Option<SignInMethod> {
        self.inner
            .try_lock()
            .ok()
            .and_then(|g| g.cache.as_ref().map(|c| c.method))
    }

    /// How the user signed in, if they did.
    pub async fn method(&self) -> Option<SignInMethod> {
        self.inner.lock().await.cache.as_ref().map(|c| c.method)
    }

    /// A credential for `resource`; `force_refresh` after a 401.
    pub async fn credential(
        &self,
        resource: Resource,
        force_refresh: bool,
    ) -> Result<Credential, ClientError> {
        self.credential_replacing(resource, force_refresh, None)
            .await
    }

    /// A credential for `resource` to retry with after `refused` got a 401:
    /// a fresh token, unless another request already replaced `refused`
    /// meanwhile, in which case that one. Requests refused at once (many
    /// in flight, one token) then refresh it once, not once each, each
    /// refresh holding every other request of this sign-in back. `None`:
    /// `refused` was itself renewed after a refusal moments ago, so the
    /// refusal stands (see [`RENEWAL_PROVES_FOR`]).
    pub async fn credential_after_refusal(
        &self,
        resource: Resource,
        refused: &Credential,
    ) -> Result<Option<Credential>, ClientError> {
        {
            let guard = self.inner.lock().await;
            // Still the current token, and not (about to be) expired: a
            // token that ran out in flight is renewed whatever its age.
            let is_current = guard
                .cache
                .as_ref()
                .and_then(|c| slot(c, resource))
                .is_some_and(|t| carries(refused, t) && t.is_fresh(Utc::now(), self.skew));
            let just_renewed = guard
                .renewed_after_refusal
                .get(&resource)
                .is_some_and(|at| at.elapsed() < RENEWAL_PROVES_FOR);
            if is_current && just_renewed {
                return Ok(None);
            }
        }
        let fresh = self
            .credential_replacing(resource, true, Some(refused))
            .await?;
        Ok(Some(fresh))
    }

    async fn credential_replacing(
        &self,
        resource: Resource,
        force_refresh: bool,
        refused: Option<&Credential>,
    ) -> Result<Credential, ClientError> {
        let mut guard = self.inner.lock().await;
        let cache = guard.cache.as_mut().ok_or(AuthError::NotSignedIn)?;
        if cache.method == SignInMethod::Pat {
            return match (resource, &cache.pat) {
                (Resource::Graph, _) => Err(ClientError::PatCannotReachGraph {
                    what: "Entra user lookups and invitations".into(),
                }),
                (Resource::AzureDevOps, Some(p)) => Ok(Credential::Pat(p.clone())),
                (Resource::AzureDevOps, None) => Err(AuthError::NoPat.into()),
            };
        }
        let refreshable = cache.refresh_token.is_some()
            || cache.method == SignInMethod::AzureCli
            || cache.app.is_some();
        let replaced = |t: &CachedToken| matches!(refused, Some(r @ Credential::Bearer { .. }) if !carries(r, t));
        if let Some(t) = slot(cache, resource)
            && (!force_refresh || replaced(t))
            && t.is_fresh(Utc::now(), self.skew)
        {
            return Ok(Credential::Bearer {
                token: t.token.clone(),
                refreshable,
            });
        }
        let fresh = self.refresh(cache, resource).await?;
        if refused.is_some() {
            guard
                .renewed_after_refusal
                .insert(resource, std::time::Instant::now());
        }
        let cache = guard.cache.as_mut().ok_or(AuthError::NotSignedIn)?;
        let token = fresh.token.clone();
        match resource {
            Resource::AzureDevOps => cache.ado = Some(fresh),
            Resource::Graph => cache.graph = Some(fresh),
        }
        if let Some(p) = &self.path {
            cache.save(p)?;
        }
        if let Some(o) = &self.oauth {
            o.core().emit(ClientEvent::TokenRefreshed { resource });
        }
        tracing::debug!(%resource, "access token refreshed");
        Ok(Credential::Bearer { token, refreshable })
    }

    /// Move the session to another tenant (e.g. after connecting the organization):
    /// later refreshes use `tenant` as the authority, and both tokens are
    /// re-issued for it now. Returns the tenant id of the new ADO token.
    pub async fn use_tenant(&self, tenant: &str) -> Result<Option<String>, ClientError> {
        // An identity from the environment gets its first token (its tenant).
        self.snapshot().await;
        let previous = {
            let mut guard = self.inner.lock().await;
            let cache = guard.cache.as_mut().ok_or(AuthError::NotSignedIn)?;
            if cache.method == SignInMethod::Pat {
                return Ok(None);
            }
            if cache.method == SignInMethod::ManagedIdentity {
                // Its own directory is the only one it can act in.
                let own = cache.claims().and_then(|c| c.tid);
                return match own {
                    Some(t) if t.eq_ignore_ascii_case(tenant) => Ok(Some(t)),
                    _ => Err(AuthError::FixedTenant {
                        tenant: tenant.to_string(),
                    }
                    .into()),
                };
            }
            let previous = cache.tenant.clone();
            cache.tenant = tenant.to_string();
            previous
        };
        let moved = async {
            self.credential(Resource::AzureDevOps, true).await?;
            let has_graph = self
                .inner
                .lock()
                .await
                .cache
                .as_ref()
                .is_some_and(|c| c.graph.is_some());
            if has_graph {
                self.credential(Resource::Graph, true).await?;
            }
            Ok::<(), ClientError>(())
        }
        .await;
        if let Err(e) = moved {
            // The session stays where it was: a failed move must not leave
            // it pointed at a directory it cannot sign in to.
            if let Some(cache) = self.inner.lock().await.cache.as_mut() {
                cache.tenant = previous;
            }
            return Err(e);
        }
        Ok(self
            .snapshot()
            .await
            .and_then(|c| c.ado.as_ref().and_then(|t| t.claims()))
            .and_then(|c| c.tid))
    }

    async fn refresh(
        &self,
        cache: &mut TokenCache,
        resource: Resource,
    ) -> Result<CachedToken, ClientError> {
        if cache.method == SignInMethod::AzureCli {
            let t = azcli::get_token(resource, Some(&cache.tenant)).await?;
            return Ok(t.token);
        }
        if let (Some(auth), Some(oauth)) = (&cache.app, self.oauth.as_ref()) {
            let id = super::app::AppIdentity {
                tenant: cache.tenant.clone(),
                client_id: cache.client_id.clone(),
                auth: auth.clone(),
            };
            return super::app::token(oauth, &id, resource).await;
        }
        let (Some(rt), Some(oauth)) = (cache.refresh_token.clone(), self.oauth.as_ref()) else {
            return Err(AuthError::RefreshUnavailable { resource }.into());
        };
        let mut oauth = oauth.clone();
        oauth.config.tenant = cache.tenant.clone();
        oauth.config.client_id = cache.client_id.clone();
        let resp = oauth.refresh(&rt, resource.scope()).await?;
        if let Some(new_rt) = resp.refresh_token {
            cache.refresh_token = Some(new_rt);
        }
        Ok(resp.access)
    }
}
