//! Entra ID OAuth 2.0 (v2 endpoints): device code, authorization code exchange
//! and refresh-token exchange.
//!
//! The calls go through the shared [`HttpCore`] so the emulator base URL, the
//! loopback-only `http://` rule, retries and timeouts apply to sign-in too.

use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::token::CachedToken;
use super::{AuthError, DEFAULT_CLIENT_ID, DEFAULT_TENANT};
use crate::client::endpoints::{Endpoints, join};
use crate::client::error::{ClientError, Service, api_error, truncate};
use crate::client::http::{HttpCore, HttpResponse, Request};

/// Which public client and tenant to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    pub client_id: String,
    /// `organizations`, a tenant id or a verified domain.
    pub tenant: String,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.into(),
            tenant: DEFAULT_TENANT.into(),
        }
    }
}

impl OAuthConfig {
    /// Defaults overridden by `--client-id` / `--tenant` when given.
    pub fn new(client_id: Option<&str>, tenant: Option<&str>) -> Self {
        let pick = |v: Option<&str>, d: &str| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(d)
                .to_string()
        };
        Self {
            client_id: pick(client_id, DEFAULT_CLIENT_ID),
            tenant: pick(tenant, DEFAULT_TENANT),
        }
    }
}

/// What the user must do to finish a device-code sign-in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceCodePrompt {
    pub verification_uri: String,
    pub user_code: String,
    /// Seconds until the code expires.
    pub expires_in: u64,
    /// Entra's own instruction text, if any.
    #[serde(skip)]
    pub message: Option<String>,
}

/// Tokens from the token endpoint.
pub struct TokenResponse {
    pub access: CachedToken,
    pub refresh_token: Option<SecretString>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access", &self.access)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct DeviceCodeWire {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default = "default_expires")]
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

fn default_expires() -> u64 {
    900
}

#[derive(Deserialize)]
struct TokenWire {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OAuthErrorWire {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Talks to the Entra token endpoints.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    core: HttpCore,
    login: Url,
    /// The instance metadata endpoint (managed identity on a VM).
    imds: Url,
    pub config: OAuthConfig,
    /// Added to the poll interval on `slow_down` (RFC 8628 says 5 s).
    pub slow_down_step: Duration,
    /// Lower bound for the poll interval.
    pub min_interval: Duration,
}

impl OAuthClient {
    pub fn new(core: HttpCore, endpoints: &Endpoints, config: OAuthConfig) -> Self {
        Self {
            core,
            login: endpoints.login.clone(),
            imds: endpoints.imds.clone(),
            config,
            slow_down_step: Duration::from_secs(5),
            min_interval: Duration::from_secs(1),
        }
    }

    /// The login base these tokens come from (recorded in the cache).
    pub fn login_url(&self) -> &Url {
        &self.login
    }

    /// The instance metadata endpoint base.
    pub fn imds_url(&self) -> &Url {
        &self.imds
    }

    /// `{login}/{tenant}/oauth2/v2.0/{leaf}`.
    pub fn endpoint(&self, leaf: &str) -> Url {
        join(&self.login, &[&self.config.tenant, "oauth2", "v2.0", leaf])
    }

    fn refused(resp: &HttpResponse) -> ClientError {
        let e = api_error(
            Service::Login,
            resp.status,
            resp.request.clone(),
            &resp.headers,
            &resp.body,
        );
        let description = e
            .message
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        AuthError::Refused {
            code: e
                .code
                .unwrap_or_else(|| format!("HTTP {}", resp.status.as_u16())),
            description,
        }
        .into()
    }

    /// POST a grant to the token endpoint; a refusal is an error.
    pub(crate) async fn token_grant(
        &self,
        form: Vec<(String, String)>,
    ) -> Result<TokenResponse, ClientError> {
        let resp = self.token_request(form).await?;
        if !resp.status.is_success() {
            return Err(Self::refused(&resp));
        }
        Self::parse_token(&resp)
    }

