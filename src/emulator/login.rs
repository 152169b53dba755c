//! `/login`: the Entra ID v2 endpoints (discovery, device code, token,
//! authorize); the authorization endpoint and the pages a person uses to
//! approve a sign-in are in login/interactive.rs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::response::Response;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Shared;
use super::ids::{self, ADO_AUDIENCE, GRAPH_AUDIENCE};
use super::jwt::{self, Claims};
use super::state::Account;
use super::wire::{self, Req, oauth_error};

mod interactive;

use interactive::{authorize, device_decision, device_page};

#[derive(Debug)]
struct Device {
    user_code: String,
    tenant: String,
    /// Scope asked for at the devicecode endpoint; the token poll carries none.
    scope: String,
    client_id: String,
    created: Instant,
    expires_in: u64,
    interval: u64,
    last_poll: Option<Instant>,
    approved: Option<String>,
    declined: bool,
}

#[derive(Debug)]
struct AuthCode {
    who: String,
    tenant: String,
    scope: String,
    client_id: String,
    redirect_uri: String,
    challenge: String,
    created: Instant,
    /// From the authorization request: echoed in the id token.
    nonce: Option<String>,
    /// The authorization request asked for `client_info=1`.
    client_info: bool,
}

#[derive(Debug)]
struct Refresh {
    account: Account,
    client_id: String,
    /// What was granted, for a refresh that names no scope.
    scope: String,
}

/// What a token request adds to the identity and scope: where the client
/// reached us (the issuer of id tokens), the nonce of its authorization
/// request, and whether it asked for `client_info`.
struct Extras<'a> {
    origin: &'a str,
    nonce: Option<&'a str>,
    client_info: bool,
    /// A person signed in just now (device code, authorization code), not
    /// a silent refresh: it may accept a pending invitation (recovery.rs).
    interactive: bool,
}

/// Sign-in state: pending device codes, authorization codes, refresh tokens.
#[derive(Debug, Default)]
pub struct LoginState {
    devices: HashMap<String, Device>,
    codes: HashMap<String, AuthCode>,
    refresh: HashMap<String, Refresh>,
}

impl LoginState {
    /// Approve (or decline) the pending device code `user_code` as `who`.
    pub fn decide(&mut self, user_code: &str, who: &str, approve: bool) -> bool {
        let code = user_code.trim().replace('-', "").to_uppercase();
        match self
            .devices
            .values_mut()
            .find(|d| d.user_code == code && d.approved.is_none() && !d.declined)
        {
            Some(d) => {
                if approve {
                    d.approved = Some(who.to_string());
                } else {
                    d.declined = true;
                }
                true
            }
            None => false,
        }
    }

    /// Make a pending device code expire now (tests of `expired_token`).
    pub fn expire(&mut self, user_code: &str) -> bool {
        let code = user_code.trim().replace('-', "").to_uppercase();
        match self.devices.values_mut().find(|d| d.user_code == code) {
            Some(d) => {
                d.expires_in = 0;
                true
            }
            None => false,
        }
    }

    pub fn pending_user_codes(&self) -> Vec<String> {
        self.devices
            .values()
            .filter(|d| d.approved.is_none() && !d.declined)
            .map(|d| d.user_code.clone())
            .collect()
    }
}

fn user_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ23456789";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn handle(sh: &Shared, req: &Req) -> Response {
    let p = req.lpath();
    match (req.method.as_str(), p.as_slice()) {
        ("GET" | "POST", ["redeem"]) => super::redeem::page(sh, req),
        ("GET", ["devicelogin"]) => device_page(sh, None),
        ("POST", ["devicelogin"]) => device_decision(sh, req),
        (_, [tenant, ..]) => {
            if let Err(r) = authority(sh, tenant) {
                return r;
            }
            tenant_route(sh, req, tenant, &p[1..])
        }
        _ => not_found(),
    }
}

/// `/{tenant}/discovery/instance` (and `/common/discovery/instance` at the
/// root, where MSAL looks for it): this host is its own only alias.
pub fn instance_discovery(req: &Req) -> Response {
    wire::json(
        200,
        &super::oidc::instance_discovery(&req.origin, req.q("authorization_endpoint")),
    )
}

fn not_found() -> Response {
    wire::json(
        404,
        &json!({"error": "not_found", "error_description": "AADSTS90002: No such endpoint."}),
    )
}

