//! Slowing down before Azure DevOps has to: its rate-limit headers
//! (Microsoft Learn, "Rate and usage limits",
//! azure/devops/integrate/concepts/rate-limits) say how many TSTUs the
//! identity has left before its requests are delayed
//! (`X-RateLimit-Remaining` of `X-RateLimit-Limit`), when usage would be
//! back to zero (`X-RateLimit-Reset`), that a request was delayed
//! (`X-RateLimit-Delay`) and how long to wait (`Retry-After`).
//!
//! One pacer serves every request of a client (every organization of a
//! fleet shares the identity's budget). While the remaining budget is below
//! half the limit, requests are spaced so that, at the cost per request
//! seen so far, no more than four fifths of the limit is spent per window
//! (two fifths once less than a fifth is left); a delayed or throttled
//! answer holds every request for its `Retry-After`. Each change
//! is reported as a [`super::ClientEvent::Pacing`], so the person sees why
//! it is slower.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use reqwest::header::HeaderMap;

/// What the headers of one answer said.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitHeaders {
    pub resource: Option<String>,
    pub limit: Option<f64>,
    pub remaining: Option<f64>,
    /// Seconds from now until usage would be zero.
    pub reset_in: Option<Duration>,
    pub delay: Option<Duration>,
    pub retry_after: Option<Duration>,
}

impl RateLimitHeaders {
    /// The rate-limit headers of an answer, if it has any.
    pub fn read(h: &HeaderMap, status: u16) -> Option<Self> {
        let text = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
        let num = |n: &str| {
            text(n)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let secs = |v: f64| Duration::from_secs_f64(v.clamp(0.0, 86_400.0));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let r = Self {
            resource: text("x-ratelimit-resource").map(str::to_string),
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset_in: num("x-ratelimit-reset").map(|t| secs(t - now)),
            delay: num("x-ratelimit-delay").map(secs),
            // Retry-After counts on a throttled answer, and on any answer
            // that carries the rate-limit headers.
            retry_after: super::http::parse_retry_after(h),
        };
        let any =
            r.resource.is_some() || r.limit.is_some() || r.remaining.is_some() || r.delay.is_some();
        (any || status == 429).then_some(r)
    }
}

/// How the client is pacing itself now.
#[derive(Debug, Clone, PartialEq)]
pub enum Pace {
    /// Requests go as fast as the concurrency allows.
    Free,
    /// Requests start at least this far apart.
    Spaced(Duration),
    /// Nothing is sent for this long (a delayed or throttled answer).
    Held(Duration),
}

#[derive(Debug)]
struct State {
    hold_until: Option<Instant>,
    spacing: Duration,
    next_slot: Instant,
    /// Estimated TSTUs per request.
    cost: Option<f64>,
    last_remaining: Option<f64>,
    answers_since: u32,
    answers: u32,
}

/// The shared pacer.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                hold_until: None,
                spacing: Duration::ZERO,
                next_slot: Instant::now(),
                cost: None,
                last_remaining: None,
                answers_since: 0,
                answers: 0,
            }),
        }
    }
}

