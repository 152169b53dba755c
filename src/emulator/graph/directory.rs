//! Directory settings on Microsoft Graph: `policies/authorizationPolicy`
//! (who may invite guests), the signed-in person's directory roles
//! (`me/memberOf`), `me/checkMemberObjects`, `directoryObjects/getByIds`,
//! and the `createdDateTime` of a user. Settings come from the scenario
//! (state/impact.rs); who holds which role is the one store of role
//! assignments (state/recovery.rs), which `roles.rs` serves as Graph's
//! directory roles.

use serde_json::{Value, json};

use super::super::jwt;
use super::super::state::{Tenant, TenantUser, World};
use super::{Out, err, ok};

use crate::azure::INVITER_ROLES;

/// A role the signed-in person holds, as `me/memberOf` lists it.
fn role_entry(tid: &str, name: &str) -> Value {
    let template = crate::azure::role_template(name).unwrap_or_default();
    let mut v = super::roles::role_json(tid, template);
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "@odata.type".into(),
            "#microsoft.graph.directoryRole".into(),
        );
    }
    v
}

fn user_ref(u: &TenantUser) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": u.id, "displayName": u.display_name, "userPrincipalName": u.upn,
    })
}

/// `createdDateTime` on a user object, when asked for.
pub fn with_created(world: &World, u: &TenantUser, mut v: Value, select: Option<&str>) -> Value {
    let wanted = select.is_some_and(|s| {
        s.split(',')
            .any(|f| f.trim().eq_ignore_ascii_case("createdDateTime"))
    });
    if wanted && let Some(o) = v.as_object_mut() {
        let at = world.impact.created_at(&u.id);
        o.insert(
            "createdDateTime".into(),
            at.format("%Y-%m-%dT%H:%M:%SZ").to_string().into(),
        );
    }
    v
}

/// Whether the signed-in person may invite guests into `tenant`
/// (`authorizationPolicy.allowInvitesFrom` and their roles).
pub fn may_invite(world: &World, tenant: &Tenant, claims: &jwt::Claims) -> bool {
    let setting = world.impact.invites_from(&tenant.id);
    let Some(me) = tenant.user_by_id(&claims.oid) else {
        return false;
    };
    let roles = world.recovery.roles_of(&tenant.id, &me.id);
    let inviter = roles
        .iter()
        .any(|r| INVITER_ROLES.iter().any(|i| i.eq_ignore_ascii_case(r)));
    match setting {
        "none" => false,
        "adminsAndGuestInviters" => inviter,
        "adminsGuestInvitersAndAllMembers" => inviter || me.user_type == "Member",
        _ => true,
    }
}

/// The routes of this file; `None` for any other.
pub fn route(
    world: &World,
    tenant: &Tenant,
    claims: &jwt::Claims,
    method: &str,
    lp: &[&str],
    body: Option<&Value>,
    origin: &str,
) -> Option<Out> {
    let tid = tenant.id.as_str();
    let me = tenant.user_by_id(&claims.oid);
    let context = |entity: &str| format!("{origin}/graph/v1.0/$metadata#{entity}");
    Some(match (method, lp) {
        ("GET", ["policies", "authorizationpolicy"]) => ok(
            200,
            json!({
                "@odata.context": context("policies/authorizationPolicy/$entity"),
                "id": "authorizationPolicy",
                "displayName": "Authorization Policy",
                "description": "Used to manage authorization related settings across the company.",
                "allowInvitesFrom": world.impact.invites_from(tid),
                "allowedToSignUpEmailBasedSubscriptions": true,
                "allowedToUseSSPR": true,
                "allowEmailVerifiedUsersToJoinOrganization": false,
                "blockMsolPowerShell": false,
                "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
                "defaultUserRolePermissions": {
                    "allowedToCreateApps": true, "allowedToCreateSecurityGroups": true,
                    "allowedToReadOtherUsers": true, "permissionGrantPoliciesAssigned": []
                }
            }),
        ),
        ("GET", ["me", "memberof"]) => {
            let Some(me) = me else {
                return Some(err(
                    404,
                    "Request_ResourceNotFound",
                    "The signed-in user is not in this directory.",
                ));
            };
            let roles: Vec<Value> = world
                .recovery
                .roles_of(tid, &me.id)
                .iter()
                .map(|r| role_entry(tid, r))
                .collect();
            ok(
                200,
                json!({"@odata.context": context("directoryObjects"), "value": roles}),
            )
        }
        ("POST", ["me", "checkmemberobjects"]) => {
            let Some(me) = me else {
                return Some(err(
                    404,
                    "Request_ResourceNotFound",
                    "The signed-in user is not in this directory.",
                ));
            };
            let ids: Vec<String> = body
                .and_then(|b| b.get("ids"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_lowercase))
                        .collect()
                })
                .unwrap_or_default();
            // Groups are not emulated; directory roles are.
            let mine: Vec<String> = world
                .recovery
                .roles_of(tid, &me.id)
                .iter()
                .filter_map(|r| crate::azure::role_template(r))
                .map(|t| super::roles::role_id(tid, t))
                .filter(|id| ids.contains(id))
                .collect();
            ok(
                200,
                json!({"@odata.context": context("Collection(Edm.String)"), "value": mine}),
            )
        }
        ("POST", ["directoryobjects", "getbyids"]) => {
            let ids: Vec<&str> = body
                .and_then(|b| b.get("ids"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let found: Vec<Value> = ids
                .iter()
                .filter_map(|id| tenant.user_by_id(id))
                .map(user_ref)
                .collect();
            ok(
                200,
                json!({"@odata.context": context("directoryObjects"), "value": found}),
            )
        }
        _ => return None,
    })
}
