//! Input validation, run before any request is sent.
//!
//! Rules and where they come from (paraphrased):
//! - **Organization name** (the Azure DevOps connector guide, Microsoft Learn: Azure SRE Agent): begins with
//!   a letter or a digit, contains only letters, digits and hyphens, does not
//!   end with a hyphen, and is at most 50 characters. People often paste the
//!   organization's URL instead of its name, so [`parse_org_name`] also
//!   accepts `https://dev.azure.com/{org}`, `dev.azure.com/{org}/...` and
//!   `https://{org}.visualstudio.com` and reduces them to the name; any other
//!   host is refused by name.
//! - **Connector name** (the Azure DevOps connector guide, Microsoft Learn: Azure SRE Agent): begins with a letter, contains only
//!   letters, digits and hyphens, 3 to 32 characters.
//! - **Tenant**: either a directory (tenant) id, a GUID in any case with or
//!   without braces, or a domain such as `contoso.onmicrosoft.com`. The
//!   all-zero GUID is what Azure DevOps reports for an organization backed by
//!   personal Microsoft accounts (api-notes), so it is never a tenant.
//! - **Email**: a pragmatic check (one `@`, a sensible local part, a domain
//!   with at least two valid labels), normalised by trimming and lowercasing,
//!   shared by the checks and the CSV importer.
//!
//! Every error says which input it is about, what is wrong, and where
//! (1-based character position) when one character is at fault.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which input a [`ValidationError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// The Azure DevOps organization name (or URL).
    OrganizationName,
    /// The name of an Azure DevOps connector.
    ConnectorName,
    /// A Microsoft Entra tenant id or domain.
    Tenant,
    /// An email address or sign-in name.
    Email,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::OrganizationName => "organization name",
            Field::ConnectorName => "connector name",
            Field::Tenant => "tenant",
            Field::Email => "email address",
        })
    }
}

/// What is wrong with an input, in machine-readable form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    /// Nothing was entered (or only whitespace).
    Empty,
    /// Longer than allowed.
    TooLong {
        /// Maximum number of characters.
        max: usize,
        /// Number of characters given.
        len: usize,
    },
    /// Shorter than allowed.
    TooShort {
        /// Minimum number of characters.
        min: usize,
        /// Number of characters given.
        len: usize,
    },
    /// The first character is not allowed there.
    BadFirstChar {
        /// The offending character.
        ch: char,
    },
    /// A character that is not allowed anywhere in this input.
    BadChar {
        /// The offending character.
        ch: char,
    },
    /// Ends with a hyphen.
    TrailingHyphen,
    /// A URL whose host is not an Azure DevOps host.
    WrongHost {
        /// The host that was given.
        host: String,
    },
    /// A URL or scheme that does not name an organization.
    NoOrganizationInUrl,
    /// Looks like a GUID but is not one.
    BadGuid,
    /// The all-zero GUID, which stands for "no tenant".
    NilGuid,
    /// A domain label (between dots) is invalid.
    BadDomainLabel {
        /// The label at fault.
        label: String,
    },
    /// A domain without a dot.
    SingleLabelDomain,
    /// An email address without exactly one `@`.
    AtSign,
    /// An invalid local part (before the `@`).
    BadLocalPart,
}

/// A rejected input: which field, the value given, what is wrong and where.
///
/// `Display` gives one plain sentence suitable for the TUI and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ValidationError {
    /// Which input this is about.
    pub field: Field,
    /// The value as given (trimmed).
    pub value: String,
    /// What is wrong.
    pub problem: Problem,
    /// 1-based character position of the offending character, if one is.
    pub position: Option<usize>,
    /// Plain-words explanation, including what is allowed.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.field, self.value, self.message)
    }
}

impl ValidationError {
    fn new(
        field: Field,
        value: &str,
        problem: Problem,
        position: Option<usize>,
        message: String,
    ) -> Self {
        ValidationError {
            field,
            value: value.to_string(),
            problem,
            position,
            message,
        }
    }
}

/// Maximum length of an organization name.
pub const ORG_NAME_MAX: usize = 50;
/// Minimum length of a connector name.
pub const CONNECTOR_NAME_MIN: usize = 3;
/// Maximum length of a connector name.
pub const CONNECTOR_NAME_MAX: usize = 32;

fn describe(ch: char) -> String {
    if ch == ' ' {
        "a space".to_string()
    } else if ch.is_control() {
        format!("control character U+{:04X}", ch as u32)
    } else {
        format!("'{ch}'")
    }
}

