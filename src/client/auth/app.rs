//! Unattended sign-in: app-only tokens for a service principal (client secret
//! or certificate), workload identity federation, and managed identity.
//!
//! Written on the same [`OAuthClient`] and HTTP pipeline as the interactive
//! flows (retries, the loopback-only `http://` rule, one reqwest), following
//! the Microsoft identity platform documentation:
//! - client credentials grant (secret, or a JWT assertion signed with a
//!   certificate): <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>
//!   and <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>
//!   (PS256, `x5t#S256`);
//! - workload identity federation (the platform's token as the assertion):
//!   <https://learn.microsoft.com/entra/workload-id/workload-identity-federation>;
//! - managed identity, from the instance metadata endpoint or App Service's
//!   `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`:
//!   <https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token>
//!   and <https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference>.
//!
//! The variable names are the ones azure-identity's DefaultAzureCredential and
//! the Azure CLI read, so a pipeline set up for them works here unchanged.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::oauth::OAuthClient;
use super::token::CachedToken;
use super::{ADO_RESOURCE_ID, AuthError, Resource};
use crate::client::error::{ClientError, truncate};
use crate::client::http::Request;

pub const CLIENT_ID_ENV: &str = "AZURE_CLIENT_ID";
pub const TENANT_ID_ENV: &str = "AZURE_TENANT_ID";
pub const CLIENT_SECRET_ENV: &str = "AZURE_CLIENT_SECRET";
pub const CLIENT_CERTIFICATE_PATH_ENV: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
pub const CLIENT_CERTIFICATE_PASSWORD_ENV: &str = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
pub const FEDERATED_TOKEN_FILE_ENV: &str = "AZURE_FEDERATED_TOKEN_FILE";
pub const IDENTITY_ENDPOINT_ENV: &str = "IDENTITY_ENDPOINT";
pub const IDENTITY_HEADER_ENV: &str = "IDENTITY_HEADER";

/// What to do when the app's ids are missing.
pub const IDS_HINT: &str = "set them to the app registration's Application (client) ID and Directory (tenant) ID (or pass --client-id and --tenant)";
/// What to do when a service principal has no proof.
pub const PROOF_HINT: &str = "set AZURE_CLIENT_SECRET to a client secret's Value, or AZURE_CLIENT_CERTIFICATE_PATH to a PEM file with the certificate and its RSA private key";
/// What to do when the federated token file is not named.
pub const FEDERATED_HINT: &str = "point it at the file holding the platform's OIDC token (AKS sets it; in GitHub Actions save the job's token there first)";

/// The audience Entra expects in a federated token (GitHub Actions, AKS).
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

/// How an app-only identity proves who it is. The tenant and client id live
/// beside it in the token cache. `Debug` never shows a secret.
#[derive(Clone)]
pub enum AppAuth {
    /// A client secret (`AZURE_CLIENT_SECRET`).
    Secret(SecretString),
    /// A PEM file with the certificate and its RSA private key, read at each
    /// token request (`AZURE_CLIENT_CERTIFICATE_PATH`).
    Certificate(PathBuf),
    /// A file holding the platform's token, re-read at each request because
    /// the platform rotates it (`AZURE_FEDERATED_TOKEN_FILE`).
    FederatedTokenFile(PathBuf),
    /// The managed identity of the machine or app (user-assigned when the
    /// client id is set).
    ManagedIdentity,
}

impl fmt::Debug for AppAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppAuth::Secret(_) => f.write_str("Secret([REDACTED])"),
            AppAuth::Certificate(p) => f.debug_tuple("Certificate").field(p).finish(),
            AppAuth::FederatedTokenFile(p) => f.debug_tuple("FederatedTokenFile").field(p).finish(),
            AppAuth::ManagedIdentity => f.write_str("ManagedIdentity"),
        }
    }
}

impl AppAuth {
    /// The sign-in method this credential stands for.
    pub fn method(&self) -> super::SignInMethod {
        match self {
            AppAuth::Secret(_) | AppAuth::Certificate(_) => super::SignInMethod::ServicePrincipal,
            AppAuth::FederatedTokenFile(_) => super::SignInMethod::WorkloadIdentity,
            AppAuth::ManagedIdentity => super::SignInMethod::ManagedIdentity,
        }
    }

    /// A word for messages: which proof is used.
    pub fn describe(&self) -> String {
        match self {
            AppAuth::Secret(_) => format!("a client secret ({CLIENT_SECRET_ENV})"),
            AppAuth::Certificate(p) => format!("the certificate {}", p.display()),
            AppAuth::FederatedTokenFile(p) => format!("the federated token in {}", p.display()),
            AppAuth::ManagedIdentity => "the managed identity".into(),
        }
    }
}