/// Below this share of the limit left, requests are spaced.
const SPACE_BELOW: f64 = 0.5;
/// Below this share of the limit left, requests are spaced twice as far.
const LOW: f64 = 0.2;
/// Never space requests further apart than this (the headers come again).
const MAX_SPACING: Duration = Duration::from_secs(5);
/// A delay with no `Retry-After` holds requests this long.
const DEFAULT_HOLD: Duration = Duration::from_secs(1);

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until a request may start: past any hold, then at its slot
    /// while requests are spaced (a hold that begins meanwhile counts too).
    pub async fn wait(&self) {
        let mut slotted = false;
        loop {
            let pause = {
                let mut s = self.lock();
                let now = Instant::now();
                match s.hold_until {
                    Some(h) if h > now => h - now,
                    _ if slotted || s.spacing.is_zero() => return,
                    _ => {
                        let slot = s.next_slot.max(now);
                        s.next_slot = slot + s.spacing;
                        slotted = true;
                        slot - now
                    }
                }
            };
            tokio::time::sleep(pause).await;
        }
    }

    /// Learn from an answer; returns the new pace when it changed.
    pub fn observe(&self, status: u16, headers: Option<&RateLimitHeaders>) -> Option<Pace> {
        let mut s = self.lock();
        s.answers = s.answers.saturating_add(1);
        s.answers_since = s.answers_since.saturating_add(1);
        let Some(h) = headers else {
            // A quiet answer: usage is below half the limit again. Speed
            // up gradually (half the spacing each time), not all at once.
            if s.spacing.is_zero() || s.hold_until.is_some_and(|t| t > Instant::now()) {
                return None;
            }
            s.spacing /= 2;
            if s.spacing < Duration::from_millis(2) {
                s.spacing = Duration::ZERO;
                return Some(Pace::Free);
            }
            return None;
        };
        let delayed = status == 429 || h.delay.is_some_and(|d| !d.is_zero());
        if delayed {
            let hold = h
                .retry_after
                .unwrap_or(DEFAULT_HOLD)
                .max(Duration::from_millis(100));
            let until = Instant::now() + hold;
            if s.hold_until.is_some_and(|t| t >= until) {
                return None;
            }
            s.hold_until = Some(until);
            return Some(Pace::Held(hold));
        }
        let (Some(limit), Some(remaining)) = (h.limit, h.remaining) else {
            return None;
        };
        // The cost of one request, from how fast the remaining budget falls.
        if let Some(prev) = s.last_remaining
            && prev > remaining
            && s.answers_since > 0
        {
            let per = (prev - remaining) / f64::from(s.answers_since);
            s.cost = Some(s.cost.map_or(per, |c| 0.7 * c + 0.3 * per));
        }
        if s.cost.is_none() && s.answers > 0 {
            s.cost = Some(((limit - remaining) / f64::from(s.answers)).max(limit / 100_000.0));
        }
        s.last_remaining = Some(remaining);
        s.answers_since = 0;
        let spacing = if limit > 0.0 && remaining < limit * SPACE_BELOW {
            // Spend at most four fifths of the limit per window (delays
            // start at the limit), two fifths once less than a fifth is
            // left. The reset is when usage would be back to zero: at the
            // latest, a window from now.
            let cost = s.cost.unwrap_or(limit / 1000.0).max(f64::EPSILON);
            let window = h.reset_in.unwrap_or(Duration::from_secs(300));
            let share = if remaining < limit * LOW { 0.4 } else { 0.8 };
            window.mul_f64(cost / (limit * share)).min(MAX_SPACING)
        } else {
            Duration::ZERO
        };
        let before = s.spacing;
        s.spacing = spacing;
        // Report a change worth a person's attention (start, stop, or a
        // pace at least twice or half what it was).
        let changed = before.is_zero() != spacing.is_zero()
            || (!spacing.is_zero()
                && (spacing > before.saturating_mul(2) || spacing.saturating_mul(2) < before));
        changed.then(|| {
            if spacing.is_zero() {
                Pace::Free
            } else {
                Pace::Spaced(spacing)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(limit: f64, remaining: f64, delay: Option<f64>, retry: Option<u64>) -> RateLimitHeaders {
        RateLimitHeaders {
            resource: Some("ATCPU".into()),
            limit: Some(limit),
            remaining: Some(remaining),
            reset_in: Some(Duration::from_secs(10)),
            delay: delay.map(Duration::from_secs_f64),
            retry_after: retry.map(Duration::from_secs),
        }
    }

    #[test]
    fn spacing_starts_below_half_and_grows_as_the_budget_falls() {
        let p = Pacer::default();
        // A hundred answers cost 0.5 TSTU of 1: no headers until half.
        for _ in 0..49 {
            assert_eq!(p.observe(200, None), None);
        }
        assert_eq!(p.observe(200, Some(&h(1.0, 0.5, None, None))), None);
        let Some(Pace::Spaced(a)) = p.observe(200, Some(&h(1.0, 0.49, None, None))) else {
            panic!("spaced below half")
        };
        // 0.8 TSTU per 10 s window at 0.01 each: one every 125 ms.
        assert!(
            a > Duration::from_millis(110) && a < Duration::from_millis(140),
            "{a:?}"
        );
        for r in 1..=30 {
            p.observe(200, Some(&h(1.0, 0.49 - f64::from(r) / 100.0, None, None)));
        }
        // Less than a fifth left: twice as far apart.
        let s = p.lock().spacing;
        assert!(s >= a.saturating_mul(2), "{s:?} >= 2 x {a:?}");
        // Quiet answers (usage under half again) speed up by halves.
        assert_eq!(p.observe(200, None), None);
        assert_eq!(p.lock().spacing, s / 2);
        // Plenty left again: free.
        assert_eq!(
            p.observe(200, Some(&h(1.0, 0.9, None, None))),
            Some(Pace::Free)
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_delayed_answer_holds_every_request() {
        let p = Pacer::default();
        assert_eq!(
            p.observe(200, Some(&h(1.0, 0.0, Some(0.2), Some(0)))),
            Some(Pace::Held(Duration::from_millis(100)))
        );
        let t = Instant::now();
        p.wait().await;
        assert!(
            t.elapsed() >= Duration::from_millis(90),
            "{:?}",
            t.elapsed()
        );
        // A throttled answer without Retry-After holds too.
        let bare = RateLimitHeaders::read(&HeaderMap::new(), 429);
        assert_eq!(
            p.observe(429, bare.as_ref()),
            Some(Pace::Held(DEFAULT_HOLD))
        );
    }

    #[test]
    fn headers_are_read_as_documented() {
        let mut m = HeaderMap::new();
        m.insert("x-ratelimit-resource", "ATCPU".parse().unwrap());
        m.insert("x-ratelimit-limit", "200".parse().unwrap());
        m.insert("x-ratelimit-remaining", "12.5".parse().unwrap());
        m.insert("x-ratelimit-delay", "0.250".parse().unwrap());
        m.insert("retry-after", "3".parse().unwrap());
        let r = RateLimitHeaders::read(&m, 200).unwrap();
        assert_eq!(r.limit, Some(200.0));
        assert_eq!(r.remaining, Some(12.5));
        assert_eq!(r.delay, Some(Duration::from_millis(250)));
        assert_eq!(r.retry_after, Some(Duration::from_secs(3)));
        assert!(RateLimitHeaders::read(&HeaderMap::new(), 200).is_none());
    }
}
