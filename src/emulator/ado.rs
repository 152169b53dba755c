//! Azure DevOps: `/dev` (dev.azure.com), `/vssps`, `/vsaex`, `/app-vssps` and `/aex`.
#![allow(clippy::result_large_err)] // handlers return ready-made HTTP responses as their error path

use axum::response::Response;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::ids::{ADO_AUDIENCE, CONSUMERS_TENANT, ZERO_GUID};
use super::jwt;
use super::state::{OrgUser, PatLookup, Refusal, Subject, World};
use super::wire::{self, Req, ado_error};

mod entitlements;
mod locations;
mod subjects;

const GRAPH_PAGE: usize = 500;
const ENTITLEMENT_PAGE: usize = 100;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Who is calling, once authenticated.
enum Auth {
    Token(Subject),
    Pat(String),
}

/// Credentials from the Authorization header; `Err(())` means present but invalid.
fn credentials(sh: &Shared, req: &Req) -> Option<Result<Auth, ()>> {
    let h = req.header("authorization")?;
    let (scheme, value) = h.split_once(' ').unwrap_or((h, ""));
    Some(match scheme.to_ascii_lowercase().as_str() {
        "bearer" => match jwt::verify(&sh.key, value.trim()) {
            Some(c) if c.aud == ADO_AUDIENCE && c.exp > Utc::now().timestamp() => {
                Ok(Auth::Token(Subject {
                    tid: c.tid,
                    oid: c.oid,
                    upn: c.upn,
                    name: c.name,
                }))
            }
            _ => Err(()),
        },
        "basic" => base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split_once(':').map(|(_, p)| p.to_string()))
            .filter(|p| !p.is_empty())
            .map(Auth::Pat)
            .ok_or(()),
        _ => Err(()),
    })
}

/// The response for a request whose credentials are missing or rejected.
/// (Its 401 gets its challenge headers from [`challenge`].)
fn unauthenticated(req: &Req) -> Response {
    let suppress = req
        .header("x-tfs-fedauthredirect")
        .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
    if suppress || !matches!(req.method.as_str(), "GET" | "POST" | "HEAD") {
        ado_error(
            401,
            "UnauthorizedRequestException",
            "TF400813: The user '' is not authorized to access this resource.",
        )
    } else {
        wire::sign_in_page()
    }
}

/// Add the challenge an Azure DevOps 401 carries: `WWW-Authenticate` naming
/// where to sign in (the organization's tenant, or `common` while it is
/// backed by personal accounts) on the emulator's `/login`, and, on a URL of
/// the organization (`org`), `X-VSS-ResourceTenant` (the all-zero GUID when
/// not connected), as the unauthenticated tenant probe shows them.
pub fn challenge(world: &World, origin: &str, org: Option<&str>, r: Response) -> Response {
    let org_tenant = org
        .filter(|o| org_matches(world, o))
        .map(|_| world.org.tenant.as_deref());
    let authority = org_tenant.flatten().unwrap_or("common");
    let r = wire::with_header(
        r,
        "www-authenticate",
        &format!(
            "Bearer authorization_uri={origin}/login/{authority}, Basic realm=\"{origin}/\", TFS-Federated"
        ),
    );
    match org_tenant {
        Some(t) => wire::with_header(r, "x-vss-resourcetenant", t.unwrap_or(ZERO_GUID)),
        None => r,
    }
}

fn not_authorized(who: &str) -> Response {
    ado_error(
        401,
        "UnauthorizedRequestException",
        &format!("TF400813: The user '{who}' is not authorized to access this resource."),
    )
}

fn refusal(r: Refusal) -> Response {
    ado_error(r.status, r.type_key, &r.message)
}

/// Areas that only exist as previews: their api-version must say `-preview`.
fn preview_only(area: &str) -> bool {
    matches!(
        area,
        "graph" | "organization" | "contribution" | "tokens" | "organizationpolicy"
    )
}

/// The api-version rules: present (query or `Accept`), a number, at most
/// [`locations::MAX_VERSION`], and `-preview` for a preview-only area or a
/// version past [`locations::RELEASED_VERSION`].
fn check_api_version(req: &Req, area: &str) -> Option<Response> {
    let Some(v) = locations::requested_version(req) else {
        return Some(ado_error(
            400,
            "VssVersionNotSpecifiedException",
            &format!(
                "No api-version was supplied for the \"{}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\").",
                req.method
            ),
        ));
    };
    let Ok(number) = v.split('-').next().unwrap_or("").parse::<f32>() else {
        return Some(ado_error(
            400,
            "VssInvalidApiVersionException",
            &format!("The api-version '{v}' is not valid."),
        ));
    };
    if number > locations::MAX_VERSION {
        return Some(ado_error(
            400,
            "VssVersionOutOfRangeException",
            &format!(
                "The requested REST API version of {v} is out of range for this server. The latest REST API version this server supports is {:.1}.",
                locations::MAX_VERSION
            ),
        ));
    }
    let preview = v.to_ascii_lowercase().contains("-preview");
    if !preview && (preview_only(area) || number > locations::RELEASED_VERSION) {
        return Some(ado_error(
            400,
            "VssInvalidPreviewVersionException",
            &format!(
                "The requested version \"{v}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{v}-preview\""
            ),
        ));
    }
    None
}

