//! What a directory change affects, on the Azure DevOps hosts: token
//! administration (every user's PATs and SSH keys), the Azure DevOps tenant
//! policies, service connections of each kind and their verification (the
//! endpoint proxy's `TestConnection`), variable groups, agent pools, the
//! organization policies page with the PAT creation restriction, and the
//! first request of a Git fetch. The audit log is in audit.rs.

use super::*;
use crate::emulator::state::EndpointIdentity;

/// `/vssps/{org}/_apis/...` routes of this file, before the organization
/// caller is required (a tenant policy is read with any token of the
/// tenant's Azure DevOps Administrators).
pub fn vssps(sh: &Shared, req: &Req, p: &[&str], world: &World, o: usize) -> Option<Response> {
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["tenantpolicy", "policies", name]) => Some(tenant_policy(sh, req, world, name)),
        ("GET", ["tokenadmin", "personalaccesstokens", _]) => {
            let (caller, upn) = match org_caller(sh, req, world, o) {
                Ok(c) => c,
                Err(r) => return Some(r),
            };
            // Documented: 401 when the caller may not manage tokens.
            if !world.is_admin(o, caller) {
                return Some(not_authorized(&upn));
            }
            Some(user_tokens(&world.orgs[o], &req.segs[4], req))
        }
        _ => None,
    }
}

/// `GET tenantpolicy/policies/TenantPolicy.{name}`: for the tenant that
/// issued the token, when its holder is an Azure DevOps Administrator there.
fn tenant_policy(sh: &Shared, req: &Req, world: &World, name: &str) -> Response {
    let subject = match credentials(sh, req) {
        Some(Ok(Auth::Token(s))) => s,
        Some(Ok(Auth::Pat(_))) => {
            return ado_error(
                401,
                "UnauthorizedRequestException",
                "Tenant policies are read with a Microsoft Entra token, not a personal access token.",
            );
        }
        _ => return unauthenticated(req),
    };
    let Some(tenant) = world.tenant(&subject.tid) else {
        return not_authorized(&subject.upn);
    };
    let roles = world.recovery.roles_of(&tenant.id, &subject.oid);
    if !roles
        .iter()
        .any(|r| r.eq_ignore_ascii_case("Azure DevOps Administrator"))
    {
        return ado_error(
            403,
            "UnauthorizedRequestException",
            &format!(
                "TF400813: The user '{}' is not authorized to access this resource: only Azure DevOps Administrators of the directory can read its tenant policies.",
                subject.upn
            ),
        );
    }
    let Some(short) = name.strip_prefix("tenantpolicy.").and_then(|n| {
        crate::emulator::scenario::TENANT_POLICIES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(n))
    }) else {
        return ado_error(
            404,
            "PolicyNotFoundException",
            &format!("The tenant policy '{name}' does not exist."),
        );
    };
    let setting = world.impact.tenant_policy(&tenant.id, short);
    let ids: Vec<String> = setting
        .allow
        .iter()
        .filter_map(|upn| tenant.user_by_upn(upn).map(|u| u.id.clone()))
        .collect();
    let mut properties = serde_json::Map::new();
    // As community code reads them: the allowlist is JSON text.
    properties.insert(
        "AllowedUsersAndGroupObjectIds".into(),
        Value::String(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())),
    );
    if let Some(d) = setting.max_days {
        properties.insert("MaxPatLifespanInDays".into(), json!(d));
    }
    wire::json(
        200,
        &json!({"name": format!("TenantPolicy.{short}"), "value": setting.on, "properties": properties}),
    )
}

