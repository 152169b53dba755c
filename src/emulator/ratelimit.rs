//! Azure DevOps rate limits, per identity, as Microsoft Learn's "Rate and
//! usage limits" (azure/devops/integrate/concepts/rate-limits) describes
//! them: each identity's consumption is counted in TSTUs over a sliding
//! window (five minutes); past its limit its requests are delayed (a few
//! milliseconds up to 30 seconds, growing with the excess), and if it keeps
//! on they are blocked with 429 and TF400733. Answers carry the documented
//! headers: `X-RateLimit-Resource`, `X-RateLimit-Delay` (seconds, three
//! decimals), `X-RateLimit-Limit`, `X-RateLimit-Remaining` (0 once delayed
//! or blocked), `X-RateLimit-Reset` (Unix time at which usage would be 0 if
//! it stopped now) and `Retry-After`.
//!
//! What Azure does not publish is the emulator's choice (docs/emulator.md):
//! a request costs 0.01 TSTU plus 0.01 per 100 KB of answer; the headers
//! are sent once an identity has used half its limit; a delay grows with
//! the excess to a tenth of the window at the blocking point (30 seconds
//! at most); blocking starts at twice the limit; `Retry-After` (on delayed
//! and blocked answers) is the time until usage is back under the limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::HttpBody;
use axum::response::Response;

use super::wire;

/// The budget every identity gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// TSTUs an identity may use in a window before it is delayed.
    pub limit: f64,
    /// The sliding window.
    pub window: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        // "200 times the consumption of a typical user within a (sliding)
        // five-minute window"; one TSTU is a typical user's five minutes.
        Self {
            limit: 200.0,
            window: Duration::from_secs(300),
        }
    }
}

/// What a request costs: 0.01 TSTU, plus 0.01 per 100 KB of answer.
pub fn cost(body_bytes: usize) -> f64 {
    0.01 + 0.01 * body_bytes as f64 / 100_000.0
}

/// The resource named in `X-RateLimit-Resource`.
pub const RESOURCE: &str = "ATCPU";

/// Usage is blocked from this many times the limit.
const BLOCK_FACTOR: f64 = 2.0;
/// The headers are sent from this share of the limit.
const WARN_SHARE: f64 = 0.5;
/// The longest delay.
const MAX_DELAY: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Usage {
    charges: VecDeque<(Instant, f64)>,
    total: f64,
}

impl Usage {
    fn prune(&mut self, now: Instant, window: Duration) {
        while let Some(&(at, c)) = self.charges.front() {
            if now.duration_since(at) < window {
                break;
            }
            self.total -= c;
            self.charges.pop_front();
        }
        if self.charges.is_empty() {
            self.total = 0.0;
        }
    }

