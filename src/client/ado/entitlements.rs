//! Every user entitlement of an organization, read by several walks at once.
//!
//! The service pages user entitlements by 100 with the next page's token in
//! the body, so a single walk over 10,000 users is 100 requests in a row.
//! Two documented query options let walks run side by side without trusting
//! anything the service does not promise:
//!
//! - `$filter=licenseId eq '…'` splits the users by access level (a user has
//!   one), and each part reports its own `totalCount`;
//! - `$orderBy=name asc` and `name desc` walk a part from both ends at once.
//!
//! Every page lands in one map keyed by entitlement id. A part is finished
//! when the map holds as many of its users as its `totalCount` says (the two
//! walks have met), and the parts are trusted only when their totals add up
//! to the organization's. Otherwise (an access level not named here, a
//! server that ignores the filter, users changing licence mid-walk) the whole
//! organization is walked from both ends instead. A server that ignores the
//! order shows it on the first pages (both ends start with the same user);
//! its descending walk is then dropped and the ascending one reads on alone.
//!
//! First of all, the organization is read by offset: the 5.0 form of the
//! same listing (Microsoft Learn, "User Entitlements - Get User
//! Entitlements", REST API 5.0: `top` up to 10,000 and `skip`; the Azure
//! DevOps CLI's `az devops user list` still calls it, as its recordings of
//! 2026 show) reaches any page directly. Its first page of 1,000 carries the
//! total, so an organization of up to 1,000 users is one request, and every
//! other page of a larger one is asked for at once. Its answer is trusted
//! only when every page is full and the pages hold exactly the
//! organization's `totalCount` different users; a service that refuses the
//! version, ignores `skip` or changes under the walk gets the walks above.
//! Of those, an organization of up to three pages is simply read on page by
//! page: opening the parts would cost more requests and save no round.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use futures_util::future::join_all;
use url::Url;

use super::{AdoClient, MAX_PAGES, V7_1, url};
use crate::client::error::ClientError;
use crate::client::models::ado::{UserEntitlement, UserEntitlementsPage};

/// Entries in a page of user entitlements.
const PAGE: usize = 100;
/// Up to this many pages the organization is simply read on page by page.
const SMALL: usize = 3;
/// Entries in a page read by offset.
const OFFSET_PAGE: usize = 1000;
/// The api-version of the listing by offset (`top` and `skip`).
const OFFSET_VERSION: &str = "5.0-preview.2";

/// The access levels the organization is split by, as `licenseId` values.
pub const LICENCE_PARTS: [&str; 3] = ["Account-Express", "Account-Stakeholder", "Account-Advanced"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// The service's own order (no `$orderBy`).
    Service,
    NameAsc,
    NameDesc,
}

struct Page {
    members: Vec<UserEntitlement>,
    token: Option<String>,
    total: Option<u64>,
}

/// What the walks have read so far: entitlements by key, and per part the
/// keys seen in it.
#[derive(Default)]
struct Found {
    by_key: HashMap<String, UserEntitlement>,
    anonymous: usize,
}

impl Found {
    /// The member's identity: its id, else its descriptor (a hostile or
    /// broken page must not merge different users into one).
    fn key(&mut self, m: &UserEntitlement) -> String {
        if !m.id.trim().is_empty() {
            m.id.trim().to_ascii_lowercase()
        } else if !m.user.descriptor.trim().is_empty() {
            format!("descriptor:{}", m.user.descriptor.trim())
        } else {
            self.anonymous += 1;
            format!("anonymous:{}", self.anonymous)
        }
    }

    fn absorb(&mut self, members: Vec<UserEntitlement>, part: Option<&mut HashSet<String>>) {
        let mut part = part;
        for m in members {
            let key = self.key(&m);
            if let Some(p) = part.as_deref_mut() {
                p.insert(key.clone());
            }
            self.by_key.entry(key).or_insert(m);
        }
    }
}

