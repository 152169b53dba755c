//! The match engine: suggests, for each disconnected Azure DevOps user, the
//! Entra account they most likely are, and says how sure it is in words an
//! admin can act on.
//!
//! After a connect or tenant change, users whose sign-in address is not the
//! UPN of an account in the new tenant are "disconnected" and must be mapped
//! by hand (the Resolve step). A wrong mapping moves a person's history,
//! permissions and licence onto someone else's account and nothing flags it
//! afterwards, so the engine is built to be never confidently wrong: it
//! weighs three kinds of evidence and asks them to agree.
//!
//! **Address**: the user's address is the account's UPN or primary `mail`,
//! one of its `otherMails` or `smtp:` proxy addresses, or has the same local
//! part at one of the tenant's verified domains ([`Reason`]).
//!
//! **Name**: the account's display name (or given name and surname) agrees
//! with the user's: the same, or the same spelled differently, by a
//! nickname, with initials, run together, with a middle or second surname
//! on one side ([`names`]; names that only look alike never agree).
//!
//! **Account kind**: member or guest, enabled or not, a person's account or
//! an admin, service, shared, room or test account ([`kind`]), and whether
//! it is another account of the same person as a better candidate (a guest
//! copy, a separate admin account, an old disabled account).
//!
//! Candidates are ranked by how strongly they are this person (address and
//! name together count most; a guest copy, a non-person account, a disabled
//! account rank below the same person's member account), and the confidence
//! is decided by these rules, which are exactly what the words promise:
//!
//! | confidence | when |
//! |---|---|
//! | exact | one enabled member person account, whose UPN or primary mail is the user's address and whose name agrees, and no other account claims that address or name |
//! | high | as exact but by other mails or proxy addresses, or a guest, or a user whose name is too thin to agree (an initial, one name) |
//! | medium | a name that agrees but no address (name-only never goes higher); an address whose account's name does not agree (flagged); the same local part at a verified domain with a name that agrees (or initials that do); anything ambiguous |
//! | low | a disabled account, a non-person account, another account of the same person, initials alone |
//!
//! Flags say what a reviewer must look at ([`MatchFlag::describe`]); a
//! flagged row is never exact, and `A` / `resolve --accept-exact` take the
//! exact rows only. When no candidate's name agrees and no address links
//! one, the engine abstains: the row has no suggestion and the admin is
//! offered an invitation instead of a namesake.
//!
//! Names are compared only with accounts found through posting lists of
//! name tokens and pairs ([`TenantIndex::name_candidates`]), so the work per
//! user is bounded by a few lookups, not by the tenant. With
//! [`bench_support::generate`]`(10_000, 200_000, _)`, indexing plus matching
//! stays within the 300 ms target on one core (docs/performance.md); the
//! quality of the suggestions is measured by [`quality`] in the same
//! benchmark binary.

pub mod bench_support;
mod index;
pub mod kind;
pub mod names;
pub mod quality;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use index::{INITIALS_CAP, TenantIndex};
pub use kind::AccountKind;
pub use names::NameMatch;

use crate::domain::facts::{OrgUser, TenantUser, UserType};
use crate::domain::text::split_email;
use crate::domain::validate::normalize_email;
use kind::{DirectoryProfile, classify, classify_identity};
use names::{Nicknames, PersonName, Roles, compare};

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

/// The address evidence for a suggestion, or that there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// No address links them; the names agree
    /// ([`Suggestion::name_match`] says how).
    DisplayName,
}

impl Reason {
    /// Ranking weight of the address evidence.
    fn weight(self) -> f32 {
        match self {
            Reason::ExactUpn => 3.0,
            Reason::ExactMail => 2.9,
            Reason::OtherMail => 2.6,
            Reason::ProxyAddress => 2.5,
            // Mostly the name again ("anna.berg@"): light corroboration.
            Reason::LocalPartAtVerifiedDomain => 0.4,
            Reason::DisplayName => 0.0,
        }
    }

    /// The account holds the user's very address (not only its local part).
    pub fn is_address(self) -> bool {
        matches!(
            self,
            Reason::ExactUpn | Reason::ExactMail | Reason::OtherMail | Reason::ProxyAddress
        )
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
            Reason::DisplayName => "no address in common".into(),
        }
    }
}

