//! Graph's `$filter` on users: a tokenizer and recursive-descent parser for
//! the OData subset the emulator answers (`eq`, `ge`/`le` on strings,
//! `startswith`, `any(c:c eq …)` on other mails and proxy addresses,
//! `and`/`or`, parentheses), its evaluation, and the index lookups that
//! answer the common shapes without a scan.

use serde_json::Value;

use super::super::state::{Tenant, TenantUser};
use super::super::wire;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Eq(String, Value),
    Any(String, String),
    StartsWith(String, String),
    /// `field ge 'v'` (`true`) or `field le 'v'` (`false`), compared without case.
    Cmp(String, bool, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    Colon,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            v.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            c if c.is_alphanumeric() || c == '/' || c == '_' || c == '.' || c == '$' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || "/_.$".contains(chars[i])) {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
        if out.len() > 2000 {
            return Err("filter too long".into());
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(k))
    }
    fn expect(&mut self, t: Tok, what: &str) -> Result<(), String> {
        if self.next() == Some(t) {
            Ok(())
        } else {
            Err(format!("expected {what}"))
        }
    }
    fn expr(&mut self) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("filter nested too deeply".into());
        }
        let mut terms = vec![self.term()?];
        while self.keyword("or") {
            self.pos += 1;
            terms.push(self.term()?);
        }
        self.depth -= 1;
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Node::Or(terms)
        })
    }
    fn term(&mut self) -> Result<Node, String> {
        let mut factors = vec![self.factor()?];
        while self.keyword("and") {
            self.pos += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.remove(0)
        } else {
            Node::And(factors)
        })
    }
    fn factor(&mut self) -> Result<Node, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Some(Tok::Ident(name)) if name.eq_ignore_ascii_case("startswith") => {
                self.expect(Tok::LParen, "'(' after startswith")?;
                let Some(Tok::Ident(field)) = self.next() else {
                    return Err("expected a property name in startswith".into());
                };
                self.expect(Tok::Comma, "','")?;
                let Some(Tok::Str(v)) = self.next() else {
                    return Err("expected a string in startswith".into());
                };
                self.expect(Tok::RParen, "')'")?;
                Ok(Node::StartsWith(field, v))
            }
            Some(Tok::Ident(name)) => {
                if let Some(field) = name
                    .strip_suffix("/any")
                    .or_else(|| name.strip_suffix("/Any"))
                {
                    self.expect(Tok::LParen, "'(' after any")?;
                    let Some(Tok::Ident(var)) = self.next() else {
                        return Err("expected a lambda variable".into());
                    };
                    self.expect(Tok::Colon, "':'")?;
                    match self.next() {
                        Some(Tok::Ident(v2)) if v2 == var => {}
                        _ => return Err(format!("expected '{var}' in the lambda body")),
                    }
                    if !self.keyword("eq") {
                        return Err("only 'eq' is supported inside any()".into());
                    }
                    self.pos += 1;
                    let Some(Tok::Str(v)) = self.next() else {
                        return Err("expected a string inside any()".into());
                    };
                    self.expect(Tok::RParen, "')'")?;
                    return Ok(Node::Any(field.to_string(), v));
                }
                if self.keyword("ge") || self.keyword("le") {
                    let ge = self.keyword("ge");
                    self.pos += 1;
                    let Some(Tok::Str(v)) = self.next() else {
                        return Err(format!("expected a string after '{name} ge/le'"));
                    };
                    return Ok(Node::Cmp(name, ge, v));
                }
                if !self.keyword("eq") {
                    return Err(format!(
                        "unsupported operator after '{name}'; supported: eq, ge, le, any(), startswith()"
                    ));
                }
                self.pos += 1;
                match self.next() {
                    Some(Tok::Str(v)) => Ok(Node::Eq(name, Value::String(v))),
                    Some(Tok::Ident(b)) if b == "true" || b == "false" => {
                        Ok(Node::Eq(name, Value::Bool(b == "true")))
                    }
                    _ => Err(format!("expected a value after '{name} eq'")),
                }
            }
            _ => Err("expected a condition".into()),
        }
    }
}

pub(super) fn parse_filter(s: &str) -> Result<Node, String> {
    let toks = tokenize(s)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let n = p.expr()?;
    if p.pos != p.toks.len() {
        return Err("unexpected text after the condition".into());
    }
    Ok(n)
}

/// A string property without copying it: `None` when the property is not
/// a string this emulator filters on, `Some(None)` when it is null.
fn field_str<'a>(u: &'a TenantUser, field: &str) -> Option<Option<&'a str>> {
    let is = |name: &str| field.eq_ignore_ascii_case(name);
    Some(if is("id") {
        Some(u.id.as_str())
    } else if is("userPrincipalName") {
        Some(u.upn.as_str())
    } else if is("mail") {
        u.mail.as_deref()
    } else if is("displayName") {
        Some(u.display_name.as_str())
    } else if is("userType") {
        Some(u.user_type.as_str())
    } else {
        return None;
    })
}