/// `GET tokenadmin/personalaccesstokens/{descriptor}[?isPublic=true]`.
fn user_tokens(org: &Org, descriptor: &str, req: &Req) -> Response {
    let Some(i) = org.user_by_descriptor(descriptor) else {
        return ado_error(
            404,
            "GraphSubjectNotFoundException",
            &format!("VS860015: The subject with descriptor '{descriptor}' could not be found."),
        );
    };
    let u = &org.users[i];
    let owns = |owner: &str| {
        owner.eq_ignore_ascii_case(&u.mail)
            || u.msa_email
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(owner))
    };
    let public = req
        .q("isPublic")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let now = Utc::now();
    let token = |auth: &str, name: &str, scope: Value, from, to: DateTime<Utc>, targets: Value| {
        json!({
            "clientId": ZERO_GUID, "accessId": ZERO_GUID, "authorizationId": auth,
            "hostAuthorizationId": ZERO_GUID, "userId": u.id,
            "validFrom": ts(from), "validTo": ts(to), "displayName": name, "scope": scope,
            "targetAccounts": targets, "token": null, "alternateToken": null,
            "isValid": to > now, "isPublic": public, "publicData": null, "source": null
        })
    };
    let value: Vec<Value> = if public {
        org.impact
            .ssh_keys
            .iter()
            .filter(|k| owns(&k.owner))
            .map(|k| {
                token(
                    &k.authorization_id,
                    &k.display_name,
                    Value::Null,
                    k.valid_from,
                    k.valid_to,
                    Value::Null,
                )
            })
            .collect()
    } else {
        org.pats
            .iter()
            .filter(|p| owns(&p.owner))
            .map(|p| {
                token(
                    &p.authorization_id,
                    &p.display_name,
                    json!(pat_scope(org, &p.authorization_id)),
                    p.valid_from,
                    p.valid_to,
                    if p.global {
                        Value::Null
                    } else {
                        json!([org.id])
                    },
                )
            })
            .collect()
    };
    wire::json(200, &json!({"value": value, "continuationToken": null}))
}

/// A PAT's scopes (`app_token`: full access).
pub fn pat_scope<'a>(org: &'a Org, authorization_id: &str) -> &'a str {
    org.impact
        .pat_scopes
        .get(authorization_id)
        .map_or("app_token", String::as_str)
}

/// `authorization` and `data` of a service endpoint, by how it authenticates.
pub fn endpoint_auth(org: &Org, id: &str, tenant_id: &str) -> (Value, Value) {
    let ident = org.impact.endpoints.get(id).cloned().unwrap_or_default();
    let sp = crate::emulator::ids::guid(&["sp", id]);
    let mut data = json!({
        "subscriptionId": crate::emulator::ids::guid(&["sub", id]),
        "environment": "AzureCloud", "scopeLevel": "Subscription", "creationMode": "Automatic"
    });
    let auth = match ident.auth.as_str() {
        "certificate" => json!({"scheme": "ServicePrincipal", "parameters": {
            "tenantid": tenant_id, "serviceprincipalid": sp, "authenticationType": "spnCertificate",
            "servicePrincipalCertificate": null}}),
        "workload_identity" => {
            data["creationMode"] = json!("Manual");
            json!({"scheme": "WorkloadIdentityFederation", "parameters": {
                "tenantid": tenant_id, "serviceprincipalid": sp,
                "workloadIdentityFederationIssuer": ident.issuer,
                "workloadIdentityFederationSubject": ident.subject}})
        }
        "managed_identity" => {
            data["creationMode"] = json!("Manual");
            json!({"scheme": "ManagedServiceIdentity", "parameters": {"tenantid": tenant_id}})
        }
        _ => json!({"scheme": "ServicePrincipal", "parameters": {
            "tenantid": tenant_id, "serviceprincipalid": sp, "authenticationType": "spnKey",
            "serviceprincipalkey": null}}),
    };
    (auth, data)
}

