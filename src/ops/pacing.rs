//! Rate-limit pacing in words, for every surface: the client slows down
//! when Azure DevOps says the identity's budget is running low (see
//! `client::pace`), and people should see why things go slower.

use crate::client::ClientEvent;
use crate::client::pace::Pace;

/// What a pacing change means to a person: `Some(Some(text))` when
/// requests are slowed, `Some(None)` when they go at full speed again,
/// `None` for any other event.
pub fn note(ev: &ClientEvent) -> Option<Option<String>> {
    let ClientEvent::Pacing {
        pace,
        resource,
        remaining,
        limit,
        ..
    } = ev
    else {
        return None;
    };
    let budget = match (remaining, limit) {
        (Some(r), Some(l)) => format!("{} of {} TSTUs left", tstu(*r), tstu(*l)),
        _ => "budget spent".to_string(),
    };
    let resource = resource
        .as_deref()
        .map(|r| format!(", {r}"))
        .unwrap_or_default();
    Some(match pace {
        Pace::Free => None,
        Pace::Spaced(d) => Some(format!(
            "Azure DevOps rate limit near ({budget}{resource}): slowing down, one request every {:.2} s",
            d.as_secs_f64()
        )),
        Pace::Held(d) => Some(format!(
            "Azure DevOps is delaying our requests ({budget}{resource}): pausing every request for {:.1} s",
            d.as_secs_f64()
        )),
    })
}

fn tstu(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches(".0").to_string()
}

/// Print every pacing change of `clients` on stderr while the returned
/// task runs (headless commands; stdout stays for the result).
pub fn print_on_stderr(clients: &crate::client::Clients) -> tokio::task::JoinHandle<()> {
    let mut rx = clients.core.subscribe();
    tokio::spawn(async move {
        while let Ok(ev) = rx.recv().await {
            match note(&ev) {
                Some(Some(text)) => eprintln!("{text}"),
                Some(None) => eprintln!("Azure DevOps rate limit: back to full speed"),
                None => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pacing_reads_as_a_sentence() {
        let ev = |pace| ClientEvent::Pacing {
            host: "vsaex".into(),
            pace,
            resource: Some("ATCPU".into()),
            remaining: Some(42.0),
            limit: Some(200.0),
        };
        let spaced = note(&ev(Pace::Spaced(Duration::from_millis(400))))
            .unwrap()
            .unwrap();
        assert!(
            spaced.contains("42 of 200 TSTUs left") && spaced.contains("0.40 s"),
            "{spaced}"
        );
        let held = note(&ev(Pace::Held(Duration::from_secs(3))))
            .unwrap()
            .unwrap();
        assert!(held.contains("pausing every request for 3.0 s"), "{held}");
        assert_eq!(note(&ev(Pace::Free)), Some(None));
        assert_eq!(
            note(&ClientEvent::TokenRefreshed {
                resource: crate::client::auth::Resource::Graph
            }),
            None
        );
    }
}
