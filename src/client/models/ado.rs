//! Azure DevOps resources.

use serde::{Deserialize, Serialize};

use super::null_default;

pub use crate::azure::ZERO_GUID;

/// A graph subject as it appears in users, groups and entitlements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphSubject {
    #[serde(deserialize_with = "null_default")]
    pub subject_kind: String,
    /// `aad`, `msa`, `vsts`...
    #[serde(deserialize_with = "null_default")]
    pub origin: String,
    /// Entra object id, MSA PUID, or the VSTS group id.
    #[serde(deserialize_with = "null_default")]
    pub origin_id: String,
    /// `aad.…`, `msa.…`, `bnd.…` (bind pending), `vssgp.…`, `aadsp.…`
    #[serde(deserialize_with = "null_default")]
    pub descriptor: String,
    #[serde(deserialize_with = "null_default")]
    pub display_name: String,
    #[serde(deserialize_with = "null_default")]
    pub principal_name: String,
    #[serde(deserialize_with = "null_default")]
    pub mail_address: String,
    /// Tenant id for `aad`, `Windows Live ID` for MSA, a vstfs URI for groups.
    #[serde(deserialize_with = "null_default")]
    pub domain: String,
    /// `member`, `guest`, `managedIdentity`, ... (absent for pending users).
    /// (Its `url`, `description` and `directoryAlias` are not read: unused,
    /// and a large organization's listing carries one of each per user.)
    pub meta_type: Option<String>,
}

impl GraphSubject {
    pub fn is_msa(&self) -> bool {
        self.origin.eq_ignore_ascii_case("msa") || self.descriptor.starts_with("msa.")
    }
    pub fn is_bind_pending(&self) -> bool {
        self.descriptor.starts_with("bnd.")
    }
}

/// A user's license.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
///
/// Only what is read: a large organization's listing carries the rest
/// (`accountLicenseType`, `msdnLicenseType`, `status`, `statusMessage`,
/// `assignmentSource`) once per user.
pub struct AccessLevel {
    pub license_display_name: Option<String>,
    pub licensing_source: Option<String>,
}

/// One member of `userentitlements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserEntitlement {
    /// The member id (storage key), not the Entra object id.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    pub user: GraphSubject,
    pub access_level: AccessLevel,
    pub last_accessed_date: Option<String>,
    pub date_created: Option<String>,
}

/// A page of `userentitlements` (5.x+ shape; continuation token in the body).
#[derive(Debug, Clone, Default)]
pub struct UserEntitlementsPage {
    pub members: Vec<UserEntitlement>,
    /// Real responses repeat the members under `items`, after them: read
    /// only when no member came before (parsing every page twice was the
    /// largest cost of a large organization's listing; skipping the copy
    /// unread, rather than keeping it raw, spares copying megabytes).
    pub items: Vec<UserEntitlement>,
    /// 4.1 shape.
    pub value: Vec<UserEntitlement>,
    pub continuation_token: Option<String>,
    pub total_count: Option<u64>,
}

impl<'de> Deserialize<'de> for UserEntitlementsPage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Page;
        impl<'de> serde::de::Visitor<'de> for Page {
            type Value = UserEntitlementsPage;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a page of user entitlements")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::IgnoredAny;
                let mut page = UserEntitlementsPage::default();
                // Keys as Azure writes them; a `null` reads as absent.
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "members" => {
                            page.members = map.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        "items" if !page.members.is_empty() => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        "items" => page.items = map.next_value::<Option<_>>()?.unwrap_or_default(),
                        "value" => page.value = map.next_value::<Option<_>>()?.unwrap_or_default(),
                        "continuationToken" => page.continuation_token = map.next_value()?,
                        "totalCount" => page.total_count = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(Page)
    }
}

impl UserEntitlementsPage {
    /// The members, whichever key carried them.
    pub fn into_members(self) -> Vec<UserEntitlement> {
        if !self.members.is_empty() {
            self.members
        } else if !self.items.is_empty() {
            self.items
        } else {
            self.value
        }
    }
}

/// A graph membership edge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphMembership {
    #[serde(deserialize_with = "null_default")]
    pub container_descriptor: String,
    #[serde(deserialize_with = "null_default")]
    pub member_descriptor: String,
}

