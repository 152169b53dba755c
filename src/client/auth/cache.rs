//! The token cache: one JSON file under the state directory, created 0600.
//!
//! Secrets live in [`SecretString`]s in memory; they are exposed only while
//! writing the file. `Debug` of every type here redacts them.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::app::AppAuth;
use super::{AuthError, Claims, SignInMethod};

/// Tokens are refreshed this long before they expire.
pub const REFRESH_SKEW: Duration = Duration::minutes(5);

pub use super::token::CachedToken;

/// Everything one sign-in produced.
#[derive(Clone)]
pub struct TokenCache {
    pub method: SignInMethod,
    /// Authority tenant segment used for refreshes (`organizations` or a tenant id).
    pub tenant: String,
    pub client_id: String,
    /// The login base URL the tokens came from; a cache for another base is ignored.
    pub login_url: String,
    pub ado: Option<CachedToken>,
    pub graph: Option<CachedToken>,
    pub refresh_token: Option<SecretString>,
    /// Only for [`SignInMethod::Pat`].
    pub pat: Option<SecretString>,
    /// For the unattended methods: how to get the next token (they have no
    /// refresh token). The tenant and client id are the fields above.
    pub app: Option<AppAuth>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("method", &self.method)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("login_url", &self.login_url)
            .field("ado", &self.ado)
            .field("graph", &self.graph)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("pat", &self.pat.as_ref().map(|_| "[REDACTED]"))
            .field("app", &self.app)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct WireToken {
    token: String,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    version: u32,
    method: SignInMethod,
    tenant: String,
    client_id: String,
    login_url: String,
    #[serde(default)]
    ado: Option<WireToken>,
    #[serde(default)]
    graph: Option<WireToken>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    pat: Option<String>,
    #[serde(default)]
    app: Option<WireApp>,
}

/// How an unattended sign-in gets its next token, as stored.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum WireApp {
    Secret { secret: String },
    Certificate { path: std::path::PathBuf },
    FederatedTokenFile { path: std::path::PathBuf },
    ManagedIdentity,
}

fn app_to_wire(a: &AppAuth) -> WireApp {
    match a {
        AppAuth::Secret(s) => WireApp::Secret {
            secret: s.expose_secret().to_string(),
        },
        AppAuth::Certificate(p) => WireApp::Certificate { path: p.clone() },
        AppAuth::FederatedTokenFile(p) => WireApp::FederatedTokenFile { path: p.clone() },
        AppAuth::ManagedIdentity => WireApp::ManagedIdentity,
    }
}

fn app_from_wire(a: WireApp) -> AppAuth {
    match a {
        WireApp::Secret { secret } => AppAuth::Secret(SecretString::from(secret)),
        WireApp::Certificate { path } => AppAuth::Certificate(path),
        WireApp::FederatedTokenFile { path } => AppAuth::FederatedTokenFile(path),
        WireApp::ManagedIdentity => AppAuth::ManagedIdentity,
    }
}

fn to_wire(t: &Option<CachedToken>) -> Option<WireToken> {
    t.as_ref().map(|t| WireToken {
        token: t.token.expose_secret().to_string(),
        expires_at: t.expires_at,
    })
}

fn from_wire(t: Option<WireToken>) -> Option<CachedToken> {
    t.map(|t| CachedToken {
        token: SecretString::from(t.token),
        expires_at: t.expires_at,
    })
}

