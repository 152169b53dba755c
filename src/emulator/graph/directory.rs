//! Directory settings on Microsoft Graph: `policies/authorizationPolicy`
//! (who may invite guests), the signed-in person's directory roles
//! (`me/memberOf`), a role's members (`directoryRoles(roleTemplateId='…')/members`),
//! `me/checkMemberObjects`, `directoryObjects/getByIds`, and the
//! `createdDateTime` of a user. Roles and settings come from the scenario
//! (state/impact.rs).

use serde_json::{Value, json};

use super::super::jwt;
use super::super::state::{Tenant, TenantUser, World};
use super::{Out, err, ok};

use crate::azure::{INVITER_ROLES, ROLE_TEMPLATES};

fn template_of(role: &str) -> String {
    ROLE_TEMPLATES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(role))
        .map_or_else(
            || crate::emulator::ids::guid(&["role", role]),
            |(_, t)| t.to_string(),
        )
}

/// The activated role's object id in a tenant (not its template id).
fn role_object_id(tid: &str, role: &str) -> String {
    crate::emulator::ids::guid(&["directoryrole", tid, &template_of(role)])
}

fn role_json(tid: &str, role: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": role_object_id(tid, role),
        "displayName": role,
        "description": "",
        "roleTemplateId": template_of(role),
    })
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
    let roles = world.impact.roles_of(&tenant.id, &me.upn);
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
#[allow(clippy::too_many_arguments)]
pub fn route(
    world: &World,
    tenant: &Tenant,
    claims: &jwt::Claims,
    method: &str,
    lp: &[&str],
    path: &[String],
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
                .impact
                .roles_of(tid, &me.upn)
                .iter()
                .map(|r| role_json(tid, r))
                .collect();
            ok(
                200,
                json!({"@odata.context": context("directoryObjects"), "value": roles}),
            )
        }
        ("GET", [key, "members"]) if key.starts_with("directoryroles(roletemplateid=") => {
            let template = path[0]
                .split_once('=')
                .map(|(_, v)| {
                    v.trim_end_matches(')')
                        .trim_matches('\'')
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
            let roles = world.impact.roles.get(tid);
            let Some((_, holders)) = roles.and_then(|r| {
                r.iter()
                    .find(|(name, holders)| template_of(name) == template && !holders.is_empty())
            }) else {
                // A role nobody ever held is not activated in the directory.
                return Some(err(
                    404,
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource 'directoryRoles(roleTemplateId='{template}')' does not exist or one of its queried reference-property objects are not present."
                    ),
                ));
            };
            let members: Vec<Value> = holders
                .iter()
                .filter_map(|upn| tenant.user_by_upn(upn))
                .map(user_ref)
                .collect();
            ok(
                200,
                json!({"@odata.context": context("directoryObjects"), "value": members}),
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
                .impact
                .roles_of(tid, &me.upn)
                .iter()
                .map(|r| role_object_id(tid, r))
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
