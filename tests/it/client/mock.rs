//! A tiny scripted Azure stand-in for client tests that need exact control
//! (fault counts, token lifetimes, hostile bodies). Served on 127.0.0.1 with
//! the same path prefixes as the emulator, so the client is configured only
//! through `Endpoints::emulator(base)`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const UPN: &str = "admin@contoso.example";

/// A scripted answer: HTTP status and optional `Retry-After`.
pub type Fault = (u16, Option<&'static str>);

#[derive(Default)]
pub struct Mock {
    /// Hits per path.
    pub hits: Mutex<HashMap<String, usize>>,
    /// Valid access tokens.
    pub valid: Mutex<HashSet<String>>,
    /// Token lifetime in seconds.
    pub lifetime: AtomicUsize,
    pub minted: AtomicUsize,
    pub refreshes: AtomicUsize,
    /// Device flow: number of polls answered `authorization_pending` / `slow_down` first.
    pub device_script: Mutex<Vec<&'static str>>,
    /// Auth code -> (challenge, redirect_uri).
    pub codes: Mutex<HashMap<String, (String, String)>>,
    /// Faults per path: statuses served before success, with a Retry-After value.
    pub faults: Mutex<HashMap<String, Vec<Fault>>>,
    /// Batch items (by url) that answer 429 once.
    pub batch_throttle_once: Mutex<HashSet<String>>,
    /// Requests in flight on `/pair`, and the most seen at once.
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    /// `/pair` answers its requests two at a time.
    pub pairs: PairGate,
    /// Last Authorization header seen per path.
    pub auth_seen: Mutex<HashMap<String, String>>,
}

/// Holds each request until a second one arrives, then lets both go.
#[derive(Default)]
pub struct PairGate {
    waiting: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl PairGate {
    async fn meet(&self) {
        let rx = {
            let mut waiting = self.waiting.lock().unwrap();
            match waiting.take() {
                Some(partner) => {
                    let _ = partner.send(());
                    return;
                }
                None => {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    *waiting = Some(tx);
                    rx
                }
            }
        };
        let _ = rx.await;
    }
}

pub struct Server {
    pub base: String,
    pub mock: Arc<Mock>,
}

impl Server {
    pub fn hits(&self, path: &str) -> usize {
        self.mock
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
    pub fn fault(&self, path: &str, faults: Vec<Fault>) {
        self.mock.faults.lock().unwrap().insert(path.into(), faults);
    }
    pub fn mint(&self) -> String {
        mint(&self.mock, "seed")
    }
    pub fn revoke_all(&self) {
        self.mock.valid.lock().unwrap().clear();
    }
}

pub async fn start() -> Server {
    let mock = Arc::new(Mock::default());
    mock.lifetime.store(3600, Ordering::SeqCst);
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { base, mock }
}

pub fn mint(m: &Mock, kind: &str) -> String {
    mint_for(m, kind, TENANT)
}

/// A token whose `tid` is `tid`.
pub fn mint_for(m: &Mock, kind: &str, tid: &str) -> String {
    let n = m.minted.fetch_add(1, Ordering::SeqCst);
    let exp = chrono::Utc::now().timestamp() + m.lifetime.load(Ordering::SeqCst) as i64;
    let payload = serde_json::json!({"tid": tid, "oid": "oid-1", "upn": UPN, "name": "Admin", "exp": exp, "n": n, "k": kind});
    let t = format!(
        "eyJhbGciOiJub25lIn0.{}.sig",
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    m.valid.lock().unwrap().insert(t.clone());
    t
}

fn json(status: u16, v: serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

fn token_response(m: &Mock, tenant: &str) -> Response {
    let tid = if tenant.len() == 36 { tenant } else { TENANT };
    json(
        200,
        serde_json::json!({
            "token_type": "Bearer",
            "access_token": mint_for(m, "access", tid),
            "refresh_token": format!("rt-{}", m.minted.load(Ordering::SeqCst)),
            "expires_in": m.lifetime.load(Ordering::SeqCst),
        }),
    )
}

fn unauthorized() -> Response {
    let mut r = json(
        401,
        serde_json::json!({"$id":"1","message":"TF400813: The user '' is not authorized to access this resource.","typeKey":"UnauthorizedRequestException","errorCode":0}),
    );
    r.headers_mut()
        .insert("x-vss-e2eid", HeaderValue::from_static("e2e-401"));
    r
}

fn user(i: usize) -> serde_json::Value {
    serde_json::json!({
        "subjectKind": "user", "origin": if i.is_multiple_of(2) { "aad" } else { "msa" },
        "originId": format!("o-{i}"), "descriptor": format!("aad.{i}"),
        "displayName": format!("User {i}"), "principalName": format!("u{i}@contoso.example"),
        "mailAddress": format!("u{i}@contoso.example"), "domain": TENANT, "metaType": "member"
    })
}

async fn handle(
    State(m): State<Arc<Mock>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    *m.hits.lock().unwrap().entry(path.clone()).or_default() += 1;

    if path == "/pair" {
        let now = m.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        m.max_in_flight.fetch_max(now, Ordering::SeqCst);
        m.pairs.meet().await;
        m.in_flight.fetch_sub(1, Ordering::SeqCst);
        return json(200, serde_json::json!({}));
    }
    if path == "/hang" {
        // Never answers: the client's per-attempt timeout must end it.
        std::future::pending::<()>().await;
    }
    // Scripted faults first.
    if let Some(list) = m.faults.lock().unwrap().get_mut(&path)
        && !list.is_empty()
    {
        let (status, ra) = list.remove(0);
        let mut r = json(
            status,
            serde_json::json!({"message": "throttled", "typeKey": "Throttled"}),
        );
        if let Some(ra) = ra {
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static(ra));
        }
        return r;
    }

    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    m.auth_seen
        .lock()
        .unwrap()
        .insert(path.clone(), auth.clone());
    let bearer_ok = auth
        .strip_prefix("Bearer ")
        .is_some_and(|t| m.valid.lock().unwrap().contains(t));
    let basic_ok = auth.starts_with("Basic ");
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();

    match (method.as_str(), seg.as_slice()) {
        // ---- sign-in ----
        ("POST", ["login", _t, "oauth2", "v2.0", "devicecode"]) => json(
            200,
            serde_json::json!({"device_code":"dc-1","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":0,"message":"go"}),
        ),
        ("GET", ["login", _t, "oauth2", "v2.0", "authorize"]) => {
            let code = format!("code-{}", m.minted.load(Ordering::SeqCst));
            let redirect = query.get("redirect_uri").cloned().unwrap_or_default();
            m.codes.lock().unwrap().insert(
                code.clone(),
                (query.get("code_challenge").cloned().unwrap_or_default(), redirect.clone()),
            );
            let mut to = url::Url::parse(&redirect).unwrap();
            to.query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", query.get("state").map(String::as_str).unwrap_or(""));
            (StatusCode::FOUND, [("location", to.to_string())]).into_response()
        }
        ("POST", ["login", tenant, "oauth2", "v2.0", "token"]) => {
            let err = |e: &str| json(400, serde_json::json!({"error": e, "error_description": format!("AADSTS: {e}")}));
            match form.get("grant_type").map(String::as_str) {
                Some("urn:ietf:params:oauth:grant-type:device_code") => {
                    let next = {
                        let mut s = m.device_script.lock().unwrap();
                        if s.is_empty() { None } else { Some(s.remove(0)) }
                    };
                    match next {
                        Some(e) => err(e),
                        None => token_response(&m, tenant),
                    }
                }
                Some("authorization_code") => {
                    let code = form.get("code").cloned().unwrap_or_default();
                    let Some((challenge, redirect)) = m.codes.lock().unwrap().remove(&code) else {
                        return err("invalid_grant");
                    };
                    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if computed != challenge || form.get("redirect_uri") != Some(&redirect) {
                        return err("invalid_grant");
                    }
                    token_response(&m, tenant)
                }
                Some("refresh_token") => {
                    m.refreshes.fetch_add(1, Ordering::SeqCst);
                    if form.get("refresh_token").is_some_and(|r| r.starts_with("rt-")) {
                        token_response(&m, tenant)
                    } else {
                        err("invalid_grant")
                    }
                }
                _ => err("unsupported_grant_type"),
            }
        }
        // ---- ADO ----
        ("HEAD", ["dev", org]) => match *org {
            "missing" => StatusCode::NOT_FOUND.into_response(),
            "msaorg" => (
                StatusCode::UNAUTHORIZED,
                [("x-vss-resourcetenant", "00000000-0000-0000-0000-000000000000")],
            )
                .into_response(),
            _ => (
                StatusCode::UNAUTHORIZED,
                [
                    ("x-vss-resourcetenant", TENANT),
                    ("www-authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555, Basic realm=\"https://tfsprodcus.app.visualstudio.com/\""),
                ],
            )
                .into_response(),
        },
        (_, ["dev", "htmlorg", ..]) => (
            StatusCode::NON_AUTHORITATIVE_INFORMATION,
            [("content-type", "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Sign in</title></head></html>",
        )
            .into_response(),
        _ if !(bearer_ok || basic_ok) => unauthorized(),
        ("GET", ["vssps", _org, "_apis", "graph", "users"]) => {
            let total = 10_000;
            let start: usize = query.get("continuationToken").and_then(|t| t.strip_prefix("p")).and_then(|t| t.parse().ok()).unwrap_or(0);
            let end = (start + 500).min(total);
            let mut r = json(200, serde_json::json!({"count": end - start, "value": (start..end).map(user).collect::<Vec<_>>()}));
            if end < total {
                r.headers_mut().insert("x-ms-continuationtoken", HeaderValue::from_str(&format!("p{end}")).unwrap());
            }
            r
        }
        ("GET", ["vsaex", _org, "_apis", "userentitlements"]) => {
            let total = 1234;
            let start: usize = query.get("continuationToken").and_then(|t| t.parse().ok()).unwrap_or(0);
            let end = (start + 100).min(total);
            let members: Vec<_> = (start..end).map(|i| serde_json::json!({"id": format!("id-{i}"), "user": user(i), "accessLevel": {"licenseDisplayName": "Basic"}})).collect();
            json(200, serde_json::json!({"members": members, "items": members, "totalCount": total, "continuationToken": if end < total { serde_json::json!(end.to_string()) } else { serde_json::Value::Null }}))
        }
        ("GET", ["vssps", _org, "_apis", "graph", "groups"]) => json(200, serde_json::json!({"count": 3, "value": [
            {"subjectKind":"group","principalName":"[acme]\\Project Collection Administrators","descriptor":"vssgp.pca","domain":"vstfs:///Framework/IdentityDomain/x","origin":"vsts"},
            {"subjectKind":"group","principalName":"[acme]\\Admins Nested","descriptor":"vssgp.nested","domain":"vstfs:///Framework/IdentityDomain/x","origin":"vsts"},
            {"subjectKind":"group","principalName":"[acme]\\Loop","descriptor":"vssgp.loop","domain":"vstfs:///Framework/IdentityDomain/x","origin":"vsts"}
        ]})),
        ("GET", ["vssps", _org, "_apis", "graph", "Memberships", subject]) => {
            let up: &[&str] = match *subject {
                "aad.admin" => &["vssgp.loop"],
                "vssgp.loop" => &["vssgp.loop2"],
                "vssgp.loop2" => &["vssgp.loop", "vssgp.nested"],
                "vssgp.nested" => &["vssgp.pca"],
                "aad.cyclic" => &["vssgp.c1"],
                "vssgp.c1" => &["vssgp.c2"],
                "vssgp.c2" => &["vssgp.c1"],
                _ => &[],
            };
            json(200, serde_json::json!({"count": up.len(), "value": up.iter().map(|c| serde_json::json!({"containerDescriptor": c, "memberDescriptor": subject})).collect::<Vec<_>>()}))
        }
        ("PATCH", ["vssps", _org, "_apis", "graph", "users", d]) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let mut u = user(1);
            u["descriptor"] = serde_json::json!(d);
            u["originId"] = v["originId"].clone();
            json(200, u)
        }
        ("PATCH", ["vssps", _org, "_apis", "Organization", "Organizations", "Me"]) => {
            let ok = headers.get("content-type").and_then(|v| v.to_str().ok()) == Some("application/json-patch+json");
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if ok && v[0]["path"] == "/TenantId" && v[0]["op"] == 2 {
                json(200, serde_json::json!({"id":"org-1","tenantId": v[0]["value"]}))
            } else {
                json(400, serde_json::json!({"message":"bad patch"}))
            }
        }
        ("GET", ["dev", _org, "_apis", "git", "repositories"]) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"value\": [ {\"id\": ",
        )
            .into_response(),
        ("GET", ["dev", _org, "_apis", "projects"]) => json(200, serde_json::json!({"count":1,"value":[{"id":"p1","name":"Proj","state":"wellFormed"}]})),
        ("POST", ["dev", _org, "_apis", "Contribution", "HierarchyQuery"]) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let id = v["contributionIds"][0].as_str().unwrap_or("").to_string();
            let data = if id.ends_with("overview-delay-load-data-provider") {
                serde_json::json!({"currentOwner": {"name": "Owner", "email": "owner@contoso.example"}})
            } else {
                serde_json::json!({"userTenantData": {"userTenants": [{"id": TENANT, "displayName": "Contoso"}]}})
            };
            json(200, serde_json::json!({"dataProviders": {id: data}}))
        }
        ("GET", ["aex", "_apis", "EnterpriseCatalog", "Organizations"]) => {
            if query.get("tenantId").map(String::as_str) == Some("html") {
                (StatusCode::OK, [("content-type", "text/html")], "<html>sign in</html>").into_response()
            } else {
                (StatusCode::OK, [("content-type", "text/csv")], "Organization Id, Organization Name, Url, Owner, Exception Type, Error Message\r\nid1, acme, https://dev.azure.com/acme/, owner@contoso.example, , \r\n").into_response()
            }
        }
        ("GET", ["dev", _org, "_apis", "connectionData"]) => json(200, serde_json::json!({"authenticatedUser": {"id": "u1", "subjectDescriptor": "aad.admin", "providerDisplayName": "Admin"}, "authorizedUser": {"id": "u1"}, "instanceId": "i1"})),
        ("GET", ["app-vssps", "_apis", "profile", "profiles", "me"]) => json(200, serde_json::json!({"id": "p-1", "displayName": "Admin", "publicAlias": "alias-1", "emailAddress": UPN})),
        ("GET", ["app-vssps", "_apis", "accounts"]) => {
            let ok = query.get("memberId").map(String::as_str) == Some("alias-1");
            json(200, serde_json::json!({"count": 1, "value": if ok { serde_json::json!([{"accountId": "a1", "accountName": "acme", "accountUri": "https://vssps.dev.azure.com:443/acme/"}]) } else { serde_json::json!([]) }}))
        }
        ("GET", ["vssps", _org, "_apis", "Organization", "Organizations", "Me"]) => json(200, serde_json::json!({"id": "org-1", "name": "acme", "tenantId": TENANT})),
        ("GET", ["dev", _org, "_settings", "organizationAad"]) => json(200, serde_json::json!({"fps": {"dataProviders": {"data": {"ms.vss-admin-web.organization-admin-aad-data-provider": {"orgnizationTenantData": {"id": TENANT, "displayName": "Contoso", "domain": "contoso.example"}}}}}})),
        ("GET", ["dev", _org, "_settings", "organizationPolicy"]) => json(200, serde_json::json!({"fps": {"dataProviders": {"data": {"ms.vss-admin-web.organization-policies-data-provider": {"policies": {"security": [{"policy": {"name": "Policy.DisallowAadGuestUserAccess", "value": false, "effectiveValue": false}}], "user": [{"policy": {"name": "Policy.EnforceAADConditionalAccess", "value": true, "effectiveValue": true}}]}}}}}})),
        ("PATCH", ["dev", _org, "_apis", "OrganizationPolicy", "Policies", name]) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if name.starts_with("Policy.") && v[0]["path"] == "/Value" && v[0]["value"].is_string() {
                StatusCode::NO_CONTENT.into_response()
            } else {
                json(400, serde_json::json!({"message": "bad policy patch"}))
            }
        }
        ("GET", ["dev", _org, _project, "_apis", "serviceendpoint", "endpoints"]) => {
            let ok = query.get("type").map(String::as_str) == Some("AzureRM") && query.get("includeDetails").map(String::as_str) == Some("true");
            json(200, serde_json::json!({"count": 1, "value": if ok { serde_json::json!([{"id": "se1", "name": "prod", "type": "azurerm", "authorization": {"scheme": "ServicePrincipal", "parameters": {"tenantid": TENANT, "serviceprincipalid": "sp", "serviceprincipalkey": null}}}]) } else { serde_json::json!([]) }}))
        }
        ("GET", ["graph", "v1.0", "organization"]) => json(200, serde_json::json!({"value": [{"id": TENANT, "displayName": "Contoso", "verifiedDomains": [{"name": "contoso.example", "isDefault": true}]}]})),
        ("GET", ["vssps", _org, "_apis", "tokens", "pats"]) => json(200, serde_json::json!({"patTokens":[{"authorizationId":"a1","displayName":"ci","validTo":"2026-12-01T00:00:00Z"}],"continuationToken":""})),
        // ---- Graph ----
        (_, ["graph", ..]) if basic_ok && !bearer_ok => unauthorized(),
        ("GET", ["graph", "v1.0", "me"]) => json(200, serde_json::json!({"id":"oid-1","displayName":"Admin","userPrincipalName":UPN,"mail":UPN,"userType":"Member"})),
        ("GET", ["graph", "v1.0", "users"]) => {
            if let Some(f) = query.get("$filter") {
                let hit = f.contains("'o''neil@contoso.example'");
                let v = if hit { vec![serde_json::json!({"id":"u-oneil","userPrincipalName":"o'neil@contoso.example","userType":"Member"})] } else { vec![] };
                return json(200, serde_json::json!({"value": v}));
            }
            let page: usize = query.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
            let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("");
            let mut v = serde_json::json!({"value": (page*999..(page*999+999).min(2500)).map(|i| serde_json::json!({"id": format!("g-{i}")})).collect::<Vec<_>>()});
            if (page + 1) * 999 < 2500 {
                v["@odata.nextLink"] = serde_json::json!(format!("http://{host}/graph/v1.0/users?$top=999&$skiptoken={}", page + 1));
            }
            json(200, v)
        }
        ("POST", ["graph", "v1.0", "$batch"]) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let reqs = v["requests"].as_array().cloned().unwrap_or_default();
            if reqs.len() > 20 {
                return json(400, serde_json::json!({"error":{"code":"BadRequest","message":"too many"}}));
            }
            let responses: Vec<_> = reqs.iter().map(|r| {
                let url = r["url"].as_str().unwrap_or("").to_string();
                if m.batch_throttle_once.lock().unwrap().remove(&url) {
                    serde_json::json!({"id": r["id"], "status": 429, "headers": {"Retry-After": "0"}, "body": {"error":{"code":"TooManyRequests","message":"slow"}}})
                } else if url.starts_with("/users?") {
                    let q: HashMap<String, String> = url::form_urlencoded::parse(url.trim_start_matches("/users?").as_bytes()).into_owned().collect();
                    let f = q.get("$filter").cloned().unwrap_or_default();
                    let hits: Vec<_> = if f.contains("'known@contoso.example'") && f.contains("smtp:known@contoso.example") { vec![serde_json::json!({"id": "known-1", "mail": "known@contoso.example"})] } else { vec![] };
                    if f.contains("forbidden") {
                        serde_json::json!({"id": r["id"], "status": 403, "headers": {}, "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}})
                    } else {
                        serde_json::json!({"id": r["id"], "status": 200, "headers": {}, "body": {"value": hits}})
                    }
                } else {
                    serde_json::json!({"id": r["id"], "status": 200, "headers": {}, "body": {"url": url}})
                }
            }).rev().collect();
            json(200, serde_json::json!({"responses": responses}))
        }
        ("POST", ["graph", "v1.0", "invitations"]) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            json(201, serde_json::json!({"id":"inv-1","inviteRedeemUrl":"https://login.microsoftonline.com/redeem?x","invitedUserEmailAddress": v["invitedUserEmailAddress"],"invitedUserType":"Guest","status":"PendingAcceptance","invitedUser":{"id":"guest-1"}}))
        }
        _ => json(404, serde_json::json!({"message": format!("mock: no route for {method} {path}")})),
    }
}
