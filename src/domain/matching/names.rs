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

/// The transliteration rules shared by both keys, on ASCII bytes: `y` at an
/// end or next to a vowel→i (Sergey, Yuri, Tatyana; Smyth keeps its y),
/// `j` before a vowel except first→i (Tatjana, Natalja; Jan keeps its j),
/// `x`→ks (Aleksandr), and `ii`→i (Dmitriy, Dmitrii). `drop_e`: also drop an
/// `e` after a, o or u (the ue of ü written out) and write doubled letters
/// once; only the coarse key does this.
fn transliterate(s: &[u8], drop_e: bool, out: &mut String) {
    transliterate_into(s, drop_e, |c| out.push(c as char));
}

/// [`transliterate`] into any byte sink (the index hashes the bytes as they
/// come, without building the key).
fn transliterate_into(s: &[u8], drop_e: bool, mut sink: impl FnMut(u8)) {
    let n = s.len();
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut last: u8 = 0;
    let mut put = |c: u8| {
        let double = c == last && (drop_e || c == b'i');
        if !double {
            sink(c);
        }
        last = c;
    };
    for i in 0..n {
        let (c, next) = (s[i], at(i + 1));
        let prev = if i > 0 { s[i - 1] } else { 0 };
        match c {
            b'y' if i == 0 || i + 1 == n || vowel(prev) || vowel(next) => put(b'i'),
            b'j' if i > 0 && vowel(next) => put(b'i'),
            b'x' => {
                put(b'k');
                put(b's');
            }
            b'e' if drop_e && matches!(prev, b'a' | b'o' | b'u') => {}
            _ => put(c),
        }
    }
}

/// The coarse key of one folded token (lowercase, accents dropped), for
/// finding candidates: it joins every pair of spellings [`spelling_key`]
/// joins, and more (Larsson and Larson, Michael and Michal), which the
/// comparison then tells apart. Other scripts are kept as they are.
pub fn coarse_key(folded: &str, out: &mut String) {
    out.clear();
    if folded.is_ascii() {
        transliterate(folded.as_bytes(), true, out);
    } else {
        out.push_str(folded);
    }
}

/// Feeds the bytes of [`coarse_key`]`(folded)` to `sink`, without building
/// the key (for hashing it).
pub fn coarse_bytes(folded: &str, mut sink: impl FnMut(u8)) {
    if folded.is_ascii() {
        transliterate_into(folded.as_bytes(), true, sink);
    } else {
        folded.bytes().for_each(&mut sink);
    }
}

/// [`coarse_key`] into a new string.
pub fn coarse(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    coarse_key(folded, &mut out);
    out
}

/// The spelling key of one lowercase token, accents still on: two tokens
/// with the same key are one person's name as different systems write it.
///
/// German and Scandinavian letters are written out (ä, æ→ae; ö, ø, œ→oe;
/// ü→ue; å→aa; ß→ss), so Müller = Mueller and Åberg = Aaberg (Muller is
/// Müller with the accents dropped, which folding already joins); other
/// accents are dropped; then the transliteration variants of Slavic names
/// are joined (Sergey = Sergei, Tatjana = Tatiana, Dmitriy = Dmitri,
/// Aleksander = Alexander). Names that are different but look alike keep
/// different keys: Larsson and Larson, Carl and Karl, Michael and Michaela,
/// Smith and Smyth.
pub fn spelling_key(token: &str, out: &mut String) {
    out.clear();
    if token
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        transliterate(token.as_bytes(), false, out);
        return;
    }
    let mut expanded = String::with_capacity(token.len() + 4);
    for c in token.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'æ' => expanded.push_str("ae"),
            'ö' | 'ø' | 'œ' => expanded.push_str("oe"),
            'ü' => expanded.push_str("ue"),
            'å' => expanded.push_str("aa"),
            _ => expanded.push(c),
        }
    }
    let expanded = crate::domain::text::fold_accents(&expanded);
    if expanded.is_ascii() {
        transliterate(expanded.as_bytes(), false, out);
    } else {
        out.push_str(&expanded);
    }
}

/// [`spelling_key`] into a new string.
pub fn spelling(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    spelling_key(token, &mut out);
    out
}

/// Given-name variants (`assets/nicknames.csv`), by coarse key.
#[derive(Debug)]
pub struct Nicknames {
    /// Coarse key of a name → the groups it belongs to.
    groups_of: HashMap<String, Vec<u16>>,
    /// Group → coarse keys of its names.
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
                let key = coarse(&fold[a..b]);
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

    /// Whether two coarse keys are variants of one given name.
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        match (self.groups_of.get(a), self.groups_of.get(b)) {
            (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
            _ => false,
        }
    }

    /// Every coarse key equivalent to `key` (itself excluded), each once.
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

    fn key(s: &str) -> String {
        spelling(s)
    }

    fn cmp(user: &str, account: &str) -> NameMatch {
        compare(
            &PersonName::parse(user),
            &PersonName::parse(account),
            &Roles::NONE,
            Nicknames::builtin(),
        )
    }

    #[test]
    fn spelling_keys_join_one_person_s_spellings_and_keep_other_names_apart() {
        for (a, b) in [
            ("müller", "mueller"),
            ("jürgen", "juergen"),
            ("åberg", "aaberg"),
            ("søren", "soeren"),
            ("sergey", "sergei"),
            ("aleksander", "alexander"),
            ("tatjana", "tatiana"),
            ("tatyana", "tatiana"),
            ("natalja", "natalia"),
            ("dmitriy", "dmitri"),
            ("dmitrii", "dmitri"),
            ("meyer", "meier"),
            ("josé", "jose"),
        ] {
            assert_eq!(key(a), key(b), "{a} {b}");
        }
        for (a, b) in [
            ("michael", "michaela"),
            ("michael", "michal"),
            ("brown", "browne"),
            ("daniel", "daniela"),
            ("christina", "christine"),
            ("jan", "ian"),
            ("lee", "li"),
            ("paul", "paula"),
            ("schmidt", "schmitt"),
            ("smith", "smyth"),
            ("larsson", "larson"),
            ("carl", "karl"),
            ("muller", "mueller"),
        ] {
            assert_ne!(key(a), key(b), "{a} {b}");
        }
        // Other scripts are kept as they are.
        assert_eq!(key("李雷"), "李雷");
        // The coarse key joins more (candidates are compared afterwards).
        for (a, b) in [
            ("mueller", "muller"),
            ("larsson", "larson"),
            ("michael", "michal"),
        ] {
            assert_eq!(coarse(a), coarse(b), "{a} {b}");
        }
        assert_ne!(coarse("michael"), coarse("michaela"));
    }

    #[test]
    fn the_table_parses_and_names_its_variants() {
        let t = Nicknames::builtin();
        assert!(t.len() > 200, "{}", t.len());
        let c = coarse;
        assert!(t.equivalent(&c("bob"), &c("robert")));
        assert!(t.equivalent(&c("bill"), &c("william")));
        assert!(t.equivalent(&c("kate"), &c("katherine")));
        assert!(t.equivalent(&c("mike"), &c("michael")));
        assert!(!t.equivalent(&c("michael"), &c("michaela")));
        assert!(!t.equivalent(&c("alexander"), &c("alexandra")));
        assert!(t.equivalent(&c("alex"), &c("alexandra")));
        let mut v = Vec::new();
        t.variants(&c("bob"), &mut v);
        assert!(v.contains(&c("robert").as_str()), "{v:?}");
        assert!(!v.contains(&c("bob").as_str()));
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
