//! `/graph/v1.0/...`: the slice of Microsoft Graph the tool uses. The
//! `$filter` grammar is in graph/odata.rs, `$search` in graph/search.rs,
//! `$batch` in graph/batch.rs and invitations in graph/invite.rs.

use axum::response::Response;
use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};

use super::Shared;
use super::ids::{CONSUMERS_TENANT, GRAPH_AUDIENCE};
use super::jwt;
use super::state::{Tenant, TenantUser};
use super::wire::{self, Req, graph_error_value};

mod batch;
mod directory;
mod invite;
mod odata;
mod roles;
mod search;

use odata::{candidates, eval, parse_filter};

/// A Graph answer before it becomes an HTTP response (so `$batch` can embed it).
pub struct Out {
    pub status: u16,
    pub body: Value,
    /// The body already written as JSON text (then `body` is unused): a
    /// page of users is written straight, never built as a JSON tree.
    pub raw: Option<String>,
    pub headers: Vec<(&'static str, String)>,
}

fn ok(status: u16, body: Value) -> Out {
    Out {
        status,
        body,
        raw: None,
        headers: vec![],
    }
}

impl Out {
    /// The body as JSON text.
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.raw {
            Some(r) => r.as_str().into(),
            None => serde_json::to_string(&self.body).expect("json").into(),
        }
    }
}

fn err(status: u16, code: &str, message: &str) -> Out {
    ok(status, graph_error_value(code, message))
}

impl Out {
    pub fn into_response(self) -> Response {
        let id = uuid::Uuid::new_v4().to_string();
        let mut r = match self.raw {
            Some(text) => wire::text(self.status, "application/json; charset=utf-8", text),
            None => wire::json(self.status, &self.body),
        };
        for (k, v) in self.headers {
            r = wire::with_header(r, k, &v);
        }
        wire::with_header(r, "request-id", &id)
    }
}

pub fn handle(sh: &Shared, req: &Req) -> Response {
    let p = req.lpath();
    if p.first() != Some(&"v1.0") {
        return err(400, "BadRequest", "Invalid version: only v1.0 is served.").into_response();
    }
    let path: Vec<String> = req.segs[1..].to_vec();
    let query = req.query.clone();
    let body = req.json();
    if req.method == "POST" && p.get(1) == Some(&"$batch") {
        return batch::batch(sh, req, body).into_response();
    }
    route(
        sh,
        req.header("authorization"),
        req.header("consistencylevel")
            .is_some_and(|v| v.eq_ignore_ascii_case("eventual")),
        req.method.as_str(),
        &path,
        &query,
        body,
        &req.origin,
    )
    .into_response()
}

/// A 401 says where to sign in, as Graph's does (on the emulator's
/// `/login`, and with Graph's own application id).
fn challenged(mut o: Out, origin: &str) -> Out {
    if o.status == 401 {
        o.headers.push((
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{origin}/login/common/oauth2/v2.0/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""
            ),
        ));
    }
    o
}

fn caller(sh: &Shared, authorization: Option<&str>) -> Result<jwt::Claims, Out> {
    let Some(h) = authorization else {
        return Err(err(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty.",
        ));
    };
    let Some(token) = h
        .strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
    else {
        return Err(err(
            401,
            "InvalidAuthenticationToken",
            "Only bearer tokens are accepted: personal access tokens cannot call Microsoft Graph.",
        ));
    };
    match jwt::verify(&sh.key, token.trim()) {
        None => Err(err(
            401,
            "InvalidAuthenticationToken",
            "IDX14100: JWT is not well formed.",
        )),
        Some(c) if c.aud != GRAPH_AUDIENCE => {
            Err(err(401, "InvalidAuthenticationToken", "Invalid audience."))
        }
        Some(c) if c.exp <= Utc::now().timestamp() => Err(err(
            401,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        )),
        Some(c) if c.tid == CONSUMERS_TENANT => Err(err(
            403,
            "Authorization_RequestDenied",
            "A personal Microsoft account cannot read a directory; sign in to a tenant.",
        )),
        Some(c) => Ok(c),
    }
}