impl TokenCache {
    /// Load the cache; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<Self>, AuthError> {
        // Never through a link: a planted one could hand us someone else's tokens.
        let bytes = match crate::paths::read_private(path) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(AuthError::BadCache {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        let w: Wire = serde_json::from_slice(&bytes).map_err(|e| AuthError::BadCache {
            path: path.display().to_string(),
            // serde_json errors name positions, not content.
            reason: e.to_string(),
        })?;
        Ok(Some(Self {
            method: w.method,
            tenant: w.tenant,
            client_id: w.client_id,
            login_url: w.login_url,
            ado: from_wire(w.ado),
            graph: from_wire(w.graph),
            refresh_token: w.refresh_token.map(SecretString::from),
            pat: w.pat.map(SecretString::from),
            app: w.app.map(app_from_wire),
        }))
    }

    /// Write the cache, owner-only (0600), replacing any previous one.
    pub fn save(&self, path: &Path) -> Result<(), AuthError> {
        let bad = |e: std::io::Error| AuthError::CacheWrite {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            crate::paths::StatePaths::at(dir).ensure().map_err(bad)?;
        }
        let w = Wire {
            version: 1,
            method: self.method,
            tenant: self.tenant.clone(),
            client_id: self.client_id.clone(),
            login_url: self.login_url.clone(),
            ado: to_wire(&self.ado),
            graph: to_wire(&self.graph),
            refresh_token: self
                .refresh_token
                .as_ref()
                .map(|s| s.expose_secret().to_string()),
            pat: self.pat.as_ref().map(|s| s.expose_secret().to_string()),
            app: self.app.as_ref().map(app_to_wire),
        };
        let bytes = serde_json::to_vec_pretty(&w).map_err(|e| bad(e.into()))?;
        // Atomic, 0600, and refused through a symbolic link.
        crate::paths::write_private(path, &bytes).map_err(bad)
    }

    /// Delete the cache file; true when one existed.
    pub fn delete(path: &Path) -> std::io::Result<bool> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// An unattended sign-in without tokens yet (they are asked for on use).
    pub fn for_app(app: super::app::AppIdentity, oauth: &super::OAuthClient) -> Self {
        Self {
            method: app.auth.method(),
            tenant: app.tenant,
            client_id: app.client_id,
            login_url: oauth.login_url().to_string(),
            ado: None,
            graph: None,
            refresh_token: None,
            pat: None,
            app: Some(app.auth),
        }
    }

    /// Claims of the first JWT held (ADO first, then Graph).
    pub fn claims(&self) -> Option<Claims> {
        self.ado
            .as_ref()
            .and_then(CachedToken::claims)
            .or_else(|| self.graph.as_ref().and_then(CachedToken::claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TokenCache {
        TokenCache {
            method: SignInMethod::DeviceCode,
            tenant: "organizations".into(),
            client_id: "c".into(),
            login_url: "https://login.microsoftonline.com/".into(),
            ado: Some(CachedToken {
                token: SecretString::from("ado-secret-1"),
                expires_at: Utc::now(),
            }),
            graph: None,
            refresh_token: Some(SecretString::from("refresh-secret-2")),
            pat: Some(SecretString::from("pat-secret-3")),
            app: Some(AppAuth::Secret(SecretString::from("app-secret-4"))),
        }
    }

    #[cfg(unix)]
    #[test]
    fn round_trip_with_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("tokens.json");
        sample().save(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = TokenCache::load(&p).unwrap().unwrap();
        assert_eq!(back.ado.unwrap().token.expose_secret(), "ado-secret-1");
        assert!(
            matches!(back.app, Some(AppAuth::Secret(s)) if s.expose_secret() == "app-secret-4")
        );
        assert!(TokenCache::delete(&p).unwrap());
        assert!(TokenCache::load(&p).unwrap().is_none());
        assert!(!TokenCache::delete(&p).unwrap());
    }

    #[test]
    fn corrupt_cache_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tokens.json");
        std::fs::write(&p, "{not json").unwrap();
        let e = TokenCache::load(&p).unwrap_err();
        assert!(
            matches!(&e, AuthError::BadCache { path, .. } if path.contains("tokens.json")),
            "{e}"
        );
    }

    #[test]
    fn debug_redacts() {
        let s = format!("{:?}", sample());
        for secret in [
            "ado-secret-1",
            "refresh-secret-2",
            "pat-secret-3",
            "app-secret-4",
        ] {
            assert!(!s.contains(secret), "{s}");
        }
    }

    #[test]
    fn freshness_uses_skew() {
        let now = Utc::now();
        let t = CachedToken {
            token: SecretString::from("x"),
            expires_at: now + Duration::minutes(4),
        };
        assert!(!t.is_fresh(now, REFRESH_SKEW));
        assert!(t.is_fresh(now, Duration::zero()));
    }
}