/// A property a filter compares by value (strings, or `accountEnabled`).
fn field_value(u: &TenantUser, field: &str) -> Option<Value> {
    if field.eq_ignore_ascii_case("accountEnabled") {
        return Some(u.enabled.into());
    }
    field_str(u, field).map(|s| s.map_or(Value::Null, Value::from))
}

pub(super) fn eval(n: &Node, u: &TenantUser) -> Result<bool, String> {
    Ok(match n {
        Node::Or(v) => {
            for x in v {
                if eval(x, u)? {
                    return Ok(true);
                }
            }
            false
        }
        Node::And(v) => {
            for x in v {
                if !eval(x, u)? {
                    return Ok(false);
                }
            }
            true
        }
        Node::Eq(f, want) => {
            let have = field_value(u, f)
                .ok_or_else(|| format!("Property '{f}' is not supported in a filter."))?;
            match (have, want) {
                (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
                (a, b) => a == *b,
            }
        }
        Node::Any(f, v) => match f.to_ascii_lowercase().as_str() {
            "othermails" => u.other_mails.iter().any(|m| m.eq_ignore_ascii_case(v)),
            "proxyaddresses" => u.proxy_addresses.iter().any(|m| m.eq_ignore_ascii_case(v)),
            _ => return Err(format!("Property '{f}' does not support any().")),
        },
        Node::StartsWith(f, v) => match field_value(u, f) {
            Some(Value::String(s)) => s.to_lowercase().starts_with(&v.to_lowercase()),
            Some(_) => false,
            None => return Err(format!("Property '{f}' is not supported in a filter.")),
        },
        Node::Cmp(f, ge, v) => match field_str(u, f) {
            Some(Some(s)) => {
                let o = wire::cmp_caseless(s.trim(), v.trim());
                if *ge { o.is_ge() } else { o.is_le() }
            }
            Some(None) => false,
            None => return Err(format!("Property '{f}' is not supported in a filter.")),
        },
    })
}

/// Candidate users from the index, when the filter is a disjunction of
/// lookups the index can answer; `None` means scan everyone.
pub(super) fn candidates(n: &Node, t: &Tenant) -> Option<Vec<usize>> {
    let one = |n: &Node| -> Option<Vec<usize>> {
        match n {
            Node::Eq(f, Value::String(v)) => match f.to_ascii_lowercase().as_str() {
                "userprincipalname" => Some(
                    t.user_by_upn(v)
                        .and_then(|u| t.users.iter().position(|x| x.id == u.id))
                        .into_iter()
                        .collect(),
                ),
                "mail" => Some(t.users_by_address(v)),
                "id" => Some(
                    t.user_by_id(v)
                        .and_then(|u| t.users.iter().position(|x| x.id == u.id))
                        .into_iter()
                        .collect(),
                ),
                _ => None,
            },
            Node::Any(_, v) => {
                let v = v.to_lowercase();
                Some(t.users_by_address(v.strip_prefix("smtp:").unwrap_or(&v)))
            }
            Node::StartsWith(f, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                Some(t.users_with_upn_prefix(v))
            }
            Node::Cmp(f, ge, v) if f.eq_ignore_ascii_case("userPrincipalName") => Some(if *ge {
                t.users_in_upn_range(Some(v), None)
            } else {
                t.users_in_upn_range(None, Some(v))
            }),
            Node::And(parts) => {
                // A UPN range: `ge 'a' and le 'b'`.
                let (mut lo, mut hi) = (None, None);
                for p in parts {
                    match p {
                        Node::Cmp(f, true, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                            lo = Some(v.as_str())
                        }
                        Node::Cmp(f, false, v) if f.eq_ignore_ascii_case("userPrincipalName") => {
                            hi = Some(v.as_str())
                        }
                        _ => return None,
                    }
                }
                Some(t.users_in_upn_range(lo, hi))
            }
            _ => None,
        }
    };
    match n {
        Node::Or(v) => {
            let mut all = Vec::new();
            for x in v {
                all.extend(one(x)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        other => one(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_the_shapes_clients_send() {
        let f = parse_filter("mail eq 'a@b.com' or userPrincipalName eq 'a@b.com' or otherMails/any(c:c eq 'a@b.com') or proxyAddresses/any(x:x eq 'smtp:a@b.com')").unwrap();
        assert!(matches!(f, Node::Or(ref v) if v.len() == 4));
        assert!(parse_filter("startswith(displayName,'Ann')").is_ok());
        assert!(parse_filter("userType eq 'Guest' and accountEnabled eq true").is_ok());
        assert_eq!(
            parse_filter("mail eq 'o''brien@x.com'").unwrap(),
            Node::Eq("mail".into(), Value::String("o'brien@x.com".into()))
        );
        for bad in [
            "mail ne 'x'",
            "mail eq",
            "(mail eq 'x'",
            "otherMails/any(c:d eq 'x')",
            "mail eq 'x' garbage",
            "'unterminated",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
        let deep = format!("{}mail eq 'x'{}", "(".repeat(100), ")".repeat(100));
        assert!(
            parse_filter(&deep).is_err(),
            "deep nesting is refused, not a stack overflow"
        );
    }
}