#[allow(clippy::too_many_arguments)]
fn route(
    sh: &Shared,
    authorization: Option<&str>,
    eventual: bool,
    method: &str,
    path: &[String],
    query: &[(String, String)],
    body: Option<Value>,
    origin: &str,
) -> Out {
    let claims = match caller(sh, authorization) {
        Ok(c) => c,
        Err(o) => return challenged(o, origin),
    };
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let lpath: Vec<String> = path.iter().map(|s| s.to_lowercase()).collect();
    let lp: Vec<&str> = lpath.iter().map(String::as_str).collect();
    if method == "POST" && lp.as_slice() == ["invitations"] {
        return invite::invite(sh, &claims, body, origin);
    }
    let world = sh.world.read().expect("world");
    let Some(tenant) = world.tenant(&claims.tid) else {
        return err(
            401,
            "InvalidAuthenticationToken",
            "The token's tenant does not exist.",
        );
    };
    let select = q("$select");
    if let Some(o) = roles::route(&world, tenant, &claims, method, &lp, query, origin) {
        return o;
    }
    match (method, lp.as_slice()) {
        ("GET", ["me"]) => match tenant.user_by_id(&claims.oid) {
            Some(u) => ok(
                200,
                with_context(
                    origin,
                    directory::with_created(
                        &world,
                        u,
                        user_json(u, select.as_deref()),
                        select.as_deref(),
                    ),
                    "users/$entity",
                ),
            ),
            None => err(
                404,
                "Request_ResourceNotFound",
                &format!(
                    "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
                    claims.oid
                ),
            ),
        },
        ("GET", ["organization"]) => ok(
            200,
            json!({
                "@odata.context": format!("{origin}/graph/v1.0/$metadata#organization"),
                "value": [organization_json(tenant)]
            }),
        ),
        ("GET", ["users"]) => {
            // How often a directory's users are listed (a `$batch` part
            // counts too): the fleet reads a shared directory once.
            super::count(sh, "graph.users.list");
            list_users(sh, tenant, query, select.as_deref(), origin, eventual)
        }
        ("GET", ["users", "$count"]) => {
            if eventual {
                ok(200, Value::from(tenant.users.len()))
            } else {
                err(
                    400,
                    "Request_BadRequest",
                    "Count is not currently supported without the header ConsistencyLevel: eventual.",
                )
            }
        }
        ("GET", ["users", _]) => {
            let key = &path[1];
            match tenant.user_by_id(key).or_else(|| tenant.user_by_upn(key)) {
                Some(u) => ok(
                    200,
                    with_context(origin, user_json(u, select.as_deref()), "users/$entity"),
                ),
                None => err(
                    404,
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
                    ),
                ),
            }
        }
        _ => directory::route(&world, tenant, &claims, method, &lp, body.as_ref(), origin)
            .unwrap_or_else(|| {
                err(
                    400,
                    "BadRequest",
                    &format!(
                        "Resource not found for the segment '{}'.",
                        path.first().cloned().unwrap_or_default()
                    ),
                )
            }),
    }
}

/// `@odata.context`, on the emulator's base (Graph writes its own host).
fn with_context(origin: &str, mut v: Value, entity: &str) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "@odata.context".into(),
            format!("{origin}/graph/v1.0/$metadata#{entity}").into(),
        );
    }
    v
}