/// How sure a suggestion is, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// One enabled member person account, by UPN or primary mail, whose
    /// name agrees, and nobody else claims the address or name: safe to
    /// map without a look (`A`, `resolve --accept-exact`).
    Exact,
    /// Address and name agree, but by another address, or for a guest, or
    /// the user's name is too thin to agree in full.
    High,
    /// A name that agrees without an address, an address whose name does
    /// not agree, or anything ambiguous: look before mapping.
    Medium,
    /// A disabled or non-person account, another account of the same
    /// person, or initials alone: most likely not the one to map.
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
    /// The account's primary mail.
    #[serde(default)]
    pub mail: Option<String>,
    /// Member or guest.
    pub user_type: UserType,
    /// Whether the account can sign in.
    pub account_enabled: bool,
    /// A person's account, or what else it is for.
    #[serde(default)]
    pub kind: AccountKind,
    /// The address evidence ([`Reason::DisplayName`] when there is none).
    pub reason: Reason,
    /// How the account's name compares with the user's.
    #[serde(default = "unknown_name")]
    pub name_match: NameMatch,
    /// Another account of the same person as the first suggestion (a guest
    /// copy, an admin account, an old disabled account).
    #[serde(default)]
    pub same_person: bool,
    /// What the reviewer is told, and what `A` acts on.
    pub confidence: Confidence,
    /// Ranking score (higher ranks first; comparable within one user only).
    pub score: f32,
}

fn unknown_name() -> NameMatch {
    NameMatch::Unknown
}

impl Suggestion {
    /// Why, in words: the address evidence and how the names compare.
    pub fn why(&self) -> String {
        let name = self.name_match.describe();
        let mut s = match self.reason {
            Reason::DisplayName => name.to_string(),
            r => format!("{}; {name}", r.describe()),
        };
        if self.same_person {
            s.push_str("; another account of the same person");
        }
        s
    }

    /// The account in words: kind, member or guest, enabled or not
    /// ("person, member, enabled"; "admin account, member, disabled").
    pub fn account_words(&self) -> String {
        format!(
            "{}, {}, {}",
            self.kind.word(),
            match self.user_type {
                UserType::Member => "member",
                UserType::Guest => "guest",
            },
            if self.account_enabled {
                "enabled"
            } else {
                "disabled"
            }
        )
    }
}

/// Something a reviewer should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchFlag {
    /// Several accounts are supported by evidence (the same address or
    /// name, or an address for one and a name for another).
    Ambiguous,
    /// The best candidate is also the best candidate of another user.
    DuplicateTarget,
    /// The user has no usable address; only names could be compared.
    NoEmail,
    /// The best candidate's account is disabled.
    BestCandidateDisabled,
    /// The address matches, but the account's name does not agree with the
    /// user's.
    NameDisagrees,
    /// The best candidate is not a person's account (admin, service,
    /// shared, room, test).
    NotAPerson,
}

impl MatchFlag {
    /// Plain words for the Resolve screen, the CLI and the CSV.
    pub fn describe(self) -> &'static str {
        match self {
            MatchFlag::Ambiguous => "more than one account fits",
            MatchFlag::DuplicateTarget => "also the best account for another user",
            MatchFlag::NoEmail => "no email address, names only",
            MatchFlag::BestCandidateDisabled => "the account is disabled",
            MatchFlag::NameDisagrees => "address matches but the name does not",
            MatchFlag::NotAPerson => "not a person's account",
        }
    }
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
    /// Suggestions, best first (at most [`MatchConfig::max_suggestions`]);
    /// empty when the engine abstains (invite instead).
    pub suggestions: Vec<Suggestion>,
    /// Flags for the reviewer, sorted.
    pub flags: Vec<MatchFlag>,
    /// The account to map without asking: set exactly when the first
    /// suggestion's confidence is [`Confidence::Exact`].
    pub auto_accept: Option<String>,
}

/// Tuning knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    /// How many suggestions to keep per user.
    pub max_suggestions: usize,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig { max_suggestions: 5 }
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

/// Ranking penalties for what an account is (see the module docs).
const NOT_A_PERSON: f32 = 3.5;
const GUEST_COPY: f32 = 3.5;
const DISABLED: f32 = 0.8;
const GUEST: f32 = 0.3;
const WEAK_SIGNAL: f32 = 0.45;

