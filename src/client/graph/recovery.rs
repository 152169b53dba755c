//! Graph reads a locked-out owner's recovery needs: who holds a directory
//! role (Microsoft Learn, "List members of a directory role": `GET
//! /directoryRoles(roleTemplateId='{id}')/members`, v1.0; permission
//! RoleManagement.Read.Directory or Directory.Read.All, which a member's
//! default permissions cover and a guest's do not), and whether a guest has
//! accepted their invitation (`externalUserState` of `GET /users/{id}`).

use serde::Deserialize;

use super::GraphClient;
use crate::client::ClientError;
use crate::client::models::graph::User;

pub use crate::azure::{AZURE_DEVOPS_ADMINISTRATOR, GLOBAL_ADMINISTRATOR};

/// What `$select` asks of a role member or a guest.
const MEMBER_SELECT: &str = "id,displayName,userPrincipalName,mail,userType";

/// A guest's invitation state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuestState {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub user_type: Option<String>,
    /// `PendingAcceptance` or `Accepted` (null for a member).
    pub external_user_state: Option<String>,
}

impl GuestState {
    /// The invitation was accepted (or the user is no invited guest).
    pub fn accepted(&self) -> bool {
        !self
            .external_user_state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("PendingAcceptance"))
    }
}

impl GraphClient {
    /// The users holding the built-in role `template_id`. A role nobody was
    /// ever assigned is not activated, and Graph answers 404 for it: nobody
    /// holds it.
    pub async fn directory_role_members(
        &self,
        template_id: &str,
    ) -> Result<Vec<User>, ClientError> {
        let role = format!("directoryRoles(roleTemplateId='{template_id}')");
        let u = self.url(&[&role, "members"], &[("$select", MEMBER_SELECT)]);
        match self.collect::<User>(u).await {
            Err(ClientError::Api(e)) if e.status == 404 => Ok(Vec::new()),
            other => other,
        }
    }

    /// A user's type and invitation state.
    pub async fn guest_state(&self, id: &str) -> Result<GuestState, ClientError> {
        let u = self.url(
            &["users", id],
            &[("$select", "id,userPrincipalName,userType,externalUserState")],
        );
        self.get(u).await
    }
}
