//! A person's name read for comparison ([`PersonName`]), the roles the
//! directory gives its parts ([`Roles`]), and the comparison itself
//! ([`compare`]): tokens paired by spelling, nickname and initial, names
//! run together, more names on one side.

use super::NameMatch;
use super::keys::{Nicknames, coarse, coarse_key, spelling, spelling_key};

/// Words that say what an account or name is, not who: removed before
/// names are compared (they still count as account-kind signals).
const NOT_NAMES: [&str; 22] = [
    "admin",
    "administrator",
    "adm",
    "test",
    "svc",
    "ext",
    "external",
    "guest",
    "contractor",
    "vendor",
    "consultant",
    "temp",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "jr",
    "sr",
    "phd",
    "ii",
];

/// A name ready to compare: folded tokens, sorted, without titles, role
/// words or numbers, each with its spelling key and coarse key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    /// Folded tokens (lowercase, accents dropped), sorted.
    pub tokens: Vec<String>,
    /// Spelling keys ([`spelling_key`]), parallel to `tokens`.
    pub keys: Vec<String>,
    /// Coarse keys ([`coarse_key`]), parallel to `tokens`: what the index
    /// is looked up by.
    pub coarse: Vec<String>,
}

impl PersonName {
    /// Parses a display name. A name that is an address ("anna@x.com")
    /// is read from its local part ("anna").
    pub fn parse(display: &str) -> Self {
        let display = match display.trim().split_once('@') {
            Some((local, _)) if !local.contains(' ') => local,
            _ => display,
        };
        // Tokens as written (lowercase, accents kept), split as
        // `name_tokens` splits them: one buffer, a range per token.
        let mut buf = String::with_capacity(display.len());
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut start: Option<usize> = None;
        let mut token = |alnum: bool, buf: &mut String, c: char| {
            if alnum {
                start.get_or_insert(buf.len());
                buf.push(c);
            } else if let Some(s) = start.take() {
                spans.push((s, buf.len()));
            }
        };
        if display.is_ascii() {
            for b in display.bytes().filter(|&b| b != b'\'') {
                token(
                    b.is_ascii_alphanumeric(),
                    &mut buf,
                    b.to_ascii_lowercase() as char,
                );
            }
        } else {
            for c in display.chars().flat_map(char::to_lowercase) {
                if ('\u{300}'..='\u{36f}').contains(&c) || c == '\'' || c == '\u{2019}' {
                    continue;
                }
                token(c.is_alphanumeric(), &mut buf, c);
            }
        }
        token(false, &mut buf, ' ');
        let mut parts: Vec<(String, String, String)> = Vec::with_capacity(spans.len());
        for &(a, b) in &spans {
            // Digits glued to a name ("jsmith2") are dropped, numbers alone too.
            let r = buf[a..b].trim_end_matches(|c: char| c.is_ascii_digit());
            let folded = if r.is_ascii() {
                r.to_string()
            } else {
                crate::domain::text::fold_accents(r)
            };
            if folded.is_empty()
                || NOT_NAMES.contains(&folded.as_str())
                || parts.iter().any(|p| p.0 == folded)
            {
                continue;
            }
            let key = spelling(r);
            let rough = coarse(&folded);
            parts.push((folded, key, rough));
        }
        parts.sort_unstable();
        let mut name = PersonName {
            tokens: Vec::with_capacity(parts.len()),
            keys: Vec::with_capacity(parts.len()),
            coarse: Vec::with_capacity(parts.len()),
        };
        for (t, k, c) in parts {
            name.tokens.push(t);
            name.keys.push(k);
            name.coarse.push(c);
        }
        name
    }

    /// The name from given name and surname (either may be missing).
    pub fn from_parts(given: Option<&str>, surname: Option<&str>) -> Self {
        let joined = format!("{} {}", given.unwrap_or(""), surname.unwrap_or(""));
        PersonName::parse(&joined)
    }

