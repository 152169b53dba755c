//! Turn the domain's check results and prediction into what the wizard shows
//! (and what `check --json` prints): the checks, the lockout-proof table and the
//! plan. Pure.

use super::model::{
    AcceptRisk, AccessOutcome, AccessRow, ChecksReport, PlanView, SituationKind, SituationView,
    Standing, TenantInfo,
};
use crate::domain::checks::{CheckResult, PredictedUser, Prediction, Role, Status, acceptable};
use crate::domain::facts::{Facts, Operation};

fn who(u: &PredictedUser) -> String {
    match (&u.email, u.display_name.trim()) {
        (Some(e), "") => e.clone(),
        (Some(e), n) => format!("{n} <{e}>"),
        (None, "") => u.descriptor.clone().unwrap_or_else(|| "(unknown)".into()),
        (None, n) => n.to_string(),
    }
}

fn role(u: &PredictedUser) -> Standing {
    if u.roles.contains(&Role::Owner) {
        Standing::Owner
    } else if u.roles.contains(&Role::Pca) {
        Standing::Admin
    } else {
        Standing::User
    }
}

fn row(u: &PredictedUser, outcome: AccessOutcome) -> AccessRow {
    let who = who(u);
    AccessRow {
        reason: without_name(&u.reason, &who),
        who,
        role: role(u),
        outcome,
    }
}

/// The reason without the person's name in front: the table's first column
/// already says who ("Ann <ann@x> maps by UPN to …" → "Maps by UPN to …").
fn without_name(reason: &str, who: &str) -> String {
    let Some(rest) = reason.strip_prefix(who) else {
        return reason.to_string();
    };
    let rest = rest.trim_start_matches([':', ' ']);
    let mut c = rest.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => reason.to_string(),
    }
}

/// Owner first, then administrators, then everyone who would lose access.
pub fn access_rows(p: &Prediction) -> Vec<AccessRow> {
    let mut rows: Vec<AccessRow> = Vec::new();
    for u in p.locked_out.iter() {
        rows.push(row(u, AccessOutcome::LockedOut));
    }
    for u in p.keep.iter().filter(|u| u.is_privileged()) {
        rows.push(row(u, AccessOutcome::Keeps));
    }
    for u in p.unverified.iter().filter(|u| u.is_privileged()) {
        rows.push(row(u, AccessOutcome::Unverified));
    }
    for u in p.disconnected.iter() {
        rows.push(row(u, AccessOutcome::Disconnected));
    }
    // Owner rows on top, whatever their outcome.
    rows.sort_by_key(|r| r.role);
    rows
}

