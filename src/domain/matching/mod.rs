//! The match engine: suggests, for each disconnected Azure DevOps user, the
//! Entra account they most likely are.
//!
//! After a connect or tenant change, users whose sign-in address is not the
//! UPN of an account in the new tenant are "disconnected" and must be mapped
//! by hand (the Resolve step in the connect guide, seed 001; the remap call in
//! the api notes). This engine ranks candidates by the strength of the
//! evidence:
//!
//! | reason | confidence | base score |
//! |---|---|---|
//! | `ExactUpn`: the user's address is the account's UPN | Exact | 1.00 |
//! | `ExactMail`: … is the account's primary `mail` | Exact | 0.95 |
//! | `OtherMail`: … is listed in `otherMails` | High | 0.85 |
//! | `ProxyAddress`: … is an `smtp:` proxy address | High | 0.82 |
//! | `LocalPartAtVerifiedDomain`: same local part at a verified domain | Medium | 0.60 |
//! | `DisplayName{score}`: Jaro-Winkler of normalised names ≥ threshold | Medium (≥ 0.97) / Low | 0.55 × similarity |
//!
//! Disabled accounts keep their reason but score half, so they rank below
//! any enabled account with the same evidence. Guest UPNs (`…#EXT#@…`) are
//! never equal to the guest's own address, so `alice@outlook.com` only
//! matches such a guest through its `mail` or other addresses.
//!
//! Flags: `Ambiguous` when the two best candidates have the same evidence (or
//! more than one candidate has exact evidence), `DuplicateTarget` when one
//! account is the best candidate of several users. `auto_accept` is set only
//! for a single enabled candidate with exact evidence and no flag.
//!
//! Display names are compared only when no exact evidence exists, and only
//! against accounts that share a name token (rare tokens alone, common tokens
//! in pairs; see [`TenantIndex::name_candidates`]), so the work per user is
//! bounded by the size of a few posting lists, not by the tenant. With
//! [`bench_support::generate`]`(10_000, 200_000, _)`, indexing plus matching
//! took about 0.3 s on one core of the (shared) development machine in an
//! optimised build.

pub mod bench_support;
mod index;
pub mod kind;
pub mod names;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use index::{FALLBACK_CAP, TOKEN_CAP, TenantIndex};

use crate::domain::facts::{OrgUser, TenantUser, UserType};
use crate::domain::text::{jaro_winkler, name_tokens, split_email};
use crate::domain::validate::normalize_email;

/// A user to find an Entra account for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DisconnectedUser {
    /// Azure DevOps descriptor.
    pub descriptor: String,
    /// Display name.
    pub display_name: String,
    /// Sign-in address (for a personal account, its email).
    pub email: Option<String>,
}

impl From<&OrgUser> for DisconnectedUser {
    fn from(u: &OrgUser) -> Self {
        DisconnectedUser {
            descriptor: u.descriptor.clone(),
            display_name: u.display_name.clone(),
            email: u.sign_in_email(),
        }
    }
}

/// Why an account is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The address equals the account's UPN.
    ExactUpn,
    /// The address equals the account's primary mail.
    ExactMail,
    /// The address is one of the account's `otherMails`.
    OtherMail,
    /// The address is one of the account's `smtp:` proxy addresses.
    ProxyAddress,
    /// Same local part as the account's UPN or mail at a verified domain.
    LocalPartAtVerifiedDomain,
    /// Similar display names.
    DisplayName {
        /// Jaro-Winkler similarity of the normalised names.
        score: f32,
    },
}

impl Reason {
    fn base(&self) -> f32 {
        match self {
            Reason::ExactUpn => 1.0,
            Reason::ExactMail => 0.95,
            Reason::OtherMail => 0.85,
            Reason::ProxyAddress => 0.82,
            Reason::LocalPartAtVerifiedDomain => 0.60,
            Reason::DisplayName { score } => 0.55 * score,
        }
    }

    /// The confidence this evidence gives.
    pub fn confidence(&self) -> Confidence {
        match self {
            Reason::ExactUpn | Reason::ExactMail => Confidence::Exact,
            Reason::OtherMail | Reason::ProxyAddress => Confidence::High,
            Reason::LocalPartAtVerifiedDomain => Confidence::Medium,
            Reason::DisplayName { score } if *score >= 0.97 => Confidence::Medium,
            Reason::DisplayName { .. } => Confidence::Low,
        }
    }