/// Checks a bare organization name (no URL handling) against the Azure DevOps connector guide (Microsoft Learn: Azure SRE Agent)'s rule.
pub fn validate_org_name(name: &str) -> Result<(), ValidationError> {
    let field = Field::OrganizationName;
    let allowed = "use only letters, digits and hyphens";
    if name.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            name,
            Problem::Empty,
            None,
            "enter the name that follows dev.azure.com/ in your organization's address".into(),
        ));
    }
    let len = name.chars().count();
    if len > ORG_NAME_MAX {
        return Err(ValidationError::new(
            field,
            name,
            Problem::TooLong {
                max: ORG_NAME_MAX,
                len,
            },
            Some(ORG_NAME_MAX + 1),
            format!("is {len} characters long; at most {ORG_NAME_MAX} are allowed"),
        ));
    }
    for (i, ch) in name.chars().enumerate() {
        let pos = i + 1;
        if i == 0 && !ch.is_ascii_alphanumeric() {
            return Err(ValidationError::new(
                field,
                name,
                Problem::BadFirstChar { ch },
                Some(pos),
                format!(
                    "starts with {}; it must start with a letter or a digit",
                    describe(ch)
                ),
            ));
        }
        if !(ch.is_ascii_alphanumeric() || ch == '-') {
            return Err(ValidationError::new(
                field,
                name,
                Problem::BadChar { ch },
                Some(pos),
                format!("character {pos} is {}; {allowed}", describe(ch)),
            ));
        }
    }
    if name.ends_with('-') {
        return Err(ValidationError::new(
            field,
            name,
            Problem::TrailingHyphen,
            Some(len),
            format!("ends with a hyphen (character {len}); it must end with a letter or a digit"),
        ));
    }
    Ok(())
}

/// Accepts an organization name or an organization URL and returns the name.
///
/// Accepted forms: `contoso`, `https://dev.azure.com/contoso`,
/// `dev.azure.com/contoso/project/_git/repo`, `https://contoso.visualstudio.com/`,
/// with `http` or `https`, any case in the host, an optional `:443` port and
/// any path, query or fragment after the name. The name keeps the case it
/// was typed in and is then checked with [`validate_org_name`].
pub fn parse_org_name(input: &str) -> Result<String, ValidationError> {
    let field = Field::OrganizationName;
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return validate_org_name(trimmed).map(|_| String::new());
    }
    let lower = trimmed.to_ascii_lowercase();
    let had_scheme = lower.contains("://");
    let rest = if let Some(pos) = lower.find("://") {
        let scheme = &lower[..pos];
        if scheme != "https" && scheme != "http" {
            return Err(ValidationError::new(
                field,
                trimmed,
                Problem::NoOrganizationInUrl,
                Some(1),
                format!(
                    "the address starts with \"{scheme}://\"; use an https://dev.azure.com/ address or just the organization name"
                ),
            ));
        }
        &trimmed[pos + 3..]
    } else {
        trimmed
    };
    // Drop query and fragment.
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (host_part, path) = match rest.split_once('/') {
        Some((h, p)) => (h, p),
        None => (rest, ""),
    };
    // A bare name (optionally with a trailing slash).
    if !had_scheme && !host_part.contains('.') && path.trim_matches('/').is_empty() {
        validate_org_name(host_part)?;
        return Ok(host_part.to_string());
    }
    let host = host_part.to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host);
    let host = host.strip_suffix(":80").unwrap_or(host);
    if host == "dev.azure.com" {
        let name = path.split('/').find(|s| !s.is_empty()).unwrap_or("");
        if name.is_empty() {
            return Err(ValidationError::new(
                field,
                trimmed,
                Problem::NoOrganizationInUrl,
                None,
                "the address has no organization after dev.azure.com/".into(),
            ));
        }
        validate_org_name(name)?;
        return Ok(name.to_string());
    }
    if let Some(prefix) = host.strip_suffix(".visualstudio.com")
        && !prefix.is_empty()
        && !prefix.contains('.')
    {
        // Keep the case as typed: take the same span from the original.
        let name = &host_part[..prefix.len()];
        validate_org_name(name)?;
        return Ok(name.to_string());
    }
    Err(ValidationError::new(
        field,
        trimmed,
        Problem::WrongHost {
            host: host.to_string(),
        },
        None,
        format!(
            "{host} is not an Azure DevOps address; use https://dev.azure.com/<organization>, \
             https://<organization>.visualstudio.com, or just the organization name"
        ),
    ))
}

