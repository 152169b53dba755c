//! Policies that decide what the change may do and what people may do
//! afterwards.
//!
//! - `org-creation-policy`: the destination tenant's "Restrict organization
//!   creation" policy; an administrator off its allowlist cannot connect an
//!   organization to the tenant (Microsoft Learn, "Restrict organization
//!   creation via Microsoft Entra tenant policy"). Only Azure DevOps
//!   Administrators of the tenant can read it; anyone else is told whom to
//!   ask.
//! - `tenant-pat-policies`: the destination's tenant policies on personal
//!   access tokens (global PATs, full-scoped PATs, maximum lifespan, leaked
//!   PAT revocation) and which of the organization's tokens could not be
//!   recreated under them (Microsoft Learn, "Manage personal access tokens
//!   using policies").
//! - `org-policies`: organization policies whose effect depends on the
//!   directory: IP Conditional Access policy validation (non-interactive
//!   sign-ins such as PATs and SSH only honour IP-based policies, Microsoft
//!   Learn "Manage conditional access"), third-party OAuth, SSH, and team and
//!   project administrators inviting new users (guest access has its own
//!   check, `guest-access-policy`).
//! - `pat-creation-policy`: the organization's "Restrict personal access
//!   token creation" policy exists only on Entra-backed organizations, and
//!   its allowlist names identities of the current directory: after a tenant
//!   change it exempts nobody. Git Credential Manager creates a PAT per sign-in
//!   by default and then fails with `DisablePatCreationPolicyViolation`
//!   (git-credential-manager issue #2344); Entra tokens avoid it.

use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Facts, Operation, TenantPolicies, TenantPolicy};
use crate::domain::text::normalize_key;

use super::access::destination_label;

/// What to tell someone who cannot read the tenant policies.
fn ask_admins(facts: &Facts, what: &str) -> String {
    let dest = destination_label(facts);
    match facts.devops_admins.as_deref() {
        Some([]) => format!(
            "{dest} has no Azure DevOps Administrator: a Global Administrator can assign the role \
             (Microsoft Entra admin center > Roles and administrators > Azure DevOps Administrator), \
             then that person checks {what} (Organization settings > Microsoft Entra)."
        ),
        Some(admins) => format!(
            "Ask an Azure DevOps Administrator of {dest} ({}) to check {what} (Organization \
             settings > Microsoft Entra), or sign in as one and run the checks again.",
            admins.join(", ")
        ),
        None => format!(
            "Ask an Azure DevOps Administrator of {dest} (Microsoft Entra admin center > Roles \
             and administrators > Azure DevOps Administrator) to check {what} (Organization \
             settings > Microsoft Entra)."
        ),
    }
}

fn unreadable(id: &'static str, facts: &Facts, what: &str) -> CheckResult {
    CheckResult::unverified(id, what)
        .evidence([format!(
            "Only Azure DevOps Administrators of {} can read its tenant policies",
            destination_label(facts)
        )])
        .fix(ask_admins(facts, what))
}

/// `org-creation-policy`: the person connecting is not blocked by the
/// destination's organization creation restriction.
pub fn org_creation_policy(facts: &Facts) -> CheckResult {
    const ID: &str = "org-creation-policy";
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let what = "the 'Restrict organization creation' policy and its allowlist";
    let Some(policies) = facts.tenant_policies.as_ref() else {
        return unreadable(ID, facts, what);
    };
    let Some(policy) = policies.restrict_org_creation.as_ref() else {
        return unreadable(ID, facts, what);
    };
    let dest = destination_label(facts);
    let who = facts.caller.sign_in_name.trim();
    if !policy.on {
        return CheckResult::new(
            ID,
            Status::Pass,
            "Organization creation is not restricted in the destination",
        )
        .evidence([format!("'Restrict organization creation' is off in {dest}")]);
    }
    let listed = || {
        let names: Vec<String> = policy
            .allowlist
            .iter()
            .map(|id| policies.name_of(id))
            .collect();
        format!(
            "Its allowlist: {}",
            if names.is_empty() {
                "empty".to_string()
            } else {
                names.join(", ")
            }
        )
    };
    match policies.covers_caller(policy) {
        Some(true) => CheckResult::new(
            ID,
            Status::Pass,
            "Organization creation is restricted, and you are on the allowlist",
        )
        .evidence([
            format!("'Restrict organization creation' is on in {dest}; {who} is on its allowlist"),
            listed(),
        ]),
        Some(false) => CheckResult::new(
            ID,
            Status::Fail,
            "You are not on the allowlist of the destination's organization creation restriction",
        )
        .evidence([
            format!(
                "'Restrict organization creation' is on in {dest}, and {who} is not on its allowlist \
                 (directly or through a group): Azure DevOps refuses to connect an organization for \
                 an administrator off the allowlist"
            ),
            listed(),
        ])
        .fix(format!(
            "Have an Azure DevOps Administrator of {dest} add you, or a group you are in, to the \
             allowlist (Organization settings > Microsoft Entra > Restrict organization creation > \
             Add Microsoft Entra user or group), or let someone on the allowlist make the change."
        )),
        None => unreadable(ID, facts, what),
    }
}