fn organization_json(t: &Tenant) -> Value {
    let mut domains = vec![
        json!({"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": t.domains.is_empty(), "isInitial": true, "name": t.initial_domain, "type": "Managed"}),
    ];
    for (i, d) in t.domains.iter().enumerate() {
        domains.push(json!({"capabilities": "Email", "isDefault": i == 0, "isInitial": false, "name": d, "type": "Managed"}));
    }
    json!({
        "id": t.id,
        "displayName": t.display_name,
        "tenantType": "AAD",
        "countryLetterCode": "US",
        "country": null,
        "defaultUsageLocation": null,
        "directorySizeQuota": {"used": t.users.len(), "total": 300000},
        "isMultipleDataLocationsForServicesEnabled": null,
        "marketingNotificationEmails": [],
        "onPremisesLastSyncDateTime": null,
        "partnerTenantType": null,
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "verifiedDomains": domains,
        "assignedPlans": [],
        "businessPhones": [],
        "city": null,
        "createdDateTime": "2020-01-01T00:00:00Z",
        "deletedDateTime": null,
        "onPremisesSyncEnabled": null,
        "preferredLanguage": "en",
        "privacyProfile": null,
        "provisionedPlans": [],
        "technicalNotificationMails": [],
        "postalCode": null,
        "state": null,
        "street": null
    })
}

/// The properties Graph returns for a user when no `$select` is given.
const DEFAULT_USER_PROPERTIES: [&str; 11] = [
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

type Getter = fn(&TenantUser) -> Value;

fn given_name(u: &TenantUser) -> Value {
    match &u.names {
        Some((given, _)) => given.as_deref().map_or(Value::Null, Value::from),
        None => u
            .display_name
            .split_once(' ')
            .map_or(u.display_name.as_str(), |p| p.0)
            .into(),
    }
}

fn surname(u: &TenantUser) -> Value {
    match &u.names {
        Some((_, surname)) => surname.as_deref().map_or(Value::Null, Value::from),
        None => u.display_name.split_once(' ').map_or("", |p| p.1).into(),
    }
}

/// `assignedLicenses`: one `assignedLicense` per SKU, no plans disabled
/// (the skuId is derived from the SKU's name; real ones are fixed GUIDs).
fn assigned_licenses(u: &TenantUser) -> Value {
    Value::Array(
        u.licenses
            .iter()
            .map(|sku| json!({"disabledPlans": [], "skuId": super::ids::guid(&["sku", sku])}))
            .collect(),
    )
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
}

fn when_guest(u: &TenantUser, v: &str) -> Value {
    if u.user_type == "Guest" {
        v.into()
    } else {
        Value::Null
    }
}

/// The user properties this emulator models, by canonical name.
const USER_PROPERTIES: [(&str, Getter); 18] = [
    ("id", |u| u.id.as_str().into()),
    ("businessPhones", |_| Value::Array(Vec::new())),
    ("displayName", |u| u.display_name.as_str().into()),
    ("givenName", given_name),
    ("jobTitle", |_| Value::Null),
    ("mail", |u| {
        u.mail.as_deref().map_or(Value::Null, Value::from)
    }),
    ("mobilePhone", |_| Value::Null),
    ("officeLocation", |_| Value::Null),
    ("preferredLanguage", |_| Value::Null),
    ("surname", surname),
    ("userPrincipalName", |u| u.upn.as_str().into()),
    ("userType", |u| u.user_type.as_str().into()),
    ("accountEnabled", |u| u.enabled.into()),
    ("otherMails", |u| strings(&u.other_mails)),
    ("proxyAddresses", |u| strings(&u.proxy_addresses)),
    ("creationType", |u| when_guest(u, "Invitation")),
    ("externalUserState", |u| match &u.invitation {
        Some(i) if i.accepted_at.is_none() => "PendingAcceptance".into(),
        _ => when_guest(u, "Accepted"),
    }),
    ("assignedLicenses", assigned_licenses),
];

/// One user property by its canonical name (any case accepted), or `None`
/// for a property this emulator does not model.
fn user_property(u: &TenantUser, name: &str) -> Option<(&'static str, Value)> {
    USER_PROPERTIES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(k, get)| (*k, get(u)))
}