/// Checks a connector name (the Azure DevOps connector guide, Microsoft Learn: Azure SRE Agent): starts with a letter, only letters,
/// digits and hyphens, 3 to 32 characters.
pub fn validate_connector_name(name: &str) -> Result<(), ValidationError> {
    let field = Field::ConnectorName;
    if name.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            name,
            Problem::Empty,
            None,
            "enter a name of 3 to 32 letters, digits or hyphens, starting with a letter".into(),
        ));
    }
    for (i, ch) in name.chars().enumerate() {
        let pos = i + 1;
        if i == 0 && !ch.is_ascii_alphabetic() {
            return Err(ValidationError::new(
                field,
                name,
                Problem::BadFirstChar { ch },
                Some(pos),
                format!("starts with {}; it must start with a letter", describe(ch)),
            ));
        }
        if !(ch.is_ascii_alphanumeric() || ch == '-') {
            return Err(ValidationError::new(
                field,
                name,
                Problem::BadChar { ch },
                Some(pos),
                format!(
                    "character {pos} is {}; use only letters, digits and hyphens",
                    describe(ch)
                ),
            ));
        }
    }
    let len = name.chars().count();
    if len < CONNECTOR_NAME_MIN {
        return Err(ValidationError::new(
            field,
            name,
            Problem::TooShort {
                min: CONNECTOR_NAME_MIN,
                len,
            },
            None,
            format!("is {len} characters long; at least {CONNECTOR_NAME_MIN} are needed"),
        ));
    }
    if len > CONNECTOR_NAME_MAX {
        return Err(ValidationError::new(
            field,
            name,
            Problem::TooLong {
                max: CONNECTOR_NAME_MAX,
                len,
            },
            Some(CONNECTOR_NAME_MAX + 1),
            format!("is {len} characters long; at most {CONNECTOR_NAME_MAX} are allowed"),
        ));
    }
    Ok(())
}

/// A Microsoft Entra tenant, as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum TenantRef {
    /// A directory (tenant) id: a lowercase hyphenated GUID.
    Id(String),
    /// A domain of the tenant, lowercase, e.g. `contoso.onmicrosoft.com`.
    Domain(String),
}

impl fmt::Display for TenantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantRef::Id(s) | TenantRef::Domain(s) => f.write_str(s),
        }
    }
}

/// Parses a tenant id (GUID, any case, optional braces) or a tenant domain.
pub fn parse_tenant(input: &str) -> Result<TenantRef, ValidationError> {
    let field = Field::Tenant;
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(
            field,
            trimmed,
            Problem::Empty,
            None,
            "enter a directory (tenant) id such as 72f988bf-86f1-41af-91ab-2d7cd011db47 \
             or a domain such as contoso.onmicrosoft.com"
                .into(),
        ));
    }
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(trimmed);
    let guid_like = !inner.contains('.')
        && inner.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && inner.chars().filter(char::is_ascii_hexdigit).count() >= 8;
    let looks_guid = guid_like || (inner.len() == 36 && inner.matches('-').count() == 4);
    if trimmed.starts_with('{') != trimmed.ends_with('}') {
        let at = if trimmed.starts_with('{') {
            trimmed.chars().count()
        } else {
            1
        };
        return Err(ValidationError::new(
            Field::Tenant,
            trimmed,
            Problem::BadGuid,
            Some(at),
            "has a brace on one side only; write the tenant id with both braces or neither".into(),
        ));
    }
    if looks_guid || trimmed.starts_with('{') {
        return parse_guid(trimmed, inner).map(TenantRef::Id);
    }
    validate_domain(field, trimmed, &trimmed.to_ascii_lowercase())
        .map(|d| TenantRef::Domain(d.to_string()))
}

