//! Injected misbehaviour, from `--fault SPEC` or `POST /_emulator/faults`.
//!
//! Grammar: `KIND[:key=value[,key=value]...]`, where KIND is one of
//! - `429` (`every=N` default 3, `retry-after=S` default 1): every Nth request is throttled;
//! - `503` (`burst=N` default 2, `every=M` default N+1): the first N of every M requests fail;
//! - `malformed` (`every=N` default 1): a 200 with a truncated JSON body;
//! - `drop` (`every=N` default 5): the connection is cut mid-response;
//!
//! `malformed` and `drop` take `after=1`: the request is carried out first and
//! only its answer is lost (a change lands, the caller cannot know);
//! - `hostile` (`shape=deep|huge|types` default `types`, `every=N` default 1):
//!   a 200 whose JSON is nested 100,000 deep, carries an 8 MiB string, or has
//!   every field of the wrong type;
//! - `stall` (`ms=M` default 5000, `every=N` default 1): the response waits M ms;
//! - `latency` (`ms=M`): every response waits M ms.
//!
//! Every kind also takes `host=PREFIX` (dev, vssps, vsaex, app-vssps, aex, graph,
//! login) to limit it to one emulated host, `path=TEXT` to requests whose
//! path or query contains TEXT, and `method=VERB` (GET, PATCH, POST…) to one method.
//! Control endpoints (`/_emulator`) are never faulted.

use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;

use super::wire;

/// The answer a fault gives instead of the handler's, if it gives one.
pub fn answer(action: &Action, host: &str) -> Option<Response> {
    let graph = host == "graph";
    Some(match action {
        Action::Throttle { retry_after } => {
            let r = if graph {
                wire::graph_error(
                    429,
                    "TooManyRequests",
                    "Too many requests; retry after the delay in Retry-After.",
                )
            } else {
                wire::ado_error(
                    429,
                    "RequestThrottledException",
                    "TF400733: The request was throttled. Retry after the delay in Retry-After.",
                )
            };
            let r = wire::with_header(r, "retry-after", &retry_after.to_string());
            wire::with_header(r, "x-ratelimit-resource", super::ratelimit::RESOURCE)
        }
        Action::Unavailable => {
            let r = if graph {
                wire::graph_error(
                    503,
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                )
            } else {
                wire::ado_error(
                    503,
                    "ServiceUnavailableException",
                    "The service is temporarily unavailable. Try again later.",
                )
            };
            wire::with_header(r, "retry-after", "1")
        }
        Action::Malformed => malformed(),
        Action::Drop => dropped(),
        Action::Hostile(shape) => hostile(*shape),
        Action::After(_) | Action::Delay(_) => return None,
    })
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Throttle {
        retry_after: u64,
    },
    Unavailable,
    Malformed,
    Drop,
    /// A 200 with hostile JSON of this shape.
    Hostile(Shape),
    /// Handle the request, then lose the answer this way (`Malformed` or `Drop`).
    After(Box<Action>),
    Delay(Duration),
}

/// Shapes of hostile JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Arrays nested 100,000 deep.
    Deep,
    /// An 8 MiB string where a name belongs.
    Huge,
    /// Objects where arrays belong, numbers where strings belong.
    Types,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Hostile { every: u64, shape: Shape },
    TooMany { every: u64, retry_after: u64 },
    Unavailable { burst: u64, every: u64 },
    Malformed { every: u64 },
    Drop { every: u64 },
    Stall { ms: u64, every: u64 },
    Latency { ms: u64 },
}

/// One parsed fault with its own request counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: Kind,
    host: Option<String>,
    path: Option<String>,
    method: Option<String>,
    after: bool,
    seen: u64,
    pub spec: String,
}

