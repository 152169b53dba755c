//! `/dev` (dev.azure.com): the tenant probe, connectionData, the
//! Contribution data providers and `_settings` pages, projects,
//! repositories, service endpoints and organization policies.

use super::*;

/// `/dev/...`
pub fn dev(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "dev", req) {
        return r;
    }
    let p = req.lpath();
    let Some(org) = p.first().copied() else {
        return wire::text(
            200,
            "text/html; charset=utf-8",
            "<html><body>Azure DevOps</body></html>".into(),
        );
    };
    if let Some(r) = super::claim::claim(sh, req, &p) {
        return r;
    }
    let mut world = sh.world_mut();
    let Some(o) = world.org_index(org) else {
        return no_org(org);
    };
    let orgname = world.orgs[o].name.clone();
    // The unauthenticated tenant probe.
    if p.len() == 1 {
        let authed = matches!(credentials(sh, req), Some(Ok(_)));
        let r = if authed {
            wire::text(
                200,
                "text/html; charset=utf-8",
                format!("<html><body>{orgname}</body></html>"),
            )
        } else if super::claim::wants_html(req) {
            super::claim::refused_page(&orgname)
        } else {
            wire::empty(401)
        };
        return challenge(&world, &req.origin, Some(org), r);
    }
    let (caller, caller_upn) = match org_caller(sh, req, &world, o) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if p[1] == "_settings" {
        return settings(&world, o, &p[2..]);
    }
    if let Some(r) = impact::git_refs(&world.orgs[o], &p, req) {
        return r;
    }
    // Project-scoped routes: /{org}/{project}/_apis/...
    let (project, rest): (Option<&str>, &[&str]) =
        if p.get(1) != Some(&"_apis") && p.get(2) == Some(&"_apis") {
            (Some(p[1]), &p[3..])
        } else if p.get(1) == Some(&"_apis") {
            (None, &p[2..])
        } else {
            return ado_error(
                404,
                "RouteNotFoundException",
                "The requested resource does not exist.",
            );
        };
    let area = rest.first().copied().unwrap_or("");
    // The location service's connectionData answers without an api-version.
    if area != "connectiondata"
        && let Some(r) = check_api_version(req, area)
    {
        return r;
    }
    let _ = caller_upn;
    let urls = OrgUrls::new(&req.origin, &orgname);
    if let Some(r) = impact::dev(&world, o, &urls, project, rest, req) {
        return r;
    }
    match (req.method.as_str(), rest) {
        ("GET", ["connectiondata"]) => connection_data(&world.orgs[o], caller),
        ("POST", ["contribution", "hierarchyquery"]) => hierarchy_query(&world, o, caller, req),
        ("GET", ["projects"]) => projects(&world, o, &urls),
        ("GET", ["projects", _]) => {
            let capabilities = req
                .q("includeCapabilities")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            one_project(
                &world,
                o,
                &urls,
                req.segs.last().map_or("", String::as_str),
                capabilities,
            )
        }
        ("GET", ["git", "repositories"]) => repositories(&world, o, &urls, project, None),
        ("GET", ["git", "repositories", repo]) => {
            repositories(&world, o, &urls, project, Some(repo))
        }
        ("GET", ["serviceendpoint", "endpoints"]) => {
            service_endpoints(&world, o, &urls, project, None, req)
        }
        ("GET", ["serviceendpoint", "endpoints", id]) => {
            service_endpoints(&world, o, &urls, project, Some(id), req)
        }
        ("GET", ["organizationpolicy", "policies", name]) => policy(&world, o, name),
        ("PATCH", ["organizationpolicy", "policies", name]) => {
            if !world.is_admin(o, caller) {
                return not_authorized(&world.orgs[o].users[caller].principal_name);
            }
            let value = req
                .json()
                .and_then(|v| v.as_array().and_then(|a| a.first().cloned()))
                .and_then(|op| op.get("value").cloned());
            let b = match value {
                Some(Value::Bool(b)) => b,
                Some(Value::String(s))
                    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                {
                    s.eq_ignore_ascii_case("true")
                }
                _ => {
                    return ado_error(
                        400,
                        "InvalidArgumentValueException",
                        "Expected a JSON patch document like [{\"from\":\"\",\"op\":2,\"path\":\"/Value\",\"value\":\"true\"}].",
                    );
                }
            };
            let key = canonical_policy(name);
            world.orgs[o].policies.insert(key, b);
            wire::empty(204)
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", rest.join("/")),
        ),
    }
}

