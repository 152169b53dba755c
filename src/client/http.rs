//! The one HTTP pipeline shared by the Azure DevOps and Graph clients:
//! retry policy (429/503 honour `Retry-After`, exponential backoff with jitter
//! for transient failures), per-request timeout, bounded concurrency, events
//! for the UI, and mapping of failures to [`ClientError`].

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;
use url::Url;

use super::auth::{Credential, Resource, TokenProvider};
use super::error::{ClientError, Service, api_error, strip_bom, truncate};

/// Largest response body read into memory.
pub const MAX_BODY: usize = 64 << 20;

/// Something the UI may want to show while a call is in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// The service asked us to wait (`429`/`503` with or without `Retry-After`).
    RetryAfter {
        host: String,
        status: u16,
        wait: Duration,
        attempt: u32,
    },
    /// A transient failure (connect error, timeout, 500/502/504) will be retried.
    Retrying {
        host: String,
        reason: String,
        wait: Duration,
        attempt: u32,
    },
    /// The access token for a resource was refreshed.
    TokenRefreshed { resource: Resource },
    /// The service's rate-limit headers changed how fast requests go
    /// (`remaining` of `limit` TSTUs, when it said).
    Pacing {
        host: String,
        pace: super::pace::Pace,
        resource: Option<String>,
        remaining: Option<f64>,
        limit: Option<f64>,
    },
}

/// Retry, timeout and concurrency settings.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts per request, including the first (at least 1).
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt, with up to 50 % jitter.
    pub base_delay: Duration,
    /// Cap for backoff delays.
    pub max_delay: Duration,
    /// Cap for a server-requested `Retry-After` wait.
    pub max_retry_after: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
    /// Requests in flight at once across the client.
    pub concurrency: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(60),
            concurrency: 8,
        }
    }
}

impl RetryPolicy {
    /// Small delays for tests.
    pub fn fast() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            concurrency: 8,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let jitter = 0.5 + rand::random::<f64>() / 2.0;
        capped.mul_f64(jitter)
    }
}

/// Parse `Retry-After` as delta-seconds or an HTTP date.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// A request body. `Debug` shows a form's field names only (a form may carry
/// a client secret, an assertion or a refresh token).
#[derive(Clone)]
pub enum Body {
    Json(serde_json::Value),
    /// JSON with a specific content type (e.g. `application/json-patch+json`).
    JsonAs(serde_json::Value, &'static str),
    Form(Vec<(String, String)>),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Json(v) => f.debug_tuple("Json").field(v).finish(),
            Body::JsonAs(v, ct) => f.debug_tuple("JsonAs").field(v).field(ct).finish(),
            Body::Form(fields) => f
                .debug_tuple("Form")
                .field(&fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// One request, rebuilt for each attempt.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Option<Body>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Whether 5xx/timeouts may be retried (429 and connect errors always may).
    pub idempotent: bool,
    /// Counts against the identity's Azure DevOps rate limit: waits for
    /// the pacer, and its answer's rate-limit headers are heeded.
    pub paced: bool,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            url,
            body: None,
            headers: Vec::new(),
            idempotent,
            paced: false,
        }
    }
    pub fn get(url: Url) -> Self {
        Self::new(Method::GET, url)
    }
    pub fn json(mut self, v: serde_json::Value) -> Self {
        self.body = Some(Body::Json(v));
        self
    }
    pub fn json_as(mut self, v: serde_json::Value, content_type: &'static str) -> Self {
        self.body = Some(Body::JsonAs(v, content_type));
        self
    }
    pub fn form(mut self, f: Vec<(String, String)>) -> Self {
        self.body = Some(Body::Form(f));
        self
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), v));
        }
        self
    }
    /// Mark a POST as safe to retry (read-only queries).
    pub fn retry_safe(mut self) -> Self {
        self.idempotent = true;
        self
    }
    /// Never send again once it may have reached the server (a change whose
    /// lost answer the caller settles by reading the server's state instead).
    /// Connection failures before sending and 429/503 are still retried.
    pub fn send_once(mut self) -> Self {
        self.idempotent = false;
        self
    }
    /// `METHOD url-without-query`, for error messages (queries may carry emails).
    pub fn describe(&self) -> String {
        let mut u = self.url.clone();
        u.set_query(None);
        format!("{} {}", self.method, u)
    }
}

