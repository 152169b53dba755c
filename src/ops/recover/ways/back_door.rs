//! Way 3: the original owner's personal account disconnects the directory,
//! through the API or on the back-door page while the organization is watched.

use chrono::Utc;
use serde_json::json;

use super::{Action, Outcome, Start, WayOptions, after, begin, jerr, journal, note, poll, say};
use crate::client::models::ado::OrgTenant;
use crate::client::{ClientError, Clients};
use crate::domain::journal::Record as JournalRecord;
use crate::domain::recover::{self as domain, Kind, WayId, WayStatus};
use crate::ops::model::{Events, Problem};
use crate::ops::session::Session;
use crate::ops::{advice, change};

/// Whether the anonymous probe shows `org` disconnected.
async fn disconnected(c: &Clients, org: &str) -> Result<bool, ClientError> {
    Ok(matches!(
        c.ado.probe_tenant(org).await?.tenant,
        OrgTenant::Msa
    ))
}

/// Way 3: the original owner's personal account disconnects the directory,
/// through the API when it accepts that sign-in, else on the page while
/// the organization is watched.
pub(super) async fn back_door(
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
    if me.kind != Kind::Personal {
        return Err(Problem {
            next_step: Some(
                "Sign in with the owner's personal Microsoft account: `ado-entra login --tenant consumers`, then run this again.".into(),
            ),
            ..Problem::msg(format!(
                "The back door takes the personal Microsoft account the organization was created with; {} is a work account.",
                me.address
            ))
        });
    }
    let lock = change::lock(
        &s.state_paths().lock_dir(),
        org,
        &format!("ado-entra recover (back-door '{org}')"),
    )
    .map_err(|e| advice::change(&e))?;
    let mut j = journal(
        s,
        org,
        json!({"way": WayId::BackDoor.name(), "as": me.address, "from": tenant}),
    )
    .map_err(jerr)?;
    j.intent(
        "disconnect",
        json!({"tenant": "00000000-0000-0000-0000-000000000000"}),
        Utc::now(),
    )
    .map_err(jerr)?;
    say(
        events,
        format!(
            "Asking Azure DevOps to disconnect '{org}' as {}…",
            me.address
        ),
    );
    let sent = c.ado.disconnect_tenant(org).await;
    j.outcome(
        "disconnect",
        sent.as_ref().map(|_| ()).map_err(|e| e.to_string()),
        Utc::now(),
    )
    .map_err(jerr)?;
    let by_api = sent.is_ok()
        && disconnected(&c, org)
            .await
            .map_err(|e| advice::client(&e))?;
    let landed = if by_api {
        true
    } else {
        if let Err(e) = &sent {
            say(
                events,
                format!(
                    "The API refused {} ({}). Do it on the page instead:",
                    me.address,
                    e.code().unwrap_or("refused")
                ),
            );
        }
        if let Some(w) = before.way(WayId::BackDoor) {
            for (i, step) in w.steps.iter().enumerate() {
                say(events, format!("  {}. {step}", i + 1));
            }
        }
        poll(
            &format!("'{org}' to be disconnected from {tname}"),
            opts,
            events,
            || async {
                disconnected(&c, org)
                    .await
                    .map(|d| d.then_some(()))
                    .map_err(|e| advice::client(&e))
            },
        )
        .await?
        .is_some()
    };
    j.append(&JournalRecord::Verified {
        step: "disconnect".into(),
        at: Utc::now(),
        landed,
    })
    .map_err(jerr)?;
    let summary = match (landed, by_api) {
        (true, true) => format!(
            "'{org}' is disconnected from {tname} (the API accepted {}).",
            me.address
        ),
        (true, false) => format!("'{org}' is disconnected from {tname} (on the page)."),
        (false, _) => format!(
            "'{org}' is still connected to {tname}: the API refused {}{} and the page did not disconnect it{}.",
            me.address,
            sent.as_ref()
                .err()
                .and_then(|e| e.code())
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            if opts.wait.is_zero() {
                String::new()
            } else {
                format!(" within {} min", opts.wait.as_secs().div_ceil(60))
            }
        ),
    };
    j.append(&JournalRecord::End {
        at: Utc::now(),
        summary: summary.clone(),
    })
    .map_err(jerr)?;
    drop(lock);
    note(s, org, WayId::BackDoor, landed, &summary);
    if !landed {
        let report = after(s, org, events).await?;
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::BackDoor,
            },
            ok: false,
            status: WayStatus::Failed,
            summary,
            next: vec![
                format!(
                    "If the page did not offer it, go on: `ado-entra recover --org {org}` shows ways 4 and 5."
                ),
                format!(
                    "Or try again and keep watching longer: ado-entra recover --org {org} --way back-door --wait 900"
                ),
            ],
            file: None,
            message: None,
            verified: None,
            report,
        });
    }
    say(
        events,
        format!(
            "{summary} Now sign in afresh with {} to verify.",
            me.address
        ),
    );
    let verified = s
        .sign_out_and_verify(org, Some("consumers"), events)
        .await?;
    let report = after(s, org, events).await?;
    let ok = verified.ok();
    Ok(Outcome {
        action: Action::Way {
            way: WayId::BackDoor,
        },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Waiting
        },
        next: domain::handover_after(&before.facts, WayId::BackDoor),
        summary: if ok {
            format!(
                "{summary} Verified: '{org}' answers {}.",
                verified.identity.upn
            )
        } else {
            format!(
                "{summary} The fresh sign-in as {} is still refused ({}); run `ado-entra recover --org {org} --verify-owner --tenant consumers` again in a moment.",
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
