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

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::domain::text::name_tokens_into;

/// The nickname table, compiled in (format and source in the file header).
const TABLE: &str = include_str!("../../../assets/nicknames.csv");

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

fn vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The spelling key of one folded name token (lowercase, accents folded):
/// two tokens with the same key are the same name spelled differently.
///
/// Rules, applied left to right on ASCII tokens (other scripts are kept as
/// they are): `ph`→f, `th`→t, `sch`→sh, `ck`→k, `ch` before r or l→k, `c`
/// before e/i/y→s and otherwise→k, `x`→ks, `y`→i, `w`→v, `j` before a
/// vowel (not first)→i, `ou`→u, `e` after a, o or u dropped (ue = ü), a final `h`
/// after a vowel dropped, and doubled letters written once. They cover the
/// common transliterations of German, Scandinavian, Slavic and Romance
/// names into English without joining names that are different (Michael
/// and Michaela, Brown and Browne keep different keys).
pub fn spelling_key(token: &str, out: &mut String) {
    out.clear();
    if !token.is_ascii() {
        out.push_str(token);
        return;
    }
    let s = token.as_bytes();
    let n = s.len();
    let mut last: u8 = 0;
    let mut put = |out: &mut String, c: u8| {
        if c != last {
            out.push(c as char);
            last = c;
        }
    };
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < n {
        let c = s[i];
        let next = at(i + 1);
        let prev = if i > 0 { s[i - 1] } else { 0 };
        match c {
            b'p' if next == b'h' => {
                put(out, b'f');
                i += 2;
                continue;
            }
            b't' if next == b'h' => {
                put(out, b't');
                i += 2;
                continue;
            }
            b's' if next == b'c' && at(i + 2) == b'h' => {
                put(out, b's');
                put(out, b'h');
                i += 3;
                continue;
            }
            b'c' if next == b'k' => {
                put(out, b'k');
                i += 2;
                continue;
            }
            b'c' if next == b'h' && matches!(at(i + 2), b'r' | b'l') => {
                put(out, b'k');
                i += 2;
                continue;
            }
            b'c' if next == b'h' => {
                put(out, b'c');
                put(out, b'h');
                i += 2;
                continue;
            }
            b'c' if matches!(next, b'e' | b'i' | b'y') => put(out, b's'),
            b'c' => put(out, b'k'),
            b'x' => {
                put(out, b'k');
                put(out, b's');
            }
            b'y' => put(out, b'i'),
            b'w' => put(out, b'v'),
            b'j' if i > 0 && vowel(next) => put(out, b'i'),
            b'o' if next == b'u' => {
                put(out, b'u');
                i += 2;
                continue;
            }
            b'e' if i > 0 && matches!(prev, b'a' | b'o' | b'u') => {}
            b'h' if i + 1 == n && i > 0 && vowel(prev) => {}
            _ => put(out, c),
        }
        i += 1;
    }
}

/// [`spelling_key`] into a new string.
pub fn spelling(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    spelling_key(token, &mut out);
    out
}

/// Given-name variants (`assets/nicknames.csv`), by spelling key.
#[derive(Debug)]
pub struct Nicknames {
    /// Spelling key of a name → the groups it belongs to.
    groups_of: HashMap<String, Vec<u16>>,
    /// Group → spelling keys of its names.
    members: Vec<Vec<String>>,
}

impl Nicknames {
    /// Parses a table in the format of `assets/nicknames.csv`.
    pub fn parse(text: &str) -> Self {
        let mut groups_of: HashMap<String, Vec<u16>> = HashMap::new();
        let mut members: Vec<Vec<String>> = Vec::new();
        let mut fold = String::new();
        let mut spans = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Ok(g) = u16::try_from(members.len()) else {
                break;
            };
            let mut keys: Vec<String> = Vec::new();
            for name in line.split(',') {
                name_tokens_into(name, &mut fold, &mut spans);
                // One token per name; a stray space would split it.
                let Some(&(a, b)) = spans.first() else {
                    continue;
                };
                let key = spelling(&fold[a..b]);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            for k in &keys {
                let list = groups_of.entry(k.clone()).or_default();
                if !list.contains(&g) {
                    list.push(g);
                }
            }
            members.push(keys);
        }
        Nicknames { groups_of, members }
    }