/// An app-only identity: who (tenant, client id) and how it proves it.
#[derive(Debug, Clone)]
pub struct AppIdentity {
    /// Tenant id or domain (empty for a managed identity: its own tenant).
    pub tenant: String,
    /// Application (client) id; empty for a system-assigned managed identity.
    pub client_id: String,
    pub auth: AppAuth,
}

/// The `.default` scope of a resource, without `offline_access`: an app gets
/// no refresh token; it asks again.
pub fn app_scope(resource: Resource) -> &'static str {
    match resource {
        Resource::AzureDevOps => crate::azure::ADO_APP_SCOPE,
        Resource::Graph => crate::azure::GRAPH_APP_SCOPE,
    }
}

/// The `resource` parameter of the managed identity endpoints.
pub fn mi_resource(resource: Resource) -> &'static str {
    match resource {
        Resource::AzureDevOps => ADO_RESOURCE_ID,
        Resource::Graph => "https://graph.microsoft.com",
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A service principal from the environment: `AZURE_CLIENT_ID`,
/// `AZURE_TENANT_ID`, and `AZURE_CLIENT_SECRET` or
/// `AZURE_CLIENT_CERTIFICATE_PATH`. `Ok(None)` when neither proof is set; an
/// error naming what is missing when a proof is set without the ids.
pub fn service_principal_from_env() -> Result<Option<AppIdentity>, AuthError> {
    let secret = env(CLIENT_SECRET_ENV);
    let cert = env(CLIENT_CERTIFICATE_PATH_ENV);
    let auth = match (secret, cert) {
        (Some(s), _) => AppAuth::Secret(SecretString::from(s)),
        (None, Some(p)) => {
            if env(CLIENT_CERTIFICATE_PASSWORD_ENV).is_some() {
                return Err(AuthError::Certificate {
                    path: p,
                    reason: format!(
                        "password-protected certificates are not supported ({CLIENT_CERTIFICATE_PASSWORD_ENV} is set)"
                    ),
                });
            }
            AppAuth::Certificate(PathBuf::from(p))
        }
        (None, None) => return Ok(None),
    };
    with_ids(auth, "a service principal").map(Some)
}

/// Workload identity federation from the environment (`AZURE_FEDERATED_TOKEN_FILE`
/// with `AZURE_CLIENT_ID` and `AZURE_TENANT_ID`, as AKS and GitHub Actions set up).
pub fn workload_identity_from_env() -> Result<Option<AppIdentity>, AuthError> {
    match env(FEDERATED_TOKEN_FILE_ENV) {
        None => Ok(None),
        Some(p) => with_ids(
            AppAuth::FederatedTokenFile(PathBuf::from(p)),
            "workload identity federation",
        )
        .map(Some),
    }
}

fn with_ids(auth: AppAuth, what: &'static str) -> Result<AppIdentity, AuthError> {
    let client_id = env(CLIENT_ID_ENV);
    let tenant = env(TENANT_ID_ENV);
    let mut missing = Vec::new();
    if client_id.is_none() {
        missing.push(CLIENT_ID_ENV);
    }
    if tenant.is_none() {
        missing.push(TENANT_ID_ENV);
    }
    if !missing.is_empty() {
        return Err(AuthError::MissingEnv {
            what,
            missing: missing.join(" and "),
            hint: IDS_HINT,
        });
    }
    let tenant = tenant.unwrap_or_default();
    crate::domain::validate::parse_tenant(&tenant).map_err(|e| AuthError::InvalidTenant {
        source_name: TENANT_ID_ENV.into(),
        reason: e.to_string(),
    })?;
    Ok(AppIdentity {
        tenant,
        client_id: client_id.unwrap_or_default(),
        auth,
    })
}

/// A managed identity reachable without probing: App Service, Functions and
/// Container Apps set `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
pub fn app_service_identity_in_env() -> bool {
    env(IDENTITY_ENDPOINT_ENV).is_some() && env(IDENTITY_HEADER_ENV).is_some()
}

/// The user-assigned managed identity to use, if `AZURE_CLIENT_ID` names one.
pub fn managed_identity_client_id_from_env() -> Option<String> {
    env(CLIENT_ID_ENV)
}

/// A fresh app-only token for `resource`.
pub async fn token(
    oauth: &OAuthClient,
    id: &AppIdentity,
    resource: Resource,
) -> Result<CachedToken, ClientError> {
    if let AppAuth::ManagedIdentity = id.auth {
        let client_id = (!id.client_id.is_empty()).then_some(id.client_id.as_str());
        return managed_identity_token(oauth, client_id, resource).await;
    }
    let mut o = oauth.clone();
    o.config.tenant = id.tenant.clone();
    o.config.client_id = id.client_id.clone();
    let mut form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        ("client_id".to_string(), id.client_id.clone()),
        ("scope".to_string(), app_scope(resource).to_string()),
    ];
    match &id.auth {
        AppAuth::Secret(s) => form.push(("client_secret".into(), s.expose_secret().to_string())),
        AppAuth::Certificate(path) => {
            let audience = o.endpoint("token").to_string();
            let assertion = certificate_assertion(path, &id.client_id, &audience)?;
            push_assertion(&mut form, assertion);
        }
        AppAuth::FederatedTokenFile(path) => {
            push_assertion(&mut form, read_federated_token(path)?);
        }
        AppAuth::ManagedIdentity => unreachable!("handled above"),
    }
    Ok(o.token_grant(form).await?.access)
}