/// `_apis/connectionData`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectionData {
    pub authenticated_user: ConnectionIdentity,
    pub authorized_user: ConnectionIdentity,
    pub instance_id: Option<String>,
    pub deployment_id: Option<String>,
    pub deployment_type: Option<String>,
}

/// An identity in `connectionData`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectionIdentity {
    pub id: Option<String>,
    pub descriptor: Option<String>,
    pub subject_descriptor: Option<String>,
    pub provider_display_name: Option<String>,
    pub is_active: Option<bool>,
    pub properties: serde_json::Value,
}

/// `Organization/Organizations/Me`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    pub id: Option<String>,
    pub name: Option<String>,
    pub tenant_id: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub date_created: Option<String>,
}

/// `profile/profiles/me`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Profile {
    pub id: String,
    pub display_name: Option<String>,
    /// Pass as `memberId` to the accounts API.
    pub public_alias: Option<String>,
    pub email_address: Option<String>,
    pub core_revision: Option<i64>,
}

/// One organization the user belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    pub account_id: String,
    pub account_name: String,
    /// May carry an explicit `:443`.
    pub account_uri: Option<String>,
}

/// A team project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub state: Option<String>,
    pub visibility: Option<String>,
    pub url: Option<String>,
    pub last_update_time: Option<String>,
}

/// A Git repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Repository {
    pub id: String,
    pub name: String,
    pub project: Option<ProjectRef>,
    pub default_branch: Option<String>,
    pub remote_url: Option<String>,
    pub web_url: Option<String>,
    pub is_disabled: Option<bool>,
}

/// `{id, name}` reference to a project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// A service connection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceEndpoint {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: Option<String>,
    pub authorization: Option<EndpointAuthorization>,
    pub is_ready: Option<bool>,
    pub is_shared: Option<bool>,
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// Authorization scheme and its (non-secret) parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointAuthorization {
    pub scheme: Option<String>,
    /// Values may be null (secrets are masked). Keys are case-varied in the wild.
    pub parameters: serde_json::Map<String, serde_json::Value>,
}

impl ServiceEndpoint {
    /// The Entra tenant an AzureRM connection authenticates against.
    pub fn tenant_id(&self) -> Option<&str> {
        self.authorization
            .as_ref()?
            .parameters
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("tenantid"))
            .and_then(|(_, v)| v.as_str())
    }
}

/// A personal access token's metadata (never its value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PatToken {
    pub authorization_id: String,
    pub display_name: String,
    pub scope: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub target_accounts: Option<Vec<String>>,
}

/// A page of `tokens/pats`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PatTokenPage {
    pub pat_tokens: Vec<PatToken>,
    pub continuation_token: Option<String>,
}

/// The result of the unauthenticated tenant probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgTenant {
    /// Backed by Microsoft accounts only (`X-VSS-ResourceTenant` all zeros).
    Msa,
    /// Connected to this Entra tenant.
    Entra(String),
    /// The organization exists but did not reveal its tenant.
    Unknown,
}

/// What `HEAD {dev}/{org}` revealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantProbe {
    pub tenant: OrgTenant,
    /// `authorization_uri` from `WWW-Authenticate: Bearer ...`.
    pub authorization_uri: Option<String>,
}

/// Owner from the admin overview data provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgOwner {
    pub name: Option<String>,
    pub email: Option<String>,
    pub id: Option<String>,
}

/// An Entra tenant as the ADO admin data providers show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: Option<String>,
    /// Empty when the organization is not connected.
    pub domain: Option<String>,
}

/// One organization policy.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgPolicy {
    pub name: String,
    pub value: serde_json::Value,
    pub effective_value: serde_json::Value,
    pub is_value_undefined: Option<bool>,
    /// Sub-settings, e.g. `Policy.DisablePATCreation`'s allowlist.
    pub properties: serde_json::Value,
}

