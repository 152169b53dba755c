//! The destination directory itself:
//!
//! - `unverified-domains`: a user can keep access only through an account
//!   whose UPN is their address, and a UPN can only be on a domain the
//!   tenant has verified (Microsoft Entra, "Add your custom domain name").
//!   Addresses on other domains need a work account or a guest invitation.
//! - `guest-invitations`: Resolve invites, as the signed-in person, the users
//!   who have no account; the directory's `authorizationPolicy`
//!   `allowInvitesFrom` decides whether that person may (Microsoft Graph,
//!   authorizationPolicy resource; Guest Inviter, User Administrator and
//!   Global Administrator always may unless it is `none`).
//! - `directory-propagation`: changes made in Microsoft Entra ID can take up
//!   to an hour to show in Azure DevOps (Microsoft Learn, "Access via
//!   Microsoft Entra FAQs"); a brand-new account of the person connecting is
//!   a reason to re-check later rather than to fail now.

use std::collections::BTreeMap;

use chrono::Duration;

use super::access::destination_label;
use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Facts, Membership, Operation, Origin};
use crate::domain::text::split_email;

/// Domains of personal mailboxes: nobody can verify them in a tenant.
const PERSONAL_DOMAINS: [&str; 12] = [
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "passport.com",
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
];

fn personal(domain: &str) -> bool {
    PERSONAL_DOMAINS.contains(&domain)
        || ["outlook.", "hotmail.", "live.", "yahoo."]
            .iter()
            .any(|p| domain.starts_with(p))
}

/// How long Azure DevOps can take to see a change made in Entra ID.
pub const PROPAGATION_MINUTES: i64 = 60;

/// `unverified-domains`: addresses on domains the destination has not verified.
pub fn unverified_domains(facts: &Facts) -> CheckResult {
    unverified_domains_with(&Ctx::new(facts))
}

pub(crate) fn unverified_domains_with(ctx: &Ctx<'_>) -> CheckResult {
    let facts = ctx.facts;
    const ID: &str = "unverified-domains";
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let (Some(users), Some(tenant)) = (facts.org.users.as_ref(), facts.destination_tenant.as_ref())
    else {
        return CheckResult::unverified(ID, "which addresses are on the destination's domains");
    };
    let mut by_domain: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (u, email) in users.iter().zip(ctx.emails()) {
        let Some(email) = email.as_deref().filter(|_| u.origin != Origin::Other) else {
            continue;
        };
        let Some((_, domain)) = split_email(email) else {
            continue;
        };
        if !tenant.owns_domain(domain) {
            by_domain
                .entry(domain.to_string())
                .or_default()
                .push(u.label_for(Some(email)));
        }
    }
    if by_domain.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            "Every address is on a domain the destination has verified",
        );
    }
    let dest = destination_label(facts);
    let (mut business, mut mailboxes) = (Vec::new(), Vec::new());
    for (domain, people) in &by_domain {
        let line = format!("{domain} ({}): {}", people.len(), people.join(", "));
        if personal(domain) {
            mailboxes.push(format!(
                "{line}: personal mailboxes, no tenant can verify them"
            ));
        } else {
            business.push(format!("{line}: not verified in {dest}"));
        }
    }
    let n: usize = by_domain.values().map(Vec::len).sum();
    CheckResult::new(
        ID,
        Status::Warn,
        format!("{} in on domains the destination has not verified", crate::domain::text::plural(n, "user signs", "users sign")),
    )
    .evidence(business.into_iter().chain(mailboxes))
    .fix(format!(
        "Their addresses cannot be UPNs in {dest}, so they cannot keep access by address. Verify \
         your own domains first (Microsoft Entra admin center > Domain names > Add custom domain); \
         give the others work accounts (and map them with `ado-entra resolve`) or invite them as guests."
    ))
}

/// `guest-invitations`: whether Resolve may invite the people who need it.
pub fn guest_invitations(facts: &Facts) -> CheckResult {
    guest_invitations_with(&Ctx::new(facts))
}

