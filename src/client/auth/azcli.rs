//! Reuse an Azure CLI sign-in: `az account get-access-token --resource ... --output json`.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use secrecy::SecretString;
use serde::Deserialize;

use super::token::CachedToken;
use super::{ADO_RESOURCE_ID, AuthError, DEFAULT_TENANT, Resource};
use crate::client::error::truncate;

/// The `--resource` value for each API.
pub fn resource_arg(r: Resource) -> &'static str {
    match r {
        Resource::AzureDevOps => ADO_RESOURCE_ID,
        Resource::Graph => "https://graph.microsoft.com",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzToken {
    access_token: String,
    #[serde(default)]
    expires_on: Option<String>,
    #[serde(default, rename = "expires_on")]
    expires_on_epoch: Option<serde_json::Value>,
    #[serde(default)]
    tenant: Option<String>,
}

/// A token obtained from `az`, with the tenant it belongs to.
#[derive(Debug)]
pub struct AzCliToken {
    pub token: CachedToken,
    pub tenant: Option<String>,
}

fn parse_expiry(t: &AzToken) -> DateTime<Utc> {
    let epoch = match &t.expires_on_epoch {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    if let Some(dt) = epoch.and_then(|e| Utc.timestamp_opt(e, 0).single()) {
        return dt;
    }
    // Older az prints local time without a zone: "2026-11-22 23:59:59.000000".
    t.expires_on
        .as_deref()
        .and_then(|s| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .and_then(|n| Local.from_local_datetime(&n).single())
                .map(|d| d.with_timezone(&Utc))
        })
        .unwrap_or_else(|| Utc::now() + chrono::Duration::minutes(5))
}

/// Parse the JSON `az account get-access-token` prints.
pub fn parse(stdout: &[u8]) -> Result<AzCliToken, AuthError> {
    let t: AzToken = serde_json::from_slice(stdout).map_err(|e| {
        AuthError::AzCliFailed(format!(
            "unexpected output ({})",
            truncate(&e.to_string(), 120)
        ))
    })?;
    let expires_at = parse_expiry(&t);
    Ok(AzCliToken {
        token: CachedToken {
            token: SecretString::from(t.access_token),
            expires_at,
        },
        tenant: t.tenant,
    })
}

/// Run `az` for one resource. `tenant` other than `organizations` adds `--tenant`.
pub async fn get_token(resource: Resource, tenant: Option<&str>) -> Result<AzCliToken, AuthError> {
    let mut cmd = tokio::process::Command::new("az");
    cmd.args([
        "account",
        "get-access-token",
        "--resource",
        resource_arg(resource),
        "--output",
        "json",
    ]);
    if let Some(t) = tenant.filter(|t| *t != DEFAULT_TENANT && !t.is_empty()) {
        cmd.args(["--tenant", t]);
    }
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    let out = cmd.output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AuthError::AzCliMissing
        } else {
            AuthError::AzCliFailed(e.to_string())
        }
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(AuthError::AzCliFailed(truncate(err.trim(), 300)));
    }
    parse(&out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn parses_both_expiry_forms() {
        let t = parse(br#"{"accessToken":"tok","expiresOn":"2030-01-02 03:04:05.000000","expires_on":1893553445,"tenant":"t1","tokenType":"Bearer"}"#).unwrap();
        assert_eq!(t.token.token.expose_secret(), "tok");
        assert_eq!(t.token.expires_at.timestamp(), 1_893_553_445);
        assert_eq!(t.tenant.as_deref(), Some("t1"));
        let t =
            parse(br#"{"accessToken":"tok","expiresOn":"2030-01-02 03:04:05.123456"}"#).unwrap();
        assert!(t.token.expires_at.timestamp() > 1_893_000_000);
        assert!(parse(b"not json").is_err());
    }
}