    /// How long until the usage falls to `level` as charges leave the window.
    fn until_below(&self, level: f64, now: Instant, window: Duration) -> Duration {
        let mut left = self.total;
        for &(at, c) in &self.charges {
            if left < level {
                break;
            }
            left -= c;
            if left < level {
                return (at + window).saturating_duration_since(now);
            }
        }
        Duration::ZERO
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Answer normally, with these headers (none while usage is low).
    Pass(Vec<(&'static str, String)>),
    /// Answer after `delay`, with these headers.
    Delay(Duration, Vec<(&'static str, String)>),
    /// Refuse with 429, with these headers (`Retry-After` among them).
    Block(Vec<(&'static str, String)>),
}

/// Every identity's usage against one budget (`None`: no limits).
#[derive(Default)]
pub struct Limiter {
    budget: Mutex<Option<Budget>>,
    usage: Mutex<HashMap<String, Usage>>,
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Limiter {
    pub fn new(budget: Option<Budget>) -> Self {
        Self {
            budget: Mutex::new(budget),
            usage: Mutex::new(HashMap::new()),
        }
    }

    /// Replace the budget (and forget every identity's usage).
    pub fn set(&self, budget: Option<Budget>) {
        *self.budget.lock().expect("budget") = budget;
        self.usage.lock().expect("usage").clear();
    }

    pub fn budget(&self) -> Option<Budget> {
        *self.budget.lock().expect("budget")
    }

    /// Before handling: is `identity` blocked? If not, the request's base
    /// cost is charged now, so a burst counts as it arrives.
    pub fn admit(&self, identity: &str) -> Option<Verdict> {
        let budget = self.budget()?;
        let now = Instant::now();
        let mut all = self.usage.lock().expect("usage");
        let u = all.entry(identity.to_string()).or_default();
        u.prune(now, budget.window);
        if u.total >= budget.limit * BLOCK_FACTOR {
            let wait = u.until_below(budget.limit, now, budget.window);
            return Some(Verdict::Block(headers(&budget, u, now, None, Some(wait))));
        }
        u.charges.push_back((now, cost(0)));
        u.total += cost(0);
        None
    }

    /// After handling: charge `identity` for the size of its answer
    /// (`body_bytes`) and say how to answer.
    pub fn charge(&self, identity: &str, body_bytes: usize) -> Verdict {
        let Some(budget) = self.budget() else {
            return Verdict::Pass(Vec::new());
        };
        let now = Instant::now();
        let mut all = self.usage.lock().expect("usage");
        let u = all.entry(identity.to_string()).or_default();
        u.prune(now, budget.window);
        let c = cost(body_bytes) - cost(0);
        if c > 0.0 {
            u.charges.push_back((now, c));
            u.total += c;
        }
        if u.total > budget.limit {
            // The excess, as a share of the limit, sets the delay: a few
            // milliseconds just past it, growing with the window (a tenth
            // of it at the blocking point), 30 seconds at most.
            let excess = (u.total - budget.limit) / (budget.limit * (BLOCK_FACTOR - 1.0));
            let delay = budget
                .window
                .mul_f64(excess.clamp(0.0, 1.0) / 10.0)
                .clamp(Duration::from_millis(5), MAX_DELAY);
            let wait = u.until_below(budget.limit, now, budget.window);
            Verdict::Delay(delay, headers(&budget, u, now, Some(delay), Some(wait)))
        } else if u.total >= budget.limit * WARN_SHARE {
            Verdict::Pass(headers(&budget, u, now, None, None))
        } else {
            Verdict::Pass(Vec::new())
        }
    }
}

/// The 429 for an identity past the blocking point, if it is.
pub fn blocked(limiter: &Limiter, identity: &str) -> Option<Response> {
    let Some(Verdict::Block(h)) = limiter.admit(identity) else {
        return None;
    };
    let r = wire::ado_error(
        429,
        "RequestBlockedException",
        &format!(
            "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource '{RESOURCE}' in namespace 'User'."
        ),
    );
    Some(with_headers(r, h))
}

/// Charge `identity` for `response`, wait out any delay, and add the
/// headers; `count` hears `warned` or `delayed`.
pub async fn answer(
    limiter: &Limiter,
    identity: &str,
    response: Response,
    count: impl Fn(&str),
) -> Response {
    let size = response.body().size_hint().exact().unwrap_or(0);
    match limiter.charge(identity, usize::try_from(size).unwrap_or(usize::MAX)) {
        Verdict::Pass(h) if h.is_empty() => response,
        Verdict::Pass(h) => {
            count("warned");
            with_headers(response, h)
        }
        Verdict::Delay(d, h) => {
            count("delayed");
            tokio::time::sleep(d).await;
            with_headers(response, h)
        }
        Verdict::Block(h) => with_headers(response, h),
    }
}

fn with_headers(mut r: Response, h: Vec<(&'static str, String)>) -> Response {
    for (k, v) in h {
        r = wire::with_header(r, k, &v);
    }
    r
}

fn headers(
    budget: &Budget,
    u: &Usage,
    now: Instant,
    delay: Option<Duration>,
    retry_after: Option<Duration>,
) -> Vec<(&'static str, String)> {
    let remaining = if delay.is_some() || retry_after.is_some() {
        0.0
    } else {
        (budget.limit - u.total).max(0.0)
    };
    let last = u.charges.back().map_or(now, |&(at, _)| at);
    let reset = SystemTime::now() + (last + budget.window).saturating_duration_since(now);
    let mut h = vec![
        ("x-ratelimit-resource", RESOURCE.to_string()),
        ("x-ratelimit-limit", trim(budget.limit)),
        ("x-ratelimit-remaining", trim(remaining)),
        ("x-ratelimit-reset", unix_secs(reset).to_string()),
    ];
    if let Some(d) = delay {
        h.push(("x-ratelimit-delay", format!("{:.3}", d.as_secs_f64())));
    }
    if let Some(w) = retry_after {
        h.push(("retry-after", w.as_secs_f64().ceil().max(1.0).to_string()));
    }
    h
}

/// A TSTU figure with at most two decimals and no trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(h: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        h.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn quiet_then_warned_then_delayed_then_blocked() {
        let l = Limiter::new(Some(Budget {
            limit: 1.0,
            window: Duration::from_secs(60),
        }));
        // One request: admitted (0.01 TSTU), then charged for its answer.
        let request = |who: &str, bytes: usize| {
            assert!(l.admit(who).is_none(), "{who} admitted");
            l.charge(who, bytes)
        };
        // 49 quiet answers, then the headers from half the limit.
        for _ in 0..49 {
            assert_eq!(request("me", 0), Verdict::Pass(Vec::new()));
        }
        let Verdict::Pass(h) = request("me", 0) else {
            panic!("not delayed yet")
        };
        assert_eq!(header(&h, "x-ratelimit-limit"), Some("1"));
        assert_eq!(header(&h, "x-ratelimit-remaining"), Some("0.5"));
        assert!(header(&h, "x-ratelimit-reset").is_some());
        // Another identity is untouched.
        assert_eq!(request("other", 0), Verdict::Pass(Vec::new()));
        // A large answer costs more: 400 KB, 0.04 more.
        let Verdict::Pass(h) = request("me", 400_000) else {
            panic!("not delayed yet")
        };
        assert_eq!(header(&h, "x-ratelimit-remaining"), Some("0.45"));
        for _ in 0..45 {
            request("me", 0);
        }
        let Verdict::Delay(d, h) = request("me", 0) else {
            panic!("past the limit: delayed")
        };
        assert!(
            d >= Duration::from_millis(5) && d <= Duration::from_secs(6),
            "{d:?}"
        );
        assert_eq!(header(&h, "x-ratelimit-remaining"), Some("0"));
        assert!(header(&h, "x-ratelimit-delay").is_some());
        assert!(header(&h, "retry-after").is_some());
        // A burst counts as it arrives: the 100th request of it is refused.
        let admitted = (0..100).filter(|_| l.admit("me").is_none()).count();
        assert_eq!(admitted, 99, "blocked from twice the limit");
        let Some(Verdict::Block(h)) = l.admit("me") else {
            panic!("at twice the limit: blocked")
        };
        assert!(header(&h, "retry-after").unwrap().parse::<u64>().unwrap() >= 1);
        assert!(l.admit("other").is_none());
    }

    #[test]
    fn usage_leaves_the_window() {
        let l = Limiter::new(Some(Budget {
            limit: 0.1,
            window: Duration::from_millis(1),
        }));
        l.charge("me", 10_000_000);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(l.charge("me", 0), Verdict::Pass(Vec::new()));
        assert!(Limiter::new(None).admit("me").is_none());
    }
}