/// The properties a `$select` names, canonically spelt, each once
/// (unknown ones left out), or the default set.
fn selected(select: Option<&str>) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = match select {
        Some(s) => s
            .split(',')
            .filter_map(|f| {
                USER_PROPERTIES
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(f.trim()))
                    .map(|(k, _)| *k)
            })
            .collect(),
        None => DEFAULT_USER_PROPERTIES.to_vec(),
    };
    let mut seen = std::collections::HashSet::new();
    v.retain(|k| seen.insert(*k));
    v
}

/// A user object written straight as JSON text: `fields` as [`selected`] gives them.
fn write_user(out: &mut Vec<u8>, u: &TenantUser, fields: &[&'static str]) {
    let text = |out: &mut Vec<u8>, s: &str| serde_json::to_writer(&mut *out, s).expect("json");
    out.push(b'{');
    for (k, name) in fields.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        text(out, name);
        out.push(b':');
        match *name {
            "id" => text(out, &u.id),
            "displayName" => text(out, &u.display_name),
            "userPrincipalName" => text(out, &u.upn),
            "userType" => text(out, &u.user_type),
            "mail" => match &u.mail {
                Some(m) => text(out, m),
                None => out.extend_from_slice(b"null"),
            },
            "accountEnabled" => out.extend_from_slice(if u.enabled { b"true" } else { b"false" }),
            "otherMails" => serde_json::to_writer(&mut *out, &u.other_mails).expect("json"),
            "proxyAddresses" => serde_json::to_writer(&mut *out, &u.proxy_addresses).expect("json"),
            // Everything else is a getter of a constant or a guest's field.
            other => {
                let v = user_property(u, other).map_or(Value::Null, |(_, v)| v);
                serde_json::to_writer(&mut *out, &v).expect("json");
            }
        }
    }
    out.push(b'}');
}

/// A user object: the default property set, or exactly `$select` (unknown
/// properties are left out).
fn user_json(u: &TenantUser, select: Option<&str>) -> Value {
    let mut out = serde_json::Map::new();
    let mut put = |name: &str| {
        if let Some((k, v)) = user_property(u, name.trim()) {
            out.insert(k.to_string(), v);
        }
    };
    match select {
        Some(s) => s
            .split(',')
            .filter(|f| !f.trim().is_empty())
            .for_each(&mut put),
        None => DEFAULT_USER_PROPERTIES.iter().for_each(|n| put(n)),
    }
    Value::Object(out)
}

/// What Graph says when an advanced query lacks `ConsistencyLevel: eventual`.
fn needs_eventual(what: &str) -> Out {
    err(
        400,
        "Request_UnsupportedQuery",
        &format!(
            "{what} is only supported with the header ConsistencyLevel: eventual (an advanced query)."
        ),
    )
}

