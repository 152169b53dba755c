//! A local stand-in for Azure DevOps, Entra ID sign-in and Microsoft Graph.
//!
//! One axum server on 127.0.0.1; each Azure host is a path prefix under the base
//! URL (`/dev`, `/vssps`, `/vsaex`, `/app-vssps`, `/aex`, `/graph`, `/login`), so
//! the client only swaps base URLs. Control endpoints live under `/_emulator`.
//! It follows the documented REST shapes and the real state semantics; see
//! docs/emulator.md for routes, scenarios, faults and simplifications.

mod ado;
mod command;
mod control;
mod faults;
mod graph;
pub mod ids;
mod jwt;
mod login;
mod login_app;
mod oidc;
pub mod ratelimit;
mod redeem;
pub mod scenario;
mod state;
mod tls;
mod wire;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use command::{EmulatorArgs, run_cli};
use faults::{Action, Fault};
use login::LoginState;
pub use scenario::{Generate, Scenario, ScenarioError};
use state::World;
use wire::Req;

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A built-in name or a file path.
    Named(String),
    Generated(Generate),
    Fleet(scenario::Fleet),
}

impl Default for Source {
    fn default() -> Self {
        Source::Named("ready".into())
    }
}

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub source: Source,
    pub port: u16,
    pub latency_ms: u64,
    pub auto_approve: Option<String>,
    /// Approve as the scenario's `default_sign_in` (the demo) when `auto_approve` is unset.
    pub auto_approve_default: bool,
    pub faults: Vec<String>,
    pub token_lifetime_secs: u64,
    /// Device-code polling interval the emulator asks for (Entra uses 5).
    pub device_interval_secs: u64,
    pub device_expires_secs: u64,
    /// Serve https with a certificate generated at start.
    pub tls: bool,
    /// Each identity's Azure DevOps budget (`None`: no rate limit).
    pub rate_limit: Option<ratelimit::Budget>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            source: Source::default(),
            port: 0,
            latency_ms: 0,
            auto_approve: None,
            auto_approve_default: false,
            faults: Vec::new(),
            token_lifetime_secs: 3600,
            device_interval_secs: 1,
            device_expires_secs: 900,
            tls: false,
            rate_limit: Some(ratelimit::Budget::default()),
        }
    }
}

impl EmulatorConfig {
    pub fn scenario(name: &str) -> Self {
        Self {
            source: Source::Named(name.to_string()),
            ..Self::default()
        }
    }
}

/// What the first stdout line of `ado-entra emulator` says.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSummary {
    pub base_url: String,
    /// With `--tls`: the PEM file of the certificate authority to trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    pub org: String,
    pub owner: String,
    /// Every organization (name, tenant, owner, users) when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<Value>,
    pub tenants: Vec<Value>,
    pub scenario: String,
    pub default_sign_in: String,
    /// The scenario's first service principal with a current secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_principal: Option<Value>,
    /// The scenario's system-assigned managed identity, with the header
    /// App Service's identity endpoint (`/msi/token`) expects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_identity: Option<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Fault(String),
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("{0}")]
    Tls(String),
    /// The options do not fit together.
    #[error("{0}")]
    Usage(String),
}

pub(crate) struct Runtime {
    /// `http`, or `https` when serving TLS.
    pub scheme: &'static str,
    pub auto_approve: Option<String>,
    pub token_lifetime_secs: u64,
    pub device_interval_secs: u64,
    pub device_expires_secs: u64,
    pub latency: Duration,
}

/// Ordered user-entitlement listings by query: (world generation, positions).
pub(crate) type Listings = std::collections::HashMap<String, (u64, Arc<Vec<usize>>)>;

