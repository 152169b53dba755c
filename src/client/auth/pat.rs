//! Personal access tokens: read from `AZURE_DEVOPS_EXT_PAT` or stdin, never argv.
//!
//! A PAT is Basic auth with an empty user name. It reaches Azure DevOps only:
//! Microsoft Graph and a few ADO calls (the PAT list) need an Entra token.

use std::io::BufRead;

use secrecy::SecretString;

use super::AuthError;

/// The environment variable the Azure DevOps CLI also reads.
pub const PAT_ENV: &str = "AZURE_DEVOPS_EXT_PAT";

/// The PAT from [`PAT_ENV`], when set and not blank; an error saying it is
/// invalid (not missing) when it cannot be a token.
pub fn from_env() -> Result<Option<SecretString>, AuthError> {
    let Some(raw) = std::env::var_os(PAT_ENV) else {
        return Ok(None);
    };
    let Some(v) = raw.to_str() else {
        return Err(AuthError::InvalidPat {
            source_name: PAT_ENV.into(),
            reason: "it is not valid text".into(),
        });
    };
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    check(PAT_ENV, v)?;
    Ok(Some(SecretString::from(v.to_string())))
}

/// Refuse what cannot be a personal access token (without showing it): Azure
/// DevOps tokens are 52 characters (older) or 84 (current), letters, digits
/// and a few URL-safe symbols, on one line.
pub fn check(source_name: &str, pat: &str) -> Result<(), AuthError> {
    let bad = |reason: String| AuthError::InvalidPat {
        source_name: source_name.into(),
        reason,
    };
    if let Some(c) = pat.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(if c == '\n' || c == '\r' {
            "it spans several lines".into()
        } else {
            "it contains spaces or control characters".into()
        }));
    }
    if !pat
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c))
    {
        return Err(bad("it contains characters no token has".into()));
    }
    if pat.split('.').count() == 3 && pat.starts_with("eyJ") {
        return Err(bad(
            "it is an Entra access token (a JWT), not a personal access token".into(),
        ));
    }
    if pat.len() < 16 {
        return Err(bad(format!(
            "it is {} characters long; personal access tokens have 52 or 84",
            pat.len()
        )));
    }
    Ok(())
}

/// The first non-blank line of `input` (stdin), trimmed.
pub fn from_reader(input: impl BufRead) -> Result<SecretString, AuthError> {
    for line in input.lines() {
        let line = line.map_err(|_| AuthError::NoPat)?;
        let t = line.trim();
        if !t.is_empty() {
            check("the input", t)?;
            return Ok(SecretString::from(t.to_string()));
        }
    }
    Err(AuthError::NoPat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn reads_first_non_blank_line() {
        let tok = "a".repeat(52);
        let input = format!("\n  {tok}  \nother\n");
        let p = from_reader(input.as_bytes()).unwrap();
        assert_eq!(p.expose_secret(), tok);
        assert!(matches!(from_reader(&b"\n \n"[..]), Err(AuthError::NoPat)));
    }

    #[test]
    fn junk_is_invalid_and_the_message_never_shows_it() {
        for junk in [
            "junk",
            "not a pat at all, really not",
            "abc\u{e9}".repeat(12).as_str(),
            "eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        ] {
            let e = check(PAT_ENV, junk).unwrap_err().to_string();
            assert!(e.contains("is invalid") && e.contains(PAT_ENV), "{e}");
            assert!(!e.contains(junk), "{e}");
        }
        check(PAT_ENV, &"x".repeat(84)).unwrap();
        assert!(matches!(
            from_reader(&b"short\n"[..]),
            Err(AuthError::InvalidPat { .. })
        ));
    }
}
