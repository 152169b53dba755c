//! An access token and its expiry: what every way of signing in produces
//! and the cache keeps. `Debug` redacts the token.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};

use super::{Claims, jwt};

/// An access token and its expiry.
#[derive(Clone)]
pub struct CachedToken {
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl CachedToken {
    /// True when the token is still good for at least `skew`.
    pub fn is_fresh(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        self.expires_at - skew > now
    }
    /// Claims of the token when it is a JWT.
    pub fn claims(&self) -> Option<Claims> {
        jwt::decode(self.token.expose_secret())
    }
}
