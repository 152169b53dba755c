//! Way 4: an Azure DevOps Administrator claims ownership, walked through and
//! verified; anyone else gets the message to send.

use super::{Action, Outcome, Start, WayOptions, after, begin, note, poll, say};
use crate::domain::recover::{self as domain, WayId, WayStatus};
use crate::ops::model::{Events, Problem};
use crate::ops::recover::clients_in_tenant;
use crate::ops::session::Session;
use crate::ops::{advice, verify};

/// Way 4: an Azure DevOps Administrator of the directory claims ownership
/// (walked through, then verified); anyone else gets the message to send.
pub(super) async fn claim(
    s: &Session,
    org: &str,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let Start {
        c,
        before,
        tenant,
        tname,
        me,
    } = begin(s, org, events).await?;
    let way = before
        .way(WayId::ClaimOwnership)
        .cloned()
        .ok_or_else(|| Problem::msg("No claim-ownership way."))?;
    if !me.azure_devops_administrator {
        let file = match &way.message {
            Some(m) => Some(
                s.write_private_file(&format!("claim-message-{org}.txt"), m.clone())
                    .await?,
            ),
            None => None,
        };
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::ClaimOwnership,
            },
            ok: false,
            status: way.status,
            summary: way.why.clone(),
            next: way.steps.clone(),
            file,
            message: way.message.clone(),
            verified: None,
            report: before,
        });
    }
    let ct = if me.home_tenant.as_deref() == Some(tenant.as_str()) {
        c.clone()
    } else {
        clients_in_tenant(&c, &tenant)
            .await
            .map_err(|e| advice::client(&e))?
    };
    let who = verify::signed_in(&ct)
        .await
        .ok_or_else(|| Problem::msg("Not signed in."))?;
    let upn = who.address().unwrap_or_default().to_string();
    say(
        events,
        format!("{upn} holds the Azure DevOps Administrator role of {tname}. Claim ownership:"),
    );
    for (i, step) in way.steps.iter().enumerate() {
        say(events, format!("  {}. {step}", i + 1));
    }
    let jdir = s.state_paths().journal_dir();
    let claimed = poll(
        &format!("'{org}' to let {upn} in as its owner"),
        opts,
        events,
        || {
            let (ct, who, jdir, upn) = (ct.clone(), who.clone(), jdir.clone(), upn.clone());
            async move {
                let v = verify::verify(&ct, org, who, &jdir).await;
                if !v.ok() {
                    return Ok(None);
                }
                let owner = ct.ado.owner(org).await.ok().and_then(|o| o.email);
                Ok(owner
                    .is_some_and(|o| o.eq_ignore_ascii_case(&upn))
                    .then_some(()))
            }
        },
    )
    .await?
    .is_some();
    let summary = if claimed {
        format!("{upn} is now the owner of '{org}'.")
    } else {
        format!(
            "'{org}' does not let {upn} in as its owner yet{}; claim it on the page, then run this again.",
            if opts.wait.is_zero() {
                String::new()
            } else {
                format!(" after {} min", opts.wait.as_secs().div_ceil(60))
            }
        )
    };
    note(s, org, WayId::ClaimOwnership, claimed, &summary);
    if !claimed {
        let report = after(s, org, events).await?;
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::ClaimOwnership,
            },
            ok: false,
            status: WayStatus::Waiting,
            summary,
            next: way.steps.clone(),
            file: None,
            message: way.message.clone(),
            verified: None,
            report,
        });
    }
    say(
        events,
        format!("{summary} Now sign in afresh as {upn} to verify."),
    );
    let verified = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    let ok = verified.ok()
        && verified
            .owner
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(&verified.identity.upn));
    let report = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way {
            way: WayId::ClaimOwnership,
        },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Waiting
        },
        next: domain::handover_after(&before.facts, WayId::ClaimOwnership),
        summary: if ok {
            format!("{summary} Verified with a fresh sign-in.")
        } else {
            format!(
                "{summary} The fresh sign-in as {} does not show it yet ({}).",
                verified.identity.upn,
                verified.access.name()
            )
        },
        file: None,
        message: None,
        verified: Some(verified),
        report,
    })
}
