//! Microsoft Graph resources.

use serde::{Deserialize, Serialize};

/// A user (`/me`, `/users`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    pub other_mails: Vec<String>,
    pub proxy_addresses: Vec<String>,
    pub account_enabled: Option<bool>,
    /// When the account was created (asked for on `/me` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    /// Only when selected ([`MATCH_USER_SELECT`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Only when selected ([`MATCH_USER_SELECT`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// Only when selected ([`MATCH_USER_SELECT`]); `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_licenses: Option<Vec<AssignedLicense>>,
}

/// One entry of a user's `assignedLicenses`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignedLicense {
    pub sku_id: Option<String>,
    pub disabled_plans: Vec<String>,
}

/// The fields requested for user lookups and downloads.
pub const USER_SELECT: &str =
    "id,displayName,userPrincipalName,mail,userType,otherMails,proxyAddresses,accountEnabled";

/// `/policies/authorizationPolicy` (the fields read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizationPolicy {
    /// `none`, `adminsAndGuestInviters`, `adminsGuestInvitersAndAllMembers`, `everyone`.
    pub allow_invites_from: Option<String>,
}

/// A directory object (user, group, directory role) as lists return it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryObject {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub role_template_id: Option<String>,
}

/// `Name <upn>`, or whichever of them is known, else the id.
fn label_of(id: &str, name: Option<&str>, upn: Option<&str>) -> String {
    match (name, upn) {
        (Some(n), Some(u)) => format!("{n} <{u}>"),
        (Some(n), None) => n.to_string(),
        (None, Some(u)) => u.to_string(),
        (None, None) => id.to_string(),
    }
}

impl User {
    /// `Name <upn>`, or whichever of them is known.
    pub fn label(&self) -> String {
        label_of(
            &self.id,
            self.display_name.as_deref(),
            self.user_principal_name.as_deref(),
        )
    }
}

impl DirectoryObject {
    /// `Name <upn>`, or whichever of them is known.
    pub fn label(&self) -> String {
        label_of(
            &self.id,
            self.display_name.as_deref(),
            self.user_principal_name.as_deref(),
        )
    }
}
/// [`USER_SELECT`] plus what the match engine reads to tell a person's
/// account from a service or shared one (`givenName`, `surname`,
/// `assignedLicenses`; documented properties of the user resource, Microsoft
/// Graph v1.0). Only the Resolve step asks for them, so the prerequisite
/// check's directory read stays as small as it was.
pub const MATCH_USER_SELECT: &str = "id,displayName,userPrincipalName,mail,userType,otherMails,proxyAddresses,accountEnabled,givenName,surname,assignedLicenses";

/// `/organization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    pub id: String,
    pub display_name: Option<String>,
    pub verified_domains: Vec<VerifiedDomain>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifiedDomain {
    pub name: String,
    pub is_default: Option<bool>,
    pub is_initial: Option<bool>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// An OData collection page.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// `POST /invitations` result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Invitation {
    pub id: String,
    pub invite_redeem_url: Option<String>,
    pub invited_user_email_address: Option<String>,
    pub invited_user_type: Option<String>,
    pub status: Option<String>,
    pub invited_user: Option<DirectoryRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DirectoryRef {
    pub id: String,
}

/// One request inside a `$batch`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRequest {
    pub id: String,
    pub method: String,
    /// Relative to the version root, e.g. `/users/{id}`.
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One response inside a `$batch`. The body is a parsed JSON value by
/// default; [`RawBody`] keeps it as text, to be parsed straight into a
/// typed model (no intermediate tree for thousands of users).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, bound = "B: serde::de::DeserializeOwned + Default")]
pub struct BatchResponse<B = serde_json::Value> {
    pub id: String,
    pub status: u16,
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub body: B,
}

/// A `$batch` item's body as its JSON text (absent: `None`).
pub type RawBody = Option<Box<serde_json::value::RawValue>>;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, bound = "B: serde::de::DeserializeOwned + Default")]
pub(crate) struct BatchEnvelope<B = serde_json::Value> {
    pub responses: Vec<BatchResponse<B>>,
}
