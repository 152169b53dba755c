//! Requests and responses as the emulated services shape them.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

/// A request, pre-parsed for the hand-written routers.
#[derive(Debug)]
pub struct Req {
    pub method: Method,
    /// Path segments after the host prefix, percent-decoded.
    pub segs: Vec<String>,
    /// The same, lower-cased (Azure DevOps routes are case-insensitive).
    pub lsegs: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The emulator's base URL as the client addressed it, e.g.
    /// `http://127.0.0.1:PORT`, or `https://emulator.example` behind a proxy
    /// that says so (see [`origin`]). Every absolute URL an answer carries
    /// starts with it.
    pub origin: String,
}

impl Req {
    /// A query parameter, matched case-insensitively (`$top`, `api-version`).
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Option<Value> {
        let b: &[u8] = &self.body;
        let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        serde_json::from_slice(b).ok()
    }
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
    pub fn form_value(form: &[(String, String)], name: &str) -> Option<String> {
        form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
    pub fn lpath(&self) -> Vec<&str> {
        self.lsegs.iter().map(String::as_str).collect()
    }
}

/// The base URL a client used to reach us: scheme and host from the first
/// `Forwarded` element (`proto=`, `host=`, RFC 7239), else
/// `X-Forwarded-Proto` / `X-Forwarded-Host` (first value), else `scheme` (the
/// listener's) and `Host`. Values that are not a plain scheme or host are
/// ignored, so a header cannot inject text into the URLs built from it.
pub fn origin(headers: &HeaderMap, scheme: &str) -> String {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let forwarded = |key: &str| {
        first("forwarded").and_then(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(key)
                    .then(|| v.trim().trim_matches('"').to_string())
            })
        })
    };
    let proto = forwarded("proto")
        .or_else(|| first("x-forwarded-proto"))
        .map(|p| p.to_ascii_lowercase())
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| scheme.to_string());
    let plain_host = |h: &String| {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
    };
    let host = forwarded("host")
        .filter(plain_host)
        .or_else(|| first("x-forwarded-host").filter(plain_host))
        .or_else(|| first("host").filter(plain_host))
        .unwrap_or_else(|| "127.0.0.1".into());
    format!("{proto}://{host}")
}

pub fn json(status: u16, v: &Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec(v).expect("json")));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub fn with_header(mut r: Response, name: &'static str, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

pub fn text(status: u16, content_type: &'static str, body: String) -> Response {
    bytes(status, content_type, body.into_bytes())
}

/// [`text`] from bytes already known to be what `content_type` says.
pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub fn empty(status: u16) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r
}

/// Azure DevOps error body.
pub fn ado_error(status: u16, type_key: &str, message: &str) -> Response {
    let type_name = format!(
        "Microsoft.VisualStudio.Services.WebApi.{type_key}, Microsoft.VisualStudio.Services.WebApi"
    );
    let r = json(
        status,
        &json!({
            "$id": "1",
            "innerException": null,
            "message": message,
            "typeName": type_name,
            "typeKey": type_key,
            "errorCode": 0,
            "eventId": 3000
        }),
    );
    with_header(r, "x-vss-e2eid", &uuid::Uuid::new_v4().to_string())
}

/// Microsoft Graph error body.
pub fn graph_error(status: u16, code: &str, message: &str) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let r = json(
        status,
        &json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": id,
                    "client-request-id": id
                }
            }
        }),
    );
    with_header(r, "request-id", &id)
}

/// The body Graph uses for one `$batch` item's error.
pub fn graph_error_value(code: &str, message: &str) -> Value {
    let id = uuid::Uuid::new_v4().to_string();
    json!({"error": {"code": code, "message": message, "innerError": {
        "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "request-id": id, "client-request-id": id}}})
}

/// OAuth 2 error body as Entra sends it (400 unless told otherwise).
pub fn oauth_error(error: &str, aadsts: &str, description: &str) -> Response {
    let code: u64 = aadsts.trim_start_matches("AADSTS").parse().unwrap_or(0);
    json(
        400,
        &json!({
            "error": error,
            "error_description": format!("{aadsts}: {description}"),
            "error_codes": [code],
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
            "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string()
        }),
    )
}

/// The interactive sign-in page Azure DevOps serves (with 203) to requests it
/// cannot authenticate when they do not ask for a plain 401.
pub fn sign_in_page() -> Response {
    text(
        203,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>\
         <body><p>Sign in to continue to Azure DevOps.</p></body></html>"
            .to_string(),
    )
}

/// One of the emulator's own pages (claim ownership, the back door, an
/// invitation): a title and an HTML body.
pub fn page(status: u16, title: &str, body: String) -> Response {
    text(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html><html><head><title>{0} (ado-entra emulator)</title></head><body><h1>{0}</h1>{body}</body></html>",
            esc(title)
        ),
    )
}

/// Minimal HTML escaping for the emulator's pages.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Compare two strings without case, as the services' string filters and
/// orderings do; ASCII (the usual case) without decoding characters.
pub fn cmp_caseless(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn origin_follows_the_proxy_headers() {
        let host = [("host", "127.0.0.1:8080")];
        assert_eq!(origin(&headers(&host), "http"), "http://127.0.0.1:8080");
        assert_eq!(origin(&headers(&host), "https"), "https://127.0.0.1:8080");
        assert_eq!(
            origin(
                &headers(&[("host", "127.0.0.1:8080"), ("x-forwarded-proto", "https")]),
                "http"
            ),
            "https://127.0.0.1:8080"
        );
        assert_eq!(
            origin(
                &headers(&[
                    ("host", "127.0.0.1:8080"),
                    ("x-forwarded-proto", "HTTPS, http"),
                    ("x-forwarded-host", "emu.example"),
                ]),
                "http"
            ),
            "https://emu.example"
        );
        // Forwarded wins, first element only, quotes allowed.
        assert_eq!(
            origin(
                &headers(&[
                    ("host", "127.0.0.1:8080"),
                    ("x-forwarded-proto", "http"),
                    (
                        "forwarded",
                        "for=1.2.3.4;proto=https;host=\"proxy.example:8443\", proto=http"
                    ),
                ]),
                "http"
            ),
            "https://proxy.example:8443"
        );
        // Nonsense is ignored rather than pasted into URLs.
        assert_eq!(
            origin(
                &headers(&[
                    ("host", "127.0.0.1:1"),
                    ("x-forwarded-proto", "javascript"),
                    ("x-forwarded-host", "evil.example/path?x=<"),
                ]),
                "http"
            ),
            "http://127.0.0.1:1"
        );
    }
}
