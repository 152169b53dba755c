//! Azure DevOps: `/dev` (dev.azure.com), `/vssps`, `/vsaex`, `/app-vssps` and
//! `/aex`, one file per host; this file holds what they share: credentials
//! and challenges, the api-version rules, errors, paging, and the graph
//! subjects every host shows.
#![allow(clippy::result_large_err)] // handlers return ready-made HTTP responses as their error path

use axum::response::Response;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::ids::{ADO_AUDIENCE, CONSUMERS_TENANT, ZERO_GUID};
use super::jwt;
use super::state::{Org, OrgUser, PatLookup, Refusal, Subject, World};
use super::wire::{self, Req, ado_error};

mod aex;
mod app_vssps;
mod audit;
mod back_door;
mod claim;
mod dev;
mod entitlements;
mod impact;
mod locations;
mod subjects;
mod vsaex;
mod vssps;

pub use aex::aex;
pub use app_vssps::app_vssps;
pub use audit::audit;
pub use dev::dev;
pub use vsaex::vsaex;
pub use vssps::vssps;

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

/// Who a request counts against for rate limiting: the token's identity
/// (tenant and object), or the PAT; `None` without valid credentials.
pub fn rate_identity(sh: &Shared, req: &Req) -> Option<String> {
    match credentials(sh, req)? {
        Ok(Auth::Token(s)) => Some(format!("{}:{}", s.tid, s.oid)),
        Ok(Auth::Pat(p)) => {
            use sha2::Digest;
            let h = sha2::Sha256::digest(p.as_bytes());
            Some(format!("pat:{:x}", h))
        }
        Err(()) => None,
    }
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
        .and_then(|o| world.org_index(o))
        .map(|o| world.orgs[o].tenant.as_deref());
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
        "graph"
            | "organization"
            | "contribution"
            | "tokens"
            | "organizationpolicy"
            | "tokenadmin"
            | "tenantpolicy"
            | "audit"
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

/// Authenticate against organization `o`; returns the org user index.
fn org_caller(
    sh: &Shared,
    req: &Req,
    world: &World,
    o: usize,
) -> Result<(usize, String), Response> {
    let users = &world.orgs[o].users;
    match credentials(sh, req) {
        None | Some(Err(())) => Err(unauthenticated(req)),
        Some(Ok(Auth::Token(s))) => match world.org_user_for(o, &s) {
            Some(i) => Ok((i, s.upn)),
            None => Err(not_authorized(&s.oid)),
        },
        Some(Ok(Auth::Pat(p))) => match world.pat_user_in(o, &p, Utc::now()) {
            PatLookup::Owner(_, i) if users[i].active => Ok((i, users[i].principal_name.clone())),
            PatLookup::Owner(_, i) => Err(not_authorized(&users[i].principal_name)),
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

/// A link under a subject's `_links`: `{"href": "{base}/_apis/{path}/{descriptor}"}`,
/// written straight into the answer.
struct Href<'a>(&'a str, &'static str, &'a str);

impl serde::Serialize for Href<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(
            "href",
            &format_args!("{}/_apis/{}/{}", self.0, self.1, self.2),
        )?;
        m.end()
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Links<'a> {
    #[serde(rename = "self")]
    own: Href<'a>,
    memberships: Href<'a>,
    membership_state: Href<'a>,
    storage_key: Href<'a>,
    avatar: Href<'a>,
}

fn links<'a>(kind: &'static str, urls: &'a OrgUrls, descriptor: &'a str) -> Links<'a> {
    let vssps = urls.vssps.as_str();
    Links {
        own: Href(vssps, kind, descriptor),
        memberships: Href(vssps, "Graph/Memberships", descriptor),
        membership_state: Href(vssps, "Graph/MembershipStates", descriptor),
        storage_key: Href(vssps, "Graph/StorageKeys", descriptor),
        avatar: Href(&urls.dev, "GraphProfile/MemberAvatars", descriptor),
    }
}

/// A graph user as vssps shows it, serialized as it is written (no JSON
/// tree in between: an organization's listing writes a hundred thousand).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser<'a> {
    subject_kind: &'static str,
    meta_type: &'a str,
    directory_alias: &'a str,
    domain: std::borrow::Cow<'a, str>,
    principal_name: &'a str,
    mail_address: &'a str,
    origin: &'static str,
    origin_id: &'a str,
    display_name: &'a str,
    #[serde(rename = "_links")]
    links: Links<'a>,
    url: Url<'a>,
    descriptor: &'a str,
    /// Not in the public contract; lets callers see who is disconnected.
    is_deleted_in_origin: bool,
}

/// `{vssps}/_apis/Graph/Users/{descriptor}` as a string.
struct Url<'a>(&'a str, &'a str);

impl serde::Serialize for Url<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}/_apis/Graph/Users/{}", self.0, self.1))
    }
}

impl<'a> GraphUser<'a> {
    pub fn of(urls: &'a OrgUrls, u: &'a OrgUser) -> Self {
        let meta = u.app_kind.unwrap_or(if u.principal_name.contains("#EXT#") {
            "guest"
        } else {
            "member"
        });
        GraphUser {
            subject_kind: "user",
            meta_type: meta,
            directory_alias: u.principal_name.split('@').next().unwrap_or(""),
            domain: u.domain(),
            principal_name: &u.principal_name,
            mail_address: &u.mail,
            origin: u.origin_str(),
            origin_id: &u.origin_id,
            display_name: &u.display_name,
            links: links("Graph/Users", urls, &u.descriptor),
            url: Url(&urls.vssps, &u.descriptor),
            descriptor: &u.descriptor,
            is_deleted_in_origin: !u.active,
        }
    }
}

/// A graph user as vssps shows it.
pub fn graph_user(urls: &OrgUrls, u: &OrgUser) -> Value {
    serde_json::to_value(GraphUser::of(urls, u)).expect("json")
}

/// Every group of the organization: Project Collection Administrators,
/// Project Collection Valid Users, then the Entra groups added to it.
fn all_groups(org: &Org, urls: &OrgUrls) -> Vec<Value> {
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
        "_links": serde_json::to_value(links("Graph/Groups", urls, descriptor)).expect("json"),
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

fn no_org(name: &str) -> Response {
    ado_error(
        404,
        "AccountNotFoundException",
        &format!(
            "VS800075: The organization '{name}' does not exist or you do not have permission to access it."
        ),
    )
}

fn connection_data(org: &Org, caller: usize) -> Response {
    let u = &org.users[caller];
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
            "instanceId": org.id,
            "deploymentId": super::ids::guid(&["deployment"]),
            "deploymentType": "hosted",
            "locationServiceData": {"serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7", "defaultAccessMappingMoniker": "PublicAccessMapping", "lastChangeId": 1, "lastChangeId64": 1}
        }),
    )
}

/// The checks every org-scoped `{host}/{org}/_apis/{area}/...` route shares:
/// the organization exists, the path is an API path, the api-version is
/// valid. Returns the organization's index.
fn org_api_preamble(req: &Req, p: &[&str], world: &World) -> Result<usize, Response> {
    let Some(org) = p.first().copied() else {
        return Err(no_org(""));
    };
    let Some(o) = world.org_index(org) else {
        return Err(no_org(org));
    };
    if p.get(1) != Some(&"_apis") || p.len() < 3 {
        return Err(ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        ));
    }
    // The location service's connectionData answers without an api-version.
    if p[2] == "connectiondata" {
        return Ok(o);
    }
    match check_api_version(req, p[2]) {
        Some(r) => Err(r),
        None => Ok(o),
    }
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
}
