//! App-only sign-in: the client credentials grant at `/login/{tenant}/oauth2/v2.0/token`
//! (a client secret, a certificate-signed client assertion, or a federated
//! token from another issuer), the instance metadata endpoint (`/imds`) and
//! App Service's identity endpoint (`/msi`) for managed identities.
//!
//! The errors are Entra's: AADSTS7000215 (wrong secret), AADSTS7000222
//! (expired secret), AADSTS700016 (no such application in the tenant),
//! AADSTS70021 (no federated credential matches), AADSTS700027 (the
//! certificate is not the app's, or the signature is wrong), AADSTS700024
//! (assertion out of its time range).
//!
//! Simplification (docs/emulator.md): a federated token's signature is not
//! checked against its issuer's keys (the emulator reaches no network); its
//! issuer, subject, audience and expiry are.
#![allow(clippy::result_large_err)] // handlers return ready-made HTTP responses as their error path

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Shared;
use super::ids::{ADO_AUDIENCE, GRAPH_AUDIENCE};
use super::jwt::{self, Claims};
use super::state::App;
use super::wire::{self, Req, oauth_error};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An OAuth error with the status Entra uses for it (401 for client
/// authentication failures).
fn refuse(status: u16, error: &str, aadsts: &str, description: &str) -> Response {
    let mut r = oauth_error(error, aadsts, description);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r
}

fn decode_part(part: &str) -> Option<Value> {
    serde_json::from_slice(&B64.decode(part.trim_end_matches('=')).ok()?).ok()
}

/// An app-only access token for `app` to `audience`.
fn app_token(sh: &Shared, app: &App, audience: &str) -> (String, u64) {
    let now = Utc::now().timestamp();
    let lifetime = sh.cfg.token_lifetime_secs;
    let claims = Claims {
        aud: audience.to_string(),
        iss: format!("https://sts.windows.net/{}/", app.tenant_id),
        iat: now,
        nbf: now,
        exp: now + lifetime as i64,
        tid: app.tenant_id.clone(),
        oid: app.object_id.clone(),
        upn: String::new(),
        preferred_username: String::new(),
        name: app.display_name.clone(),
        // App-only tokens carry roles, not delegated scopes.
        scp: String::new(),
        appid: app.client_id.clone(),
        ver: "1.0".into(),
    };
    (jwt::sign(&sh.key, &claims), lifetime)
}

/// `grant_type=client_credentials` at the token endpoint of `tenant`.
pub fn client_credentials(
    sh: &Shared,
    req: &Req,
    tenant: &str,
    form: &[(String, String)],
) -> Response {
    let get = |k: &str| Req::form_value(form, k);
    let Some(client_id) = get("client_id").map(|c| c.trim().to_lowercase()) else {
        return oauth_error(
            "invalid_request",
            "AADSTS900144",
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let scope = get("scope").unwrap_or_default();
    let audience = match scope.trim() {
        s if s.starts_with(ADO_AUDIENCE) && s.ends_with("/.default") => ADO_AUDIENCE,
        s if s.starts_with(GRAPH_AUDIENCE) && s.ends_with("/.default") => GRAPH_AUDIENCE,
        s if !s.ends_with("/.default") => {
            return oauth_error(
                "invalid_scope",
                "AADSTS1002012",
                &format!(
                    "The provided value for scope {s} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            );
        }
        s => {
            return oauth_error(
                "invalid_resource",
                "AADSTS500011",
                &format!("The resource principal named {s} was not found in the tenant."),
            );
        }
    };
    let world = sh.world.read().expect("world");
    let Some(t) = world.tenant(tenant) else {
        return oauth_error(
            "invalid_tenant",
            "AADSTS90002",
            &format!(
                "Tenant '{tenant}' not found. The client credentials grant needs a tenant id or a verified domain."
            ),
        );
    };
    let Some(app) = world
        .apps
        .iter()
        .find(|a| !a.managed_identity && a.client_id == client_id && a.tenant_id == t.id)
    else {
        return oauth_error(
            "unauthorized_client",
            "AADSTS700016",
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                t.display_name
            ),
        );
    };
    let token_endpoint = format!("{}/login/{tenant}/oauth2/v2.0/token", req.origin);
    let proof = match (get("client_secret"), get("client_assertion")) {
        (Some(secret), _) => check_secret(app, &secret),
        (None, Some(assertion)) => {
            if get("client_assertion_type").as_deref() != Some(ASSERTION_TYPE) {
                Err(oauth_error(
                    "invalid_request",
                    "AADSTS700025",
                    &format!("client_assertion_type must be {ASSERTION_TYPE}."),
                ))
            } else {
                check_assertion(app, &assertion, &token_endpoint)
            }
        }
        (None, None) => Err(refuse(
            401,
            "invalid_client",
            "AADSTS7000218",
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
    };
    if let Err(r) = proof {
        return r;
    }
    let (access, lifetime) = app_token(sh, app, audience);
    wire::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access,
        }),
    )
}

fn check_secret(app: &App, secret: &str) -> Result<(), Response> {
    match app.secrets.iter().find(|(v, _)| v == secret) {
        Some((_, expires)) if *expires > Utc::now() => Ok(()),
        Some(_) => Err(refuse(
            401,
            "invalid_client",
            "AADSTS7000222",
            &format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app, or consider using certificate credentials for added security.",
                app.client_id
            ),
        )),
        None => Err(refuse(
            401,
            "invalid_client",
            "AADSTS7000215",
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.client_id
            ),
        )),
    }
}

/// A certificate-signed assertion (its header names a thumbprint), or else a
/// federated token from another issuer.
fn check_assertion(app: &App, assertion: &str, token_endpoint: &str) -> Result<(), Response> {
    let malformed = || {
        refuse(
            401,
            "invalid_client",
            "AADSTS50027",
            "JWT token is invalid or malformed.",
        )
    };
    let parts: Vec<&str> = assertion.trim().split('.').collect();
    let [h, p, sig] = parts.as_slice() else {
        return Err(malformed());
    };
    let (Some(header), Some(claims)) = (decode_part(h), decode_part(p)) else {
        return Err(malformed());
    };
    let now = Utc::now().timestamp();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let nbf = claims.get("nbf").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now || nbf > now + 300 {
        return Err(refuse(
            401,
            "invalid_client",
            "AADSTS700024",
            "Client assertion is not within its valid time range.",
        ));
    }
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if header.get("x5t#S256").is_some() || header.get("x5t").is_some() {
        check_certificate(app, &header, h, p, sig)?;
        if s("iss") != app.client_id || s("sub") != app.client_id {
            return Err(refuse(
                401,
                "invalid_client",
                "AADSTS700023",
                "The client assertion's issuer and subject must be the application (client) id.",
            ));
        }
        if s("aud") != token_endpoint {
            return Err(refuse(
                401,
                "invalid_client",
                "AADSTS70011",
                &format!(
                    "The client assertion's audience '{}' is not the token endpoint '{token_endpoint}'.",
                    s("aud")
                ),
            ));
        }
        return Ok(());
    }
    // A federated token: its audience may be a string or a list.
    let audiences: Vec<String> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(v)) => v
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    };
    let matched = app.federated.iter().any(|f| {
        f.issuer == s("iss")
            && f.subject == s("sub")
            && audiences.iter().any(|a| f.audiences.contains(a))
    });
    if matched {
        Ok(())
    } else {
        Err(oauth_error(
            "invalid_request",
            "AADSTS70021",
            &format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{}'. Assertion Subject: '{}'. Assertion Audience: '{}'.",
                s("iss"),
                s("sub"),
                audiences.join(",")
            ),
        ))
    }
}

