//! What kind of account a directory object is: a person's, or an admin,
//! service, shared-mailbox, room or test account. Only a person's account
//! is a sensible target for a person's Azure DevOps history.
//!
//! Microsoft Graph has no "this is a person" property, so the kind is read
//! from the signals it does return:
//!
//! - naming conventions in the UPN, mail and display name: `adm-jsmith`,
//!   `jsmith-admin`, "Robert Smith (Admin)", `svc-build`, "Build Service",
//!   `noreply`, "Conference Room 4B", `bob.smith.test`, and addresses made
//!   only of mailbox words (`sales@`, `it-support@`, "Finance Team");
//! - two weaker signals that count only together, and only where the
//!   directory uses them for its people (see [`DirectoryProfile`]): no
//!   given name or surname, and no licence (`assignedLicenses` empty).
//!   Shared mailboxes need no licence and are usually created with a
//!   display name only; Microsoft documents that a shared mailbox needs no
//!   licence up to 50 GB ("About shared mailboxes", Microsoft Learn).
//!
//! Guests are people unless a naming convention says otherwise: a guest has
//! neither a licence nor a given name as a rule, so the weak signals are not
//! read for guests.

use serde::{Deserialize, Serialize};

use crate::domain::facts::{TenantUser, UserType};
use crate::domain::text::{fold_accents, is_guest_ext_upn, split_email};

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person's own account.
    #[default]
    Person,
    /// A separate administrator account (`adm-…`, `…-admin`, "(Admin)").
    Admin,
    /// A service or automation account (`svc-…`, `noreply`, "Build Service").
    Service,
    /// A shared mailbox or team address (`sales@`, "Finance Team").
    Shared,
    /// A room or equipment mailbox.
    Room,
    /// A test account.
    Test,
    /// No person's name and no licence where the directory's people have
    /// both: most likely shared or unused.
    NoPersonSignals,
}

impl AccountKind {
    /// A person's account.
    pub fn is_person(self) -> bool {
        self == AccountKind::Person
    }

    /// Plain words for the Resolve screen.
    pub fn word(self) -> &'static str {
        match self {
            AccountKind::Person => "person",
            AccountKind::Admin => "admin account",
            AccountKind::Service => "service account",
            AccountKind::Shared => "shared mailbox",
            AccountKind::Room => "room or equipment",
            AccountKind::Test => "test account",
            AccountKind::NoPersonSignals => "no person's name or licence",
        }
    }
}

/// What the directory's own people look like, so that a missing given name
/// or licence means something only where people normally have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectoryProfile {
    /// At least half the enabled members have a given name or surname.
    pub names_used: bool,
    /// Licences were read, and at least half the enabled members have one.
    pub licences_used: bool,
}

impl DirectoryProfile {
    /// Counts over the directory's enabled members.
    pub fn of<'a>(users: impl IntoIterator<Item = &'a TenantUser>) -> Self {
        let (mut members, mut named, mut read, mut licensed) = (0usize, 0usize, 0usize, 0usize);
        for u in users {
            if !u.account_enabled || u.user_type != UserType::Member {
                continue;
            }
            members += 1;
            if u.given_name.is_some() || u.surname.is_some() {
                named += 1;
            }
            if let Some(n) = u.licenses {
                read += 1;
                if n > 0 {
                    licensed += 1;
                }
            }
        }
        DirectoryProfile {
            names_used: members > 0 && named * 2 >= members,
            licences_used: read > 0 && read * 2 >= members && licensed * 2 >= read,
        }
    }
}

/// What a word of an address or display name says about the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Room,
    Test,
    /// A test marker that is also an ordinary word or initials, read only as
    /// a separate part of an address (`qa-bsmith`).
    TestInAddress,
    Admin,
    Service,
    /// A word of team and mailbox addresses; an address or display name made
    /// of these alone is a shared mailbox.
    Mailbox,
}