impl Fault {
    pub fn parse(spec: &str) -> Result<Fault, String> {
        let spec = spec.trim();
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let mut params: Vec<(String, String)> = Vec::new();
        for part in rest.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("fault '{spec}': '{part}' is not key=value"))?;
            params.push((k.trim().to_lowercase(), v.trim().to_string()));
        }
        let num = |name: &str, default: u64| -> Result<u64, String> {
            match params.iter().find(|(k, _)| k == name) {
                None => Ok(default),
                Some((_, v)) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0 || name == "ms" || name == "retry-after")
                    .ok_or_else(|| {
                        format!("fault '{spec}': {name} must be a positive whole number, not '{v}'")
                    }),
            }
        };
        let kind = match kind.trim().to_lowercase().as_str() {
            "429" => Kind::TooMany {
                every: num("every", 3)?,
                retry_after: num("retry-after", 1)?,
            },
            "503" => {
                let burst = num("burst", 2)?;
                Kind::Unavailable {
                    burst,
                    every: num("every", burst + 1)?.max(burst + 1),
                }
            }
            "malformed" => Kind::Malformed {
                every: num("every", 1)?,
            },
            "drop" => Kind::Drop {
                every: num("every", 5)?,
            },
            "stall" => Kind::Stall {
                ms: num("ms", 5000)?,
                every: num("every", 1)?,
            },
            "latency" => Kind::Latency { ms: num("ms", 50)? },
            "hostile" => Kind::Hostile {
                every: num("every", 1)?,
                shape: match params
                    .iter()
                    .find(|(k, _)| k == "shape")
                    .map(|(_, v)| v.as_str())
                {
                    None | Some("types") => Shape::Types,
                    Some("deep") => Shape::Deep,
                    Some("huge") => Shape::Huge,
                    Some(v) => {
                        return Err(format!(
                            "fault '{spec}': shape must be deep, huge or types, not '{v}'"
                        ));
                    }
                },
            },
            other => {
                return Err(format!(
                    "fault '{spec}': unknown kind '{other}'; use 429, 503, malformed, drop, hostile, stall or latency"
                ));
            }
        };
        let known = [
            "every",
            "retry-after",
            "burst",
            "ms",
            "host",
            "path",
            "method",
            "after",
            "shape",
        ];
        if let Some((k, _)) = params.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return Err(format!("fault '{spec}': unknown key '{k}'"));
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let losable = matches!(kind, Kind::Malformed { .. } | Kind::Drop { .. });
        Ok(Fault {
            kind,
            host: get("host").map(|h| h.to_lowercase()),
            path: get("path"),
            method: get("method").map(|m| m.to_ascii_uppercase()),
            after: match get("after").as_deref() {
                None | Some("0") | Some("false") => false,
                Some("1") | Some("true") => {
                    if !losable {
                        return Err(format!(
                            "fault '{spec}': after=1 applies to malformed and drop only"
                        ));
                    }
                    true
                }
                Some(v) => return Err(format!("fault '{spec}': after must be 1 or 0, not '{v}'")),
            },
            seen: 0,
            spec: spec.to_string(),
        })
    }

    fn lost(&self, a: Action) -> Action {
        if self.after {
            Action::After(Box::new(a))
        } else {
            a
        }
    }

    /// Count a request and say what to do to it, if anything.
    pub fn apply(&mut self, host: &str, method: &str, path: &str) -> Option<Action> {
        if self.host.as_deref().is_some_and(|h| h != host) {
            return None;
        }
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return None;
        }
        if self.path.as_deref().is_some_and(|p| !path.contains(p)) {
            return None;
        }
        self.seen += 1;
        let n = self.seen;
        match self.kind {
            Kind::TooMany { every, retry_after } => n
                .is_multiple_of(every)
                .then_some(Action::Throttle { retry_after }),
            Kind::Unavailable { burst, every } => {
                ((n - 1) % every < burst).then_some(Action::Unavailable)
            }
            Kind::Malformed { every } => n
                .is_multiple_of(every)
                .then(|| self.lost(Action::Malformed)),
            Kind::Drop { every } => n.is_multiple_of(every).then(|| self.lost(Action::Drop)),
            Kind::Hostile { every, shape } => {
                n.is_multiple_of(every).then_some(Action::Hostile(shape))
            }
            Kind::Stall { ms, every } => n
                .is_multiple_of(every)
                .then_some(Action::Delay(Duration::from_millis(ms))),
            Kind::Latency { ms } => Some(Action::Delay(Duration::from_millis(ms))),
        }
    }
}

/// All active faults; delays accumulate, the first failure wins.
pub fn decide(
    faults: &mut [Fault],
    host: &str,
    method: &str,
    path: &str,
) -> (Duration, Option<Action>) {
    let mut delay = Duration::ZERO;
    let mut failure = None;
    for f in faults.iter_mut() {
        match f.apply(host, method, path) {
            Some(Action::Delay(d)) => delay += d,
            Some(a) if failure.is_none() => failure = Some(a),
            _ => {}
        }
    }
    (delay, failure)
}

/// A 200 whose JSON is hostile in `shape`.
pub fn hostile(shape: Shape) -> Response {
    let body = match shape {
        Shape::Deep => {
            let depth = 100_000;
            format!("{{\"value\":{}{}}}", "[".repeat(depth), "]".repeat(depth))
        }
        Shape::Huge => format!(
            "{{\"value\":[{{\"id\":\"x\",\"displayName\":\"{}\"}}],\"count\":1}}",
            "A".repeat(8 * 1024 * 1024)
        ),
        Shape::Types => "{\"value\":{\"id\":5},\"count\":\"many\",\"members\":7,\"continuationToken\":[1],\"@odata.nextLink\":false,\"tenantId\":{}}".to_string(),
    };
    wire::text(200, "application/json; charset=utf-8", body)
}

/// A 200 whose JSON body is cut short.
pub fn malformed() -> Response {
    wire::text(
        200,
        "application/json; charset=utf-8",
        "{\"value\": [{\"id\": \"trunc".into(),
    )
}

/// A response whose connection is cut before the body.
pub fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_and_errors() {
        assert!(Fault::parse("429:every=2,retry-after=3").is_ok());
        assert!(Fault::parse("503:burst=3,host=graph").is_ok());
        assert!(Fault::parse("teapot").unwrap_err().contains("unknown kind"));
        assert!(
            Fault::parse("429:every=0")
                .unwrap_err()
                .contains("positive")
        );
        assert!(Fault::parse("429:every").unwrap_err().contains("key=value"));
        assert!(
            Fault::parse("429:colour=red")
                .unwrap_err()
                .contains("unknown key")
        );
        let mut f = Fault::parse("drop:every=1,after=1").unwrap();
        assert_eq!(
            f.apply("dev", "GET", "/x"),
            Some(Action::After(Box::new(Action::Drop)))
        );
        assert!(
            Fault::parse("429:after=1")
                .unwrap_err()
                .contains("malformed and drop only")
        );
        assert!(Fault::parse("drop:after=yes").is_err());
    }

    #[test]
    fn schedules() {
        let mut f = Fault::parse("429:every=3").unwrap();
        let hits: Vec<bool> = (0..6)
            .map(|_| f.apply("dev", "GET", "/x").is_some())
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true]);
        let mut f = Fault::parse("503:burst=2").unwrap();
        let hits: Vec<bool> = (0..6)
            .map(|_| f.apply("dev", "GET", "/x").is_some())
            .collect();
        assert_eq!(hits, [true, true, false, true, true, false]);
        let mut f = Fault::parse("drop:every=1,host=graph").unwrap();
        assert_eq!(f.apply("dev", "GET", "/x"), None);
        assert_eq!(f.apply("graph", "GET", "/x"), Some(Action::Drop));
    }
}