/// Authenticate against the organization; returns the org user index.
fn org_caller(sh: &Shared, req: &Req, world: &World) -> Result<(usize, String), Response> {
    match credentials(sh, req) {
        None | Some(Err(())) => Err(unauthenticated(req)),
        Some(Ok(Auth::Token(s))) => match world.org_user_for(&s) {
            Some(i) => Ok((i, s.upn)),
            None => Err(not_authorized(&s.oid)),
        },
        Some(Ok(Auth::Pat(p))) => match world.pat_lookup(&p, Utc::now()) {
            PatLookup::Owner(i) if world.org.users[i].active => {
                Ok((i, world.org.users[i].principal_name.clone()))
            }
            PatLookup::Owner(i) => Err(not_authorized(&world.org.users[i].principal_name)),
            PatLookup::Expired => Err(pat_expired()),
            PatLookup::Unknown => Err(unauthenticated(req)),
        },
    }
}

/// What Azure DevOps answers an expired personal access token.
fn pat_expired() -> Response {
    ado_error(
        401,
        "UnauthorizedRequestException",
        "Access Denied: The Personal Access Token used has expired.",
    )
}

/// One organization's hosts on the emulator, as the client addressed it:
/// what Azure writes as `https://dev.azure.com/{org}` and
/// `https://vssps.dev.azure.com/{org}`, so every `_links` and `url` leads
/// back to the emulator.
pub struct OrgUrls {
    pub dev: String,
    pub vssps: String,
}

impl OrgUrls {
    pub fn new(origin: &str, org: &str) -> Self {
        OrgUrls {
            dev: format!("{origin}/dev/{org}"),
            vssps: format!("{origin}/vssps/{org}"),
        }
    }
}

fn links(kind: &str, urls: &OrgUrls, descriptor: &str) -> Value {
    let vssps = &urls.vssps;
    json!({
        "self": {"href": format!("{vssps}/_apis/Graph/{kind}/{descriptor}")},
        "memberships": {"href": format!("{vssps}/_apis/Graph/Memberships/{descriptor}")},
        "membershipState": {"href": format!("{vssps}/_apis/Graph/MembershipStates/{descriptor}")},
        "storageKey": {"href": format!("{vssps}/_apis/Graph/StorageKeys/{descriptor}")},
        "avatar": {"href": format!("{}/_apis/GraphProfile/MemberAvatars/{descriptor}", urls.dev)}
    })
}

/// A graph user as vssps shows it.
pub fn graph_user(urls: &OrgUrls, u: &OrgUser) -> Value {
    let alias = u.principal_name.split('@').next().unwrap_or("").to_string();
    json!({
        "subjectKind": "user",
        "metaType": u.app_kind.unwrap_or(if u.principal_name.contains("#EXT#") { "guest" } else { "member" }),
        "directoryAlias": alias,
        "domain": u.domain(),
        "principalName": u.principal_name,
        "mailAddress": u.mail,
        "origin": u.origin_str(),
        "originId": u.origin_id,
        "displayName": u.display_name,
        "_links": links("Users", urls, &u.descriptor),
        "url": format!("{}/_apis/Graph/Users/{}", urls.vssps, u.descriptor),
        "descriptor": u.descriptor,
        // Not in the public contract; lets callers see who is disconnected.
        "isDeletedInOrigin": !u.active,
    })
}

/// Every group of the organization: Project Collection Administrators,
/// Project Collection Valid Users, then the Entra groups added to it.
fn all_groups(world: &World, urls: &OrgUrls) -> Vec<Value> {
    let org = &world.org;
    let domain = format!("vstfs:///Framework/IdentityDomain/{}", org.id);
    let mut groups = vec![
        group_json(
            urls,
            &org.name,
            &org.pca_descriptor,
            "Project Collection Administrators",
            "vsts",
            &super::ids::guid(&["pca-origin", &org.id]),
            &domain,
        ),
        group_json(
            urls,
            &org.name,
            &org.pvu_descriptor,
            "Project Collection Valid Users",
            "vsts",
            &super::ids::guid(&["pvu-origin", &org.id]),
            &domain,
        ),
    ];
    for g in &org.entra_groups {
        groups.push(group_json(
            urls,
            &org.name,
            &g.descriptor,
            &g.name,
            "aad",
            &g.origin_id,
            org.tenant.as_deref().unwrap_or(""),
        ));
    }
    groups
}

fn group_json(
    urls: &OrgUrls,
    org: &str,
    descriptor: &str,
    name: &str,
    origin: &str,
    origin_id: &str,
    domain: &str,
) -> Value {
    json!({
        "subjectKind": "group",
        "description": "",
        "domain": domain,
        "principalName": format!("[{org}]\\{name}"),
        "mailAddress": null,
        "origin": origin,
        "originId": origin_id,
        "displayName": name,
        "_links": links("Groups", urls, descriptor),
        "url": format!("{}/_apis/Graph/Groups/{descriptor}", urls.vssps),
        "descriptor": descriptor,
    })
}

/// Page `items` with an opaque continuation token (base64 of the offset).
fn page<T: Clone>(items: &[T], token: Option<&str>, size: usize) -> (Vec<T>, Option<String>) {
    let start = token
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.strip_prefix("offset:")
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(0)
        .min(items.len());
    let end = (start + size).min(items.len());
    let next = (end < items.len())
        .then(|| base64::engine::general_purpose::STANDARD.encode(format!("offset:{end}")));
    (items[start..end].to_vec(), next)
}

