//! What a locked-out owner's ways back need: directory roles with members,
//! invitations that must be accepted and then take time to reach Azure
//! DevOps, the back door (what `aex.dev.azure.com/me` lets the original owner
//! do) and claiming ownership of an orphaned organization.
//!
//! Sources (Microsoft Learn): "Microsoft Entra built-in roles" (the role
//! template ids), "List members of a directory role" (Graph), "Assign an
//! owner to an orphaned organization" (claiming ownership), "Access via
//! Microsoft Entra FAQs" (Entra changes can take up to an hour to reach
//! Azure DevOps), "B2B collaboration invitation redemption" (a guest signs in
//! once the invitation is redeemed, by its link or just in time). Where the
//! real behaviour is unknown the rule below is the strict one, and
//! docs/emulator.md says so.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::super::ids;
use super::{Origin, Refusal, Subject, World};

pub use crate::azure::{AZURE_DEVOPS_ADMINISTRATOR, ROLES};

/// The scenario's `recovery` block.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverySpec {
    /// Directory role assignments.
    #[serde(default)]
    pub roles: Vec<RoleSpec>,
    /// Seconds after an invitation is accepted before Azure DevOps sees the
    /// guest (Microsoft: up to an hour).
    #[serde(default)]
    pub propagation_secs: u64,
    /// What the back door allows.
    #[serde(default)]
    pub back_door: BackDoor,
    /// Only role holders may read directory roles (members may by default).
    #[serde(default)]
    pub restrict_role_reads: bool,
}

/// One role and who holds it, in one tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    /// Key of the tenant.
    pub tenant: String,
    /// The role's display name (see [`ROLES`]).
    pub role: String,
    /// UPNs of the holders.
    pub members: Vec<String>,
}

/// What the back door lets the original owner's personal account do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackDoor {
    /// The page (`/aex/me`) disconnects; the API refuses the personal account
    /// (the strict choice: the organization's API refuses non-members).
    #[default]
    Page,
    /// The page and the API (the organization PATCH) both accept it.
    Api,
    /// Both refuse: only support can help.
    Refused,
}

/// The state of a guest made by an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The invited address (the guest's sign-in address).
    pub address: String,
    pub invited_at: DateTime<Utc>,
    /// Redeemed (by its link, or an interactive sign-in to the tenant).
    pub accepted_at: Option<DateTime<Utc>>,
    /// Azure DevOps bound a disconnected user of this address to the guest.
    pub bound: bool,
}

impl Invite {
    pub fn new(address: &str, now: DateTime<Utc>) -> Self {
        Invite {
            address: address.to_string(),
            invited_at: now,
            accepted_at: None,
            bound: false,
        }
    }
}

/// Role holders of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub tenant_id: String,
    pub template_id: String,
    /// Object ids of the holders.
    pub members: Vec<String>,
}

/// The world's recovery rules.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    pub roles: Vec<Assignment>,
    pub propagation: u64,
    pub back_door: BackDoor,
    pub restrict_role_reads: bool,
    /// Ownership claims that landed (tests check "exactly once").
    pub claims: u32,
    /// Disconnects through the back door that landed.
    pub back_door_disconnects: u32,
    /// Invitations accepted so far. Until there is one, no guest can be
    /// waiting to be bound, and a request need not look (a directory may
    /// hold a million users).
    pub accepted: u32,
}

/// A role's template id from its display name (any case).
pub fn template_of(role: &str) -> Option<&'static str> {
    crate::azure::role_template(role)
}

impl Recovery {
    /// Build from a scenario's block; `tenant_id` maps a tenant key to its id
    /// and `object` a (tenant id, UPN) to the user's object id.
    pub fn build(
        spec: &RecoverySpec,
        tenant_id: impl Fn(&str) -> String,
        object: impl Fn(&str, &str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut out = Recovery {
            roles: Vec::new(),
            propagation: spec.propagation_secs,
            back_door: spec.back_door,
            restrict_role_reads: spec.restrict_role_reads,
            claims: 0,
            back_door_disconnects: 0,
            accepted: 0,
        };
        for r in &spec.roles {
            let template = template_of(&r.role).ok_or_else(|| {
                format!(
                    "recovery.roles: unknown role '{}' (known: {})",
                    r.role,
                    ROLES.map(|(n, _, _)| n).join(", ")
                )
            })?;
            let tid = tenant_id(&r.tenant);
            let mut members = Vec::new();
            for m in &r.members {
                members.push(object(&tid, m).ok_or_else(|| {
                    format!(
                        "recovery.roles: '{m}' is not a user of tenant '{}'",
                        r.tenant
                    )
                })?);
            }
            out.assign(&tid, template, members);
        }
        Ok(out)
    }

    /// Holders of `template` in `tenant`.
    pub fn holders(&self, tenant: &str, template: &str) -> &[String] {
        self.roles
            .iter()
            .find(|a| a.tenant_id.eq_ignore_ascii_case(tenant) && a.template_id == template)
            .map_or(&[], |a| a.members.as_slice())
    }

    /// Display names of the roles `oid` holds in `tenant`.
    pub fn roles_of(&self, tenant: &str, oid: &str) -> Vec<&'static str> {
        self.roles
            .iter()
            .filter(|a| {
                a.tenant_id.eq_ignore_ascii_case(tenant) && a.members.iter().any(|m| m == oid)
            })
            .filter_map(|a| crate::azure::role_name(&a.template_id))
            .collect()
    }