/// Exactly what the operation will change, for the Plan screen and the checklist.
pub fn plan(
    facts: &Facts,
    p: &Prediction,
    tenant_label: Option<&str>,
    source_label: Option<&str>,
) -> PlanView {
    let org = &facts.org.name;
    let dest = tenant_label.unwrap_or("the destination directory");
    let mut changes = Vec::new();
    let mut afterwards = Vec::new();
    let pats = facts.org.pats.as_ref().map_or(0, Vec::len);
    match &facts.operation {
        Operation::Connect { .. } => {
            changes.push(format!(
                "The organization '{org}' will be connected to the Microsoft Entra directory {dest}; from then on only identities of that directory can sign in."
            ));
        }
        Operation::ChangeTenant { from, .. } => {
            changes.push(format!(
                "The organization '{org}' will move from directory {} to {dest}.",
                source_label.unwrap_or(from)
            ));
            changes.push(
                "Entra groups of the old directory are removed from the organization, with the permissions granted through them."
                    .into(),
            );
            changes.push(
                "SSH keys must have been cleared by Azure DevOps support beforehand; users register new ones."
                    .into(),
            );
        }
        Operation::Disconnect => {
            changes.push(format!(
                "The organization '{org}' will be disconnected from {}; users sign in with personal Microsoft accounts again.",
                source_label.unwrap_or("its directory")
            ));
        }
    }
    let total = p.total();
    let mut counts = format!(
        "Of {total} user{}: {} keep their access and history, {} will be disconnected until mapped or invited",
        if total == 1 { "" } else { "s" },
        p.keep.len(),
        p.lost()
    );
    if !p.unverified.is_empty() {
        counts.push_str(&format!(
            ", {} could not be verified (see the lockout table)",
            p.unverified.len()
        ));
    }
    counts.push('.');
    changes.push(counts);
    if pats > 0 {
        changes.push(format!(
            "Personal access tokens stop working and must be recreated (you hold {pats})."
        ));
    } else {
        changes.push("Personal access tokens stop working and must be recreated.".into());
    }
    let disconnected = p
        .disconnected
        .iter()
        .chain(&p.locked_out)
        .map(|u| format!("{} ({})", who(u), u.reason))
        .collect();

    afterwards.push(
        "Sign out of Azure DevOps everywhere: browsers, Visual Studio, Git credential managers."
            .into(),
    );
    match &facts.operation {
        Operation::Disconnect => afterwards.push(format!(
            "Sign in at https://dev.azure.com/{org} with your personal Microsoft account (same email as before)."
        )),
        _ => afterwards.push(format!(
            "Sign in at https://dev.azure.com/{org} with your work account in {dest}, in a private browser window the first time."
        )),
    }
    afterwards.push(
        "Recreate your personal access tokens, scoped to this organization (global PATs stop working on 2026-12-01)."
            .into(),
    );
    if matches!(facts.operation, Operation::ChangeTenant { .. }) {
        afterwards.push("Register your SSH keys again.".into());
    }
    afterwards.push(
        "If Azure DevOps says you are not authorized, tell your administrator: your old account needs to be mapped to your new one."
            .into(),
    );
    PlanView {
        changes,
        disconnected,
        afterwards,
    }
}

/// The whole report for a change (the situation is filled in by the caller).
pub fn report(facts: &Facts, results: &[CheckResult], p: &Prediction) -> ChecksReport {
    report_named(facts, results, p, None)
}

/// The whole report, naming the directory the organization leaves.
pub fn report_named(
    facts: &Facts,
    results: &[CheckResult],
    p: &Prediction,
    source_label: Option<&str>,
) -> ChecksReport {
    let label = facts.destination_tenant.as_ref().map(|t| t.label());
    ChecksReport {
        situation: Default::default(),
        destination: facts.destination_tenant.as_ref().map(|t| TenantInfo {
            id: t.id.clone(),
            display_name: t.display_name.clone(),
            domain: t.default_domain.clone(),
        }),
        checks: results.to_vec(),
        access: access_rows(p),
        plan: plan(facts, p, label.as_deref(), source_label),
        accept: accept_list(facts, results, p),
        directory_sign_in: None,
    }
}

/// The report every surface shows, from the organization's state and, for
/// a real change, its assessment: one path from facts to verdict for the
/// wizard's Prerequisites screen, `check` and its `--report`.
pub fn checks_report(
    situation: &super::change::Situation,
    destination: Option<TenantInfo>,
    assessed: Option<(
        &crate::domain::directory::Change,
        &super::change::Assessment,
    )>,
) -> ChecksReport {
    use crate::domain::directory::Change;
    let view = situation_view(situation);
    let Some((ch, a)) = assessed else {
        return ChecksReport {
            situation: view,
            destination,
            ..ChecksReport::default()
        };
    };
    let source = match ch {
        Change::ChangeTenant { from, .. } | Change::Disconnect { from } => Some(from.label()),
        Change::Connect { .. } => None,
    };
    let mut r = report_named(&a.facts, &a.results, &a.prediction, source.as_deref());
    r.situation = view;
    r.destination = r.destination.or(destination);
    if a.facts.caller.destination_unreadable.is_some() {
        r.directory_sign_in = r.destination.clone();
    }
    r
}