    /// Both names' tokens together (as [`PersonName::from_parts`] of the
    /// two, without parsing again).
    pub fn joined(&self, other: &PersonName) -> PersonName {
        let mut parts: Vec<(&String, &String, &String)> = Vec::new();
        for n in [self, other] {
            for i in 0..n.tokens.len() {
                if !parts.iter().any(|p| *p.0 == n.tokens[i]) {
                    parts.push((&n.tokens[i], &n.keys[i], &n.coarse[i]));
                }
            }
        }
        parts.sort();
        PersonName {
            tokens: parts.iter().map(|p| p.0.clone()).collect(),
            keys: parts.iter().map(|p| p.1.clone()).collect(),
            coarse: parts.iter().map(|p| p.2.clone()).collect(),
        }
    }

    /// No tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// How two tokens relate, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rel {
    Exact,
    Spelling,
    Nickname,
    Initial,
}

fn single_char(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some() && c.next().is_none()
}

/// One token of a name: folded, spelling key, coarse key.
#[derive(Clone, Copy)]
struct Tok<'a> {
    folded: &'a str,
    key: &'a str,
    coarse: &'a str,
}

fn tok(name: &PersonName, i: usize) -> Tok<'_> {
    Tok {
        folded: &name.tokens[i],
        key: &name.keys[i],
        coarse: &name.coarse[i],
    }
}

fn related(u: Tok<'_>, a: Tok<'_>, nick: &Nicknames, pass: Rel) -> bool {
    match pass {
        Rel::Exact => u.folded == a.folded,
        Rel::Spelling => u.key == a.key,
        Rel::Nickname => nick.equivalent(u.coarse, a.coarse),
        Rel::Initial => {
            (single_char(u.folded) && !single_char(a.folded) && a.folded.starts_with(u.folded))
                || (single_char(a.folded)
                    && !single_char(u.folded)
                    && u.folded.starts_with(a.folded))
        }
    }
}

/// The two of `parts` (folded tokens; by position, from those `free`) that
/// written together, in either order, have the coarse key `whole`.
fn run_together(whole: &str, parts: &[String], free: &[bool]) -> Option<(usize, usize)> {
    let mut buf = String::new();
    let mut key = String::new();
    for (i, x) in parts.iter().enumerate() {
        for (j, y) in parts.iter().enumerate() {
            if i == j
                || !free.get(i).copied().unwrap_or(true)
                || !free.get(j).copied().unwrap_or(true)
            {
                continue;
            }
            if x.len() + y.len() + 3 < whole.len() || x.len() + y.len() > whole.len() + 3 {
                continue;
            }
            buf.clear();
            buf.push_str(x);
            buf.push_str(y);
            coarse_key(&buf, &mut key);
            if key == whole {
                return Some((i, j));
            }
        }
    }
    None
}

/// Whether two names of an account can be its given name and surname, as
/// far as the directory says.
fn fits(roles: &Roles, given: &str, surname: &str) -> bool {
    let has = |v: &[String], t: &str| v.is_empty() || v.iter().any(|x| x == t);
    has(&roles.given, given) && has(&roles.surname, surname)
        || has(&roles.given, surname) && has(&roles.surname, given)
}

/// Whether `whole` is an initial followed by one of `parts` ("jsmith"),
/// the initial being another part's first letter.
fn initial_run_in(whole: &str, parts: &[String], roles: &Roles) -> bool {
    let Some(first) = whole.chars().next() else {
        return false;
    };
    let rest = &whole[first.len_utf8()..];
    parts.iter().enumerate().any(|(i, p)| {
        p == rest
            && parts
                .iter()
                .enumerate()
                .any(|(j, q)| j != i && q.starts_with(first) && fits(roles, q, p))
    })
}

