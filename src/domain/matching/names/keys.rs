//! The keys names are compared and looked up by: the spelling key (one
//! person's name as different systems write it), the coarse key (for
//! finding candidates), and the nickname table, compiled in from
//! `assets/nicknames.csv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::text::name_tokens_into;

/// The nickname table, compiled in (format and source in the file header).
const TABLE: &str = include_str!("../../../../assets/nicknames.csv");

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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        spelling(s)
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
}
