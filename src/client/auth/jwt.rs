//! Read (never verify) the claims of a JWT access token, for identity display.
//! The client does not validate tokens; the services do.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The claims ado-entra shows. All optional: tokens differ by issuer and flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Tenant id.
    #[serde(default)]
    pub tid: Option<String>,
    /// Object id of the user in that tenant.
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub upn: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Expiry, seconds since the epoch.
    #[serde(default)]
    pub exp: Option<i64>,
    /// The application (client) id the token was issued to.
    #[serde(default)]
    pub appid: Option<String>,
}

impl Claims {
    /// The best available user name; for an app-only token (no user name),
    /// the application (client) id.
    pub fn username(&self) -> Option<&str> {
        fn some(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|s| !s.trim().is_empty())
        }
        some(&self.upn)
            .or(some(&self.preferred_username))
            .or(some(&self.unique_name))
            .or(some(&self.appid))
    }
}

/// Decode the payload segment of a JWT. Returns `None` for anything that is not one
/// (opaque tokens, PATs).
pub fn decode(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    if payload.len() > 64 * 1024 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn make(payload: &serde_json::Value) -> String {
        format!(
            "eyJhbGciOiJub25lIn0.{}.sig",
            URL_SAFE_NO_PAD.encode(payload.to_string())
        )
    }

    #[test]
    fn reads_claims() {
        let t = make(
            &serde_json::json!({"tid":"t","oid":"o","upn":"a@b.c","exp":5,"name":"A","extra":[1]}),
        );
        let c = decode(&t).unwrap();
        assert_eq!(c.tid.as_deref(), Some("t"));
        assert_eq!(c.username(), Some("a@b.c"));
        assert_eq!(c.exp, Some(5));
        let app = decode(&make(&serde_json::json!({"upn": "", "appid": "app-1"}))).unwrap();
        assert_eq!(app.username(), Some("app-1"));
    }

    #[test]
    fn not_a_jwt() {
        assert!(decode("abc").is_none());
        assert!(decode("a.b").is_none());
        assert!(decode("a.!!!.c").is_none());
        assert!(
            decode(&format!(
                "a.{}.c",
                URL_SAFE_NO_PAD.encode("{\"exp\":\"x\"}")
            ))
            .is_none()
        );
    }
}
