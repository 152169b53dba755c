//! Standard clients against the emulator: TLS with the generated
//! certificate authority, and an OpenID Connect client library from
//! crates.io (`openidconnect`, not our code) signing in with device code,
//! authorization code + PKCE and refresh, verifying every id token.

use ado_entra::emulator::{Emulator, EmulatorConfig};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreDeviceAuthorizationResponse, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode,
    CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, ProviderMetadata, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{b64_json, jwt_claims};
use crate::support;

#[derive(Clone, Debug, Deserialize, Serialize)]
struct DeviceEndpoint {
    device_authorization_endpoint: DeviceAuthorizationUrl,
}
impl AdditionalProviderMetadata for DeviceEndpoint {}
type Metadata = ProviderMetadata<
    DeviceEndpoint,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// An emulator serving https, and a client that trusts its authority (and
/// nothing else special).
async fn tls_emulator(auto_approve: Option<&str>) -> (Emulator, reqwest::Client) {
    let emu = support::start_with(EmulatorConfig {
        tls: true,
        auto_approve: auto_approve.map(str::to_string),
        ..EmulatorConfig::scenario("ready")
    })
    .await;
    let pem = std::fs::read(emu.summary().ca_cert.as_deref().expect("ca_cert")).unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    (emu, http)
}