/// One candidate while a user is being matched.
struct Candidate<'a> {
    user: &'a TenantUser,
    reason: Reason,
    name: NameMatch,
    kind: AccountKind,
    weak: u8,
    guest: bool,
    display: PersonName,
    score: f32,
    same_person: bool,
    confidence: Confidence,
}

impl Candidate<'_> {
    fn member_person(&self) -> bool {
        !self.guest && self.user.account_enabled && self.kind.is_person()
    }

    /// A guest, disabled or non-person account: one a person may hold
    /// besides their own member account.
    fn secondary(&self) -> bool {
        self.guest || !self.user.account_enabled || !self.kind.is_person()
    }

    /// Whether this and `other` look like one person's two accounts: names
    /// that agree, or the one's primary mail among the other's addresses.
    fn same_person_as(&self, other: &Candidate<'_>, nick: &Nicknames) -> bool {
        if name_match(&self.display, other.user, &other.display, nick).agrees() {
            return true;
        }
        let holds = |a: &TenantUser, address: &str| {
            a.other_mails
                .iter()
                .any(|m| m.eq_ignore_ascii_case(address))
                || a.proxy_addresses.iter().any(|p| {
                    crate::domain::text::proxy_smtp_address(p)
                        .is_some_and(|x| x.eq_ignore_ascii_case(address))
                })
        };
        self.user
            .mail
            .as_deref()
            .is_some_and(|m| holds(other.user, m))
            || other
                .user
                .mail
                .as_deref()
                .is_some_and(|m| holds(self.user, m))
    }
}

/// The names a user goes by: the display name, and the address's local part
/// when it reads as the same name ("M. Edwards" at margaret.edwards@…,
/// "Katie Murphy" at katherinemurphy@…), or stands in for a display name
/// with fewer than two names. The second is `None` when the local part says
/// nothing more, or names someone else.
fn user_names(
    user: &DisconnectedUser,
    email: Option<&str>,
    nick: &Nicknames,
) -> (PersonName, Option<PersonName>) {
    let shown = PersonName::parse(&user.display_name);
    let local = email
        .and_then(split_email)
        .map(|(l, _)| PersonName::parse(l))
        .unwrap_or_default();
    if local.is_empty() || local == shown {
        return (shown, None);
    }
    if shown.tokens.len() < 2 && local.tokens.len() >= 2 || shown.is_empty() {
        return (local, None);
    }
    let how = compare(&local, &shown, &Roles::NONE, nick);
    let consistent = !how.disagrees()
        && how != NameMatch::Unknown
        && !(local.tokens.len() == 1 && how == NameMatch::Thin);
    (shown, consistent.then_some(local))
}

/// How an account's name compares with the user's: its display name, or
/// its given name and surname (the legal form: "Robert" where the display
/// name says "Bob"), whichever agrees better.
fn name_match(
    name: &PersonName,
    account: &TenantUser,
    display: &PersonName,
    nick: &Nicknames,
) -> NameMatch {
    if account.given_name.is_none() && account.surname.is_none() {
        return compare(name, display, &Roles::NONE, nick);
    }
    let given = PersonName::parse(account.given_name.as_deref().unwrap_or(""));
    let surname = PersonName::parse(account.surname.as_deref().unwrap_or(""));
    let shown = compare(
        name,
        display,
        &Roles::within(&given, &surname, display),
        nick,
    );
    let legal = given.joined(&surname);
    if legal.is_empty() || legal.tokens == display.tokens {
        return shown;
    }
    let formal = compare(name, &legal, &Roles::within(&given, &surname, &legal), nick);
    if formal.weight() > shown.weight() {
        formal
    } else {
        shown
    }
}

fn consider(found: &mut Vec<(u32, Reason)>, id: u32, reason: Reason) {
    if let Some(slot) = found.iter_mut().find(|(i, _)| *i == id) {
        if reason.weight() > slot.1.weight() {
            slot.1 = reason;
        }
    } else {
        found.push((id, reason));
    }
}