    /// Give `members` (object ids) the role `template` in `tenant`.
    pub fn assign(&mut self, tenant: &str, template: &str, members: Vec<String>) {
        match self
            .roles
            .iter_mut()
            .find(|a| a.tenant_id == tenant && a.template_id == template)
        {
            Some(a) => {
                for m in members {
                    if !a.members.contains(&m) {
                        a.members.push(m);
                    }
                }
            }
            None => self.roles.push(Assignment {
                tenant_id: tenant.to_string(),
                template_id: template.to_string(),
                members,
            }),
        }
    }

    /// Whether `oid` holds any role in `tenant`.
    pub fn holds_any(&self, tenant: &str, oid: &str) -> bool {
        self.roles
            .iter()
            .any(|a| a.tenant_id.eq_ignore_ascii_case(tenant) && a.members.iter().any(|m| m == oid))
    }
}

/// Check a scenario's `recovery` block against its tenants.
pub fn validate(
    spec: &RecoverySpec,
    tenants: &[super::super::scenario::TenantSpec],
) -> Result<(), String> {
    for r in &spec.roles {
        if template_of(&r.role).is_none() {
            return Err(format!(
                "recovery.roles: unknown role '{}' (known: {})",
                r.role,
                ROLES.map(|(n, _, _)| n).join(", ")
            ));
        }
        let Some(t) = tenants.iter().find(|t| t.key == r.tenant) else {
            return Err(format!(
                "recovery.roles: tenant '{}' is not a tenant key",
                r.tenant
            ));
        };
        for m in &r.members {
            if !t.users.iter().any(|u| u.upn.eq_ignore_ascii_case(m)) {
                return Err(format!(
                    "recovery.roles: '{m}' is not a user of tenant '{}'",
                    r.tenant
                ));
            }
        }
    }
    Ok(())
}

/// What a sign-in of a guest whose invitation is pending does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Not an invited guest, or already accepted: nothing to do.
    Plain,
    /// An interactive sign-in redeems the invitation (just in time).
    Redeem { tenant: String, user: String },
    /// A silent one (refresh) cannot: the guest does not exist there yet.
    Refuse,
}

impl World {
    /// What signing in as `s` does to a pending invitation.
    pub fn sign_in_effect(&self, s: &Subject, interactive: bool) -> SignIn {
        let pending = self
            .tenant(&s.tid)
            .and_then(|t| t.user_by_id(&s.oid))
            .and_then(|u| u.invitation.as_ref())
            .is_some_and(|i| i.accepted_at.is_none());
        match (pending, interactive) {
            (false, _) => SignIn::Plain,
            (true, true) => SignIn::Redeem {
                tenant: s.tid.clone(),
                user: s.oid.clone(),
            },
            (true, false) => SignIn::Refuse,
        }
    }

    /// Redeem the invitation of `user` in `tenant` (idempotent).
    pub fn redeem(&mut self, tenant: &str, user: &str, now: DateTime<Utc>) -> bool {
        let Some(t) = self.tenant_mut(tenant) else {
            return false;
        };
        let Some(u) = t.users.iter_mut().find(|u| u.id.eq_ignore_ascii_case(user)) else {
            return false;
        };
        let Some(i) = u.invitation.as_mut() else {
            return false;
        };
        if i.accepted_at.is_none() {
            i.accepted_at = Some(now);
            self.recovery.accepted += 1;
        }
        true
    }

    /// Guests of a connected tenant whose accepted invitation Azure DevOps
    /// sees by `now` and a disconnected user of the same address waits for,
    /// in every organization: (organization, guest position, its user).
    fn due_bindings(&self, now: DateTime<Utc>) -> Vec<(usize, usize, usize)> {
        (0..self.orgs.len())
            .flat_map(|o| {
                self.due_bindings_in(o, now)
                    .into_iter()
                    .map(move |(g, u)| (o, g, u))
            })
            .collect()
    }