/// Why verifying a connection fails now, as Entra would say it.
fn verification_error(
    world: &World,
    o: usize,
    e: &crate::emulator::state::ServiceEndpoint,
    ident: &EndpointIdentity,
) -> Option<String> {
    let client = crate::emulator::ids::guid(&["sp", &e.id]);
    let tenant = world
        .tenant(&e.tenant_id)
        .map_or(e.tenant_id.clone(), |t| t.display_name.clone());
    let code = ident.verify_error.clone().or_else(|| {
        // A Microsoft Entra issuer names the directory the organization used
        // when the identity was federated; another one no longer matches.
        let issuer = ident.issuer.as_deref()?;
        let named = issuer.strip_prefix("https://login.microsoftonline.com/")?;
        let current = world.orgs[o].tenant.as_deref().unwrap_or(ZERO_GUID);
        (!named.starts_with(current)).then(|| "AADSTS700211".to_string())
    })?;
    let detail = match code.as_str() {
        "AADSTS700016" => format!(
            "AADSTS700016: Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
        "AADSTS7000222" => format!(
            "AADSTS7000222: The provided client secret keys for app '{client}' are expired."
        ),
        "AADSTS700211" => {
            let current = world.orgs[o].tenant.as_deref().unwrap_or(ZERO_GUID);
            format!(
                "AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://login.microsoftonline.com/{current}/v2.0'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            )
        }
        "AADSTS700213" => format!(
            "AADSTS700213: No matching federated identity record found for presented assertion subject '{}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
            ident.subject.as_deref().unwrap_or_default()
        ),
        other => format!("{other}: the sign-in of the connection's identity was refused."),
    };
    Some(format!(
        "Failed to obtain the Json Web Token(JWT) using service principal client ID. Exception Message: {detail}"
    ))
}

/// `POST {project}/_apis/serviceendpoint/endpointproxy?endpointId=…`: the
/// portal's "Verify" (`TestConnection`).
fn endpoint_proxy(world: &World, o: usize, project: &str, req: &Req) -> Response {
    let Some(id) = req.q("endpointId") else {
        return ado_error(
            400,
            "ArgumentNullException",
            "Value cannot be null. Parameter name: endpointId",
        );
    };
    let body = req.json().unwrap_or(Value::Null);
    let source = body
        .pointer("/dataSourceDetails/dataSourceName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let org = &world.orgs[o];
    let Some(e) = org.endpoints.iter().find(|e| {
        e.id.eq_ignore_ascii_case(id)
            && org.projects.iter().any(|p| {
                p.name.eq_ignore_ascii_case(&e.project)
                    && (p.name.eq_ignore_ascii_case(project) || p.id.eq_ignore_ascii_case(project))
            })
    }) else {
        return ado_error(
            404,
            "ServiceEndpointNotFoundException",
            &format!("The service endpoint with id '{id}' was not found in project {project}."),
        );
    };
    if !source.eq_ignore_ascii_case("TestConnection") {
        return ado_error(
            400,
            "InvalidDataSourceBindingException",
            &format!(
                "The data source '{source}' is not served by the emulator; use TestConnection."
            ),
        );
    }
    let ident = org.impact.endpoints.get(&e.id).cloned().unwrap_or_default();
    let answer = match verification_error(world, o, e, &ident) {
        Some(message) => {
            json!({"statusCode": "badRequest", "errorMessage": message, "result": null, "callbackRequired": false})
        }
        None => {
            json!({"statusCode": "ok", "errorMessage": "", "result": [format!("{{\"subscriptionId\":\"{}\"}}", crate::emulator::ids::guid(&["sub", &e.id]))], "callbackRequired": false})
        }
    };
    wire::json(200, &answer)
}

fn variable_groups(org: &Org, urls: &OrgUrls, project: &str) -> Response {
    let Some(p) = org
        .projects
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(project) || p.id.eq_ignore_ascii_case(project))
    else {
        return ado_error(
            404,
            "ProjectDoesNotExistWithNameException",
            &format!("TF200016: The following project does not exist: {project}."),
        );
    };
    let owner = &org.users[org.owner];
    let v: Vec<Value> = org
        .impact
        .variable_groups
        .iter()
        .filter(|g| g.project.eq_ignore_ascii_case(&p.name))
        .map(|g| {
            let (kind, provider, variables) = match &g.key_vault {
                Some(vault) => (
                    "AzureKeyVault",
                    json!({"serviceEndpointId": g.endpoint, "vault": vault, "lastRefreshedOn": "2026-01-01T00:00:00Z"}),
                    json!({"db-password": {"isSecret": true, "value": null, "enabled": true, "contentType": "", "expires": null}}),
                ),
                None => ("Vsts", Value::Null, json!({"environment": {"value": "production"}})),
            };
            json!({
                "variables": variables, "id": g.id, "type": kind, "name": g.name,
                "description": "", "providerData": provider,
                "createdBy": {"displayName": owner.display_name, "id": owner.id},
                "createdOn": "2026-01-01T00:00:00Z",
                "modifiedBy": {"displayName": owner.display_name, "id": owner.id},
                "modifiedOn": "2026-01-01T00:00:00Z", "isShared": false,
                "variableGroupProjectReferences": [{"projectReference": {"id": p.id, "name": p.name}, "name": g.name, "description": ""}],
                "url": format!("{}/{}/_apis/distributedtask/variablegroups/{}", urls.dev, p.id, g.id)
            })
        })
        .collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

fn pool_json(p: &crate::emulator::state::AgentPool) -> Value {
    json!({
        "id": p.id, "name": p.name, "isHosted": p.hosted, "isLegacy": false,
        "poolType": "automation", "size": p.agents.len(), "scope": ZERO_GUID,
        "autoProvision": false, "autoUpdate": true, "createdOn": "2026-01-01T00:00:00Z"
    })
}

fn pools(org: &Org) -> Response {
    let v: Vec<Value> = org.impact.pools.iter().map(pool_json).collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

fn agents(org: &Org, pool: &str) -> Response {
    let Some(p) = org.impact.pools.iter().find(|p| p.id.to_string() == pool) else {
        return ado_error(
            404,
            "TaskAgentPoolNotFoundException",
            &format!("Agent pool {pool} could not be found."),
        );
    };
    let v: Vec<Value> = p
        .agents
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "id": i + 1, "name": name, "version": "4.255.0", "osDescription": "Linux",
                "enabled": true, "status": "online", "provisioningState": "Provisioned",
                "accessPoint": "CodexAccessMapping", "maxParallelism": 1,
                "createdOn": "2026-01-01T00:00:00Z"
            })
        })
        .collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

/// `/dev/{org}[/{project}]/_apis/...` routes of this file.
pub fn dev(
    world: &World,
    o: usize,
    urls: &OrgUrls,
    project: Option<&str>,
    rest: &[&str],
    req: &Req,
) -> Option<Response> {
    let org = &world.orgs[o];
    Some(match (req.method.as_str(), project, rest) {
        ("GET", Some(p), ["distributedtask", "variablegroups"]) => variable_groups(org, urls, p),
        ("GET", None, ["distributedtask", "pools"]) => pools(org),
        ("GET", None, ["distributedtask", "pools", id, "agents"]) => agents(org, id),
        ("POST", Some(p), ["serviceendpoint", "endpointproxy"]) => endpoint_proxy(world, o, p, req),
        _ => return None,
    })
}

/// `GET /{org}/{project}/_git/{repo}/info/refs?service=git-upload-pack`:
/// the reference advertisement a Git fetch starts with (Git's smart HTTP
/// protocol), for a caller the organization lets in.
pub fn git_refs(org: &Org, p: &[&str], req: &Req) -> Option<Response> {
    let [_, project, "_git", repo, "info", "refs"] = p else {
        return None;
    };
    if req.q("service") != Some("git-upload-pack") {
        return Some(ado_error(
            403,
            "GitProtocolException",
            "Only git-upload-pack is served by the emulator.",
        ));
    }
    let found = org
        .projects
        .iter()
        .find(|x| x.name.eq_ignore_ascii_case(project))
        .and_then(|x| {
            x.repos
                .iter()
                .find(|(id, name)| name.eq_ignore_ascii_case(repo) || id.eq_ignore_ascii_case(repo))
        });
    let Some((id, _)) = found else {
        return Some(ado_error(
            404,
            "GitRepositoryNotFoundException",
            &format!(
                "TF401019: The Git repository with name or identifier {repo} does not exist or you do not have permissions for the operation you are attempting."
            ),
        ));
    };
    // pkt-line: "# service=git-upload-pack\n", a flush, one ref, a flush.
    let head = crate::emulator::ids::guid(&["head", id]).replace('-', "");
    let sha = format!("{head}{}", &head[..8]);
    let line = |s: &str| format!("{:04x}{s}", s.len() + 4);
    let body = format!(
        "{}0000{}0000",
        line("# service=git-upload-pack\n"),
        line(&format!("{sha} refs/heads/main\0multi_ack side-band-64k\n"))
    );
    Some(wire::text(
        200,
        "application/x-git-upload-pack-advertisement",
        body,
    ))
}

/// Organization policies the page shows, with their defaults (Microsoft
/// Learn, "Change application connection & security policies"; the PAT
/// creation restriction starts off).
const POLICY_DEFAULTS: [(&str, bool); 7] = [
    ("Policy.DisallowOAuthAuthentication", false),
    ("Policy.DisallowSecureShell", false),
    ("Policy.EnforceAADConditionalAccess", false),
    ("Policy.DisablePATCreation", false),
    ("Policy.DisallowAadGuestUserAccess", false),
    ("Policy.AllowTeamAdminsInvitationsAccessToken", true),
    ("Policy.AllowRequestAccessToken", true),
];

/// The organization policies page's entries by category (the organization
/// policies data provider, as community code reads it), every known policy
/// with its value or default (`isValueUndefined`); the PAT creation
/// restriction only on a connected organization.
pub fn policy_categories(org: &Org) -> Value {
    let category = |name: &str| match name {
        "Policy.DisallowOAuthAuthentication" | "Policy.DisallowSecureShell" => {
            "applicationConnection"
        }
        "Policy.DisallowAadGuestUserAccess"
        | "Policy.AllowTeamAdminsInvitationsAccessToken"
        | "Policy.AllowRequestAccessToken" => "user",
        _ => "security",
    };
    let mut all: Vec<(String, bool, bool)> = POLICY_DEFAULTS
        .iter()
        .map(|(k, d)| match org.policies.get(*k) {
            Some(v) => (k.to_string(), *v, false),
            None => (k.to_string(), *d, true),
        })
        .collect();
    for (k, v) in &org.policies {
        if !all.iter().any(|(n, _, _)| n == k) {
            all.push((k.clone(), *v, false));
        }
    }
    let mut out = json!({"applicationConnection": [], "security": [], "user": []});
    for (k, v, undefined) in all {
        if k == "Policy.DisablePATCreation" && org.tenant.is_none() {
            continue;
        }
        let mut policy =
            json!({"name": k, "value": v, "effectiveValue": v, "isValueUndefined": undefined});
        if k == "Policy.DisablePATCreation" {
            let allow: Vec<Value> = org
                .impact
                .pat_policy_allowlist
                .iter()
                .map(|(id, name)| json!({"displayName": name, "objectId": id}))
                .collect();
            policy["properties"] = json!({
                "isAllowListEnabled": !allow.is_empty(), "isPackagingScopeEnabled": true,
                "allowedUsersAndGroupObjectIds": allow
            });
        }
        if let Some(list) = out[category(&k)].as_array_mut() {
            list.push(json!({"policy": policy}));
        }
    }
    out
}

/// Record a directory change in the audit log (the actions of Microsoft
/// Learn's "Auditing events list": `Organization.LinkToAAD`,
/// `Organization.UnlinkFromAAD`).
pub fn record_change(world: &mut World, o: usize, caller: usize, before: Option<&str>) {
    let after = world.orgs[o].tenant.clone();
    if after.as_deref() == before {
        return;
    }
    let org = world.orgs[o].name.clone();
    match after {
        Some(t) => {
            let name = world
                .tenant(&t)
                .map_or(t.clone(), |x| x.display_name.clone());
            world.audit(
                o,
                "Organization.LinkToAAD",
                caller,
                format!("Organization {org} was linked to Microsoft Entra tenant {name}."),
                json!({"OrganizationName": org, "AADTenant": name, "AADTenantId": t, "PreviousAADTenantId": before}),
            );
        }
        None => world.audit(
            o,
            "Organization.UnlinkFromAAD",
            caller,
            format!("Organization {org} was unlinked from Microsoft Entra tenant."),
            json!({"OrganizationName": org, "PreviousAADTenantId": before}),
        ),
    }
}
