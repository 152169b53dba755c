//! OpenID Connect pieces of the sign-in: id tokens signed RS256 with a key
//! generated once per process, the JWKS that publishes it, `client_info`,
//! and instance discovery metadata. Access tokens stay the emulator's own
//! HMAC tokens (clients must not validate access tokens; see jwt.rs).

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::state::Subject;

/// The id-token signing key: one per process, made on first use (a 2048-bit
/// key takes a moment to generate).
struct Signer {
    key: SigningKey<Sha256>,
    kid: String,
    n: String,
    e: String,
}

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let private =
            RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("an RSA key can be generated");
        let n = private.n().to_bytes_be();
        let e = private.e().to_bytes_be();
        Signer {
            kid: B64.encode(&Sha256::digest(&n)[..15]),
            n: B64.encode(n),
            e: B64.encode(e),
            key: SigningKey::<Sha256>::new(private),
        }
    })
}

/// The JSON Web Key Set the discovery's `jwks_uri` serves.
pub fn jwks() -> Value {
    let s = signer();
    json!({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": s.kid, "n": s.n, "e": s.e}]})
}

/// What an id token says beyond who the person is.
pub struct IdTokenFor<'a> {
    /// `{base}/login/{tenant id}/v2.0`, the issuer the tenant's discovery names.
    pub issuer: String,
    /// The client id (the token's audience).
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    pub lifetime_secs: u64,
    /// Add `email` (the scope `email` was granted and the person has one).
    pub email: Option<&'a str>,
}

/// A signed id token for `subject`, with the claims Entra's v2.0 id tokens
/// carry: `sub` is pairwise (per application), `oid` and `tid` identify the
/// object and its tenant.
pub fn id_token(subject: &Subject, t: &IdTokenFor<'_>) -> String {
    let s = signer();
    let now = chrono::Utc::now().timestamp();
    let sub = B64.encode(
        &Sha256::digest(format!(
            "{}\u{0}{}\u{0}{}",
            subject.tid, subject.oid, t.client_id
        ))[..32],
    );
    let mut claims = json!({
        "ver": "2.0",
        "iss": t.issuer,
        "sub": sub,
        "aud": t.client_id,
        "exp": now + t.lifetime_secs as i64,
        "iat": now,
        "nbf": now,
        "name": subject.name,
        "preferred_username": subject.upn,
        "oid": subject.oid,
        "tid": subject.tid,
    });
    if let Some(n) = t.nonce {
        claims["nonce"] = n.into();
    }
    if let Some(e) = t.email {
        claims["email"] = e.into();
    }
    let header = B64.encode(
        serde_json::to_vec(&json!({"typ": "JWT", "alg": "RS256", "kid": s.kid})).expect("json"),
    );
    let payload = B64.encode(serde_json::to_vec(&claims).expect("json"));
    let input = format!("{header}.{payload}");
    let signature = s.key.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", B64.encode(signature))
}

/// `client_info`, as Entra returns it when asked (`client_info=1`): the
/// object and tenant ids MSAL builds its account from.
pub fn client_info(subject: &Subject) -> String {
    B64.encode(serde_json::to_vec(&json!({"uid": subject.oid, "utid": subject.tid})).expect("json"))
}

/// Instance discovery (`/common/discovery/instance`): this host is its own
/// (only) alias, and the tenant's OpenID configuration is on it.
pub fn instance_discovery(origin: &str, authorization_endpoint: Option<&str>) -> Value {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    // The tenant the client's authority names, from `.../login/{tenant}/...`
    // or `https://host/{tenant}/...`.
    let tenant = authorization_endpoint
        .and_then(|a| url::Url::parse(a).ok())
        .and_then(|u| {
            let segs: Vec<String> = u.path_segments()?.map(str::to_string).collect();
            let at = usize::from(segs.first().is_some_and(|s| s == "login"));
            segs.get(at).cloned()
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "common".into());
    json!({
        "tenant_discovery_endpoint": format!("{origin}/login/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;

    #[test]
    fn id_tokens_verify_against_the_published_key() {
        let subject = Subject {
            tid: "t".into(),
            oid: "o".into(),
            upn: "ann@fabrikam.com".into(),
            name: "Ann".into(),
        };
        let token = id_token(
            &subject,
            &IdTokenFor {
                issuer: "https://127.0.0.1:1/login/t/v2.0".into(),
                client_id: "c",
                nonce: Some("n-1"),
                lifetime_secs: 60,
                email: None,
            },
        );
        let parts: Vec<&str> = token.split('.').collect();
        let keys = jwks();
        let n = rsa::BigUint::from_bytes_be(
            &B64.decode(keys["keys"][0]["n"].as_str().unwrap()).unwrap(),
        );
        let e = rsa::BigUint::from_bytes_be(
            &B64.decode(keys["keys"][0]["e"].as_str().unwrap()).unwrap(),
        );
        let public = rsa::RsaPublicKey::new(n, e).unwrap();
        let verifier = VerifyingKey::<Sha256>::new(public);
        let sig = Signature::try_from(B64.decode(parts[2]).unwrap().as_slice()).unwrap();
        verifier
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .expect("signature verifies");
        let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            (claims["nonce"].as_str(), claims["aud"].as_str()),
            (Some("n-1"), Some("c"))
        );
        // Tampering breaks it.
        let forged = format!("{}.{}x", parts[0], parts[1]);
        assert!(verifier.verify(forged.as_bytes(), &sig).is_err());
        let info: Value =
            serde_json::from_slice(&B64.decode(client_info(&subject)).unwrap()).unwrap();
        assert_eq!(info, json!({"uid": "o", "utid": "t"}));
    }
}