fn push_assertion(form: &mut Vec<(String, String)>, assertion: SecretString) {
    form.push((
        "client_assertion_type".into(),
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
    ));
    form.push((
        "client_assertion".into(),
        assertion.expose_secret().to_string(),
    ));
}

/// The platform's token from `path` (trimmed), never empty.
pub fn read_federated_token(path: &Path) -> Result<SecretString, AuthError> {
    let bad = |reason: String| AuthError::FederatedTokenFile {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("the file is empty".into()));
    }
    if t.split('.').count() != 3 {
        return Err(bad(
            "the file does not hold a JWT (three dot-separated parts)".into(),
        ));
    }
    Ok(SecretString::from(t.to_string()))
}

/// A signed client assertion for `client_id` addressed to `audience` (the
/// token endpoint): PS256 with the certificate's SHA-256 thumbprint
/// (`x5t#S256`), valid for ten minutes.
pub fn certificate_assertion(
    path: &Path,
    client_id: &str,
    audience: &str,
) -> Result<SecretString, AuthError> {
    use ring::signature::{RSA_PSS_SHA256, RsaKeyPair};
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};

    let bad = |reason: String| AuthError::Certificate {
        path: path.display().to_string(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let cert = CertificateDer::pem_slice_iter(&pem)
        .next()
        .ok_or_else(|| bad("no CERTIFICATE block in the file".into()))?
        .map_err(|e| bad(format!("the certificate cannot be read ({e:?})")))?;
    let key = match PrivateKeyDer::from_pem_slice(&pem) {
        Ok(k) => k,
        Err(_) if String::from_utf8_lossy(&pem).contains("ENCRYPTED PRIVATE KEY") => {
            return Err(bad("the private key is encrypted".into()));
        }
        Err(_) => return Err(bad("no private key in the file".into())),
    };
    let pair = match &key {
        PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
        _ => return Err(bad("the private key is not an RSA key".into())),
    }
    .map_err(|e| bad(format!("the RSA private key is not usable ({e})")))?;
    let header = serde_json::json!({
        "alg": "PS256",
        "typ": "JWT",
        "x5t#S256": B64.encode(Sha256::digest(cert.as_ref())),
    });
    let now = Utc::now().timestamp();
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + 600,
    });
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let mut sig = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &RSA_PSS_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| bad("signing the assertion failed".into()))?;
    Ok(SecretString::from(format!("{input}.{}", B64.encode(sig))))
}

