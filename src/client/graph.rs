//! Microsoft Graph client (v1.0): the signed-in user, the tenant, user lookups,
//! full-tenant download, `$batch` and guest invitations.

use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;
use url::Url;

use super::auth::{Resource, TokenProvider};
use super::endpoints::{Endpoints, join};
use super::error::{ClientError, Service};
use super::http::{Api, ClientEvent, HttpCore, Request};
use super::models::graph::*;

pub mod recovery;
pub mod settings;

/// Graph's `$batch` limit.
pub const BATCH_LIMIT: usize = 20;
/// `$select` for `/me`.
pub const ME_SELECT: &str = "id,displayName,userPrincipalName,mail,userType,createdDateTime";

/// Client for Microsoft Graph.
#[derive(Clone, Debug)]
pub struct GraphClient {
    api: Api,
    base: Url,
}

/// Quote a string as an OData literal (`'` doubled).
pub fn odata_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The `$filter` that finds a user by any of their addresses.
pub fn email_filter(email: &str) -> String {
    let l = odata_literal(email);
    let smtp = odata_literal(&format!("smtp:{email}"));
    format!(
        "userPrincipalName eq {l} or mail eq {l} or otherMails/any(c:c eq {l}) or proxyAddresses/any(c:c eq {smtp})"
    )
}

impl GraphClient {
    pub fn new(core: HttpCore, endpoints: &Endpoints, tokens: TokenProvider) -> Self {
        Self {
            api: Api {
                core,
                tokens,
                resource: Resource::Graph,
                service: Service::Graph,
            },
            base: join(&endpoints.graph, &["v1.0", ""]),
        }
    }

    fn url(&self, path: &[&str], pairs: &[(&str, &str)]) -> Url {
        let mut u = join(&self.base, path);
        if !pairs.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        u
    }

    async fn get<T: DeserializeOwned>(&self, u: Url) -> Result<T, ClientError> {
        self.api.json(Request::get(u)).await
    }

    /// The signed-in user.
    pub async fn me(&self) -> Result<User, ClientError> {
        self.get(self.url(&["me"], &[("$select", ME_SELECT)])).await
    }

    /// The signed-in user's tenant.
    pub async fn organization(&self) -> Result<Organization, ClientError> {
        let page: Page<Organization> = self
            .get(self.url(
                &["organization"],
                &[("$select", "id,displayName,verifiedDomains")],
            ))
            .await?;
        page.value
            .into_iter()
            .next()
            .ok_or_else(|| ClientError::Decode {
                request: "GET /v1.0/organization".into(),
                message: "no organization returned".into(),
            })
    }

    /// Users whose UPN, mail, other mails or SMTP proxy addresses equal `email`.
    pub async fn find_users_by_email(&self, email: &str) -> Result<Vec<User>, ClientError> {
        let u = self.url(
            &["users"],
            &[("$filter", &email_filter(email)), ("$select", USER_SELECT)],
        );
        self.collect(u).await
    }

    /// Look many addresses up at once through `$batch` (20 per request).
    /// Returns, per input address (same order), the users it matched; an item
    /// that failed is returned as its typed error.
    pub async fn find_users_by_emails(
        &self,
        emails: &[String],
    ) -> Result<Vec<Result<Vec<User>, ClientError>>, ClientError> {
        let requests = emails
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut u = Url::parse("https://graph.invalid/users").map_err(|err| {
                    ClientError::InvalidUrl {
                        url: "users".into(),
                        reason: err.to_string(),
                    }
                })?;
                u.query_pairs_mut()
                    .append_pair("$filter", &email_filter(e))
                    .append_pair("$select", USER_SELECT);
                Ok(BatchRequest {
                    id: i.to_string(),
                    method: "GET".into(),
                    url: format!("/users?{}", u.query().unwrap_or("")),
                    body: None,
                    headers: None,
                })
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        let responses = self.batch_raw(requests).await?;
        Ok(responses
            .into_iter()
            .map(|r| users_page(r).map(|p| p.value))
            .collect())
    }

    /// Users whose display name, UPN or mail starts with `text` (at most
    /// `top`, one page): the Resolve screen's live search.
    pub async fn search_users(&self, text: &str, top: usize) -> Result<Vec<User>, ClientError> {
        let lit = odata_literal(text.trim());
        let filter = format!(
            "startswith(displayName,{lit}) or startswith(userPrincipalName,{lit}) or startswith(mail,{lit})"
        );
        let top = top.clamp(1, 999).to_string();
        let u = self.url(
            &["users"],
            &[
                ("$filter", &filter),
                ("$select", USER_SELECT),
                ("$top", &top),
            ],
        );
        let page: Page<User> = self.get(u).await?;
        Ok(page.value)
    }

