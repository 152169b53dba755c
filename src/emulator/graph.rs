//! `/graph/v1.0/...`: the slice of Microsoft Graph the tool uses.

use axum::response::Response;
use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};

use super::Shared;
use super::faults::{self, Action};
use super::ids::{CONSUMERS_TENANT, GRAPH_AUDIENCE};
use super::jwt;
use super::state::{Tenant, TenantUser};
use super::wire::{self, Req, graph_error_value};

/// A Graph answer before it becomes an HTTP response (so `$batch` can embed it).
pub struct Out {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

fn ok(status: u16, body: Value) -> Out {
    Out {
        status,
        body,
        headers: vec![],
    }
}

fn err(status: u16, code: &str, message: &str) -> Out {
    ok(status, graph_error_value(code, message))
}

impl Out {
    pub fn into_response(self) -> Response {
        let id = uuid::Uuid::new_v4().to_string();
        let mut r = wire::json(self.status, &self.body);
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
        return batch(sh, req, body).into_response();
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
        return invite(sh, &claims, body, origin);
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
    match (method, lp.as_slice()) {
        ("GET", ["me"]) => match tenant.user_by_id(&claims.oid) {
            Some(u) => ok(
                200,
                with_context(origin, user_json(u, select.as_deref()), "users/$entity"),
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
        ("GET", ["users"]) => list_users(tenant, query, select.as_deref(), origin, eventual),
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
        _ => err(
            400,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                path.first().cloned().unwrap_or_default()
            ),
        ),
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
    ("externalUserState", |u| when_guest(u, "PendingAcceptance")),
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

// ----- $filter -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Eq(String, Value),
    Any(String, String),
    StartsWith(String, String),
    /// `field ge 'v'` (`true`) or `field le 'v'` (`false`), compared without case.
    Cmp(String, bool, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    Colon,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            v.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            c if c.is_alphanumeric() || c == '/' || c == '_' || c == '.' || c == '$' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || "/_.$".contains(chars[i])) {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
        if out.len() > 2000 {
            return Err("filter too long".into());
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(k))
    }
    fn expect(&mut self, t: Tok, what: &str) -> Result<(), String> {
        if self.next() == Some(t) {
            Ok(())
        } else {
            Err(format!("expected {what}"))
        }
    }
    fn expr(&mut self) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("filter nested too deeply".into());
        }
        let mut terms = vec![self.term()?];
        while self.keyword("or") {
            self.pos += 1;
            terms.push(self.term()?);
        }
        self.depth -= 1;
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Node::Or(terms)
        })
    }
    fn term(&mut self) -> Result<Node, String> {
        let mut factors = vec![self.factor()?];
        while self.keyword("and") {
            self.pos += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.remove(0)
        } else {
            Node::And(factors)
        })
    }
    fn factor(&mut self) -> Result<Node, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Some(Tok::Ident(name)) if name.eq_ignore_ascii_case("startswith") => {
                self.expect(Tok::LParen, "'(' after startswith")?;
                let Some(Tok::Ident(field)) = self.next() else {
                    return Err("expected a property name in startswith".into());
                };
                self.expect(Tok::Comma, "','")?;
                let Some(Tok::Str(v)) = self.next() else {
                    return Err("expected a string in startswith".into());
                };
                self.expect(Tok::RParen, "')'")?;
                Ok(Node::StartsWith(field, v))
            }
            Some(Tok::Ident(name)) => {
                if let Some(field) = name
                    .strip_suffix("/any")
                    .or_else(|| name.strip_suffix("/Any"))
                {
                    self.expect(Tok::LParen, "'(' after any")?;
                    let Some(Tok::Ident(var)) = self.next() else {
                        return Err("expected a lambda variable".into());
                    };
                    self.expect(Tok::Colon, "':'")?;
                    match self.next() {
                        Some(Tok::Ident(v2)) if v2 == var => {}
                        _ => return Err(format!("expected '{var}' in the lambda body")),
                    }
                    if !self.keyword("eq") {
                        return Err("only 'eq' is supported inside any()".into());
                    }
                    self.pos += 1;
                    let Some(Tok::Str(v)) = self.next() else {
                        return Err("expected a string inside any()".into());
                    };
                    self.expect(Tok::RParen, "')'")?;
                    return Ok(Node::Any(field.to_string(), v));
                }
                if self.keyword("ge") || self.keyword("le") {
                    let ge = self.keyword("ge");
                    self.pos += 1;
                    let Some(Tok::Str(v)) = self.next() else {
                        return Err(format!("expected a string after '{name} ge/le'"));
                    };
                    return Ok(Node::Cmp(name, ge, v));
                }
                if !self.keyword("eq") {
                    return Err(format!(
                        "unsupported operator after '{name}'; supported: eq, ge, le, any(), startswith()"
                    ));
                }
                self.pos += 1;
                match self.next() {
                    Some(Tok::Str(v)) => Ok(Node::Eq(name, Value::String(v))),
                    Some(Tok::Ident(b)) if b == "true" || b == "false" => {
                        Ok(Node::Eq(name, Value::Bool(b == "true")))
                    }
                    _ => Err(format!("expected a value after '{name} eq'")),
                }
            }
            _ => Err("expected a condition".into()),
        }
    }
}