fn org_matches(world: &World, name: &str) -> bool {
    world.org.name.eq_ignore_ascii_case(name)
}

fn no_org(name: &str) -> Response {
    ado_error(
        404,
        "AccountNotFoundException",
        &format!(
            "VS800075: The organization '{name}' does not exist or you do not have permission to access it."
        ),
    )
}

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
    let mut world = sh.world_mut();
    if !org_matches(&world, org) {
        return no_org(org);
    }
    let orgname = world.org.name.clone();
    // The unauthenticated tenant probe.
    if p.len() == 1 {
        let authed = matches!(credentials(sh, req), Some(Ok(_)));
        let r = if authed {
            wire::text(
                200,
                "text/html; charset=utf-8",
                format!("<html><body>{orgname}</body></html>"),
            )
        } else {
            wire::empty(401)
        };
        return challenge(&world, &req.origin, Some(org), r);
    }
    let (caller, caller_upn) = match org_caller(sh, req, &world) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if p[1] == "_settings" {
        return settings(&world, &p[2..]);
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
    match (req.method.as_str(), rest) {
        ("GET", ["connectiondata"]) => connection_data(&world, caller),
        ("POST", ["contribution", "hierarchyquery"]) => hierarchy_query(&world, caller, req),
        ("GET", ["projects"]) => projects(&world, &urls),
        ("GET", ["projects", _]) => {
            let capabilities = req
                .q("includeCapabilities")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            one_project(
                &world,
                &urls,
                req.segs.last().map_or("", String::as_str),
                capabilities,
            )
        }
        ("GET", ["git", "repositories"]) => repositories(&world, &urls, project, None),
        ("GET", ["git", "repositories", repo]) => repositories(&world, &urls, project, Some(repo)),
        ("GET", ["serviceendpoint", "endpoints"]) => {
            service_endpoints(&world, &urls, project, None, req)
        }
        ("GET", ["serviceendpoint", "endpoints", id]) => {
            service_endpoints(&world, &urls, project, Some(id), req)
        }
        ("GET", ["organizationpolicy", "policies", name]) => policy(&world, name),
        ("PATCH", ["organizationpolicy", "policies", name]) => {
            if !world.is_admin(caller) {
                return not_authorized(&world.org.users[caller].principal_name);
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
            world.org.policies.insert(key, b);
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
    ] {
        if known.eq_ignore_ascii_case(name) {
            return known.to_string();
        }
    }
    name.to_string()
}

fn policy(world: &World, name: &str) -> Response {
    let key = canonical_policy(name);
    let value = world.org.policies.get(&key).copied().unwrap_or(false);
    wire::json(
        200,
        &json!({
            "policy": {"name": key, "value": value, "effectiveValue": value, "isValueUndefined": !world.org.policies.contains_key(&key), "parentPolicy": null},
            "description": "",
            "learnMoreLink": "",
            "applicableServiceHost": "Collection"
        }),
    )
}

fn settings(world: &World, rest: &[&str]) -> Response {
    match rest {
        ["organizationaad"] => wire::json(
            200,
            &json!({"fps": {"dataProviders": {"data": {
                "ms.vss-admin-web.organization-admin-aad-data-provider": {"orgnizationTenantData": tenant_data(world)}
            }}}}),
        ),
        ["organizationpolicy"] => {
            let policies: Vec<Value> = world
                .org
                .policies
                .iter()
                .map(|(k, v)| json!({"policy": {"name": k, "value": v, "effectiveValue": v}}))
                .collect();
            wire::json(
                200,
                &json!({"fps": {"dataProviders": {"data": {
                    "ms.vss-admin-web.organization-policies-data-provider": {"policies": {"applicationConnection": policies, "security": [], "user": []}}
                }}}}),
            )
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            "The requested settings page does not exist.",
        ),
    }
}

fn tenant_data(world: &World) -> Value {
    match world.org.tenant.as_ref().and_then(|t| world.tenant(t)) {
        Some(t) => json!({"id": t.id, "displayName": t.display_name, "domain": t.initial_domain}),
        None => json!({"id": ZERO_GUID, "displayName": "", "domain": ""}),
    }
}

fn connection_data(world: &World, caller: usize) -> Response {
    let u = &world.org.users[caller];
    let identity = json!({
        "id": u.id,
        "descriptor": format!("Microsoft.IdentityModel.Claims.ClaimsIdentity;{}", u.principal_name),
        "subjectDescriptor": u.descriptor,
        "providerDisplayName": u.display_name,
        "isActive": true,
        "members": [], "memberOf": [],
        "resourceVersion": 2,
        "metaTypeId": 0,
        "properties": {"Account": {"$type": "System.String", "$value": u.principal_name}}
    });
    wire::json(
        200,
        &json!({
            "authenticatedUser": identity,
            "authorizedUser": identity,
            "instanceId": world.org.id,
            "deploymentId": super::ids::guid(&["deployment"]),
            "deploymentType": "hosted",
            "locationServiceData": {"serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7", "defaultAccessMappingMoniker": "PublicAccessMapping", "lastChangeId": 1, "lastChangeId64": 1}
        }),
    )
}

fn hierarchy_query(world: &World, caller: usize, req: &Req) -> Response {
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
    let caller_user = &world.org.users[caller];
    for id in ids {
        let data = match id.as_str() {
            "ms.vss-admin-web.organization-admin-overview-delay-load-data-provider" => {
                let o = &world.org.users[world.org.owner];
                json!({"currentOwner": {"id": o.id, "name": o.display_name, "email": o.mail, "descriptor": o.descriptor}})
            }
            "ms.vss-admin-web.organization-admin-aad-data-provider" => {
                json!({"orgnizationTenantData": tenant_data(world)})
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

fn project_json(world: &World, urls: &OrgUrls, p: &super::state::Project) -> Value {
    let org = &world.org.name;
    let dev = &urls.dev;
    json!({
        "id": p.id, "name": p.name,
        "description": format!("The {} project", p.name),
        "url": format!("{dev}/_apis/projects/{}", p.id),
        "state": "wellFormed", "revision": 11, "visibility": "private",
        "lastUpdateTime": "2026-01-01T00:00:00Z",
        "collection": {"id": world.org.id, "name": org, "url": format!("{dev}/_apis/projectCollections/{}", world.org.id), "collectionUrl": format!("{dev}/")},
        "defaultTeam": {"id": super::ids::guid(&["team", &p.id]), "name": format!("{} Team", p.name), "url": format!("{dev}/_apis/projects/{}/teams", p.id)}
    })
}

fn projects(world: &World, urls: &OrgUrls) -> Response {
    let v: Vec<Value> = world
        .org
        .projects
        .iter()
        .map(|p| project_json(world, urls, p))
        .collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

/// `GET projects/{id or name}`: one project, with its capabilities when
/// asked (`includeCapabilities=true`).
fn one_project(world: &World, urls: &OrgUrls, key: &str, capabilities: bool) -> Response {
    let Some(p) = world
        .org
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
    let mut v = project_json(world, urls, p);
    v["_links"] = json!({
        "self": {"href": format!("{}/_apis/projects/{}", urls.dev, p.id)},
        "collection": {"href": format!("{}/_apis/projectCollections/{}", urls.dev, world.org.id)},
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
    urls: &OrgUrls,
    project: Option<&str>,
    repo: Option<&str>,
) -> Response {
    let org = &world.org.name;
    let dev = &urls.dev;
    let mut v = Vec::new();
    for p in &world.org.projects {
        if project.is_some_and(|x| !x.eq_ignore_ascii_case(&p.name) && x != p.id) {
            continue;
        }
        for (id, name) in &p.repos {
            if repo.is_some_and(|r| !r.eq_ignore_ascii_case(id) && !r.eq_ignore_ascii_case(name)) {
                continue;
            }
            let mut proj = project_json(world, urls, p);
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
        && !world
            .org
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
    let Some(p) = world
        .org
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
    let owner = &world.org.users[world.org.owner];
    let v: Vec<Value> = world
        .org
        .endpoints
        .iter()
        .filter(|e| e.project.eq_ignore_ascii_case(&p.name))
        .filter(|_| want_type.as_deref().is_none_or(|t| t == "azurerm"))
        .filter(|e| id.is_none_or(|id| e.id.eq_ignore_ascii_case(id)))
        .map(|e| json!({
            "data": {"subscriptionId": super::ids::guid(&["sub", &e.id]), "subscriptionName": format!("{} subscription", e.name), "environment": "AzureCloud", "scopeLevel": "Subscription", "creationMode": "Automatic"},
            "id": e.id, "name": e.name, "type": "AzureRM", "url": "https://management.azure.com/",
            "description": "",
            "createdBy": {"displayName": owner.display_name, "id": owner.id, "uniqueName": owner.principal_name, "descriptor": owner.descriptor,
                "url": format!("{}/_apis/Identities/{}", urls.vssps, owner.id),
                "imageUrl": format!("{}/_apis/GraphProfile/MemberAvatars/{}", urls.dev, owner.descriptor),
                "_links": {"avatar": {"href": format!("{}/_apis/GraphProfile/MemberAvatars/{}", urls.dev, owner.descriptor)}}},
            "authorization": {"parameters": {"tenantid": e.tenant_id, "serviceprincipalid": super::ids::guid(&["sp", &e.id]), "authenticationType": "spnKey", "serviceprincipalkey": null}, "scheme": "ServicePrincipal"},
            "isShared": false, "isReady": true, "owner": "library",
            "serviceEndpointProjectReferences": [{"projectReference": {"id": p.id, "name": p.name}, "name": e.name}]
        }))
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

/// The checks every org-scoped `{host}/{org}/_apis/{area}/...` route shares:
/// the organization exists, the path is an API path, the api-version is valid.
fn org_api_preamble(req: &Req, p: &[&str], world: &World) -> Result<(), Response> {
    let Some(org) = p.first().copied() else {
        return Err(no_org(""));
    };
    if !org_matches(world, org) {
        return Err(no_org(org));
    }
    if p.get(1) != Some(&"_apis") || p.len() < 3 {
        return Err(ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        ));
    }
    // The location service's connectionData answers without an api-version.
    if p[2] == "connectiondata" {
        return Ok(());
    }
    match check_api_version(req, p[2]) {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

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
    if let Err(r) = org_api_preamble(req, &p, &world) {
        return r;
    }
    // PATs are only listed for Entra tokens.
    let (caller, caller_upn) = match org_caller(sh, req, &world) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let orgname = world.org.name.clone();
    let urls = OrgUrls::new(&req.origin, &orgname);
    let raw = &req.segs;
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["connectiondata"]) => connection_data(&world, caller),
        ("GET", ["organization", "organizations", "me"]) => org_json(&world),
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
            let Some(tenant) = super::ids::canonical_guid(&tenant) else {
                return ado_error(
                    400,
                    "InvalidArgumentValueException",
                    &format!(
                        "The value '{tenant}' of /TenantId is not a valid tenant id. Supply the tenant's GUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, not a domain name."
                    ),
                );
            };
            let result = if tenant == ZERO_GUID {
                world.disconnect(caller)
            } else {
                world.connect(caller, &caller_upn, &tenant)
            };
            match result {
                Ok(()) => org_json(&world),
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
            let users: Vec<&OrgUser> = world
                .org
                .users
                .iter()
                .filter(|u| kinds.is_empty() || kinds.iter().any(|k| k == u.origin_str()))
                .collect();
            let (items, next) = page(&users, req.q("continuationToken"), GRAPH_PAGE);
            graph_page(items.iter().map(|u| graph_user(&urls, u)).collect(), next)
        }
        ("GET", ["graph", "users", _]) => match world.org.user_by_descriptor(&raw[4]) {
            Some(i) => wire::json(200, &graph_user(&urls, &world.org.users[i])),
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
            if !world.is_admin(caller) {
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
            match world.remap(&raw[4], &oid) {
                Ok(i) => wire::json(200, &graph_user(&urls, &world.org.users[i])),
                Err(r) => refusal(r),
            }
        }
        ("GET", ["graph", "groups"]) => {
            let groups = all_groups(&world, &urls);
            let (items, next) = page(&groups, req.q("continuationToken"), GRAPH_PAGE);
            graph_page(items, next)
        }
        ("GET", ["graph", "memberships", _]) => {
            let down = req
                .q("direction")
                .is_some_and(|d| d.eq_ignore_ascii_case("down"));
            subjects::memberships(&world, &urls, &raw[4], down)
        }
        ("GET" | "HEAD", ["graph", "memberships", _, _]) => {
            subjects::membership(&world, &urls, &raw[4], &raw[5])
        }
        ("GET", ["graph", "groups", _]) => {
            subjects::get(subjects::group(&world, &urls, &raw[4]), &raw[4])
        }
        ("GET", ["graph", "subjects", _]) => {
            subjects::get(subjects::subject(&world, &urls, &raw[4]), &raw[4])
        }
        ("GET", ["graph", "storagekeys", _]) => subjects::storage_key(&world, &urls, &raw[4]),
        ("GET", ["graph", "descriptors", _]) => subjects::descriptor(&world, &urls, &raw[4]),
        ("GET", ["graph", "membershipstates", _]) => {
            subjects::membership_state(&world, &urls, &raw[4])
        }
        ("POST", ["graph", "subjectlookup"]) => subjects::lookup(&world, &urls, req.json()),
        ("GET", ["tokens", "pats"]) => {
            let u = &world.org.users[caller];
            let now = Utc::now();
            let v: Vec<Value> = world
                .org
                .pats
                .iter()
                .filter(|p| p.owner.eq_ignore_ascii_case(&u.mail) || u.msa_email.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(&p.owner)))
                .map(|p| json!({
                    "displayName": p.display_name,
                    "validTo": ts(p.valid_to),
                    "validFrom": ts(p.valid_from),
                    "scope": "app_token",
                    "targetAccounts": if p.global { Value::Null } else { json!([world.org.id]) },
                    "authorizationId": p.authorization_id,
                    "token": null,
                    "isExpired": p.valid_to <= now
                }))
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

fn org_json(world: &World) -> Response {
    let o = &world.org;
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

/// `/vsaex/...`: user entitlements.
pub fn vsaex(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "vsaex", req) {
        return r;
    }
    let p = req.lpath();
    if matches!(req.method.as_str(), "POST" | "PATCH") {
        return vsaex_change(sh, req, &p);
    }
    let world = sh.world.read().expect("world");
    if let Err(r) = org_api_preamble(req, &p, &world) {
        return r;
    }
    let caller = match org_caller(sh, req, &world) {
        Ok((c, _)) => c,
        Err(r) => return r,
    };
    let urls = OrgUrls::new(&req.origin, &world.org.name);
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["connectiondata"]) => connection_data(&world, caller),
        ("GET", ["userentitlements", id]) => entitlements::get(&world, &urls, id),
        ("GET", ["userentitlementsummary"]) => entitlements::summary(&world),
        ("GET", ["userentitlements"]) => {
            let listing = match entitlement_listing(sh, &world, req.q("$filter"), req.q("$orderBy"))
            {
                Ok(l) => l,
                Err(r) => return r,
            };
            let total = listing.len();
            let (items, next) = page(&listing, req.q("continuationToken"), ENTITLEMENT_PAGE);
            let items: Vec<&OrgUser> = items.iter().map(|&i| &world.org.users[i]).collect();
            let members: Vec<Value> = items.iter().map(|u| entitlement(&urls, u)).collect();
            // Real responses repeat the members under `items`: serialize
            // them once and write them twice.
            let members = serde_json::to_string(&members).expect("json");
            let next = serde_json::to_string(&next).expect("json");
            wire::text(
                200,
                "application/json; charset=utf-8",
                format!(
                    r#"{{"members":{members},"continuationToken":{next},"totalCount":{total},"items":{members}}}"#
                ),
            )
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", p[2..].join("/")),
        ),
    }
}

/// `/vsaex/...` changes: add a user, change a user's access level. Only
/// administrators may.
fn vsaex_change(sh: &Shared, req: &Req, p: &[&str]) -> Response {
    let mut world = sh.world_mut();
    if let Err(r) = org_api_preamble(req, p, &world) {
        return r;
    }
    let (caller, caller_upn) = match org_caller(sh, req, &world) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !world.is_admin(caller) {
        return not_authorized(&caller_upn);
    }
    let urls = OrgUrls::new(&req.origin, &world.org.name);
    match (req.method.as_str(), &p[2..]) {
        ("POST", ["userentitlements"]) => entitlements::add(&mut world, &urls, req.json()),
        ("PATCH", ["userentitlements", id]) => {
            entitlements::patch(&mut world, &urls, id, req.json())
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", p[2..].join("/")),
        ),
    }
}

/// A user's access level as the entitlement shows it.
struct Access {
    licensing_source: &'static str,
    account_licence: &'static str,
    msdn_licence: &'static str,
    display_name: &'static str,
    /// The `licenseId` a `$filter` names it by (lowercase), if any.
    filter_id: Option<&'static str>,
}

fn access_level(u: &OrgUser) -> Access {
    let is = |names: &[&str]| names.iter().any(|n| u.license.eq_ignore_ascii_case(n));
    let account = |licence, display_name, filter_id| Access {
        licensing_source: "account",
        account_licence: licence,
        msdn_licence: "none",
        display_name,
        filter_id: Some(filter_id),
    };
    if is(&["stakeholder"]) {
        account("stakeholder", "Stakeholder", "account-stakeholder")
    } else if is(&["basic+test plans", "basic + test plans", "advanced"]) {
        account("advanced", "Basic + Test Plans", "account-advanced")
    } else if is(&["visual studio subscriber", "msdn"]) {
        // Visual Studio subscribers are licensed through MSDN, not an
        // account licence, so no account `licenseId` filter finds them.
        Access {
            licensing_source: "msdn",
            account_licence: "none",
            msdn_licence: "eligible",
            display_name: "Visual Studio Subscriber",
            filter_id: None,
        }
    } else {
        account("express", "Basic", "account-express")
    }
}

fn entitlement(urls: &OrgUrls, u: &OrgUser) -> Value {
    let access = access_level(u);
    json!({
        "id": u.id,
        "user": graph_user(urls, u),
        "accessLevel": {
            "licensingSource": access.licensing_source,
            "accountLicenseType": access.account_licence,
            "msdnLicenseType": access.msdn_licence,
            "gitHubLicenseType": "none",
            "licenseDisplayName": access.display_name,
            "status": if u.active { "active" } else { "pending" },
            "statusMessage": "",
            "assignmentSource": "unknown"
        },
        "lastAccessedDate": u.last_access.map(ts).unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
        "dateCreated": ts(u.created),
        "projectEntitlements": [],
        "extensions": [],
        "groupAssignments": []
    })
}

/// What `$orderBy` sorts user entitlements by (documented: `dateCreated`,
/// `lastAccessed` and `name`, then an optional `asc` or `desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntitlementOrder {
    Name,
    DateCreated,
    LastAccessed,
}

fn parse_entitlement_order(o: &str) -> Result<(EntitlementOrder, bool), String> {
    let mut words = o.split_whitespace();
    let field = words.next().unwrap_or("").to_ascii_lowercase();
    let field = match field.as_str() {
        "name" => EntitlementOrder::Name,
        "datecreated" => EntitlementOrder::DateCreated,
        "lastaccessed" | "lastaccesseddate" => EntitlementOrder::LastAccessed,
        _ => {
            return Err(format!(
                "The $orderBy property '{field}' is not supported; use dateCreated, lastAccessed or name."
            ));
        }
    };
    let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") | Some("ascending") => false,
        Some("desc") | Some("descending") => true,
        Some(other) => {
            return Err(format!(
                "The $orderBy direction '{other}' is not supported; use asc or desc."
            ));
        }
    };
    if words.next().is_some() {
        return Err(format!(
            "The $orderBy value '{o}' has more than a property and a direction."
        ));
    }
    Ok((field, desc))
}

/// The order of `$orderBy`: the property, ties broken by member id, so the
/// order is total and descending is exactly ascending reversed. Names
/// compare without case; never-accessed users (shown as 0001-01-01) come
/// first by last access.
fn entitlement_cmp(
    a: &OrgUser,
    b: &OrgUser,
    (field, desc): (EntitlementOrder, bool),
) -> std::cmp::Ordering {
    let o = match field {
        EntitlementOrder::Name => wire::cmp_caseless(&a.display_name, &b.display_name),
        EntitlementOrder::DateCreated => a.created.cmp(&b.created),
        EntitlementOrder::LastAccessed => a.last_access.cmp(&b.last_access),
    }
    .then_with(|| a.id.cmp(&b.id));
    if desc { o.reverse() } else { o }
}

/// The organization's users a user-entitlement query lists, in order, as
/// positions in `world.org.users`. Built once per query and world
/// generation: a walk asks for the same listing page after page.
fn entitlement_listing(
    sh: &Shared,
    world: &World,
    filter: Option<&str>,
    order: Option<&str>,
) -> Result<std::sync::Arc<Vec<usize>>, Response> {
    let parsed_filter = match filter.map(parse_entitlement_filter) {
        Some(Err(e)) => return Err(ado_error(400, "InvalidFilterException", &e)),
        Some(Ok(f)) => Some(f),
        None => None,
    };
    let parsed_order = match order.map(parse_entitlement_order) {
        Some(Err(e)) => return Err(ado_error(400, "InvalidOrderByException", &e)),
        Some(Ok(o)) => Some(o),
        None => None,
    };
    let key = format!("{}\u{1}{}", filter.unwrap_or(""), order.unwrap_or(""));
    // The caller holds the world's read lock: the generation cannot move.
    let generation = sh.world_gen.load(std::sync::atomic::Ordering::SeqCst);
    if let Some((g, listing)) = sh.listings.lock().expect("listings").get(&key)
        && *g == generation
    {
        return Ok(std::sync::Arc::clone(listing));
    }
    let users = &world.org.users;
    let mut listing: Vec<usize> = (0..users.len())
        .filter(|&i| parsed_filter.as_ref().is_none_or(|f| f.matches(&users[i])))
        .collect();
    if let Some(order) = parsed_order {
        listing.sort_by(|&a, &b| entitlement_cmp(&users[a], &users[b], order));
    }
    let listing = std::sync::Arc::new(listing);
    let mut cache = sh.listings.lock().expect("listings");
    if cache.len() >= 64 {
        cache.clear();
    }
    cache.insert(key, (generation, std::sync::Arc::clone(&listing)));
    Ok(listing)
}

/// The documented `$filter` subset: `name eq 'x'`, `userType eq 'guest'|'member'`,
/// `licenseId eq 'Account-Express'|'Account-Stakeholder'|...`, joined by `and`.
struct EntitlementFilter(Vec<(String, String)>);

impl EntitlementFilter {
    fn matches(&self, u: &OrgUser) -> bool {
        self.0.iter().all(|(field, value)| match field.as_str() {
            "name" => {
                u.display_name.to_lowercase().contains(value)
                    || u.principal_name.to_lowercase().contains(value)
            }
            "usertype" => (value == "guest") == u.principal_name.contains("#EXT#"),
            "licenseid" => access_level(u).filter_id == Some(value.as_str()),
            "origin" => u.origin_str() == value,
            _ => false,
        })
    }
}

fn parse_entitlement_filter(f: &str) -> Result<EntitlementFilter, String> {
    let mut out = Vec::new();
    for clause in f.split(" and ") {
        let parts: Vec<&str> = clause.trim().splitn(3, ' ').collect();
        let [field, op, value] = parts.as_slice() else {
            return Err(format!(
                "The $filter clause '{clause}' is not of the form: field eq 'value'."
            ));
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(format!(
                "The $filter operator '{op}' is not supported; use eq."
            ));
        }
        let field = field.to_ascii_lowercase();
        if !matches!(field.as_str(), "name" | "usertype" | "licenseid" | "origin") {
            return Err(format!("The $filter field '{field}' is not supported."));
        }
        let v = value.trim().trim_matches('\'').to_lowercase();
        out.push((field, v));
    }
    Ok(EntitlementFilter(out))
}

/// `/app-vssps/...`: profile and accounts, which answer for any valid identity
/// (even one every organization refuses: the seed-000 pattern).
pub fn app_vssps(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "app-vssps", req) {
        return r;
    }
    let p = req.lpath();
    if p.first() != Some(&"_apis") {
        return ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        );
    }
    if let Some(r) = check_api_version(req, p.get(1).copied().unwrap_or("")) {
        return r;
    }
    let world = sh.world.read().expect("world");
    // A PAT's owner has a profile even when no organization lets them in.
    let mut pat_owner = None;
    let subject = match credentials(sh, req) {
        Some(Ok(Auth::Token(s))) => s,
        Some(Ok(Auth::Pat(pat))) => match world.pat_lookup(&pat, Utc::now()) {
            PatLookup::Owner(i) => {
                pat_owner = Some(i);
                let u = &world.org.users[i];
                Subject {
                    tid: u
                        .aad_tenant
                        .clone()
                        .unwrap_or_else(|| CONSUMERS_TENANT.into()),
                    oid: u.id.clone(),
                    upn: u.principal_name.clone(),
                    name: u.display_name.clone(),
                }
            }
            PatLookup::Expired => return pat_expired(),
            PatLookup::Unknown => return unauthenticated(req),
        },
        _ => return unauthenticated(req),
    };
    let public_alias = super::ids::guid(&["profile", &subject.tid, &subject.oid]);
    match (req.method.as_str(), &p[1..]) {
        ("GET", ["profile", "profiles", "me"]) => wire::json(
            200,
            &json!({
                "displayName": subject.name,
                "publicAlias": public_alias,
                "emailAddress": subject.upn,
                "coreRevision": 1,
                "timeStamp": ts(Utc::now()),
                "id": public_alias,
                "revision": 1
            }),
        ),
        ("GET", ["accounts"]) => {
            let member = req.q("memberId").or(req.q("ownerId")).unwrap_or("");
            if !member.eq_ignore_ascii_case(&public_alias) {
                return wire::json(200, &json!({"count": 0, "value": []}));
            }
            let member = match pat_owner {
                Some(i) => world.org.users[i].active,
                None => world.org_user_for(&subject).is_some(),
            };
            let v: Vec<Value> = if member {
                vec![json!({
                    "accountId": world.org.id,
                    "accountUri": format!("{}/vssps/{}/", req.origin, world.org.name),
                    "accountName": world.org.name,
                    "properties": {}
                })]
            } else {
                vec![]
            };
            wire::json(200, &json!({"count": v.len(), "value": v}))
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        ),
    }
}

/// `/aex/_apis/EnterpriseCatalog/Organizations?tenantId=`: CSV of the
/// organizations connected to a tenant; the sign-in page when the token is not
/// from that tenant.
pub fn aex(sh: &Shared, req: &Req) -> Response {
    if let Some(r) = locations::discovery(sh, "aex", req) {
        return r;
    }
    let p = req.lpath();
    if !(req.method == "GET" && p.as_slice() == ["_apis", "enterprisecatalog", "organizations"]) {
        return ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        );
    }
    let Some(tenant) = req.q("tenantId").map(str::to_ascii_lowercase) else {
        return ado_error(
            400,
            "InvalidArgumentValueException",
            "The tenantId query parameter is required.",
        );
    };
    let claims = req
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .and_then(|t| jwt::verify(&sh.key, t.trim()))
        .filter(|c| c.exp > Utc::now().timestamp());
    if claims.is_none_or(|c| c.tid != tenant) {
        return wire::sign_in_page();
    }
    let world = sh.world.read().expect("world");
    let mut csv = String::from(
        "Organization Id, Organization Name, Url, Owner, Exception Type, Error Message\r\n",
    );
    if world.org.tenant.as_deref() == Some(tenant.as_str()) {
        let owner = &world.org.users[world.org.owner];
        csv.push_str(&format!(
            "{}, {}, {}/dev/{}/, {}, , \r\n",
            world.org.id, world.org.name, req.origin, world.org.name, owner.principal_name
        ));
    }
    wire::text(200, "text/csv; charset=utf-8", csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_walks_every_item_once() {
        let items: Vec<u32> = (0..1234).collect();
        let mut token = None;
        let mut seen = Vec::new();
        loop {
            let (chunk, next) = page(&items, token.as_deref(), 500);
            seen.extend(chunk);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
        // A garbled token starts over rather than panicking.
        assert_eq!(page(&items, Some("%%%"), 10).0[0], 0);
    }

    #[test]
    fn entitlement_filter_grammar() {
        assert!(parse_entitlement_filter("name eq 'ann'").is_ok());
        assert!(
            parse_entitlement_filter("licenseId eq 'Account-Stakeholder' and userType eq 'member'")
                .is_ok()
        );
        assert!(parse_entitlement_filter("name ne 'x'").is_err());
        assert!(parse_entitlement_filter("color eq 'x'").is_err());
    }

    #[test]
    fn entitlement_order_grammar_and_reversal() {
        assert_eq!(
            parse_entitlement_order("lastAccessed desc"),
            Ok((EntitlementOrder::LastAccessed, true))
        );
        assert_eq!(
            parse_entitlement_order("name"),
            Ok((EntitlementOrder::Name, false))
        );
        assert_eq!(
            parse_entitlement_order("dateCreated ASC"),
            Ok((EntitlementOrder::DateCreated, false))
        );
        for bad in ["colour asc", "name sideways", "name asc extra", ""] {
            assert!(parse_entitlement_order(bad).is_err(), "{bad}");
        }
        // Equal names are ordered by id, so descending is ascending reversed.
        let mk = |id: &str, name: &str| OrgUser {
            id: id.into(),
            display_name: name.into(),
            msa_email: None,
            origin: crate::emulator::state::Origin::Msa,
            origin_id: String::new(),
            principal_name: String::new(),
            mail: String::new(),
            descriptor: String::new(),
            aad_tenant: None,
            active: true,
            remaps: 0,
            license: "Basic".into(),
            last_access: None,
            created: chrono::Utc::now(),
            admin: false,
            app_kind: None,
        };
        let users = [
            mk("3", "Ann"),
            mk("1", "bob"),
            mk("2", "ann"),
            mk("0", "Cy"),
        ];
        let ids = |v: &[&OrgUser]| v.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
        let sorted = |desc: bool| {
            let mut v: Vec<&OrgUser> = users.iter().collect();
            v.sort_by(|a, b| entitlement_cmp(a, b, (EntitlementOrder::Name, desc)));
            v
        };
        let asc = sorted(false);
        assert_eq!(ids(&asc), ["2", "3", "1", "0"]);
        let mut desc = sorted(true);
        desc.reverse();
        assert_eq!(ids(&desc), ids(&asc));
    }
}
