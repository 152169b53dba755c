//! Azure DevOps client: documented REST APIs here, undocumented ones in
//! [`undocumented`] so they are easy to find and fix when Azure changes them.

pub mod entitlements;
pub mod impact;
pub mod undocumented;

use std::collections::{HashSet, VecDeque};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::auth::{Resource, SignInMethod, TokenProvider};
use super::endpoints::{Endpoints, join};
use super::error::{ClientError, Service};
use super::http::{Api, HttpCore, Request};
use super::models::ListOf;
use super::models::ado::*;

/// api-version for documented 7.1 GA resources.
pub const V7_1: &str = "7.1";
/// api-version for the graph area (still preview in 7.1).
pub const V7_1_GRAPH: &str = "7.1-preview.1";
/// Hard stop for paging loops (a server repeating tokens must not spin forever).
const MAX_PAGES: usize = 10_000;

/// Client for Azure DevOps (dev, vssps, vsaex, app.vssps, aex hosts).
#[derive(Clone, Debug)]
pub struct AdoClient {
    pub(crate) api: Api,
    pub(crate) endpoints: Endpoints,
}

/// Build `base/segments...?api-version=...&pairs`.
pub(crate) fn url(
    base: &Url,
    segments: &[&str],
    version: Option<&str>,
    pairs: &[(&str, &str)],
) -> Url {
    let mut u = join(base, segments);
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(v) = version {
            q.append_pair("api-version", v);
        }
    }
    if u.query() == Some("") {
        u.set_query(None);
    }
    u
}

impl AdoClient {
    pub fn new(core: HttpCore, endpoints: Endpoints, tokens: TokenProvider) -> Self {
        Self {
            api: Api {
                core,
                tokens,
                resource: Resource::AzureDevOps,
                service: Service::AzureDevOps,
            },
            endpoints,
        }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    async fn get<T: DeserializeOwned>(&self, u: Url) -> Result<T, ClientError> {
        self.api.json(Request::get(u)).await
    }

    /// Follow `X-MS-ContinuationToken` response headers (graph users/groups, projects).
    async fn all_by_header<T: DeserializeOwned>(&self, base: Url) -> Result<Vec<T>, ClientError> {
        self.paginate(base, false, |u| async move {
            let resp = self.api.send(Request::get(u)).await?;
            let page: ListOf<T> = resp.json(Service::AzureDevOps)?;
            let next = resp.header("x-ms-continuationtoken").map(str::to_string);
            Ok((page.value, next))
        })
        .await
    }

    /// The one paging loop: request `base`, then `base?continuationToken=T` for
    /// each token `fetch` reports, until there is none, it repeats, an empty page
    /// arrives (when `stop_on_empty`), or `MAX_PAGES` is reached.
    async fn paginate<T, F, Fut>(
        &self,
        base: Url,
        stop_on_empty: bool,
        mut fetch: F,
    ) -> Result<Vec<T>, ClientError>
    where
        F: FnMut(Url) -> Fut,
        Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ClientError>>,
    {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            let mut u = base.clone();
            if let Some(t) = &token {
                u.query_pairs_mut().append_pair("continuationToken", t);
            }
            let (items, next) = fetch(u).await?;
            token = next.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
            let empty = items.is_empty();
            out.extend(items);
            match &token {
                Some(t) if !(stop_on_empty && empty) && seen.insert(t.clone()) => {}
                _ => break,
            }
        }
        Ok(out)
    }