fn tenant(emu: &Emulator) -> String {
    emu.summary().tenants[0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tls_is_served_with_a_certificate_clients_can_trust() {
    let (emu, http) = tls_emulator(None).await;
    let base = emu.base_url().to_string();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read_to_string(emu.summary().ca_cert.as_deref().unwrap()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // Every absolute URL is https now.
    let t = tenant(&emu);
    let config: Value = http
        .get(format!(
            "{base}/login/{t}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["issuer"], format!("{base}/login/{t}/v2.0"));
    // localhost is on the certificate too.
    let local = base.replace("127.0.0.1", "localhost");
    let r = http
        .get(format!(
            "{local}/login/{t}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A client that does not trust the authority is refused by TLS.
    assert!(reqwest::Client::new().get(&base).send().await.is_err());
    // Plain http on the TLS port is not served.
    let plain = base.replace("https://", "http://");
    let r = reqwest::Client::new()
        .get(format!(
            "{plain}/login/{t}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await;
    assert!(r.is_err() || !r.unwrap().status().is_success());
    let dir = std::path::Path::new(emu.summary().ca_cert.as_deref().unwrap())
        .parent()
        .unwrap()
        .to_path_buf();
    emu.shutdown().await;
    assert!(!dir.exists(), "the PEM is removed at shutdown");
}

/// The provider and a public client as `openidconnect` builds them from
/// the tenant's discovery document.
async fn oidc_client(
    emu: &Emulator,
    http: &reqwest::Client,
    redirect: Option<&str>,
) -> (CoreClientFor, IssuerUrl) {
    let issuer = IssuerUrl::new(format!("{}/login/{}/v2.0", emu.base_url(), tenant(emu))).unwrap();
    let metadata = Metadata::discover_async(issuer.clone(), http)
        .await
        .unwrap();
    let device = metadata
        .additional_metadata()
        .device_authorization_endpoint
        .clone();
    let mut client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("04b07795-8ddb-461a-bbee-02f9e1bf7b46".into()),
        None,
    )
    .set_device_authorization_url(device);
    if let Some(r) = redirect {
        client = client.set_redirect_uri(RedirectUrl::new(r.into()).unwrap());
    }
    (client, issuer)
}

type CoreClientFor = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

#[tokio::test]
async fn an_oidc_library_signs_in_by_device_code_and_refreshes_over_tls() {
    let (emu, http) = tls_emulator(None).await;
    let (client, issuer) = oidc_client(&emu, &http, None).await;
    let details: CoreDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("offline_access".into()))
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        details
            .verification_uri()
            .as_str()
            .starts_with("https://127.0.0.1:")
    );
    // The person approves on the device-login page (here, through its hook).
    let approve = http
        .post(format!("{}/_emulator/device/approve", emu.base_url()))
        .json(&json!({"user_code": details.user_code().secret(), "upn": "ann@fabrikam.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 200);
    let token = client
        .exchange_device_access_token(&details)
        .unwrap()
        .request_async(&http, tokio::time::sleep, None)
        .await
        .unwrap();
    let verifier = client.id_token_verifier();
    let id = token
        .id_token()
        .expect("an id token, since openid was asked for");
    let claims = id.claims(&verifier, |_: Option<&Nonce>| Ok(())).unwrap();
    assert_eq!(claims.issuer(), &issuer);
    assert_eq!(
        claims.preferred_username().map(|u| u.as_str()),
        Some("ann@fabrikam.com")
    );
    let extra: Value = jwt_claims(&id.to_string());
    assert_eq!(extra["tid"], tenant(&emu).as_str());
    assert!(extra["oid"].is_string());
    // Refresh: a new id token, verified the same way.
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().expect("offline_access gives one"))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    let id2 = refreshed.id_token().expect("refresh returns an id token");
    let claims2 = id2.claims(&verifier, |_: Option<&Nonce>| Ok(())).unwrap();
    assert_eq!(claims2.subject(), claims.subject());
    emu.shutdown().await;
}

#[tokio::test]
async fn an_oidc_library_signs_in_by_authorization_code_with_pkce_over_tls() {
    let (emu, http) = tls_emulator(Some("ann@fabrikam.com")).await;
    let redirect = "http://127.0.0.1:9/callback";
    let (client, _) = oidc_client(&emu, &http, Some(redirect)).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let r = http.get(url.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(redirect));
    let param = |k: &str| {
        back.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.to_string())
    };
    assert_eq!(param("state").as_deref(), Some(state.secret().as_str()));
    let code = param("code").expect("a code");
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id = token.id_token().expect("id token");
    let claims = id.claims(&client.id_token_verifier(), &nonce).unwrap();
    assert_eq!(
        claims.nonce().map(|n| n.secret().as_str()),
        Some(nonce.secret().as_str()),
        "the nonce is echoed"
    );
    assert_eq!(
        claims.audiences()[0].as_str(),
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
    );
    // A wrong nonce fails the library's check: the token really is bound to it.
    assert!(
        id.claims(&client.id_token_verifier(), &Nonce::new("other".into()))
            .is_err()
    );
    assert!(token.access_token().secret().split('.').count() == 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn client_info_jwks_and_instance_discovery() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let t = tenant(&emu);
    let c = support::http();
    let tok = support::device_token(
        &emu,
        "ann@fabrikam.com",
        &t,
        "openid profile offline_access",
        &[("client_info", "1")],
    )
    .await;
    let info = b64_json(tok["client_info"].as_str().unwrap());
    let id = jwt_claims(tok["id_token"].as_str().unwrap());
    assert_eq!(info, json!({"uid": id["oid"], "utid": t}));
    assert_eq!(id["aud"], "test-client");
    // Without openid there is no id token; without client_info=1 no client_info.
    let rt = tok["refresh_token"].as_str().unwrap();
    let plain = support::refresh(&emu, rt, &t, support::ADO_SCOPE).await;
    assert!(
        plain.get("id_token").is_none() && plain.get("client_info").is_none(),
        "{plain}"
    );
    // The advertised JWKS is served and names the id token's key.
    let config: Value = c
        .get(format!(
            "{base}/login/{t}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: Value = c
        .get(config["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = b64_json(tok["id_token"].as_str().unwrap().split('.').next().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    // Instance discovery, under /login and at the root where MSAL looks.
    for url in [
        format!(
            "{base}/login/common/discovery/instance?api-version=1.1&authorization_endpoint={base}/login/{t}/oauth2/v2.0/authorize"
        ),
        format!(
            "{base}/common/discovery/instance?api-version=1.1&authorization_endpoint={base}/{t}/oauth2/v2.0/authorize"
        ),
    ] {
        let v: Value = c.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            v["tenant_discovery_endpoint"],
            format!("{base}/login/{t}/v2.0/.well-known/openid-configuration"),
            "{url}"
        );
        let host = base.trim_start_matches("http://");
        assert_eq!(v["metadata"][0]["aliases"][0], host);
    }
    emu.shutdown().await;
}

/// `ado-entra emulator --tls` says where the authority's PEM is in its first
/// line, serves https, and removes the PEM when stopped.
#[test]
fn the_emulator_command_serves_tls_and_names_its_certificate() {
    use std::io::BufRead;
    struct Guard(std::process::Child);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Guard(
        std::process::Command::new(env!("CARGO_BIN_EXE_ado-entra"))
            .args(["emulator", "--tls", "--scenario", "ready"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let summary: Value = serde_json::from_str(&first).unwrap();
    let base = summary["base_url"].as_str().unwrap();
    assert!(base.starts_with("https://127.0.0.1:"), "{summary}");
    let ca = std::path::PathBuf::from(summary["ca_cert"].as_str().unwrap());
    let pem = std::fs::read(&ca).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap()
            .get(format!("{base}/_emulator/scenario"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    // SIGTERM stops it cleanly, and the PEM goes with it.
    unsafe {
        libc::kill(child.0.id() as libc::pid_t, libc::SIGTERM);
    }
    let _ = child.0.wait();
    assert!(!ca.exists(), "{} outlived the emulator", ca.display());
}
