//! The troubleshooting knowledge base: error code or message -> cause -> fix.
//!
//! The entries live in `assets/knowledge-base.json` (compiled in), so support
//! knowledge can be corrected without touching code. Every error the wizard or
//! the CLI shows is matched against it, and `ado-entra explain` prints entries.
//!
//! Matching is deliberately simple and predictable: an entry id typed as-is wins;
//! otherwise an error code (`TF400813`, `AADSTS50076`) found as a whole token
//! outranks any phrase, and longer phrases outrank shorter ones.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const KB_JSON: &str = include_str!("../../assets/knowledge-base.json");

/// One problem admins meet, with what causes it and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable id (`ado-entra explain ID`).
    pub id: String,
    /// One-line summary.
    pub title: String,
    /// Error codes that identify the problem (matched as whole tokens).
    pub codes: Vec<String>,
    /// Lower-case phrases from the real messages.
    pub phrases: Vec<String>,
    /// Real message texts; tests check each one resolves to this entry.
    pub examples: Vec<String>,
    /// Why it happens.
    pub cause: String,
    /// What to do, in order.
    pub fix: Vec<String>,
    /// Where the knowledge comes from (seed, doc page, issue).
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbFile {
    version: u32,
    entries: Vec<Entry>,
}

/// The parsed knowledge base.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
}

/// Why a knowledge base file was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KbError {
    /// The document is not valid JSON.
    #[error("knowledge base is not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// An unknown format version.
    #[error("knowledge base version {0} is not supported (expected 1)")]
    Version(u32),
    /// One entry breaks a rule.
    #[error("knowledge base entry #{index} ('{id}'): {problem}")]
    Entry {
        /// 0-based position in `entries`.
        index: usize,
        /// The entry's id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

/// A knowledge base entry that matched, with how strongly.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    /// The entry.
    pub entry: &'a Entry,
    /// Higher is better; an exact id scores highest, then codes, then phrases.
    pub score: u32,
    /// What in the text matched (a code or a phrase).
    pub matched: String,
}

impl KnowledgeBase {
    /// The built-in knowledge base.
    pub fn builtin() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(|| {
            KnowledgeBase::parse(KB_JSON).expect("assets/knowledge-base.json is checked by tests")
        })
    }

    /// Parse and validate a knowledge base document.
    pub fn parse(json: &str) -> Result<Self, KbError> {
        let file: KbFile = serde_json::from_str(json).map_err(|e| KbError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if file.version != 1 {
            return Err(KbError::Version(file.version));
        }
        let mut seen = std::collections::HashSet::new();
        for (index, e) in file.entries.iter().enumerate() {
            let bad = |problem: &str| KbError::Entry {
                index,
                id: e.id.clone(),
                problem: problem.to_string(),
            };
            if e.id.trim().is_empty() || e.id.contains(char::is_whitespace) {
                return Err(bad("id must be non-empty and contain no spaces"));
            }
            if !seen.insert(e.id.to_ascii_lowercase()) {
                return Err(bad("duplicate id"));
            }
            if e.title.trim().is_empty() || e.cause.trim().is_empty() {
                return Err(bad("title and cause must not be empty"));
            }
            if e.fix.is_empty() {
                return Err(bad("needs at least one fix step"));
            }
            if e.codes.is_empty() && e.phrases.is_empty() {
                return Err(bad("needs at least one code or phrase to match on"));
            }
            if e.phrases
                .iter()
                .any(|p| p.trim().is_empty() || *p != p.to_lowercase())
            {
                return Err(bad("phrases must be non-empty and lower-case"));
            }
        }
        Ok(Self {
            entries: file.entries,
        })
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Look an entry up by id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Entry> {
        let id = id.trim();
        self.entries.iter().find(|e| e.id.eq_ignore_ascii_case(id))
    }

    /// All entries that match `text`, best first.
    pub fn lookup(&self, text: &str) -> Vec<Match<'_>> {
        if let Some(e) = self.get(text) {
            return vec![Match {
                entry: e,
                score: u32::MAX,
                matched: e.id.clone(),
            }];
        }
        let norm = normalize(text);
        let mut out: Vec<Match<'_>> = self
            .entries
            .iter()
            .filter_map(|e| {
                score(e, &norm).map(|(score, matched)| Match {
                    entry: e,
                    score,
                    matched,
                })
            })
            .collect();
        // Stable: equal scores keep knowledge-base order.
        out.sort_by_key(|m| std::cmp::Reverse(m.score));
        out
    }

    /// The single best entry for `text`, if any.
    pub fn best(&self, text: &str) -> Option<&Entry> {
        self.lookup(text).first().map(|m| m.entry)
    }

    /// Render every entry as the troubleshooting guide (docs/troubleshooting.md).
    pub fn to_markdown(&self) -> String {
        let mut md = String::from(
            "# Troubleshooting\n\n\
             <!-- Generated from assets/knowledge-base.json by `ado-entra explain --markdown`; \
             a test keeps the two in step. Edit the JSON, then regenerate. -->\n\n\
             Paste any error text or code into `ado-entra explain \"...\"` to get the matching entry. \
             The wizard and the CLI match every error they show against these entries.\n\n",
        );
        for e in &self.entries {
            md.push_str(&format!("## {}\n\n", e.title));
            md.push_str(&format!("Id: `{}`", e.id));
            if !e.codes.is_empty() {
                md.push_str(&format!(" · codes: {}", e.codes.join(", ")));
            }
            md.push_str("\n\n");
            if let Some(ex) = e.examples.first() {
                md.push_str(&format!("> {ex}\n\n"));
            }
            md.push_str(&format!("**Cause.** {}\n\n**Fix.**\n\n", e.cause));
            for (i, step) in e.fix.iter().enumerate() {
                md.push_str(&format!("{}. {}\n", i + 1, step));
            }
            md.push_str(&format!("\nSource: {}\n\n", e.source));
        }
        md
    }
}

