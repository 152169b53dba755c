//! One sign-in, four ways, each producing a [`TokenCache`] with an Azure DevOps
//! token and (except for PATs) a Microsoft Graph token.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::cache::TokenCache;
use super::oauth::{DeviceCodePrompt, OAuthClient, TokenResponse};
use super::{ADO_SCOPE, GRAPH_SCOPE, Resource, SignInMethod, azcli, browser};
use crate::client::error::ClientError;

/// Build the cache from the ADO sign-in, then exchange the refresh token for Graph.
/// A Graph failure is reported as a warning, not an error: ADO-only work can go on.
async fn finish(
    oauth: &OAuthClient,
    method: SignInMethod,
    ado: TokenResponse,
) -> (TokenCache, Option<ClientError>) {
    let mut cache = TokenCache {
        method,
        tenant: oauth.config.tenant.clone(),
        client_id: oauth.config.client_id.clone(),
        login_url: oauth.login_url().to_string(),
        ado: Some(ado.access),
        graph: None,
        refresh_token: ado.refresh_token,
        pat: None,
        app: None,
    };
    let mut warning = None;
    if let Some(rt) = cache.refresh_token.clone() {
        match oauth.refresh(&rt, GRAPH_SCOPE).await {
            Ok(g) => {
                cache.graph = Some(g.access);
                if let Some(r) = g.refresh_token {
                    cache.refresh_token = Some(r);
                }
            }
            Err(e) => warning = Some(e),
        }
    }
    (cache, warning)
}

/// Device code: `on_prompt` shows the code; then poll until done.
pub async fn device_code(
    oauth: &OAuthClient,
    on_prompt: impl FnOnce(&DeviceCodePrompt),
) -> Result<(TokenCache, Option<ClientError>), ClientError> {
    let flow = oauth.start_device_code(ADO_SCOPE).await?;
    on_prompt(&flow.prompt);
    let ado = oauth.poll_device_code(&flow).await?;
    Ok(finish(oauth, SignInMethod::DeviceCode, ado).await)
}

/// Authorization code + PKCE through the browser. `on_url` is called with the URL
/// (open it, or print it with `--no-browser`).
pub async fn browser(
    oauth: &OAuthClient,
    on_url: impl FnOnce(&Url),
    timeout: Duration,
) -> Result<(TokenCache, Option<ClientError>), ClientError> {
    let ado = browser::sign_in(oauth, ADO_SCOPE, on_url, timeout).await?;
    Ok(finish(oauth, SignInMethod::Browser, ado).await)
}

/// Reuse the Azure CLI's sign-in (both tokens come from `az`).
pub async fn azure_cli(
    oauth: &OAuthClient,
) -> Result<(TokenCache, Option<ClientError>), ClientError> {
    let tenant = Some(oauth.config.tenant.as_str());
    let ado = azcli::get_token(Resource::AzureDevOps, tenant).await?;
    let (graph, warning) = match azcli::get_token(Resource::Graph, tenant).await {
        Ok(g) => (Some(g.token), None),
        Err(e) => (None, Some(e.into())),
    };
    let cache = TokenCache {
        method: SignInMethod::AzureCli,
        tenant: ado
            .tenant
            .clone()
            .unwrap_or_else(|| oauth.config.tenant.clone()),
        client_id: oauth.config.client_id.clone(),
        login_url: oauth.login_url().to_string(),
        ado: Some(ado.token),
        graph,
        refresh_token: None,
        pat: None,
        app: None,
    };
    Ok((cache, warning))
}

/// A PAT-only "sign-in" (no Graph).
pub fn pat(oauth: &OAuthClient, pat: SecretString) -> TokenCache {
    TokenCache {
        method: SignInMethod::Pat,
        tenant: String::new(),
        client_id: String::new(),
        login_url: oauth.login_url().to_string(),
        ado: None,
        graph: None,
        refresh_token: None,
        pat: Some(pat),
        app: None,
    }
}

/// An unattended sign-in: an Azure DevOps token now (so a wrong secret or a
/// missing federated credential fails here, with its AADSTS code), and a
/// Graph token when the app may have one (a failure is a warning: Graph needs
/// directory permissions an app often lacks).
pub async fn app(
    oauth: &OAuthClient,
    app: super::app::AppIdentity,
) -> Result<(TokenCache, Option<ClientError>), ClientError> {
    let mut cache = TokenCache::for_app(app.clone(), oauth);
    cache.ado = Some(super::app::token(oauth, &app, Resource::AzureDevOps).await?);
    let warning = match super::app::token(oauth, &app, Resource::Graph).await {
        Ok(g) => {
            cache.graph = Some(g);
            None
        }
        Err(e) => Some(e),
    };
    Ok((cache, warning))
}