fn parse_guid(original: &str, inner: &str) -> Result<String, ValidationError> {
    let field = Field::Tenant;
    // One character of offset when the braces were taken off.
    let offset = usize::from(inner.len() != original.len());
    let bad = |pos: Option<usize>, msg: String| {
        Err(ValidationError::new(
            field,
            original,
            Problem::BadGuid,
            pos,
            msg,
        ))
    };
    let chars: Vec<char> = inner.chars().collect();
    if chars.len() != 36 {
        return bad(
            None,
            format!(
                "looks like a tenant id but has {} characters; a tenant id has 36 \
                 (8-4-4-4-12 hexadecimal digits separated by hyphens)",
                chars.len()
            ),
        );
    }
    for (i, ch) in chars.iter().enumerate() {
        let want_hyphen = matches!(i, 8 | 13 | 18 | 23);
        let ok = if want_hyphen {
            *ch == '-'
        } else {
            ch.is_ascii_hexdigit()
        };
        if !ok {
            let pos = i + 1 + offset;
            let what = if want_hyphen {
                "a hyphen"
            } else {
                "a hexadecimal digit (0-9, a-f)"
            };
            return bad(
                Some(pos),
                format!(
                    "character {pos} is {}; {what} is expected there",
                    describe(*ch)
                ),
            );
        }
    }
    let id = inner.to_ascii_lowercase();
    if id.chars().all(|c| c == '0' || c == '-') {
        return Err(ValidationError::new(
            field,
            original,
            Problem::NilGuid,
            None,
            "the all-zero id means \"no tenant\" (an organization of personal Microsoft accounts); \
             enter the id of a Microsoft Entra tenant"
                .into(),
        ));
    }
    Ok(id)
}

/// Validates a lowercase domain name; `value` is what is reported in errors.
fn validate_domain<'a>(
    field: Field,
    value: &str,
    domain: &'a str,
) -> Result<&'a str, ValidationError> {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let len = domain.chars().count();
    if len > 253 {
        return Err(ValidationError::new(
            field,
            value,
            Problem::TooLong { max: 253, len },
            None,
            format!("the domain is {len} characters long; at most 253 are allowed"),
        ));
    }
    if !domain.contains('.') {
        return Err(ValidationError::new(
            field,
            value,
            Problem::SingleLabelDomain,
            None,
            format!(
                "\"{domain}\" has no dot; a domain looks like contoso.com or contoso.onmicrosoft.com"
            ),
        ));
    }
    // Character positions are reported relative to the domain's start in
    // `value`, found only when there is an error to report (most addresses
    // are valid, and there are hundreds of thousands to check).
    let start = || {
        value
            .to_ascii_lowercase()
            .find(domain)
            .map(|b| value[..b].chars().count())
            .unwrap_or(0)
    };
    let mut pos = 0;
    let labels = domain.split('.').count();
    for (idx, label) in domain.split('.').enumerate() {
        let bad_label = |msg: String, at: Option<usize>| {
            Err(ValidationError::new(
                field,
                value,
                Problem::BadDomainLabel {
                    label: label.to_string(),
                },
                at,
                msg,
            ))
        };
        if label.is_empty() {
            return bad_label(
                format!(
                    "the domain has an empty part at character {}",
                    start() + pos + 1
                ),
                Some(start() + pos + 1),
            );
        }
        if label.len() > 63 {
            return bad_label(
                format!("the domain part \"{label}\" is longer than 63 characters"),
                Some(start() + pos + 1),
            );
        }
        for (i, ch) in label.chars().enumerate() {
            if !(ch.is_ascii_alphanumeric() || ch == '-') {
                let at = start() + pos + i + 1;
                return bad_label(
                    format!(
                        "character {at} is {}; a domain uses only letters, digits, hyphens and dots",
                        describe(ch)
                    ),
                    Some(at),
                );
            }
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad_label(
                format!("the domain part \"{label}\" starts or ends with a hyphen"),
                Some(start() + pos + 1),
            );
        }
        if idx == labels - 1 && label.chars().all(|c| c.is_ascii_digit()) {
            return bad_label(
                format!("the last domain part \"{label}\" is all digits"),
                Some(start() + pos + 1),
            );
        }
        pos += label.chars().count() + 1;
    }
    Ok(domain)
}

