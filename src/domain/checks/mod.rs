//! Prerequisite checks and the lockout proof.
//!
//! Each check is a pure function over [`Facts`] that returns a
//! [`CheckResult`]: a stable kebab-case id, a status, a one-line title,
//! concrete evidence (who and what), and a fix naming where to click or what
//! to run. A fact that could not be gathered never makes a check pass: it
//! gives [`Status::Warn`] with "could not verify".
//!
//! Where the rules come from (paraphrased, see each sub-module):
//! - the connect guide (Microsoft Learn, "Connect your organization to Microsoft Entra ID", <https://learn.microsoft.com/azure/devops/organizations/accounts/connect-organization-to-azure-ad>): who may connect (a Project Collection
//!   Administrator who is a member of the destination tenant and, when
//!   changing tenants, a member or guest of the source), the 100-user limit,
//!   not pre-adding destination users, removing unwanted users, comparing
//!   email lists, and Entra Public only;
//! - the lockout report (the Microsoft Q&A thread "Azure DevOps organization became inaccessible immediately after connecting", <https://learn.microsoft.com/answers/questions/5937045/azure-devops-organization-became-inaccessible-imme>): an owner whose sign-in address is not a
//!   UPN in the tenant loses access to everything but their profile; the
//!   fixes and the recovery page;
//! - the name rules (the Azure DevOps connector guide, Microsoft Learn: Azure SRE Agent), the global PAT retirement
//!   (the Azure DevOps Blog, "Retirement of Global Personal Access Tokens in Azure DevOps", <https://devblogs.microsoft.com/devops/retirement-of-global-personal-access-tokens-in-azure-devops/>),
//!   service connections bound to a tenant (Microsoft Learn, "Troubleshoot Azure Resource Manager service connections",
//!   <https://learn.microsoft.com/azure/devops/pipelines/release/azure-rm-endpoint>), and the
//!   impact questions collected in the api notes (SSH keys, PATs, groups);
//! - what the docs scatter over other pages (each module cites its Microsoft
//!   Learn sources): tenant and organization policies ([`policies`]),
//!   workload identity, Key Vault variable groups and agent registrations
//!   ([`credentials`]), Visual Studio subscribers and addresses that are both
//!   a personal and a work account ([`people`]), unverified domains, guest
//!   invitation settings and directory propagation ([`directory`]).

mod access;
mod credentials;
mod directory;
mod email;
mod impact;
mod lockout;
mod people;
mod policies;
mod users;

use serde::Serialize;

pub use access::{
    caller_in_source_tenant, caller_is_admin, caller_is_member_of_destination, names_valid,
    public_cloud,
};
pub use credentials::{agent_registrations, key_vault_variable_groups, workload_identity};
pub use directory::{
    PROPAGATION_MINUTES, directory_propagation, guest_invitations, unverified_domains,
};
pub use email::{
    Candidate, Classification, MatchKind, Via, classify, classify_all, email_comparison,
    guest_access_policy,
};
pub use impact::{
    GLOBAL_PAT_CUTOFF, entra_groups, global_pat_cutoff, global_pats, pats_recreate,
    service_connections, ssh_keys,
};
pub use lockout::{
    PredictedUser, Prediction, RECOVERY_URL, Role, admins_keep_access, lockout_proof,
    owner_is_personal_account, predict,
};
pub use people::{dual_accounts, visual_studio_subscriptions};
pub use policies::{org_creation_policy, org_policies, pat_creation_policy, tenant_pat_policies};
pub use users::{USER_LIMIT, no_destination_users_preadded, stale_users, user_limit};

use super::facts::{Facts, OrgUser};
use super::matching::{Tables, TenantIndex};
use email::classify_with;
use std::sync::Arc;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to do.
    Pass,
    /// Proceeding is possible but something needs attention or could not be verified.
    Warn,
    /// Proceeding now would break something; fix first.
    Fail,
    /// Does not apply to this operation.
    Skip,
}

impl Status {
    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✔",
            Status::Warn => "!",
            Status::Fail => "✘",
            Status::Skip => "-",
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable kebab-case id (e.g. `caller-is-admin`).
    pub id: &'static str,
    /// Outcome.
    pub status: Status,
    /// One line describing the outcome.
    pub title: String,
    /// Concrete facts behind the outcome: who, what, where.
    pub evidence: Vec<String>,
    /// What to do about it, if anything.
    pub fix: Option<String>,
}

