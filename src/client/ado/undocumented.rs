//! UNDOCUMENTED Azure DevOps calls, all in one place.
//!
//! These are the calls the Azure DevOps web portal makes (organization
//! connect/disconnect, the admin data providers, the `_settings` "fps" pages,
//! the EnterpriseCatalog CSV). They are seen only in community code (see
//! docs/endpoints.md for each source) and can change without notice. When one
//! breaks, this file is the only one to fix.

use reqwest::Method;
use serde_json::{Value, json};

use super::{AdoClient, url};
use crate::client::error::{ClientError, Service, truncate};
use crate::client::http::Request;
use crate::client::models::ado::{
    CatalogOrganization, OrgOwner, OrgPolicy, Organization, TenantInfo, TenantPolicyValue,
    ZERO_GUID,
};

/// api-version the portal uses for Organization/Me and HierarchyQuery.
pub const V5_PREVIEW: &str = "5.0-preview.1";
const OWNER_PROVIDER: &str =
    "ms.vss-admin-web.organization-admin-overview-delay-load-data-provider";
const USER_TENANTS_PROVIDER: &str =
    "ms.vss-admin-web.organization-admin-aad-user-tenants-data-provider";
const ORG_AAD_PROVIDER: &str = "ms.vss-admin-web.organization-admin-aad-data-provider";
const POLICIES_PROVIDER: &str = "ms.vss-admin-web.organization-policies-data-provider";

fn decode_err(request: String, message: impl Into<String>) -> ClientError {
    ClientError::Decode {
        request,
        message: truncate(&message.into(), 300),
    }
}

impl AdoClient {
    /// `GET {vssps}/{org}/_apis/Organization/Organizations/Me`.
    pub async fn organization(&self, org: &str) -> Result<Organization, ClientError> {
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "Organization", "Organizations", "Me"],
            Some(V5_PREVIEW),
            &[],
        );
        self.api.json(Request::get(u)).await
    }

    /// Connect the organization to `tenant_id`, or move it to another tenant.
    pub async fn set_tenant(&self, org: &str, tenant_id: &str) -> Result<(), ClientError> {
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "Organization", "Organizations", "Me"],
            Some(V5_PREVIEW),
            &[],
        );
        let body = json!([{ "from": "", "op": 2, "path": "/TenantId", "value": tenant_id }]);
        // Sent once: a lost answer is settled by probing the organization.
        let req = Request::new(Method::PATCH, u)
            .json_as(body, "application/json-patch+json")
            .send_once();
        self.api.send(req).await.map(|_| ())
    }

    /// Disconnect from Entra ID (tenant set to the all-zero GUID).
    pub async fn disconnect_tenant(&self, org: &str) -> Result<(), ClientError> {
        self.set_tenant(org, ZERO_GUID).await
    }

    /// `POST {dev}/{org}/_apis/Contribution/HierarchyQuery` for one data provider;
    /// returns that provider's data, or its exception as an error.
    async fn hierarchy_query(
        &self,
        org: &str,
        provider: &str,
        page: &str,
    ) -> Result<Value, ClientError> {
        let u = url(
            &self.endpoints.dev,
            &[org, "_apis", "Contribution", "HierarchyQuery"],
            Some(V5_PREVIEW),
            &[],
        );
        let source = format!("https://dev.azure.com/{org}/_settings/{page}");
        let body = json!({
            "contributionIds": [provider],
            "dataProviderContext": { "properties": { "sourcePage": {
                "url": source,
                "routeId": "ms.vss-admin-web.collection-admin-hub-route",
                "routeValues": { "adminPivot": page, "controller": "ContributedPage", "action": "Execute" }
            }}}
        });
        let req = Request::new(Method::POST, u).json(body).retry_safe();
        let described = req.describe();
        let v: Value = self.api.json(req).await?;
        if let Some(ex) = v
            .get("dataProviderExceptions")
            .and_then(|e| e.get(provider))
        {
            let msg = ex
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("data provider failed");
            return Err(decode_err(described, msg));
        }
        v.get("dataProviders")
            .and_then(|d| d.get(provider))
            .cloned()
            .filter(|d| !d.is_null())
            .ok_or_else(|| decode_err(described, format!("no data from {provider}")))
    }

    /// The organization owner.
    pub async fn owner(&self, org: &str) -> Result<OrgOwner, ClientError> {
        let data = self
            .hierarchy_query(org, OWNER_PROVIDER, "organizationOverview")
            .await?;
        let owner = data.get("currentOwner").cloned().unwrap_or(Value::Null);
        serde_json::from_value(owner)
            .map_err(|e| decode_err(format!("owner of {org}"), e.to_string()))
    }

    /// Entra tenants the caller belongs to (candidates for a connect).
    pub async fn user_tenants(&self, org: &str) -> Result<Vec<TenantInfo>, ClientError> {
        let data = self
            .hierarchy_query(org, USER_TENANTS_PROVIDER, "organizationAad")
            .await?;
        let list = data
            .pointer("/userTenantData/userTenants")
            .or_else(|| data.get("userTenants"))
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        serde_json::from_value(list)
            .map_err(|e| decode_err(format!("tenants for {org}"), e.to_string()))
    }

    /// `GET {dev}/{org}/_settings/{page}?__rt=fps&__ver=2`, one provider's data.
    async fn fps(&self, org: &str, page: &str, provider: &str) -> Result<Value, ClientError> {
        let u = url(
            &self.endpoints.dev,
            &[org, "_settings", page],
            None,
            &[("__rt", "fps"), ("__ver", "2")],
        );
        let req = Request::get(u);
        let described = req.describe();
        let v: Value = self.api.json(req).await?;
        v.pointer("/fps/dataProviders/data")
            .and_then(|d| d.get(provider))
            .cloned()
            .filter(|d| !d.is_null())
            .ok_or_else(|| decode_err(described, format!("no data from {provider}")))
    }

    /// The tenant the organization is connected to (`None` when not connected).
    pub async fn org_tenant(&self, org: &str) -> Result<Option<TenantInfo>, ClientError> {
        let data = self.fps(org, "organizationAad", ORG_AAD_PROVIDER).await?;
        // The misspelling `orgnizationTenantData` is Azure's; accept the fixed one too.
        let t = data
            .get("orgnizationTenantData")
            .or_else(|| data.get("organizationTenantData"))
            .cloned()
            .unwrap_or(Value::Null);
        if t.is_null() {
            return Ok(None);
        }
        let info: TenantInfo = serde_json::from_value(t)
            .map_err(|e| decode_err(format!("tenant of {org}"), e.to_string()))?;
        let connected =
            info.domain.as_deref().is_some_and(|d| !d.is_empty()) && info.id != ZERO_GUID;
        Ok(connected.then_some(info))
    }

    /// Organization policies (`Policy.*`), wherever the provider nests them.
    pub async fn policies(&self, org: &str) -> Result<Vec<OrgPolicy>, ClientError> {
        let data = self
            .fps(org, "organizationPolicy", POLICIES_PROVIDER)
            .await?;
        let mut out = Vec::new();
        collect_policies(&data, 0, &mut out);
        Ok(out)
    }

    /// Set one organization policy (e.g. `Policy.DisallowAadGuestUserAccess`).
    pub async fn set_policy(&self, org: &str, name: &str, value: bool) -> Result<(), ClientError> {
        let u = url(
            &self.endpoints.dev,
            &[org, "_apis", "OrganizationPolicy", "Policies", name],
            Some(V5_PREVIEW),
            &[],
        );
        let body = json!([{ "from": "", "op": 2, "path": "/Value", "value": value.to_string() }]);
        let req = Request::new(Method::PATCH, u).json_as(body, "application/json-patch+json");
        self.api.send(req).await.map(|_| ())
    }

    /// One Azure DevOps tenant policy of the directory the token was issued
    /// by (`GET {vssps}/{org}/_apis/TenantPolicy/Policies/TenantPolicy.{name}`,
    /// as AZDOPS/AZDOPS `Get-ADOPSTenantPolicy` reads it); only the
    /// directory's Azure DevOps Administrators may. Community code sends no
    /// api-version; we send the preview one the area's other calls use.
    pub async fn tenant_policy(
        &self,
        org: &str,
        name: &str,
    ) -> Result<TenantPolicyValue, ClientError> {
        let policy = format!("TenantPolicy.{name}");
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "TenantPolicy", "Policies", &policy],
            Some("7.1-preview.1"),
            &[],
        );
        self.api.json(Request::get(u)).await
    }

    /// Organizations connected to `tenant_id` (EnterpriseCatalog CSV).
    pub async fn enterprise_catalog(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<CatalogOrganization>, ClientError> {
        let u = url(
            &self.endpoints.aex,
            &["_apis", "EnterpriseCatalog", "Organizations"],
            None,
            &[("tenantId", tenant_id)],
        );
        let req = Request::get(u).header("accept", "text/csv");
        let resp = self.api.send(req).await?;
        let text = resp.text();
        if text.trim_start().starts_with('<') {
            return Err(ClientError::SignInPage {
                service: Service::AzureDevOps,
                status: resp.status.as_u16(),
                request: resp.request,
            });
        }
        parse_catalog_csv(&text).map_err(|e| decode_err(resp.request, e))
    }
}