    fn parse_token(resp: &HttpResponse) -> Result<TokenResponse, ClientError> {
        let w: TokenWire = serde_json::from_slice(&resp.body)
            .map_err(|e| AuthError::Protocol(truncate(&e.to_string(), 200)))?;
        let secs = match w.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(3600),
            Some(serde_json::Value::String(s)) => s.parse().unwrap_or(3600),
            _ => 3600,
        };
        let access = CachedToken {
            token: SecretString::from(w.access_token),
            expires_at: Utc::now() + chrono::Duration::seconds(secs.min(86_400 * 30) as i64),
        };
        Ok(TokenResponse {
            access,
            refresh_token: w.refresh_token.map(SecretString::from),
        })
    }

    async fn token_request(
        &self,
        form: Vec<(String, String)>,
    ) -> Result<HttpResponse, ClientError> {
        let req = Request::new(Method::POST, self.endpoint("token"))
            .form(form)
            .header("accept", "application/json");
        self.core.send(&req, None).await
    }

    /// A token request that may be sent again when its answer is lost.
    async fn token_request_safe(
        &self,
        form: Vec<(String, String)>,
    ) -> Result<HttpResponse, ClientError> {
        let req = Request::new(Method::POST, self.endpoint("token"))
            .form(form)
            .header("accept", "application/json")
            .retry_safe();
        self.core.send(&req, None).await
    }

    /// Start a device-code sign-in.
    pub async fn start_device_code(&self, scope: &str) -> Result<DeviceCodeFlow, ClientError> {
        let req = Request::new(Method::POST, self.endpoint("devicecode"))
            .form(vec![
                ("client_id".into(), self.config.client_id.clone()),
                ("scope".into(), scope.into()),
            ])
            .header("accept", "application/json");
        let resp = self.core.send(&req, None).await?;
        if !resp.status.is_success() {
            return Err(Self::refused(&resp));
        }
        let w: DeviceCodeWire = serde_json::from_slice(&resp.body)
            .map_err(|e| AuthError::Protocol(truncate(&e.to_string(), 200)))?;
        Ok(DeviceCodeFlow {
            prompt: DeviceCodePrompt {
                verification_uri: w.verification_uri,
                user_code: w.user_code,
                expires_in: w.expires_in,
                message: w.message,
            },
            device_code: SecretString::from(w.device_code),
            interval: Duration::from_secs(w.interval.unwrap_or(5)),
            scope: scope.into(),
        })
    }

    /// Poll until the user finishes (or declines, or the code expires).
    pub async fn poll_device_code(
        &self,
        flow: &DeviceCodeFlow,
    ) -> Result<TokenResponse, ClientError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(flow.prompt.expires_in);
        let mut interval = flow.interval.max(self.min_interval);
        loop {
            tokio::time::sleep(interval).await;
            if tokio::time::Instant::now() > deadline {
                return Err(AuthError::ExpiredToken.into());
            }
            let resp = self
                .token_request(vec![
                    (
                        "grant_type".into(),
                        "urn:ietf:params:oauth:grant-type:device_code".into(),
                    ),
                    ("client_id".into(), self.config.client_id.clone()),
                    (
                        "device_code".into(),
                        flow.device_code.expose_secret().to_string(),
                    ),
                ])
                .await?;
            if resp.status.is_success() {
                return Self::parse_token(&resp);
            }
            let err: OAuthErrorWire =
                serde_json::from_slice(&resp.body).unwrap_or(OAuthErrorWire {
                    error: String::new(),
                    error_description: None,
                });
            match err.error.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval += self.slow_down_step,
                "expired_token" | "code_expired" => return Err(AuthError::ExpiredToken.into()),
                "authorization_declined" | "access_denied" => {
                    return Err(AuthError::Declined.into());
                }
                "bad_verification_code" => return Err(AuthError::BadVerificationCode.into()),
                _ => {
                    let _ = err.error_description;
                    return Err(Self::refused(&resp));
                }
            }
        }
    }

    /// Redeem an authorization code (PKCE).
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &SecretString,
        redirect_uri: &str,
        scope: &str,
    ) -> Result<TokenResponse, ClientError> {
        let resp = self
            .token_request(vec![
                ("grant_type".into(), "authorization_code".into()),
                ("client_id".into(), self.config.client_id.clone()),
                ("code".into(), code.into()),
                ("redirect_uri".into(), redirect_uri.into()),
                ("code_verifier".into(), verifier.expose_secret().to_string()),
                ("scope".into(), scope.into()),
            ])
            .await?;
        if !resp.status.is_success() {
            return Err(Self::refused(&resp));
        }
        Self::parse_token(&resp)
    }

    /// Exchange a refresh token for an access token to `scope`.
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
        scope: &str,
    ) -> Result<TokenResponse, ClientError> {
        // Redeeming the same refresh token again is allowed: a lost answer is retried.
        let resp = self
            .token_request_safe(vec![
                ("grant_type".into(), "refresh_token".into()),
                ("client_id".into(), self.config.client_id.clone()),
                (
                    "refresh_token".into(),
                    refresh_token.expose_secret().to_string(),
                ),
                ("scope".into(), scope.into()),
            ])
            .await?;
        if !resp.status.is_success() {
            return Err(Self::refused(&resp));
        }
        Self::parse_token(&resp)
    }
}