/// A single token that is one of `other`'s names written together with a
/// short form or initial of another ("katherinemurphy" for Katie Murphy,
/// "robsmith" for Robert Smith): the weaker of the two relations.
fn split_run_together(
    whole: &str,
    other: &PersonName,
    roles: &Roles,
    nick: &Nicknames,
) -> Option<NameMatch> {
    let mut rest_key = String::new();
    let mut rest_coarse = String::new();
    for (j, name) in other.tokens.iter().enumerate() {
        if name.chars().count() < 2 || name.len() >= whole.len() {
            continue;
        }
        let rest = if let Some(r) = whole.strip_suffix(name.as_str()) {
            r
        } else if let Some(r) = whole.strip_prefix(name.as_str()) {
            r
        } else {
            continue;
        };
        spelling_key(rest, &mut rest_key);
        coarse_key(rest, &mut rest_coarse);
        let r = Tok {
            folded: rest,
            key: &rest_key,
            coarse: &rest_coarse,
        };
        for k in 0..other.tokens.len() {
            if k == j || !fits(roles, &other.tokens[k], name) {
                continue;
            }
            let t = tok(other, k);
            if related(r, t, nick, Rel::Exact) || related(r, t, nick, Rel::Spelling) {
                return Some(NameMatch::RunTogether);
            }
            if related(r, t, nick, Rel::Nickname) {
                return Some(NameMatch::Nickname);
            }
        }
    }
    None
}

/// At most this many tokens per name are compared (longer names are rare
/// and the rest is ignored).
const MAX_TOKENS: usize = 8;

/// Which of an account's names are given names and which the surname, when
/// the directory says (`givenName`, `surname`): folded tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    /// Given-name tokens.
    pub given: Vec<String>,
    /// Surname tokens.
    pub surname: Vec<String>,
}

impl Roles {
    /// Unknown roles: any name may be either.
    pub const NONE: Roles = Roles {
        given: Vec::new(),
        surname: Vec::new(),
    };

    /// The roles the directory gives, kept only where `name` has those
    /// tokens (a display name "Bob Smith" is not bound by given name
    /// "Robert").
    pub fn within(given: &PersonName, surname: &PersonName, name: &PersonName) -> Roles {
        let keep = |part: &PersonName| {
            if !part.is_empty() && part.tokens.iter().all(|t| name.tokens.contains(t)) {
                part.tokens.clone()
            } else {
                Vec::new()
            }
        };
        Roles {
            given: keep(given),
            surname: keep(surname),
        }
    }
}

