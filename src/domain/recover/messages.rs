//! What people are told beyond a way's own steps: the addresses the steps
//! point to, the messages to send an administrator, and what to do after a
//! way worked.

use super::assessment::WayId;
use super::facts::{Facts, Person};

/// Microsoft Learn: an owner without administrators can be replaced by the
/// directory's Azure DevOps Administrator.
pub const ORPHANED_DOC: &str =
    "https://learn.microsoft.com/azure/devops/organizations/accounts/resolve-orphaned-organization";
/// Microsoft Learn: Entra changes can take up to an hour to show in Azure DevOps.
pub const PROPAGATION_NOTE: &str =
    "Microsoft says changes in Microsoft Entra ID can take up to an hour to show in Azure DevOps";
/// Where Azure DevOps support takes requests.
pub const SUPPORT_URL: &str = "https://azure.microsoft.com/support/devops/";
/// The Entra admin center.
pub const ENTRA_ADMIN_CENTER: &str = "https://entra.microsoft.com";

/// The message asking `people` (Azure DevOps Administrators, or Global
/// Administrators who can assign that role) to claim ownership.
pub fn claim_message(f: &Facts, people: &[Person]) -> String {
    let org = &f.org;
    let tenant = f.tenant_name();
    let tenant_id = f
        .tenant
        .as_ref()
        .map(|t| t.id.as_str())
        .unwrap_or("unknown");
    let owner = f.owner_address().unwrap_or("(unknown)");
    let hello = if people.is_empty() {
        "Hello,".to_string()
    } else {
        format!(
            "Hello {},",
            people
                .iter()
                .map(|p| if p.display_name.trim().is_empty() {
                    p.address.clone()
                } else {
                    p.display_name.clone()
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "Subject: Please claim ownership of the Azure DevOps organization {org}\n\n\
         {hello}\n\n\
         The Azure DevOps organization {org} ({url}) is connected to our Microsoft Entra directory {tenant} ({tenant_id}). \
         Its owner, {owner}, can no longer sign in to it, and no Project Collection Administrator can either, so nobody can change its owner.\n\n\
         An Azure DevOps Administrator of {tenant} can take ownership (Microsoft Learn, \"Assign an owner to an orphaned organization\": {ORPHANED_DOC}). \
         If nobody holds that role, a Global Administrator can assign it first (Roles & admins > Azure DevOps Administrator; it can take up to an hour to reach Azure DevOps).\n\n\
         1. Sign in to {url} with your {tenant} account.\n\
         2. On the error page select Claim Ownership (if you are already a member: Organization settings > Overview > Change owner).\n\
         3. Justification: \"The owner {owner} is locked out after connecting {org} to Microsoft Entra ID; restoring access.\"\n\
         4. Then give access back to {owner}: map their user to their Entra identity (Organization settings > Microsoft Entra > Resolve, or `ado-entra resolve --org {org}`), and make them owner again if that is the plan.\n\n\
         Thank you.\n",
        url = f.urls.org,
    )
}

pub(super) fn invite_message(f: &Facts, owner: &str) -> String {
    let tenant = f.tenant_name();
    format!(
        "Subject: Please invite {owner} as a guest of {tenant}\n\n\
         Hello,\n\n\
         The Azure DevOps organization {org} ({url}) is connected to {tenant}, and its owner {owner} has no account there, so it cannot sign in. \
         Please invite {owner} as a guest: {ENTRA_ADMIN_CENTER} > Users > All users > New user > Invite external user; Email: {owner}; Invite.\n\n\
         Thank you.\n",
        org = f.org,
        url = f.urls.org,
    )
}

/// What to do after `way` worked, so it does not happen twice.
pub fn handover_after(f: &Facts, way: WayId) -> Vec<String> {
    let org = &f.org;
    let tenant = f
        .tenant
        .as_ref()
        .map(|t| t.id.clone())
        .or_else(|| f.last_tenant.clone())
        .unwrap_or_else(|| "TENANT".into());
    let owner = f.owner_address().unwrap_or("the owner");
    match way {
        WayId::SignIn | WayId::InviteOwner => vec![
            format!("Check the rest of the organization: ado-entra check --org {org}"),
            format!("Reconnect anyone else left out: ado-entra resolve --org {org}"),
        ],
        WayId::BackDoor => vec![
            format!(
                "Before connecting again, give {owner} an identity the directory can map: a Member whose UPN is the address you sign in with, or invite {owner} as a guest."
            ),
            format!("Then prove nobody is locked out: ado-entra check --org {org} --to {tenant}"),
            format!("And connect: ado-entra connect --org {org} --to {tenant}"),
        ],
        WayId::ClaimOwnership => vec![
            format!("Map {owner}'s user to their Entra identity: ado-entra resolve --org {org}"),
            "Make them owner again if that is the plan: Organization settings > Overview > Change owner.".into(),
        ],
        WayId::Support => Vec::new(),
    }
}
