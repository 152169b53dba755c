//! Way 1: sign in again where the organization lets the person in, and verify.

use super::{Action, Outcome, after, current, note, say};
use crate::domain::recover::{self as domain, WayId, WayStatus};
use crate::domain::verify::Access;
use crate::ops::model::{Events, Problem};
use crate::ops::session::Session;

/// Way 1: sign in again where the organization lets the person in, and verify.
pub(super) async fn sign_in(s: &Session, org: &str, events: &Events) -> Result<Outcome, Problem> {
    let (_, before) = current(s, org, events).await?;
    let Access::WrongSignIn { needs } = &before.assessment.state else {
        return Err(Problem::msg(format!(
            "Signing in again is not the way back here: {}",
            before.assessment.headline
        )));
    };
    let tenant = needs
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "consumers".into());
    say(
        events,
        format!("Signing in afresh in {tenant}, then verifying."),
    );
    let report = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    let ok = report.ok();
    let summary = if ok {
        format!("Verified: '{org}' answers {}.", report.identity.upn)
    } else {
        format!(
            "'{org}' still refuses {} ({}).",
            report.identity.upn,
            report.access.name()
        )
    };
    note(s, org, WayId::SignIn, ok, &summary);
    let report_after = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way { way: WayId::SignIn },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Failed
        },
        next: if ok {
            domain::handover_after(&report_after.facts, WayId::SignIn)
        } else {
            vec![format!(
                "Run `ado-entra recover --org {org}` again to see the other ways."
            )]
        },
        summary,
        file: None,
        message: None,
        verified: Some(report),
        report: report_after,
    })
}
