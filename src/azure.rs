//! Facts of Azure every layer shares, written once: well-known ids and
//! addresses. The domain, the client, the wizard and the emulator (which
//! stands in for these same services) all import them from here; nothing
//! here imports anything.

/// The tenant of personal Microsoft accounts: their tokens carry it as
/// `tid` (Microsoft identity platform, "ID token claims reference":
/// <https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference>).
pub const CONSUMERS_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// The all-zero GUID: Azure DevOps reports it (`X-VSS-ResourceTenant`) for
/// an organization of personal Microsoft accounts, and setting it
/// disconnects one.
pub const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// The Azure DevOps resource (application) id, the audience of its tokens
/// ("Manage authentication: Microsoft Entra ID", Azure DevOps REST docs:
/// <https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/entra-oauth>).
pub const ADO_RESOURCE_ID: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// The scope for Azure DevOps, with a refresh token.
pub const ADO_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access";

/// The scope an app identity asks for Azure DevOps (no refresh token).
pub const ADO_APP_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";

/// Microsoft Graph's resource, the audience of its tokens.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// The scope an app identity asks for Microsoft Graph.
pub const GRAPH_APP_SCOPE: &str = "https://graph.microsoft.com/.default";

/// The page that still lets an owner reach their organizations (and
/// disconnect one) while the organization refuses them: the recovery
/// answer on Microsoft Q&A for an owner locked out after a connect
/// (<https://learn.microsoft.com/answers/questions/5937045/azure-devops-organization-became-inaccessible-imme>).
pub const RECOVERY_URL: &str = "https://aex.dev.azure.com/me";

#[cfg(test)]
mod tests {
    #[test]
    fn the_scope_names_the_resource() {
        assert!(super::ADO_SCOPE.starts_with(super::ADO_RESOURCE_ID));
        assert!(super::ADO_APP_SCOPE.starts_with(super::ADO_RESOURCE_ID));
        assert!(super::GRAPH_APP_SCOPE.starts_with(super::GRAPH_RESOURCE));
    }
}