/// Whether `owner` (an address) is exempt from `policy` in the destination:
/// their account there (by UPN) is on the allowlist. `None`: unknown.
fn exempt(ctx: &Ctx<'_>, policies: &TenantPolicies, policy: &TenantPolicy, owner: &str) -> bool {
    let me = normalize_key(&ctx.facts.caller.sign_in_name);
    let key = normalize_key(owner);
    if !me.is_empty() && key == me && policies.covers_caller(policy) == Some(true) {
        return true;
    }
    let Some(index) = ctx.index.as_ref() else {
        return false;
    };
    index.by_upn(&key).iter().any(|&i| {
        index.user(i).is_some_and(|u| {
            policy
                .allowlist
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&u.id))
        })
    })
}

/// `tenant-pat-policies`: which of the organization's tokens could not be
/// recreated under the destination's PAT policies.
pub fn tenant_pat_policies(facts: &Facts) -> CheckResult {
    tenant_pat_policies_with(&Ctx::new(facts))
}

pub(crate) fn tenant_pat_policies_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "tenant-pat-policies";
    let facts = ctx.facts;
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No destination tenant when disconnecting");
    }
    let what = "its personal access token policies";
    let Some(p) = facts.tenant_policies.as_ref() else {
        return unreadable(ID, facts, what);
    };
    let dest = destination_label(facts);
    let mut on = Vec::new();
    let mut findings = Vec::new();
    let pats = facts.org.pats.as_deref();
    let owner = |pat: &crate::domain::facts::PatInfo| {
        pat.owner
            .clone()
            .unwrap_or_else(|| facts.caller.sign_in_name.clone())
    };
    if let Some(policy) = p.restrict_global_pats.as_ref().filter(|x| x.on) {
        on.push(format!("Global PAT creation is restricted in {dest}"));
        for pat in pats.into_iter().flatten().filter(|t| t.is_global) {
            if !exempt(ctx, p, policy, &owner(pat)) {
                findings.push(format!(
                    "Global PAT {}: a global PAT cannot be created again; replace it with one \
                     scoped to this organization",
                    pat.label()
                ));
            }
        }
    }
    if let Some(policy) = p.restrict_full_scope_pats.as_ref().filter(|x| x.on) {
        on.push(format!("Full-scoped PAT creation is restricted in {dest}"));
        for pat in pats.into_iter().flatten().filter(|t| t.is_full_scope()) {
            if !exempt(ctx, p, policy, &owner(pat)) {
                findings.push(format!(
                    "Full-scoped PAT {}: it can only be recreated with specific scopes",
                    pat.label()
                ));
            }
        }
    }
    if let Some(policy) = p.max_pat_lifespan.as_ref().filter(|x| x.on) {
        let days = p.max_pat_lifespan_days.unwrap_or(0);
        on.push(format!("New PATs live at most {days} days in {dest}"));
        let limit = facts.now + chrono::Duration::days(i64::from(days));
        for pat in pats.into_iter().flatten() {
            if pat.valid_to.is_some_and(|v| v > limit) && !exempt(ctx, p, policy, &owner(pat)) {
                findings.push(format!(
                    "PAT {} is valid to {}: its replacement can live at most {days} days",
                    pat.label(),
                    pat.valid_to
                        .map(|v| v.format("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                ));
            }
        }
    }
    if p.revoke_leaked_pats == Some(false) {
        on.push(format!(
            "Automatic revocation of leaked PATs is off in {dest} (it is on by default)"
        ));
    }
    if pats.is_none() && !on.is_empty() {
        return CheckResult::unverified(ID, "which personal access tokens these policies affect")
            .evidence(on)
            .fix("Tell users which token policies apply in the new directory.");
    }
    if findings.is_empty() {
        let title = if on.is_empty() {
            "The destination restricts no personal access tokens".to_string()
        } else {
            "The destination's PAT policies affect none of the organization's tokens".to_string()
        };
        return CheckResult::new(ID, Status::Pass, title).evidence(on);
    }
    CheckResult::new(
        ID,
        Status::Warn,
        format!(
            "{} cannot be recreated as they are under the destination's policies",
            crate::domain::text::plural(
                findings.len(),
                "personal access token",
                "personal access tokens"
            )
        ),
    )
    .evidence(on.into_iter().chain(findings))
    .fix(format!(
        "After the change, recreate these tokens within the policies (scoped to this organization, \
         with specific scopes, within the maximum lifespan), or have an Azure DevOps Administrator \
         of {dest} add their owners to the policy's allowlist (Organization settings > Microsoft \
         Entra). Better still, move automation to a service principal or managed identity."
    ))
}

/// `org-policies`: organization policies whose effect changes with the
/// directory.
pub fn org_policies(facts: &Facts) -> CheckResult {
    const ID: &str = "org-policies";
    if facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "Applies when connecting or changing tenants");
    }
    let p = &facts.org.policies;
    let dest = destination_label(facts);
    let known = [
        p.enforce_aad_conditional_access,
        p.disallow_oauth_authentication,
        p.disallow_secure_shell,
        p.allow_team_admins_invitations,
    ];
    if known.iter().all(Option::is_none) {
        return CheckResult::unverified(ID, "the organization's policies")
            .fix("Review Organization settings > Policies before the change.");
    }
    let state = |v: Option<bool>| match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "unknown",
    };
    let mut evidence = vec![
        format!(
            "Third-party application access via OAuth: {}",
            state(p.disallow_oauth_authentication.map(|d| !d))
        ),
        format!(
            "SSH authentication: {}",
            state(p.disallow_secure_shell.map(|d| !d))
        ),
        format!(
            "Allow team and project administrators to invite new users: {}",
            state(p.allow_team_admins_invitations)
        ),
        format!(
            "Enable IP Conditional Access policy validation: {}",
            state(p.enforce_aad_conditional_access)
        ),
    ];
    let mut findings = Vec::new();
    if p.enforce_aad_conditional_access == Some(true) {
        findings.push(format!(
            "IP Conditional Access policy validation is on: once the organization uses {dest}, \
             that directory's IP-based Conditional Access policies also apply to non-interactive \
             sign-ins (personal access tokens, SSH keys, Git and REST clients), which fail from \
             outside the allowed ranges (VS403463, AADSTS53003)"
        ));
    }
    let invites_restricted = facts.invitations.as_ref().is_some_and(|i| {
        !matches!(
            i.allow_invites_from.to_ascii_lowercase().as_str(),
            "everyone" | "adminsguestinvitersandallmembers"
        )
    });
    if p.allow_team_admins_invitations != Some(false) && invites_restricted {
        findings.push(format!(
            "Team and project administrators may invite new users, but in {dest} every new user \
             from outside comes in as a guest, and only administrators and Guest Inviters may \
             invite guests there: their invitations will fail"
        ));
    }
    if findings.is_empty() {
        return CheckResult::new(
            ID,
            Status::Pass,
            "No organization policy works differently in the destination",
        )
        .evidence(evidence);
    }
    let n = findings.len();
    evidence.splice(0..0, findings);
    CheckResult::new(
        ID,
        Status::Warn,
        format!("{n} organization policy(ies) work differently in the destination"),
    )
    .evidence(evidence)
    .fix(format!(
        "Before the change, review {dest}'s Conditional Access named locations for the ranges your \
         pipelines, build agents and developers use (or turn off IP Conditional Access policy \
         validation in Organization settings > Policies); tell team and project administrators \
         that new users must be invited by someone allowed to invite guests."
    ))
}

