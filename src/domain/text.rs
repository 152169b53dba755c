//! Text normalisation shared by validation, checks and matching.
//!
//! Azure DevOps maps identities by comparing sign-in names, and Entra stores
//! the same address in several places (UPN, `mail`, `otherMails`,
//! `proxyAddresses`). Every comparison in this crate goes through the helpers
//! here so that "Alice@Contoso.com " and "alice@contoso.com" are one key, and
//! "Doe, John" and "JOHN DOE" are one name.
//!
//! Accent folding is a small hand-written table of common Latin letters plus
//! dropping combining marks (U+0300..U+036F); it is not full Unicode
//! normalisation, which would need a dependency.

/// `s` without surrounding whitespace, as [`str::trim`] but without walking
/// the string when both ends are visible ASCII (nearly every address): the
/// lookup paths trim millions of keys.
pub fn trim_fast(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Lookup key for an address or sign-in name: trimmed and lowercased.
///
/// Performs no validation; use [`crate::domain::validate::normalize_email`]
/// when the input must be a well-formed address.
pub fn normalize_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The address inside a `proxyAddresses` entry.
///
/// Entra writes these as `SMTP:primary@x` and `smtp:alias@x`; the prefix is
/// matched in any case. Entries of other kinds (`X500:`, `SIP:`) are not mail
/// addresses and give `None`. An entry without any prefix is returned as is.
pub fn proxy_smtp_address(entry: &str) -> Option<&str> {
    let entry = trim_fast(entry);
    let colon = entry.bytes().position(|b| b == b':');
    match colon.map(|i| (&entry[..i], &entry[i + 1..])) {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case("smtp") => {
            let rest = trim_fast(rest);
            (!rest.is_empty()).then_some(rest)
        }
        Some(_) => None,
        None => (!entry.is_empty()).then_some(entry),
    }
}

/// Splits an address at its last `@` into local part and domain.
///
/// Returns `None` when there is no `@` or either side is empty.
pub fn split_email(s: &str) -> Option<(&str, &str)> {
    let (local, domain) = s.rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty()).then_some((local, domain))
}

/// Whether a UPN is the rewritten UPN of an invited guest
/// (`alice_outlook.com#EXT#@contoso.onmicrosoft.com`).
///
/// Such a UPN is never the guest's sign-in address, so it must not be treated
/// as equal to `alice@outlook.com` when predicting UPN mapping (the lockout in the Microsoft Q&A thread "Azure DevOps organization became inaccessible immediately after connecting").
pub fn is_guest_ext_upn(upn: &str) -> bool {
    upn.as_bytes()
        .windows(5)
        .any(|w| w.eq_ignore_ascii_case(b"#ext#"))
}

/// The address a guest signed up with, from their `…#EXT#@tenant` UPN
/// (`ann_outlook.com#EXT#@contoso.onmicrosoft.com` → `ann@outlook.com`):
/// Entra writes the address with its `@` turned into the last `_`.
pub fn guest_home_address(upn: &str) -> Option<String> {
    let lower = upn.trim().to_ascii_lowercase();
    let at = lower.find("#ext#")?;
    let local = &lower[..at];
    let cut = local.rfind('_')?;
    let (name, domain) = (&local[..cut], &local[cut + 1..]);
    (!name.is_empty() && domain.contains('.')).then(|| format!("{name}@{domain}"))
}

/// ASCII replacement for a common accented Latin letter (already lowercase).
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Lowercases and folds accents: `"Zoë ÉLAN"` becomes `"zoe elan"`.
///
/// Combining marks are dropped, so decomposed input folds the same way as
/// precomposed input.
pub fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        match fold_char(c) {
            Some(rep) => out.push_str(rep),
            None => out.push(c),
        }
    }
    out
}

/// Normalised, sorted tokens of a person's name.
///
/// Case and accents are folded, apostrophes are removed (`O'Brien` is
/// `obrien`), any other non-alphanumeric character separates tokens, and the
/// tokens are sorted so that given/family order does not matter:
/// `"Doe, John"`, `"John Doe"` and `"JOHN DOE"` all give `["doe", "john"]`.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut spans = Vec::new();
    name_tokens_into(name, &mut buf, &mut spans);
    spans.iter().map(|&(a, b)| buf[a..b].to_string()).collect()
}