/// Compares a user's name with an account's name.
///
/// `roles`: where the directory says which of the account's names are
/// given names and which the surname, the surname must be among the names
/// that agree in full (not by an initial or nickname), and a given name
/// must agree at least by initial or nickname: "John Paul" does not agree
/// with given name "John Paul", surname "Jones", nor "Robert Hoffmann"
/// with given name "Luca", middle name "Robert", surname "Hoffmann".
pub fn compare(
    user: &PersonName,
    account: &PersonName,
    roles: &Roles,
    nick: &Nicknames,
) -> NameMatch {
    if user.is_empty() || account.is_empty() {
        return NameMatch::Unknown;
    }
    if user.keys.len() == 1 || account.keys.len() == 1 {
        return compare_single(user, account, roles, nick);
    }
    if user.tokens == account.tokens {
        return NameMatch::Same;
    }
    let (nu, na) = (
        user.keys.len().min(MAX_TOKENS),
        account.keys.len().min(MAX_TOKENS),
    );
    let mut u_used = [false; MAX_TOKENS];
    let mut a_used = [false; MAX_TOKENS];
    let mut worst: Option<Rel> = None;
    let (mut full, mut pairs) = (0usize, 0usize);
    let mut surname_full = roles.surname.is_empty();
    let mut given_hit = roles.given.is_empty();
    let is_surname = |t: &str| roles.surname.iter().any(|s| s == t);
    let is_given = |t: &str| roles.given.iter().any(|s| s == t);
    // Pair tokens, strongest relation first; each token pairs once.
    for pass in [Rel::Exact, Rel::Spelling, Rel::Nickname, Rel::Initial] {
        for (i, used) in u_used.iter_mut().enumerate().take(nu) {
            if *used {
                continue;
            }
            let u = tok(user, i);
            let Some(j) = (0..na).find(|&j| !a_used[j] && related(u, tok(account, j), nick, pass))
            else {
                continue;
            };
            *used = true;
            a_used[j] = true;
            pairs += 1;
            given_hit |= is_given(&account.tokens[j]);
            worst = Some(worst.map_or(pass, |w| w.max(pass)));
            if pass <= Rel::Spelling && !single_char(&account.tokens[j]) {
                full += 1;
                surname_full |= is_surname(&account.tokens[j]);
            }
        }
    }
    // A token on one side that is two unpaired tokens of the other written
    // together (Müllerschmidt and Müller-Schmidt).
    let mut glued = false;
    for user_side in [true, false] {
        let (one, other) = if user_side {
            (user, account)
        } else {
            (account, user)
        };
        let (n_one, n_other) = (
            one.keys.len().min(MAX_TOKENS),
            other.keys.len().min(MAX_TOKENS),
        );
        for i in 0..n_one {
            let (one_used, other_used) = if user_side {
                (&mut u_used, &mut a_used)
            } else {
                (&mut a_used, &mut u_used)
            };
            if one_used[i] {
                continue;
            }
            let free: Vec<bool> = (0..n_other).map(|j| !other_used[j]).collect();
            if let Some((x, y)) = run_together(&one.coarse[i], &other.tokens[..n_other], &free) {
                one_used[i] = true;
                other_used[x] = true;
                other_used[y] = true;
                glued = true;
                full += 1;
                pairs += 1;
                let (sur_a, sur_b) = if user_side {
                    (&other.tokens[x], &other.tokens[y])
                } else {
                    (&one.tokens[i], &one.tokens[i])
                };
                surname_full |= is_surname(sur_a) || is_surname(sur_b);
                given_hit |= is_given(sur_a) || is_given(sur_b);
            }
        }
    }
    let u_extra = (0..nu).filter(|&i| !u_used[i]).count();
    let a_extra = (0..na).filter(|&j| !a_used[j]).count();
    if pairs == 0 {
        return NameMatch::Different;
    }
    if u_extra > 0 && a_extra > 0 {
        return if full > 0 {
            NameMatch::Partial
        } else {
            NameMatch::Different
        };
    }
    if full == 0 {
        // Only initials and nicknames in common ("Bob S." and "Robert Smith").
        return if pairs >= 2 {
            NameMatch::Initials
        } else {
            NameMatch::Different
        };
    }
    if pairs < 2 && !glued || !surname_full || !given_hit {
        return NameMatch::Thin;
    }
    match worst {
        Some(Rel::Initial) => NameMatch::Initials,
        Some(Rel::Nickname) => NameMatch::Nickname,
        _ if glued => NameMatch::RunTogether,
        _ if u_extra > 0 || a_extra > 0 => NameMatch::MoreNames,
        Some(Rel::Spelling) => NameMatch::Spelling,
        _ => NameMatch::Same,
    }
}