fn canonical_policy(name: &str) -> String {
    for known in [
        "Policy.DisallowAadGuestUserAccess",
        "Policy.EnforceAADConditionalAccess",
        "Policy.DisallowOAuthAuthentication",
        "Policy.DisallowSecureShell",
        "Policy.AllowAnonymousAccess",
        "Policy.DisablePATCreation",
        "Policy.AllowTeamAdminsInvitationsAccessToken",
    ] {
        if known.eq_ignore_ascii_case(name) {
            return known.to_string();
        }
    }
    name.to_string()
}

fn policy(world: &World, o: usize, name: &str) -> Response {
    let key = canonical_policy(name);
    let value = world.orgs[o].policies.get(&key).copied().unwrap_or(false);
    wire::json(
        200,
        &json!({
            "policy": {"name": key, "value": value, "effectiveValue": value, "isValueUndefined": !world.orgs[o].policies.contains_key(&key), "parentPolicy": null},
            "description": "",
            "learnMoreLink": "",
            "applicableServiceHost": "Collection"
        }),
    )
}

fn settings(world: &World, o: usize, rest: &[&str]) -> Response {
    match rest {
        ["organizationaad"] => wire::json(
            200,
            &json!({"fps": {"dataProviders": {"data": {
                "ms.vss-admin-web.organization-admin-aad-data-provider": {"orgnizationTenantData": tenant_data(world, o)}
            }}}}),
        ),
        ["organizationpolicy"] => wire::json(
            200,
            &json!({"fps": {"dataProviders": {"data": {
                "ms.vss-admin-web.organization-policies-data-provider": {"policies": impact::policy_categories(&world.orgs[o])}
            }}}}),
        ),
        _ => ado_error(
            404,
            "RouteNotFoundException",
            "The requested settings page does not exist.",
        ),
    }
}

fn tenant_data(world: &World, o: usize) -> Value {
    match world.orgs[o].tenant.as_ref().and_then(|t| world.tenant(t)) {
        Some(t) => json!({"id": t.id, "displayName": t.display_name, "domain": t.initial_domain}),
        None => json!({"id": ZERO_GUID, "displayName": "", "domain": ""}),
    }
}

