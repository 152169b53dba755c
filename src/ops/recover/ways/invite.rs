//! Way 2: invite the owner's address as a guest, exactly once, journaled
//! under the lock, then wait for the invitation to be accepted.

use chrono::Utc;
use serde_json::json;

use super::{Action, Outcome, Start, WayOptions, after, begin, jerr, journal, note, poll, say};
use crate::domain::journal::Record as JournalRecord;
use crate::domain::recover::{Invitation, PROPAGATION_NOTE, WayId, WayStatus};
use crate::ops::model::{Events, Problem};
use crate::ops::recover::{clients_in_tenant, record};
use crate::ops::session::Session;
use crate::ops::{advice, change};

/// Way 2: invite the owner's address as a guest (once), and wait for the
/// invitation to be accepted.
pub(super) async fn invite(
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
    let owner = before.facts.owner_address().map(str::to_string).ok_or_else(|| {
        Problem::msg(format!(
            "The owner of '{org}' could not be read: sign in with an identity of {tname} (`ado-entra login --tenant {tenant}`) and run `ado-entra recover --org {org}` first."
        ))
    })?;
    if !me.member() {
        return Err(Problem {
            next_step: Some(format!(
                "Sign in with a Member of {tname} (`ado-entra login --tenant {tenant}`), or ask an administrator of {tname} to invite {owner} (Users > New user > Invite external user)."
            )),
            ..Problem::msg(format!(
                "{} is not a Member of {tname}, so it may not invite guests there.",
                me.address
            ))
        });
    }
    let ct = if me.home_tenant.as_deref() == Some(tenant.as_str()) {
        c.clone()
    } else {
        clients_in_tenant(&c, &tenant)
            .await
            .map_err(|e| advice::client(&e))?
    };
    let lock = change::lock(
        &s.state_paths().lock_dir(),
        org,
        &format!("ado-entra recover (invite-owner '{org}')"),
    )
    .map_err(|e| advice::change(&e))?;
    // Exactly once: an account already there is never invited again.
    let existing = ct
        .graph
        .find_users_by_email(&owner)
        .await
        .map_err(|e| advice::client(&e))?;
    let user_id = match existing.into_iter().next() {
        Some(u)
            if !u
                .user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("guest")) =>
        {
            drop(lock);
            return Err(Problem::msg(format!(
                "{owner} is already a Member of {tname} ({}): there is nothing to invite.",
                u.user_principal_name.unwrap_or_default()
            )));
        }
        Some(u) => {
            say(
                events,
                format!("{owner} is already invited to {tname}; not sending it again."),
            );
            u.id
        }
        None => {
            let step = format!("invite:{}", owner.to_ascii_lowercase());
            let mut j = journal(
                s,
                org,
                json!({"way": WayId::InviteOwner.name(), "address": owner, "tenant": tenant, "by": me.address}),
            )
            .map_err(jerr)?;
            j.intent(&step, json!({"address": owner}), Utc::now())
                .map_err(jerr)?;
            say(events, format!("Inviting {owner} as a guest of {tname}…"));
            let sent = ct
                .graph
                .invite(&owner, None, &before.facts.urls.org, true)
                .await;
            j.outcome(
                &step,
                sent.as_ref().map(|_| ()).map_err(|e| e.to_string()),
                Utc::now(),
            )
            .map_err(jerr)?;
            let summary = match &sent {
                Ok(_) => format!("invited {owner} to {tname}"),
                Err(e) => format!("the invitation of {owner} failed: {e}"),
            };
            j.append(&JournalRecord::End {
                at: Utc::now(),
                summary,
            })
            .map_err(jerr)?;
            let inv = sent.map_err(|e| advice::client(&e))?;
            inv.invited_user.map(|u| u.id).unwrap_or_default()
        }
    };
    drop(lock);
    let mut rec = record::load(s.state_paths(), org);
    rec.invitation = Some(Invitation {
        address: owner.clone(),
        user_id: user_id.clone(),
        tenant: tenant.clone(),
        by: me.address.clone(),
        at: Utc::now(),
        accepted: Some(false),
    });
    record::save(s.state_paths(), &rec).map_err(Problem::msg)?;
    note(
        s,
        org,
        WayId::InviteOwner,
        true,
        &format!("invited {owner} as a guest of {tname} with {}", me.address),
    );
    say(
        events,
        format!("{owner} accepts it by signing in to {tname} (or from the invitation mail)."),
    );
    let accepted = poll(
        &format!("{owner} to accept the invitation"),
        opts,
        events,
        || {
            let (g, id) = (ct.graph.clone(), user_id.clone());
            async move {
                g.guest_state(&id)
                    .await
                    .map(|st| st.accepted().then_some(()))
                    .map_err(|e| advice::client(&e))
            }
        },
    )
    .await?
    .is_some();
    let mut rec = record::load(s.state_paths(), org);
    if let Some(i) = rec.invitation.as_mut() {
        i.accepted = Some(accepted);
    }
    record::save(s.state_paths(), &rec).map_err(Problem::msg)?;
    let report = after(s, org, events).await?;
    let verify_cmd = format!("ado-entra recover --org {org} --verify-owner --wait 3600");
    Ok(Outcome {
        action: Action::Way {
            way: WayId::InviteOwner,
        },
        ok: true,
        status: WayStatus::Waiting,
        summary: if accepted {
            format!(
                "{owner} accepted the invitation. Now sign in as {owner} and verify; {PROPAGATION_NOTE}."
            )
        } else {
            format!("The invitation to {owner} is sent; it is not accepted yet.")
        },
        next: vec![
            format!(
                "Sign in as {owner} and verify (signing in accepts the invitation): {verify_cmd}"
            ),
            format!("{PROPAGATION_NOTE}: --wait keeps checking."),
        ],
        file: None,
        message: None,
        verified: None,
        report,
    })
}