/// State shared by every request.
pub(crate) struct Shared {
    /// Read through `world.read()`; change only through [`Shared::world_mut`].
    pub world: RwLock<World>,
    /// Bumped after every change to the world, so derived views (the
    /// ordered user-entitlement listings) know when to be rebuilt.
    pub world_gen: std::sync::atomic::AtomicU64,
    /// Ordered user-entitlement listings by query, with the world
    /// generation they were built from.
    pub listings: Mutex<Listings>,
    pub login: Mutex<LoginState>,
    pub key: [u8; 32],
    pub faults: Mutex<Vec<Fault>>,
    /// Azure DevOps rate limits, per identity.
    pub limits: ratelimit::Limiter,
    /// Requests per host (and `total`), and `{host}.peak`: the most requests
    /// to a host in flight at once since the last reset.
    pub stats: Mutex<BTreeMap<String, u64>>,
    /// Requests to each host in flight now.
    pub in_flight: Mutex<BTreeMap<String, u64>>,
    pub cfg: Runtime,
}

/// The world, writable; the generation is bumped when the guard is dropped
/// (before the lock is released), so no reader sees the change under the
/// old generation.
pub(crate) struct WorldMut<'a> {
    guard: std::sync::RwLockWriteGuard<'a, World>,
    generation: &'a std::sync::atomic::AtomicU64,
}

impl std::ops::Deref for WorldMut<'_> {
    type Target = World;
    fn deref(&self) -> &World {
        &self.guard
    }
}

impl std::ops::DerefMut for WorldMut<'_> {
    fn deref_mut(&mut self) -> &mut World {
        &mut self.guard
    }
}

impl Drop for WorldMut<'_> {
    fn drop(&mut self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Shared {
    pub fn world_mut(&self) -> WorldMut<'_> {
        WorldMut {
            guard: self.world.write().expect("world"),
            generation: &self.world_gen,
        }
    }
}

/// Counts a request in flight for as long as it lives (dropped when the
/// answer is ready, whichever way the handler returns).
struct InFlight<'a> {
    sh: &'a Shared,
    host: String,
}

impl<'a> InFlight<'a> {
    fn enter(sh: &'a Shared, host: &str) -> Self {
        let now = {
            let mut f = sh.in_flight.lock().expect("in flight");
            let n = f.entry(host.to_string()).or_default();
            *n += 1;
            *n
        };
        let mut stats = sh.stats.lock().expect("stats");
        let peak = stats.entry(format!("{host}.peak")).or_default();
        *peak = (*peak).max(now);
        InFlight {
            sh,
            host: host.to_string(),
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut f) = self.sh.in_flight.lock()
            && let Some(n) = f.get_mut(&self.host)
        {
            *n = n.saturating_sub(1);
        }
    }
}

/// A running emulator. Dropping it does not stop the server; call [`Emulator::shutdown`].
pub struct Emulator {
    summary: ScenarioSummary,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// With TLS: the directory holding the authority's PEM, removed at shutdown.
    tls_dir: Option<std::path::PathBuf>,
}