fn hierarchy_query(world: &World, o: usize, caller: usize, req: &Req) -> Response {
    let Some(body) = req.json() else {
        return ado_error(
            400,
            "InvalidArgumentValueException",
            "The request body must be a JSON object with contributionIds.",
        );
    };
    let ids: Vec<String> = body
        .get("contributionIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut providers = serde_json::Map::new();
    let mut exceptions = serde_json::Map::new();
    let caller_user = &world.orgs[o].users[caller];
    for id in ids {
        let data = match id.as_str() {
            "ms.vss-admin-web.organization-admin-overview-delay-load-data-provider" => {
                let o = &world.orgs[o].users[world.orgs[o].owner];
                json!({"currentOwner": {"id": o.id, "name": o.display_name, "email": o.mail, "descriptor": o.descriptor}})
            }
            "ms.vss-admin-web.organization-admin-aad-data-provider" => {
                json!({"orgnizationTenantData": tenant_data(world, o)})
            }
            "ms.vss-admin-web.organization-admin-aad-user-tenants-data-provider" => {
                let names = [
                    Some(caller_user.principal_name.clone()),
                    caller_user.msa_email.clone(),
                ];
                let tenants: Vec<Value> = world
                    .tenants
                    .iter()
                    .filter(|t| names.iter().flatten().any(|n| t.object_for(n).is_some()))
                    .map(|t| json!({"id": t.id, "displayName": t.display_name, "domain": t.initial_domain}))
                    .collect();
                json!({"userTenantData": {"userTenants": tenants}})
            }
            other => {
                exceptions.insert(other.to_string(), json!({"message": format!("Contribution '{other}' was not found."), "exceptionType": "ContributionNotFoundException"}));
                continue;
            }
        };
        providers.insert(id, data);
    }
    wire::json(
        200,
        &json!({"dataProviderSharedData": {}, "dataProviders": providers, "dataProviderExceptions": exceptions}),
    )
}

fn project_json(
    world: &World,
    o: usize,
    urls: &OrgUrls,
    p: &crate::emulator::state::Project,
) -> Value {
    let org = &world.orgs[o].name;
    let dev = &urls.dev;
    json!({
        "id": p.id, "name": p.name,
        "description": format!("The {} project", p.name),
        "url": format!("{dev}/_apis/projects/{}", p.id),
        "state": "wellFormed", "revision": 11, "visibility": "private",
        "lastUpdateTime": "2026-01-01T00:00:00Z",
        "collection": {"id": world.orgs[o].id, "name": org, "url": format!("{dev}/_apis/projectCollections/{}", world.orgs[o].id), "collectionUrl": format!("{dev}/")},
        "defaultTeam": {"id": crate::emulator::ids::guid(&["team", &p.id]), "name": format!("{} Team", p.name), "url": format!("{dev}/_apis/projects/{}/teams", p.id)}
    })
}

fn projects(world: &World, o: usize, urls: &OrgUrls) -> Response {
    let v: Vec<Value> = world.orgs[o]
        .projects
        .iter()
        .map(|p| project_json(world, o, urls, p))
        .collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

/// `GET projects/{id or name}`: one project, with its capabilities when
/// asked (`includeCapabilities=true`).
fn one_project(world: &World, o: usize, urls: &OrgUrls, key: &str, capabilities: bool) -> Response {
    let Some(p) = world.orgs[o]
        .projects
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(key) || p.name.eq_ignore_ascii_case(key))
    else {
        return ado_error(
            404,
            "ProjectDoesNotExistWithNameException",
            &format!(
                "TF200016: The following project does not exist: {key}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
            ),
        );
    };
    let mut v = project_json(world, o, urls, p);
    v["_links"] = json!({
        "self": {"href": format!("{}/_apis/projects/{}", urls.dev, p.id)},
        "collection": {"href": format!("{}/_apis/projectCollections/{}", urls.dev, world.orgs[o].id)},
        "web": {"href": format!("{}/{}", urls.dev, p.name)}
    });
    if capabilities {
        v["capabilities"] = json!({
            "versioncontrol": {"sourceControlType": "Git", "gitEnabled": "True", "tfvcEnabled": "False"},
            "processTemplate": {"templateName": "Agile", "templateTypeId": "adcc42ab-9882-485e-a3ed-7678f01f66bc"}
        });
    }
    wire::json(200, &v)
}

/// `GET [{project}/]_apis/git/repositories[/{id or name}]`: the repositories
/// of the organization or a project, or one of them.
fn repositories(
    world: &World,
    o: usize,
    urls: &OrgUrls,
    project: Option<&str>,
    repo: Option<&str>,
) -> Response {
    let org = &world.orgs[o].name;
    let dev = &urls.dev;
    let mut v = Vec::new();
    for p in &world.orgs[o].projects {
        if project.is_some_and(|x| !x.eq_ignore_ascii_case(&p.name) && x != p.id) {
            continue;
        }
        for (id, name) in &p.repos {
            if repo.is_some_and(|r| !r.eq_ignore_ascii_case(id) && !r.eq_ignore_ascii_case(name)) {
                continue;
            }
            let mut proj = project_json(world, o, urls, p);
            if let Some(o) = proj.as_object_mut() {
                o.remove("collection");
                o.remove("defaultTeam");
            }
            v.push(json!({
                "id": id, "name": name,
                "url": format!("{dev}/{}/_apis/git/repositories/{id}", p.id),
                "project": proj,
                "defaultBranch": "refs/heads/main",
                "size": 1024,
                "remoteUrl": format!("{dev}/{}/_git/{name}", p.name),
                "sshUrl": format!("git@ssh.dev.azure.com:v3/{org}/{}/{name}", p.name),
                "webUrl": format!("{dev}/{}/_git/{name}", p.name),
                "isDisabled": false,
                "isInMaintenance": false
            }));
        }
    }
    if project.is_some()
        && v.is_empty()
        && !world.orgs[o]
            .projects
            .iter()
            .any(|p| project.is_some_and(|x| x.eq_ignore_ascii_case(&p.name)))
    {
        return ado_error(
            404,
            "ProjectDoesNotExistWithNameException",
            &format!(
                "TF200016: The following project does not exist: {}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.",
                project.unwrap_or("")
            ),
        );
    }
    match repo {
        None => wire::json(200, &json!({"value": v, "count": v.len()})),
        Some(_) if v.len() == 1 => wire::json(200, &v[0]),
        Some(r) => ado_error(
            404,
            "GitRepositoryNotFoundException",
            &format!(
                "TF401019: The Git repository with name or identifier {r} does not exist or you do not have permissions for the operation you are attempting."
            ),
        ),
    }
}

/// `GET {project}/_apis/serviceendpoint/endpoints[/{id}]`.
fn service_endpoints(
    world: &World,
    o: usize,
    urls: &OrgUrls,
    project: Option<&str>,
    id: Option<&str>,
    req: &Req,
) -> Response {
    let Some(project) = project else {
        return ado_error(
            404,
            "RouteNotFoundException",
            "Service endpoints are listed per project: /{organization}/{project}/_apis/serviceendpoint/endpoints.",
        );
    };
    let Some(p) = world.orgs[o]
        .projects
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(project) || p.id == project)
    else {
        return ado_error(
            404,
            "ProjectDoesNotExistWithNameException",
            &format!("TF200016: The following project does not exist: {project}."),
        );
    };
    let want_type = req.q("type").map(str::to_ascii_lowercase);
    let owner = &world.orgs[o].users[world.orgs[o].owner];
    let v: Vec<Value> = world.orgs[o]
        .endpoints
        .iter()
        .filter(|e| e.project.eq_ignore_ascii_case(&p.name))
        .filter(|_| want_type.as_deref().is_none_or(|t| t == "azurerm"))
        .filter(|e| id.is_none_or(|id| e.id.eq_ignore_ascii_case(id)))
        .map(|e| {
            let (authorization, data) = impact::endpoint_auth(&world.orgs[o], &e.id, &e.tenant_id);
            let mut data = data;
            data["subscriptionName"] = json!(format!("{} subscription", e.name));
            json!({
            "data": data,
            "id": e.id, "name": e.name, "type": "AzureRM", "url": "https://management.azure.com/",
            "description": "",
            "createdBy": {"displayName": owner.display_name, "id": owner.id, "uniqueName": owner.principal_name, "descriptor": owner.descriptor,
                "url": format!("{}/_apis/Identities/{}", urls.vssps, owner.id),
                "imageUrl": format!("{}/_apis/GraphProfile/MemberAvatars/{}", urls.dev, owner.descriptor),
                "_links": {"avatar": {"href": format!("{}/_apis/GraphProfile/MemberAvatars/{}", urls.dev, owner.descriptor)}}},
            "authorization": authorization,
            "isShared": false, "isReady": true, "owner": "library",
            "serviceEndpointProjectReferences": [{"projectReference": {"id": p.id, "name": p.name}, "name": e.name}]
        })})
        .collect();
    match id {
        None => wire::json(200, &json!({"count": v.len(), "value": v})),
        Some(_) if v.len() == 1 => wire::json(200, &v[0]),
        Some(id) => ado_error(
            404,
            "ServiceEndpointNotFoundException",
            &format!(
                "The service endpoint with id '{id}' was not found in project {}.",
                p.name
            ),
        ),
    }
}
