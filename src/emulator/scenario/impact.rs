//! Validating what a scenario says about the change's impact: tenant
//! policies, roles, credentials, variable groups and agents.

use super::{OrgSpec, Scenario, TenantSpec};

/// The Azure DevOps tenant policies the emulator serves.
pub const TENANT_POLICIES: [&str; 5] = [
    "OrganizationCreationRestriction",
    "RestrictGlobalPersonalAccessToken",
    "RestrictFullScopePersonalAccessToken",
    "RestrictPersonalAccessTokenLifespan",
    "EnableLeakedPersonalAccessTokenAutoRevocation",
];

/// `authorizationPolicy.allowInvitesFrom` values.
pub const INVITE_SETTINGS: [&str; 4] = [
    "none",
    "adminsAndGuestInviters",
    "adminsGuestInvitersAndAllMembers",
    "everyone",
];

impl Scenario {
    pub(super) fn validate_impact(&self) -> Result<(), String> {
        for t in &self.tenants {
            for name in t.devops_policies.keys() {
                if !TENANT_POLICIES.contains(&name.as_str()) {
                    return Err(format!(
                        "tenant '{}': unknown devops policy '{name}' (one of {})",
                        t.key,
                        TENANT_POLICIES.join(", ")
                    ));
                }
            }
            if let Some(role) = t
                .roles
                .keys()
                .find(|r| crate::azure::role_template(r).is_none())
            {
                return Err(format!(
                    "tenant '{}': unknown role '{role}' (one of {})",
                    t.key,
                    crate::azure::ROLES.map(|(n, _, _)| n).join(", ")
                ));
            }
            let upns = t
                .devops_policies
                .values()
                .flat_map(|p| p.allow.iter())
                .chain(t.roles.values().flatten());
            for upn in upns {
                if !t.users.iter().any(|u| u.upn.eq_ignore_ascii_case(upn)) {
                    return Err(format!(
                        "tenant '{}': '{upn}' (a role holder or allowlisted) is not one of its users",
                        t.key
                    ));
                }
            }
            if let Some(v) = &t.allow_invites_from
                && !INVITE_SETTINGS.contains(&v.as_str())
            {
                return Err(format!(
                    "tenant '{}': allow_invites_from must be one of {}",
                    t.key,
                    INVITE_SETTINGS.join(", ")
                ));
            }
        }
        self.all_orgs()
            .try_for_each(|org| org.validate_impact(&self.tenants))
    }
}

impl OrgSpec {
    /// Its keys' owners are its users, its connections' issuers and
    /// variable groups' connections exist, its PAT allowlist names users of
    /// the directory it is connected to.
    fn validate_impact(&self, tenants: &[TenantSpec]) -> Result<(), String> {
        let org = self;
        let keys: Vec<&str> = tenants.iter().map(|t| t.key.as_str()).collect();
        let is_user = |e: &str| org.users.iter().any(|u| u.email.eq_ignore_ascii_case(e));
        for k in &org.ssh_keys {
            if !is_user(&k.owner) {
                return Err(format!(
                    "ssh key '{}': owner '{}' is not one of org.users",
                    k.display_name, k.owner
                ));
            }
        }
        for c in &org.service_connections {
            if !matches!(
                c.auth.as_str(),
                "secret" | "certificate" | "workload_identity" | "managed_identity"
            ) {
                return Err(format!(
                    "service connection '{}': auth must be secret, certificate, workload_identity or managed_identity",
                    c.name
                ));
            }
            if let Some(i) = &c.issuer
                && i != "devops"
                && !keys.contains(&i.as_str())
                && uuid::Uuid::parse_str(i).is_err()
            {
                return Err(format!(
                    "service connection '{}': issuer must be 'devops', a tenant key or a tenant id",
                    c.name
                ));
            }
        }
        for g in &org.variable_groups {
            if let Some(c) = &g.service_connection
                && !org.service_connections.iter().any(|x| {
                    x.name.eq_ignore_ascii_case(c) && x.project.eq_ignore_ascii_case(&g.project)
                })
            {
                return Err(format!(
                    "variable group '{}': no service connection '{c}' in project {}",
                    g.name, g.project
                ));
            }
        }
        if !org.pat_policy_allowlist.is_empty() {
            let Some(t) = org
                .tenant
                .as_deref()
                .and_then(|k| tenants.iter().find(|t| t.key == k))
            else {
                return Err(
                    "org.pat_policy_allowlist needs org.tenant: the policy exists only on connected organizations"
                        .into(),
                );
            };
            if let Some(u) = org
                .pat_policy_allowlist
                .iter()
                .find(|u| !t.users.iter().any(|x| x.upn.eq_ignore_ascii_case(u)))
            {
                return Err(format!(
                    "org.pat_policy_allowlist: '{u}' is not a user of tenant '{}'",
                    t.key
                ));
            }
        }
        Ok(())
    }
}