/// A fully-read response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// `METHOD url` of the request, for messages.
    pub request: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn looks_like_html(&self) -> bool {
        let ct = self
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let first = strip_bom(&self.body)
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        ct.contains("text/html") || first == Some(b'<')
    }

    /// Deserialize a JSON body; HTML (a sign-in page) is an authentication failure.
    pub fn json<T: DeserializeOwned>(&self, service: Service) -> Result<T, ClientError> {
        if self.status == StatusCode::NON_AUTHORITATIVE_INFORMATION || self.looks_like_html() {
            return Err(ClientError::SignInPage {
                service,
                status: self.status.as_u16(),
                request: self.request.clone(),
            });
        }
        serde_json::from_slice(strip_bom(&self.body)).map_err(|e| ClientError::Decode {
            request: self.request.clone(),
            message: truncate(&e.to_string(), 300),
        })
    }

    /// The body as text (BOM stripped, lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(strip_bom(&self.body)).into_owned()
    }
}

/// Shared HTTP machinery: one reqwest client, one policy, one event channel.
#[derive(Clone)]
pub struct HttpCore {
    client: reqwest::Client,
    policy: Arc<RetryPolicy>,
    limit: Arc<super::budget::Budget>,
    pacer: Arc<super::pace::Pacer>,
    events: broadcast::Sender<ClientEvent>,
}

impl std::fmt::Debug for HttpCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCore")
            .field("policy", &self.policy)
            .finish()
    }
}

impl HttpCore {
    pub fn new(policy: RetryPolicy) -> Result<Self, ClientError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("ado-entra/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.timeout.min(Duration::from_secs(30)))
            .build()
            .map_err(|e| ClientError::Transport {
                host: "-".into(),
                message: e.to_string(),
            })?;
        let (events, _) = broadcast::channel(256);
        Ok(Self {
            client,
            limit: Arc::new(super::budget::Budget::new(policy.concurrency)),
            pacer: Arc::new(super::pace::Pacer::default()),
            policy: Arc::new(policy),
            events,
        })
    }

    /// The same pipeline (connections, rate-limit pacing, events) with a
    /// budget of its own of `concurrency` requests in flight: for a burst of
    /// reads (the wizard's fleet survey) that should neither wait behind nor
    /// hold up everything else.
    pub fn with_budget(&self, concurrency: usize) -> Self {
        Self {
            client: self.client.clone(),
            policy: Arc::new(RetryPolicy {
                concurrency,
                ..(*self.policy).clone()
            }),
            limit: Arc::new(super::budget::Budget::new(concurrency)),
            pacer: Arc::clone(&self.pacer),
            events: self.events.clone(),
        }
    }

