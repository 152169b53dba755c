//! Person names as people write them: the comparison the match engine uses
//! to decide whether an account's name *agrees* with a user's name.
//!
//! Names agree when they are the same after folding case, accents and order
//! ([`crate::domain::text::name_tokens`]), or differ only in ways a person's
//! own name varies:
//!
//! - spelling: a small set of transliteration rules ([`spelling_key`]):
//!   Müller = Mueller, Sergey = Sergei, Aleksander = Alexander, Katharina =
//!   Katarina, Phillip = Philip;
//! - nicknames: Bob = Robert, Kate = Katherine, from the documented table in
//!   `assets/nicknames.csv` ([`Nicknames`]);
//! - initials: "J. Smith" and "a.lindberg" against John Smith and Anna
//!   Lindberg;
//! - names run together: "ingridsolberg", and "jsmith" (initial run in);
//! - more names on one side: a middle name, or a double surname shortened to
//!   its first part ("María García" for María García López).
//!
//! What never agrees: names that merely look alike (Michaela and Michael,
//! Browne and Brown). Those are different people as often as not, so the
//! engine does not compare names by string similarity at all.
//!
//! Here: how two names compare ([`NameMatch`]). The spelling and coarse keys
//! and the nickname table are in `keys`; reading a name ([`PersonName`]) and
//! comparing two ([`compare`]) in `person`.

mod keys;
mod person;

pub use keys::{Nicknames, coarse, coarse_bytes, coarse_key, spelling, spelling_key};
pub use person::{PersonName, Roles, compare};

use serde::{Deserialize, Serialize};

/// How an account's name compares with a user's name, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// The same names (case, accents, punctuation and order aside).
    Same,
    /// The same names spelled differently (Müller and Mueller).
    Spelling,
    /// The same names, one side with more of them (a middle name, a double
    /// surname shortened to one part).
    MoreNames,
    /// The same names written together ("ingridsolberg").
    RunTogether,
    /// A nickname of the same given name (Bob and Robert).
    Nickname,
    /// Initials agree with the given names ("J. Smith", "jsmith").
    Initials,
    /// The user gave a single name, and it is one of the account's.
    Thin,
    /// The user's name has nothing to compare (no letters).
    Unknown,
    /// One name agrees and another conflicts (a changed surname, or another
    /// person who shares a first name).
    Partial,
    /// Nothing in common.
    Different,
}

impl NameMatch {
    /// The names agree: the same, or varied only as one person's name varies.
    pub fn agrees(self) -> bool {
        matches!(
            self,
            NameMatch::Same
                | NameMatch::Spelling
                | NameMatch::MoreNames
                | NameMatch::RunTogether
                | NameMatch::Nickname
        )
    }

    /// The names do not contradict each other but say little (initials, a
    /// single name, no name).
    pub fn weak(self) -> bool {
        matches!(
            self,
            NameMatch::Initials | NameMatch::Thin | NameMatch::Unknown
        )
    }

    /// The names contradict each other.
    pub fn disagrees(self) -> bool {
        matches!(self, NameMatch::Partial | NameMatch::Different)
    }

    /// Ranking weight of the name evidence (higher is stronger).
    pub fn weight(self) -> f32 {
        match self {
            NameMatch::Same => 2.0,
            NameMatch::Spelling => 1.9,
            NameMatch::MoreNames => 1.75,
            NameMatch::RunTogether => 1.75,
            NameMatch::Nickname => 1.6,
            NameMatch::Initials => 1.0,
            NameMatch::Thin | NameMatch::Unknown => 0.8,
            NameMatch::Partial => 0.2,
            NameMatch::Different => 0.0,
        }
    }

    /// Plain words for the Resolve screen and the CSV.
    pub fn describe(self) -> &'static str {
        match self {
            NameMatch::Same => "same name",
            NameMatch::Spelling => "same name, spelled differently",
            NameMatch::MoreNames => "same name, with a middle or second surname on one side",
            NameMatch::RunTogether => "same name, written together",
            NameMatch::Nickname => "same name by its nickname",
            NameMatch::Initials => "initials agree",
            NameMatch::Thin => "only one name to compare",
            NameMatch::Unknown => "no name to compare",
            NameMatch::Partial => "one name agrees, another does not",
            NameMatch::Different => "names differ",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_agreement() {
        assert!(NameMatch::Nickname.agrees());
        assert!(!NameMatch::Initials.agrees());
        assert!(NameMatch::Initials.weak());
        assert!(NameMatch::Partial.disagrees());
        assert!(NameMatch::Same.weight() > NameMatch::Nickname.weight());
        assert!(NameMatch::Nickname.weight() > NameMatch::Initials.weight());
        assert_eq!(
            NameMatch::Partial.describe(),
            "one name agrees, another does not"
        );
    }
}