fn check_certificate(
    app: &App,
    header: &Value,
    h: &str,
    p: &str,
    sig: &str,
) -> Result<(), Response> {
    let not_registered = || {
        refuse(
            401,
            "invalid_client",
            "AADSTS700027",
            &format!(
                "The certificate with identifier used to sign the client assertion is not registered on application '{}'.",
                app.client_id
            ),
        )
    };
    let bad_signature = || {
        refuse(
            401,
            "invalid_client",
            "AADSTS700027",
            "Client assertion failed signature validation.",
        )
    };
    let thumb = header.get("x5t#S256").and_then(Value::as_str).unwrap_or("");
    let Some(der) = app
        .certificates
        .iter()
        .find(|der| B64.encode(Sha256::digest(der)) == thumb)
    else {
        return Err(not_registered());
    };
    let alg: &dyn rustls_pki_types::SignatureVerificationAlgorithm =
        match header.get("alg").and_then(Value::as_str) {
            Some("PS256") => webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            Some("RS256") => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
            _ => return Err(bad_signature()),
        };
    let cert = rustls_pki_types::CertificateDer::from(der.as_slice());
    let ee = webpki::EndEntityCert::try_from(&cert).map_err(|_| not_registered())?;
    let signature = B64.decode(sig).map_err(|_| bad_signature())?;
    ee.verify_signature(alg, format!("{h}.{p}").as_bytes(), &signature)
        .map_err(|_| bad_signature())
}