#[derive(Deserialize)]
struct MiTokenWire {
    access_token: String,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct MiErrorWire {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn as_i64(v: &Option<serde_json::Value>) -> Option<i64> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A token from the managed identity endpoint: App Service's
/// `IDENTITY_ENDPOINT` (with `X-IDENTITY-HEADER`) when set, else the
/// instance metadata endpoint (with `Metadata: true`).
pub async fn managed_identity_token(
    oauth: &OAuthClient,
    client_id: Option<&str>,
    resource: Resource,
) -> Result<CachedToken, ClientError> {
    let mut pairs = vec![("resource", mi_resource(resource))];
    if let Some(c) = client_id {
        pairs.push(("client_id", c));
    }
    let req = match (env(IDENTITY_ENDPOINT_ENV), env(IDENTITY_HEADER_ENV)) {
        (Some(endpoint), Some(header)) => {
            let mut url = url::Url::parse(&endpoint).map_err(|e| {
                AuthError::ManagedIdentityUnavailable(format!(
                    "{IDENTITY_ENDPOINT_ENV} is not a URL ({e})"
                ))
            })?;
            check_identity_endpoint(&url)?;
            url.query_pairs_mut()
                .append_pair("api-version", "2019-08-01")
                .extend_pairs(&pairs);
            Request::get(url).header("x-identity-header", &header)
        }
        _ => {
            let mut url = crate::client::endpoints::join(
                oauth.imds_url(),
                &["metadata", "identity", "oauth2", "token"],
            );
            url.query_pairs_mut()
                .append_pair("api-version", "2018-02-01")
                .extend_pairs(&pairs);
            Request::get(url).header("metadata", "true")
        }
    };
    let resp = oauth.core().send(&req, None).await.map_err(|e| match e {
        ClientError::Transport { message, .. } => {
            ClientError::Auth(AuthError::ManagedIdentityUnavailable(format!(
                "the managed identity endpoint did not answer ({message})"
            )))
        }
        other => other,
    })?;
    if !resp.status.is_success() {
        let w: Option<MiErrorWire> = serde_json::from_slice(&resp.body).ok();
        let detail = w
            .and_then(|w| {
                w.error_description.or(w.message).or_else(|| {
                    w.error.map(|e| match e {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                })
            })
            .unwrap_or_else(|| format!("HTTP {}", resp.status.as_u16()));
        return Err(AuthError::ManagedIdentityUnavailable(format!(
            "the managed identity endpoint refused{}: {}",
            client_id
                .map(|c| format!(" client id {c}"))
                .unwrap_or_default(),
            truncate(&detail, 300)
        ))
        .into());
    }
    let w: MiTokenWire = serde_json::from_slice(&resp.body)
        .map_err(|e| AuthError::Protocol(truncate(&e.to_string(), 200)))?;
    let now = Utc::now();
    let expires_at = as_i64(&w.expires_on)
        .and_then(|e| chrono::DateTime::from_timestamp(e, 0))
        .or_else(|| as_i64(&w.expires_in).map(|s| now + chrono::Duration::seconds(s)))
        .unwrap_or(now + chrono::Duration::minutes(5));
    Ok(CachedToken {
        token: SecretString::from(w.access_token),
        expires_at,
    })
}

/// `IDENTITY_ENDPOINT` is https, or http on loopback or the link-local range
/// App Service uses; never plain http across a network.
fn check_identity_endpoint(url: &url::Url) -> Result<(), AuthError> {
    let link_local = matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_link_local());
    match url.scheme() {
        "https" => Ok(()),
        "http" if link_local || crate::client::endpoints::is_loopback(url) => Ok(()),
        _ => Err(AuthError::ManagedIdentityUnavailable(format!(
            "{IDENTITY_ENDPOINT_ENV}={url} is neither https nor a local address"
        ))),
    }
}

/// The first `AADSTS` code in `text`.
pub fn find_aadsts(text: &str) -> Option<String> {
    let i = text.find("AADSTS")?;
    let digits: String = text[i + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/fixtures/sp-certificate.pem"
    );

    #[test]
    fn assertion_is_ps256_with_sha256_thumbprint_and_verifies() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let a = certificate_assertion(Path::new(FIXTURE), "app-1", "https://aud/token").unwrap();
        let parts: Vec<&str> = a.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["alg"], "PS256");
        assert_eq!(
            (claims["iss"].as_str(), claims["sub"].as_str()),
            (Some("app-1"), Some("app-1"))
        );
        assert_eq!(claims["aud"], "https://aud/token");
        let pem = std::fs::read(FIXTURE).unwrap();
        let cert = CertificateDer::pem_slice_iter(&pem)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            header["x5t#S256"],
            B64.encode(Sha256::digest(cert.as_ref()))
        );
        let ee = webpki::EndEntityCert::try_from(&cert).unwrap();
        ee.verify_signature(
            webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &B64.decode(parts[2]).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn bad_certificate_files_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.pem");
        std::fs::write(&p, "not pem").unwrap();
        let e = certificate_assertion(&p, "a", "b").unwrap_err().to_string();
        assert!(e.contains("no CERTIFICATE") && e.contains("c.pem"), "{e}");
        let e = certificate_assertion(&dir.path().join("missing"), "a", "b")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing"), "{e}");
    }

    #[test]
    fn federated_token_file_must_hold_a_jwt() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        std::fs::write(&p, "\n").unwrap();
        assert!(
            read_federated_token(&p)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        std::fs::write(&p, "a.b.c\n").unwrap();
        assert_eq!(read_federated_token(&p).unwrap().expose_secret(), "a.b.c");
    }

    #[test]
    fn aadsts_codes_are_found() {
        assert_eq!(
            find_aadsts("AADSTS7000215: Invalid client secret provided.").as_deref(),
            Some("AADSTS7000215")
        );
        assert_eq!(find_aadsts("nothing"), None);
    }

    #[test]
    fn identity_endpoint_must_be_local_or_https() {
        let ok = |u: &str| check_identity_endpoint(&url::Url::parse(u).unwrap()).is_ok();
        assert!(ok("http://127.0.0.1:41/msi/token"));
        assert!(ok("http://169.254.255.2:8081/msi/token"));
        assert!(ok("https://x.example/msi"));
        assert!(!ok("http://10.1.2.3/msi/token"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let s = format!(
            "{:?}",
            AppAuth::Secret(SecretString::from("s3cr3t".to_string()))
        );
        assert!(!s.contains("s3cr3t"));
    }
}