    /// Whether two reasons are the same evidence (names within 0.001).
    fn same_evidence(&self, other: &Reason) -> bool {
        match (self, other) {
            (Reason::DisplayName { score: a }, Reason::DisplayName { score: b }) => {
                (a - b).abs() < 0.001
            }
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }

    /// A plain-words description.
    pub fn describe(&self) -> String {
        match self {
            Reason::ExactUpn => "address is the account's UPN".into(),
            Reason::ExactMail => "address is the account's primary mail".into(),
            Reason::OtherMail => "address is one of the account's other mails".into(),
            Reason::ProxyAddress => "address is one of the account's proxy addresses".into(),
            Reason::LocalPartAtVerifiedDomain => {
                "same name before the @ at a verified domain".into()
            }
            Reason::DisplayName { score } => format!("similar display name ({score:.2})"),
        }
    }
}

/// How sure a suggestion is, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Exact UPN or mail.
    Exact,
    /// Another address of the account.
    High,
    /// Local part, or an (almost) identical name.
    Medium,
    /// A similar name.
    Low,
}

impl Confidence {
    /// The lowercase word shown in the Resolve table and its CSV (the same
    /// word as in JSON).
    pub fn word(self) -> &'static str {
        match self {
            Confidence::Exact => "exact",
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// One suggested account for a disconnected user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Entra object id.
    pub tenant_user_id: String,
    /// The account's UPN.
    pub upn: String,
    /// The account's display name.
    pub display_name: String,
    /// Member or guest.
    pub user_type: UserType,
    /// Whether the account can sign in (disabled accounts rank lower).
    pub account_enabled: bool,
    /// The strongest evidence.
    pub reason: Reason,
    /// Confidence of that evidence.
    pub confidence: Confidence,
    /// Ranking score in `0.0..=1.0` (halved for disabled accounts).
    pub score: f32,
}

/// Something a reviewer should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchFlag {
    /// The best candidates tie on evidence, or several have exact evidence.
    Ambiguous,
    /// The best candidate is also the best candidate of another user.
    DuplicateTarget,
    /// The user has no usable address; only names could be compared.
    NoEmail,
    /// The best candidate's account is disabled.
    BestCandidateDisabled,
}

/// The engine's answer for one disconnected user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMatches {
    /// The user's descriptor.
    pub descriptor: String,
    /// The user's display name.
    pub display_name: String,
    /// The user's normalised address, if valid.
    pub email: Option<String>,
    /// Suggestions, best first (at most [`MatchConfig::max_suggestions`]).
    pub suggestions: Vec<Suggestion>,
    /// Flags for the reviewer, sorted.
    pub flags: Vec<MatchFlag>,
    /// The account to map without asking: set only for a unique, enabled,
    /// exact (UPN or mail) match with no flags.
    pub auto_accept: Option<String>,
}

/// Tuning knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    /// Minimum Jaro-Winkler similarity for a display-name suggestion.
    pub name_threshold: f32,
    /// How many suggestions to keep per user.
    pub max_suggestions: usize,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            name_threshold: 0.88,
            max_suggestions: 5,
        }
    }
}

/// Matches users against a tenant, building the index first.
pub fn match_users(
    disconnected: &[DisconnectedUser],
    tenant_users: &[TenantUser],
    verified_domains: &[String],
    config: &MatchConfig,
) -> Vec<UserMatches> {
    let index = TenantIndex::new(tenant_users, verified_domains);
    match_with_index(disconnected, &index, config)
}

/// Matches users against a prebuilt index.
pub fn match_with_index(
    disconnected: &[DisconnectedUser],
    index: &TenantIndex<'_>,
    config: &MatchConfig,
) -> Vec<UserMatches> {
    let mut scratch = Scratch {
        seen: vec![0; index.users().len()],
        stamp: 0,
        names: Vec::new(),
    };
    let mut results: Vec<UserMatches> = disconnected
        .iter()
        .map(|u| match_one(u, index, config, &mut scratch))
        .collect();
    mark_duplicate_targets(&mut results);
    results
}

struct Scratch {
    seen: Vec<u32>,
    stamp: u32,
    names: Vec<u32>,
}

fn consider(found: &mut Vec<(u32, Reason)>, id: u32, reason: Reason) {
    if let Some(slot) = found.iter_mut().find(|(i, _)| *i == id) {
        if reason.base() > slot.1.base() {
            slot.1 = reason;
        }
    } else {
        found.push((id, reason));
    }
}