impl CheckResult {
    fn new(id: &'static str, status: Status, title: impl Into<String>) -> Self {
        CheckResult {
            id,
            status,
            title: title.into(),
            evidence: Vec::new(),
            fix: None,
        }
    }

    fn evidence(mut self, lines: impl IntoIterator<Item = String>) -> Self {
        self.evidence.extend(lines);
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    fn skip(id: &'static str, why: impl Into<String>) -> Self {
        CheckResult::new(id, Status::Skip, why)
    }

    fn unverified(id: &'static str, what: &str) -> Self {
        CheckResult::new(id, Status::Warn, format!("Could not verify: {what}"))
    }
}

/// Check ids in the order [`run_all`] returns them.
pub const CHECK_IDS: [&str; 30] = [
    "names-valid",
    "caller-is-admin",
    "caller-is-member-of-destination",
    "caller-in-source-tenant",
    "owner-is-personal-account",
    "public-cloud",
    "user-limit",
    "no-destination-users-preadded",
    "stale-users",
    "email-comparison",
    "lockout-proof",
    "admins-keep-access",
    "guest-access-policy",
    "ssh-keys",
    "pats-recreate",
    "entra-groups",
    "service-connections",
    "global-pats",
    "org-creation-policy",
    "tenant-pat-policies",
    "org-policies",
    "pat-creation-policy",
    "workload-identity",
    "key-vault-variable-groups",
    "agent-registrations",
    "visual-studio-subscriptions",
    "dual-accounts",
    "unverified-domains",
    "guest-invitations",
    "directory-propagation",
];

/// What a check looks at, in a few words: the name a skipped check keeps
/// (its title then says why it was skipped).
pub fn name(id: &str) -> &'static str {
    match id {
        "names-valid" => "Organization and directory names",
        "caller-is-admin" => "Your role in the organization",
        "caller-is-member-of-destination" => "Your membership of the destination",
        "caller-in-source-tenant" => "Your membership of the current directory",
        "owner-is-personal-account" => "The owner's account after disconnecting",
        "public-cloud" => "The destination's cloud",
        "user-limit" => "Number of users",
        "no-destination-users-preadded" => "Destination users already added",
        "stale-users" => "Users who stopped signing in",
        "email-comparison" => "Users' addresses against the destination",
        "lockout-proof" => "The owner keeps access",
        "admins-keep-access" => "Administrators keep access",
        "guest-access-policy" => "Guest access policy",
        "ssh-keys" => "SSH keys",
        "pats-recreate" => "Personal access tokens",
        "entra-groups" => "Entra groups",
        "service-connections" => "Service connections",
        "global-pats" => "Global personal access tokens",
        "org-creation-policy" => "Organization creation policy",
        "tenant-pat-policies" => "The destination's token policies",
        "org-policies" => "Organization policies",
        "pat-creation-policy" => "Token creation policy",
        "workload-identity" => "Workload identity connections",
        "key-vault-variable-groups" => "Key Vault variable groups",
        "agent-registrations" => "Self-hosted agents",
        "visual-studio-subscriptions" => "Visual Studio subscriptions",
        "dual-accounts" => "People with two accounts",
        "unverified-domains" => "Unverified domains",
        "guest-invitations" => "Guest invitations",
        "directory-propagation" => "Directory propagation",
        _ => "Check",
    }
}

/// Shared inputs worked out once per evaluation: the tenant index, every
/// organization user's sign-in address and classification, and the
/// prediction (three checks
/// and the report read the same classifications; the lockout proof and the
/// report read the same prediction).
pub(crate) struct Ctx<'a> {
    pub facts: &'a Facts,
    pub index: Option<TenantIndex<'a>>,
    emails: std::cell::OnceCell<Vec<Option<String>>>,
    classified: std::cell::OnceCell<Option<Vec<Classification>>>,
    prediction: std::cell::OnceCell<Prediction>,
}

impl<'a> Ctx<'a> {
    pub fn new(facts: &'a Facts) -> Self {
        Self::sharing(facts, None)
    }