fn marker(w: &str) -> Option<Marker> {
    use Marker::*;
    Some(match w {
        "room" | "rooms" | "conference" | "conf" | "boardroom" | "meetingroom" | "mtg"
        | "equipment" | "projector" | "vehicle" | "auditorium" => Room,
        "test" | "tester" | "testing" | "testuser" | "tst" | "dummy" | "sandbox" => Test,
        "qa" | "uat" | "staging" => TestInAddress,
        "adm" | "admin" | "administrator" | "admins" | "sysadmin" | "breakglass"
        | "globaladmin" => Admin,
        "svc" | "service" | "services" | "srv" | "serviceaccount" | "bot" | "noreply"
        | "donotreply" | "automation" | "automated" | "daemon" | "sync" | "pipeline"
        | "pipelines" | "build" | "deploy" | "deployment" | "integration" | "connector"
        | "scanner" | "printer" | "robot" => Service,
        "shared" | "mailbox" | "info" | "sales" | "support" | "helpdesk" | "help" | "desk"
        | "servicedesk" | "frontdesk" | "team" | "office" | "reception" | "hr" | "finance"
        | "accounts" | "accounting" | "billing" | "payroll" | "marketing" | "contact"
        | "contacts" | "careers" | "jobs" | "press" | "media" | "security" | "it" | "noc"
        | "ops" | "operations" | "events" | "orders" | "invoices" | "invoice" | "enquiries"
        | "inquiries" | "hello" | "legal" | "compliance" | "procurement" | "purchasing"
        | "facilities" | "newsletter" | "notifications" | "alerts" | "all" | "everyone"
        | "staff" | "group" | "department" | "dept" | "public" | "general" | "customer"
        | "customers" | "and" | "the" | "of" | "mail" | "no" => Mailbox,
        _ => return None,
    })
}

fn words(s: &str, out: &mut Vec<String>) {
    out.clear();
    let folded = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        fold_accents(s)
    };
    // Digits are not part of words ("room4b", "jsmith2").
    for w in folded.split(|c: char| !c.is_alphabetic()) {
        if !w.is_empty() {
            out.push(w.to_string());
        }
    }
}

fn local_part(address: &str) -> Option<&str> {
    split_email(address.trim()).map(|(l, _)| l)
}

/// Kinds read from one set of words (an address's local part, or a display
/// name). `address`: the words are an address's, where glued prefixes
/// (`svcbuild`, `admjsmith`) and test markers like `qa` count too.
fn kind_of_words(ws: &[String], address: bool) -> Option<AccountKind> {
    let mut seen = [false; 6];
    let mut all_mailbox = !ws.is_empty();
    for w in ws {
        let m = marker(w);
        if let Some(m) = m {
            seen[m as usize] = true;
        }
        all_mailbox &= m == Some(Marker::Mailbox);
    }
    let has = |m: Marker| seen[m as usize];
    if has(Marker::Room) {
        return Some(AccountKind::Room);
    }
    if has(Marker::Test) || address && has(Marker::TestInAddress) {
        return Some(AccountKind::Test);
    }
    if has(Marker::Admin) {
        return Some(AccountKind::Admin);
    }
    if has(Marker::Service) || ws.windows(2).any(|p| p[0] == "no" && p[1] == "reply") {
        return Some(AccountKind::Service);
    }
    if all_mailbox {
        return Some(AccountKind::Shared);
    }
    if address {
        for w in ws {
            let glued = |p: &str| w.len() > p.len() + 2 && (w.starts_with(p) || w.ends_with(p));
            if glued("admin") || w.len() > 5 && w.starts_with("adm") {
                return Some(AccountKind::Admin);
            }
            if glued("svc") {
                return Some(AccountKind::Service);
            }
            if glued("test") {
                return Some(AccountKind::Test);
            }
        }
    }
    None
}