fn list_users(
    sh: &Shared,
    t: &Tenant,
    query: &[(String, String)],
    select: Option<&str>,
    origin: &str,
    eventual: bool,
) -> Out {
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let top = match q("$top") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => n,
            _ => {
                return err(
                    400,
                    "Request_UnsupportedQuery",
                    &format!(
                        "Invalid page size specified: '{v}'. Must be between 1 and 999 inclusive."
                    ),
                );
            }
        },
    };
    let filter = match q("$filter") {
        None => None,
        Some(f) => match parse_filter(&f) {
            Ok(n) => Some(n),
            Err(e) => return err(400, "BadRequest", &format!("Invalid filter clause: {e}")),
        },
    };
    let count = match q("$count").map(|v| v.to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "false" => false,
        Some(v) if v == "true" && eventual => true,
        Some(v) if v == "true" => return needs_eventual("$count"),
        Some(v) => {
            return err(
                400,
                "BadRequest",
                &format!("Invalid value '{v}' for $count: use true or false."),
            );
        }
    };
    let search = match q("$search") {
        None => None,
        Some(_) if !eventual => return needs_eventual("$search"),
        Some(s) => match search::parse(&s) {
            Ok(s) => Some(s),
            Err(e) => {
                return err(
                    400,
                    "Request_UnsupportedQuery",
                    &format!("Invalid $search: {e}."),
                );
            }
        },
    };
    let start = q("$skiptoken")
        .and_then(|t| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    // Object-id order, as Graph lists users in practice (no order is
    // documented). With no filter or search, the page is read off the
    // order itself (a million users are never all looked at).
    let (total, page): (usize, Vec<usize>) = if filter.is_none() && search.is_none() {
        let all = t.in_id_order();
        let total = all.len();
        (total, all.skip(start).take(top).collect())
    } else {
        // Every page of a query asks for the same list: it is built once
        // per world generation (the caller holds the world's read lock).
        let key = format!(
            "graph\u{1}{}\u{1}{}\u{1}{}",
            t.id,
            q("$filter").unwrap_or_default(),
            q("$search").unwrap_or_default()
        );
        let generation = sh.world_gen.load(std::sync::atomic::Ordering::SeqCst);
        let cached = sh
            .listings
            .lock()
            .expect("listings")
            .get(&key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, l)| std::sync::Arc::clone(l));
        let matched = match cached {
            Some(m) => m,
            None => {
                let pool: Vec<usize> = match filter.as_ref().and_then(|f| candidates(f, t)) {
                    Some(mut c) => {
                        c.sort_by(|&a, &b| t.users[a].id.cmp(&t.users[b].id));
                        c
                    }
                    None => t.in_id_order().collect(),
                };
                let mut matched = Vec::new();
                for i in pool {
                    let u = &t.users[i];
                    let keep = match &filter {
                        None => true,
                        Some(f) => match eval(f, u) {
                            Ok(b) => b,
                            Err(e) => {
                                return err(
                                    400,
                                    "BadRequest",
                                    &format!("Invalid filter clause: {e}"),
                                );
                            }
                        },
                    };
                    if keep && search.as_ref().is_none_or(|s| s.matches(u)) {
                        matched.push(i);
                    }
                }
                let matched = std::sync::Arc::new(matched);
                let mut cache = sh.listings.lock().expect("listings");
                if cache.len() >= 1024 {
                    cache.clear();
                }
                cache.insert(key, (generation, std::sync::Arc::clone(&matched)));
                matched
            }
        };
        let from = start.min(matched.len());
        let to = (from + top).min(matched.len());
        (matched.len(), matched[from..to].to_vec())
    };
    let end = start.min(total) + page.len();
    let fields = selected(select);
    let mut out: Vec<u8> = Vec::with_capacity(64 + page.len() * 256);
    let text = |out: &mut Vec<u8>, s: &str| serde_json::to_writer(&mut *out, s).expect("json");
    out.extend_from_slice(b"{\"@odata.context\":");
    text(
        &mut out,
        &format!(
            "{origin}/graph/v1.0/$metadata#users{}",
            select.map(|s| format!("({s})")).unwrap_or_default()
        ),
    );
    if count {
        out.extend_from_slice(format!(",\"@odata.count\":{total}").as_bytes());
    }
    if end < total {
        let mut url = url::Url::parse(&format!("{origin}/graph/v1.0/users")).expect("origin url");
        {
            let mut qp = url.query_pairs_mut();
            for (k, v) in query
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
            {
                qp.append_pair(k, v);
            }
            qp.append_pair(
                "$skiptoken",
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(end.to_string()),
            );
        }
        out.extend_from_slice(b",\"@odata.nextLink\":");
        text(&mut out, url.as_str());
    }
    out.extend_from_slice(b",\"value\":[");
    for (k, &i) in page.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_user(&mut out, &t.users[i], &fields);
    }
    out.extend_from_slice(b"]}");
    Out {
        status: 200,
        body: Value::Null,
        raw: Some(String::from_utf8(out).expect("JSON text is UTF-8")),
        headers: vec![],
    }
}
