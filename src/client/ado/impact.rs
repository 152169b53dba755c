//! What a change affects, read from Azure DevOps (all documented, see
//! docs/endpoints.md): every user's tokens through token administration,
//! service connections of every kind and their verification (the portal's
//! "Verify"), variable groups, agent pools and their agents, the audit log,
//! and a Git fetch's first request.

use reqwest::Method;
use serde_json::json;

use super::{AdoClient, V7_1, url};
use crate::client::error::ClientError;
use crate::client::http::Request;
use crate::client::models::ListOf;
use crate::client::models::ado::*;

/// api-version of token administration, the audit log and the endpoint proxy (previews).
pub const V7_1_PREVIEW: &str = "7.1-preview.1";

impl AdoClient {
    /// Every PAT (`ssh: false`) or SSH key (`ssh: true`) of the user
    /// `descriptor` (`GET {vssps}/{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}`);
    /// needs the right to manage the organization's tokens.
    pub async fn user_tokens(
        &self,
        org: &str,
        descriptor: &str,
        ssh: bool,
    ) -> Result<Vec<SessionToken>, ClientError> {
        let base = url(
            &self.endpoints.vssps,
            &[
                org,
                "_apis",
                "tokenadmin",
                "personalaccesstokens",
                descriptor,
            ],
            Some(V7_1_PREVIEW),
            &[
                ("isPublic", if ssh { "true" } else { "false" }),
                ("pageSize", "100"),
            ],
        );
        self.pages_with_body_token(base, |page: SessionTokenPage| {
            (page.value, page.continuation_token)
        })
        .await
    }

    /// Tokens of many users (the client's concurrency bounds the requests in
    /// flight): for each descriptor, its PATs and its SSH keys. The first
    /// refusal ends it.
    pub async fn tokens_of(
        &self,
        org: &str,
        descriptors: &[String],
    ) -> Result<Vec<(String, Vec<SessionToken>, Vec<SessionToken>)>, ClientError> {
        let reads = descriptors.iter().map(|d| async move {
            let (pats, keys) = tokio::join!(
                self.user_tokens(org, d, false),
                self.user_tokens(org, d, true)
            );
            Ok::<_, ClientError>((d.clone(), pats?, keys?))
        });
        futures_util::future::try_join_all(reads).await
    }

    /// A `{count, value}` list's items.
    async fn values<T: serde::de::DeserializeOwned>(
        &self,
        path: &[&str],
    ) -> Result<Vec<T>, ClientError> {
        self.values_where(path, &[]).await
    }

    async fn values_where<T: serde::de::DeserializeOwned>(
        &self,
        path: &[&str],
        pairs: &[(&str, &str)],
    ) -> Result<Vec<T>, ClientError> {
        let list: ListOf<T> = self
            .get(url(&self.endpoints.dev, path, Some(V7_1), pairs))
            .await?;
        Ok(list.value)
    }

    /// Service connections of every type in one project, with details.
    pub async fn service_endpoints(
        &self,
        org: &str,
        project: &str,
    ) -> Result<Vec<ServiceEndpoint>, ClientError> {
        self.service_endpoints_of(org, project, None).await
    }

    /// Service connections of one project, of type `kind` when given.
    pub(crate) async fn service_endpoints_of(
        &self,
        org: &str,
        project: &str,
        kind: Option<&str>,
    ) -> Result<Vec<ServiceEndpoint>, ClientError> {
        let mut pairs = vec![("includeDetails", "true")];
        if let Some(k) = kind {
            pairs.insert(0, ("type", k));
        }
        self.values_where(
            &[org, project, "_apis", "serviceendpoint", "endpoints"],
            &pairs,
        )
        .await
    }

    /// Variable groups of one project.
    pub async fn variable_groups(
        &self,
        org: &str,
        project: &str,
    ) -> Result<Vec<VariableGroup>, ClientError> {
        self.values(&[org, project, "_apis", "distributedtask", "variablegroups"])
            .await
    }

    /// Every project with its service connections and variable groups.
    pub async fn project_resources(
        &self,
        org: &str,
    ) -> Result<Vec<(Project, Vec<ServiceEndpoint>, Vec<VariableGroup>)>, ClientError> {
        let projects = crate::client::budget::leading(self.projects(org)).await?;
        let reads = projects.into_iter().map(|p| async move {
            let (eps, groups) = tokio::join!(
                self.service_endpoints(org, &p.id),
                self.variable_groups(org, &p.id)
            );
            Ok::<_, ClientError>((p, eps?, groups?))
        });
        futures_util::future::try_join_all(reads).await
    }