/// One part of the organization being walked: how many users it has and
/// which of them have been seen.
struct Part {
    want: usize,
    seen: HashSet<String>,
}

struct Shared {
    found: Found,
    parts: Vec<Part>,
}

impl Shared {
    /// Start a part of `want` users (`seen` already known in it) from its
    /// first pages; returns the part's index.
    fn open_part<const N: usize>(
        &mut self,
        want: usize,
        seen: HashSet<String>,
        first_pages: [Vec<UserEntitlement>; N],
    ) -> usize {
        let mut part = Part { want, seen };
        for page in first_pages {
            self.found.absorb(page, Some(&mut part.seen));
        }
        self.parts.push(part);
        self.parts.len() - 1
    }
}

impl AdoClient {
    fn entitlements_url(
        &self,
        org: &str,
        filter: Option<&str>,
        order: Order,
        token: Option<&str>,
    ) -> Url {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(f) = filter {
            pairs.push(("$filter", f));
        }
        match order {
            Order::Service => {}
            Order::NameAsc => pairs.push(("$orderBy", "name asc")),
            Order::NameDesc => pairs.push(("$orderBy", "name desc")),
        }
        if let Some(t) = token {
            pairs.push(("continuationToken", t));
        }
        url(
            &self.endpoints.vsaex,
            &[org, "_apis", "userentitlements"],
            Some(V7_1),
            &pairs,
        )
    }

    async fn entitlements_page(
        &self,
        org: &str,
        filter: Option<&str>,
        order: Order,
        token: Option<&str>,
    ) -> Result<Page, ClientError> {
        let page: UserEntitlementsPage = self
            .get(self.entitlements_url(org, filter, order, token))
            .await?;
        let token = page
            .continuation_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let total = page.total_count;
        Ok(Page {
            members: page.into_members(),
            token,
            total,
        })
    }

    /// How many users the organization has (`totalCount`), from the
    /// smallest page: one user by offset, else the first page.
    pub async fn user_count(&self, org: &str) -> Result<u64, ClientError> {
        match self.offset_page(org, 1, 0).await {
            Ok(UserEntitlementsPage {
                total_count: Some(n),
                ..
            }) => Ok(n),
            Err(e) if e.is_auth() => Err(e),
            _ => {
                let first = self
                    .entitlements_page(org, None, Order::Service, None)
                    .await?;
                Ok(first.total.unwrap_or(first.members.len() as u64))
            }
        }
    }

    /// Every user entitlement; `on_total` hears the organization's size
    /// (`totalCount`) as soon as the first page arrives, so other work can be
    /// planned while the rest is read. See the module documentation for how
    /// a large organization is read by several walks at once.
    pub async fn user_entitlements_sized(
        &self,
        org: &str,
        on_total: impl FnOnce(u64),
    ) -> Result<Vec<UserEntitlement>, ClientError> {
        // The first page by offset: a thousand users and the total in one
        // answer, so most organizations are read in one request, and the
        // rest of a larger one is asked for at once.
        let mut on_total = Some(on_total);
        match self.offset_page(org, OFFSET_PAGE, 0).await {
            Err(e) if e.is_auth() => return Err(e),
            // The form is not served (any more): the walks.
            Err(_) => {}
            Ok(page) => {
                if let Some(total) = page.total_count {
                    if let Some(f) = on_total.take() {
                        f(total);
                    }
                    let total = usize::try_from(total).unwrap_or(usize::MAX);
                    if let Some(all) = self.by_offset(org, total, page.into_members()).await? {
                        return Ok(all);
                    }
                }
            }
        }
        self.by_walks(org, on_total).await
    }

