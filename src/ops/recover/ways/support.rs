//! Way 5: the support package, written to a private file.

use chrono::Utc;

use super::{Action, Outcome, after, current, note};
use crate::domain::recover::{self as domain, WayId, WayStatus};
use crate::ops::model::{Events, Problem};
use crate::ops::session::Session;

/// Way 5: the support package, written to a file.
pub(super) async fn support(s: &Session, org: &str, events: &Events) -> Result<Outcome, Problem> {
    let (_, before) = current(s, org, events).await?;
    let now = Utc::now();
    let text = domain::support_package(&before.facts, &before.assessment, &before.probes, now);
    let path = s
        .write_private_file(
            &format!("support-{org}-{}.txt", now.format("%Y%m%d-%H%M%S")),
            text.clone(),
        )
        .await?;
    let summary = format!("Support package written to {path}.");
    note(s, org, WayId::Support, true, &summary);
    let report = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way {
            way: WayId::Support,
        },
        ok: true,
        status: WayStatus::Done,
        summary,
        next: vec![format!(
            "Open a request at {} and attach {path}.",
            domain::SUPPORT_URL
        )],
        file: Some(path),
        message: Some(text),
        verified: None,
        report,
    })
}