    /// [`Self::due_bindings`] of organization `org`: (guest, user).
    fn due_bindings_in(&self, org: usize, now: DateTime<Utc>) -> Vec<(usize, usize)> {
        let Some(t) = self.orgs[org]
            .tenant
            .as_deref()
            .and_then(|t| self.tenant(t))
        else {
            return Vec::new();
        };
        let after = Duration::seconds(self.recovery.propagation.min(86_400 * 30) as i64);
        let mut out = Vec::new();
        for (g, u) in t.users.iter().enumerate() {
            let Some(i) = u.invitation.as_ref() else {
                continue;
            };
            if i.bound || i.accepted_at.is_none_or(|a| a + after > now) {
                continue;
            }
            let waiting = self.orgs[org].users.iter().position(|o| {
                !o.active
                    && o.origin == Origin::Msa
                    && (o.msa_email.as_deref().unwrap_or(&o.principal_name))
                        .eq_ignore_ascii_case(&i.address)
            });
            if let Some(o) = waiting {
                out.push((g, o));
            }
        }
        out
    }

    /// Bind what is due (see [`Self::due_bindings`]): the disconnected user
    /// becomes the guest, as a connect binds a same-UPN user.
    fn bind_due(&mut self, now: DateTime<Utc>) {
        for (org, g, o) in self.due_bindings(now) {
            let Some(tid) = self.orgs[org].tenant.clone() else {
                continue;
            };
            let Some(t) = self.tenant_mut(&tid) else {
                continue;
            };
            let guest = t.users[g].clone();
            if let Some(i) = t.users[g].invitation.as_mut() {
                i.bound = true;
            }
            let u = &mut self.orgs[org].users[o];
            u.origin = Origin::Aad;
            u.origin_id = guest.id;
            u.principal_name = guest.upn;
            u.aad_tenant = Some(tid.clone());
            u.descriptor = ids::descriptor("aad", &u.id);
            u.active = true;
        }
    }

    /// The original owner's personal account (the address the organization
    /// was created with), whatever the owner's user is now.
    pub fn original_owner(&self, org: usize) -> Option<&str> {
        let o = &self.orgs[org].users[self.orgs[org].owner];
        o.msa_email.as_deref()
    }

    /// Whether `s` is the original owner signing in with that personal account.
    pub fn is_original_owner(&self, org: usize, s: &Subject) -> bool {
        s.tid == ids::CONSUMERS_TENANT
            && self
                .original_owner(org)
                .is_some_and(|m| m.eq_ignore_ascii_case(&s.upn))
    }

    /// Disconnect through the back door as `s` (`api`: the organization
    /// PATCH; else the page).
    pub fn back_door_disconnect(
        &mut self,
        org: usize,
        s: &Subject,
        api: bool,
    ) -> Result<(), Refusal> {
        let allowed = match self.recovery.back_door {
            BackDoor::Api => true,
            BackDoor::Page => !api,
            BackDoor::Refused => false,
        };
        if !self.is_original_owner(org, s) {
            return Err(Refusal {
                status: 401,
                type_key: "UnauthorizedRequestException",
                message: format!(
                    "TF400813: The user '{}' is not authorized to access this resource.",
                    s.upn
                ),
            });
        }
        if !allowed {
            return Err(Refusal {
                status: 403,
                type_key: "UnauthorizedRequestException",
                message: "VS403403: This organization cannot be disconnected from Microsoft Entra ID with a personal account. Contact Azure DevOps support.".into(),
            });
        }
        if self.orgs[org].tenant.is_none() {
            return Ok(());
        }
        let owner = self.orgs[org].owner;
        self.disconnect(org, owner)?;
        self.recovery.back_door_disconnects += 1;
        Ok(())
    }

    /// Claim ownership of an orphaned organization as `s`, an Azure DevOps
    /// Administrator of its tenant: allowed only when the owner and every
    /// Project Collection Administrator are inactive. The claimer becomes
    /// the owner (added to the organization when not a user). Returns the
    /// new owner's position.
    pub fn claim_ownership(
        &mut self,
        org: usize,
        s: &Subject,
        now: DateTime<Utc>,
    ) -> Result<usize, Refusal> {
        let refuse = |status: u16, message: String| Refusal {
            status,
            type_key: "UnauthorizedRequestException",
            message,
        };
        let Some(tid) = self.orgs[org].tenant.clone() else {
            return Err(refuse(
                400,
                "The organization is not connected to Microsoft Entra ID: only its owner can change its owner.".into(),
            ));
        };
        if !s.tid.eq_ignore_ascii_case(&tid) {
            return Err(refuse(
                401,
                format!(
                    "TF400813: The user '{}' is not a user of the organization's directory.",
                    s.upn
                ),
            ));
        }
        if !self
            .recovery
            .holders(&tid, AZURE_DEVOPS_ADMINISTRATOR)
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&s.oid))
        {
            return Err(refuse(
                403,
                format!(
                    "'{}' does not hold the Azure DevOps Administrator role in the organization's directory.",
                    s.upn
                ),
            ));
        }
        let active_admin = self.orgs[org]
            .users
            .iter()
            .enumerate()
            .find(|(i, u)| u.active && (*i == self.orgs[org].owner || u.admin))
            .map(|(_, u)| u.principal_name.clone());
        if let Some(who) = active_admin {
            return Err(refuse(
                409,
                format!(
                    "The organization is not orphaned: {who} is an active owner or Project Collection Administrator. Ask them to change the owner (Organization settings > Overview)."
                ),
            ));
        }
        let mine = self.orgs[org]
            .users
            .iter()
            .position(|u| u.active && u.origin == Origin::Aad && u.origin_id == s.oid);
        let i = match mine {
            Some(i) => i,
            None => self
                .add_org_user(org, &s.upn, "Basic", now)
                .map_err(|m| refuse(400, m))?,
        };
        self.orgs[org].users[i].admin = true;
        self.orgs[org].owner = i;
        self.recovery.claims += 1;
        Ok(i)
    }
}

