//! Personal access tokens: read from `AZURE_DEVOPS_EXT_PAT` or stdin, never argv.
//!
//! A PAT is Basic auth with an empty user name. It reaches Azure DevOps only:
//! Microsoft Graph and a few ADO calls (the PAT list) need an Entra token.

use std::io::BufRead;

use secrecy::SecretString;

use super::AuthError;

/// The environment variable the Azure DevOps CLI also reads.
pub const PAT_ENV: &str = "AZURE_DEVOPS_EXT_PAT";

/// The PAT from [`PAT_ENV`], when set and not blank.
pub fn from_env() -> Option<SecretString> {
    std::env::var(PAT_ENV)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// The first non-blank line of `input` (stdin), trimmed.
pub fn from_reader(input: impl BufRead) -> Result<SecretString, AuthError> {
    for line in input.lines() {
        let line = line.map_err(|_| AuthError::NoPat)?;
        let t = line.trim();
        if !t.is_empty() {
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
        let p = from_reader(&b"\n  abc123  \nother\n"[..]).unwrap();
        assert_eq!(p.expose_secret(), "abc123");
        assert!(matches!(from_reader(&b"\n \n"[..]), Err(AuthError::NoPat)));
    }
}