    /// [`Self::user_entitlements_sized`] by the body token's walks, when
    /// the listing by offset was refused or could not be trusted; `on_total`
    /// (unless already told) hears the size from the first page.
    async fn by_walks(
        &self,
        org: &str,
        on_total: Option<impl FnOnce(u64)>,
    ) -> Result<Vec<UserEntitlement>, ClientError> {
        let first = self
            .entitlements_page(org, None, Order::Service, None)
            .await?;
        let total = first.total.unwrap_or(first.members.len() as u64);
        if let Some(f) = on_total {
            f(total);
        }
        if first.token.is_none() || first.members.is_empty() {
            return Ok(first.members);
        }
        let total = usize::try_from(total).unwrap_or(usize::MAX);
        let shared = Mutex::new(Shared {
            found: Found::default(),
            parts: Vec::new(),
        });
        if total <= SMALL * PAGE {
            // A few pages: reading on costs fewer requests than opening the
            // parts, and no more rounds.
            let part = lock(&shared).open_part(total, HashSet::new(), [first.members]);
            self.walk(org, None, Order::Service, first.token, &shared, part)
                .await?;
            return Ok(finish(shared));
        }
        lock(&shared).found.absorb(first.members, None);

        // The parts' first pages, from both ends.
        let filters: Vec<String> = LICENCE_PARTS
            .iter()
            .map(|l| format!("licenseId eq '{l}'"))
            .collect();
        let firsts = join_all(filters.iter().map(|f| async move {
            let (asc, desc) = tokio::join!(
                self.entitlements_page(org, Some(f), Order::NameAsc, None),
                self.entitlements_page(org, Some(f), Order::NameDesc, None)
            );
            (asc, desc)
        }))
        .await;
        let mut starts = Vec::new();
        let mut parts_total = Some(0u64);
        for (asc, desc) in firsts {
            // A refused filter (an access level this service does not know)
            // leaves the parts incomplete; the whole walk below covers it.
            match (asc, desc, parts_total) {
                (Ok(a), Ok(d), Some(sum)) if a.total.is_some() => {
                    parts_total = Some(sum + a.total.unwrap_or(0));
                    starts.push((a, d));
                }
                _ => parts_total = None,
            }
        }
        if parts_total == Some(total as u64) {
            let walks = starts.into_iter().zip(&filters).map(|((asc, desc), f)| {
                self.walk_part(org, Some(f.as_str()), asc, desc, &shared, HashSet::new())
            });
            for r in join_all(walks).await {
                r?;
            }
        }
        if lock(&shared).found.by_key.len() < total {
            // The parts did not account for everyone: walk the whole
            // organization from both ends, counting what is already known.
            let (asc, desc) = tokio::join!(
                self.entitlements_page(org, None, Order::NameAsc, None),
                self.entitlements_page(org, None, Order::NameDesc, None)
            );
            let known: HashSet<String> = lock(&shared).found.by_key.keys().cloned().collect();
            self.walk_part(org, None, asc?, desc?, &shared, known)
                .await?;
        }
        Ok(finish(shared))
    }

    /// One page of up to `top` users by offset, starting at `skip`.
    async fn offset_page(
        &self,
        org: &str,
        top: usize,
        skip: usize,
    ) -> Result<UserEntitlementsPage, ClientError> {
        let (top, skip) = (top.to_string(), skip.to_string());
        let u = url(
            &self.endpoints.vsaex,
            &[org, "_apis", "userentitlements"],
            Some(OFFSET_VERSION),
            &[("top", top.as_str()), ("skip", skip.as_str())],
        );
        self.get(u).await
    }

