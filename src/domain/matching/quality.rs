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

use std::collections::{BTreeMap, HashSet};

use super::bench_support::XorShift;
use super::{Confidence, DisconnectedUser, UserMatches};
use crate::domain::facts::{TenantUser, UserType};
use crate::domain::text::fold_accents;

/// Given names; the short forms people go by (written for this benchmark,
/// independently of `assets/nicknames.csv`; some are not in it).
const GIVEN: [(&str, &[&str]); 96] = [
    ("Robert", &["Bob", "Rob", "Bobby"]),
    ("William", &["Bill", "Will", "Liam"]),
    ("Katherine", &["Kate", "Kathy", "Katie"]),
    ("Michael", &["Mike", "Mick"]),
    ("Elizabeth", &["Liz", "Beth", "Lisa"]),
    ("James", &["Jim", "Jamie"]),
    ("Margaret", &["Maggie", "Peggy", "Meg"]),
    ("Richard", &["Rick", "Dick", "Rich"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Christopher", &["Chris", "Kit"]),
    ("Alexander", &["Alex", "Sasha"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Patricia", &["Pat", "Trish"]),
    ("Susan", &["Sue", "Susie"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Matthew", &["Matt"]),
    ("Anthony", &["Tony"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Nicholas", &["Nick", "Nicky"]),
    ("Jonathan", &["Jon", "Jonny"]),
    ("Samuel", &["Sam"]),
    ("Benjamin", &["Ben"]),
    ("Edward", &["Ed", "Ted", "Ned"]),
    ("Stephen", &["Steve"]),
    ("Timothy", &["Tim"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Deborah", &["Debbie", "Deb"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Jessica", &["Jess"]),
    ("Samantha", &["Sam"]),
    ("Catherine", &["Cathy", "Kate"]),
    ("Frederick", &["Fred", "Freddie"]),
    ("Gregory", &["Greg"]),
    ("Kenneth", &["Ken"]),
    ("Lawrence", &["Larry"]),
    ("Henry", &["Hank", "Harry"]),
    ("Charles", &["Charlie", "Chuck"]),
    ("Dorothy", &["Dot", "Dottie"]),
    ("Theodore", &["Theo", "Ted"]),
    ("Abigail", &["Abby"]),
    ("Zachary", &["Zach"]),
    ("Johannes", &["Hannes"]),
    ("Francesca", &["Frankie"]),
    ("Giuseppe", &["Beppe"]),
    ("Aleksandr", &["Sasha"]),
    ("Yekaterina", &["Katya"]),
    ("Francisco", &["Paco"]),
    ("Michaela", &["Micky"]),
    ("Daniela", &["Dani"]),
    ("Christina", &["Tina"]),
    ("Paula", &[]),
    ("Louise", &[]),
    ("Ingrid", &[]),
    ("Astrid", &[]),
    ("Lars", &[]),
    ("Björn", &[]),
    ("Søren", &[]),
    ("Jürgen", &[]),
    ("Sven", &[]),
    ("Anders", &[]),
    ("Mette", &[]),
    ("Kari", &[]),
    ("Siobhán", &[]),
    ("Aoife", &[]),
    ("Priya", &[]),
    ("Rahul", &[]),
    ("Wei", &[]),
    ("Mei", &[]),
    ("Hiroshi", &[]),
    ("Yuki", &[]),
    ("Olga", &[]),
    ("Sergei", &[]),
    ("Dmitri", &[]),
    ("Natalia", &[]),
    ("Ana", &[]),
    ("José", &[]),
    ("María", &[]),
    ("Lucía", &[]),
    ("Carmen", &[]),
    ("Javier", &[]),
    ("Giulia", &[]),
    ("Marco", &[]),
    ("Luca", &[]),
    ("Fatima", &[]),
    ("Omar", &[]),
    ("Aisha", &[]),
    ("Noah", &[]),
    ("Emma", &[]),
    ("Olivia", &[]),
    ("Chloé", &[]),
    ("Zoë", &[]),
    ("Émile", &[]),
    ("Łukasz", &[]),
    ("Tomasz", &[]),
    ("Agnieszka", &[]),
];

const SURNAMES: [&str; 152] = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
    "Turner",
    "Hill",
    "Scott",
    "Cooper",
    "Morris",
    "Ward",
    "Moore",
    "King",
    "Watson",
    "Baker",
    "Harrison",
    "Morgan",
    "Patel",
    "Young",
    "Allen",
    "Mitchell",
    "Anderson",
    "Phillips",
    "Lee",
    "Bell",
    "Parker",
    "Davis",
    "Murphy",
    "Kelly",
    "Walsh",
    "O'Brien",
    "O'Connor",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Lindberg",
    "Lindqvist",
    "Solberg",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Pedersen",
    "Nielsen",
    "Jensen",
    "Kristiansen",
    "Berg",
    "Haugen",
    "Bakken",
    "Lund",
    "Dahl",
    "Holm",
    "Nyström",
    "Åberg",
    "Sjöberg",
    "Bjørnstad",
    "Sørensen",
    "Møller",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Köhler",
    "Jäger",
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Jiménez",
    "Ruiz",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Petrov",
    "Sokolov",
    "Novák",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Dvořák",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Dubois",
    "Bernard",
    "Lefebvre",
    "Chen",
    "Wang",
    "Zhang",
    "Nguyen",
    "Tanaka",
    "Suzuki",
    "Kim",
];

/// A name beside each of these is a different person's (the engine must
/// not suggest one for the other).
const NEAR_GIVEN: [(&str, &str); 12] = [
    ("Michael", "Michaela"),
    ("Daniel", "Daniela"),
    ("Christian", "Christina"),
    ("Paul", "Paula"),
    ("Louis", "Louise"),
    ("Gabriel", "Gabriela"),
    ("Julian", "Juliana"),
    ("Adrian", "Adriana"),
    ("Eric", "Erica"),
    ("Robert", "Roberta"),
    ("Martin", "Martina"),
    ("Simon", "Simone"),
];

const NEAR_SURNAME: [(&str, &str); 10] = [
    ("Brown", "Browne"),
    ("Johnson", "Johnston"),
    ("Hansen", "Hanson"),
    ("Petersen", "Peterson"),
    ("Thompson", "Thomson"),
    ("Clarke", "Clark"),
    ("Smith", "Smyth"),
    ("Schmidt", "Schmitt"),
    ("Nielsen", "Nilsen"),
    ("Larsson", "Larson"),
];

const HANDLES: [&str; 12] = [
    "bluefalcon",
    "nightowl",
    "codemonkey",
    "riverstone",
    "pixelpusher",
    "quietstorm",
    "greenleaf",
    "starlight",
    "ironwolf",
    "sunnyday",
    "mapletree",
    "northwind",
];

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

fn ascii_lower(s: &str) -> String {
    fold_accents(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// An employee as generated (indices into the tenant).
#[derive(Debug, Clone)]
struct Employee {
    account: usize,
    given: usize,
    /// Display form of the surname (one or two parts).
    surname: String,
    /// First part of a double surname.
    first_surname: Option<String>,
    alias: String,
}

struct Builder {
    rng: XorShift,
    tenant: Vec<TenantUser>,
    upns: HashSet<String>,
    used_addresses: HashSet<String>,
    /// Folded full names in use (namesakes are made on purpose only).
    names: HashSet<String>,
    next_id: usize,
}

impl Builder {
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.rng.below(v.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-9000-{:012}", self.next_id)
    }

    /// A free UPN from `local` at `domain` (a digit added when taken).
    fn upn(&mut self, local: &str, domain: &str) -> String {
        for n in 0.. {
            let l = if n == 0 {
                local.to_string()
            } else {
                format!("{local}{}", n + 1)
            };
            let upn = format!("{l}@{domain}");
            if self.upns.insert(upn.clone()) {
                return upn;
            }
        }
        unreachable!()
    }

    /// A personal address nobody else uses.
    fn personal(&mut self, given: &str, surname: &str) -> String {
        let (g, s) = (ascii_lower(given), ascii_lower(surname));
        let providers = [
            "gmail.com",
            "outlook.com",
            "hotmail.com",
            "yahoo.com",
            "icloud.com",
        ];
        for n in 0.. {
            let provider = *self.pick(&providers);
            let local = match self.rng.below(5) {
                0 => format!("{g}.{s}"),
                1 => format!("{g}{s}"),
                2 => format!("{}{s}{}", &g[..1.min(g.len())], self.rng.below(90) + 10),
                3 => format!("{g}.{s}{}", self.rng.below(90) + 10),
                _ => format!("{}{}", self.pick(&HANDLES), self.rng.below(900) + 100),
            };
            let local = if n > 3 { format!("{local}{n}") } else { local };
            let address = format!("{local}@{provider}");
            if self.used_addresses.insert(address.clone()) {
                return address;
            }
        }
        unreachable!()
    }

    fn push(&mut self, u: TenantUser) -> usize {
        self.tenant.push(u);
        self.tenant.len() - 1
    }

    fn member(&mut self, upn: String, display: String, given: &str, surname: &str) -> usize {
        let id = self.id();
        self.push(TenantUser {
            id,
            mail: Some(upn.clone()),
            proxy_addresses: vec![format!("SMTP:{upn}")],
            user_principal_name: upn,
            display_name: display,
            user_type: UserType::Member,
            account_enabled: true,
            given_name: Some(given.to_string()),
            surname: Some(surname.to_string()),
            licenses: Some(1),
            other_mails: Vec::new(),
        })
    }

    fn guest(&mut self, address: &str, display: String) -> usize {
        let id = self.id();
        let upn = format!("{}#EXT#@contoso.onmicrosoft.com", address.replace('@', "_"));
        self.push(TenantUser {
            id,
            user_principal_name: upn,
            mail: Some(address.to_string()),
            other_mails: vec![address.to_string()],
            proxy_addresses: vec![format!("SMTP:{address}")],
            display_name: display,
            user_type: UserType::Guest,
            account_enabled: true,
            given_name: None,
            surname: None,
            licenses: Some(0),
        })
    }

    /// An account that is not a person's: no names, no licence.
    fn thing(&mut self, local: &str, display: &str) -> usize {
        let id = self.id();
        let upn = self.upn(local, "contoso.com");
        self.push(TenantUser {
            id,
            mail: Some(upn.clone()),
            user_principal_name: upn,
            display_name: display.to_string(),
            user_type: UserType::Member,
            account_enabled: true,
            licenses: Some(0),
            ..TenantUser::default()
        })
    }
}

/// The directory for `seed`: `employees` people plus guests, admin,
/// service, shared, room and test accounts, leavers; and about
/// `employees / 3` disconnected users.
pub fn directory(seed: u64, employees: usize) -> Directory {
    let mut b = Builder {
        rng: XorShift::new(seed.wrapping_mul(7919).wrapping_add(11)),
        tenant: Vec::new(),
        upns: HashSet::new(),
        used_addresses: HashSet::new(),
        names: HashSet::new(),
        next_id: 0,
    };
    let mut staff: Vec<Employee> = Vec::with_capacity(employees);
    for _ in 0..employees {
        staff.push(employee(&mut b));
    }
    // Namesakes: some employees share a full name with another.
    let mut namesake_pairs = Vec::new();
    for _ in 0..employees / 60 {
        let e = b.rng.below(staff.len());
        let twin = twin(&mut b, &staff[e]);
        namesake_pairs.push((e, staff.len()));
        staff.push(twin);
    }
    // Service, shared, room accounts (some will hold a person's address).
    let mut non_persons = Vec::new();
    for (local, display) in [
        ("svc-build", "Build Service"),
        ("svc-deploy", "Deployment Service"),
        ("svc-sync", "Directory Sync"),
        ("noreply", "No Reply"),
        ("sales", "Sales"),
        ("support", "Customer Support"),
        ("finance", "Finance Team"),
        ("hr", "HR"),
        ("it-helpdesk", "IT Helpdesk"),
        ("marketing", "Marketing"),
        ("room-oslo", "Conference Room Oslo"),
        ("room-4b", "Meeting Room 4B"),
        ("projector1", "Projector 1 (Equipment)"),
        ("reception", "Reception"),
        ("scanner", "Scanner Floor 2"),
    ] {
        for n in 0..(employees / 300).max(1) {
            let display = if n == 0 {
                display.to_string()
            } else {
                format!("{display} {}", n + 1)
            };
            non_persons.push(b.thing(local, &display));
        }
    }
    // Leavers: disabled employees.
    let mut leavers = Vec::new();
    for _ in 0..employees / 10 {
        let e = employee(&mut b);
        b.tenant[e.account].account_enabled = false;
        b.tenant[e.account].licenses = Some(0);
        leavers.push(e);
    }
    // External collaborators.
    let mut externals = Vec::new();
    for _ in 0..employees / 12 {
        let (given, surname) = b.fresh_name();
        let address = b.personal(GIVEN[given].0, &surname);
        let display = format!("{} {surname}", GIVEN[given].0);
        externals.push(b.guest(&address, display));
    }

    let mut cases = Vec::new();
    let mut taken: HashSet<usize> = HashSet::new();
    let mut next = 0usize;
    let mut user = |name: String, email: String| {
        next += 1;
        DisconnectedUser {
            descriptor: format!("msa.q{next}"),
            display_name: name,
            email: Some(email),
        }
    };
    let target = |b: &mut Builder, taken: &mut HashSet<usize>, staff: &[Employee]| loop {
        let e = b.rng.below(staff.len());
        if taken.insert(staff[e].account) {
            return e;
        }
    };
    let n = employees / 3;
    for k in 0..n {
        let trap = TRAPS[k % TRAPS.len()];
        let case = match trap {
            Trap::Upn | Trap::PrimaryMail | Trap::OtherMail | Trap::Proxy | Trap::OtherDomain => {
                let e = target(&mut b, &mut taken, &staff);
                let emp = staff[e].clone();
                let shown = shown_name(&mut b, &emp);
                let email = match trap {
                    Trap::Upn => {
                        let upn = b.tenant[emp.account].user_principal_name.clone();
                        if b.chance(50) {
                            format!(" {} ", upn.to_uppercase())
                        } else {
                            upn
                        }
                    }
                    Trap::PrimaryMail => {
                        let mail = format!("{}@contoso.com", emp.alias.replace('.', "_"));
                        b.tenant[emp.account].mail = Some(mail.clone());
                        b.tenant[emp.account]
                            .proxy_addresses
                            .push(format!("smtp:{mail}"));
                        mail
                    }
                    Trap::OtherMail => {
                        let given = GIVEN[emp.given].0;
                        let p = b.personal(given, &emp.surname);
                        b.tenant[emp.account].other_mails.push(p.clone());
                        p
                    }
                    Trap::Proxy => {
                        let local = format!(
                            "{}.{}",
                            initial(GIVEN[emp.given].0),
                            ascii_lower(&emp.surname)
                        );
                        let alias = b.upn(&local, "contoso.com");
                        b.tenant[emp.account]
                            .proxy_addresses
                            .push(format!("smtp:{alias}"));
                        alias
                    }
                    _ => {
                        let local = b.tenant[emp.account]
                            .user_principal_name
                            .split('@')
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        let old = format!("{local}@fabrikam.com");
                        if b.chance(70) {
                            b.tenant[emp.account]
                                .proxy_addresses
                                .push(format!("smtp:{old}"));
                        }
                        old
                    }
                };
                Case {
                    user: user(shown, email),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::SameName
            | Trap::Nickname
            | Trap::Initials
            | Trap::RunTogether
            | Trap::DoubleSurname
            | Trap::OrderSwap
            | Trap::Spelling => {
                let e = loop {
                    let e = target(&mut b, &mut taken, &staff);
                    let ok = match trap {
                        Trap::Nickname => !GIVEN[staff[e].given].1.is_empty(),
                        Trap::DoubleSurname => staff[e].first_surname.is_some(),
                        Trap::Spelling => {
                            let full = format!("{} {}", GIVEN[staff[e].given].0, staff[e].surname);
                            !full.is_ascii()
                        }
                        _ => true,
                    };
                    if ok {
                        break e;
                    }
                    taken.remove(&staff[e].account);
                };
                let emp = staff[e].clone();
                let given = GIVEN[emp.given].0;
                let name = match trap {
                    Trap::SameName => b.tenant[emp.account].display_name.clone(),
                    Trap::Nickname => {
                        let nick = *b.pick(GIVEN[emp.given].1);
                        format!("{nick} {}", emp.surname)
                    }
                    Trap::Initials => match b.rng.below(3) {
                        0 => format!("{}. {}", initial(given).to_uppercase(), emp.surname),
                        1 => format!("{}.{}", initial(given), ascii_lower(&emp.surname)),
                        _ => format!("{}{}", initial(given), ascii_lower(&emp.surname)),
                    },
                    Trap::RunTogether => {
                        format!("{}{}", ascii_lower(given), ascii_lower(&emp.surname))
                    }
                    Trap::DoubleSurname => {
                        format!("{given} {}", emp.first_surname.clone().unwrap_or_default())
                    }
                    Trap::OrderSwap => {
                        if b.chance(50) {
                            format!("{}, {given}", emp.surname)
                        } else {
                            format!("{} {given}", emp.surname.to_uppercase())
                        }
                    }
                    _ => transliterate(&format!("{given} {}", emp.surname), b.chance(50)),
                };
                let email = b.personal(given, &emp.surname);
                Case {
                    user: user(name, email),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::GuestCopy => {
                let e = target(&mut b, &mut taken, &staff);
                let emp = staff[e].clone();
                let given = GIVEN[emp.given].0;
                let p = b.personal(given, &emp.surname);
                let display = b.tenant[emp.account].display_name.clone();
                b.guest(&p, display.clone());
                Case {
                    user: user(display, p),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::AdminHoldsAddress => {
                let e = target(&mut b, &mut taken, &staff);
                let emp = staff[e].clone();
                let given = GIVEN[emp.given].0;
                let p = b.personal(given, &emp.surname);
                let display = b.tenant[emp.account].display_name.clone();
                let (local, shown) = match b.rng.below(3) {
                    0 => (format!("adm-{}", emp.alias), display.clone()),
                    1 => (format!("{}-admin", emp.alias), format!("{display} (Admin)")),
                    _ => (format!("admin.{}", emp.alias), format!("Admin {display}")),
                };
                let a = b.thing(&local, &shown);
                b.tenant[a].other_mails.push(p.clone());
                Case {
                    user: user(shown_name(&mut b, &emp), p),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::NonPersonHoldsAddress => {
                // An employee registered a service or shared account with
                // their personal address; or an outsider did (no account).
                let outsider = b.chance(30);
                let (name, p, truth) = if outsider {
                    let (given, surname) = b.fresh_name();
                    let given = GIVEN[given].0;
                    let p = b.personal(given, &surname);
                    (format!("{given} {surname}"), p, None)
                } else {
                    let e = target(&mut b, &mut taken, &staff);
                    let emp = staff[e].clone();
                    let p = b.personal(GIVEN[emp.given].0, &emp.surname);
                    (shown_name(&mut b, &emp), p, Some(emp.account))
                };
                let np = non_persons[b.rng.below(non_persons.len())];
                if b.chance(50) {
                    b.tenant[np].other_mails.push(p.clone());
                } else {
                    b.tenant[np].proxy_addresses.push(format!("smtp:{p}"));
                }
                Case {
                    user: user(name, p),
                    truth,
                    trap,
                }
            }
            Trap::TestNamesake => {
                // An employee with a long given name, going by its short form;
                // a test account named exactly as they write it.
                let e = loop {
                    let e = target(&mut b, &mut taken, &staff);
                    if !GIVEN[staff[e].given].1.is_empty() {
                        break e;
                    }
                    taken.remove(&staff[e].account);
                };
                let emp = staff[e].clone();
                let nick = *b.pick(GIVEN[emp.given].1);
                let name = format!("{nick} {}", emp.surname);
                let local = format!("{}{}", ascii_lower(nick), ascii_lower(&emp.surname));
                match b.rng.below(3) {
                    0 => b.thing(&format!("test.{local}"), &name),
                    1 => b.thing(&format!("{local}.test"), &name),
                    _ => b.thing(&local, &name),
                };
                let p = b.personal(nick, &emp.surname);
                Case {
                    user: user(name, p),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::Leaver => {
                if leavers.is_empty() {
                    continue;
                }
                let l = leavers[b.rng.below(leavers.len())].clone();
                if !taken.insert(l.account) {
                    continue;
                }
                let given = GIVEN[l.given].0;
                let email = if b.chance(50) {
                    b.tenant[l.account].user_principal_name.clone()
                } else {
                    b.personal(given, &l.surname)
                };
                Case {
                    user: user(b.tenant[l.account].display_name.clone(), email),
                    truth: Some(l.account),
                    trap,
                }
            }
            Trap::ReassignedAlias => {
                // A leaver's alias, now on a current employee. Either the
                // leaver's account is still there, disabled and renamed to
                // release the alias, or it was deleted (no right account).
                let holder = staff[b.rng.below(staff.len())].account;
                let (name, alias, truth) = if b.chance(70) && !leavers.is_empty() {
                    let l = leavers[b.rng.below(leavers.len())].clone();
                    if !taken.insert(l.account) {
                        continue;
                    }
                    let alias = b.tenant[l.account].user_principal_name.clone();
                    let renamed = b.upn(&format!("x-{}", l.alias), "contoso.com");
                    b.tenant[l.account].user_principal_name = renamed.clone();
                    b.tenant[l.account].mail = Some(renamed);
                    b.tenant[l.account].proxy_addresses.clear();
                    let given = GIVEN[l.given].0;
                    (format!("{given} {}", l.surname), alias, Some(l.account))
                } else {
                    let (given, surname) = b.fresh_name();
                    let given = GIVEN[given].0;
                    let local = format!("{}.{}", ascii_lower(given), ascii_lower(&surname));
                    let alias = b.upn(&local, "contoso.com");
                    (format!("{given} {surname}"), alias, None)
                };
                if b.chance(50) {
                    b.tenant[holder]
                        .proxy_addresses
                        .push(format!("smtp:{alias}"));
                } else {
                    b.tenant[holder].other_mails.push(alias.clone());
                }
                Case {
                    user: user(name, alias),
                    truth,
                    trap,
                }
            }
            Trap::ChangedSurname => {
                let e = target(&mut b, &mut taken, &staff);
                let emp = staff[e].clone();
                let given = GIVEN[emp.given].0;
                let old = loop {
                    let s = b.pick(&SURNAMES).to_string();
                    if s != emp.surname {
                        break s;
                    }
                };
                let p = b.personal(given, &old);
                b.tenant[emp.account].other_mails.push(p.clone());
                Case {
                    user: user(format!("{given} {old}"), p),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::Namesakes => {
                let Some(&(a, z)) = namesake_pairs.get(b.rng.below(namesake_pairs.len().max(1)))
                else {
                    continue;
                };
                let e = if b.chance(50) { a } else { z };
                if !taken.insert(staff[e].account) {
                    continue;
                }
                let emp = staff[e].clone();
                let p = b.personal(GIVEN[emp.given].0, &emp.surname);
                Case {
                    user: user(b.tenant[emp.account].display_name.clone(), p),
                    truth: Some(emp.account),
                    trap,
                }
            }
            Trap::GuestOnly => {
                if externals.is_empty() {
                    continue;
                }
                let g = externals[b.rng.below(externals.len())];
                if !taken.insert(g) {
                    continue;
                }
                let mail = b.tenant[g].mail.clone().unwrap_or_default();
                Case {
                    user: user(b.tenant[g].display_name.clone(), mail),
                    truth: Some(g),
                    trap,
                }
            }
            Trap::NearNamesake => {
                // Someone with no account whose name is one letter from an
                // employee's (who is in the directory).
                let (given, surname) = loop {
                    let (given, surname, have_given, have_surname) = if b.chance(50) {
                        let (have, near) = *b.pick(&NEAR_GIVEN);
                        let surname = b.pick(&SURNAMES).to_string();
                        (near.to_string(), surname.clone(), have.to_string(), surname)
                    } else {
                        let (have, near) = *b.pick(&NEAR_SURNAME);
                        let given = GIVEN[b.rng.below(GIVEN.len())].0.to_string();
                        (given.clone(), near.to_string(), given, have.to_string())
                    };
                    // The near-namesake is in the directory; the person is not.
                    if !b.names.contains(&full_name(&given, &surname)) {
                        b.member_like(&have_given, &have_surname);
                        break (given, surname);
                    }
                };
                let p = b.personal(&given, &surname);
                Case {
                    user: user(format!("{given} {surname}"), p),
                    truth: None,
                    trap,
                }
            }
            Trap::Stranger => {
                let given = GIVEN[b.rng.below(GIVEN.len())].0;
                let surname = format!(
                    "{}{}",
                    b.pick(&["Var", "Ost", "Quin", "Zel"]),
                    b.pick(&SURNAMES).to_lowercase()
                );
                let p = b.personal(given, &surname);
                Case {
                    user: user(format!("{given} {surname}"), p),
                    truth: None,
                    trap,
                }
            }
        };
        cases.push(case);
    }
    Directory {
        tenant: b.tenant,
        verified_domains: vec![
            "contoso.com".into(),
            "fabrikam.com".into(),
            "contoso.onmicrosoft.com".into(),
        ],
        cases,
    }
}

/// The order cases are drawn in (easy ones repeated: they are most of a
/// real organization).
const TRAPS: [Trap; 36] = [
    Trap::Upn,
    Trap::Upn,
    Trap::Upn,
    Trap::Upn,
    Trap::PrimaryMail,
    Trap::OtherMail,
    Trap::OtherMail,
    Trap::Proxy,
    Trap::OtherDomain,
    Trap::SameName,
    Trap::SameName,
    Trap::Nickname,
    Trap::Initials,
    Trap::RunTogether,
    Trap::DoubleSurname,
    Trap::OrderSwap,
    Trap::Spelling,
    Trap::Upn,
    Trap::OtherMail,
    Trap::GuestCopy,
    Trap::AdminHoldsAddress,
    Trap::NonPersonHoldsAddress,
    Trap::TestNamesake,
    Trap::Leaver,
    Trap::ReassignedAlias,
    Trap::ChangedSurname,
    Trap::Namesakes,
    Trap::GuestOnly,
    Trap::NearNamesake,
    Trap::NearNamesake,
    Trap::Stranger,
    Trap::Stranger,
    Trap::Upn,
    Trap::PrimaryMail,
    Trap::Proxy,
    Trap::Nickname,
];

/// The key under which a full name counts as taken.
fn full_name(given: &str, surname: &str) -> String {
    format!("{} {}", ascii_lower(given), ascii_lower(surname))
}

fn initial(s: &str) -> String {
    ascii_lower(s).chars().take(1).collect()
}

/// How a person writes their name in their personal account: mostly as the
/// directory has it, sometimes by the short form of their given name.
fn shown_name(b: &mut Builder, e: &Employee) -> String {
    let (given, nicks) = GIVEN[e.given];
    if !nicks.is_empty() && b.chance(20) {
        format!("{} {}", b.pick(nicks), e.surname)
    } else if b.chance(10) {
        format!("{given} {}", e.surname)
    } else {
        b.tenant[e.account].display_name.clone()
    }
}

/// Letters as an English keyboard writes them: accents dropped, or the
/// German, Scandinavian and Slavic transliterations.
fn transliterate(s: &str, long_forms: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match (c, long_forms) {
            ('ü', true) => out.push_str("ue"),
            ('ö', true) | ('ø', true) => out.push_str("oe"),
            ('ä', true) | ('æ', true) => out.push_str("ae"),
            ('å', true) => out.push_str("aa"),
            ('ß', _) => out.push_str("ss"),
            _ => out.push_str(&fold_accents(&c.to_string())),
        }
    }
    // Capitalised again where folding lowered it.
    out.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn employee(b: &mut Builder) -> Employee {
    // Full names repeat in a company only by chance, rarely; the Namesakes
    // trap makes them on purpose.
    let (given, mut surname) = loop {
        let given = b.rng.below(GIVEN.len());
        let surname = b.pick(&SURNAMES).to_string();
        if b.names.insert(format!(
            "{} {}",
            ascii_lower(GIVEN[given].0),
            ascii_lower(&surname)
        )) {
            break (given, surname);
        }
    };
    let g = GIVEN[given].0;
    let mut first_surname = None;
    // Spanish double surnames.
    let folded = fold_accents(&surname);
    if (folded.ends_with("ez") || folded.ends_with("ia") || b.chance(3)) && b.chance(60) {
        let second = b.pick(&SURNAMES).to_string();
        if second != surname {
            first_surname = Some(surname.clone());
            surname = format!("{surname} {second}");
        }
    }
    let (gl, sl) = (
        ascii_lower(g),
        ascii_lower(surname.split(' ').next().unwrap_or("")),
    );
    let (local, domain) = match b.rng.below(10) {
        0..=5 => (format!("{gl}.{sl}"), "contoso.com"),
        6 | 7 => (format!("{}{sl}", initial(g)), "contoso.com"),
        8 => (format!("{gl}.{sl}"), "fabrikam.com"),
        _ => (gl.clone(), "contoso.com"),
    };
    let upn = b.upn(&local, domain);
    let alias = upn.split('@').next().unwrap_or_default().to_string();
    let middle = b.chance(8).then(|| GIVEN[b.rng.below(GIVEN.len())].0);
    let nicks = GIVEN[given].1;
    let display = if !nicks.is_empty() && b.chance(15) {
        // Goes by the short form in the directory too.
        format!("{} {surname}", b.pick(nicks))
    } else if let Some(m) = middle {
        format!("{g} {m} {surname}")
    } else if b.chance(5) {
        format!("{surname}, {g}")
    } else {
        format!("{g} {surname}")
    };
    let account = b.member(upn.clone(), display, g, &surname);
    if domain == "fabrikam.com" {
        let new = format!("{alias}@contoso.com");
        b.tenant[account]
            .proxy_addresses
            .push(format!("smtp:{new}"));
    }
    Employee {
        account,
        given,
        surname,
        first_surname,
        alias,
    }
}

/// Another employee with `e`'s full name.
fn twin(b: &mut Builder, e: &Employee) -> Employee {
    let g = GIVEN[e.given].0;
    let sl = ascii_lower(e.surname.split(' ').next().unwrap_or(""));
    let upn = b.upn(&format!("{}.{sl}", ascii_lower(g)), "contoso.com");
    let alias = upn.split('@').next().unwrap_or_default().to_string();
    let display = b.tenant[e.account].display_name.clone();
    let account = b.member(upn, display, g, &e.surname);
    Employee {
        account,
        given: e.given,
        surname: e.surname.clone(),
        first_surname: e.first_surname.clone(),
        alias,
    }
}

impl Builder {
    /// A given name (index) and surname nobody in the directory has yet.
    fn fresh_name(&mut self) -> (usize, String) {
        loop {
            let given = self.rng.below(GIVEN.len());
            let surname = self.pick(&SURNAMES).to_string();
            if self.names.insert(full_name(GIVEN[given].0, &surname)) {
                return (given, surname);
            }
        }
    }

    /// An employee named `given surname` (for near-namesakes).
    fn member_like(&mut self, given: &str, surname: &str) -> usize {
        self.names.insert(full_name(given, surname));
        let local = format!("{}.{}", ascii_lower(given), ascii_lower(surname));
        let upn = self.upn(&local, "contoso.com");
        self.member(upn, format!("{given} {surname}"), given, surname)
    }
}

/// Matches the disconnected users of one directory per seed (each of
/// `employees` people) and measures the answers together.
pub fn run(seeds: &[u64], employees: usize) -> Measures {
    let mut m = Measures::default();
    for &seed in seeds {
        let dir = directory(seed, employees);
        let users: Vec<DisconnectedUser> = dir.cases.iter().map(|c| c.user.clone()).collect();
        let results = super::match_users(
            &users,
            &dir.tenant,
            &dir.verified_domains,
            &super::MatchConfig::default(),
        );
        m.add(&dir, &results);
    }
    m
}

/// Counts of right answers among answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Right.
    pub right: usize,
    /// All.
    pub total: usize,
}

impl Tally {
    fn add(&mut self, right: bool) {
        self.total += 1;
        self.right += usize::from(right);
    }

    /// `right / total` (1.0 when there is nothing to count).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// What the benchmark measures.
#[derive(Debug, Clone, Default)]
pub struct Measures {
    /// First suggestions by their confidence: how many were the right account.
    pub by_level: BTreeMap<Confidence, Tally>,
    /// Users with no suggestion: how many really have no account.
    pub abstained: Tally,
    /// Every user: the first answer (a suggestion, or an invitation when
    /// there is none) is right.
    pub first: Tally,
    /// Users who have an account: it is among the suggestions.
    pub recall: Tally,
    /// Suggestions (any position) at exact that are not the user's account.
    pub wrong_exact: usize,
    /// Suggestions (any position) at high that are not the user's account.
    pub wrong_high: usize,
    /// First answers per trap.
    pub by_trap: BTreeMap<Trap, Tally>,
}

impl Measures {
    /// Precision@1: the share of users whose first answer is right.
    pub fn precision_at_1(&self) -> f64 {
        self.first.ratio()
    }

    /// Adds the results for one directory.
    pub fn add(&mut self, dir: &Directory, results: &[UserMatches]) {
        for (case, r) in dir.cases.iter().zip(results) {
            let truth = case.truth.map(|t| dir.tenant[t].id.as_str());
            let first = r.suggestions.first();
            let right = first.map(|s| s.tenant_user_id.as_str()) == truth;
            match first {
                Some(s) => self.by_level.entry(s.confidence).or_default().add(right),
                None => self.abstained.add(right),
            }
            self.first.add(right);
            self.by_trap.entry(case.trap).or_default().add(right);
            if let Some(t) = truth {
                self.recall
                    .add(r.suggestions.iter().any(|s| s.tenant_user_id == t));
            }
            for s in &r.suggestions {
                if Some(s.tenant_user_id.as_str()) != truth {
                    match s.confidence {
                        Confidence::Exact => self.wrong_exact += 1,
                        Confidence::High => self.wrong_high += 1,
                        _ => {}
                    }
                }
            }
        }
    }

    /// The rows the benchmark prints: (name, figure, target, met).
    pub fn rows(&self) -> Vec<(String, String, String, Option<bool>)> {
        let mut rows = Vec::new();
        let pct = |t: &Tally| format!("{:.3} ({}/{})", t.ratio(), t.right, t.total);
        for level in [
            Confidence::Exact,
            Confidence::High,
            Confidence::Medium,
            Confidence::Low,
        ] {
            let t = self.by_level.get(&level).copied().unwrap_or_default();
            rows.push((
                format!("quality: precision at {}", level.word()),
                pct(&t),
                String::new(),
                None,
            ));
        }
        rows.push((
            "quality: no suggestion, and none was right".into(),
            pct(&self.abstained),
            String::new(),
            None,
        ));
        rows.push((
            "quality: precision@1 (abstaining counts)".into(),
            pct(&self.first),
            ">= 0.95".into(),
            Some(self.precision_at_1() >= 0.95),
        ));
        rows.push((
            "quality: recall (right account suggested)".into(),
            pct(&self.recall),
            ">= 0.90".into(),
            Some(self.recall.ratio() >= 0.90),
        ));
        rows.push((
            "quality: wrong suggestions at exact".into(),
            self.wrong_exact.to_string(),
            "0".into(),
            Some(self.wrong_exact == 0),
        ));
        rows.push((
            "quality: wrong suggestions at high".into(),
            self.wrong_high.to_string(),
            "0".into(),
            Some(self.wrong_high == 0),
        ));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::{MatchConfig, match_users};

    #[test]
    fn the_directory_is_deterministic_and_has_every_trap() {
        let a = directory(1, 600);
        let b = directory(1, 600);
        let c = directory(2, 600);
        assert_eq!(a.tenant, b.tenant);
        assert_ne!(a.tenant, c.tenant);
        let traps: HashSet<Trap> = a.cases.iter().map(|c| c.trap).collect();
        for t in TRAPS {
            assert!(traps.contains(&t), "{t:?} missing");
        }
        // Ids, UPNs and descriptors are unique; truths point at accounts.
        let ids: HashSet<&str> = a.tenant.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids.len(), a.tenant.len());
        let upns: HashSet<String> = a
            .tenant
            .iter()
            .map(|u| u.user_principal_name.to_lowercase())
            .collect();
        assert_eq!(upns.len(), a.tenant.len());
        let truths: Vec<usize> = a.cases.iter().filter_map(|c| c.truth).collect();
        let distinct: HashSet<usize> = truths.iter().copied().collect();
        assert_eq!(distinct.len(), truths.len(), "one account, one user");
        assert!(truths.iter().all(|&t| t < a.tenant.len()));
        let kinds = [
            a.tenant.iter().any(|u| u.user_type == UserType::Guest),
            a.tenant.iter().any(|u| !u.account_enabled),
            a.tenant
                .iter()
                .any(|u| u.user_principal_name.starts_with("svc-")),
            a.tenant.iter().any(|u| {
                u.display_name.contains("(Admin)")
                    || u.user_principal_name.starts_with("adm-")
                    || u.user_principal_name.starts_with("admin.")
            }),
        ];
        assert_eq!(kinds, [true; 4]);
    }

    #[test]
    fn measures_count_first_answers_recall_and_confident_mistakes() {
        let dir = directory(3, 300);
        let results = match_users(
            &dir.cases.iter().map(|c| c.user.clone()).collect::<Vec<_>>(),
            &dir.tenant,
            &dir.verified_domains,
            &MatchConfig::default(),
        );
        let mut m = Measures::default();
        m.add(&dir, &results);
        assert_eq!(m.first.total, dir.cases.len());
        let levels: usize = m.by_level.values().map(|t| t.total).sum();
        assert_eq!(levels + m.abstained.total, dir.cases.len());
        assert_eq!(
            m.recall.total,
            dir.cases.iter().filter(|c| c.truth.is_some()).count()
        );
        // Every answer wrong: first answers and recall fall to the cases
        // with no account, and each exact or high suggestion is a mistake.
        let mut wrong = results.clone();
        for r in &mut wrong {
            for s in &mut r.suggestions {
                s.tenant_user_id = "nobody".into();
            }
        }
        let mut w = Measures::default();
        w.add(&dir, &wrong);
        assert_eq!(w.recall.right, 0);
        assert!(w.first.right <= dir.cases.iter().filter(|c| c.truth.is_none()).count());
        let confident = wrong
            .iter()
            .flat_map(|r| &r.suggestions)
            .filter(|s| s.confidence <= Confidence::High)
            .count();
        assert_eq!(w.wrong_exact + w.wrong_high, confident);
        assert!(confident > 0);
        let rows = w.rows();
        assert_eq!(rows.len(), 9);
        assert!(
            rows.iter()
                .any(|r| r.0.contains("precision@1") && r.3 == Some(false))
        );
    }
}
