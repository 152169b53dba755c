//! The accounts of a generated directory: the builder that hands out ids,
//! free UPNs and personal addresses, and the people in it (employees, their
//! namesakes, the names they show and how a keyboard spells them).

use std::collections::HashSet;

use super::pools::{GIVEN, HANDLES, SURNAMES};
use crate::domain::facts::{TenantUser, UserType};
use crate::domain::matching::bench_support::XorShift;
use crate::domain::text::fold_accents;

pub(super) fn ascii_lower(s: &str) -> String {
    fold_accents(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// An employee as generated (indices into the tenant).
#[derive(Debug, Clone)]
pub(super) struct Employee {
    pub(super) account: usize,
    /// Index into [`GIVEN`].
    pub(super) given: usize,
    /// Display form of the surname (one or two parts).
    pub(super) surname: String,
    /// First part of a double surname.
    pub(super) first_surname: Option<String>,
    pub(super) alias: String,
}

/// Hands out the directory's accounts: ids, UPNs and personal addresses
/// nobody else has, and full names not yet in use.
pub(super) struct Builder {
    pub(super) rng: XorShift,
    pub(super) tenant: Vec<TenantUser>,
    upns: HashSet<String>,
    used_addresses: HashSet<String>,
    /// Folded full names in use (namesakes are made on purpose only).
    pub(super) names: HashSet<String>,
    next_id: usize,
}

impl Builder {
    /// An empty directory drawing from `rng`.
    pub(super) fn new(rng: XorShift) -> Self {
        Builder {
            rng,
            tenant: Vec::new(),
            upns: HashSet::new(),
            used_addresses: HashSet::new(),
            names: HashSet::new(),
            next_id: 0,
        }
    }

    pub(super) fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.rng.below(v.len())]
    }

    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-9000-{:012}", self.next_id)
    }

    /// A free UPN from `local` at `domain` (a digit added when taken).
    pub(super) fn upn(&mut self, local: &str, domain: &str) -> String {
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
    pub(super) fn personal(&mut self, given: &str, surname: &str) -> String {
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

    pub(super) fn guest(&mut self, address: &str, display: String) -> usize {
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
    pub(super) fn thing(&mut self, local: &str, display: &str) -> usize {
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

    /// A given name (index) and surname nobody in the directory has yet.
    pub(super) fn fresh_name(&mut self) -> (usize, String) {
        loop {
            let given = self.rng.below(GIVEN.len());
            let surname = self.pick(&SURNAMES).to_string();
            if self.names.insert(full_name(GIVEN[given].0, &surname)) {
                return (given, surname);
            }
        }
    }

    /// An employee named `given surname` (for near-namesakes).
    pub(super) fn member_like(&mut self, given: &str, surname: &str) -> usize {
        self.names.insert(full_name(given, surname));
        let local = format!("{}.{}", ascii_lower(given), ascii_lower(surname));
        let upn = self.upn(&local, "contoso.com");
        self.member(upn, format!("{given} {surname}"), given, surname)
    }
}

/// The key under which a full name counts as taken.
pub(super) fn full_name(given: &str, surname: &str) -> String {
    format!("{} {}", ascii_lower(given), ascii_lower(surname))
}

pub(super) fn initial(s: &str) -> String {
    ascii_lower(s).chars().take(1).collect()
}

/// How a person writes their name in their personal account: mostly as the
/// directory has it, sometimes by the short form of their given name.
pub(super) fn shown_name(b: &mut Builder, e: &Employee) -> String {
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
pub(super) fn transliterate(s: &str, long_forms: bool) -> String {
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

pub(super) fn employee(b: &mut Builder) -> Employee {
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
pub(super) fn twin(b: &mut Builder, e: &Employee) -> Employee {
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