const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// Validates and normalises an email address (trimmed, lowercased).
///
/// Pragmatic rather than complete: exactly one `@`; a local part of 1 to 64
/// ASCII letters, digits or `!#$%&'*+/=?^_\`{|}~.-` that neither starts nor
/// ends with a dot and has no two dots in a row; a domain with at least two
/// valid labels. Guest UPNs such as `alice_outlook.com#EXT#@contoso.onmicrosoft.com`
/// pass (they are valid sign-in names), they just never equal the guest's
/// own address.
pub fn normalize_email(input: &str) -> Result<String, ValidationError> {
    let field = Field::Email;
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(
            field,
            trimmed,
            Problem::Empty,
            None,
            "no address was given".into(),
        ));
    }
    // ASCII only: full Unicode lowercasing would turn a Kelvin sign into `k`
    // (accepting a non-ASCII address) and shift the character positions.
    let lower = trimmed.to_ascii_lowercase();
    let at_count = lower.matches('@').count();
    if at_count != 1 {
        let second_at = lower
            .char_indices()
            .filter(|(_, c)| *c == '@')
            .nth(1)
            .map(|(b, _)| lower[..b].chars().count() + 1);
        let msg = match second_at {
            None => "has no @; an address looks like name@example.com".to_string(),
            Some(pos) => format!(
                "has more than one @ (another at character {pos}); an address has exactly one"
            ),
        };
        return Err(ValidationError::new(
            field,
            trimmed,
            Problem::AtSign,
            second_at,
            msg,
        ));
    }
    let (local, domain) = lower.split_once('@').unwrap_or((&lower, ""));
    let bad_local = |pos: Option<usize>, msg: String| {
        Err(ValidationError::new(
            field,
            trimmed,
            Problem::BadLocalPart,
            pos,
            msg,
        ))
    };
    if local.is_empty() {
        return bad_local(Some(1), "nothing comes before the @".into());
    }
    let local_len = local.chars().count();
    if local_len > 64 {
        return bad_local(
            None,
            format!("the part before the @ is {local_len} characters; at most 64 are allowed"),
        );
    }
    let mut prev = '\0';
    for (i, ch) in local.chars().enumerate() {
        let pos = i + 1;
        if !(ch.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(ch)) {
            return bad_local(
                Some(pos),
                format!(
                    "character {pos} is {}, which is not allowed before the @",
                    describe(ch)
                ),
            );
        }
        if ch == '.' && (i == 0 || prev == '.') {
            return bad_local(
                Some(pos),
                format!("character {pos} is a dot at the start or right after another dot"),
            );
        }
        prev = ch;
    }
    if local.ends_with('.') {
        return bad_local(
            Some(local_len),
            "the part before the @ ends with a dot".into(),
        );
    }
    if domain.is_empty() {
        return Err(ValidationError::new(
            field,
            trimmed,
            Problem::SingleLabelDomain,
            Some(local_len + 2),
            "nothing comes after the @".into(),
        ));
    }
    let valid = validate_domain(field, trimmed, domain)?;
    if valid.len() == domain.len() {
        // Nothing was trimmed off the domain: the address is `lower` itself.
        return Ok(lower);
    }
    Ok(format!("{local}@{valid}"))
}

