//! Checks over the organization's user list (the connect guide):
//!
//! - `user-limit`: more than 100 users is a warning: the portal's Resolve
//!   page stops at 100 (Microsoft Learn sends such organizations to support
//!   for the mapping), while the connection itself is allowed and
//!   `ado-entra resolve` has no limit.
//! - `no-destination-users-preadded`: do not add users of the destination
//!   tenant to the organization before connecting.
//! - `stale-users`: remove people who should no longer have access first.

use std::collections::HashSet;

use chrono::Duration;

use super::{CheckResult, Status};
use crate::domain::facts::{Facts, Operation, Origin};
use crate::domain::text::{normalize_key, split_email};

/// The largest organization that can be connected without support.
pub const USER_LIMIT: usize = 100;

/// `user-limit`: 100 users or fewer (more: Warn, resolve with ado-entra).
pub fn user_limit(facts: &Facts) -> CheckResult {
    const ID: &str = "user-limit";
    if facts.operation == Operation::Disconnect {
        return CheckResult::skip(
            ID,
            "The user limit applies when connecting or changing tenants",
        );
    }
    let Some(users) = facts.org.users.as_ref() else {
        return CheckResult::unverified(ID, "how many users the organization has")
            .evidence(["The organization's users could not be listed".to_string()]);
    };
    let n = users.len();
    if n <= USER_LIMIT {
        CheckResult::new(ID, Status::Pass, format!("{n} users (limit {USER_LIMIT})"))
            .evidence([format!("{} has {n} users", facts.org.name)])
    } else {
        // Microsoft's FAQ: a larger organization can still connect; the
        // portal's Resolve page is what stops at 100 users.
        CheckResult::new(
            ID,
            Status::Warn,
            format!("{n} users: more than the portal's Resolve page handles ({USER_LIMIT})"),
        )
        .evidence([
            format!(
                "{} has {n} users, {} more than {USER_LIMIT}",
                facts.org.name,
                n - USER_LIMIT
            ),
            "The connection itself is allowed; Microsoft Learn sends organizations over 100 users \
             to support only to resolve the disconnected users afterwards"
                .to_string(),
        ])
        .fix(
            "Go ahead, then map the disconnected users with `ado-entra resolve`, which has no \
             limit (the portal's Resolve page stops at 100). Removing users who no longer need \
             access first keeps the list short.",
        )
    }
}

/// `no-destination-users-preadded`: no Entra user of the destination tenant
/// is already in the organization (by principal-name domain or object id).
pub fn no_destination_users_preadded(facts: &Facts) -> CheckResult {
    const ID: &str = "no-destination-users-preadded";
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let Some(users) = facts.org.users.as_ref() else {
        return CheckResult::unverified(
            ID,
            "whether destination users are already in the organization",
        )
        .evidence(["The organization's users could not be listed".to_string()]);
    };
    if facts.destination_tenant.is_none() && facts.destination_users.is_none() {
        return CheckResult::unverified(
            ID,
            "whether destination users are already in the organization",
        )
        .evidence([
            "Neither the destination tenant's domains nor its users are known".to_string(),
        ]);
    }
    // The object ids Entra users of the organization carry, checked against
    // the destination's users (the organization's side is the small one).
    let wanted: HashSet<String> = users
        .iter()
        .filter(|u| u.origin == Origin::Aad && !u.origin_id.trim().is_empty())
        .map(|u| normalize_key(&u.origin_id))
        .collect();
    let ids: HashSet<String> = if wanted.is_empty() {
        HashSet::new()
    } else {
        facts
            .destination_users
            .iter()
            .flat_map(|users| users.iter())
            .filter_map(|u| {
                // Object ids are lowercase GUIDs: no copy is needed to look them up.
                let id = u.id.trim();
                let hit = if id.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                    wanted.contains(id)
                } else {
                    wanted.contains(&normalize_key(id))
                };
                hit.then(|| normalize_key(id))
            })
            .collect()
    };
    let destination = facts.operation.destination().map(normalize_key);
    let mut found = Vec::new();
    for u in users.iter().filter(|u| u.origin == Origin::Aad) {
        // When Azure DevOps says which tenant the identity lives in, that
        // settles it (a user of the source tenant is not a destination user,
        // whatever domain its UPN is on).
        if let (Some(t), Some(dest)) = (u.tenant.as_deref(), destination.as_deref()) {
            if normalize_key(t) == dest {
                found.push(format!(
                    "{} is an Entra user of the destination tenant",
                    u.label()
                ));
            }
            continue;
        }
        let domain_hit = split_email(&normalize_key(&u.principal_name))
            .map(|(_, d)| d.to_string())
            .filter(|d| {
                facts
                    .destination_tenant
                    .as_ref()
                    .is_some_and(|t| t.owns_domain(d))
            });
        let id_hit = !u.origin_id.trim().is_empty() && ids.contains(&normalize_key(&u.origin_id));
        if let Some(d) = domain_hit {
            found.push(format!(
                "{} is an Entra user at {d}, a domain of the destination tenant",
                u.label()
            ));
        } else if id_hit {
            found.push(format!(
                "{} has the object id {} of a destination tenant user",
                u.label(),
                u.origin_id
            ));
        }
    }
    if found.is_empty() {
        CheckResult::new(
            ID,
            Status::Pass,
            "No destination tenant users are in the organization yet",
        )
    } else {
        CheckResult::new(
            ID,
            Status::Fail,
            format!(
                "{} already added",
                crate::domain::text::plural(
                    found.len(),
                    "destination tenant user",
                    "destination tenant users"
                )
            ),
        )
        .evidence(found)
        .fix(
            "Remove these users in Organization settings > Users before connecting; they get \
             access again through the tenant once the organization is connected.",
        )
    }
}

/// `stale-users`: users with no access in `stale_after_days` days (never
/// accessed: counted from the date they were added). Warn and list them.
pub fn stale_users(facts: &Facts) -> CheckResult {
    const ID: &str = "stale-users";
    let Some(users) = facts.org.users.as_ref() else {
        return CheckResult::unverified(ID, "who has not signed in lately")
            .evidence(["The organization's users could not be listed".to_string()]);
    };
    let days = facts.stale_after_days;
    let cutoff = facts.now - Duration::days(i64::from(days));
    let mut stale = Vec::new();
    let mut unknown = Vec::new();
    for u in users {
        match (u.last_accessed, u.date_created) {
            (Some(last), _) if last <= cutoff => stale.push(format!(
                "{}: last access {} ({} days ago)",
                u.label(),
                last.format("%Y-%m-%d"),
                (facts.now - last).num_days()
            )),
            (Some(_), _) => {}
            (None, Some(created)) if created <= cutoff => stale.push(format!(
                "{}: never signed in, added {} ({} days ago)",
                u.label(),
                created.format("%Y-%m-%d"),
                (facts.now - created).num_days()
            )),
            (None, Some(_)) => {}
            (None, None) => unknown.push(format!("{}: no last-access or creation date", u.label())),
        }
    }
    let fix = "Remove people who no longer need access in Organization settings > Users before \
               continuing, so they are not carried into the tenant.";
    if !stale.is_empty() {
        let n = stale.len();
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} not used the organization in {days} days",
                crate::domain::text::plural(n, "user has", "users have")
            ),
        )
        .evidence(stale.into_iter().chain(unknown))
        .fix(fix)
    } else if !unknown.is_empty() {
        CheckResult::unverified(ID, "when some users last signed in")
            .evidence(unknown)
            .fix(fix)
    } else {
        CheckResult::new(
            ID,
            Status::Pass,
            format!("Every user was active in the last {days} days"),
        )
    }
}