    /// Every user of the tenant (`$top=999`, following `@odata.nextLink`).
    pub async fn all_users(&self) -> Result<Vec<User>, ClientError> {
        self.all_users_selecting(USER_SELECT).await
    }

    async fn all_users_selecting(&self, select: &str) -> Result<Vec<User>, ClientError> {
        let u = self.url(&["users"], &[("$top", "999"), ("$select", select)]);
        self.collect(u).await
    }

    /// How many users the directory holds (`/users/$count`; needs the
    /// `ConsistencyLevel: eventual` header).
    pub async fn count_users(&self) -> Result<u64, ClientError> {
        let u = self.url(&["users", "$count"], &[]);
        self.api
            .json(Request::get(u).header("consistencylevel", "eventual"))
            .await
    }

    /// Every user of the directory, read in parallel: the first page is a
    /// sample of UPNs, whose quantiles cut the directory into contiguous UPN
    /// ranges (`userPrincipalName ge 'a' and userPrincipalName le 'b'`; the
    /// ranges share their end points, so together they cover every UPN
    /// whatever the server's collation); each round then fetches the next
    /// page of every range through `$batch`, 20 at a time. About three pages
    /// per range, so a 200,000-user directory takes a handful of rounds
    /// instead of 200 sequential pages. Falls back to [`Self::all_users`] when
    /// the count is unavailable or the directory is small.
    pub async fn all_users_parallel(&self) -> Result<Vec<User>, ClientError> {
        self.all_users_parallel_selecting(USER_SELECT).await
    }

    /// [`Self::all_users_parallel`] with the properties the match engine
    /// reads as well ([`MATCH_USER_SELECT`]): the Resolve step's read.
    pub async fn all_users_for_matching(&self) -> Result<Vec<User>, ClientError> {
        self.all_users_parallel_selecting(MATCH_USER_SELECT).await
    }

    async fn all_users_parallel_selecting(&self, select: &str) -> Result<Vec<User>, ClientError> {
        match self.count_users().await {
            Ok(count) => self.all_users_counted_selecting(count, select).await,
            Err(_) => self.all_users_selecting(select).await,
        }
    }

    /// Requests [`Self::all_users_counted`] is expected to make for `count` users.
    pub fn parallel_read_cost(count: u64) -> u64 {
        if count <= 999 * 3 {
            count.div_ceil(999).max(1)
        } else {
            // The sample, then about four rounds of ranges 20 to a batch.
            1 + count.div_ceil(999 * 3).div_ceil(BATCH_LIMIT as u64) * 4
        }
    }

    /// [`Self::all_users_parallel`] when the count is already known.
    pub async fn all_users_counted(&self, count: u64) -> Result<Vec<User>, ClientError> {
        self.all_users_counted_selecting(count, USER_SELECT).await
    }

