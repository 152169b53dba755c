//! Who may run the operation, where, and with which names.
//!
//! - `names-valid`: the organization (and connector) names follow the Azure DevOps connector guide (Microsoft Learn: Azure SRE Agent),
//!   checked before any request goes out.
//! - `caller-is-admin`: the connect guide (Microsoft Learn, "Connect your organization to Microsoft Entra ID", <https://learn.microsoft.com/azure/devops/organizations/accounts/connect-organization-to-azure-ad>) requires a Project
//!   Collection Administrator; the owner always qualifies.
//! - `caller-is-member-of-destination`: the same guide requires membership of
//!   the destination tenant; a guest there can neither link the organization
//!   nor map users (api notes, issues #3642 and #10034).
//! - `caller-in-source-tenant`: when changing tenants, member or guest of the
//!   current tenant.
//! - `public-cloud`: the guide's note that Entra Government is unsupported.

use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Cloud, Facts, Membership, Operation, UserType};
use crate::domain::text::normalize_key;
use crate::domain::validate::{parse_org_name, validate_connector_name};

/// `names-valid`: the organization name and, if given, the connector name
/// are valid (the Azure DevOps connector guide, Microsoft Learn: Azure SRE Agent).
pub fn names_valid(facts: &Facts) -> CheckResult {
    const ID: &str = "names-valid";
    let mut errors = Vec::new();
    let mut evidence = Vec::new();
    match parse_org_name(&facts.org.name) {
        Ok(name) => evidence.push(format!("Organization name \"{name}\" is valid")),
        Err(e) => errors.push(e.to_string()),
    }
    if let Some(c) = &facts.connector_name {
        match validate_connector_name(c) {
            Ok(()) => evidence.push(format!("Connector name \"{c}\" is valid")),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        CheckResult::new(ID, Status::Pass, "Names are valid").evidence(evidence)
    } else {
        CheckResult::new(ID, Status::Fail, "A name is not valid")
            .evidence(errors)
            .fix(
                "Organization names: letters, digits and hyphens, starting with a letter or \
                 digit, not ending with a hyphen, at most 50 characters (the part after \
                 dev.azure.com/). Connector names: 3 to 32 letters, digits or hyphens, starting \
                 with a letter.",
            )
    }
}

/// `caller-is-admin`: the caller is a Project Collection Administrator or
/// the organization owner.
pub fn caller_is_admin(facts: &Facts) -> CheckResult {
    const ID: &str = "caller-is-admin";
    let caller = &facts.caller;
    let me = normalize_key(&caller.sign_in_name);
    let owner_by_email = facts.owner_email().map(|o| !me.is_empty() && o == me);
    let pca_by_descriptor = match (&caller.descriptor, &facts.org.pca_members) {
        (Some(d), Some(members)) => Some(members.iter().any(|m| m == d)),
        _ => None,
    };
    let is_owner = caller.is_owner.or(owner_by_email);
    let is_pca = caller.is_pca.or(pca_by_descriptor);
    let who = if caller.sign_in_name.trim().is_empty() {
        "The signed-in user".to_string()
    } else {
        caller.sign_in_name.trim().to_string()
    };
    let fix = "Ask the organization owner or a Project Collection Administrator to add you to \
               Organization settings > Permissions > Project Collection Administrators, or let \
               them run ado-entra.";
    match (is_owner, is_pca) {
        (Some(true), _) => CheckResult::new(ID, Status::Pass, "You own the organization")
            .evidence([format!("{who} is the organization owner")]),
        (_, Some(true)) => CheckResult::new(
            ID,
            Status::Pass,
            "You are a Project Collection Administrator",
        )
        .evidence([format!(
            "{who} is a member of [{}]\\Project Collection Administrators",
            facts.org.name
        )]),
        (Some(false), Some(false)) => CheckResult::new(
            ID,
            Status::Fail,
            "You are neither the owner nor a Project Collection Administrator",
        )
        .evidence([format!(
            "{who} is not the owner and not in [{}]\\Project Collection Administrators",
            facts.org.name
        )])
        .fix(fix),
        _ => CheckResult::unverified(ID, "whether you are a Project Collection Administrator")
            .evidence([format!(
                "Could not read the owner or the Project Collection Administrators for {who}"
            )])
            .fix(fix),
    }
}

pub(super) fn destination_label(facts: &Facts) -> String {
    match (&facts.destination_tenant, facts.operation.destination()) {
        (Some(t), _) => t.label(),
        (None, Some(id)) => id.to_string(),
        (None, None) => "the destination tenant".into(),
    }
}

/// `caller-is-member-of-destination`: the caller is a Member (not a Guest)
/// of the destination tenant.
pub fn caller_is_member_of_destination(facts: &Facts) -> CheckResult {
    caller_is_member_of_destination_with(&Ctx::new(facts))
}

pub(crate) fn caller_is_member_of_destination_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "caller-is-member-of-destination";
    let facts = ctx.facts;
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let caller = &facts.caller;
    let me = normalize_key(&caller.sign_in_name);
    // The index holds exactly the destination users (when they are known).
    let derived = ctx.index.as_ref().map(|index| {
        (!me.is_empty())
            .then(|| index.by_upn(&me).first().and_then(|&i| index.user(i)))
            .flatten()
            .map(|u| match u.user_type {
                UserType::Member => Membership::Member,
                UserType::Guest => Membership::Guest,
            })
            .unwrap_or(Membership::Absent)
    });
    let dest = destination_label(facts);
    let who = caller.sign_in_name.trim();
    match caller.destination_membership.or(derived) {
        Some(Membership::Member) => CheckResult::new(
            ID,
            Status::Pass,
            "You are a member of the destination tenant",
        )
        .evidence([format!("{who} is a Member of {dest}")]),
        Some(Membership::Guest) => CheckResult::new(
            ID,
            Status::Fail,
            "You are only a guest in the destination tenant",
        )
        .evidence([format!(
            "{who} is a Guest of {dest}; a guest can neither connect the organization nor map users"
        )])
        .fix(
            "Have an Entra administrator convert you to a member: Microsoft Entra admin center > \
             Users > All users > (you) > Properties > User type: Member. Or sign in with an \
             account that is a member.",
        ),
        Some(Membership::Absent) => CheckResult::new(
            ID,
            Status::Fail,
            "You are not in the destination tenant",
        )
        .evidence([format!("{who} was not found in {dest}")])
        .fix(
            "Ask an Entra administrator to add you as a member (Microsoft Entra admin center > \
             Users > All users > New user), then sign in with that account.",
        ),
        None => match &caller.destination_unreadable {
            Some(why) => CheckResult::unverified(ID, "your membership of the destination tenant")
                .evidence([format!("Could not read {dest}: {why}")])
                .fix(directory_sign_in_fix(facts)),
            None => CheckResult::unverified(ID, "your membership of the destination tenant")
                .evidence([format!("Could not read whether {who} belongs to {dest}")]),
        },
    }
    .evidence(read_as(facts))
}