/// What `u` is, in a directory whose people look like `profile`, and how
/// many weak non-person signals a person's account still shows (0 or 1; a
/// test account named like an employee often has one, so it ranks below
/// the employee).
pub fn classify(u: &TenantUser, profile: &DirectoryProfile) -> (AccountKind, u8) {
    let mut ws = Vec::new();
    let guest = u.user_type == UserType::Guest || is_guest_ext_upn(&u.user_principal_name);
    // Guest UPNs carry the guest's own address, whose local part is theirs.
    let addresses = [Some(u.user_principal_name.as_str()), u.mail.as_deref()];
    for a in addresses.into_iter().flatten() {
        let Some(local) = local_part(a) else { continue };
        let local = match local.find("#EXT#").or_else(|| local.find("#ext#")) {
            Some(i) => &local[..i],
            None => local,
        };
        // A guest's rewritten UPN ends with its home domain (`_outlook.com`).
        let local = match (guest, local.rfind('_')) {
            (true, Some(i)) => &local[..i],
            _ => local,
        };
        words(local, &mut ws);
        if let Some(k) = kind_of_words(&ws, true) {
            return (k, 0);
        }
    }
    words(&u.display_name, &mut ws);
    if let Some(k) = kind_of_words(&ws, false) {
        return (k, 0);
    }
    if guest {
        return (AccountKind::Person, 0);
    }
    let unnamed = profile.names_used
        && u.given_name.as_deref().is_none_or(|g| g.trim().is_empty())
        && u.surname.as_deref().is_none_or(|s| s.trim().is_empty());
    // A leaver's licence is usually removed with their access.
    let unlicensed = profile.licences_used && u.account_enabled && u.licenses == Some(0);
    let alphabetic = ws
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let not_a_name = alphabetic < 2 || u.display_name.chars().any(|c| c.is_ascii_digit());
    let weak = u8::from(unnamed) + u8::from(unlicensed) + u8::from(not_a_name);
    if weak >= 2 {
        (AccountKind::NoPersonSignals, 0)
    } else {
        (AccountKind::Person, weak)
    }
}