    /// Unauthenticated `HEAD {dev}/{org}`: which tenant backs the organization.
    pub async fn probe_tenant(&self, org: &str) -> Result<TenantProbe, ClientError> {
        let req = Request::new(Method::HEAD, join(&self.endpoints.dev, &[org]));
        let resp = self.api.send_anonymous(req).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Err(ClientError::NoSuchOrganization { org: org.into() });
        }
        if resp.status.is_server_error() || resp.status == StatusCode::TOO_MANY_REQUESTS {
            return Err(self.api.error_of(&resp));
        }
        let tenant = match resp.header("x-vss-resourcetenant").map(str::trim) {
            Some("") => OrgTenant::Unknown,
            Some(t) if t == ZERO_GUID || t.chars().all(|c| c == '0' || c == '-') => OrgTenant::Msa,
            Some(t) if uuid::Uuid::parse_str(t).is_ok() => OrgTenant::Entra(t.to_ascii_lowercase()),
            _ => OrgTenant::Unknown,
        };
        let authorization_uri = resp
            .header("www-authenticate")
            .and_then(parse_authorization_uri);
        Ok(TenantProbe {
            tenant,
            authorization_uri,
        })
    }

    /// `GET {dev}/{org}/_apis/connectionData`: who the service thinks the caller is.
    pub async fn connection_data(&self, org: &str) -> Result<ConnectionData, ClientError> {
        self.get(url(
            &self.endpoints.dev,
            &[org, "_apis", "connectionData"],
            None,
            &[],
        ))
        .await
    }

    /// Every user entitlement (see [`entitlements`] for how a large
    /// organization is read by several walks at once).
    pub async fn user_entitlements(&self, org: &str) -> Result<Vec<UserEntitlement>, ClientError> {
        self.user_entitlements_sized(org, |_| {}).await
    }

    /// Follow a continuation token carried in the response body; an empty page
    /// also ends the walk (some services keep returning a token).
    async fn pages_with_body_token<P, T>(
        &self,
        base: url::Url,
        split: impl Fn(P) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, ClientError>
    where
        P: serde::de::DeserializeOwned,
    {
        let split = &split;
        self.paginate(base, true, |u| async move {
            let page: P = self.get(u).await?;
            Ok(split(page))
        })
        .await
    }

    /// Every graph user (`aad` and `msa`), 500 per page.
    pub async fn graph_users(&self, org: &str) -> Result<Vec<GraphSubject>, ClientError> {
        let base = url(
            &self.endpoints.vssps,
            &[org, "_apis", "graph", "users"],
            Some(V7_1_GRAPH),
            &[("subjectTypes", "msa,aad")],
        );
        self.all_by_header(base).await
    }

    /// Every graph group of the organization.
    pub async fn graph_groups(&self, org: &str) -> Result<Vec<GraphSubject>, ClientError> {
        let base = url(
            &self.endpoints.vssps,
            &[org, "_apis", "graph", "groups"],
            Some(V7_1_GRAPH),
            &[],
        );
        self.all_by_header(base).await
    }

    /// Groups `subject` is a direct member of.
    pub async fn memberships_up(
        &self,
        org: &str,
        subject: &str,
    ) -> Result<Vec<GraphMembership>, ClientError> {
        self.memberships(org, subject, "up").await
    }

    /// Direct members of the group `subject`.
    pub async fn memberships_down(
        &self,
        org: &str,
        subject: &str,
    ) -> Result<Vec<GraphMembership>, ClientError> {
        self.memberships(org, subject, "down").await
    }

    async fn memberships(
        &self,
        org: &str,
        subject: &str,
        direction: &str,
    ) -> Result<Vec<GraphMembership>, ClientError> {
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "graph", "Memberships", subject],
            Some(V7_1_GRAPH),
            &[("direction", direction)],
        );
        let list: ListOf<GraphMembership> = self.get(u).await?;
        Ok(list.value)
    }

    /// Every user who is a member of `group`, directly or through nested
    /// groups (each group expanded once): one request per group, however
    /// many users the organization has.
    pub async fn group_user_members(
        &self,
        org: &str,
        group: &str,
    ) -> Result<Vec<String>, ClientError> {
        let mut seen = HashSet::from([group.to_string()]);
        let mut queue = VecDeque::from([group.to_string()]);
        let mut users = Vec::new();
        while let Some(g) = queue.pop_front() {
            for m in self.memberships_down(org, &g).await? {
                let d = m.member_descriptor;
                if d.is_empty() || !seen.insert(d.clone()) {
                    continue;
                }
                if is_group_descriptor(&d) {
                    queue.push_back(d);
                } else {
                    users.push(d);
                }
            }
        }
        Ok(users)
    }

    /// The organization's Project Collection Administrators group.
    pub async fn project_collection_admins(
        &self,
        org: &str,
    ) -> Result<Option<GraphSubject>, ClientError> {
        let groups = self.graph_groups(org).await?;
        Ok(find_pca(org, groups))
    }

    /// Whether `subject` is a Project Collection Administrator, directly or via
    /// nested groups (memberships walked upwards, each group visited once).
    pub async fn is_project_collection_admin(
        &self,
        org: &str,
        subject: &str,
    ) -> Result<bool, ClientError> {
        let Some(pca) = self.project_collection_admins(org).await? else {
            return Ok(false);
        };
        let mut seen = HashSet::from([subject.to_string()]);
        let mut queue = VecDeque::from([subject.to_string()]);
        while let Some(s) = queue.pop_front() {
            for m in self.memberships_up(org, &s).await? {
                if m.container_descriptor == pca.descriptor {
                    return Ok(true);
                }
                if !m.container_descriptor.is_empty() && seen.insert(m.container_descriptor.clone())
                {
                    queue.push_back(m.container_descriptor);
                }
            }
        }
        Ok(false)
    }

    /// Whether the signed-in caller is a Project Collection Administrator.
    pub async fn caller_is_project_collection_admin(&self, org: &str) -> Result<bool, ClientError> {
        let cd = self.connection_data(org).await?;
        let me = cd
            .authenticated_user
            .subject_descriptor
            .or(cd.authorized_user.subject_descriptor)
            .ok_or_else(|| ClientError::Decode {
                request: format!("GET {}/_apis/connectionData", org),
                message: "no subjectDescriptor for the signed-in user".into(),
            })?;
        self.is_project_collection_admin(org, &me).await
    }

    /// Point an ADO user at a different Entra object (after a tenant switch).
    pub async fn remap_user(
        &self,
        org: &str,
        descriptor: &str,
        entra_object_id: &str,
    ) -> Result<GraphSubject, ClientError> {
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "graph", "users", descriptor],
            Some(V7_1_GRAPH),
            &[],
        );
        // A second PATCH after a lost answer would find the user moved (404):
        // the caller reads the user instead of sending it again.
        let req = Request::new(Method::PATCH, u)
            .json(serde_json::json!({ "originId": entra_object_id }))
            .send_once();
        self.api.json(req).await
    }

    /// One user of the organization by descriptor; `None` when Azure DevOps
    /// does not know that descriptor (404).
    pub async fn graph_user(
        &self,
        org: &str,
        descriptor: &str,
    ) -> Result<Option<GraphSubject>, ClientError> {
        let u = url(
            &self.endpoints.vssps,
            &[org, "_apis", "graph", "users", descriptor],
            Some(V7_1_GRAPH),
            &[],
        );
        match self.get(u).await {
            Ok(user) => Ok(Some(user)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The caller's profile (not organization-scoped).
    pub async fn profile(&self) -> Result<Profile, ClientError> {
        self.get(url(
            &self.endpoints.app_vssps,
            &["_apis", "profile", "profiles", "me"],
            Some(V7_1),
            &[],
        ))
        .await
    }

    /// Organizations `member_id` (the profile's `publicAlias`/`id`) belongs to.
    pub async fn accounts(&self, member_id: &str) -> Result<Vec<Account>, ClientError> {
        let list: ListOf<Account> = self
            .get(url(
                &self.endpoints.app_vssps,
                &["_apis", "accounts"],
                Some(V7_1),
                &[("memberId", member_id)],
            ))
            .await?;
        Ok(list.value)
    }

    /// Every project of the organization.
    pub async fn projects(&self, org: &str) -> Result<Vec<Project>, ClientError> {
        let base = url(
            &self.endpoints.dev,
            &[org, "_apis", "projects"],
            Some(V7_1),
            &[("$top", "500")],
        );
        self.all_by_header(base).await
    }

    /// Every Git repository of the organization.
    pub async fn repositories(&self, org: &str) -> Result<Vec<Repository>, ClientError> {
        let list: ListOf<Repository> = self
            .get(url(
                &self.endpoints.dev,
                &[org, "_apis", "git", "repositories"],
                Some(V7_1),
                &[],
            ))
            .await?;
        Ok(list.value)
    }

    /// AzureRM service connections of one project (with details: tenant id).
    pub async fn azure_rm_endpoints(
        &self,
        org: &str,
        project: &str,
    ) -> Result<Vec<ServiceEndpoint>, ClientError> {
        self.service_endpoints_of(org, project, Some("AzureRM"))
            .await
    }

    /// AzureRM service connections of every project (requests run concurrently,
    /// bounded by the policy's concurrency).
    pub async fn azure_rm_endpoints_all(
        &self,
        org: &str,
    ) -> Result<Vec<(Project, Vec<ServiceEndpoint>)>, ClientError> {
        let projects = self.projects(org).await?;
        let calls = projects.into_iter().map(|p| async move {
            let eps = self.azure_rm_endpoints(org, &p.id).await?;
            Ok::<_, ClientError>((p, eps))
        });
        futures_util::future::try_join_all(calls).await
    }

    /// The caller's own PATs (metadata only). Needs an Entra token.
    pub async fn pats(&self, org: &str) -> Result<Vec<PatToken>, ClientError> {
        if self.api.tokens.method().await == Some(SignInMethod::Pat) {
            return Err(ClientError::PatNotAccepted {
                what: "the PAT lifecycle API (listing tokens)".into(),
            });
        }
        let base = url(
            &self.endpoints.vssps,
            &[org, "_apis", "tokens", "pats"],
            Some("7.1-preview.1"),
            &[],
        );
        self.pages_with_body_token(base, |page: PatTokenPage| {
            (page.pat_tokens, page.continuation_token)
        })
        .await
    }
}

/// `authorization_uri` from `Bearer authorization_uri=https://..., ...`.
/// Group descriptors (`vssgp.`, `aadgp.`) as opposed to users and service principals.
pub fn is_group_descriptor(d: &str) -> bool {
    let d = d.to_ascii_lowercase();
    d.starts_with("vssgp.") || d.starts_with("aadgp.")
}

pub fn parse_authorization_uri(www_authenticate: &str) -> Option<String> {
    www_authenticate.split([',', ' ']).find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        k.eq_ignore_ascii_case("authorization_uri")
            .then(|| v.trim_matches('"').to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Pick `[{org}]\Project Collection Administrators` among groups.
pub fn find_pca(org: &str, groups: Vec<GraphSubject>) -> Option<GraphSubject> {
    let exact = format!("[{org}]\\Project Collection Administrators");
    let mut fallback = None;
    for g in groups {
        if g.principal_name.eq_ignore_ascii_case(&exact) {
            return Some(g);
        }
        // The bracketed name is the collection name, which can differ in case or
        // after a rename; collection-level groups have a `vstfs:///Framework/` domain.
        if g.principal_name
            .to_ascii_lowercase()
            .ends_with("]\\project collection administrators")
            && !g.domain.contains("TeamProject")
        {
            fallback.get_or_insert(g);
        }
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_uri_parsing() {
        assert_eq!(
            parse_authorization_uri(
                "Bearer authorization_uri=https://login.microsoftonline.com/abc, Basic realm=\"x\""
            )
            .as_deref(),
            Some("https://login.microsoftonline.com/abc")
        );
        assert_eq!(parse_authorization_uri("Basic realm=\"x\""), None);
    }

    #[test]
    fn urls_encode_segments_and_values() {
        let e = Endpoints::azure();
        let u = url(
            &e.vssps,
            &["o rg", "_apis", "graph", "users", "aad.X/Y"],
            Some(V7_1_GRAPH),
            &[("continuationToken", "a+b=&c")],
        );
        assert_eq!(
            u.as_str(),
            "https://vssps.dev.azure.com/o%20rg/_apis/graph/users/aad.X%2FY?continuationToken=a%2Bb%3D%26c&api-version=7.1-preview.1"
        );
        assert_eq!(
            url(&e.dev, &["o"], None, &[]).as_str(),
            "https://dev.azure.com/o"
        );
    }

    #[test]
    fn pca_is_found_case_insensitively() {
        let g = |p: &str, d: &str| GraphSubject {
            principal_name: p.into(),
            domain: d.into(),
            descriptor: p.into(),
            ..Default::default()
        };
        let groups = vec![
            g(
                "[P]\\Project Administrators",
                "vstfs:///Classification/TeamProject/1",
            ),
            g(
                "[MyOrg]\\Project Collection Administrators",
                "vstfs:///Framework/IdentityDomain/1",
            ),
        ];
        assert!(find_pca("myorg", groups.clone()).is_some());
        assert!(find_pca("renamed", groups).is_some());
        assert!(find_pca("x", vec![]).is_none());
    }
}
