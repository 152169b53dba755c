//! The one error type of the client layer.
//!
//! HTTP failures keep the status, the service's error code (ADO `typeKey` and
//! TF/VS code, or Graph `error.code`) and the request id. Errors are data:
//! what to do about one is the application layer's advice
//! (`domain::advice`), not part of the message. The body parser never panics
//! and keeps only bounded, truncated strings.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Longest message kept from an error body (characters).
pub const MAX_MESSAGE: usize = 512;
/// Longest code / type key / request id kept.
const MAX_FIELD: usize = 128;
/// Bodies larger than this are not parsed at all.
const MAX_PARSE: usize = 256 * 1024;

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    AzureDevOps,
    Graph,
    Login,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::AzureDevOps => "Azure DevOps",
            Service::Graph => "Microsoft Graph",
            Service::Login => "Entra sign-in",
        })
    }
}

/// A non-success HTTP answer, with what is known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub service: Service,
    /// HTTP status (203 when ADO answered with its HTML sign-in page).
    pub status: u16,
    /// Method and URL without query string.
    pub request: String,
    /// ADO `typeKey` (e.g. `UnauthorizedRequestException`).
    pub type_key: Option<String>,
    /// TF/VS code parsed from the message (`TF400813`), or Graph `error.code`.
    pub code: Option<String>,
    /// Service message, truncated to [`MAX_MESSAGE`].
    pub message: Option<String>,
    /// `x-vss-e2eid` / `activityid` / Graph `request-id`.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered {} to {}",
            self.service, self.status, self.request
        )?;
        if let Some(c) = &self.code {
            write!(f, " [{c}]")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        Ok(())
    }
}

/// Every failure the client layer reports.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// ADO answered 2xx with something that is not JSON (its HTML sign-in page).
    #[error(
        "{service} did not accept the credentials for {request} (it answered {status} with a sign-in page)"
    )]
    SignInPage {
        service: Service,
        status: u16,
        request: String,
    },
    /// Connection, TLS or timeout failure after all retries.
    #[error("cannot reach {host}: {message}")]
    Transport { host: String, message: String },
    /// A 2xx body that does not have the expected shape.
    #[error("unexpected response from {request}: {message}")]
    Decode { request: String, message: String },
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The emulator URL is set but empty (never read as "use Azure").
    #[error(
        "the emulator URL (--emulator-url or ADO_ENTRA_EMULATOR_URL) is set but empty; refusing to fall back to real Azure"
    )]
    EmptyEmulatorUrl,
    #[error(
        "refusing plain http:// for {url}: only loopback hosts (127.0.0.1, ::1, localhost) may use http; use https"
    )]
    InsecureUrl { url: String },
    /// The organization does not exist (tenant probe 404).
    #[error("the Azure DevOps organization `{org}` does not exist")]
    NoSuchOrganization { org: String },
    /// A sign-in problem (device code, browser, cache, Azure CLI...).
    #[error(transparent)]
    Auth(#[from] crate::client::auth::AuthError),
    /// A PAT was used for a call that needs Microsoft Graph.
    #[error("a personal access token cannot call Microsoft Graph ({what})")]
    PatCannotReachGraph { what: String },
    /// A PAT was used for a call that only accepts Entra tokens.
    #[error("a personal access token cannot call {what}; it accepts Entra tokens only")]
    PatNotAccepted { what: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    /// HTTP status when the failure came from an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api(e) => Some(e.status),
            ClientError::SignInPage { status, .. } => Some(*status),
            _ => None,
        }
    }
    /// TF/VS code or Graph error code.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }
    /// The service's request id, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ClientError::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }
    /// True when signing in again might help.
    pub fn is_auth(&self) -> bool {
        matches!(self, ClientError::SignInPage { .. })
            || matches!(self, ClientError::Api(e) if e.status == 401)
    }
}

/// Cut `s` to at most `max` characters (on a char boundary), marking the cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// Strip a leading UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Find the first `TF123456` / `VS123456` style code in a message.
pub fn find_tf_code(message: &str) -> Option<String> {
    let b = message.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        let prefix = &b[i..i + 2];
        let starts_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if starts_word && (prefix == b"TF" || prefix == b"VS") {
            let digits = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = b.get(i + 2 + digits);
            if (4..=7).contains(&digits) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                return Some(message[i..i + 2 + digits].to_string());
            }
        }
        i += 1;
    }
    None
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| truncate(v.trim(), MAX_FIELD))
        .filter(|v| !v.is_empty())
}

fn str_field(v: &serde_json::Value, key: &str, max: usize) -> Option<String> {
    v.get(key)
        .and_then(|x| x.as_str())
        .map(|s| truncate(s.trim(), max))
        .filter(|s| !s.is_empty())
}