/// The managed identity a request means: the one with `client_id`, else the
/// machine's system-assigned one.
fn managed_identity<'a>(apps: &'a [App], client_id: Option<&str>) -> Option<&'a App> {
    match client_id.map(|c| c.trim().to_lowercase()) {
        Some(c) => apps.iter().find(|a| a.managed_identity && a.client_id == c),
        None => apps
            .iter()
            .find(|a| a.managed_identity && a.system_assigned),
    }
}

fn mi_audience(resource: Option<&str>) -> Option<&'static str> {
    match resource.map(|r| r.trim().trim_end_matches('/')) {
        Some(ADO_AUDIENCE) => Some(ADO_AUDIENCE),
        Some(GRAPH_AUDIENCE) => Some(GRAPH_AUDIENCE),
        _ => None,
    }
}

/// `/imds/metadata/identity/oauth2/token`: the instance metadata endpoint.
pub fn imds(sh: &Shared, req: &Req) -> Response {
    let invalid = |status: u16, desc: &str| {
        wire::json(
            status,
            &json!({"error": "invalid_request", "error_description": desc}),
        )
    };
    if req.lpath().as_slice() != ["metadata", "identity", "oauth2", "token"] || req.method != "GET"
    {
        return invalid(404, "No such endpoint.");
    }
    if req.header("metadata") != Some("true") {
        return invalid(400, "Required metadata header not specified");
    }
    if req.q("api-version").is_none() {
        return invalid(400, "Required query variable 'api-version' is missing");
    }
    let Some(audience) = mi_audience(req.q("resource")) else {
        return wire::json(
            400,
            &json!({"error": "invalid_resource", "error_description": "AADSTS500011: The resource principal was not found in the tenant."}),
        );
    };
    let world = sh.world.read().expect("world");
    let Some(app) = managed_identity(&world.apps, req.q("client_id")) else {
        return invalid(400, "Identity not found");
    };
    mi_answer(sh, app, audience)
}

/// `/msi/token`: App Service's and Container Apps' identity endpoint.
pub fn app_service(sh: &Shared, req: &Req) -> Response {
    let world = sh.world.read().expect("world");
    if req.lpath().as_slice() != ["token"] || req.method != "GET" {
        return wire::json(
            404,
            &json!({"statusCode": 404, "message": "No such endpoint."}),
        );
    }
    if req.header("x-identity-header") != Some(world.identity_header().as_str()) {
        return wire::json(
            401,
            &json!({"statusCode": 401, "message": "X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER."}),
        );
    }
    let Some(audience) = mi_audience(req.q("resource")) else {
        return wire::json(
            400,
            &json!({"statusCode": 400, "message": "AADSTS500011: The resource principal was not found in the tenant."}),
        );
    };
    let Some(app) = managed_identity(&world.apps, req.q("client_id")) else {
        return wire::json(
            400,
            &json!({"statusCode": 400, "message": "No managed identity with that client id is assigned to this app."}),
        );
    };
    mi_answer(sh, app, audience)
}

/// The managed identity token answer (numbers as strings, as both endpoints send them).
fn mi_answer(sh: &Shared, app: &App, audience: &str) -> Response {
    let (access, lifetime) = app_token(sh, app, audience);
    let now = Utc::now().timestamp();
    wire::json(
        200,
        &json!({
            "access_token": access,
            "client_id": app.client_id,
            "expires_in": lifetime.to_string(),
            "expires_on": (now + lifetime as i64).to_string(),
            "not_before": now.to_string(),
            "resource": audience,
            "token_type": "Bearer",
        }),
    )
}
