//! The engine: finds each user's candidates (by address, then by name
//! through the index), weighs and ranks them, decides each one's confidence
//! by the rules in the module docs, and flags what a reviewer must look at.

use std::collections::HashMap;

use super::kind::{DirectoryProfile, classify, classify_identity};
use super::names::{Nicknames, PersonName, Roles, compare};
use super::{
    AccountKind, Confidence, DisconnectedUser, MatchConfig, MatchFlag, NameMatch, Reason,
    Suggestion, TenantIndex, UserMatches,
};
use crate::domain::facts::{TenantUser, UserType};
use crate::domain::text::split_email;
use crate::domain::validate::normalize_email;

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