/// Build an [`ApiError`] from a failed response's parts. Never panics.
pub fn api_error(
    service: Service,
    status: StatusCode,
    request: String,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let mut err = ApiError {
        service,
        status: status.as_u16(),
        request,
        type_key: None,
        code: None,
        message: None,
        request_id: header(headers, "x-vss-e2eid")
            .or_else(|| header(headers, "activityid"))
            .or_else(|| header(headers, "request-id"))
            .or_else(|| header(headers, "client-request-id")),
    };
    let body = strip_bom(body);
    // serde_json bounds recursion depth itself (128), so deep nesting is an Err, not a crash.
    if body.len() <= MAX_PARSE
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(body)
    {
        if let Some(g) = v.get("error").filter(|g| g.is_object()) {
            // Microsoft Graph / Entra shape: {"error":{"code","message","innerError":{"request-id"}}}
            err.code = str_field(g, "code", MAX_FIELD);
            err.message = str_field(g, "message", MAX_MESSAGE);
            if let Some(inner) = g.get("innerError").or_else(|| g.get("innererror")) {
                err.request_id = err
                    .request_id
                    .or_else(|| str_field(inner, "request-id", MAX_FIELD));
            }
        } else if let Some(code) = v.get("error").and_then(|e| e.as_str()) {
            // OAuth shape: {"error":"invalid_grant","error_description":"..."}
            err.code = Some(truncate(code, MAX_FIELD));
            err.message = str_field(&v, "error_description", MAX_MESSAGE);
        } else {
            // Azure DevOps shape: {"$id","message","typeKey","errorCode","eventId"}
            err.message = str_field(&v, "message", MAX_MESSAGE)
                .or_else(|| str_field(&v, "Message", MAX_MESSAGE));
            err.type_key = str_field(&v, "typeKey", MAX_FIELD);
        }
    }
    if err.code.is_none() {
        let from_header = header(headers, "x-tfs-serviceerror").map(|h| {
            url::form_urlencoded::parse(format!("x={h}").as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default()
        });
        err.code = err
            .message
            .as_deref()
            .and_then(find_tf_code)
            .or_else(|| from_header.as_deref().and_then(find_tf_code));
        if err.message.is_none() {
            err.message = from_header.map(|m| truncate(&m, MAX_MESSAGE));
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &[u8]) -> ApiError {
        api_error(
            Service::AzureDevOps,
            StatusCode::from_u16(status).unwrap(),
            "GET https://dev.azure.com/o".into(),
            &HeaderMap::new(),
            body,
        )
    }

    #[test]
    fn ado_error_with_bom_and_tf_code() {
        let body = "\u{feff}{\"$id\":\"1\",\"message\":\"TF400813: The user 'x' is not authorized.\",\"typeKey\":\"UnauthorizedRequestException\",\"errorCode\":0}";
        let e = parse(401, body.as_bytes());
        assert_eq!(e.code.as_deref(), Some("TF400813"));
        assert_eq!(e.type_key.as_deref(), Some("UnauthorizedRequestException"));
    }

    #[test]
    fn graph_error_shape() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innerError":{"request-id":"r-1"}}}"#;
        let e = api_error(
            Service::Graph,
            StatusCode::FORBIDDEN,
            "GET x".into(),
            &HeaderMap::new(),
            body,
        );
        assert_eq!(e.code.as_deref(), Some("Authorization_RequestDenied"));
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
    }

    #[test]
    fn request_id_from_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-vss-e2eid", "abc".parse().unwrap());
        h.insert(
            "x-tfs-serviceerror",
            "TF24668%3A%20stopped".parse().unwrap(),
        );
        let e = api_error(
            Service::AzureDevOps,
            StatusCode::SERVICE_UNAVAILABLE,
            "GET x".into(),
            &h,
            b"",
        );
        assert_eq!(e.request_id.as_deref(), Some("abc"));
        assert_eq!(e.code.as_deref(), Some("TF24668"));
        assert_eq!(e.message.as_deref(), Some("TF24668: stopped"));
    }

    #[test]
    fn hostile_bodies_do_not_panic_and_are_capped() {
        let huge = format!("{{\"message\":\"{}\"}}", "é".repeat(100_000));
        let e = parse(500, huge.as_bytes());
        assert!(e.message.unwrap().chars().count() <= MAX_MESSAGE + 1);
        let deep = "[".repeat(100_000);
        parse(500, deep.as_bytes());
        let deep_obj = "{\"error\":".repeat(10_000);
        parse(500, deep_obj.as_bytes());
        for b in [
            &br#"{"message":42,"typeKey":["x"]}"#[..],
            br#"{"error":{"code":{"a":1},"message":null,"innerError":7}}"#,
            br#"{"error":12}"#,
            b"\xff\xfe\x00garbage",
            b"",
            b"null",
            b"\"TF400813\"",
        ] {
            let e = parse(400, b);
            assert_eq!(e.status, 400);
        }
    }

    #[test]
    fn tf_codes_found_only_as_words() {
        assert_eq!(find_tf_code("x VS800075: y").as_deref(), Some("VS800075"));
        assert_eq!(find_tf_code("ATF400813"), None);
        assert_eq!(find_tf_code("TF12"), None);
        assert_eq!(find_tf_code("TF401444"), Some("TF401444".into()));
        assert_eq!(find_tf_code("é TF"), None);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