/// [`compare`] when one side is a single token: a run-together name, an
/// initial run into a surname, or one name of the other side.
fn compare_single(
    user: &PersonName,
    account: &PersonName,
    roles: &Roles,
    nick: &Nicknames,
) -> NameMatch {
    // Roles describe the account's names, so they bind only when the
    // user's single token is split against them.
    let (one, other, roles) = if user.keys.len() == 1 {
        (tok(user, 0), account, roles)
    } else {
        (tok(account, 0), user, &Roles::NONE)
    };
    if other.keys.len() >= 2 {
        let free = vec![true; other.tokens.len()];
        if let Some((x, y)) = run_together(one.coarse, &other.tokens, &free)
            && fits(roles, &other.tokens[x], &other.tokens[y])
        {
            return NameMatch::RunTogether;
        }
        if initial_run_in(one.folded, &other.tokens, roles) {
            return NameMatch::Initials;
        }
        if let Some(m) = split_run_together(one.folded, other, roles, nick) {
            return m;
        }
    }
    let shared = (0..other.keys.len()).any(|j| {
        let t = tok(other, j);
        related(one, t, nick, Rel::Exact)
            || related(one, t, nick, Rel::Spelling)
            || related(one, t, nick, Rel::Nickname)
    });
    if shared {
        NameMatch::Thin
    } else {
        NameMatch::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(user: &str, account: &str) -> NameMatch {
        compare(
            &PersonName::parse(user),
            &PersonName::parse(account),
            &Roles::NONE,
            Nicknames::builtin(),
        )
    }

    #[test]
    fn names_agree_as_people_write_them() {
        let cases = [
            ("John Smith", "Smith, John", NameMatch::Same),
            ("JÖRG MÜLLER", "Jörg Müller", NameMatch::Same),
            ("Juergen Mueller", "Jürgen Müller", NameMatch::Spelling),
            ("Sergey Ivanov", "Sergei Ivanov", NameMatch::Spelling),
            ("Bob Smith", "Robert Smith", NameMatch::Nickname),
            ("Bill Jones", "William Jones", NameMatch::Nickname),
            ("Kate Moss", "Katherine Moss", NameMatch::Nickname),
            ("J. Smith", "John Smith", NameMatch::Initials),
            ("a.lindberg", "Anna Lindberg", NameMatch::Initials),
            ("jsmith", "John Smith", NameMatch::Initials),
            ("ingridsolberg", "Ingrid Solberg", NameMatch::RunTogether),
            ("katherinemurphy", "Katie Murphy", NameMatch::Nickname),
            ("robsmith", "Robert Smith", NameMatch::Nickname),
            ("María García", "María García López", NameMatch::MoreNames),
            ("John Michael Smith", "John Smith", NameMatch::MoreNames),
            (
                "Anna Müllerschmidt",
                "Anna Müller-Schmidt",
                NameMatch::RunTogether,
            ),
            ("Ingrid", "Ingrid Solberg", NameMatch::Thin),
            ("", "Ingrid Solberg", NameMatch::Unknown),
            ("Anna Berg", "Anna Lund", NameMatch::Partial),
            ("Michaela Smith", "Michael Smith", NameMatch::Partial),
            ("Tom Browne", "Tom Brown", NameMatch::Partial),
            ("Zed Q", "Anna Lund", NameMatch::Different),
            ("Robert Smith (Admin)", "Robert Smith", NameMatch::Same),
            (
                "anna.lindberg@outlook.com",
                "Anna Lindberg",
                NameMatch::Same,
            ),
            ("Dr. Anna Lindberg", "Anna Lindberg", NameMatch::Same),
        ];
        for (u, a, want) in cases {
            assert_eq!(cmp(u, a), want, "{u:?} vs {a:?}");
        }
    }

    #[test]
    fn given_name_and_surname_bind_the_comparison_when_the_directory_knows_them() {
        let nick = Nicknames::builtin();
        let p = PersonName::parse;
        let account = p("John Paul Jones");
        let roles = Roles::within(&p("John Paul"), &p("Jones"), &account);
        assert_eq!(
            compare(&p("John Paul"), &account, &roles, nick),
            NameMatch::Thin
        );
        assert_eq!(
            compare(&p("John Paul"), &account, &Roles::NONE, nick),
            NameMatch::MoreNames
        );
        assert_eq!(
            compare(&p("Paul Jones"), &account, &roles, nick),
            NameMatch::MoreNames
        );
        // The user's first name is the account's middle name.
        let account = p("Luca Robert Hoffmann");
        let roles = Roles::within(&p("Luca"), &p("Hoffmann"), &account);
        assert_eq!(
            compare(&p("Robert Hoffmann"), &account, &roles, nick),
            NameMatch::Thin
        );
        assert_eq!(
            compare(&p("L. Hoffmann"), &account, &roles, nick),
            NameMatch::Initials
        );
        // Roles the display name does not have are not applied to it.
        let account = p("Bob Smith");
        let roles = Roles::within(&p("Robert"), &p("Smith"), &account);
        assert!(roles.given.is_empty());
        assert_eq!(roles.surname, ["smith"]);
        assert_eq!(
            p("Anna Maria").joined(&p("García López")),
            PersonName::from_parts(Some("Anna Maria"), Some("García López"))
        );
    }
}