fn match_one(
    user: &DisconnectedUser,
    index: &TenantIndex<'_>,
    config: &MatchConfig,
    scratch: &mut Scratch,
) -> UserMatches {
    let email = user.email.as_deref().and_then(|e| normalize_email(e).ok());
    let mut flags = Vec::new();
    let mut found: Vec<(u32, Reason)> = Vec::new();
    if let Some(e) = email.as_deref() {
        for id in index.by_upn(e) {
            consider(&mut found, id, Reason::ExactUpn);
        }
        for id in index.by_mail(e) {
            consider(&mut found, id, Reason::ExactMail);
        }
        for id in index.by_other_mail(e) {
            consider(&mut found, id, Reason::OtherMail);
        }
        for id in index.by_proxy(e) {
            consider(&mut found, id, Reason::ProxyAddress);
        }
        if let Some((local, _)) = split_email(e) {
            for id in index.by_local_part(local) {
                consider(&mut found, id, Reason::LocalPartAtVerifiedDomain);
            }
        }
    } else {
        flags.push(MatchFlag::NoEmail);
    }
    let has_exact = found
        .iter()
        .any(|(_, r)| r.confidence() == Confidence::Exact);
    if !has_exact {
        name_suggestions(user, index, config, scratch, &mut found);
    }

    let mut suggestions: Vec<Suggestion> = found
        .iter()
        .filter_map(|&(id, reason)| {
            let t = index.user(id)?;
            let mut score = reason.base();
            if !t.account_enabled {
                score *= 0.5;
            }
            Some(Suggestion {
                tenant_user_id: t.id.clone(),
                upn: t.user_principal_name.clone(),
                display_name: t.display_name.clone(),
                user_type: t.user_type,
                account_enabled: t.account_enabled,
                reason,
                confidence: reason.confidence(),
                score,
            })
        })
        .collect();
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.upn.cmp(&b.upn))
            .then_with(|| a.tenant_user_id.cmp(&b.tenant_user_id))
    });
    let exact_count = suggestions
        .iter()
        .filter(|s| s.confidence == Confidence::Exact)
        .count();
    let tie = match (suggestions.first(), suggestions.get(1)) {
        (Some(a), Some(b)) => {
            a.reason.same_evidence(&b.reason) && a.account_enabled == b.account_enabled
        }
        _ => false,
    };
    if tie || exact_count > 1 {
        flags.push(MatchFlag::Ambiguous);
    }
    if suggestions.first().is_some_and(|s| !s.account_enabled) {
        flags.push(MatchFlag::BestCandidateDisabled);
    }
    suggestions.truncate(config.max_suggestions);
    let auto_accept = match suggestions.first() {
        Some(best)
            if best.confidence == Confidence::Exact
                && best.account_enabled
                && exact_count == 1
                && flags.is_empty() =>
        {
            Some(best.tenant_user_id.clone())
        }
        _ => None,
    };
    flags.sort();
    UserMatches {
        descriptor: user.descriptor.clone(),
        display_name: user.display_name.clone(),
        email,
        suggestions,
        flags,
        auto_accept,
    }
}

fn name_suggestions(
    user: &DisconnectedUser,
    index: &TenantIndex<'_>,
    config: &MatchConfig,
    scratch: &mut Scratch,
    found: &mut Vec<(u32, Reason)>,
) {
    let tokens = name_tokens(&user.display_name);
    if tokens.is_empty() {
        return;
    }
    let key: Vec<char> = tokens.join(" ").chars().collect();
    scratch.stamp = scratch.stamp.wrapping_add(1);
    if scratch.stamp == 0 {
        scratch.seen.iter_mut().for_each(|s| *s = 0);
        scratch.stamp = 1;
    }
    let mut names = std::mem::take(&mut scratch.names);
    index.name_candidates(&tokens, &mut scratch.seen, scratch.stamp, &mut names);
    for &id in &names {
        let other = index.name_chars(id);
        if other.is_empty() {
            continue;
        }
        let sim = jaro_winkler(&key, other) as f32;
        if sim >= config.name_threshold {
            consider(found, id, Reason::DisplayName { score: sim });
        }
    }
    scratch.names = names;
}

fn mark_duplicate_targets(results: &mut [UserMatches]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in results.iter() {
        if let Some(best) = r.suggestions.first() {
            *counts.entry(best.tenant_user_id.clone()).or_default() += 1;
        }
    }
    for r in results.iter_mut() {
        let dup = r
            .suggestions
            .first()
            .is_some_and(|b| counts.get(&b.tenant_user_id).copied().unwrap_or(0) > 1);
        if dup {
            r.flags.push(MatchFlag::DuplicateTarget);
            r.flags.sort();
            r.auto_accept = None;
        }
    }
}

#[cfg(test)]
mod tests;
