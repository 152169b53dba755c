//! Which tenant a domain names, from Microsoft Entra's OpenID Connect
//! discovery document (`{login}/{domain}/v2.0/.well-known/openid-configuration`).
//! The document needs no sign-in; its `issuer` carries the tenant id
//! (Microsoft identity platform, "OpenID Connect on the Microsoft identity
//! platform": <https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc>).

use reqwest::StatusCode;
use serde::Deserialize;

use super::endpoints::join;
use super::error::{ClientError, Service, api_error, truncate};
use super::http::Request;
use super::{Endpoints, HttpCore};

#[derive(Deserialize)]
struct OpenIdConfiguration {
    issuer: String,
    #[serde(default)]
    tenant_region_scope: Option<String>,
}

/// What the discovery document says about a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredTenant {
    /// The tenant id, as the issuer names it (lowercase).
    pub id: String,
    /// `tenant_region_scope` (e.g. `NA`, `EU`, `USGov`), when given.
    pub region_scope: Option<String>,
}

/// The tenant id of `authority` (a verified domain, the default
/// `….onmicrosoft.com` domain, or an id) from its discovery document.
/// Entra answers an unknown domain with 400 and AADSTS90002, which comes
/// back as a [`ClientError::Api`] carrying that code.
pub async fn discover_tenant(
    core: &HttpCore,
    endpoints: &Endpoints,
    authority: &str,
) -> Result<DiscoveredTenant, ClientError> {
    let url = join(
        &endpoints.login,
        &[authority, "v2.0", ".well-known", "openid-configuration"],
    );
    let req = Request::get(url).header("accept", "application/json");
    let resp = core.send(&req, None).await?;
    if resp.status != StatusCode::OK {
        return Err(ClientError::Api(Box::new(api_error(
            Service::Login,
            resp.status,
            resp.request.clone(),
            &resp.headers,
            &resp.body,
        ))));
    }
    let doc: OpenIdConfiguration = resp.json(Service::Login)?;
    let id = tenant_of_issuer(&doc.issuer).ok_or_else(|| ClientError::Decode {
        request: resp.request.clone(),
        message: format!(
            "the issuer {} names no tenant id",
            truncate(&doc.issuer, 120)
        ),
    })?;
    Ok(DiscoveredTenant {
        id,
        region_scope: doc.tenant_region_scope,
    })
}

/// The tenant id in an issuer such as
/// `https://login.microsoftonline.com/{id}/v2.0` (lowercase), if any.
pub fn tenant_of_issuer(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    url.path_segments()?
        .find_map(|s| uuid::Uuid::try_parse(s).ok())
        .filter(|u| !u.is_nil())
        .map(|u| u.hyphenated().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_names_the_tenant() {
        assert_eq!(
            tenant_of_issuer(
                "https://login.microsoftonline.com/AFADE585-7C99-42C7-887F-5B2884F98736/v2.0"
            )
            .as_deref(),
            Some("afade585-7c99-42c7-887f-5b2884f98736")
        );
        assert_eq!(
            tenant_of_issuer("https://login.microsoftonline.com/{tenantid}/v2.0"),
            None
        );
        assert_eq!(
            tenant_of_issuer(
                "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
            ),
            None
        );
        assert_eq!(tenant_of_issuer("not a url"), None);
    }
}
