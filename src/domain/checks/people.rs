//! People whose benefits or sign-in change with their identity (Microsoft
//! Learn, "Connect your organization to Microsoft Entra ID", the steps for
//! users after the change):
//!
//! - `visual-studio-subscriptions`: benefits carry over to the new identity
//!   only when the addresses match; a subscriber whose sign-in address is
//!   not the UPN of their new account needs the subscription reassigned or
//!   an alternate account added ("Add an alternate account to your
//!   subscription").
//! - `dual-accounts`: an address that is both a personal Microsoft account
//!   and a work account makes every sign-in ask which one; the docs ask
//!   users to rename the personal account.
//!
//! Owners and administrators whose only account in the destination is a
//! guest (`…#EXT#@…` UPN) are the lockout proof's and `admins-keep-access`'s.

use super::access::destination_label;
use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Facts, Operation, Origin};

/// `visual-studio-subscriptions`: subscribers whose address will not be
/// their identity in the destination.
pub fn visual_studio_subscriptions(facts: &Facts) -> CheckResult {
    visual_studio_subscriptions_with(&Ctx::new(facts))
}

pub(crate) fn visual_studio_subscriptions_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "visual-studio-subscriptions";
    let facts = ctx.facts;
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "Applies when connecting or changing tenants");
    }
    let Some(subscribers) = facts.org.vs_subscribers.as_ref() else {
        return CheckResult::unverified(ID, "who is licensed through a Visual Studio subscription");
    };
    if subscribers.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            "Nobody is licensed through a Visual Studio subscription",
        );
    }
    let (Some(users), Some(classified)) = (facts.org.users.as_ref(), ctx.classified()) else {
        return CheckResult::unverified(ID, "whether subscribers keep their address").evidence([
            crate::domain::text::plural(
                subscribers.len(),
                "Visual Studio subscriber",
                "Visual Studio subscribers",
            ),
        ]);
    };
    let dest = destination_label(facts);
    let mismatched: Vec<String> = users
        .iter()
        .zip(classified)
        .filter(|(u, c)| subscribers.contains(&u.descriptor) && c.upn_member().is_none())
        .map(|(u, _)| {
            format!(
                "{}: no member account of {dest} has this address as its UPN, so the subscription \
                 stays with an address they will not sign in with",
                u.label()
            )
        })
        .collect();
    if mismatched.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{}, each keeping their address",
                crate::domain::text::plural(
                    subscribers.len(),
                    "Visual Studio subscriber",
                    "Visual Studio subscribers"
                )
            ),
        );
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{} will sign in with another address",
            crate::domain::text::plural(mismatched.len(), "Visual Studio subscriber", "Visual Studio subscribers")
        ),
    )
    .evidence(mismatched)
    .fix(
        "Have the subscription administrator reassign each subscription to the person's work \
         address (Visual Studio Subscriptions admin portal > the subscriber > Edit), or have the \
         subscriber add their work account as the subscription's alternate account (my.visualstudio.com \
         > Subscriptions > Add alternate account).",
    )
}

/// `dual-accounts`: addresses that are both a personal and a work account.
pub fn dual_accounts(facts: &Facts) -> CheckResult {
    dual_accounts_with(&Ctx::new(facts))
}

pub(crate) fn dual_accounts_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "dual-accounts";
    let facts = ctx.facts;
    if !matches!(facts.operation, Operation::Connect { .. }) {
        return CheckResult::skip(
            ID,
            "Applies when connecting an organization of personal accounts",
        );
    }
    let (Some(users), Some(classified)) = (facts.org.users.as_ref(), ctx.classified()) else {
        return CheckResult::unverified(ID, "whose address is both a personal and a work account");
    };
    let dest = destination_label(facts);
    let both: Vec<String> = users
        .iter()
        .zip(classified)
        .filter(|(u, c)| u.origin == Origin::Msa && c.upn_member().is_some())
        .map(|(u, c)| {
            let mut line = u.label_for(c.email.as_deref());
            line.push_str(": a personal Microsoft account and a work account in ");
            line.push_str(&dest);
            line
        })
        .collect();
    if both.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            "No address is both a personal and a work account",
        );
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{} both a personal and a work account: sign-ins will ask which",
            crate::domain::text::plural(both.len(), "address is", "addresses are")
        ),
    )
    .evidence(both)
    .fix(
        "After the change, each of them signs in with 'Work or school account'. To stop being \
         asked, they rename the personal account to another address (account.microsoft.com > \
         Your info > Edit account info), as Microsoft Learn asks users to do after connecting.",
    )
}
