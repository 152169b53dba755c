//! Graph's `$search` on users: `"property:text"` clauses joined by `AND`
//! and `OR` (AND binds tighter). Graph tokenizes the searched properties;
//! a clause matches when the value, or one of its words, starts with the
//! text, without case. Only with `ConsistencyLevel: eventual`.

use super::super::state::TenantUser;

/// A parsed `$search`: alternatives (OR) of clauses that must all hold (AND).
#[derive(Debug, Clone, PartialEq)]
pub struct Search(Vec<Vec<(Property, String)>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    DisplayName,
    GivenName,
    Surname,
    Mail,
    UserPrincipalName,
}

impl Property {
    fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "displayname" => Self::DisplayName,
            "givenname" => Self::GivenName,
            "surname" => Self::Surname,
            "mail" => Self::Mail,
            "userprincipalname" => Self::UserPrincipalName,
            _ => return None,
        })
    }

    fn value(self, u: &TenantUser) -> Option<&str> {
        let name = u.display_name.as_str();
        match self {
            Self::DisplayName => Some(name),
            Self::GivenName => match &u.names {
                Some((given, _)) => given.as_deref(),
                None => Some(name.split_once(' ').map_or(name, |p| p.0)),
            },
            Self::Surname => match &u.names {
                Some((_, surname)) => surname.as_deref(),
                None => name.split_once(' ').map(|p| p.1),
            },
            Self::Mail => u.mail.as_deref(),
            Self::UserPrincipalName => Some(u.upn.as_str()),
        }
    }
}

/// Parse `$search`; the error says what is wrong, for a 400.
pub fn parse(text: &str) -> Result<Search, String> {
    let mut alternatives = vec![Vec::new()];
    let mut rest = text.trim();
    let mut expect_clause = true;
    while !rest.is_empty() {
        if expect_clause {
            let Some(body) = rest.strip_prefix('"') else {
                return Err(format!(
                    "expected a quoted \"property:text\" clause at '{rest}'"
                ));
            };
            let Some(end) = body.find('"') else {
                return Err("unterminated quoted clause".into());
            };
            let clause = &body[..end];
            let Some((property, term)) = clause.split_once(':') else {
                return Err(format!(
                    "the clause \"{clause}\" is not of the form \"property:text\""
                ));
            };
            let Some(property) = Property::parse(property.trim()) else {
                return Err(format!(
                    "the property '{}' cannot be searched; use displayName, givenName, surname, mail or userPrincipalName",
                    property.trim()
                ));
            };
            let term = term.trim().to_lowercase();
            if term.is_empty() {
                return Err(format!("the clause \"{clause}\" searches for nothing"));
            }
            alternatives.last_mut().expect("one").push((property, term));
            rest = body[end + 1..].trim_start();
            expect_clause = false;
        } else {
            let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            match word {
                "AND" => {}
                "OR" => alternatives.push(Vec::new()),
                other => return Err(format!("expected AND or OR, found '{other}'")),
            }
            rest = after.trim_start();
            expect_clause = true;
        }
    }
    if expect_clause {
        return Err("the search ends without a clause".into());
    }
    Ok(Search(alternatives))
}

/// Whether `text` (any case) or one of its words starts with `term`
/// (already lowercase).
fn matches(text: &str, term: &str) -> bool {
    let text = text.to_lowercase();
    text.starts_with(term)
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| !word.is_empty() && word.starts_with(term))
}

impl Search {
    pub fn matches(&self, u: &TenantUser) -> bool {
        self.0.iter().any(|all| {
            all.iter()
                .all(|(p, term)| p.value(u).is_some_and(|v| matches(v, term)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, upn: &str) -> TenantUser {
        TenantUser {
            id: "x".into(),
            upn: upn.into(),
            display_name: name.into(),
            mail: Some(upn.into()),
            other_mails: vec![],
            proxy_addresses: vec![],
            user_type: "Member".into(),
            enabled: true,
            msa: None,
            invitation: None,
            names: None,
            licenses: vec![],
        }
    }

    #[test]
    fn clauses_words_and_precedence() {
        let ann = user("Ann Berg", "ann.berg@fabrikam.com");
        let s = parse("\"displayName:ber\"").unwrap();
        assert!(s.matches(&ann), "a word of the name starts with it");
        assert!(!parse("\"displayName:erg\"").unwrap().matches(&ann));
        assert!(parse("\"mail:berg\"").unwrap().matches(&ann));
        assert!(parse("\"surname:BERG\"").unwrap().matches(&ann));
        assert!(!parse("\"givenName:berg\"").unwrap().matches(&ann));
        assert!(
            parse("\"displayName:zed\" OR \"displayName:ann\" AND \"mail:ann\"")
                .unwrap()
                .matches(&ann)
        );
        assert!(
            !parse("\"displayName:ann\" AND \"mail:zed\"")
                .unwrap()
                .matches(&ann)
        );
        for bad in [
            "ann",
            "\"displayName\"",
            "\"jobTitle:x\"",
            "\"displayName:ann\" NEAR \"mail:x\"",
            "\"displayName:ann\" AND",
            "\"displayName:",
            "\"displayName: \"",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
