//! Graph's `$batch`: at most 20 requests, each routed as a request of its
//! own, with per-item throttling under faults.

use serde_json::{Value, json};

use super::super::faults::{self, Action};
use super::super::wire::{Req, graph_error_value};
use super::*;

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

pub(super) fn batch(sh: &Shared, req: &Req, body: Option<Value>) -> Out {
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
            responses.push(
                json!({"id": id, "status": 400, "body": graph_error_value("BadRequest", "Invalid request URL.")})
                    .to_string(),
            );
            continue;
        };
        let path: Vec<String> = parsed
            .path_segments()
            .map(|s| s.map(crate::emulator::percent_decode).collect())
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
                raw: None,
                headers: vec![("Retry-After", retry_after.to_string())],
            },
            Some(Action::Unavailable) => Out {
                status: 503,
                body: graph_error_value("ServiceUnavailable", "Service unavailable."),
                raw: None,
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
        // Written as text around the item's body (a page of users is
        // already text).
        responses.push(format!(
            r#"{{"id":{},"status":{},"headers":{},"body":{}}}"#,
            serde_json::to_string(&id).expect("json"),
            out.status,
            Value::Object(headers),
            out.body_text()
        ));
    }
    Out {
        status: 200,
        body: Value::Null,
        raw: Some(format!(r#"{{"responses":[{}]}}"#, responses.join(","))),
        headers: vec![],
    }
}