    /// Receive [`ClientEvent`]s (retry waits, token refreshes).
    pub fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.events.subscribe()
    }

    pub(crate) fn emit(&self, e: ClientEvent) {
        tracing::debug!(event = ?e, "client event");
        let _ = self.events.send(e);
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    fn build(&self, req: &Request, cred: Option<&Credential>) -> reqwest::RequestBuilder {
        let mut rb = self
            .client
            .request(req.method.clone(), req.url.clone())
            .timeout(self.policy.timeout);
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        if let Some(c) = cred {
            rb = c.apply(rb);
        }
        match &req.body {
            None => rb,
            Some(Body::Json(v)) => rb.json(v),
            Some(Body::JsonAs(v, ct)) => rb
                .header(reqwest::header::CONTENT_TYPE, *ct)
                .body(serde_json::to_vec(v).unwrap_or_default()),
            Some(Body::Form(f)) => rb.form(f),
        }
    }

    /// Send with retries. Returns any final response (success or not); only
    /// transport failures are errors here.
    pub async fn send(
        &self,
        req: &Request,
        cred: Option<&Credential>,
    ) -> Result<HttpResponse, ClientError> {
        let host = req.url.host_str().unwrap_or("-").to_string();
        let max = self.policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= max;
            let queued = std::time::Instant::now();
            let outcome = {
                let _place = self.limit.place().await;
                // After the permit: a hold that began while this request
                // queued for one still stops it.
                if req.paced {
                    self.pacer.wait().await;
                }
                tracing::debug!(
                    url = %req.describe(),
                    attempt,
                    queued_ms = queued.elapsed().as_millis() as u64,
                    "request"
                );
                let sent = std::time::Instant::now();
                let answer = self.build(req, cred).send().await;
                tracing::debug!(
                    url = %req.describe(),
                    status = answer.as_ref().map_or(0, |r| r.status().as_u16()),
                    ms = sent.elapsed().as_millis() as u64,
                    "response"
                );
                match answer {
                    Ok(mut resp) => {
                        let status = resp.status();
                        let headers = resp.headers().clone();
                        // Sized once from the announced length (capped), not
                        // grown page by page: a thousand users is megabytes.
                        let announced = resp.content_length().unwrap_or(0) as usize;
                        let mut body = Vec::with_capacity(announced.min(MAX_BODY));
                        let mut read = Ok(());
                        loop {
                            match resp.chunk().await {
                                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_BODY => {
                                    return Err(ClientError::Decode {
                                        request: req.describe(),
                                        message: format!(
                                            "response larger than {} MiB",
                                            MAX_BODY >> 20
                                        ),
                                    });
                                }
                                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                                Ok(None) => break,
                                Err(e) => {
                                    read = Err(e);
                                    break;
                                }
                            }
                        }
                        read.map(|()| (status, headers, body))
                    }
                    Err(e) => Err(e),
                }
            };
            match outcome {
                Ok((status, headers, body)) => {
                    if req.paced {
                        self.heed(&host, status.as_u16(), &headers);
                    }
                    let throttled = status == StatusCode::TOO_MANY_REQUESTS
                        || status == StatusCode::SERVICE_UNAVAILABLE;
                    if throttled && !last {
                        let wait = parse_retry_after(&headers)
                            .unwrap_or_else(|| self.policy.backoff(attempt))
                            .min(self.policy.max_retry_after);
                        self.emit(ClientEvent::RetryAfter {
                            host: host.clone(),
                            status: status.as_u16(),
                            wait,
                            attempt,
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let transient = matches!(status.as_u16(), 500 | 502 | 504);
                    if transient && req.idempotent && !last {
                        let wait = self.policy.backoff(attempt);
                        self.emit(ClientEvent::Retrying {
                            host: host.clone(),
                            reason: format!("HTTP {}", status.as_u16()),
                            wait,
                            attempt,
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Ok(HttpResponse {
                        status,
                        headers,
                        body,
                        request: req.describe(),
                    });
                }
                Err(e) => {
                    // A reused keep-alive connection the server has just
                    // closed fails while sending ("connection closed before
                    // message completed"): safe to send again when idempotent.
                    let retryable = e.is_connect()
                        || (req.idempotent && (e.is_timeout() || e.is_body() || e.is_request()));
                    if retryable && !last {
                        let wait = self.policy.backoff(attempt);
                        self.emit(ClientEvent::Retrying {
                            host: host.clone(),
                            reason: if e.is_timeout() {
                                "timeout".into()
                            } else {
                                "connection failed".into()
                            },
                            wait,
                            attempt,
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(ClientError::Transport {
                        host,
                        message: transport_message(&e),
                    });
                }
            }
        }
    }
}

impl HttpCore {
    /// Let the pacer learn from an answer's rate-limit headers; report a
    /// change of pace.
    fn heed(&self, host: &str, status: u16, headers: &HeaderMap) {
        let h = super::pace::RateLimitHeaders::read(headers, status);
        if let Some(pace) = self.pacer.observe(status, h.as_ref()) {
            let (resource, remaining, limit) = h
                .map(|h| (h.resource, h.remaining, h.limit))
                .unwrap_or_default();
            self.emit(ClientEvent::Pacing {
                host: host.to_string(),
                pace,
                resource,
                remaining,
                limit,
            });
        }
    }
}

fn transport_message(e: &reqwest::Error) -> String {
    // reqwest's Display includes the URL (with query); keep only the kind and source chain.
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&truncate(&s.to_string(), 200));
        src = s.source();
    }
    msg
}

/// An authenticated API surface: one service, one resource's tokens.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    pub core: HttpCore,
    pub tokens: TokenProvider,
    pub resource: Resource,
    pub service: Service,
}

impl Api {
    fn decorate(&self, mut req: Request) -> Request {
        if self.service == Service::AzureDevOps {
            // Ask ADO for 401 instead of a 203 HTML sign-in page.
            req = req.header("x-tfs-fedauthredirect", "Suppress");
            req.paced = true;
        }
        if req
            .headers
            .iter()
            .any(|(k, _)| k == reqwest::header::ACCEPT)
        {
            req
        } else {
            req.header("accept", "application/json")
        }
    }

    /// Send without credentials; any status is returned. Counts against
    /// no identity, so it neither waits for the pacer nor teaches it.
    pub async fn send_anonymous(&self, req: Request) -> Result<HttpResponse, ClientError> {
        let mut req = self.decorate(req);
        req.paced = false;
        self.core.send(&req, None).await
    }

    /// Send with a fresh token; on 401 refresh once and retry. Non-2xx become errors.
    pub async fn send(&self, req: Request) -> Result<HttpResponse, ClientError> {
        let req = self.decorate(req);
        let cred = self.tokens.credential(self.resource, false).await?;
        let mut resp = self.core.send(&req, Some(&cred)).await?;
        if resp.status == StatusCode::UNAUTHORIZED && cred.is_refreshable() {
            // The provider reports the refresh as a ClientEvent.
            if let Some(fresh) = self
                .tokens
                .credential_after_refusal(self.resource, &cred)
                .await?
            {
                resp = self.core.send(&req, Some(&fresh)).await?;
            }
        }
        self.check(resp)
    }

    /// Turn a non-success answer into a typed error.
    pub fn check(&self, resp: HttpResponse) -> Result<HttpResponse, ClientError> {
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(self.error_of(&resp))
        }
    }

    /// The typed error for an answer (whatever its status).
    pub fn error_of(&self, resp: &HttpResponse) -> ClientError {
        ClientError::Api(Box::new(api_error(
            self.service,
            resp.status,
            resp.request.clone(),
            &resp.headers,
            &resp.body,
        )))
    }

    /// Send and decode JSON.
    pub async fn json<T: DeserializeOwned>(&self, req: Request) -> Result<T, ClientError> {
        self.send(req).await?.json(self.service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
        h.insert("retry-after", "1e308".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        assert!(p.backoff(1) <= Duration::from_millis(100));
        assert!(p.backoff(1) >= Duration::from_millis(50));
        assert!(p.backoff(40) <= Duration::from_millis(300));
    }

    #[test]
    fn debug_of_a_form_shows_no_values() {
        let r = Request::new(Method::POST, Url::parse("https://l/t").unwrap())
            .form(vec![("client_secret".into(), "hunter2-secret".into())]);
        let s = format!("{r:?}");
        assert!(s.contains("client_secret") && !s.contains("hunter2"), "{s}");
    }

    #[test]
    fn describe_drops_query() {
        let r = Request::get(Url::parse("https://g/v1.0/users?$filter=mail eq 'a@b'").unwrap());
        assert_eq!(r.describe(), "GET https://g/v1.0/users");
    }
}
