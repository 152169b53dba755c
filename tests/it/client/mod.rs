//! Integration tests of the client layer over loopback HTTP.
//!
//! `mock` is a scripted stand-in for exact fault and token control; `reference`
//! checks the models against real recorded responses; `commands` drives the
//! `login`/`logout`/`whoami` binary.

mod api;
mod commands;
mod emulator;
mod mock;
mod reference;
mod signin;

use std::time::Duration;

use ado_entra::client::auth::{
    CachedToken, OAuthClient, OAuthConfig, SignInMethod, TokenCache, TokenProvider,
};
use ado_entra::client::{Clients, Endpoints, HttpCore, RetryPolicy};
use secrecy::SecretString;

/// Clients against `server`, signed in with a fresh token and a refresh token.
pub fn signed_in(server: &mock::Server) -> (Clients, OAuthClient) {
    let endpoints = Endpoints::emulator(&server.base).unwrap();
    let core = HttpCore::new(RetryPolicy::fast()).unwrap();
    let mut oauth = OAuthClient::new(core.clone(), &endpoints, OAuthConfig::default());
    oauth.min_interval = Duration::from_millis(1);
    oauth.slow_down_step = Duration::from_millis(20);
    let token = |t: String| CachedToken {
        token: SecretString::from(t),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    };
    let cache = TokenCache {
        method: SignInMethod::DeviceCode,
        tenant: "organizations".into(),
        client_id: oauth.config.client_id.clone(),
        login_url: oauth.login_url().to_string(),
        ado: Some(token(server.mint())),
        graph: Some(token(server.mint())),
        refresh_token: Some(SecretString::from("rt-seed".to_string())),
        pat: None,
        app: None,
    };
    let tokens = TokenProvider::new(Some(cache), Some(oauth.clone()), None);
    (Clients::new(core, endpoints, tokens), oauth)
}