impl Emulator {
    /// Start on 127.0.0.1 in this process.
    pub async fn start(cfg: EmulatorConfig) -> Result<Self, EmulatorError> {
        let scenario = match &cfg.source {
            Source::Named(n) => Scenario::load(n)?,
            Source::Generated(g) => scenario::generate(*g),
            Source::Fleet(f) => scenario::generate_fleet(*f),
        };
        let faults = cfg
            .faults
            .iter()
            .map(|s| Fault::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(EmulatorError::Fault)?;
        let default_sign_in = scenario.default_sign_in.clone();
        let world = World::from_scenario(scenario, chrono::Utc::now());
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
            .await
            .map_err(|source| EmulatorError::Bind {
                port: cfg.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                port: cfg.port,
                source,
            })?
            .port();
        let tls = if cfg.tls {
            Some(tls::Tls::generate().map_err(EmulatorError::Tls)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://127.0.0.1:{port}");
        let summary = ScenarioSummary {
            base_url: base_url.clone(),
            ca_cert: tls
                .as_ref()
                .map(|t| t.ca_cert.to_string_lossy().into_owned()),
            org: world.orgs[0].name.clone(),
            owner: world.orgs[0].users[world.orgs[0].owner].mail.clone(),
            orgs: if world.orgs.len() > 1 {
                world.orgs.iter().map(control::org_brief).collect()
            } else {
                Vec::new()
            },
            tenants: world
                .tenants
                .iter()
                .map(|t| json!({"id": t.id, "displayName": t.display_name, "domain": t.initial_domain}))
                .collect(),
            scenario: world.scenario.clone(),
            default_sign_in: world.default_sign_in.clone(),
            service_principal: world.service_principal_summary(),
            managed_identity: world.managed_identity_summary(),
        };
        let shared = Arc::new(Shared {
            world: RwLock::new(world),
            world_gen: std::sync::atomic::AtomicU64::new(0),
            listings: Mutex::new(std::collections::HashMap::new()),
            login: Mutex::new(LoginState::default()),
            key,
            faults: Mutex::new(faults),
            limits: ratelimit::Limiter::new(cfg.rate_limit),
            stats: Mutex::new(BTreeMap::new()),
            in_flight: Mutex::new(BTreeMap::new()),
            cfg: Runtime {
                scheme,
                auto_approve: cfg
                    .auto_approve
                    .clone()
                    .or_else(|| cfg.auto_approve_default.then_some(default_sign_in)),
                token_lifetime_secs: cfg.token_lifetime_secs,
                device_interval_secs: cfg.device_interval_secs,
                device_expires_secs: cfg.device_expires_secs,
                latency: Duration::from_millis(cfg.latency_ms),
            },
        });
        let app = Router::new().fallback(entry).with_state(shared);
        let (tx, rx) = oneshot::channel::<()>();
        let stopped = async {
            let _ = rx.await;
        };
        let tls_dir = tls.as_ref().map(|t| t.dir().to_path_buf());
        let task = match tls {
            None => tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await;
            }),
            Some(t) => {
                let listener = tls::TlsListener::new(listener, t.acceptor).map_err(|source| {
                    EmulatorError::Bind {
                        port: cfg.port,
                        source,
                    }
                })?;
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(stopped)
                        .await;
                })
            }
        };
        tracing::info!(%base_url, scenario = %summary.scenario, "emulator listening");
        Ok(Emulator {
            summary,
            stop: Some(tx),
            task: Some(task),
            tls_dir,
        })
    }

    /// Start a built-in scenario with defaults.
    pub async fn start_scenario(name: &str) -> Result<Self, EmulatorError> {
        Self::start(EmulatorConfig::scenario(name)).await
    }

    pub fn base_url(&self) -> &str {
        &self.summary.base_url
    }
    pub fn summary(&self) -> &ScenarioSummary {
        &self.summary
    }
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
        if let Some(dir) = self.tls_dir.take() {
            tls::Tls::remove_files(&dir);
        }
    }
}

/// Every request comes through here: stats, faults, latency, then the host router.
///
/// The configured latency (`--latency-ms`) is the least time an answer
/// takes from the request's arrival: the request is carried out when it
/// arrives and its answer held back until then. Azure does its work on its
/// own machines; an emulator sharing the caller's cores would otherwise add
/// its own work to every answer of a burst (64 answers serialised at once
/// when their wait ends). Injected delays (`stall`, `latency` faults) still
/// come before the request is carried out, as before.
async fn entry(
    state: State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer_at = tokio::time::Instant::now() + state.cfg.latency;
    // Control endpoints answer at once, as they always have.
    let control = uri.path().trim_start_matches('/').starts_with("_emulator");
    let response = carry_out(state, method, uri, headers, body).await;
    if !control {
        tokio::time::sleep_until(answer_at).await;
    }
    response
}