/// Lower-case, straight quotes, single spaces.
fn normalize(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn score(entry: &Entry, norm: &str) -> Option<(u32, String)> {
    let mut best: Option<(u32, String)> = None;
    let mut bump = |s: u32, m: &str| {
        if best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, m.to_string()));
        }
    };
    for code in &entry.codes {
        if contains_token(norm, &code.to_lowercase()) {
            bump(1000 + code.len() as u32, code);
        }
    }
    let mut phrase_hits = 0u32;
    for p in &entry.phrases {
        if norm.contains(p.as_str()) {
            phrase_hits += 1;
            bump(100 + p.len() as u32, p);
        }
    }
    // Several phrases of one entry agreeing make it more likely.
    best.map(|(s, m)| (s + phrase_hits.saturating_sub(1) * 5, m))
}

/// `needle` occurs in `hay` not glued to other letters or digits.
fn contains_token(hay: &str, needle: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = hay[..start].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = hay[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            return true;
        }
        from = start + needle.len().max(1);
        if from >= hay.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        KnowledgeBase::builtin()
    }

    #[test]
    fn builtin_parses_and_covers_the_required_problems() {
        let kb = KnowledgeBase::parse(KB_JSON).unwrap();
        for id in [
            "TF400813",
            "TF401444",
            "VS800075",
            "sign-in-page",
            "only-active-members",
            "lockout-after-connect",
            "AADSTS7000215",
            "AADSTS7000222",
            "AADSTS700016",
            "AADSTS7000112",
            "AADSTS50076",
            "code-read-missing",
            "connector-token",
            "connector-org-missing",
            "connector-duplicate",
            "pat-creation-restricted",
            "global-pat-retirement",
            "guest-permission-directory",
            "cannot-register-apps",
            "contributor-role",
            "subscription-not-listed",
            "AuthorizationFailed",
            "resource-not-authorized",
            "jwt-service-principal",
            "delete-service-connection",
            "AADSTS70021",
            "AADSTS700211",
            "AADSTS700213",
            "managed-identity-hosted-agent",
            "gcm-pat-policy",
            "conditional-access",
        ] {
            assert!(kb.get(id).is_some(), "missing entry {id}");
        }
    }

    #[test]
    fn every_example_resolves_to_its_own_entry() {
        for e in kb().entries() {
            assert!(!e.examples.is_empty(), "{} has no example", e.id);
            for ex in &e.examples {
                let best = kb().best(ex).map(|b| b.id.as_str());
                assert_eq!(best, Some(e.id.as_str()), "example {ex:?}");
            }
        }
    }

    #[test]
    fn codes_match_as_whole_tokens_only() {
        assert_eq!(
            kb().best("error AADSTS700016 here").unwrap().id,
            "AADSTS700016"
        );
        // A longer code must not be mistaken for a shorter one or vice versa.
        assert_ne!(
            kb().best("AADSTS7000161 something").map(|e| e.id.as_str()),
            Some("AADSTS700016")
        );
        assert!(contains_token("x tf400813: y", "tf400813"));
        assert!(!contains_token("xtf400813", "tf400813"));
    }

    #[test]
    fn ids_case_and_curly_quotes_are_forgiven() {
        assert_eq!(kb().best("tf401444").unwrap().id, "TF401444");
        assert_eq!(
            kb().best("You don\u{2019}t  appear to have an ACTIVE Azure subscription")
                .unwrap()
                .id,
            "subscription-not-listed"
        );
    }

    #[test]
    fn service_connection_errors_resolve_to_the_code_behind_them() {
        // The JWT wrapper names no cause; the Entra code inside it does.
        let wrapped = "Failed to obtain the Json Web Token(JWT) using service principal client ID. \
                       Exception Message: AADSTS700016: Application with identifier 'x' was not \
                       found in the directory 'Fabrikam'.";
        assert_eq!(kb().best(wrapped).unwrap().id, "AADSTS700016");
        assert_eq!(
            kb().best(
                "Failed to obtain the Json Web Token(JWT) using service principal client ID."
            )
            .unwrap()
            .id,
            "jwt-service-principal"
        );
        // Issuer and subject mismatches are told apart by their codes.
        assert_eq!(
            kb().best("AADSTS700213: No matching federated identity record found for presented assertion subject 's'").unwrap().id,
            "AADSTS700213"
        );
        assert_eq!(
            kb().best("AADSTS700211: No matching federated identity record found for presented assertion issuer 'i'").unwrap().id,
            "AADSTS700211"
        );
        assert!(kb().get("gcm-pat-policy").unwrap().fix[0].contains("azreposCredentialType oauth"));
        assert!(kb().get("delete-service-connection").unwrap().fix[1].contains("deep=false"));
    }

    #[test]
    fn unrelated_text_matches_nothing() {
        assert!(kb().lookup("the weather is nice").is_empty());
        assert!(kb().lookup("").is_empty());
    }

    #[test]
    fn invalid_documents_are_rejected_with_where() {
        let err = KnowledgeBase::parse("{\"version\":1,\n\"entries\":[}").unwrap_err();
        assert!(matches!(err, KbError::Json { line: 2, .. }), "{err:?}");
        assert_eq!(
            KnowledgeBase::parse(r#"{"version":2,"entries":[]}"#).unwrap_err(),
            KbError::Version(2)
        );
        let dup = r#"{"version":1,"entries":[
          {"id":"a","title":"t","codes":["X1"],"phrases":[],"examples":[],"cause":"c","fix":["f"],"source":"s"},
          {"id":"A","title":"t","codes":["X2"],"phrases":[],"examples":[],"cause":"c","fix":["f"],"source":"s"}]}"#;
        assert!(matches!(
            KnowledgeBase::parse(dup).unwrap_err(),
            KbError::Entry { index: 1, .. }
        ));
    }

    #[test]
    fn troubleshooting_doc_is_generated_from_the_knowledge_base() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/troubleshooting.md");
        let want = kb().to_markdown();
        if std::env::var_os("ADO_ENTRA_UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/troubleshooting.md is out of date; run `ADO_ENTRA_UPDATE_DOCS=1 cargo test troubleshooting_doc`"
        );
    }
}
