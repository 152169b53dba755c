//! `/vssps` (vssps.dev.azure.com): the organization's tenant (connect,
//! change, disconnect), graph users and groups (remaps), subjects (in
//! subjects.rs) and personal access tokens.

use super::*;

/// A page of a graph list, with the next page's token in `X-MS-ContinuationToken`.
fn graph_page(value: Vec<Value>, next: Option<String>) -> Response {
    let r = wire::json(200, &json!({"count": value.len(), "value": value}));
    match next {
        Some(t) => wire::with_header(r, "x-ms-continuationtoken", &t),
        None => r,
    }
}

/// `/vssps/...`
pub fn vssps(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "vssps", req) {
        return r;
    }
    let p = req.lpath();
    let mut world = sh.world_mut();
    let o = match org_api_preamble(req, &p, &world) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Some(r) = super::back_door::api(sh, req, &p, &mut world, o) {
        return r;
    }
    if let Some(r) = impact::vssps(sh, req, &p, &world, o) {
        return r;
    }
    // PATs are only listed for Entra tokens.
    let (caller, caller_upn) = match org_caller(sh, req, &world, o) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let orgname = world.orgs[o].name.clone();
    let urls = OrgUrls::new(&req.origin, &orgname);
    let raw = &req.segs;
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["connectiondata"]) => connection_data(&world.orgs[o], caller),
        ("GET", ["organization", "organizations", "me"]) => org_json(&world.orgs[o]),
        ("PATCH", ["organization", "organizations", "me"]) => {
            world.tenant_change_attempts += 1;
            let value = req
                .json()
                .and_then(|v| v.as_array().cloned())
                .and_then(|ops| {
                    ops.into_iter().find(|op| {
                        op.get("path")
                            .and_then(Value::as_str)
                            .is_some_and(|p| p.eq_ignore_ascii_case("/TenantId"))
                    })
                })
                .and_then(|op| op.get("value").and_then(Value::as_str).map(str::to_string));
            let Some(tenant) = value else {
                return ado_error(
                    400,
                    "InvalidArgumentValueException",
                    "Expected a JSON patch document like [{\"from\":\"\",\"op\":2,\"path\":\"/TenantId\",\"value\":\"<tenant id>\"}].",
                );
            };
            // TenantId is a GUID property: a domain name (or any other
            // text) is refused before anything is looked up.
            let Some(tenant) = crate::emulator::ids::canonical_guid(&tenant) else {
                return ado_error(
                    400,
                    "InvalidArgumentValueException",
                    &format!(
                        "The value '{tenant}' of /TenantId is not a valid tenant id. Supply the tenant's GUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, not a domain name."
                    ),
                );
            };
            if tenant != ZERO_GUID && !world.may_connect_to(&tenant, &caller_upn) {
                return ado_error(
                    403,
                    "OrganizationCreationRestrictedException",
                    "Connecting organizations to this Microsoft Entra directory is restricted by its 'Restrict organization creation' policy, and you are not on its allowlist. Ask an Azure DevOps Administrator of the directory to add you.",
                );
            }
            let before = world.orgs[o].tenant.clone();
            let result = if tenant == ZERO_GUID {
                world.disconnect(o, caller)
            } else {
                world.connect(o, caller, &caller_upn, &tenant)
            };
            match result {
                Ok(()) => {
                    impact::record_change(&mut world, o, caller, before.as_deref());
                    org_json(&world.orgs[o])
                }
                Err(r) => refusal(r),
            }
        }
        ("GET", ["graph", "users"]) => {
            let kinds: Vec<String> = req
                .q("subjectTypes")
                .map(|s| {
                    s.split(',')
                        .map(|k| k.trim().to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default();
            let users: Vec<&OrgUser> = world.orgs[o]
                .users
                .iter()
                .filter(|u| kinds.is_empty() || kinds.iter().any(|k| k == u.origin_str()))
                .collect();
            let (items, next) = page(&users, req.q("continuationToken"), GRAPH_PAGE);
            graph_page(items.iter().map(|u| graph_user(&urls, u)).collect(), next)
        }
        ("GET", ["graph", "users", _]) => match world.orgs[o].user_by_descriptor(&raw[4]) {
            Some(i) => wire::json(200, &graph_user(&urls, &world.orgs[o].users[i])),
            None => ado_error(
                404,
                "GraphSubjectNotFoundException",
                &format!(
                    "VS860015: The subject with descriptor '{}' could not be found.",
                    raw[4]
                ),
            ),
        },
        ("PATCH", ["graph", "users", _]) => {
            *world.remap_attempts.entry(raw[4].clone()).or_default() += 1;
            if !world.is_admin(o, caller) {
                return not_authorized(&caller_upn);
            }
            let Some(oid) = req.json().and_then(|v| {
                v.get("originId")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }) else {
                return ado_error(
                    400,
                    "InvalidArgumentValueException",
                    "The request body must be {\"originId\": \"<Entra object id>\"}.",
                );
            };
            match world.remap(o, &raw[4], &oid) {
                Ok(i) => wire::json(200, &graph_user(&urls, &world.orgs[o].users[i])),
                Err(r) => refusal(r),
            }
        }
        ("GET", ["graph", "groups"]) => {
            let groups = all_groups(&world.orgs[o], &urls);
            let (items, next) = page(&groups, req.q("continuationToken"), GRAPH_PAGE);
            graph_page(items, next)
        }
        ("GET", ["graph", "memberships", _]) => {
            let down = req
                .q("direction")
                .is_some_and(|d| d.eq_ignore_ascii_case("down"));
            subjects::memberships(&world.orgs[o], &urls, &raw[4], down)
        }
        ("GET" | "HEAD", ["graph", "memberships", _, _]) => {
            subjects::membership(&world.orgs[o], &urls, &raw[4], &raw[5])
        }
        ("GET", ["graph", "groups", _]) => {
            subjects::get(subjects::group(&world.orgs[o], &urls, &raw[4]), &raw[4])
        }
        ("GET", ["graph", "subjects", _]) => {
            subjects::get(subjects::subject(&world.orgs[o], &urls, &raw[4]), &raw[4])
        }
        ("GET", ["graph", "storagekeys", _]) => {
            subjects::storage_key(&world.orgs[o], &urls, &raw[4])
        }
        ("GET", ["graph", "descriptors", _]) => {
            subjects::descriptor(&world.orgs[o], &urls, &raw[4])
        }
        ("GET", ["graph", "membershipstates", _]) => {
            subjects::membership_state(&world.orgs[o], &urls, &raw[4])
        }
        ("POST", ["graph", "subjectlookup"]) => subjects::lookup(&world.orgs[o], &urls, req.json()),
        ("GET", ["tokens", "pats"]) => {
            let org = &world.orgs[o];
            let u = &org.users[caller];
            let now = Utc::now();
            let v: Vec<Value> = org
                .pats
                .iter()
                .filter(|p| {
                    p.owner.eq_ignore_ascii_case(&u.mail)
                        || u.msa_email
                            .as_deref()
                            .is_some_and(|m| m.eq_ignore_ascii_case(&p.owner))
                })
                .map(|p| {
                    json!({
                        "displayName": p.display_name,
                        "validTo": ts(p.valid_to),
                        "validFrom": ts(p.valid_from),
                        "scope": impact::pat_scope(org, &p.authorization_id),
                        "targetAccounts": if p.global { Value::Null } else { json!([org.id]) },
                        "authorizationId": p.authorization_id,
                        "token": null,
                        "isExpired": p.valid_to <= now
                    })
                })
                .collect();
            wire::json(200, &json!({"patTokens": v, "continuationToken": ""}))
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", p[2..].join("/")),
        ),
    }
}

pub(super) fn org_json(o: &Org) -> Response {
    wire::json(
        200,
        &json!({
            "id": o.id,
            "name": o.name,
            "tenantId": o.tenant.clone().unwrap_or_else(|| ZERO_GUID.into()),
            "status": "enabled",
            "type": "personal",
            "owner": o.users[o.owner].id,
            "isActivated": true,
            "preferredRegion": "CUS",
            "dateCreated": "2020-01-01T00:00:00Z",
            "lastUpdated": ts(Utc::now())
        }),
    )
}
