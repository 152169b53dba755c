//! Tokens the emulator issues: JWTs signed with HMAC-SHA256 and a per-process
//! key, so the emulator can check its own tokens. (Real Entra signs with RS256;
//! clients must never validate access tokens, so the difference is invisible.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The claims the emulator puts in (and reads back from) a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: String,
    pub oid: String,
    pub upn: String,
    pub preferred_username: String,
    pub name: String,
    pub scp: String,
    pub appid: String,
    pub ver: String,
}

fn hmac(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    k[..32].copy_from_slice(key);
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

pub fn sign(key: &[u8; 32], claims: &Claims) -> String {
    let header = B64.encode(br#"{"typ":"JWT","alg":"HS256","kid":"ado-entra-emulator"}"#);
    let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let sig = B64.encode(hmac(key, signing_input.as_bytes()));
    format!("{signing_input}.{sig}")
}

/// Claims of a token this emulator signed, whatever its expiry (callers check `exp`).
pub fn verify(key: &[u8; 32], token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || token.len() > 16 * 1024 {
        return None;
    }
    let expected = hmac(key, format!("{h}.{p}").as_bytes());
    let given = B64.decode(s).ok()?;
    // Constant-time enough for an emulator: compare every byte.
    if given.len() != 32
        || given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return None;
    }
    serde_json::from_slice(&B64.decode(p).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = [7u8; 32];
        let c = Claims {
            aud: "a".into(),
            iss: "i".into(),
            iat: 1,
            nbf: 1,
            exp: 2,
            tid: "t".into(),
            oid: "o".into(),
            upn: "u".into(),
            preferred_username: "u".into(),
            name: "n".into(),
            scp: "s".into(),
            appid: "x".into(),
            ver: "2.0".into(),
        };
        let t = sign(&key, &c);
        assert_eq!(verify(&key, &t), Some(c.clone()));
        assert_eq!(verify(&[8u8; 32], &t), None);
        let mut forged = c;
        forged.oid = "someone-else".into();
        let parts: Vec<&str> = t.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(serde_json::to_vec(&forged).unwrap()),
            parts[2]
        );
        assert_eq!(verify(&key, &tampered), None);
        assert_eq!(verify(&key, "garbage"), None);
    }
}