/// [`name_tokens`] without allocating per token: the folded name goes into
/// `buf` and each token is a byte range of it, sorted by the token's text.
/// Both are cleared first, so one pair of buffers serves many names.
pub fn name_tokens_into(name: &str, buf: &mut String, spans: &mut Vec<(usize, usize)>) {
    buf.clear();
    spans.clear();
    if name.is_ascii() {
        // Nearly every name: no case mapping beyond ASCII, nothing to fold
        // (the same result as the general path below, byte by byte).
        let mut start: Option<usize> = None;
        for &b in name.as_bytes() {
            if b == b'\'' {
                continue;
            }
            if b.is_ascii_alphanumeric() {
                if start.is_none() {
                    start = Some(buf.len());
                }
                buf.push(b.to_ascii_lowercase() as char);
            } else if let Some(s) = start.take() {
                spans.push((s, buf.len()));
            }
        }
        if let Some(s) = start {
            spans.push((s, buf.len()));
        }
        spans.sort_unstable_by(|a, b| buf[a.0..a.1].cmp(&buf[b.0..b.1]));
        return;
    }
    let mut start: Option<usize> = None;
    for c in name.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) || c == '\'' || c == '\u{2019}' {
            continue;
        }
        let piece = fold_char(c);
        let alnum = match piece {
            Some(_) => true,
            None => c.is_alphanumeric(),
        };
        if alnum {
            if start.is_none() {
                start = Some(buf.len());
            }
            match piece {
                Some(rep) => buf.push_str(rep),
                None => buf.push(c),
            }
        } else if let Some(s) = start.take() {
            spans.push((s, buf.len()));
        }
    }
    if let Some(s) = start {
        spans.push((s, buf.len()));
    }
    spans.sort_by(|a, b| buf[a.0..a.1].cmp(&buf[b.0..b.1]));
}

/// The order-insensitive comparison key of a name: its [`name_tokens`]
/// joined by single spaces. Empty when the name has no letters or digits.
pub fn name_key(name: &str) -> String {
    let mut buf = String::new();
    let mut spans = Vec::new();
    name_tokens_into(name, &mut buf, &mut spans);
    let mut key = String::with_capacity(buf.len() + spans.len());
    push_name_key(&buf, &spans, &mut key);
    key
}

/// Appends to `out` the name key of the tokens [`name_tokens_into`] left in
/// `buf` and `spans`: each token, in order, separated by single spaces.
pub fn push_name_key(buf: &str, spans: &[(usize, usize)], out: &mut String) {
    for (i, &(a, b)) in spans.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&buf[a..b]);
    }
}

/// `n` and the noun that agrees with it: `plural(1, "warning", "warnings")`
/// is "1 warning", `plural(0, …)` "0 warnings".
pub fn plural<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// Whether `c` must not reach a terminal or a Markdown file as itself:
/// C0 and C1 controls (ESC, BEL, CR, …), DEL, and the bidirectional
/// controls that reorder what follows them on screen (U+202A–U+202E
/// embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F marks,
/// U+061C), the "Trojan Source" characters of CVE-2021-42574.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// The one sanitiser of text from servers (display names, UPNs, organization
/// names, error messages) before it is printed or written as Markdown: each
/// character of [`is_unsafe_char`] becomes U+FFFD `�`, visible, one column
/// wide, so a name that carried an escape sequence or a bidirectional
/// override shows that it did, and layouts keep their widths. A tab becomes
/// a space. Borrowed when there is nothing to change (nearly always).
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if is_unsafe_char(c) => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

