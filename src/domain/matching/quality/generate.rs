//! The directory generator: every trap laid in one company directory
//! ([`directory`]), with the order the traps are drawn in.

use std::collections::HashSet;

use super::people::{
    Builder, Employee, ascii_lower, employee, full_name, initial, shown_name, transliterate, twin,
};
use super::pools::{GIVEN, NEAR_GIVEN, NEAR_SURNAME, SURNAMES};
use super::{Case, Directory, Trap};
use crate::domain::matching::DisconnectedUser;
use crate::domain::matching::bench_support::XorShift;

/// The directory for `seed`: `employees` people plus guests, admin,
/// service, shared, room and test accounts, leavers; and about
/// `employees / 3` disconnected users.
pub fn directory(seed: u64, employees: usize) -> Directory {
    let mut b = Builder::new(XorShift::new(seed.wrapping_mul(7919).wrapping_add(11)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::facts::UserType;

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
}
