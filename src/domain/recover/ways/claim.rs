//! Way 4: an Azure DevOps Administrator of the directory claims ownership
//! (Microsoft Learn, "Assign an owner to an orphaned organization").

use crate::domain::recover::assessment::{Way, WayId, WayStatus, way};
use crate::domain::recover::facts::{Facts, Holders, Person};
use crate::domain::recover::messages::{
    ENTRA_ADMIN_CENTER, ORPHANED_DOC, claim_message, handover_after,
};

pub(crate) fn claim_way(f: &Facts) -> Way {
    let id = WayId::ClaimOwnership;
    let tenant = f.tenant_name();
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "Only an organization connected to a directory can be claimed.",
        );
    }
    if let Some(t) = f.last_try(id)
        && t.ok
    {
        let mut w = way(id, WayStatus::Done, t.outcome.clone());
        w.steps = handover_after(f, id);
        return w;
    }
    if let Some(pcas) = f.who_can_help.project_collection_administrators.people()
        && !pcas.is_empty()
    {
        let names: Vec<String> = pcas.iter().map(Person::label).collect();
        let mut w = way(
            id,
            WayStatus::NeedsSomeone,
            format!(
                "The organization is not orphaned: {} still get in as Project Collection Administrators, so it cannot be claimed. Ask them instead.",
                names.join(", ")
            ),
        );
        w.steps = vec![format!(
            "Ask {} to map the owner's user to their Entra identity (Organization settings > Microsoft Entra > Resolve, or `ado-entra resolve --org {}`).",
            names.join(", "),
            f.org
        )];
        return w;
    }
    let mine = f.identities.iter().find(|i| i.azure_devops_administrator);
    if let Some(i) = mine {
        let who = i.in_tenant.upn().unwrap_or(&i.address).to_string();
        let mut w = way(
            id,
            WayStatus::Available,
            format!(
                "{who} holds the Azure DevOps Administrator role of {tenant}: it can claim ownership."
            ),
        );
        w.steps = claim_steps(f, &who);
        w.command = Some(format!(
            "ado-entra recover --org {} --way claim-ownership --wait 900",
            f.org
        ));
        return w;
    }
    let ado = &f.who_can_help.azure_devops_administrators;
    let mut w = match ado {
        Holders::Read { people, .. } if !people.is_empty() => {
            let names: Vec<String> = people.iter().map(Person::label).collect();
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "{} {} the Azure DevOps Administrator role of {tenant} and can claim ownership.",
                    names.join(", "),
                    if names.len() == 1 { "holds" } else { "hold" }
                ),
            );
            w.steps = vec![
                format!(
                    "Send {} the message ado-entra writes for you: ado-entra recover --org {} --way claim-ownership",
                    names.join(", "),
                    f.org
                ),
                "Once they have claimed it, they add you back (or make you owner again).".into(),
            ];
            w.message = Some(claim_message(f, people));
            w
        }
        Holders::Read { .. } => {
            let globals = f
                .who_can_help
                .global_administrators
                .people()
                .unwrap_or_default();
            let names: Vec<String> = globals.iter().map(Person::label).collect();
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "Nobody holds the Azure DevOps Administrator role of {tenant}. A Global Administrator{} or Privileged Role Administrator can assign it; the holder then claims ownership.",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", names.join(", "))
                    }
                ),
            );
            w.steps = vec![
                format!(
                    "Ask them to assign the Azure DevOps Administrator role ({ENTRA_ADMIN_CENTER} > Roles & admins > Azure DevOps Administrator > Add assignments). Role changes can take up to an hour to reach Azure DevOps."
                ),
                "Then the role holder claims ownership (the message below explains how).".into(),
            ];
            w.message = Some(claim_message(f, globals));
            w
        }
        Holders::Unreadable { by, reason } => {
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "{by} may not read who holds {tenant}'s roles ({reason}). Find the Azure DevOps Administrator in {ENTRA_ADMIN_CENTER} > Roles & admins > Azure DevOps Administrator, or ask your IT department."
                ),
            );
            w.message = Some(claim_message(f, &[]));
            w
        }
        Holders::NotChecked { reason } => {
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "The Azure DevOps Administrators of {tenant} were not read ({reason}). Sign in with an identity of {tenant} and run this again, or ask your IT department who holds that role."
                ),
            );
            w.message = Some(claim_message(f, &[]));
            w
        }
    };
    w.steps.push(format!("Microsoft Learn: {ORPHANED_DOC}"));
    w
}

fn claim_steps(f: &Facts, who: &str) -> Vec<String> {
    vec![
        format!("Open {} in a browser signed in as {who}.", f.urls.org),
        "On the error page select Claim Ownership (already a member? Organization settings > Overview > Change owner).".into(),
        format!(
            "Justification: \"The owner {} is locked out after connecting {} to Microsoft Entra ID; restoring access.\" Then select Claim Ownership again.",
            f.owner_address().unwrap_or("of the organization"),
            f.org
        ),
        "ado-entra checks the organization while you do and continues once it lets you in.".into(),
    ]
}