pub(crate) fn guest_invitations_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "guest-invitations";
    let facts = ctx.facts;
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No guests are invited when disconnecting");
    }
    let Some(all) = ctx.classified() else {
        return CheckResult::unverified(ID, "whether anyone needs a guest invitation");
    };
    let needed = all.iter().filter(|c| c.needs_guest()).count();
    if needed == 0 {
        return CheckResult::new(ID, Status::Pass, "No guest invitation to send");
    }
    let dest = destination_label(facts);
    let who = facts.caller.sign_in_name.trim();
    let Some(settings) = facts.invitations.as_ref() else {
        return CheckResult::unverified(ID, "who may invite guests into the destination").evidence(
            [format!(
                "{} need a guest invitation",
                crate::domain::text::plural(needed, "user would", "users would")
            )],
        );
    };
    let setting = match settings.allow_invites_from.to_ascii_lowercase().as_str() {
        "none" => "nobody, not even administrators,".to_string(),
        "adminsandguestinviters" => "only administrators and Guest Inviters".to_string(),
        "adminsguestinvitersandallmembers" => {
            "administrators, Guest Inviters and members".to_string()
        }
        "everyone" => "everyone".to_string(),
        other => format!("'{other}'"),
    };
    let member = facts
        .caller
        .destination_membership
        .map(|m| m == Membership::Member);
    let roles = settings
        .caller_roles
        .as_ref()
        .map(|r| {
            if r.is_empty() {
                "no directory role".to_string()
            } else {
                r.join(", ")
            }
        })
        .unwrap_or_else(|| "unknown roles".to_string());
    let evidence = vec![
        format!(
            "{} need a guest invitation",
            crate::domain::text::plural(needed, "user would", "users would")
        ),
        format!(
            "In {dest}, {setting} may invite guests (allowInvitesFrom: {})",
            settings.allow_invites_from
        ),
        format!("{who} holds {roles} there"),
    ];
    match settings.caller_may_invite(member) {
        Some(true) => CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "You may invite the {} who need it",
                crate::domain::text::plural(needed, "user", "users")
            ),
        )
        .evidence(evidence),
        Some(false) => CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "Resolve could not invite the {} who need a guest invitation",
                crate::domain::text::plural(needed, "user", "users")
            ),
        )
        .evidence(evidence)
        .fix(format!(
            "Ask a Global Administrator or User Administrator of {dest} to give you the Guest \
             Inviter role (Microsoft Entra admin center > Roles and administrators), or to allow \
             your invitations (External Identities > External collaboration settings > Guest \
             invite settings); or let someone who may invite run `ado-entra resolve`."
        )),
        None => CheckResult::unverified(ID, "whether you may invite guests into the destination")
            .evidence(evidence),
    }
}

/// `directory-propagation`: the caller's account in the destination is new.
pub fn directory_propagation(facts: &Facts) -> CheckResult {
    const ID: &str = "directory-propagation";
    if matches!(facts.operation, Operation::Disconnect) {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let dest = destination_label(facts);
    let Some(created) = facts.caller.destination_account_created else {
        return CheckResult::unverified(ID, "how old your account in the destination is");
    };
    let age = facts.now - created;
    if age >= Duration::minutes(PROPAGATION_MINUTES) {
        return CheckResult::new(
            ID,
            Status::Pass,
            "Your account in the destination is older than an hour",
        );
    }
    let ready = created + Duration::minutes(PROPAGATION_MINUTES);
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "Your account in the destination is {} old: re-check after {} UTC",
            crate::domain::text::plural(age.num_minutes().max(0) as usize, "minute", "minutes"),
            ready.format("%H:%M")
        ),
    )
    .evidence([format!(
        "{} was created in {dest} at {} UTC; Azure DevOps can take up to an hour to see changes \
         made in Microsoft Entra ID",
        facts.caller.sign_in_name.trim(),
        created.format("%Y-%m-%d %H:%M")
    )])
    .fix(format!(
        "Wait until {} UTC and run the checks again (r in the wizard, or the same command), \
         rather than making the change now: until Azure DevOps sees the account it may refuse the \
         change or leave you disconnected.",
        ready.format("%H:%M")
    ))
}