    /// [`Self::new`], indexing the destination with `tables` when they were
    /// built over the same users (see [`TenantIndex::over`]).
    fn sharing(facts: &'a Facts, tables: Option<&Arc<Tables>>) -> Self {
        let index = facts.destination_users.as_deref().map(|users| {
            let domains = destination_domains(facts);
            tables
                .and_then(|t| TenantIndex::over(users, &domains, t))
                .unwrap_or_else(|| TenantIndex::new(users, &domains))
        });
        Ctx {
            facts,
            index,
            emails: std::cell::OnceCell::new(),
            classified: std::cell::OnceCell::new(),
            prediction: std::cell::OnceCell::new(),
        }
    }

    /// Every organization user's sign-in address ([`OrgUser::sign_in_email`]),
    /// in the order of `facts.org.users` (empty when they are unknown).
    pub fn emails(&self) -> &[Option<String>] {
        self.emails.get_or_init(|| {
            self.facts
                .org
                .users
                .iter()
                .flatten()
                .map(OrgUser::sign_in_email)
                .collect()
        })
    }

    /// Every organization user classified against the destination tenant,
    /// in the order of `facts.org.users`; `None` when either side is unknown.
    pub fn classified(&self) -> Option<&[Classification]> {
        self.classified
            .get_or_init(|| {
                let index = self.index.as_ref()?;
                let users = self.facts.org.users.as_ref()?;
                Some(
                    users
                        .iter()
                        .zip(self.emails())
                        .map(|(u, e)| classify_with(u, e.clone(), index))
                        .collect(),
                )
            })
            .as_deref()
    }

    /// Who keeps access, worked out once.
    pub fn prediction(&self) -> &Prediction {
        self.prediction
            .get_or_init(|| lockout::compute_prediction(self))
    }

    /// The classifications, taken out once every reader has run (asking
    /// for them again would classify everyone again).
    fn take_classified(&mut self) -> Option<Vec<Classification>> {
        self.classified.take().flatten()
    }
}

/// Every check's result and the prediction, from one pass over the facts,
/// with the tenant index kept for match suggestions.
pub struct Evaluation<'a> {
    /// One result per check, in the order of [`CHECK_IDS`].
    pub results: Vec<CheckResult>,
    /// Who keeps access after the operation.
    pub prediction: Prediction,
    index: Option<TenantIndex<'a>>,
}

impl<'a> Evaluation<'a> {
    /// The destination tenant's index (when its users are known), for
    /// suggesting matches without indexing the tenant again.
    pub fn index(&self) -> Option<&TenantIndex<'a>> {
        self.index.as_ref()
    }
}

/// The destination's verified domains and its default one.
fn destination_domains(facts: &Facts) -> Vec<String> {
    facts
        .destination_tenant
        .as_ref()
        .map(|t| {
            let mut d = t.verified_domains.clone();
            if !t.default_domain.is_empty() {
                d.push(t.default_domain.clone());
            }
            d
        })
        .unwrap_or_default()
}

/// The index tables of the destination's users in `facts` (`None` when
/// they are unknown), for [`evaluate_sharing`] over every organization
/// moving to that directory.
pub fn index_tables(facts: &Facts) -> Option<Arc<Tables>> {
    let users = facts.destination_users.as_deref()?;
    Some(Arc::clone(
        TenantIndex::new(users, &destination_domains(facts)).tables(),
    ))
}

/// Runs every check (in the order of [`CHECK_IDS`]) and predicts who keeps
/// access, indexing the tenant and classifying its users once for both.
pub fn evaluate(facts: &Facts) -> Evaluation<'_> {
    evaluate_sharing(facts, None)
}

/// [`evaluate`], reusing the destination's index `tables` ([`index_tables`],
/// built over the same users) instead of indexing the directory again.
pub fn evaluate_sharing<'a>(facts: &'a Facts, tables: Option<&Arc<Tables>>) -> Evaluation<'a> {
    let mut ctx = Ctx::sharing(facts, tables);
    let results = run_with(&mut ctx);
    let Ctx {
        index, prediction, ..
    } = ctx;
    Evaluation {
        results,
        prediction: prediction.into_inner().unwrap_or_default(),
        index,
    }
}

/// Runs every check, in the order of [`CHECK_IDS`].
pub fn run_all(facts: &Facts) -> Vec<CheckResult> {
    run_with(&mut Ctx::new(facts))
}