/// The confidence the evidence for one candidate gives on its own (the row's
/// flags may lower it).
fn confidence_of(c: &Candidate<'_>) -> Confidence {
    use Confidence::*;
    let name = c.name;
    let by_evidence = match c.reason {
        _ if name.disagrees() && c.reason.is_address() => {
            if name == NameMatch::Partial {
                Medium
            } else {
                Low
            }
        }
        Reason::ExactUpn | Reason::ExactMail if name.agrees() => Exact,
        Reason::ExactUpn | Reason::ExactMail => High,
        Reason::OtherMail | Reason::ProxyAddress if name.agrees() => High,
        Reason::OtherMail | Reason::ProxyAddress => Medium,
        Reason::LocalPartAtVerifiedDomain | Reason::DisplayName if name.agrees() => Medium,
        // "L. Nilsen" at lars@: the local part bears the initial out.
        Reason::LocalPartAtVerifiedDomain if name == NameMatch::Initials => Medium,
        Reason::LocalPartAtVerifiedDomain | Reason::DisplayName => Low,
    };
    let cap = if !c.user.account_enabled || !c.kind.is_person() || c.same_person {
        Low
    } else if c.guest {
        High
    } else {
        Exact
    };
    by_evidence.max(cap)
}

fn match_one(
    user: &DisconnectedUser,
    index: &TenantIndex<'_>,
    config: &MatchConfig,
    scratch: &mut Scratch,
) -> UserMatches {
    let nick = Nicknames::builtin();
    let profile: &DirectoryProfile = index.profile();
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
    let (name, alt) = user_names(user, email.as_deref(), nick);
    let mut names = std::mem::take(&mut scratch.names);
    for n in std::iter::once(&name).chain(alt.as_ref()) {
        scratch.stamp = scratch.stamp.wrapping_add(1);
        if scratch.stamp == 0 {
            scratch.seen.iter_mut().for_each(|s| *s = 0);
            scratch.stamp = 1;
        }
        index.name_candidates(n, nick, &mut scratch.seen, scratch.stamp, &mut names);
        for &id in &names {
            consider(&mut found, id, Reason::DisplayName);
        }
    }
    scratch.names = names;

    // Read only when a non-person account is a candidate.
    let mut user_is_person: Option<bool> = None;
    // A personal address (not at one of the tenant's domains) on an account
    // was put there for its holder; a company alias may have been
    // reassigned to someone else since.
    let personal = email
        .as_deref()
        .and_then(split_email)
        .is_some_and(|(_, d)| !index.is_verified_domain(d));
    let mut cands: Vec<Candidate<'_>> = Vec::with_capacity(found.len());
    for &(id, reason) in &found {
        let Some(t) = index.user(id) else { continue };
        let display = PersonName::parse(&t.display_name);
        let mut nm = name_match(&name, t, &display, nick);
        // The address can only strengthen a name the display name does not
        // contradict (Michaela at msmith@… is not Michael Smith).
        if let Some(alt) = alt.as_ref().filter(|_| !nm.disagrees()) {
            let by_address = name_match(alt, t, &display, nick);
            if by_address.weight() > nm.weight() {
                nm = by_address;
            }
        }
        // Plausible only when the account holds the address, or the names
        // agree (initials at least); a shared local part needs the names
        // to agree too. Everything else is a namesake or a coincidence.
        let plausible = match reason {
            // A company alias on an account with another name entirely was
            // reassigned (or is someone else's): not evidence for this user.
            Reason::OtherMail | Reason::ProxyAddress => personal || nm != NameMatch::Different,
            r if r.is_address() => true,
            Reason::LocalPartAtVerifiedDomain => nm.agrees() || nm == NameMatch::Initials,
            _ => nm.agrees() || nm == NameMatch::Initials,
        };
        if !plausible {
            continue;
        }
        let (kind, weak) = classify(t, profile);
        // A service, shared or room account is never a person's target: one
        // that holds a person's address without their name is only where
        // they registered it (invite them instead). An admin or test account
        // named after them is shown, below their own account.
        let user_is_person = kind.is_person()
            || *user_is_person.get_or_insert_with(|| {
                classify_identity(&user.display_name, email.as_deref()).is_person()
            });
        if !kind.is_person() && user_is_person && !nm.agrees() && !nm.weak() {
            continue;
        }
        let guest = t.user_type == UserType::Guest
            || crate::domain::text::is_guest_ext_upn(&t.user_principal_name);
        // How much an address counts when the names disagree: a changed
        // surname on a personal address is still most likely the person.
        let factor = match nm {
            NameMatch::Partial if personal => 0.9,
            NameMatch::Partial => 0.3,
            NameMatch::Different => 0.15,
            _ => 1.0,
        };
        let mut score = reason.weight() * factor + nm.weight() - f32::from(weak) * WEAK_SIGNAL;
        if !kind.is_person() && user_is_person {
            score -= NOT_A_PERSON;
        }
        if !t.account_enabled {
            score -= DISABLED;
        }
        if guest {
            score -= GUEST;
        }
        cands.push(Candidate {
            user: t,
            reason,
            name: nm,
            kind,
            weak,
            guest,
            display,
            score,
            same_person: false,
            confidence: Confidence::Low,
        });
    }
    // A guest copy yields to the same person's member account.
    let copies: Vec<usize> = (0..cands.len())
        .filter(|&g| {
            cands[g].guest
                && cands
                    .iter()
                    .any(|m| m.member_person() && cands[g].same_person_as(m, nick))
        })
        .collect();
    for g in copies {
        cands[g].score -= GUEST_COPY;
    }
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.weak.cmp(&b.weak))
            .then_with(|| a.user.user_principal_name.cmp(&b.user.user_principal_name))
            .then_with(|| a.user.id.cmp(&b.user.id))
    });
    // Other accounts of the best candidate's person.
    if let Some((best, rest)) = cands.split_first_mut() {
        for c in rest.iter_mut() {
            c.same_person = c.secondary() && c.same_person_as(best, nick);
        }
    }
    for c in cands.iter_mut() {
        c.confidence = confidence_of(c);
    }

    if let Some(best) = cands.first() {
        // Another account that claims the user's address or name, and is
        // not the same person's other account, leaves the row ambiguous.
        let claims = |c: &Candidate<'_>| {
            !c.same_person
                && (c.reason.is_address()
                    || c.name.agrees()
                    || !best.name.agrees() && c.name == best.name)
        };
        if cands[1..].iter().any(claims) {
            flags.push(MatchFlag::Ambiguous);
        }
        if best.reason.is_address() && best.name.disagrees() {
            flags.push(MatchFlag::NameDisagrees);
        }
        if !best.user.account_enabled {
            flags.push(MatchFlag::BestCandidateDisabled);
        }
        if !best.kind.is_person() {
            flags.push(MatchFlag::NotAPerson);
        }
    }
    if flags
        .iter()
        .any(|f| matches!(f, MatchFlag::Ambiguous | MatchFlag::NameDisagrees))
    {
        for c in cands.iter_mut() {
            c.confidence = c.confidence.max(Confidence::Medium);
        }
    }
    cands.truncate(config.max_suggestions);
    let suggestions: Vec<Suggestion> = cands
        .iter()
        .map(|c| Suggestion {
            tenant_user_id: c.user.id.clone(),
            upn: c.user.user_principal_name.clone(),
            display_name: c.user.display_name.clone(),
            mail: c.user.mail.clone(),
            user_type: if c.guest {
                UserType::Guest
            } else {
                c.user.user_type
            },
            account_enabled: c.user.account_enabled,
            kind: c.kind,
            reason: c.reason,
            name_match: c.name,
            same_person: c.same_person,
            confidence: c.confidence,
            score: c.score,
        })
        .collect();
    flags.sort();
    let auto_accept = suggestions
        .first()
        .filter(|b| b.confidence == Confidence::Exact)
        .map(|b| b.tenant_user_id.clone());
    debug_assert!(auto_accept.is_none() || flags.is_empty(), "{flags:?}");
    UserMatches {
        descriptor: user.descriptor.clone(),
        display_name: user.display_name.clone(),
        email,
        suggestions,
        flags,
        auto_accept,
    }
}

/// One account that is the best candidate of several users: at most one of
/// them is right, so none is more than medium.
fn mark_duplicate_targets(results: &mut [UserMatches]) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in results.iter() {
        if let Some(best) = r.suggestions.first() {
            *counts.entry(best.tenant_user_id.as_str()).or_default() += 1;
        }
    }
    let dups: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.suggestions
                .first()
                .is_some_and(|b| counts.get(b.tenant_user_id.as_str()).copied().unwrap_or(0) > 1)
        })
        .map(|(i, _)| i)
        .collect();
    for i in dups {
        let r = &mut results[i];
        r.flags.push(MatchFlag::DuplicateTarget);
        r.flags.sort();
        r.auto_accept = None;
        for s in &mut r.suggestions {
            s.confidence = s.confidence.max(Confidence::Medium);
        }
    }
}

#[cfg(test)]
mod tests;
