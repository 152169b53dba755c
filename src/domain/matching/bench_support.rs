//! Deterministic synthetic data for benchmarking and testing the match
//! engine at scale.
//!
//! Names are built from invented syllables (no real-world data), randomness
//! comes from a small xorshift generator seeded by the caller, and every
//! disconnected user records what the engine is expected to find, so a test
//! can check correctness at scale and a benchmark can time the same data.

use crate::domain::facts::{TenantUser, UserType};

/// A tiny deterministic pseudo-random generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        XorShift(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// How a generated disconnected user relates to the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Planted {
    /// Address equals the target's UPN (in other case, with spaces).
    Upn,
    /// Address equals the target's primary mail.
    Mail,
    /// Address is one of the target's other mails.
    OtherMail,
    /// Address is one of the target's proxy addresses.
    Proxy,
    /// Same local part as the target's UPN, at an unverified domain.
    LocalPart,
    /// Unrelated address; the name is the target's, reordered and recased.
    NameOnly,
    /// Nothing in common with any account.
    Nothing,
}

/// What a generated user should match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The planted relation.
    pub planted: Planted,
    /// Index into [`Synthetic::tenant_users`] of the intended account.
    pub target: Option<usize>,
}

/// A generated data set.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// Users to match.
    pub disconnected: Vec<super::DisconnectedUser>,
    /// The tenant.
    pub tenant_users: Vec<TenantUser>,
    /// The tenant's verified domains.
    pub verified_domains: Vec<String>,
    /// One entry per disconnected user.
    pub expected: Vec<Expected>,
}

const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "an", "el", "or", "is", "ba", "de", "fu", "go",
    "ha", "ju", "ke", "pe",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn syllable_name(mut n: usize, parts: usize) -> String {
    let mut s = String::new();
    for _ in 0..parts {
        s.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    s
}

/// Generates `users` disconnected users and `tenant_users` accounts from
/// `seed`. The same arguments always give the same data.
///
/// Each disconnected user targets a distinct account (when
/// `users <= tenant_users`) and is planted with one of the [`Planted`]
/// relations in rotation. Given names come from 400 two-syllable names,
/// family names from 8,000 three-syllable names; about one account in ten
/// has an accented display name.
pub fn generate(users: usize, tenant_users: usize, seed: u64) -> Synthetic {
    let mut rng = XorShift::new(seed);
    let verified_domains = vec![
        "contoso.example".to_string(),
        "mail.contoso.example".to_string(),
    ];
    let mut tenant = Vec::with_capacity(tenant_users);
    let mut names = Vec::with_capacity(tenant_users);
    for i in 0..tenant_users {
        let given = syllable_name(rng.below(400), 2);
        let family = syllable_name(rng.below(8000), 3);
        let mut display = format!("{} {}", capitalise(&given), capitalise(&family));
        if i % 10 == 3 {
            display = display.replacen('e', "é", 1);
        }
        let user = TenantUser {
            id: format!("00000000-0000-4000-8000-{i:012}"),
            user_principal_name: format!("{given}.{family}.{i}@contoso.example"),
            mail: Some(format!("{given}{i}@mail.contoso.example")),
            other_mails: vec![format!("{family}.{i}@partner.example")],
            proxy_addresses: vec![
                format!("SMTP:{given}{i}@mail.contoso.example"),
                format!("smtp:{given}.{i}@legacy.example"),
            ],
            display_name: display,
            user_type: if i % 50 == 7 {
                UserType::Guest
            } else {
                UserType::Member
            },
            account_enabled: i % 97 != 5,
            given_name: Some(capitalise(&given)),
            surname: Some(capitalise(&family)),
            licenses: Some(u32::from(i % 50 != 7)),
        };
        tenant.push(user);
        names.push((given, family));
    }
    let mut disconnected = Vec::with_capacity(users);
    let mut expected = Vec::with_capacity(users);
    let block = tenant_users.checked_div(users).unwrap_or(1).max(1);
    for k in 0..users {
        let planted = match k % 10 {
            0..=2 => Planted::Upn,
            3 | 4 => Planted::Mail,
            5 => Planted::OtherMail,
            6 => Planted::Proxy,
            7 => Planted::LocalPart,
            8 => Planted::NameOnly,
            _ => Planted::Nothing,
        };
        let target = if tenant_users == 0 {
            None
        } else {
            Some((k * block + rng.below(block)) % tenant_users)
        };
        let Some(t) = target else {
            disconnected.push(super::DisconnectedUser {
                descriptor: format!("msa.{k}"),
                display_name: format!("Qx Zy{k}"),
                email: Some(format!("zz{k}@nowhere.example")),
            });
            expected.push(Expected {
                planted: Planted::Nothing,
                target: None,
            });
            continue;
        };
        let (given, family) = &names[t];
        let display = format!("{} {}", capitalise(given), capitalise(family));
        let (display_name, email) = match planted {
            Planted::Upn => (
                display,
                format!("  {}  ", tenant[t].user_principal_name.to_uppercase()),
            ),
            Planted::Mail => (display, format!("{given}{t}@mail.contoso.example")),
            Planted::OtherMail => (display, format!("{family}.{t}@partner.example")),
            Planted::Proxy => (display, format!("{given}.{t}@legacy.example")),
            Planted::LocalPart => (display, format!("{given}.{family}.{t}@outlook.example")),
            Planted::NameOnly => (
                format!("{}, {}", family.to_uppercase(), given.to_uppercase()),
                format!("n{k}@nowhere.example"),
            ),
            Planted::Nothing => (format!("Qx Zy{k}"), format!("zz{k}@nowhere.example")),
        };
        disconnected.push(super::DisconnectedUser {
            descriptor: format!("msa.{k}"),
            display_name,
            email: Some(email),
        });
        expected.push(Expected {
            planted,
            target: (planted != Planted::Nothing).then_some(t),
        });
    }
    Synthetic {
        disconnected,
        tenant_users: tenant,
        verified_domains,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sized() {
        let a = generate(50, 500, 7);
        let b = generate(50, 500, 7);
        let c = generate(50, 500, 8);
        assert_eq!(a.disconnected, b.disconnected);
        assert_eq!(a.tenant_users, b.tenant_users);
        assert_ne!(a.tenant_users, c.tenant_users);
        assert_eq!(a.disconnected.len(), 50);
        assert_eq!(a.tenant_users.len(), 500);
        assert_eq!(a.expected.len(), 50);
        let targets: std::collections::HashSet<_> =
            a.expected.iter().filter_map(|e| e.target).collect();
        assert_eq!(
            targets.len(),
            a.expected.iter().filter(|e| e.target.is_some()).count()
        );
    }

    #[test]
    fn degenerate_sizes_do_not_panic() {
        let s = generate(0, 0, 0);
        assert!(s.disconnected.is_empty());
        let s = generate(5, 0, 1);
        assert_eq!(s.disconnected.len(), 5);
        assert!(s.expected.iter().all(|e| e.target.is_none()));
        let s = generate(10, 3, 1);
        assert_eq!(s.disconnected.len(), 10);
    }

    #[test]
    fn xorshift_is_not_constant() {
        let mut r = XorShift::new(0);
        let a = r.next_u64();
        let b = r.next_u64();
        assert_ne!(a, b);
        assert_eq!(r.below(0), 0);
        assert!(r.below(3) < 3);
    }
}
