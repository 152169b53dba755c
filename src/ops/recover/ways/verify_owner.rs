//! After a way: sign in afresh as the owner and verify, checking again until
//! Azure DevOps lets them in or the wait is over.

use super::{Action, Outcome, WayOptions, after, poll, say};
use crate::domain::recover::{self as domain, PROPAGATION_NOTE, WayId, WayStatus};
use crate::ops::model::{Events, Problem};
use crate::ops::session::Session;
use crate::ops::{advice, change, verify};

/// Sign in afresh (as the owner) and verify; keep checking while the
/// organization refuses, up to `opts.wait` (an Entra change can take up to
/// an hour to reach Azure DevOps).
pub(super) async fn verify_owner(
    s: &Session,
    org: &str,
    tenant: Option<String>,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let c = s.clients(events).await?;
    let backing = change::backing(&c, org)
        .await
        .map_err(|e| advice::change(&e))?;
    let tenant = tenant.unwrap_or_else(|| {
        backing
            .tenant_id()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "consumers".into())
    });
    say(
        events,
        format!(
            "Sign in afresh as the owner (at {tenant}); signing in also accepts a pending invitation."
        ),
    );
    let mut verified = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    if !verified.ok() && !opts.wait.is_zero() {
        let c = s.clients(events).await?;
        let who = verify::signed_in(&c)
            .await
            .ok_or_else(|| Problem::msg("Not signed in."))?;
        let jdir = s.state_paths().journal_dir();
        let identity = verified.identity.clone();
        let shown = crate::domain::text::guest_home_address(&identity.upn)
            .unwrap_or_else(|| identity.upn.clone());
        say(
            events,
            format!("{PROPAGATION_NOTE}; checking again until it does."),
        );
        if let Some(v) = poll(&format!("'{org}' to let {shown} in"), opts, events, || {
            let (c, who, jdir) = (c.clone(), who.clone(), jdir.clone());
            async move {
                let v = verify::verify(&c, org, who, &jdir).await;
                Ok(v.ok().then_some(v))
            }
        })
        .await?
        {
            verified = crate::ops::session::verify_report(identity, v);
        }
    }
    let report = after(s, org, events).await?;
    let ok = verified.ok();
    let is_owner = report.current().and_then(|i| i.is_owner) == Some(true);
    let who = crate::domain::text::guest_home_address(&verified.identity.upn)
        .map(|home| format!("{home} (as {})", verified.identity.upn))
        .unwrap_or_else(|| verified.identity.upn.clone());
    let summary = match (ok, is_owner) {
        (true, true) => format!("Verified with a fresh sign-in: '{org}' answers {who}, its owner."),
        (true, false) => format!(
            "'{org}' answers {who}, who is not its owner ({}).",
            report.facts.owner_address().unwrap_or("unknown")
        ),
        (false, _) => format!(
            "'{org}' still refuses {who} ({}). {PROPAGATION_NOTE}: run this again with --wait 3600 to keep checking.",
            verified.access.name()
        ),
    };
    let waiting = report
        .way(WayId::InviteOwner)
        .is_some_and(|w| w.status == WayStatus::Waiting);
    Ok(Outcome {
        action: Action::VerifyOwner {
            tenant: Some(tenant),
        },
        ok,
        status: match (ok, waiting) {
            (true, _) => WayStatus::Done,
            (false, true) => WayStatus::Waiting,
            (false, false) => WayStatus::Failed,
        },
        next: if ok {
            domain::handover_after(&report.facts, WayId::InviteOwner)
        } else {
            vec![format!("ado-entra recover --org {org}")]
        },
        summary,
        file: None,
        message: None,
        verified: Some(verified),
        report,
    })
}