    /// Agent pools of the organization.
    pub async fn agent_pools(&self, org: &str) -> Result<Vec<AgentPool>, ClientError> {
        self.values(&[org, "_apis", "distributedtask", "pools"])
            .await
    }

    /// Agents of one pool.
    pub async fn agents(&self, org: &str, pool: i64) -> Result<Vec<Agent>, ClientError> {
        let id = pool.to_string();
        self.values(&[org, "_apis", "distributedtask", "pools", &id, "agents"])
            .await
    }

    /// Every self-hosted pool with its agents (Microsoft-hosted pools are
    /// not registered by anyone).
    pub async fn self_hosted_agents(
        &self,
        org: &str,
    ) -> Result<Vec<(AgentPool, Vec<Agent>)>, ClientError> {
        let pools = self.agent_pools(org).await?;
        let reads = pools
            .into_iter()
            .filter(|p| p.is_hosted != Some(true))
            .map(|p| async move {
                let agents = self.agents(org, p.id).await?;
                Ok::<_, ClientError>((p, agents))
            });
        futures_util::future::try_join_all(reads).await
    }

    /// Verify a service connection as the portal's "Verify" does: a
    /// `TestConnection` request through the endpoint proxy
    /// (`POST {dev}/{org}/{project}/_apis/serviceendpoint/endpointproxy?endpointId=…`).
    pub async fn verify_endpoint(
        &self,
        org: &str,
        project: &str,
        endpoint: &ServiceEndpoint,
    ) -> Result<EndpointRequestResult, ClientError> {
        let u = url(
            &self.endpoints.dev,
            &[org, project, "_apis", "serviceendpoint", "endpointproxy"],
            Some(V7_1_PREVIEW),
            &[("endpointId", &endpoint.id)],
        );
        let auth = endpoint.authorization.as_ref();
        let body = json!({
            "dataSourceDetails": { "dataSourceName": "TestConnection", "parameters": {} },
            "resultTransformationDetails": {},
            "serviceEndpointDetails": {
                "type": endpoint.kind,
                "url": endpoint.url,
                "data": endpoint.data,
                "authorization": {
                    "scheme": auth.and_then(|a| a.scheme.clone()),
                    "parameters": auth.map(|a| a.parameters.clone()).unwrap_or_default(),
                }
            }
        });
        // Asking again is harmless: the request only reads.
        let req = Request::new(Method::POST, u).json(body).retry_safe();
        self.api.json(req).await
    }

    /// Audit log entries since `start` (RFC 3339), newest first, following
    /// the continuation token while `hasMore` (`GET {audit}/{org}/_apis/audit/auditlog`).
    pub async fn audit_log(&self, org: &str, start: &str) -> Result<Vec<AuditEntry>, ClientError> {
        let base = url(
            &self.endpoints.audit,
            &[org, "_apis", "audit", "auditlog"],
            Some(V7_1_PREVIEW),
            &[("startTime", start), ("skipAggregation", "true")],
        );
        self.paginate(base, true, |u| async move {
            let v: serde_json::Value = self.get(u).await?;
            // The documented example wraps the result in `value`.
            let body = v
                .get("value")
                .filter(|x| x.is_object())
                .cloned()
                .unwrap_or(v);
            let page: AuditLogPage =
                serde_json::from_value(body).map_err(|e| ClientError::Decode {
                    request: format!("GET audit log of {org}"),
                    message: e.to_string(),
                })?;
            let next = page
                .has_more
                .unwrap_or(false)
                .then_some(page.continuation_token)
                .flatten();
            Ok((page.decorated_audit_log_entries, next))
        })
        .await
    }

    /// The first request of a Git fetch over HTTPS (Git's smart HTTP
    /// protocol: `GET …/_git/{repo}/info/refs?service=git-upload-pack`) with
    /// the current credentials: whether Git would be let in.
    pub async fn git_ref_advertisement(
        &self,
        org: &str,
        project: &str,
        repo: &str,
    ) -> Result<(), ClientError> {
        let u = url(
            &self.endpoints.dev,
            &[org, project, "_git", repo, "info", "refs"],
            None,
            &[("service", "git-upload-pack")],
        );
        let resp = self.api.send(Request::get(u)).await?;
        let kind = resp.header("content-type").unwrap_or_default().to_string();
        if kind.starts_with("application/x-git-upload-pack-advertisement") {
            Ok(())
        } else {
            Err(ClientError::Decode {
                request: resp.request.clone(),
                message: format!("not a Git reference advertisement (content type '{kind}')"),
            })
        }
    }
}

/// Whether an error means "not allowed to" (as opposed to failing).
pub fn refused(e: &ClientError) -> bool {
    e.is_auth() || matches!(e.status(), Some(401 | 403))
}