/// `pat-creation-policy`: who will be unable to create PATs after a tenant
/// change, because the allowlist names identities of the old directory (or,
/// for an organization audited in its own directory, who is off it now).
pub fn pat_creation_policy(facts: &Facts) -> CheckResult {
    pat_creation_policy_with(&Ctx::new(facts))
}

pub(crate) fn pat_creation_policy_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "pat-creation-policy";
    let facts = ctx.facts;
    let staying = match &facts.operation {
        Operation::Connect { .. } => {
            return CheckResult::skip(
                ID,
                "The PAT creation restriction exists only once an organization uses a directory, and starts off",
            );
        }
        Operation::Disconnect => {
            return CheckResult::skip(ID, "The PAT creation restriction ends with the directory");
        }
        Operation::ChangeTenant { from, to } => normalize_key(from) == normalize_key(to),
    };
    let Some(policy) = facts.org.pat_creation_policy.as_ref() else {
        return CheckResult::unverified(ID, "the organization's PAT creation restriction")
            .fix("Look at Organization settings > Policies > Restrict personal access token (PAT) creation before the change.");
    };
    if !policy.on {
        return CheckResult::new(ID, Status::Pass, "PAT creation is not restricted")
            .evidence(["'Restrict personal access token (PAT) creation' is off".to_string()]);
    }
    let mut evidence = vec![format!(
        "'Restrict personal access token (PAT) creation' is on{}",
        if policy.packaging_only {
            "; users off the allowlist may still create packaging-only PATs"
        } else {
            ""
        }
    )];
    let names = policy
        .allowlist
        .iter()
        .map(|a| {
            if a.display_name.is_empty() {
                a.object_id.clone()
            } else {
                a.display_name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if policy.allowlist_enabled && !policy.allowlist.is_empty() {
        evidence.push(if staying {
            format!("Its allowlist: {names}")
        } else {
            format!(
                "Its allowlist names {} identity(ies) of the current directory ({names}); after the \
                 change they match nobody until identities of the new directory are added",
                policy.allowlist.len()
            )
        });
    }
    // Who owns PATs and would be refused a new one: everyone after a move;
    // in the same directory, those whose account is not on the allowlist.
    let allowlisted = |owner: &str| {
        staying
            && policy.allowlist_enabled
            && ctx.index.as_ref().is_some_and(|index| {
                index.by_upn(&normalize_key(owner)).iter().any(|&i| {
                    index.user(i).is_some_and(|u| {
                        policy
                            .allowlist
                            .iter()
                            .any(|a| a.object_id.eq_ignore_ascii_case(&u.id))
                    })
                })
            })
    };
    let mut owners: Vec<String> = facts
        .org
        .pats
        .iter()
        .flatten()
        .filter_map(|p| p.owner.clone())
        .map(|o| normalize_key(&o))
        .filter(|o| !allowlisted(o))
        .collect();
    owners.sort();
    owners.dedup();
    if !owners.is_empty() {
        evidence.push(format!(
            "These users own PATs and could not create or regenerate them: {}",
            owners.join(", ")
        ));
    }
    evidence.push(
        "Git Credential Manager creates a PAT for each Git sign-in by default: its users off the \
         allowlist see 'Failed to create PAT: DisablePatCreationPolicyViolation'"
            .to_string(),
    );
    let fix = "Have Git users switch Git Credential Manager to Microsoft Entra tokens: \
               `git config --global credential.azreposCredentialType oauth`; add who still needs \
               PATs to the allowlist (Organization settings > Policies > Restrict personal access \
               token (PAT) creation > Manage).";
    if staying {
        return CheckResult::new(
            ID,
            Status::Warn,
            "PAT creation is restricted: only the allowlist may create PATs",
        )
        .evidence(evidence)
        .fix(fix);
    }
    CheckResult::new(
        ID,
        Status::Warn,
        "After the change nobody will be able to create PATs until the allowlist is redone",
    )
    .evidence(evidence)
    .fix(format!(
        "After the change, add identities of the new directory to the allowlist. {fix}"
    ))
}
