//! Directory settings the impact checks read (Microsoft Graph v1.0, all
//! documented): who may invite guests (`authorizationPolicy`), the directory
//! roles the signed-in person holds (who holds a role: `recovery.rs`), the person's
//! membership of allowlisted groups, and names of directory objects.

use reqwest::Method;
use serde_json::{Value, json};

use super::GraphClient;
use crate::client::error::ClientError;
use crate::client::http::Request;
use crate::client::models::graph::{AuthorizationPolicy, DirectoryObject, Page};

impl GraphClient {
    /// `GET /policies/authorizationPolicy` (its `allowInvitesFrom`).
    pub async fn authorization_policy(&self) -> Result<AuthorizationPolicy, ClientError> {
        self.get(self.url(&["policies", "authorizationPolicy"], &[]))
            .await
    }

    /// Display names of the directory roles the signed-in person holds
    /// (`GET /me/memberOf`, directory roles only).
    pub async fn my_directory_roles(&self) -> Result<Vec<String>, ClientError> {
        let first = self.url(
            &["me", "memberOf"],
            &[("$select", "id,displayName,roleTemplateId")],
        );
        let all: Vec<DirectoryObject> = self.collect(first).await?;
        Ok(all
            .into_iter()
            .filter(|o| o.odata_type.as_deref() == Some("#microsoft.graph.directoryRole"))
            .filter_map(|o| o.display_name)
            .collect())
    }

    /// Which of `ids` (groups, directory roles) the signed-in person is a
    /// member of, transitively (`POST /me/checkMemberObjects`).
    pub async fn check_member_objects(&self, ids: &[String]) -> Result<Vec<String>, ClientError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let u = self.url(&["me", "checkMemberObjects"], &[]);
        let req = Request::new(Method::POST, u)
            .json(json!({ "ids": ids }))
            .retry_safe();
        let page: Page<String> = self.api.json(req).await?;
        Ok(page.value)
    }

    /// Directory objects (users, groups) by id (`POST /directoryObjects/getByIds`).
    pub async fn objects_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<DirectoryObject>, ClientError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let u = self.url(&["directoryObjects", "getByIds"], &[]);
        let req = Request::new(Method::POST, u)
            .json(json!({ "ids": ids, "types": ["user", "group"] }))
            .retry_safe();
        let v: Value = self.api.json(req).await?;
        let list = v.get("value").cloned().unwrap_or(Value::Array(Vec::new()));
        serde_json::from_value(list).map_err(|e| ClientError::Decode {
            request: "POST /v1.0/directoryObjects/getByIds".into(),
            message: e.to_string(),
        })
    }
}