    /// The compiled-in table.
    pub fn builtin() -> &'static Nicknames {
        static TABLE_PARSED: OnceLock<Nicknames> = OnceLock::new();
        TABLE_PARSED.get_or_init(|| Nicknames::parse(TABLE))
    }

    /// Whether two spelling keys are variants of one given name.
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        match (self.groups_of.get(a), self.groups_of.get(b)) {
            (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
            _ => false,
        }
    }

    /// Every spelling key equivalent to `key` (itself excluded), each once.
    pub fn variants<'s>(&'s self, key: &str, out: &mut Vec<&'s str>) {
        out.clear();
        let Some(groups) = self.groups_of.get(key) else {
            return;
        };
        for &g in groups {
            for m in &self.members[g as usize] {
                if m != key && !out.contains(&m.as_str()) {
                    out.push(m);
                }
            }
        }
    }

    /// How many groups the table has.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

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
/// words or numbers, each with its spelling key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    /// Folded tokens, sorted.
    pub tokens: Vec<String>,
    /// Spelling keys, parallel to `tokens`.
    pub keys: Vec<String>,
}

impl PersonName {
    /// Parses a display name. A name that is an address ("anna@x.com")
    /// is read from its local part ("anna").
    pub fn parse(display: &str) -> Self {
        let display = match display.trim().split_once('@') {
            Some((local, _)) if !local.contains(' ') => local,
            _ => display,
        };
        let mut fold = String::new();
        let mut spans = Vec::new();
        name_tokens_into(display, &mut fold, &mut spans);
        let mut name = PersonName::default();
        for &(a, b) in &spans {
            let t = &fold[a..b];
            // Digits glued to a name ("jsmith2") are dropped, numbers alone too.
            let t = t.trim_end_matches(|c: char| c.is_ascii_digit());
            if t.is_empty() || t.chars().all(|c| c.is_ascii_digit()) || NOT_NAMES.contains(&t) {
                continue;
            }
            if name.tokens.iter().any(|x| x == t) {
                continue;
            }
            name.tokens.push(t.to_string());
        }
        name.tokens.sort();
        name.keys = name.tokens.iter().map(|t| spelling(t)).collect();
        name
    }

    /// The name from given name and surname (either may be missing).
    pub fn from_parts(given: Option<&str>, surname: Option<&str>) -> Self {
        let joined = format!("{} {}", given.unwrap_or(""), surname.unwrap_or(""));
        PersonName::parse(&joined)
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

fn related(u: &str, uk: &str, a: &str, ak: &str, nick: &Nicknames, pass: Rel) -> bool {
    match pass {
        Rel::Exact => u == a,
        Rel::Spelling => uk == ak,
        Rel::Nickname => nick.equivalent(uk, ak),
        Rel::Initial => {
            (single_char(u) && !single_char(a) && a.starts_with(u))
                || (single_char(a) && !single_char(u) && u.starts_with(a))
        }
    }
}

/// The two of `parts` (by position, from those `free`) that written
/// together, in either order, have the spelling key `whole`.
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
            spelling_key(&buf, &mut key);
            if key == whole {
                return Some((i, j));
            }
        }
    }
    None
}

/// Whether `whole` is an initial followed by one of `parts` ("jsmith"),
/// the initial being another part's first letter.
fn initial_run_in(whole: &str, parts: &[String]) -> bool {
    let Some(first) = whole.chars().next() else {
        return false;
    };
    let rest = &whole[first.len_utf8()..];
    parts.iter().enumerate().any(|(i, p)| {
        p == rest
            && parts
                .iter()
                .enumerate()
                .any(|(j, q)| j != i && q.starts_with(first))
    })
}

/// At most this many tokens per name are compared (longer names are rare
/// and the rest is ignored).
const MAX_TOKENS: usize = 8;