    async fn all_users_counted_selecting(
        &self,
        count: u64,
        select: &str,
    ) -> Result<Vec<User>, ClientError> {
        const PAGE: u64 = 999;
        if count <= PAGE * 3 {
            return self.all_users_selecting(select).await;
        }
        let first = self.url(&["users"], &[("$top", "999"), ("$select", select)]);
        let sample: Page<User> = self.get(first).await?;
        if sample.next_link.is_none() {
            return Ok(sample.value);
        }
        let mut upns: Vec<String> = sample
            .value
            .iter()
            .filter_map(|u| u.user_principal_name.as_deref())
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        upns.sort();
        upns.dedup();
        let ranges = count.div_ceil(PAGE * 3).clamp(2, 400) as usize;
        let mut bounds: Vec<String> = (1..ranges)
            .filter_map(|i| upns.get(i * upns.len() / ranges).cloned())
            .collect();
        bounds.dedup();
        let lit = |s: &str| odata_literal(s);
        let mut filters = Vec::with_capacity(bounds.len() + 1);
        for (i, b) in bounds.iter().enumerate() {
            filters.push(match i {
                0 => format!("userPrincipalName le {}", lit(b)),
                _ => format!(
                    "userPrincipalName ge {} and userPrincipalName le {}",
                    lit(&bounds[i - 1]),
                    lit(b)
                ),
            });
        }
        match bounds.last() {
            Some(last) => filters.push(format!("userPrincipalName ge {}", lit(last))),
            None => return self.all_users_selecting(select).await,
        }
        let mut pending: Vec<String> = filters
            .iter()
            .map(|f| {
                let mut u = Url::parse("https://graph.invalid/users").expect("static url");
                u.query_pairs_mut()
                    .append_pair("$filter", f)
                    .append_pair("$select", select)
                    .append_pair("$top", "999");
                format!("/users?{}", u.query().unwrap_or(""))
            })
            .collect();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut out: Vec<User> = Vec::with_capacity(count.min(1_000_000) as usize);
        let mut rounds = 0;
        while !pending.is_empty() {
            rounds += 1;
            if rounds > 10_000 {
                break;
            }
            let chunks: Vec<Vec<BatchRequest>> = pending
                .chunks(BATCH_LIMIT)
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .map(|(i, url)| BatchRequest {
                            id: i.to_string(),
                            method: "GET".into(),
                            url: url.clone(),
                            body: None,
                            headers: None,
                        })
                        .collect()
                })
                .collect();
            let answers = futures_util::future::join_all(
                chunks
                    .into_iter()
                    .map(|c| async move { self.batch_raw(c).await }),
            )
            .await;
            let mut next = Vec::new();
            for answer in answers {
                for r in answer? {
                    let page = users_page(r)?;
                    for u in page.value {
                        if seen.insert(u.id.clone()) {
                            out.push(u);
                        }
                    }
                    if let Some(link) = page.next_link {
                        next.push(self.relative(&link)?);
                    }
                }
            }
            pending = next;
        }
        for u in sample.value {
            if seen.insert(u.id.clone()) {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// A nextLink as a `$batch` URL (relative to the version root); only
    /// links on this Graph origin are followed.
    fn relative(&self, link: &str) -> Result<String, ClientError> {
        let u = Url::parse(link).map_err(|e| ClientError::InvalidUrl {
            url: link.to_string(),
            reason: e.to_string(),
        })?;
        let root = self.base.path().trim_end_matches('/');
        match u.path().strip_prefix(root) {
            Some(rest) if u.origin() == self.base.origin() => Ok(match u.query() {
                Some(q) => format!("{rest}?{q}"),
                None => rest.to_string(),
            }),
            _ => Err(ClientError::Decode {
                request: "GET /v1.0 paging".into(),
                message: format!(
                    "nextLink points outside Graph: {}",
                    u.origin().ascii_serialization()
                ),
            }),
        }
    }

    /// Follow `@odata.nextLink` (only ever on the same Graph origin).
    async fn collect<T: DeserializeOwned>(&self, first: Url) -> Result<Vec<T>, ClientError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut pages = 0usize;
        while let Some(u) = next.take() {
            pages += 1;
            if pages > 100_000 {
                break;
            }
            let page: Page<T> = self.get(u).await?;
            out.extend(page.value);
            if let Some(link) = page.next_link {
                let link = Url::parse(&link).map_err(|e| ClientError::InvalidUrl {
                    url: link.clone(),
                    reason: e.to_string(),
                })?;
                if link.origin() != self.base.origin() || !link.path().starts_with(self.base.path())
                {
                    // Never send the Graph token to another host.
                    return Err(ClientError::Decode {
                        request: "GET /v1.0 paging".into(),
                        message: format!(
                            "nextLink points outside Graph: {}",
                            link.origin().ascii_serialization()
                        ),
                    });
                }
                next = Some(link);
            }
        }
        Ok(out)
    }

    /// Invite a guest (`POST /invitations`, needs User.Invite.All).
    pub async fn invite(
        &self,
        email: &str,
        display_name: Option<&str>,
        redirect_url: &str,
        send_message: bool,
    ) -> Result<Invitation, ClientError> {
        let mut body = json!({
            "invitedUserEmailAddress": email,
            "inviteRedirectUrl": redirect_url,
            "sendInvitationMessage": send_message,
        });
        if let Some(n) = display_name {
            body["invitedUserDisplayName"] = json!(n);
        }
        // Never sent twice by the pipeline: a lost answer is settled by
        // looking the guest up.
        self.api
            .json(
                Request::new(Method::POST, self.url(&["invitations"], &[]))
                    .json(body)
                    .send_once(),
            )
            .await
    }

    /// Run requests through `$batch` in chunks of 20. Items answered 429/503 are
    /// re-sent (honouring their `Retry-After`) up to the policy's attempt limit.
    /// Responses come back in the order of `requests`.
    pub async fn batch(
        &self,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResponse>, ClientError> {
        self.batch_as(requests).await
    }

    /// [`Self::batch`] with the bodies kept as JSON text ([`RawBody`]).
    pub async fn batch_raw(
        &self,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResponse<RawBody>>, ClientError> {
        self.batch_as(requests).await
    }

    async fn batch_as<B>(
        &self,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResponse<B>>, ClientError>
    where
        B: serde::de::DeserializeOwned + Default,
    {
        let mut out = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(BATCH_LIMIT) {
            out.extend(self.batch_chunk(chunk).await?);
        }
        Ok(out)
    }

    async fn batch_chunk<B>(
        &self,
        chunk: &[BatchRequest],
    ) -> Result<Vec<BatchResponse<B>>, ClientError>
    where
        B: serde::de::DeserializeOwned + Default,
    {
        let policy = self.api.core.policy().clone();
        let mut done: Vec<Option<BatchResponse<B>>> = (0..chunk.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            attempt += 1;
            let reqs: Vec<&BatchRequest> = pending.iter().map(|&i| &chunk[i]).collect();
            let u = join(&self.base, &["$batch"]);
            // Only reads go through `$batch` here: sending it again is safe.
            let req = Request::new(Method::POST, u)
                .json(json!({ "requests": reqs }))
                .retry_safe();
            let env: BatchEnvelope<B> = self.api.json(req).await?;
            // Answers are matched to requests by id (their order is not promised).
            let mut answers: std::collections::HashMap<String, BatchResponse<B>> =
                std::collections::HashMap::with_capacity(env.responses.len());
            for r in env.responses {
                answers.entry(r.id.clone()).or_insert(r);
            }
            let mut retry = Vec::new();
            let mut wait = Duration::ZERO;
            for &i in &pending {
                let Some(r) = answers.remove(&chunk[i].id) else {
                    return Err(ClientError::Decode {
                        request: "POST /v1.0/$batch".into(),
                        message: format!("no response for item {}", chunk[i].id),
                    });
                };
                let throttled = r.status == 429 || r.status == 503;
                if throttled && attempt < policy.max_attempts.max(1) {
                    let ra = r
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                        .and_then(|(_, v)| {
                            v.as_str()
                                .and_then(|s| s.trim().parse::<u64>().ok())
                                .or(v.as_u64())
                        })
                        .map(Duration::from_secs)
                        .unwrap_or(policy.base_delay);
                    wait = wait.max(ra.min(policy.max_retry_after));
                    retry.push(i);
                } else {
                    done[i] = Some(r);
                }
            }
            if !retry.is_empty() {
                self.api.core.emit(ClientEvent::RetryAfter {
                    host: self.base.host_str().unwrap_or("-").into(),
                    status: 429,
                    wait,
                    attempt,
                });
                tokio::time::sleep(wait).await;
            }
            pending = retry;
        }
        Ok(done.into_iter().flatten().collect())
    }
}

/// A page of users from one `$batch` answer, parsed straight from its text,
/// or the answer's error as Graph gave it.
fn users_page(r: BatchResponse<RawBody>) -> Result<Page<User>, ClientError> {
    const REQUEST: &str = "POST /v1.0/$batch (users)";
    let body = r.body.as_deref().map_or("null", |b| b.get());
    if (200..300).contains(&r.status) {
        serde_json::from_str(body).map_err(|e| ClientError::Decode {
            request: REQUEST.into(),
            message: e.to_string(),
        })
    } else {
        Err(ClientError::Api(Box::new(super::error::api_error(
            Service::Graph,
            reqwest::StatusCode::from_u16(r.status).unwrap_or(reqwest::StatusCode::BAD_GATEWAY),
            REQUEST.into(),
            &reqwest::header::HeaderMap::new(),
            body.as_bytes(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_quotes_are_doubled() {
        assert_eq!(odata_literal("o'neil@x.com"), "'o''neil@x.com'");
        let f = email_filter("a'b@c.d");
        assert!(f.contains("mail eq 'a''b@c.d'"));
        assert!(f.contains("proxyAddresses/any(c:c eq 'smtp:a''b@c.d')"));
    }

    #[test]
    fn graph_urls() {
        let core = HttpCore::new(Default::default()).unwrap();
        let e = Endpoints::emulator("http://127.0.0.1:9").unwrap();
        let g = GraphClient::new(core, &e, TokenProvider::new(None, None, None));
        assert_eq!(
            g.url(&["me"], &[]).as_str(),
            "http://127.0.0.1:9/graph/v1.0/me"
        );
        let u = g.url(&["users"], &[("$filter", "mail eq 'a&b'")]);
        assert_eq!(u.query(), Some("%24filter=mail+eq+%27a%26b%27"));
    }
}