/// The decision in words, for the wizard.
pub fn situation_view(s: &super::change::Situation) -> SituationView {
    use crate::domain::directory::Decision;
    let kind = match &s.decision {
        Decision::Proceed { resume: None, .. } => SituationKind::Proceed,
        Decision::Proceed {
            resume: Some(_), ..
        } => SituationKind::Resume,
        Decision::NothingToDo { .. } => SituationKind::NothingToDo,
        Decision::WrongFlow { .. } => SituationKind::WrongFlow,
        Decision::Refused { .. } => SituationKind::Refused,
        Decision::AlreadyLanded { .. } => SituationKind::AlreadyLanded,
    };
    SituationView {
        kind,
        backing: s.backing.label(),
        message: match kind {
            SituationKind::Proceed => String::new(),
            _ => s.decision.explain(&s.org),
        },
        next: super::change::next_commands(&s.org, &s.decision),
    }
}

/// Failed checks that may be accepted, each with what to type to accept it:
/// the names of the administrators who would lose access, or the owner's address.
pub fn accept_list(facts: &Facts, results: &[CheckResult], p: &Prediction) -> Vec<AcceptRisk> {
    results
        .iter()
        .filter(|r| r.status == Status::Fail && acceptable(r.id))
        .map(|r| {
            let expected = match r.id {
                "admins-keep-access" => p
                    .locked_out
                    .iter()
                    .filter(|u| u.is_privileged() && !u.roles.contains(&Role::Owner))
                    .map(|u| {
                        if u.display_name.trim().is_empty() {
                            u.email.clone().unwrap_or_default()
                        } else {
                            u.display_name.trim().to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => facts.owner_email().unwrap_or_default(),
            };
            AcceptRisk {
                id: r.id.to_string(),
                title: r.title.clone(),
                expected,
            }
        })
        .filter(|a| !a.expected.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str, roles: Vec<Role>, reason: &str) -> PredictedUser {
        PredictedUser {
            descriptor: Some(format!("msa.{email}")),
            display_name: String::new(),
            email: Some(email.into()),
            roles,
            maps_to: None,
            reason: reason.into(),
        }
    }

    #[test]
    fn owner_is_listed_first_and_locked_out_is_shown() {
        let p = Prediction {
            keep: vec![
                user("ann@x.com", vec![Role::Pca], "UPN matches"),
                user("joe@x.com", vec![], "UPN matches"),
            ],
            disconnected: vec![user("bob@outlook.com", vec![], "no UPN match")],
            locked_out: vec![user(
                "owner@outlook.com",
                vec![Role::Owner],
                "no member UPN",
            )],
            unverified: vec![],
        };
        let rows = access_rows(&p);
        assert_eq!(rows[0].who, "owner@outlook.com");
        assert_eq!(rows[0].outcome, AccessOutcome::LockedOut);
        assert_eq!(rows[1].role, Standing::Admin);
        assert!(
            rows.iter().all(|r| r.who != "joe@x.com"),
            "plain keepers are summarised, not listed"
        );
        assert!(
            rows.iter()
                .any(|r| r.who == "bob@outlook.com" && r.outcome == AccessOutcome::Disconnected)
        );
    }

    #[test]
    fn the_why_column_does_not_repeat_the_name() {
        let mut u = user("kim@x.com", vec![], "");
        u.display_name = "Kim Lee".into();
        u.reason = "Kim Lee <kim@x.com> maps by UPN to kim@x.com (disabled)".into();
        let r = row(&u, AccessOutcome::Disconnected);
        assert_eq!(r.who, "Kim Lee <kim@x.com>");
        assert_eq!(r.reason, "Maps by UPN to kim@x.com (disabled)");
        u.reason = "Kim Lee <kim@x.com>: no account in the destination".into();
        assert_eq!(
            row(&u, AccessOutcome::Disconnected).reason,
            "No account in the destination"
        );
        u.reason = "unrelated words".into();
        assert_eq!(row(&u, AccessOutcome::Keeps).reason, "unrelated words");
    }
}
