//! Directory roles as Microsoft Graph v1.0 shows them: `GET /directoryRoles`
//! (the activated roles), `/directoryRoles/{id}` and its `members`, the
//! alternate key `directoryRoles(roleTemplateId='…')`, and
//! `GET /roleManagement/directory/roleAssignments` filtered by
//! `roleDefinitionId` (with `$expand=principal`). Sources (Microsoft Learn):
//! "List directoryRoles", "List members of a directory role", "List
//! unifiedRoleAssignments".
//!
//! Reading them: a Member may, as Entra's default user permissions allow; a
//! Guest may not (403 `Authorization_RequestDenied`); with the scenario's
//! `restrict_role_reads`, only a role holder may.

use serde_json::{Value, json};

use super::super::state::Tenant;
use super::super::state::World;
use super::super::state::recovery::ROLES;
use super::{Out, err, ok, user_json};
use crate::emulator::ids;
use crate::emulator::jwt;

/// The directoryRole object id of `template` in `tenant` (stable).
pub(super) fn role_id(tenant: &str, template: &str) -> String {
    ids::guid(&["directoryRole", tenant, template])
}

pub(super) fn role_json(tenant: &str, template: &str) -> Value {
    let (name, _, description) = ROLES
        .iter()
        .find(|(_, t, _)| *t == template)
        .copied()
        .unwrap_or(("", template, ""));
    json!({
        "id": role_id(tenant, template),
        "deletedDateTime": null,
        "description": description,
        "displayName": name,
        "roleTemplateId": template,
    })
}

/// The role a path segment names: `{id}` or `(roleTemplateId='…')`.
fn named_role(w: &World, tenant: &str, segment: &str) -> Option<String> {
    let template = match segment
        .strip_prefix("directoryroles(roletemplateid=")
        .and_then(|s| s.strip_suffix(')'))
    {
        Some(quoted) => quoted.trim_matches('\'').to_string(),
        None => {
            let id = segment;
            return w
                .recovery
                .roles
                .iter()
                .filter(|a| a.tenant_id == tenant)
                .find(|a| role_id(tenant, &a.template_id) == id)
                .map(|a| a.template_id.clone());
        }
    };
    // Only an activated role (one that was ever assigned) exists.
    w.recovery
        .roles
        .iter()
        .any(|a| a.tenant_id == tenant && a.template_id == template)
        .then_some(template)
}

fn member_json(t: &Tenant, oid: &str) -> Option<Value> {
    let u = t.user_by_id(oid)?;
    let mut v = user_json(u, None);
    if let Some(o) = v.as_object_mut() {
        o.insert("@odata.type".into(), "#microsoft.graph.user".into());
    }
    Some(v)
}

fn not_found(what: &str) -> Out {
    err(
        404,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{what}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// The `$filter` of a role assignment listing: `roleDefinitionId eq '…'`
/// (and optionally `principalId eq '…'`), the forms Graph documents.
fn assignment_filter(filter: &str) -> Option<(Option<String>, Option<String>)> {
    let mut role = None;
    let mut principal = None;
    for clause in filter.split(" and ") {
        let (field, value) = clause.trim().split_once(" eq ")?;
        let value = value.trim().trim_matches('\'').to_ascii_lowercase();
        match field.trim() {
            f if f.eq_ignore_ascii_case("roleDefinitionId") => role = Some(value),
            f if f.eq_ignore_ascii_case("principalId") => principal = Some(value),
            _ => return None,
        }
    }
    Some((role, principal))
}

/// Answer a directory-role route, or `None` when the path is not one.
pub(super) fn route(
    w: &World,
    t: &Tenant,
    claims: &jwt::Claims,
    method: &str,
    lp: &[&str],
    query: &[(String, String)],
    origin: &str,
) -> Option<Out> {
    let first = lp.first().copied()?;
    let is_roles = first == "directoryroles" || first.starts_with("directoryroles(");
    let is_assignments =
        lp.len() == 3 && lp[..3] == ["rolemanagement", "directory", "roleassignments"];
    if !is_roles && !is_assignments {
        return None;
    }
    if method != "GET" {
        return Some(err(
            405,
            "Request_BadRequest",
            "Only reading directory roles is emulated.",
        ));
    }
    let caller = t.user_by_id(&claims.oid);
    if caller.is_none_or(|u| u.user_type == "Guest")
        || (w.recovery.restrict_role_reads && !w.recovery.holds_any(&t.id, &claims.oid))
    {
        return Some(err(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let context = |what: &str| format!("{origin}/graph/v1.0/$metadata#{what}");
    if is_assignments {
        let Some((role, principal)) = q("$filter").as_deref().and_then(assignment_filter) else {
            return Some(err(
                400,
                "Request_UnsupportedQuery",
                "Filter on roleDefinitionId (and principalId) with eq is supported.",
            ));
        };
        let expand = q("$expand").is_some_and(|e| e.eq_ignore_ascii_case("principal"));
        let mut value = Vec::new();
        for a in w.recovery.roles.iter().filter(|a| a.tenant_id == t.id) {
            if role.as_deref().is_some_and(|r| r != a.template_id) {
                continue;
            }
            for m in &a.members {
                if principal.as_deref().is_some_and(|p| p != m) {
                    continue;
                }
                let mut v = json!({
                    "id": ids::guid(&["roleAssignment", &t.id, &a.template_id, m]),
                    "roleDefinitionId": a.template_id,
                    "principalId": m,
                    "directoryScopeId": "/",
                });
                if expand && let Some(p) = member_json(t, m) {
                    v["principal"] = p;
                }
                value.push(v);
            }
        }
        return Some(ok(
            200,
            json!({"@odata.context": context("roleManagement/directory/roleAssignments"), "value": value}),
        ));
    }
    Some(match lp {
        ["directoryroles"] => {
            let value: Vec<Value> = w
                .recovery
                .roles
                .iter()
                .filter(|a| a.tenant_id == t.id)
                .map(|a| role_json(&t.id, &a.template_id))
                .collect();
            ok(
                200,
                json!({"@odata.context": context("directoryRoles"), "value": value}),
            )
        }
        [single] if single.starts_with("directoryroles(") => match named_role(w, &t.id, single) {
            Some(template) => {
                let mut v = role_json(&t.id, &template);
                v["@odata.context"] = context("directoryRoles/$entity").into();
                ok(200, v)
            }
            None => not_found(single),
        },
        ["directoryroles", id] => match named_role(w, &t.id, id) {
            Some(template) => {
                let mut v = role_json(&t.id, &template);
                v["@odata.context"] = context("directoryRoles/$entity").into();
                ok(200, v)
            }
            None => not_found(id),
        },
        ["directoryroles", id, "members"] | [id, "members"] => match named_role(w, &t.id, id) {
            Some(template) => {
                let value: Vec<Value> = w
                    .recovery
                    .holders(&t.id, &template)
                    .iter()
                    .filter_map(|m| member_json(t, m))
                    .collect();
                ok(
                    200,
                    json!({"@odata.context": context("directoryObjects"), "value": value}),
                )
            }
            None => not_found(id),
        },
        _ => err(
            400,
            "BadRequest",
            &format!("Resource not found for the segment '{}'.", lp.join("/")),
        ),
    })
}