/// Strong naming signals alone, for a name and address that are not a
/// directory account (a disconnected user): a user who is a service or
/// shared identity may rightly map to a non-person account.
pub fn classify_identity(display_name: &str, email: Option<&str>) -> AccountKind {
    let mut ws = Vec::new();
    if let Some(local) = email.and_then(local_part) {
        words(local, &mut ws);
        if let Some(k) = kind_of_words(&ws, true) {
            return k;
        }
    }
    words(display_name, &mut ws);
    kind_of_words(&ws, false).unwrap_or(AccountKind::Person)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(upn: &str, name: &str) -> TenantUser {
        TenantUser {
            id: "x".into(),
            user_principal_name: upn.into(),
            display_name: name.into(),
            account_enabled: true,
            given_name: Some("G".into()),
            surname: Some("S".into()),
            licenses: Some(1),
            ..TenantUser::default()
        }
    }

    const PEOPLE: DirectoryProfile = DirectoryProfile {
        names_used: true,
        licences_used: true,
    };

    #[test]
    fn naming_conventions_name_the_kind() {
        let cases = [
            (
                "robert.smith@contoso.com",
                "Robert Smith",
                AccountKind::Person,
            ),
            ("adm-rsmith@contoso.com", "Robert Smith", AccountKind::Admin),
            (
                "rsmith-admin@contoso.com",
                "Robert Smith",
                AccountKind::Admin,
            ),
            (
                "rsmith@contoso.com",
                "Robert Smith (Admin)",
                AccountKind::Admin,
            ),
            ("admrsmith@contoso.com", "R Smith", AccountKind::Admin),
            ("svc-build@contoso.com", "Build", AccountKind::Service),
            ("svcbuild@contoso.com", "Build", AccountKind::Service),
            ("ado@contoso.com", "Build Service", AccountKind::Service),
            (
                "no-reply@contoso.com",
                "Notifications",
                AccountKind::Service,
            ),
            ("sales@contoso.com", "Sales", AccountKind::Shared),
            ("it-support@contoso.com", "IT Support", AccountKind::Shared),
            ("fin@contoso.com", "Finance Team", AccountKind::Shared),
            (
                "room4b@contoso.com",
                "Conference Room 4B",
                AccountKind::Room,
            ),
            ("bob.smith.test@contoso.com", "Bob Smith", AccountKind::Test),
            ("qa-bsmith@contoso.com", "Bob Smith", AccountKind::Test),
            ("testbsmith@contoso.com", "Bob Smith", AccountKind::Test),
            // Ordinary names that contain a marker are people.
            ("anna.qadir@contoso.com", "Anna Qadir", AccountKind::Person),
            (
                "ita.svensson@contoso.com",
                "Ita Svensson",
                AccountKind::Person,
            ),
            ("adam.test@contoso.com", "Adam Smith", AccountKind::Test),
            (
                "admir.hodzic@contoso.com",
                "Admir Hodzic",
                AccountKind::Person,
            ),
        ];
        for (upn, name, want) in cases {
            assert_eq!(classify(&acct(upn, name), &PEOPLE).0, want, "{upn} {name}");
        }
    }

    #[test]
    fn weak_signals_count_only_together_and_only_where_people_have_them() {
        let mut u = acct("bsmith2@contoso.com", "Bob Smith");
        u.given_name = None;
        u.surname = None;
        assert_eq!(
            classify(&u, &PEOPLE),
            (AccountKind::Person, 1),
            "one signal"
        );
        u.licenses = Some(0);
        assert_eq!(classify(&u, &PEOPLE).0, AccountKind::NoPersonSignals);
        let bare = DirectoryProfile::default();
        assert_eq!(classify(&u, &bare), (AccountKind::Person, 0));
        // A guest is a person without a licence or given name.
        let mut g = u.clone();
        g.user_principal_name = "bob_outlook.com#EXT#@contoso.onmicrosoft.com".into();
        g.user_type = UserType::Guest;
        assert_eq!(classify(&g, &PEOPLE), (AccountKind::Person, 0));
        // A single-word display name with no licence.
        let mut m = acct("lobby7@contoso.com", "Lobby");
        m.licenses = Some(0);
        m.given_name = None;
        m.surname = None;
        assert_eq!(classify(&m, &PEOPLE).0, AccountKind::NoPersonSignals);
        // A disabled account without a licence is a leaver, not a signal.
        let mut leaver = acct("kim.lee@contoso.com", "Kim Lee");
        leaver.account_enabled = false;
        leaver.licenses = Some(0);
        assert_eq!(classify(&leaver, &PEOPLE), (AccountKind::Person, 0));
    }

    #[test]
    fn the_profile_counts_enabled_members() {
        let mut a = acct("a@c.com", "A B");
        let mut b = acct("b@c.com", "B C");
        b.licenses = Some(0);
        let p = DirectoryProfile::of([&a, &b]);
        assert!(p.names_used);
        assert!(p.licences_used, "half licensed");
        a.licenses = Some(0);
        assert!(!DirectoryProfile::of([&a, &b]).licences_used);
        a.licenses = None;
        b.licenses = None;
        let p = DirectoryProfile::of([&a, &b]);
        assert!(!p.licences_used, "not read");
        assert_eq!(DirectoryProfile::of([]), DirectoryProfile::default());
    }

    #[test]
    fn identities_are_read_from_strong_signals_only() {
        assert_eq!(
            classify_identity("Build Bot", Some("buildbot@outlook.com")),
            AccountKind::Service
        );
        assert_eq!(
            classify_identity("Anna Lindberg", Some("anna@outlook.com")),
            AccountKind::Person
        );
        assert_eq!(classify_identity("Solo", None), AccountKind::Person);
    }
}