/// Bind what Azure DevOps sees by now (called before each Azure DevOps
/// request). The world is written only when something is due.
pub fn settle(sh: &super::super::Shared) {
    let now = Utc::now();
    let due = {
        let world = sh.world.read().expect("world");
        world.recovery.accepted > 0 && !world.due_bindings(now).is_empty()
    };
    if due {
        sh.world_mut().bind_due(now);
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::scenario::Scenario;
    use super::*;

    fn world(name: &str) -> World {
        World::from_scenario(Scenario::load(name).unwrap(), Utc::now())
    }

    #[test]
    fn an_accepted_invitation_binds_the_owner_after_the_delay() {
        let mut w = world("locked-out-uninvited");
        w.recovery.propagation = 60;
        let t = w.orgs[0].tenant.clone().unwrap();
        let now = Utc::now();
        let id = {
            let tenant = w.tenant_mut(&t).unwrap();
            let i = tenant.add_user(super::super::TenantUser {
                id: "guest-1".into(),
                upn: "alice_outlook.com#EXT#@contoso.onmicrosoft.com".into(),
                display_name: "Alice".into(),
                mail: Some("alice@outlook.com".into()),
                other_mails: vec![],
                proxy_addresses: vec![],
                user_type: "Guest".into(),
                enabled: true,
                msa: Some("alice@outlook.com".into()),
                invitation: Some(Invite::new("alice@outlook.com", now)),
                names: None,
                licenses: vec![],
            });
            tenant.users[i].id.clone()
        };
        let s = w.resolve("alice@outlook.com", &t).unwrap();
        assert_eq!(s.oid, id);
        assert_eq!(w.sign_in_effect(&s, false), SignIn::Refuse);
        assert!(matches!(w.sign_in_effect(&s, true), SignIn::Redeem { .. }));
        assert!(w.redeem(&t, &id, now));
        assert_eq!(w.sign_in_effect(&s, false), SignIn::Plain);
        assert!(w.due_bindings(now).is_empty(), "not before the delay");
        w.bind_due(now + Duration::seconds(61));
        assert_eq!(w.org_user_for(0, &s), Some(w.orgs[0].owner));
    }

    #[test]
    fn only_an_orphaned_organization_can_be_claimed_by_its_tenant_admin() {
        let mut w = world("locked-out");
        let t = w.orgs[0].tenant.clone().unwrap();
        let dev1 = w.resolve("dev1@contoso.com", &t).unwrap();
        assert_eq!(
            w.claim_ownership(0, &dev1, Utc::now()).unwrap_err().status,
            403
        );
        let admin = w.resolve("devops-admin@contoso.com", &t).unwrap();
        let i = w.claim_ownership(0, &admin, Utc::now()).unwrap();
        assert_eq!(w.orgs[0].owner, i);
        assert_eq!(w.org_user_for(0, &admin), Some(i));
        // Now it has an active owner: a second claim is refused.
        assert_eq!(
            w.claim_ownership(0, &admin, Utc::now()).unwrap_err().status,
            409
        );
        assert_eq!(w.recovery.claims, 1);
    }

    #[test]
    fn the_back_door_takes_only_the_original_owners_personal_account() {
        let mut w = world("locked-out");
        let alice = w.resolve("alice@outlook.com", "consumers").unwrap();
        let dev2 = w.resolve("dev2@gmail.com", "consumers").unwrap();
        assert_eq!(
            w.back_door_disconnect(0, &dev2, false).unwrap_err().status,
            401
        );
        assert_eq!(
            w.back_door_disconnect(0, &alice, true).unwrap_err().status,
            403
        );
        assert!(w.orgs[0].tenant.is_some());
        w.back_door_disconnect(0, &alice, false).unwrap();
        assert!(w.orgs[0].tenant.is_none());
        assert_eq!(w.org_user_for(0, &alice), Some(w.orgs[0].owner));
    }
}