/// A tenant policy of Azure DevOps (`TenantPolicy.*`), as community code
/// reads it (`properties` values are JSON text, e.g. the allowlist).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TenantPolicyValue {
    pub name: String,
    pub value: serde_json::Value,
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// One row of the EnterpriseCatalog CSV.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogOrganization {
    #[serde(rename = "Organization Id")]
    pub id: String,
    #[serde(rename = "Organization Name")]
    pub name: String,
    #[serde(rename = "Url", default)]
    pub url: String,
    #[serde(rename = "Owner", default)]
    pub owner: String,
    #[serde(rename = "Exception Type", default)]
    pub exception_type: String,
    #[serde(rename = "Error Message", default)]
    pub error_message: String,
}

/// One token of the token administration API (`SessionToken`; PATs, or SSH
/// keys with `isPublic`). Never its secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionToken {
    pub authorization_id: String,
    pub display_name: Option<String>,
    pub scope: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub target_accounts: Option<Vec<String>>,
    pub is_valid: Option<bool>,
    pub is_public: Option<bool>,
}

/// A page of token administration results.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionTokenPage {
    pub value: Vec<SessionToken>,
    pub continuation_token: Option<String>,
}

/// A variable group (`distributedtask/variablegroups`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VariableGroup {
    pub id: i64,
    pub name: String,
    /// `Vsts` or `AzureKeyVault`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// For `AzureKeyVault`: `{serviceEndpointId, vault}`.
    pub provider_data: Option<serde_json::Value>,
}

/// An agent pool.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentPool {
    pub id: i64,
    pub name: String,
    pub is_hosted: Option<bool>,
}

/// An agent of a pool.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Agent {
    pub id: i64,
    pub name: String,
    pub status: Option<String>,
    pub enabled: Option<bool>,
}

/// What a service endpoint request (the portal's "Verify") answered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointRequestResult {
    /// `ok`, `badRequest`, ... (an `HttpStatusCode` name).
    pub status_code: Option<String>,
    pub error_message: Option<String>,
    pub result: serde_json::Value,
}

/// One audit log entry (`DecoratedAuditLogEntry`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditEntry {
    pub id: String,
    pub action_id: String,
    pub timestamp: Option<String>,
    pub actor_display_name: Option<String>,
    #[serde(rename = "actorUPN")]
    pub actor_upn: Option<String>,
    pub details: Option<String>,
    pub area: Option<String>,
    pub ip_address: Option<String>,
    pub data: serde_json::Value,
}

/// A page of the audit log (`AuditLogQueryResult`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditLogPage {
    pub decorated_audit_log_entries: Vec<AuditEntry>,
    pub continuation_token: Option<String>,
    pub has_more: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_from_members_else_items_else_value() {
        let page = |json: &str| {
            serde_json::from_str::<UserEntitlementsPage>(json)
                .unwrap()
                .into_members()
                .into_iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            page(r#"{"members":[{"id":"a"}],"items":[{"id":"a"}],"totalCount":1}"#),
            ["a"]
        );
        assert_eq!(page(r#"{"items":[{"id":"b"}]}"#), ["b"]);
        assert_eq!(page(r#"{"value":[{"id":"c"}],"count":1}"#), ["c"]);
        assert!(page(r#"{"members":[],"items":[]}"#).is_empty());
        // Whatever the order, and `null`s read as absent.
        assert_eq!(
            page(r#"{"items":[{"id":"d"}],"members":[{"id":"d"}],"continuationToken":null}"#),
            ["d"]
        );
        assert_eq!(page(r#"{"members":null,"items":[{"id":"e"}]}"#), ["e"]);
        assert!(page(r#"{"members":null,"items":null,"value":null}"#).is_empty());
        // The copy after the members is skipped unread: even a malformed
        // member there is not an error, while it is in `members`.
        let skipped: UserEntitlementsPage = serde_json::from_str(
            r#"{"members":[{"id":"f"}],"continuationToken":"t","totalCount":2,"items":[{"id":7}]}"#,
        )
        .unwrap();
        assert_eq!(
            (skipped.continuation_token.as_deref(), skipped.total_count),
            (Some("t"), Some(2))
        );
        assert!(serde_json::from_str::<UserEntitlementsPage>(r#"{"members":[{"id":7}]}"#).is_err());
        // Not an object: an error, not an empty page.
        assert!(serde_json::from_str::<UserEntitlementsPage>("[]").is_err());
    }
}
