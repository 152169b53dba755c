//! Way 2: get the owner's address into the directory, as a guest invited
//! by one of the person's Member identities or by an administrator.

use crate::domain::recover::assessment::{Way, WayId, WayStatus, way};
use crate::domain::recover::facts::{Facts, InTenant, Person, ext_upn_note};
use crate::domain::recover::messages::{ENTRA_ADMIN_CENTER, PROPAGATION_NOTE, invite_message};

pub(crate) fn invite_way(f: &Facts) -> Way {
    let id = WayId::InviteOwner;
    let tenant = f.tenant_name();
    let Some(owner) = f.owner_address() else {
        return way(
            id,
            WayStatus::NotApplicable,
            format!(
                "The owner could not be read: sign in with an identity of {tenant} so ado-entra can read it from the directory's list of organizations."
            ),
        );
    };
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "The organization is not connected to a directory.",
        );
    }
    if f.owner_is_personal() == Some(false) {
        return way(
            id,
            WayStatus::NotApplicable,
            format!("The owner {owner} is an account of {tenant}, not an outside address."),
        );
    }
    if let Some(inv) = &f.invitation
        && inv.address.eq_ignore_ascii_case(owner)
    {
        let mut w = match inv.accepted {
            Some(true) => way(
                id,
                WayStatus::Waiting,
                format!(
                    "{owner} accepted the invitation; Azure DevOps does not let them in yet. {PROPAGATION_NOTE}."
                ),
            ),
            _ => way(
                id,
                WayStatus::Waiting,
                format!(
                    "{owner} was invited to {tenant} on {} by {}; the invitation is not accepted yet.",
                    inv.at.format("%Y-%m-%d %H:%M UTC"),
                    inv.by
                ),
            ),
        };
        w.steps = vec![
            format!(
                "{owner} accepts it: open the invitation mail, or simply sign in to {tenant} with {owner} (`ado-entra recover --org {} --verify-owner` signs in, which accepts it, and checks until Azure DevOps lets them in).",
                f.org
            ),
            format!("{PROPAGATION_NOTE}: ado-entra keeps checking (--wait)."),
        ];
        w.command = Some(format!(
            "ado-entra recover --org {} --verify-owner --wait 3600",
            f.org
        ));
        return w;
    }
    match &f.owner_in_tenant {
        Some(t @ (InTenant::Member { .. } | InTenant::Guest { .. })) => {
            let mut why = format!(
                "{owner} is already {}: there is nothing to invite. The organization still refuses it because Azure DevOps never mapped the owner's user to that account, and only someone the organization lets in can map it (ways 3 to 5).",
                t.describe(&tenant)
            );
            if let Some(note) = t.upn().and_then(ext_upn_note) {
                why.push_str(&format!(" ({note}.)"));
            }
            way(id, WayStatus::NotNeeded, why)
        }
        Some(InTenant::Invited { .. }) => way(
            id,
            WayStatus::Waiting,
            format!("{owner} is invited to {tenant}; the invitation is not accepted yet."),
        ),
        Some(InTenant::Absent) => {
            let inviter = f
                .identities
                .iter()
                .find(|i| i.member() && !i.address.eq_ignore_ascii_case(owner));
            match inviter {
                Some(i) => {
                    let mut w = way(
                        id,
                        WayStatus::Available,
                        format!(
                            "{owner} has no account in {tenant}; {} is a Member there and may invite it as a guest.",
                            i.in_tenant.upn().unwrap_or(&i.address)
                        ),
                    );
                    w.steps = vec![
                        format!(
                            "Invite {owner} as a guest of {tenant} (ado-entra sends the invitation with {}).",
                            i.address
                        ),
                        format!("Sign in as {owner}: that accepts the invitation."),
                        format!(
                            "Wait until Azure DevOps lets {owner} in: {PROPAGATION_NOTE}; ado-entra checks with a countdown."
                        ),
                    ];
                    w.command = Some(format!(
                        "ado-entra recover --org {} --way invite-owner",
                        f.org
                    ));
                    w
                }
                None => {
                    let mut w = way(
                        id,
                        WayStatus::NeedsSomeone,
                        format!(
                            "{owner} has no account in {tenant}, and none of your identities may invite guests there."
                        ),
                    );
                    w.steps = vec![
                        format!(
                            "Ask an administrator of {tenant}{} to invite {owner}: {ENTRA_ADMIN_CENTER} > Users > All users > New user > Invite external user; Email: {owner}; Invite.",
                            admins_named(f)
                        ),
                        format!(
                            "Then sign in as {owner} (`ado-entra recover --org {} --verify-owner --wait 3600`): that accepts the invitation, and ado-entra checks until Azure DevOps lets you in.",
                            f.org
                        ),
                    ];
                    w.message = Some(invite_message(f, owner));
                    w
                }
            }
        }
        Some(InTenant::Unknown { reason }) => way(
            id,
            WayStatus::NeedsSomeone,
            format!(
                "Whether {owner} has an account in {tenant} could not be read ({reason}); ask an administrator of {tenant} to look it up, and to invite it as a guest if it is not there."
            ),
        ),
        None => way(
            id,
            WayStatus::NotApplicable,
            format!("Sign in with an identity of {tenant} so ado-entra can look {owner} up there."),
        ),
    }
}

fn admins_named(f: &Facts) -> String {
    let people: Vec<String> = f
        .who_can_help
        .global_administrators
        .people()
        .unwrap_or_default()
        .iter()
        .map(Person::label)
        .collect();
    if people.is_empty() {
        String::new()
    } else {
        format!(" ({})", people.join(", "))
    }
}
