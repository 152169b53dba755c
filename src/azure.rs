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

/// `Global Administrator`'s role template id.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// `Azure DevOps Administrator`'s role template id.
pub const AZURE_DEVOPS_ADMINISTRATOR: &str = "e3973bdf-4987-49ae-837a-ba8e231c7286";
/// `Privileged Role Administrator`'s role template id.
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
/// `Guest Inviter`'s role template id.
pub const GUEST_INVITER: &str = "95e79109-95c0-4d8e-aee3-d01accf2d47b";
/// `User Administrator`'s role template id.
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

/// The Microsoft Entra built-in roles ado-entra reads ("Microsoft Entra
/// built-in roles" reference:
/// <https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference>),
/// as (display name, template id, description): Azure DevOps and Global
/// Administrators can let a locked-out owner back in and read the tenant
/// policies; Guest Inviters, User Administrators and Global Administrators
/// may always invite guests.
pub const ROLES: [(&str, &str, &str); 5] = [
    (
        "Global Administrator",
        GLOBAL_ADMINISTRATOR,
        "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
    ),
    (
        "Azure DevOps Administrator",
        AZURE_DEVOPS_ADMINISTRATOR,
        "Can manage Azure DevOps policies and settings.",
    ),
    (
        "Privileged Role Administrator",
        PRIVILEGED_ROLE_ADMINISTRATOR,
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
    ),
    (
        "Guest Inviter",
        GUEST_INVITER,
        "Can invite guest users independent of the 'members can invite guests' setting.",
    ),
    (
        "User Administrator",
        USER_ADMINISTRATOR,
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
    ),
];

/// A built-in role's template id from its display name (any case).
pub fn role_template(name: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, t, _)| *t)
}

/// A built-in role's display name from its template id.
pub fn role_name(template: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(_, t, _)| t.eq_ignore_ascii_case(template))
        .map(|(n, _, _)| *n)
}

/// Roles whose holders may invite guests whatever the directory's
/// `allowInvitesFrom` says (short of `none`).
pub const INVITER_ROLES: [&str; 3] = [
    "Guest Inviter",
    "User Administrator",
    "Global Administrator",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_scope_names_the_resource() {
        assert!(super::ADO_SCOPE.starts_with(super::ADO_RESOURCE_ID));
        assert!(super::ADO_APP_SCOPE.starts_with(super::ADO_RESOURCE_ID));
        assert!(super::GRAPH_APP_SCOPE.starts_with(super::GRAPH_RESOURCE));
    }
}