async fn carry_out(
    State(sh): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_path = uri.path().to_string();
    let mut segs: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let host = if segs.is_empty() {
        String::new()
    } else {
        segs.remove(0).to_lowercase()
    };
    let origin = wire::origin(&headers, sh.cfg.scheme);
    let req = Req {
        method,
        lsegs: segs.iter().map(|s| s.to_lowercase()).collect(),
        segs,
        query: uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers,
        body,
        origin,
    };
    if host == "_emulator" {
        return control::control(&sh, &req);
    }
    // Instance discovery where MSAL looks for it: at the host's root.
    if host == "common" && req.method == Method::GET && req.lpath() == ["discovery", "instance"] {
        return login::instance_discovery(&req);
    }
    {
        let mut stats = sh.stats.lock().expect("stats");
        *stats.entry("total".into()).or_default() += 1;
        *stats.entry(host.clone()).or_default() += 1;
    }
    let _in_flight = InFlight::enter(&sh, &host);
    let (delay, action) = {
        let mut f = sh.faults.lock().expect("faults");
        // `path=TEXT` matches the query too (`path=skip=` picks offset pages).
        let target = uri
            .path_and_query()
            .map_or(raw_path.as_str(), |p| p.as_str());
        faults::decide(&mut f, &host, req.method.as_str(), target)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(r) = action.as_ref().and_then(|a| faults::answer(a, &host)) {
        return r;
    }
    // Azure DevOps limits each identity (Graph and sign-in are not modelled).
    let identity = matches!(
        host.as_str(),
        "dev" | "vssps" | "vsaex" | "app-vssps" | "aex"
    )
    .then(|| ado::rate_identity(&sh, &req))
    .flatten();
    if let Some(r) = identity
        .as_deref()
        .and_then(|id| ratelimit::blocked(&sh.limits, id))
    {
        count(&sh, "ratelimit.blocked");
        return r;
    }
    let lose_answer = match action {
        Some(Action::After(a)) => Some(*a),
        _ => None,
    };
    // Every Azure DevOps 401 carries its challenge (see `ado::challenge`).
    let challenge = matches!(
        host.as_str(),
        "dev" | "vssps" | "vsaex" | "app-vssps" | "aex" | "auditservice"
    )
    .then(|| {
        let org = matches!(host.as_str(), "dev" | "vssps" | "vsaex" | "auditservice")
            .then(|| req.segs.first().cloned())
            .flatten();
        (org, req.origin.clone())
    });
    let refused = format!("{host}.401");
    let sh2 = Arc::clone(&sh);
    // Handlers are synchronous and quick; keep them off the reactor anyway.
    let handled = tokio::task::spawn_blocking(move || {
        // Azure DevOps sees accepted invitations once their delay is over.
        if matches!(host.as_str(), "dev" | "vssps" | "vsaex" | "app-vssps") {
            state::recovery::settle(&sh2);
        }
        match host.as_str() {
        "dev" => ado::dev(&sh2, &req),
        "vssps" => ado::vssps(&sh2, &req),
        "vsaex" => ado::vsaex(&sh2, &req),
        "app-vssps" => ado::app_vssps(&sh2, &req),
        "aex" => ado::aex(&sh2, &req),
        "auditservice" => ado::audit(&sh2, &req),
        "graph" => graph::handle(&sh2, &req),
        "login" => login::handle(&sh2, &req),
        "imds" => login_app::imds(&sh2, &req),
        "msi" => login_app::app_service(&sh2, &req),
        other => wire::json(404, &json!({"message": format!("No emulated host '{other}'; use /dev, /vssps, /vsaex, /app-vssps, /aex, /auditservice, /graph or /login.")})),
        }
    })
    .await;
    let mut response = handled.unwrap_or_else(|_| {
        wire::ado_error(
            500,
            "InternalServerError",
            "The emulator failed while handling this request.",
        )
    });
    if response.status() == 401 {
        count(&sh, &refused);
    }
    if response.status() == 401
        && let Some((org, origin)) = challenge
    {
        let world = sh.world.read().expect("world");
        response = ado::challenge(&world, &origin, org.as_deref(), response);
    }
    if let Some(id) = identity {
        response = ratelimit::answer(&sh.limits, &id, response, |what| {
            count(&sh, &format!("ratelimit.{what}"))
        })
        .await;
    }
    match lose_answer {
        Some(Action::Drop) => faults::dropped(),
        Some(Action::Malformed) => faults::malformed(),
        _ => response,
    }
}

/// Add one to a counter of `/_emulator/stats`.
fn count(sh: &Shared, name: &str) {
    *sh.stats
        .lock()
        .expect("stats")
        .entry(name.to_string())
        .or_default() += 1;
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