/// A device-code sign-in in progress.
pub struct DeviceCodeFlow {
    pub prompt: DeviceCodePrompt,
    device_code: SecretString,
    pub interval: Duration,
    pub scope: String,
}

impl std::fmt::Debug for DeviceCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeFlow")
            .field("prompt", &self.prompt)
            .field("device_code", &"[REDACTED]")
            .field("interval", &self.interval)
            .finish()
    }
}

impl OAuthClient {
    /// The HTTP pipeline (for events).
    pub fn core(&self) -> &HttpCore {
        &self.core
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_overrides() {
        let c = OAuthConfig::new(None, Some(" "));
        assert_eq!(c.client_id, DEFAULT_CLIENT_ID);
        assert_eq!(c.tenant, "organizations");
        let c = OAuthConfig::new(Some("abc"), Some("t1"));
        assert_eq!((c.client_id.as_str(), c.tenant.as_str()), ("abc", "t1"));
    }

    #[test]
    fn endpoint_urls() {
        let core = HttpCore::new(Default::default()).unwrap();
        let e = Endpoints::emulator("http://127.0.0.1:1").unwrap();
        let o = OAuthClient::new(core, &e, OAuthConfig::default());
        assert_eq!(
            o.endpoint("token").as_str(),
            "http://127.0.0.1:1/login/organizations/oauth2/v2.0/token"
        );
    }
}

/// Every credential-carrying type must keep its secret out of `Debug`.
#[cfg(test)]
mod redaction_tests {
    use super::super::browser::Pkce;
    use super::super::{Credential, SignInMethod, TokenCache, TokenProvider};
    use super::*;

    #[tokio::test]
    async fn debug_of_every_credential_type_is_redacted() {
        const S: &str = "very-secret-value-123";
        let secret = || SecretString::from(S.to_string());
        let token = CachedToken {
            token: secret(),
            expires_at: Utc::now(),
        };
        let cache = TokenCache {
            method: SignInMethod::DeviceCode,
            tenant: "t".into(),
            client_id: "c".into(),
            login_url: "u".into(),
            ado: Some(token.clone()),
            graph: Some(token.clone()),
            refresh_token: Some(secret()),
            pat: Some(secret()),
            app: None,
        };
        let flow = DeviceCodeFlow {
            prompt: DeviceCodePrompt {
                verification_uri: "v".into(),
                user_code: "u".into(),
                expires_in: 1,
                message: None,
            },
            device_code: secret(),
            interval: Duration::from_secs(1),
            scope: "s".into(),
        };
        let resp = TokenResponse {
            access: token.clone(),
            refresh_token: Some(secret()),
        };
        let provider = TokenProvider::new(Some(cache.clone()), None, None);
        let pkce = Pkce {
            verifier: secret(),
            challenge: "c".into(),
        };
        let all = [
            format!("{token:?}"),
            format!("{cache:?}"),
            format!("{flow:?}"),
            format!("{resp:?}"),
            format!("{provider:?}"),
            format!("{pkce:?}"),
            format!("{:?}", Credential::Pat(secret())),
            format!(
                "{:?}",
                Credential::Bearer {
                    token: secret(),
                    refreshable: true
                }
            ),
            format!(
                "{:?}",
                provider
                    .credential(crate::client::auth::Resource::AzureDevOps, false)
                    .await
            ),
            format!(
                "{:?}",
                super::super::azcli::AzCliToken {
                    token: token.clone(),
                    tenant: None
                }
            ),
        ];
        for s in all {
            assert!(!s.contains(S), "secret in Debug: {s}");
        }
    }
}