fn parse_filter(s: &str) -> Result<Node, String> {
    let toks = tokenize(s)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let n = p.expr()?;
    if p.pos != p.toks.len() {
        return Err("unexpected text after the condition".into());
    }
    Ok(n)
}

/// A string property without copying it: `None` when the property is not
/// a string this emulator filters on, `Some(None)` when it is null.
fn field_str<'a>(u: &'a TenantUser, field: &str) -> Option<Option<&'a str>> {
    let is = |name: &str| field.eq_ignore_ascii_case(name);
    Some(if is("id") {
        Some(u.id.as_str())
    } else if is("userPrincipalName") {
        Some(u.upn.as_str())
    } else if is("mail") {
        u.mail.as_deref()
    } else if is("displayName") {
        Some(u.display_name.as_str())
    } else if is("userType") {
        Some(u.user_type.as_str())
    } else {
        return None;
    })
}

/// A property a filter compares by value (strings, or `accountEnabled`).
fn field_value(u: &TenantUser, field: &str) -> Option<Value> {
    if field.eq_ignore_ascii_case("accountEnabled") {
        return Some(u.enabled.into());
    }
    field_str(u, field).map(|s| s.map_or(Value::Null, Value::from))
}

fn eval(n: &Node, u: &TenantUser) -> Result<bool, String> {
    Ok(match n {
        Node::Or(v) => {
            for x in v {
                if eval(x, u)? {
                    return Ok(true);
                }
            }
            false
        }
        Node::And(v) => {
            for x in v {
                if !eval(x, u)? {
                    return Ok(false);
                }
            }
            true
        }
        Node::Eq(f, want) => {
            let have = field_value(u, f)
                .ok_or_else(|| format!("Property '{f}' is not supported in a filter."))?;
            match (have, want) {
                (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
                (a, b) => a == *b,
            }
        }
        Node::Any(f, v) => match f.to_ascii_lowercase().as_str() {
            "othermails" => u.other_mails.iter().any(|m| m.eq_ignore_ascii_case(v)),
            "proxyaddresses" => u.proxy_addresses.iter().any(|m| m.eq_ignore_ascii_case(v)),
            _ => return Err(format!("Property '{f}' does not support any().")),
        },
        Node::StartsWith(f, v) => match field_value(u, f) {
            Some(Value::String(s)) => s.to_lowercase().starts_with(&v.to_lowercase()),
            Some(_) => false,
            None => return Err(format!("Property '{f}' is not supported in a filter.")),
        },
        Node::Cmp(f, ge, v) => match field_str(u, f) {
            Some(Some(s)) => {
                let o = wire::cmp_caseless(s.trim(), v.trim());
                if *ge { o.is_ge() } else { o.is_le() }
            }
            Some(None) => false,
            None => return Err(format!("Property '{f}' is not supported in a filter.")),
        },
    })
}

/// Candidate users from the index, when the filter is a disjunction of
/// lookups the index can answer; `None` means scan everyone.
fn candidates(n: &Node, t: &Tenant) -> Option<Vec<usize>> {
    let one = |n: &Node| -> Option<Vec<usize>> {
        match n {
            Node::Eq(f, Value::String(v)) => match f.to_ascii_lowercase().as_str() {
                "userprincipalname" => Some(
                    t.user_by_upn(v)
                        .and_then(|u| t.users.iter().position(|x| x.id == u.id))
                        .into_iter()
                        .collect(),
                ),
                "mail" => Some(t.users_by_address(v)),
                "id" => Some(
                    t.user_by_id(v)
                        .and_then(|u| t.users.iter().position(|x| x.id == u.id))
                        .into_iter()
                        .collect(),
                ),
                _ => None,
            },
            Node::Any(_, v) => {
                let v = v.to_lowercase();
                Some(t.users_by_address(v.strip_prefix("smtp:").unwrap_or(&v)))
            }
            Node::StartsWith(f, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                Some(t.users_with_upn_prefix(v))
            }
            Node::Cmp(f, ge, v) if f.eq_ignore_ascii_case("userPrincipalName") => Some(if *ge {
                t.users_in_upn_range(Some(v), None)
            } else {
                t.users_in_upn_range(None, Some(v))
            }),
            Node::And(parts) => {
                // A UPN range: `ge 'a' and le 'b'`.
                let (mut lo, mut hi) = (None, None);
                for p in parts {
                    match p {
                        Node::Cmp(f, true, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                            lo = Some(v.as_str())
                        }
                        Node::Cmp(f, false, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                            hi = Some(v.as_str())
                        }
                        _ => return None,
                    }
                }
                Some(t.users_in_upn_range(lo, hi))
            }
            _ => None,
        }
    };
    match n {
        Node::Or(v) => {
            let mut all = Vec::new();
            for x in v {
                all.extend(one(x)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        other => one(other),
    }
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
        Some(s) => match super::graph_search::parse(&s) {
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
    // Object-id order, as Graph lists users in practice (no order is documented).
    let pool: Vec<usize> = match filter.as_ref().and_then(|f| candidates(f, t)) {
        Some(mut c) => {
            c.sort_by(|&a, &b| t.users[a].id.cmp(&t.users[b].id));
            c
        }
        None => t.in_id_order(),
    };
    let mut matched = Vec::new();
    for i in pool {
        let u = &t.users[i];
        let keep = match &filter {
            None => true,
            Some(f) => match eval(f, u) {
                Ok(b) => b,
                Err(e) => return err(400, "BadRequest", &format!("Invalid filter clause: {e}")),
            },
        };
        if keep && search.as_ref().is_none_or(|s| s.matches(u)) {
            matched.push(i);
        }
    }
    let start = q("$skiptoken")
        .and_then(|t| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0)
        .min(matched.len());
    let end = (start + top).min(matched.len());
    let value: Vec<Value> = matched[start..end]
        .iter()
        .map(|&i| user_json(&t.users[i], select))
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        format!(
            "{origin}/graph/v1.0/$metadata#users{}",
            select.map(|s| format!("({s})")).unwrap_or_default()
        )
        .into(),
    );
    if count {
        body.insert("@odata.count".into(), matched.len().into());
    }
    body.insert("value".into(), Value::Array(value));
    let mut body = Value::Object(body);
    if end < matched.len() {
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
        body["@odata.nextLink"] = url.to_string().into();
    }
    ok(200, body)
}

fn invite(sh: &Shared, claims: &jwt::Claims, body: Option<Value>, origin: &str) -> Out {
    let mut world = sh.world_mut();
    if let Some(address) = body
        .as_ref()
        .and_then(|b| b.get("invitedUserEmailAddress"))
        .and_then(Value::as_str)
    {
        *world
            .invitation_attempts
            .entry(address.trim().to_lowercase())
            .or_default() += 1;
    }
    let Some(tenant) = world.tenant(&claims.tid) else {
        return err(
            401,
            "InvalidAuthenticationToken",
            "The token's tenant does not exist.",
        );
    };
    let is_member = tenant
        .user_by_id(&claims.oid)
        .is_some_and(|u| u.user_type == "Member");
    if !is_member {
        return err(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let body = body.unwrap_or(Value::Null);
    let email = body
        .get("invitedUserEmailAddress")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let redirect = body
        .get("inviteRedirectUrl")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if email.is_empty() || redirect.is_empty() {
        return err(
            400,
            "BadRequest",
            "The invitation needs invitedUserEmailAddress and inviteRedirectUrl.",
        );
    }
    let Some((local, domain)) = email
        .split_once('@')
        .filter(|(l, d)| !l.is_empty() && d.contains('.'))
    else {
        return err(
            400,
            "BadRequest",
            &format!("The email address '{email}' is not valid."),
        );
    };
    let display = body
        .get("invitedUserDisplayName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| local.to_string());
    let send = body
        .get("sendInvitationMessage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let tid = tenant.id.clone();
    let initial = tenant.initial_domain.clone();
    let existing = tenant
        .users
        .iter()
        .find(|u| {
            u.msa
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(&email))
                || u.upn.eq_ignore_ascii_case(&email)
        })
        .map(|u| u.id.clone());
    *world.invitations.entry(email.to_lowercase()).or_default() += 1;
    let user_id = match existing {
        Some(id) => id,
        None => {
            let upn = format!(
                "{}_{}#EXT#@{}",
                local.to_lowercase(),
                domain.to_lowercase(),
                initial
            );
            let id = super::ids::guid(&["guest", &tid, &email.to_lowercase()]);
            let t = world.tenant_mut(&tid).expect("tenant exists");
            t.add_user(TenantUser {
                id: id.clone(),
                upn,
                display_name: display.clone(),
                mail: Some(email.clone()),
                other_mails: vec![email.clone()],
                proxy_addresses: vec![format!("SMTP:{email}")],
                user_type: "Guest".into(),
                enabled: true,
                msa: Some(email.clone()),
                names: None,
                licenses: vec![],
            });
            id
        }
    };
    ok(
        201,
        json!({
            "@odata.context": format!("{origin}/graph/v1.0/$metadata#invitations/$entity"),
            "id": uuid::Uuid::new_v4().to_string(),
            "inviteRedeemUrl": format!("{origin}/login/redeem?rd=emulator&tenant={tid}&user={user_id}"),
            "invitedUserDisplayName": display,
            "invitedUserEmailAddress": email,
            "invitedUserType": "Guest",
            "resetRedemption": false,
            "sendInvitationMessage": send,
            "inviteRedirectUrl": redirect,
            "status": "PendingAcceptance",
            "invitedUserMessageInfo": {"messageLanguage": null, "ccRecipients": [], "customizedMessageBody": null},
            "invitedUser": {"id": user_id}
        }),
    )
}

/// A `$batch` item's URL as a path under `/v1.0/`: relative (`/users?x`,
/// `users?x`, `/v1.0/users`), or absolute on Graph's host or the
/// emulator's (`https://graph.microsoft.com/v1.0/users`,
/// `{base}/graph/v1.0/users`), as the Graph SDKs send them.
fn batch_item_url(url: &str) -> Option<String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        let parsed = url::Url::parse(url).ok()?;
        let (_, rest) = parsed.path().split_once("/v1.0/")?;
        return Some(match parsed.query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest.to_string(),
        });
    }
    let relative = url.trim_start_matches('/');
    Some(
        relative
            .strip_prefix("v1.0/")
            .unwrap_or(relative)
            .to_string(),
    )
}

fn batch(sh: &Shared, req: &Req, body: Option<Value>) -> Out {
    // The batch itself needs a valid token, as Graph's does.
    if let Err(o) = caller(sh, req.header("authorization")) {
        return challenged(o, &req.origin);
    }
    let Some(requests) = body
        .as_ref()
        .and_then(|b| b.get("requests"))
        .and_then(Value::as_array)
    else {
        return err(
            400,
            "BadRequest",
            "Invalid batch payload format: expected {\"requests\": [...]}.",
        );
    };
    if requests.len() > 20 {
        return err(
            400,
            "BadRequest",
            "Number of batch requests exceeds the limit of 20.",
        );
    }
    let mut responses = Vec::with_capacity(requests.len());
    for item in requests {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let method = item
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let url = batch_item_url(item.get("url").and_then(Value::as_str).unwrap_or(""));
        let parsed = url
            .as_deref()
            .map(|u| url::Url::parse(&format!("http://batch/{u}")));
        let Some(Ok(parsed)) = parsed else {
            responses.push(json!({"id": id, "status": 400, "body": graph_error_value("BadRequest", "Invalid request URL.")}));
            continue;
        };
        let path: Vec<String> = parsed
            .path_segments()
            .map(|s| s.map(super::percent_decode).collect())
            .unwrap_or_default();
        let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        // Per-item throttling, as Graph does.
        let action = {
            let mut f = sh.faults.lock().expect("faults");
            let relative = url.as_deref().unwrap_or("");
            faults::decide(&mut f, "graph", &method, &format!("/graph/v1.0/{relative}")).1
        };
        let out = match action {
            Some(Action::Throttle { retry_after }) => Out {
                status: 429,
                body: graph_error_value("TooManyRequests", "Too many requests."),
                headers: vec![("Retry-After", retry_after.to_string())],
            },
            Some(Action::Unavailable) => Out {
                status: 503,
                body: graph_error_value("ServiceUnavailable", "Service unavailable."),
                headers: vec![("Retry-After", "1".into())],
            },
            _ => route(
                sh,
                req.header("authorization"),
                item.get("headers")
                    .and_then(Value::as_object)
                    .and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("consistencylevel"))
                    })
                    .and_then(|(_, v)| v.as_str())
                    .is_some_and(|v| v.eq_ignore_ascii_case("eventual")),
                &method,
                &path,
                &query,
                item.get("body").cloned(),
                &req.origin,
            ),
        };
        let mut headers = serde_json::Map::new();
        headers.insert("Cache-Control".into(), "no-cache".into());
        headers.insert("OData-Version".into(), "4.0".into());
        headers.insert("Content-Type".into(), "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8".into());
        headers.insert("x-ms-resource-unit".into(), "1".into());
        for (k, v) in &out.headers {
            headers.insert((*k).to_string(), v.clone().into());
        }
        let mut item = serde_json::Map::new();
        item.insert("id".into(), id.into());
        item.insert("status".into(), out.status.into());
        item.insert("headers".into(), Value::Object(headers));
        item.insert("body".into(), out.body);
        responses.push(Value::Object(item));
    }
    let mut envelope = serde_json::Map::new();
    envelope.insert("responses".into(), Value::Array(responses));
    ok(200, Value::Object(envelope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_the_shapes_clients_send() {
        let f = parse_filter("mail eq 'a@b.com' or userPrincipalName eq 'a@b.com' or otherMails/any(c:c eq 'a@b.com') or proxyAddresses/any(x:x eq 'smtp:a@b.com')").unwrap();
        assert!(matches!(f, Node::Or(ref v) if v.len() == 4));
        assert!(parse_filter("startswith(displayName,'Ann')").is_ok());
        assert!(parse_filter("userType eq 'Guest' and accountEnabled eq true").is_ok());
        assert_eq!(
            parse_filter("mail eq 'o''brien@x.com'").unwrap(),
            Node::Eq("mail".into(), Value::String("o'brien@x.com".into()))
        );
        for bad in [
            "mail ne 'x'",
            "mail eq",
            "(mail eq 'x'",
            "otherMails/any(c:d eq 'x')",
            "mail eq 'x' garbage",
            "'unterminated",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
        let deep = format!("{}mail eq 'x'{}", "(".repeat(100), ")".repeat(100));
        assert!(
            parse_filter(&deep).is_err(),
            "deep nesting is refused, not a stack overflow"
        );
    }
}
