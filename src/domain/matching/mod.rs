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
//!
//! Here: the vocabulary of the answers (users, reasons, confidence,
//! suggestions, flags) and [`match_users`]. The candidates, the ranking and
//! the confidence rules are applied in `engine` ([`match_with_index`]); the
//! lookups it stands on are in `index`.

pub mod bench_support;
mod engine;
mod index;
pub mod kind;
pub mod names;
pub mod quality;

use serde::{Deserialize, Serialize};

pub use engine::match_with_index;
pub use index::{INITIALS_CAP, Tables, TenantIndex};
pub use kind::AccountKind;
pub use names::NameMatch;

use crate::domain::facts::{OrgUser, TenantUser, UserType};

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

#[cfg(test)]
mod tests;