/// [`printable`] for text of several lines (a message, a report): line
/// breaks are kept (a `\r\n` is one), everything else goes through
/// [`printable`].
pub fn printable_lines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let lines: Vec<std::borrow::Cow<'_, str>> = s
        .split('\n')
        .map(|l| printable(l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_upns_give_back_the_home_address() {
        assert_eq!(
            guest_home_address("Alice_Outlook.com#EXT#@contoso.onmicrosoft.com").as_deref(),
            Some("alice@outlook.com")
        );
        assert_eq!(
            guest_home_address("mary_ann_x.co.uk#EXT#@t.onmicrosoft.com").as_deref(),
            Some("mary_ann@x.co.uk")
        );
        assert_eq!(guest_home_address("ann@contoso.com"), None);
        assert_eq!(guest_home_address("nounderscore#EXT#@t.com"), None);
    }

    #[test]
    fn accents_fold_to_ascii() {
        let table = [
            ("Zoë", "zoe"),
            ("ÉLODIE", "elodie"),
            ("Łukasz Żółć", "lukasz zolc"),
            ("Søren Ærø", "soren aero"),
            ("Straße", "strasse"),
            ("Ștefan Țurcan", "stefan turcan"),
            ("Jose\u{301}", "jose"),
            ("plain", "plain"),
            ("李雷", "李雷"),
        ];
        for (input, want) in table {
            assert_eq!(fold_accents(input), want, "input {input:?}");
        }
    }

    #[test]
    fn name_keys_ignore_order_case_accents_and_punctuation() {
        let same = [
            "Doe, John",
            "John Doe",
            "JOHN DOE",
            "  john   doe ",
            "Jöhn Doe.",
        ];
        for n in same {
            assert_eq!(name_key(n), "doe john", "input {n:?}");
        }
        assert_eq!(name_key("Seán O'Brien"), "obrien sean");
        assert_eq!(name_key("Mary-Jane Watson"), "jane mary watson");
        assert_eq!(name_key("---"), "");
        assert_eq!(name_key(""), "");
    }

    #[test]
    fn the_ascii_path_tokenises_as_the_general_path_does() {
        // The general path, forced by a non-ASCII character that folds to
        // nothing it could be confused with ("\u{301}" is dropped).
        let general = |s: &str| name_tokens(&format!("{s} \u{301}"));
        let mut rng = crate::domain::matching::bench_support::XorShift::new(9);
        let alphabet = b"aZq' -.,_09Mx";
        for _ in 0..2_000 {
            let len = rng.below(14);
            let s: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())] as char)
                .collect();
            assert_eq!(name_tokens(&s), general(&s), "{s:?}");
        }
        assert_eq!(name_tokens("O'Brien, SEÁN"), ["obrien", "sean"]);
        assert_eq!(name_tokens("O'Brien, SEAN"), ["obrien", "sean"]);
    }

    #[test]
    fn fast_trim_is_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "a b",
            "\u{a0}a",
            "a\u{2003}",
            "é",
            " é\t",
            "\ta",
        ] {
            assert_eq!(trim_fast(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn proxy_addresses_strip_smtp_prefix_in_any_case() {
        assert_eq!(proxy_smtp_address("SMTP:a@x.com"), Some("a@x.com"));
        assert_eq!(proxy_smtp_address("smtp:b@x.com"), Some("b@x.com"));
        assert_eq!(proxy_smtp_address("Smtp: c@x.com "), Some("c@x.com"));
        assert_eq!(proxy_smtp_address("X500:/o=Org/cn=a"), None);
        assert_eq!(proxy_smtp_address("sip:a@x.com"), None);
        assert_eq!(proxy_smtp_address("d@x.com"), Some("d@x.com"));
        assert_eq!(proxy_smtp_address("smtp:"), None);
        assert_eq!(proxy_smtp_address(""), None);
    }

    #[test]
    fn email_split_and_guest_detection() {
        assert_eq!(split_email("a@b.com"), Some(("a", "b.com")));
        assert_eq!(split_email("a@b@c.com"), Some(("a@b", "c.com")));
        assert_eq!(split_email("@b.com"), None);
        assert_eq!(split_email("a@"), None);
        assert_eq!(split_email("nope"), None);
        assert!(is_guest_ext_upn(
            "alice_outlook.com#EXT#@contoso.onmicrosoft.com"
        ));
        assert!(is_guest_ext_upn(
            "alice_outlook.com#ext#@contoso.onmicrosoft.com"
        ));
        assert!(!is_guest_ext_upn("alice@outlook.com"));
        assert_eq!(normalize_key("  Alice@Contoso.COM "), "alice@contoso.com");
    }

    #[test]
    fn printable_neutralises_controls_and_bidi_overrides() {
        let hostile = "Mal\u{1b}]0;pwned\u{7}lory \u{202e}gnp.exe\u{1b}[2J\r";
        let p = printable(hostile);
        assert_eq!(
            p,
            "Mal\u{fffd}]0;pwned\u{fffd}lory \u{fffd}gnp.exe\u{fffd}[2J\u{fffd}"
        );
        for c in [
            '\u{0}', '\u{7}', '\u{1b}', '\n', '\u{7f}', '\u{85}', '\u{9b}', '\u{202a}', '\u{202d}',
            '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}',
        ] {
            assert_eq!(printable(&format!("a{c}b")), "a\u{fffd}b", "{:?}", c);
        }
        assert_eq!(printable("a\tb"), "a b");
        for ok in ["Zoë Quinn", "李雷", "مريم", "plain", "", "a\u{200d}b"] {
            assert!(
                matches!(printable(ok), std::borrow::Cow::Borrowed(_)),
                "{ok}"
            );
        }
        assert_eq!(
            printable_lines("one \u{1b}[31m\r\ntwo\u{7}\nthree"),
            "one \u{fffd}[31m\ntwo\u{fffd}\nthree"
        );
        assert!(matches!(
            printable_lines("a\nb"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