    /// Every user read by offset from the first page (`first`, in hand),
    /// the others all at once (bounded by the client's concurrency); `None`
    /// when the answer cannot be trusted to be complete: a page unreadable,
    /// short or too long, or the pages not holding exactly `total`
    /// different users. One page holding everyone keeps the service's order.
    async fn by_offset(
        &self,
        org: &str,
        total: usize,
        first: Vec<UserEntitlement>,
    ) -> Result<Option<Vec<UserEntitlement>>, ClientError> {
        let full = |k: usize, members: &[UserEntitlement]| {
            members.len() == OFFSET_PAGE.min(total - k * OFFSET_PAGE)
        };
        // A first page short of what the total promises: `skip` and `top`
        // are not honoured, and the other pages would not be either.
        if !full(0, &first) {
            return Ok(None);
        }
        let mut found = Found::default();
        if total <= OFFSET_PAGE {
            // Everyone on this page, each once.
            let mut keys = HashSet::with_capacity(first.len());
            let distinct = first.iter().all(|m| keys.insert(found.key(m)));
            return Ok((distinct && keys.len() == total).then_some(first));
        }
        found.absorb(first, None);
        let pages = total.div_ceil(OFFSET_PAGE);
        let reads = (1..pages)
            .map(|k| async move { (k, self.offset_page(org, OFFSET_PAGE, k * OFFSET_PAGE).await) });
        for (k, page) in join_all(reads).await {
            let members = match page {
                Ok(p) => p.into_members(),
                // Refused who we are: the walks would be too.
                Err(e) if e.is_auth() => return Err(e),
                // A page could not be read: the walks instead.
                Err(_) => return Ok(None),
            };
            if !full(k, &members) {
                return Ok(None);
            }
            found.absorb(members, None);
        }
        if found.by_key.len() != total {
            return Ok(None);
        }
        Ok(Some(sorted(found)))
    }

    /// Walk one part from both ends, starting from its first pages, until
    /// the two walks have seen all of it between them. `seen` holds keys
    /// already known to be in the part.
    async fn walk_part(
        &self,
        org: &str,
        filter: Option<&str>,
        asc: Page,
        desc: Page,
        shared: &Mutex<Shared>,
        seen: HashSet<String>,
    ) -> Result<(), ClientError> {
        let want = asc
            .total
            .and_then(|t| usize::try_from(t).ok())
            .unwrap_or(usize::MAX);
        // Both ends open on the same user: the order is not honoured, and a
        // descending walk would only repeat the ascending one.
        let ordered = asc.token.is_none()
            || asc.members.first().map(|m| &m.id) != desc.members.first().map(|m| &m.id);
        let part = lock(shared).open_part(want, seen, [asc.members, desc.members]);
        let desc_token = if ordered { desc.token } else { None };
        let (a, d) = tokio::join!(
            self.walk(org, filter, Order::NameAsc, asc.token, shared, part),
            self.walk(org, filter, Order::NameDesc, desc_token, shared, part)
        );
        a.and(d)
    }

    /// One walk: follow `token` until the part is complete, the pages end,
    /// an empty page arrives, or a token repeats.
    async fn walk(
        &self,
        org: &str,
        filter: Option<&str>,
        order: Order,
        mut token: Option<String>,
        shared: &Mutex<Shared>,
        part: usize,
    ) -> Result<(), ClientError> {
        let mut tokens = HashSet::new();
        for _ in 0..MAX_PAGES {
            let done = {
                let s = lock(shared);
                s.parts[part].seen.len() >= s.parts[part].want
            };
            let Some(t) = token.take().filter(|_| !done) else {
                break;
            };
            if !tokens.insert(t.clone()) {
                break;
            }
            let page = self.entitlements_page(org, filter, order, Some(&t)).await?;
            if page.members.is_empty() {
                break;
            }
            let mut guard = lock(shared);
            let s = &mut *guard;
            s.found.absorb(page.members, Some(&mut s.parts[part].seen));
            token = page.token;
        }
        Ok(())
    }
}

/// Everyone found, in name order (the walks' own orders differ).
fn finish(shared: Mutex<Shared>) -> Vec<UserEntitlement> {
    sorted(shared.into_inner().unwrap_or_else(|e| e.into_inner()).found)
}

fn sorted(found: Found) -> Vec<UserEntitlement> {
    let mut out: Vec<UserEntitlement> = found.by_key.into_values().collect();
    out.sort_by_cached_key(|m| (m.user.display_name.to_lowercase(), m.id.clone()));
    out
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