/// Parse the EnterpriseCatalog CSV (", " separators, CRLF, trimmed fields).
pub fn parse_catalog_csv(text: &str) -> Result<Vec<CatalogOrganization>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in rdr.deserialize::<CatalogOrganization>() {
        out.push(row.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

fn collect_policies(v: &Value, depth: usize, out: &mut Vec<OrgPolicy>) {
    if depth > 16 {
        return;
    }
    match v {
        Value::Object(m) => {
            let is_policy = m
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with("Policy."))
                && (m.contains_key("value") || m.contains_key("effectiveValue"));
            if is_policy {
                if let Ok(p) = serde_json::from_value::<OrgPolicy>(v.clone()) {
                    out.push(p);
                }
                return;
            }
            for child in m.values() {
                collect_policies(child, depth + 1, out);
            }
        }
        Value::Array(a) => {
            for child in a {
                collect_policies(child, depth + 1, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_csv_with_spaces_and_crlf() {
        let csv = "Organization Id, Organization Name, Url, Owner, Exception Type, Error Message\r\n1, a, https://dev.azure.com/a/, o@x.com, , \r\n2, b, https://dev.azure.com/b/, p@x.com, E, msg\r\n";
        let rows = parse_catalog_csv(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "a");
        assert_eq!(rows[0].exception_type, "");
        assert_eq!(rows[1].error_message, "msg");
    }

    #[test]
    fn policies_found_when_nested() {
        let v = json!({"policies":{"security":[{"policy":{"name":"Policy.DisallowSecureShell","value":false,"effectiveValue":false}}],"x":{"name":"other"}}});
        let mut out = Vec::new();
        collect_policies(&v, 0, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].name, "Policy.DisallowSecureShell");
    }
}