/// Every check over `ctx`, which is left holding the prediction (and no
/// classifications: their evidence has moved into `email-comparison`).
fn run_with(ctx: &mut Ctx<'_>) -> Vec<CheckResult> {
    let mut results = checks_over(ctx);
    ctx.prediction();
    if let Some(r) = results.iter_mut().find(|r| r.id == "email-comparison") {
        email::with_user_evidence(r, ctx);
    }
    results
}

fn checks_over(ctx: &Ctx<'_>) -> Vec<CheckResult> {
    let facts = ctx.facts;
    vec![
        access::names_valid(facts),
        access::caller_is_admin(facts),
        access::caller_is_member_of_destination_with(ctx),
        access::caller_in_source_tenant(facts),
        lockout::owner_is_personal_account(facts),
        access::public_cloud(facts),
        users::user_limit(facts),
        users::no_destination_users_preadded(facts),
        users::stale_users(facts),
        email::email_comparison_with(ctx),
        lockout::lockout_proof_with(ctx),
        lockout::admins_keep_access_with(ctx),
        email::guest_access_policy_with(ctx),
        impact::ssh_keys(facts),
        impact::pats_recreate(facts),
        impact::entra_groups(facts),
        impact::service_connections(facts),
        impact::global_pats(facts),
        policies::org_creation_policy(facts),
        policies::tenant_pat_policies_with(ctx),
        policies::org_policies(facts),
        policies::pat_creation_policy_with(ctx),
        credentials::workload_identity(facts),
        credentials::key_vault_variable_groups(facts),
        credentials::agent_registrations(facts),
        people::visual_studio_subscriptions_with(ctx),
        people::dual_accounts_with(ctx),
        directory::unverified_domains_with(ctx),
        directory::guest_invitations_with(ctx),
        directory::directory_propagation(facts),
    ]
}

/// Checks whose failure a person may accept and go ahead, recording it in
/// the journal: the owner can put these right afterwards. Everything else
/// that fails blocks, the owner's own lockout above all.
pub const ACCEPTABLE: [&str; 2] = ["admins-keep-access", "owner-is-personal-account"];

/// Checks that must be proven: "could not verify" stops the change as a
/// failure does (nobody changes the directory on the hope that the owner
/// keeps access).
pub const MUST_BE_PROVEN: [&str; 1] = ["lockout-proof"];

/// An accepted failure that takes on what a must-be-proven check could not
/// prove: accepting that the owner of a disconnecting organization is not
/// known to have a personal account is accepting that their access after
/// the disconnect is not proven.
const COVERS: [(&str, &str); 1] = [("owner-is-personal-account", "lockout-proof")];

/// Whether a failure of check `id` may be accepted.
pub fn acceptable(id: &str) -> bool {
    ACCEPTABLE.contains(&id)
}

/// Whether it is safe to proceed, from a set of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when every failed check was accepted.
    pub can_proceed: bool,
    /// Ids of failed checks that block, in order.
    pub failures: Vec<&'static str>,
    /// Ids of failed checks the person accepted, in order.
    pub accepted: Vec<&'static str>,
    /// Ids of checks with warnings, in order.
    pub warnings: Vec<&'static str>,
}

/// Summarises results into a [`Verdict`].
pub fn verdict(results: &[CheckResult]) -> Verdict {
    verdict_accepting(results, &[])
}

/// Summarises results into a [`Verdict`], with the failures the person
/// accepted (only those [`acceptable`] count).
pub fn verdict_accepting(results: &[CheckResult], accepted: &[String]) -> Verdict {
    let pick = |s: Status| -> Vec<&'static str> {
        results
            .iter()
            .filter(|r| r.status == s)
            .map(|r| r.id)
            .collect()
    };
    let (accepted, mut failures): (Vec<&'static str>, Vec<&'static str>) = pick(Status::Fail)
        .into_iter()
        .partition(|id| acceptable(id) && accepted.iter().any(|a| a == id));
    let covered = |id: &str| {
        COVERS
            .iter()
            .any(|(by, what)| *what == id && accepted.contains(by))
    };
    let (unproven, warnings): (Vec<&'static str>, Vec<&'static str>) = pick(Status::Warn)
        .into_iter()
        .partition(|id| MUST_BE_PROVEN.contains(id) && !covered(id));
    failures.extend(unproven);
    Verdict {
        can_proceed: failures.is_empty(),
        warnings,
        failures,
        accepted,
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod impact_tests;
#[cfg(test)]
mod tests;