/// Compares a user's name with an account's name.
///
/// `surname`: the account's surname tokens when the directory has them;
/// then the surname must be among the names that agree in full (not by an
/// initial or nickname), so "John Paul" does not agree with given name
/// "John Paul", surname "Jones".
pub fn compare(
    user: &PersonName,
    account: &PersonName,
    surname: &[String],
    nick: &Nicknames,
) -> NameMatch {
    if user.is_empty() || account.is_empty() {
        return NameMatch::Unknown;
    }
    if user.keys.len() == 1 || account.keys.len() == 1 {
        return compare_single(user, account, nick);
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
    let mut surname_full = surname.is_empty();
    let is_surname = |t: &str| surname.iter().any(|s| s == t);
    // Pair tokens, strongest relation first; each token pairs once.
    for pass in [Rel::Exact, Rel::Spelling, Rel::Nickname, Rel::Initial] {
        for (i, used) in u_used.iter_mut().enumerate().take(nu) {
            if *used {
                continue;
            }
            let (u, uk) = (&user.tokens[i], &user.keys[i]);
            let Some(j) = (0..na).find(|&j| {
                !a_used[j] && related(u, uk, &account.tokens[j], &account.keys[j], nick, pass)
            }) else {
                continue;
            };
            *used = true;
            a_used[j] = true;
            pairs += 1;
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
            if let Some((x, y)) = run_together(&one.keys[i], &other.tokens[..n_other], &free) {
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
    if pairs < 2 && !glued || !surname_full {
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
fn compare_single(user: &PersonName, account: &PersonName, nick: &Nicknames) -> NameMatch {
    let (one_key, one_token, other) = if user.keys.len() == 1 {
        (&user.keys[0], &user.tokens[0], account)
    } else {
        (&account.keys[0], &account.tokens[0], user)
    };
    if other.keys.len() >= 2 {
        let free = vec![true; other.tokens.len()];
        if run_together(one_key, &other.tokens, &free).is_some() {
            return NameMatch::RunTogether;
        }
        if initial_run_in(one_token, &other.tokens) {
            return NameMatch::Initials;
        }
    }
    let shared = other
        .keys
        .iter()
        .any(|k| k == one_key || nick.equivalent(k, one_key));
    if shared {
        NameMatch::Thin
    } else {
        NameMatch::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        spelling(s)
    }

    fn cmp(user: &str, account: &str) -> NameMatch {
        compare(
            &PersonName::parse(user),
            &PersonName::parse(account),
            &[],
            Nicknames::builtin(),
        )
    }

    #[test]
    fn spelling_keys_join_transliterations_and_keep_near_namesakes_apart() {
        for (a, b) in [
            ("mueller", "muller"),
            ("sergey", "sergei"),
            ("aleksander", "alexander"),
            ("katharina", "katarina"),
            ("phillip", "philip"),
            ("tatjana", "tatiana"),
            ("dmitriy", "dmitri"),
            ("carl", "karl"),
            ("frederick", "frederik"),
            ("sarah", "sara"),
            ("johansson", "johanson"),
            ("meyer", "meier"),
            ("christian", "kristian"),
            ("schmidt", "shmidt"),
            ("wladimir", "vladimir"),
        ] {
            assert_eq!(key(a), key(b), "{a} {b}");
        }
        for (a, b) in [
            ("michael", "michaela"),
            ("brown", "browne"),
            ("daniel", "daniela"),
            ("christina", "christine"),
            ("jan", "ian"),
            ("lee", "li"),
            ("chen", "ken"),
            ("paul", "paula"),
            ("schmidt", "schmitt"),
        ] {
            assert_ne!(key(a), key(b), "{a} {b}");
        }
        // Other scripts are kept as they are.
        assert_eq!(key("李雷"), "李雷");
    }

    #[test]
    fn the_table_parses_and_names_its_variants() {
        let t = Nicknames::builtin();
        assert!(t.len() > 200, "{}", t.len());
        assert!(t.equivalent(&key("bob"), &key("robert")));
        assert!(t.equivalent(&key("bill"), &key("william")));
        assert!(t.equivalent(&key("kate"), &key("katherine")));
        assert!(t.equivalent(&key("mike"), &key("michael")));
        assert!(!t.equivalent(&key("michael"), &key("michaela")));
        assert!(!t.equivalent(&key("alexander"), &key("alexandra")));
        assert!(t.equivalent(&key("alex"), &key("alexandra")));
        let mut v = Vec::new();
        t.variants(&key("bob"), &mut v);
        assert!(v.contains(&key("robert").as_str()), "{v:?}");
        assert!(!v.contains(&key("bob").as_str()));
        t.variants("zzz", &mut v);
        assert!(v.is_empty());
        let small = Nicknames::parse("# comment\n\nrobert, Bob ,ROB\n");
        assert_eq!(small.len(), 1);
        assert!(small.equivalent("bob", "rob"));
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
    fn the_surname_must_agree_in_full_when_the_directory_knows_it() {
        let nick = Nicknames::builtin();
        let account = PersonName::parse("John Paul Jones");
        let surname = vec!["jones".to_string()];
        let user = PersonName::parse("John Paul");
        assert_eq!(compare(&user, &account, &surname, nick), NameMatch::Thin);
        assert_eq!(compare(&user, &account, &[], nick), NameMatch::MoreNames);
        let user = PersonName::parse("Paul Jones");
        assert_eq!(
            compare(&user, &account, &surname, nick),
            NameMatch::MoreNames
        );
    }

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