/// The endpoints under `/{tenant}/...`, once the tenant is known to exist.
fn tenant_route(sh: &Shared, req: &Req, tenant: &str, rest: &[&str]) -> Response {
    match (req.method.as_str(), rest) {
        ("GET", ["v2.0", ".well-known", "openid-configuration"]) => discovery(sh, req, tenant),
        ("GET", ["discovery", "v2.0", "keys"] | ["discovery", "keys"]) => {
            wire::json(200, &super::oidc::jwks())
        }
        ("GET", ["discovery", "instance"]) => instance_discovery(req),
        ("POST", ["oauth2", "v2.0", "devicecode"]) => device_code(sh, req, tenant),
        ("POST", ["oauth2", "v2.0", "token"]) => token(sh, req, tenant),
        ("GET", ["oauth2", "v2.0", "authorize"]) => authorize(sh, req, tenant, None),
        ("POST", ["oauth2", "v2.0", "authorize"]) => {
            let form = req.form();
            authorize(sh, req, tenant, Some(form))
        }
        _ => not_found(),
    }
}

/// A tenant named in a sign-in URL, as Entra resolves it.
enum Authority {
    /// `organizations` or `common`: any tenant, decided at sign-in.
    Multi(&'static str),
    /// The consumers tenant (`consumers` or its GUID).
    Consumers,
    /// A tenant of the scenario, found by GUID or any verified domain.
    Tenant { id: String, usgov: bool },
}

/// Resolve `tenant` (a GUID, any verified or initial domain, `common`,
/// `organizations`, `consumers`) or answer with Entra's error: AADSTS90002
/// for a GUID or domain no tenant has, AADSTS900023 for text that is
/// neither.
#[allow(clippy::result_large_err)] // the error is the ready-made Entra answer
fn authority(sh: &Shared, tenant: &str) -> Result<Authority, Response> {
    let lower = tenant.to_ascii_lowercase();
    match lower.as_str() {
        "organizations" => return Ok(Authority::Multi("organizations")),
        "common" => return Ok(Authority::Multi("common")),
        "consumers" | ids::CONSUMERS_TENANT => return Ok(Authority::Consumers),
        _ => {}
    }
    if let Some(t) = sh.world.read().expect("world").tenant(&lower) {
        return Ok(Authority::Tenant {
            id: t.id.clone(),
            usgov: t.cloud == "usgov",
        });
    }
    Err(
        if ids::canonical_guid(tenant).is_some() || tenant.contains('.') {
            oauth_error(
                "invalid_tenant",
                "AADSTS90002",
                &format!(
                    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
                ),
            )
        } else {
            oauth_error(
                "invalid_tenant",
                "AADSTS900023",
                &format!(
                    "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."
                ),
            )
        },
    )
}

/// `/{tenant}/v2.0/.well-known/openid-configuration`: a tenant named by any
/// of its domains answers with its GUID in the issuer and every endpoint,
/// as Entra does; `organizations` and `common` keep their name in the
/// endpoints and a `{tenantid}` issuer template.
fn discovery(sh: &Shared, req: &Req, tenant: &str) -> Response {
    let (path, issuer_tenant, region, cloud) = match authority(sh, tenant) {
        Err(r) => return r,
        Ok(Authority::Multi(name)) => (
            name.to_string(),
            "{tenantid}".to_string(),
            None,
            "microsoftonline.com",
        ),
        Ok(Authority::Consumers) => (
            if tenant.eq_ignore_ascii_case("consumers") {
                "consumers".to_string()
            } else {
                ids::CONSUMERS_TENANT.to_string()
            },
            ids::CONSUMERS_TENANT.to_string(),
            None,
            "microsoftonline.com",
        ),
        Ok(Authority::Tenant { id, usgov: true }) => {
            (id.clone(), id, Some("USGov"), "microsoftonline.us")
        }
        Ok(Authority::Tenant { id, usgov: false }) => {
            (id.clone(), id, Some("NA"), "microsoftonline.com")
        }
    };
    let login = format!("{}/login", req.origin);
    let base = format!("{login}/{path}");
    wire::json(
        200,
        &json!({
            "issuer": format!("{login}/{issuer_tenant}/v2.0"),
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
            "jwks_uri": format!("{base}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "request_uri_parameter_supported": false,
            "tenant_region_scope": region,
            "cloud_instance_name": cloud,
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com"
        }),
    )
}

fn device_code(sh: &Shared, req: &Req, tenant: &str) -> Response {
    let form = req.form();
    let Some(client_id) = Req::form_value(&form, "client_id") else {
        return oauth_error(
            "invalid_request",
            "AADSTS900144",
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let scope = Req::form_value(&form, "scope").unwrap_or_else(|| "openid profile".into());
    let device_code = ids::random_token(32);
    let code = user_code();
    let interval = sh.cfg.device_interval_secs;
    let expires_in = sh.cfg.device_expires_secs;
    let uri = format!("{}/login/devicelogin", req.origin);
    let mut login = sh.login.lock().expect("login");
    login.devices.insert(
        device_code.clone(),
        Device {
            user_code: code.clone(),
            tenant: tenant.to_string(),
            scope,
            client_id,
            created: Instant::now(),
            expires_in,
            interval,
            last_poll: None,
            approved: None,
            declined: false,
        },
    );
    wire::json(
        200,
        &json!({
            "user_code": code,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": expires_in,
            "interval": interval,
            "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {code} to authenticate.")
        }),
    )
}

/// An `AADSTSnnnnn: text` refusal from the world as an OAuth error.
fn grant_error(msg: &str) -> Response {
    let (code, text) = msg.split_once(": ").unwrap_or(("AADSTS50020", msg));
    oauth_error("invalid_grant", code, text)
}

/// The account `who` (as approved) signs in as at `tenant`, then its tokens.
fn sign_in_and_issue(
    sh: &Shared,
    who: &str,
    tenant: &str,
    scope: &str,
    client_id: &str,
    extras: &Extras<'_>,
) -> Response {
    let account = sh.world.read().expect("world").sign_in(who, tenant);
    match account {
        Ok(a) => issue(sh, &a, tenant, scope, client_id, extras),
        Err(msg) => grant_error(&msg),
    }
}

/// Build the token response for `account` at `tenant` with `scope`: an
/// access token for the audience the scope names, an id token when the
/// scope has `openid`, `client_info` when asked, a refresh token with
/// `offline_access` that stays bound to that same account.
fn issue(
    sh: &Shared,
    account: &Account,
    tenant: &str,
    scope: &str,
    client_id: &str,
    extras: &Extras<'_>,
) -> Response {
    let subject = match sh.world.read().expect("world").subject_for(account, tenant) {
        Ok(s) => s,
        Err(msg) => return grant_error(&msg),
    };
    if let Err(r) = super::redeem::on_sign_in(sh, &subject, extras.interactive) {
        return r;
    }
    let aud = if scope.contains(ADO_AUDIENCE) {
        ADO_AUDIENCE
    } else {
        GRAPH_AUDIENCE
    };
    let now = chrono::Utc::now().timestamp();
    let lifetime = sh.cfg.token_lifetime_secs;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let id_token = scopes.contains(&"openid").then(|| {
        super::oidc::id_token(
            &subject,
            &super::oidc::IdTokenFor {
                issuer: format!("{}/login/{}/v2.0", extras.origin, subject.tid),
                client_id,
                nonce: extras.nonce,
                lifetime_secs: lifetime,
                email: scopes
                    .contains(&"email")
                    .then_some(subject.upn.as_str())
                    .filter(|u| u.contains('@') && !u.contains("#EXT#")),
            },
        )
    });
    let client_info = extras
        .client_info
        .then(|| super::oidc::client_info(&subject));
    let claims = Claims {
        aud: aud.to_string(),
        iss: format!("https://sts.windows.net/{}/", subject.tid),
        iat: now,
        nbf: now,
        exp: now + lifetime as i64,
        tid: subject.tid,
        oid: subject.oid,
        upn: subject.upn.clone(),
        preferred_username: subject.upn,
        name: subject.name,
        scp: if aud == ADO_AUDIENCE {
            "user_impersonation"
        } else {
            "User.Read User.ReadBasic.All User.Invite.All"
        }
        .into(),
        appid: client_id.to_string(),
        ver: "1.0".into(),
    };
    let access = jwt::sign(&sh.key, &claims);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    if let Some(t) = id_token {
        body["id_token"] = t.into();
    }
    if let Some(c) = client_info {
        body["client_info"] = c.into();
    }
    if scopes.contains(&"offline_access") {
        let rt = ids::random_token(48);
        sh.login.lock().expect("login").refresh.insert(
            rt.clone(),
            Refresh {
                account: account.clone(),
                client_id: client_id.to_string(),
                scope: scope.to_string(),
            },
        );
        body["refresh_token"] = rt.into();
    }
    wire::json(200, &body)
}

fn token(sh: &Shared, req: &Req, tenant: &str) -> Response {
    let form = req.form();
    let get = |k: &str| Req::form_value(&form, k);
    let client_id = get("client_id").unwrap_or_default();
    let asked_client_info = get("client_info").as_deref() == Some("1");
    let extras = Extras {
        origin: &req.origin,
        nonce: None,
        client_info: asked_client_info,
        interactive: false,
    };
    match get("grant_type").as_deref() {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            let Some(dc) = get("device_code") else {
                return oauth_error(
                    "invalid_request",
                    "AADSTS900144",
                    "The request body must contain the following parameter: 'device_code'.",
                );
            };
            let who = {
                let mut login = sh.login.lock().expect("login");
                let Some(d) = login.devices.get_mut(&dc) else {
                    return oauth_error(
                        "invalid_grant",
                        "AADSTS70000",
                        "The provided value for the input parameter 'device_code' is not valid.",
                    );
                };
                let now = Instant::now();
                if now.duration_since(d.created) >= Duration::from_secs(d.expires_in) {
                    login.devices.remove(&dc);
                    return oauth_error(
                        "expired_token",
                        "AADSTS70020",
                        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
                    );
                }
                if d.declined {
                    login.devices.remove(&dc);
                    return oauth_error(
                        "authorization_declined",
                        "AADSTS70000",
                        "The user declined to authorize the sign-in request.",
                    );
                }
                let too_soon = d.last_poll.is_some_and(|t| {
                    now.duration_since(t) < Duration::from_millis(d.interval * 1000 * 8 / 10)
                });
                d.last_poll = Some(now);
                if d.approved.is_none()
                    && let Some(auto) = &sh.cfg.auto_approve
                {
                    d.approved = Some(auto.clone());
                }
                match d.approved.clone() {
                    Some(who) if !too_soon || d.interval == 0 => {
                        let (tenant, client, granted) =
                            (d.tenant.clone(), d.client_id.clone(), d.scope.clone());
                        login.devices.remove(&dc);
                        (who, tenant, client, granted)
                    }
                    _ if too_soon => {
                        return oauth_error(
                            "slow_down",
                            "AADSTS70016",
                            "Polling too quickly; wait the interval between requests.",
                        );
                    }
                    _ => {
                        return oauth_error(
                            "authorization_pending",
                            "AADSTS70016",
                            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                        );
                    }
                }
            };
            let (who, tenant, client, granted) = who;
            sign_in_and_issue(
                sh,
                &who,
                &tenant,
                &granted,
                if client_id.is_empty() {
                    &client
                } else {
                    &client_id
                },
                &Extras {
                    interactive: true,
                    ..extras
                },
            )
        }
        Some("refresh_token") => {
            let Some(rt) = get("refresh_token") else {
                return oauth_error(
                    "invalid_request",
                    "AADSTS900144",
                    "The request body must contain the following parameter: 'refresh_token'.",
                );
            };
            let who = sh
                .login
                .lock()
                .expect("login")
                .refresh
                .get(&rt)
                .map(|r| (r.account.clone(), r.client_id.clone(), r.scope.clone()));
            match who {
                // A refresh that names no scope gets what was granted.
                Some((account, client, granted)) => {
                    let scope = get("scope").unwrap_or(granted);
                    issue(sh, &account, tenant, &scope, &client, &extras)
                }
                None => oauth_error(
                    "invalid_grant",
                    "AADSTS9002313",
                    "Invalid request. Request is malformed or invalid: the refresh token is unknown or revoked.",
                ),
            }
        }
        // App-only sign-in lives in login_app.rs.
        Some("client_credentials") => super::login_app::client_credentials(sh, req, tenant, &form),
        Some("authorization_code") => {
            let code = get("code").unwrap_or_default();
            let entry = sh.login.lock().expect("login").codes.remove(&code);
            let Some(c) = entry else {
                return oauth_error(
                    "invalid_grant",
                    "AADSTS54005",
                    "OAuth2 Authorization code was already redeemed or is unknown.",
                );
            };
            if c.created.elapsed() > Duration::from_secs(600) {
                return oauth_error(
                    "invalid_grant",
                    "AADSTS70008",
                    "The provided authorization code has expired.",
                );
            }
            if get("redirect_uri").as_deref() != Some(c.redirect_uri.as_str()) {
                return oauth_error(
                    "invalid_grant",
                    "AADSTS50011",
                    "The redirect URI does not match the one used to obtain the authorization code.",
                );
            }
            let verifier = get("code_verifier").unwrap_or_default();
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if c.challenge.is_empty() || computed != c.challenge {
                return oauth_error(
                    "invalid_grant",
                    "AADSTS501481",
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            // The scope was granted at /authorize; a scope on the redemption narrows it.
            let scope = get("scope").unwrap_or(c.scope);
            let extras = Extras {
                nonce: c.nonce.as_deref(),
                client_info: asked_client_info || c.client_info,
                interactive: true,
                ..extras
            };
            sign_in_and_issue(sh, &c.who, &c.tenant, &scope, &c.client_id, &extras)
        }
        other => oauth_error(
            "unsupported_grant_type",
            "AADSTS70003",
            &format!(
                "The app requested an unsupported grant type '{}'.",
                other.unwrap_or("")
            ),
        ),
    }
}