/// Whether [`normalize_email`] accepts the input.
pub fn is_valid_email(input: &str) -> bool {
    normalize_email(input).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_names_valid() {
        let ok = [
            "contoso",
            "Contoso",
            "a",
            "9",
            "con-toso",
            "c-o-n",
            "0abc",
            "x1-2-3",
            &"a".repeat(50),
            "fabrikam-fiber-inc",
        ];
        for name in ok {
            assert_eq!(validate_org_name(name), Ok(()), "{name:?}");
            assert_eq!(parse_org_name(name).as_deref(), Ok(name), "{name:?}");
        }
    }

    #[test]
    fn found_by_fuzzing_braces_and_unicode_case() {
        // A brace on one side only is named, at a position inside the input.
        for input in [
            "{72f988bf-86f1-41af-91ab-2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011db47}",
        ] {
            let err = parse_tenant(input).unwrap_err();
            assert!(err.message.contains("brace on one side"), "{input}: {err}");
            assert!(err.position.unwrap() <= input.chars().count());
        }
        assert!(parse_tenant("{72f988bf-86f1-41af-91ab-2d7cd011db47}").is_ok());
        let err = parse_tenant("{72f988bf-86f1-41af-91ab-2d7cd011dbZZ}").unwrap_err();
        assert_eq!(err.position, Some(36), "{err}");
        // A Kelvin sign is not an ASCII letter, whatever it lowercases to.
        assert!(normalize_email("\u{212A}im@x.com").is_err());
        assert_eq!(normalize_email("KIM@X.COM").unwrap(), "kim@x.com");
    }

    #[test]
    fn org_names_invalid_with_positions() {
        let table: &[(&str, Problem, Option<usize>)] = &[
            ("", Problem::Empty, None),
            ("   ", Problem::Empty, None),
            ("-abc", Problem::BadFirstChar { ch: '-' }, Some(1)),
            ("_abc", Problem::BadFirstChar { ch: '_' }, Some(1)),
            ("abc-", Problem::TrailingHyphen, Some(4)),
            ("con_toso", Problem::BadChar { ch: '_' }, Some(4)),
            ("con toso", Problem::BadChar { ch: ' ' }, Some(4)),
            ("contosö", Problem::BadChar { ch: 'ö' }, Some(7)),
            ("über", Problem::BadFirstChar { ch: 'ü' }, Some(1)),
            (
                &"a".repeat(51),
                Problem::TooLong { max: 50, len: 51 },
                Some(51),
            ),
        ];
        for (input, problem, pos) in table {
            let err = validate_org_name(input).unwrap_err();
            assert_eq!(&err.problem, problem, "{input:?}");
            assert_eq!(&err.position, pos, "{input:?}");
            assert_eq!(err.field, Field::OrganizationName);
            let text = err.to_string();
            assert!(text.starts_with("organization name"), "{text}");
        }
        let err = validate_org_name("con_toso").unwrap_err().to_string();
        assert!(err.contains("character 4"), "{err}");
        assert!(err.contains("'_'"), "{err}");
    }

    #[test]
    fn org_urls_normalise_to_the_name() {
        let table = [
            ("https://dev.azure.com/contoso", "contoso"),
            ("https://dev.azure.com/contoso/", "contoso"),
            ("dev.azure.com/contoso/", "contoso"),
            ("DEV.AZURE.COM/Contoso", "Contoso"),
            ("http://dev.azure.com/contoso", "contoso"),
            (
                "https://dev.azure.com:443/contoso/Project/_git/repo",
                "contoso",
            ),
            ("https://dev.azure.com/contoso?x=1", "contoso"),
            ("https://dev.azure.com//contoso", "contoso"),
            ("https://contoso.visualstudio.com", "contoso"),
            ("https://contoso.visualstudio.com/", "contoso"),
            ("Contoso.VisualStudio.com/DefaultCollection", "Contoso"),
            ("  contoso/  ", "contoso"),
            ("  contoso  ", "contoso"),
        ];
        for (input, want) in table {
            assert_eq!(parse_org_name(input).as_deref(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn org_urls_reject_other_hosts_and_bad_names() {
        let wrong_host = [
            "https://github.com/contoso",
            "contoso.com",
            "https://vssps.dev.azure.com/contoso",
            "https://a.b.visualstudio.com",
            "https://visualstudio.com",
        ];
        for input in wrong_host {
            let err = parse_org_name(input).unwrap_err();
            assert!(
                matches!(err.problem, Problem::WrongHost { .. }),
                "{input:?}: {err}"
            );
            assert!(err.message.contains("not an Azure DevOps address"));
        }
        let err = parse_org_name("https://dev.azure.com/").unwrap_err();
        assert_eq!(err.problem, Problem::NoOrganizationInUrl);
        let err = parse_org_name("ftp://dev.azure.com/contoso").unwrap_err();
        assert_eq!(err.problem, Problem::NoOrganizationInUrl);
        let err = parse_org_name("https://dev.azure.com/con_toso").unwrap_err();
        assert_eq!(err.problem, Problem::BadChar { ch: '_' });
        let err = parse_org_name("https://bad-.visualstudio.com").unwrap_err();
        assert_eq!(err.problem, Problem::TrailingHyphen);
    }

    #[test]
    fn connector_names() {
        for ok in [
            "abc",
            "ado-contoso",
            "my-org-connector",
            "A12",
            &"a".repeat(32),
            "abc-",
        ] {
            assert_eq!(validate_connector_name(ok), Ok(()), "{ok:?}");
        }
        let table: &[(&str, Problem, Option<usize>)] = &[
            ("", Problem::Empty, None),
            ("ab", Problem::TooShort { min: 3, len: 2 }, None),
            (
                &"a".repeat(33),
                Problem::TooLong { max: 32, len: 33 },
                Some(33),
            ),
            ("1abc", Problem::BadFirstChar { ch: '1' }, Some(1)),
            ("-abc", Problem::BadFirstChar { ch: '-' }, Some(1)),
            ("ab.c", Problem::BadChar { ch: '.' }, Some(3)),
            ("ab c", Problem::BadChar { ch: ' ' }, Some(3)),
        ];
        for (input, problem, pos) in table {
            let err = validate_connector_name(input).unwrap_err();
            assert_eq!(&err.problem, problem, "{input:?}");
            assert_eq!(&err.position, pos, "{input:?}");
            assert!(err.to_string().starts_with("connector name"));
        }
    }

    #[test]
    fn tenant_ids() {
        let want = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        for input in [
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
            "{72f988bf-86f1-41af-91ab-2d7cd011db47}",
            "  {72F988BF-86f1-41af-91ab-2d7cd011db47} ",
        ] {
            assert_eq!(
                parse_tenant(input),
                Ok(TenantRef::Id(want.to_string())),
                "{input:?}"
            );
        }
        let table: &[(&str, Problem, Option<usize>)] = &[
            (
                "72f988bf-86f1-41af-91ab-2d7cd011db4",
                Problem::BadGuid,
                None,
            ),
            (
                "72f988bg-86f1-41af-91ab-2d7cd011db47",
                Problem::BadGuid,
                Some(8),
            ),
            (
                "{72f988bg-86f1-41af-91ab-2d7cd011db47}",
                Problem::BadGuid,
                Some(9),
            ),
            (
                "72f988bf186f1-41af-91ab-2d7cd011db47",
                Problem::BadGuid,
                Some(9),
            ),
            (
                "00000000-0000-0000-0000-000000000000",
                Problem::NilGuid,
                None,
            ),
            ("", Problem::Empty, None),
            ("{}", Problem::BadGuid, None),
        ];
        for (input, problem, pos) in table {
            let err = parse_tenant(input).unwrap_err();
            assert_eq!(&err.problem, problem, "{input:?}: {err}");
            assert_eq!(&err.position, pos, "{input:?}: {err}");
        }
    }

    #[test]
    fn tenant_domains() {
        for (input, want) in [
            ("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
            ("Contoso.COM", "contoso.com"),
            ("contoso.com.", "contoso.com"),
            ("a-b.c-d.example", "a-b.c-d.example"),
            ("  fabrikam.co.uk ", "fabrikam.co.uk"),
        ] {
            assert_eq!(
                parse_tenant(input),
                Ok(TenantRef::Domain(want.into())),
                "{input:?}"
            );
        }
        let bad = [
            ("contoso", Problem::SingleLabelDomain),
            ("contoso..com", Problem::BadDomainLabel { label: "".into() }),
            (
                "-contoso.com",
                Problem::BadDomainLabel {
                    label: "-contoso".into(),
                },
            ),
            (
                "con_toso.com",
                Problem::BadDomainLabel {
                    label: "con_toso".into(),
                },
            ),
            (
                "contoso.123",
                Problem::BadDomainLabel {
                    label: "123".into(),
                },
            ),
        ];
        for (input, problem) in bad {
            let err = parse_tenant(input).unwrap_err();
            assert_eq!(err.problem, problem, "{input:?}: {err}");
        }
        let err = parse_tenant("con_toso.com").unwrap_err();
        assert_eq!(err.position, Some(4));
        assert_eq!(TenantRef::Domain("a.b".into()).to_string(), "a.b");
    }

    #[test]
    fn emails_normalise() {
        for (input, want) in [
            ("Alice@Contoso.com", "alice@contoso.com"),
            ("  bob.smith+tag@outlook.com ", "bob.smith+tag@outlook.com"),
            (
                "alice_outlook.com#EXT#@contoso.onmicrosoft.com",
                "alice_outlook.com#ext#@contoso.onmicrosoft.com",
            ),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("x@sub.domain.example.", "x@sub.domain.example"),
        ] {
            assert_eq!(normalize_email(input).as_deref(), Ok(want), "{input:?}");
            assert!(is_valid_email(input));
        }
    }

    #[test]
    fn emails_rejected() {
        let table: &[(&str, Problem, Option<usize>)] = &[
            ("", Problem::Empty, None),
            ("alice", Problem::AtSign, None),
            ("a@b@c.com", Problem::AtSign, Some(4)),
            ("@contoso.com", Problem::BadLocalPart, Some(1)),
            (".a@contoso.com", Problem::BadLocalPart, Some(1)),
            ("a..b@contoso.com", Problem::BadLocalPart, Some(3)),
            ("a.@contoso.com", Problem::BadLocalPart, Some(2)),
            ("a b@contoso.com", Problem::BadLocalPart, Some(2)),
            ("zoë@contoso.com", Problem::BadLocalPart, Some(3)),
            ("alice@", Problem::SingleLabelDomain, Some(7)),
            ("alice@localhost", Problem::SingleLabelDomain, None),
            (
                "alice@contoso..com",
                Problem::BadDomainLabel { label: "".into() },
                Some(15),
            ),
            (
                "alice@con toso.com",
                Problem::BadDomainLabel {
                    label: "con toso".into(),
                },
                Some(10),
            ),
        ];
        for (input, problem, pos) in table {
            let err = normalize_email(input).unwrap_err();
            assert_eq!(&err.problem, problem, "{input:?}: {err}");
            assert_eq!(&err.position, pos, "{input:?}: {err}");
            assert!(!is_valid_email(input));
            assert!(err.to_string().starts_with("email address"));
        }
        let long = format!("{}@x.com", "a".repeat(65));
        assert_eq!(
            normalize_email(&long).unwrap_err().problem,
            Problem::BadLocalPart
        );
    }

    /// Random strings over an alphabet rich in edge cases.
    fn random_inputs(count: usize, seed: u64) -> Vec<String> {
        use crate::domain::matching::bench_support::XorShift;
        let alphabet: Vec<char> = "abcXYZ019-_.@ {}:/#üé\u{2019}\t".chars().collect();
        let mut rng = XorShift::new(seed);
        (0..count)
            .map(|_| {
                let len = rng.below(60);
                (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect()
            })
            .collect()
    }

    /// A direct restatement of the connector guide's organization-name rule.
    fn org_rule(s: &str) -> bool {
        let n = s.chars().count();
        (1..=50).contains(&n)
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !s.ends_with('-')
    }

    /// A direct restatement of the connector guide's connector-name rule.
    fn connector_rule(s: &str) -> bool {
        let n = s.chars().count();
        (3..=32).contains(&n)
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }

    #[test]
    fn validators_agree_with_the_rules_on_random_inputs() {
        let mut inputs = random_inputs(3_000, 11);
        // Bias towards near-valid names too.
        inputs.extend(random_inputs(500, 12).into_iter().map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        }));
        let mut valid = 0;
        for s in &inputs {
            let org = validate_org_name(s);
            assert_eq!(org.is_ok(), org_rule(s), "{s:?}: {org:?}");
            if org.is_ok() {
                valid += 1;
            }
            let con = validate_connector_name(s);
            assert_eq!(con.is_ok(), connector_rule(s), "{s:?}: {con:?}");
            for err in [org.err(), con.err()].into_iter().flatten() {
                let len = s.chars().count();
                if let Some(p) = err.position {
                    assert!(p >= 1 && p <= len.max(1) + 1, "{s:?}: {err:?}");
                }
                assert!(!err.message.is_empty());
            }
        }
        assert!(valid > 50, "{valid}");
    }

    #[test]
    fn parsers_never_panic_and_normalisation_is_idempotent() {
        for s in random_inputs(3_000, 21) {
            let _ = parse_org_name(&s);
            let _ = parse_tenant(&s);
            if let Ok(e) = normalize_email(&s) {
                assert_eq!(normalize_email(&e).as_deref(), Ok(e.as_str()));
                assert_eq!(e, e.trim().to_lowercase());
            }
            if let Ok(TenantRef::Domain(d)) = parse_tenant(&s) {
                assert_eq!(parse_tenant(&d), Ok(TenantRef::Domain(d.clone())));
            }
        }
    }

    #[test]
    fn every_valid_name_round_trips_through_every_url_form() {
        let names = [
            "contoso",
            "Fabrikam-Fiber",
            "a",
            "x9",
            "0-0",
            &"z".repeat(50),
        ];
        let forms = [
            "{}",
            "https://dev.azure.com/{}",
            "https://dev.azure.com/{}/",
            "http://dev.azure.com/{}/Project/_git/Repo?path=/",
            "dev.azure.com/{}",
            "https://{}.visualstudio.com",
            "https://{}.visualstudio.com/DefaultCollection/",
            "  {}.VisualStudio.com  ",
        ];
        for name in names {
            for form in forms {
                let input = form.replace("{}", name);
                assert_eq!(parse_org_name(&input).as_deref(), Ok(name), "{input:?}");
            }
        }
    }

    #[test]
    fn errors_serialize() {
        let err = validate_org_name("-x").unwrap_err();
        let v = serde_json::to_value(&err).unwrap();
        assert_eq!(v["field"], "organization-name");
        assert_eq!(v["problem"]["kind"], "bad-first-char");
        assert_eq!(v["position"], 1);
    }
}