/// The evidence line saying which account the destination was read as,
/// when it was not the caller's own sign-in.
fn read_as(facts: &Facts) -> Option<String> {
    facts.caller.destination_read_as.as_ref().map(|a| {
        format!(
            "{} was read as {a} (the directory session kept by `ado-entra login --directory`)",
            destination_label(facts)
        )
    })
}

/// What to do when the destination cannot be read with the caller's sign-in.
pub(crate) fn directory_sign_in_fix(facts: &Facts) -> String {
    let t = facts.operation.destination().unwrap_or("TENANT");
    format!(
        "Sign in to the destination with an account of it (your work account there), keeping \
         this sign-in for Azure DevOps: `ado-entra login --directory {t}`; then check again. \
         Azure DevOps still makes the change with the identity that owns the organization."
    )
}

/// `caller-in-source-tenant`: when changing tenants, the caller is a Member
/// or Guest of the current tenant. Skipped for other operations.
pub fn caller_in_source_tenant(facts: &Facts) -> CheckResult {
    const ID: &str = "caller-in-source-tenant";
    let Operation::ChangeTenant { from, .. } = &facts.operation else {
        return CheckResult::skip(ID, "Only applies when changing tenants");
    };
    let who = facts.caller.sign_in_name.trim();
    match facts.caller.source_membership {
        Some(m @ (Membership::Member | Membership::Guest)) => {
            CheckResult::new(ID, Status::Pass, "You belong to the current tenant").evidence([
                format!(
                    "{who} is a {} of the current tenant {from}",
                    if m == Membership::Member {
                        "Member"
                    } else {
                        "Guest"
                    }
                ),
            ])
        }
        Some(Membership::Absent) => CheckResult::new(
            ID,
            Status::Fail,
            "You are not in the current tenant",
        )
        .evidence([format!("{who} was not found in the current tenant {from}")])
        .fix(
            "Sign in with an account of the current tenant, or ask its administrator to add or \
             invite you (Microsoft Entra admin center > Users).",
        ),
        None => CheckResult::unverified(ID, "your membership of the current tenant")
            .evidence([format!("Could not read whether {who} belongs to {from}")]),
    }
}

/// `public-cloud`: the destination tenant is in Microsoft Entra public
/// cloud (Government is unsupported: Fail; unknown: Warn).
pub fn public_cloud(facts: &Facts) -> CheckResult {
    const ID: &str = "public-cloud";
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let dest = destination_label(facts);
    match facts.destination_tenant.as_ref().map(|t| t.cloud) {
        Some(Cloud::Public) => {
            CheckResult::new(ID, Status::Pass, "The destination tenant is in Entra public cloud")
                .evidence([format!("{dest} is a Microsoft Entra public cloud tenant")])
        }
        Some(Cloud::Government) => CheckResult::new(
            ID,
            Status::Fail,
            "The destination tenant is in Entra Government, which Azure DevOps Services does not support",
        )
        .evidence([format!("{dest} is a Microsoft Entra Government tenant")])
        .fix("Choose a tenant in Microsoft Entra public cloud."),
        Some(Cloud::Unknown) | None => {
            CheckResult::unverified(ID, "which cloud the destination tenant is in")
                .evidence([format!("The cloud of {dest} is unknown")])
                .fix("Confirm in the Microsoft Entra admin center that the tenant is not a Government tenant.")
        }
    }
}
