//! The quality benchmark: a generated company directory with every trap the
//! match engine must not fall into, a ground truth for each disconnected
//! user, and the measures `cargo bench --bench bench quality` prints.
//!
//! The directory is built from seeded draws over name pools (given names
//! with and without short forms, surnames from English, Nordic, German,
//! Spanish, Slavic, Italian, French and Asian families), so each seed is a
//! different company; the benchmark runs several seeds, and nothing in the
//! engine knows these pools. The nickname pairs used here are written
//! independently of the engine's table (`assets/nicknames.csv`) and include
//! short forms the table does not have, so recall is measured, not assumed.
//!
//! The company has two verified domains (`contoso.com`, and `fabrikam.com`
//! from an acquisition), and:
//!
//! - employees: member accounts with given name, surname and a licence;
//!   UPNs in several conventions; some with a preferred first name as
//!   display name (Bob for Robert), a middle name, a double surname,
//!   letters outside ASCII; aliases as proxy addresses; namesakes;
//! - guests: external collaborators, and guest copies of employees invited
//!   with their personal address before they were hired;
//! - separate admin accounts of some employees (`adm-…`, "(Admin)"), some
//!   registered with the employee's personal address;
//! - service, shared-mailbox, room and test accounts; some registered with
//!   a person's address, some test accounts named exactly like employees;
//! - leavers: disabled accounts, some of whose aliases were reassigned to a
//!   new employee.
//!
//! The disconnected users (personal Microsoft accounts) are the company's
//! people as Azure DevOps knows them: by work or personal address, by the
//! name they use (nicknames, initials, handles run together, a double
//! surname shortened, the surname first, letters transliterated), or people
//! with no account at all, some with a near-namesake in the directory.
//!
//! Here: the trap each case tests and the generated [`Directory`] with its
//! ground truth. The name pools are in `pools`, the accounts and people in
//! `people`, the traps laid in [`directory`] in `generate`, and the
//! [`Measures`] (with [`run`]) in `measures`.

mod generate;
mod measures;
mod people;
mod pools;

pub use generate::directory;
pub use measures::{Measures, Tally, run};

use super::DisconnectedUser;
use crate::domain::facts::TenantUser;

/// What a disconnected user was generated to test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trap {
    /// Address is the account's UPN (any case, spaces around).
    Upn,
    /// Address is the account's primary mail (not its UPN).
    PrimaryMail,
    /// A personal address in the account's `otherMails`.
    OtherMail,
    /// An alias in the account's proxy addresses.
    Proxy,
    /// An address at the other verified domain.
    OtherDomain,
    /// Name only, written as the directory has it.
    SameName,
    /// Name only, by a short form of the given name.
    Nickname,
    /// Name only, with initials ("J. Smith", "a.lindberg", "jsmith").
    Initials,
    /// Name only, run together ("ingridsolberg").
    RunTogether,
    /// Name only, a double surname shortened to its first part.
    DoubleSurname,
    /// Name only, surname first ("SMITH John", "Smith, John").
    OrderSwap,
    /// Name only, letters folded or transliterated (Muller, Mueller).
    Spelling,
    /// The personal address is on a guest copy; the member account exists.
    GuestCopy,
    /// The personal address is on the person's separate admin account.
    AdminHoldsAddress,
    /// The personal address is on a service or shared account.
    NonPersonHoldsAddress,
    /// A test account is named exactly as the person writes their name.
    TestNamesake,
    /// The person left: only a disabled account.
    Leaver,
    /// The person left and their alias now belongs to someone else.
    ReassignedAlias,
    /// The surname changed; the old personal address is on the account.
    ChangedSurname,
    /// Two employees share the person's name; no address links them.
    Namesakes,
    /// An external collaborator, invited as a guest.
    GuestOnly,
    /// No account; a near-namesake exists (Michaela for Michael).
    NearNamesake,
    /// No account and nobody like them.
    Stranger,
}

/// One disconnected user and the account that is really theirs.
#[derive(Debug, Clone)]
pub struct Case {
    /// The user as Azure DevOps knows them.
    pub user: DisconnectedUser,
    /// Index into [`Directory::tenant`] of their account; `None` when they
    /// have none (the right answer is an invitation).
    pub truth: Option<usize>,
    /// What the case tests.
    pub trap: Trap,
}

/// A generated directory with its ground truth.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Every account.
    pub tenant: Vec<TenantUser>,
    /// The tenant's verified domains.
    pub verified_domains: Vec<String>,
    /// The disconnected users.
    pub cases: Vec<Case>,
}
