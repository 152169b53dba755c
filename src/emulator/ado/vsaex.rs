//! `/vsaex` (vsaex.dev.azure.com): user entitlements, listed with the
//! documented `$filter` and `$orderBy`; one user's entitlement and adding
//! users are in entitlements.rs.

use super::entitlements::{Entitlement, access_level};
use super::*;

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
    let o = match org_api_preamble(req, &p, &world) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let caller = match org_caller(sh, req, &world, o) {
        Ok((c, _)) => c,
        Err(r) => return r,
    };
    let org = &world.orgs[o];
    let urls = OrgUrls::new(&req.origin, &org.name);
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["connectiondata"]) => connection_data(org, caller),
        ("GET", ["userentitlements", id]) => entitlements::get(org, &urls, id),
        ("GET", ["userentitlementsummary"]) => entitlements::summary(org),
        ("GET", ["userentitlements"]) if paged_by_offset(req) => offset_page(sh, org, &urls, req),
        ("GET", ["userentitlements"]) => {
            let listing = match entitlement_listing(sh, org, req.q("$filter"), req.q("$orderBy")) {
                Ok(l) => l,
                Err(r) => return r,
            };
            let total = listing.len();
            let (items, next) = page(&listing, req.q("continuationToken"), ENTITLEMENT_PAGE);
            let members: Vec<Entitlement> = items
                .iter()
                .map(|&i| Entitlement::of(&urls, &org.users[i]))
                .collect();
            listing_page(&members, next.as_deref(), total)
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", p[2..].join("/")),
        ),
    }
}

/// Whether a listing asks for the 5.x form: `top` and `skip` (Microsoft
/// Learn, "User Entitlements - Get User Entitlements", REST API 5.0 and
/// 5.1), which later versions replaced with continuation tokens.
fn paged_by_offset(req: &Req) -> bool {
    locations::requested_version(req)
        .and_then(|v| v.split('-').next()?.parse::<f32>().ok())
        .is_some_and(|v| v < 6.0)
}

/// `GET userentitlements?top=&skip=&api-version=5.0-preview.2`: a page of
/// `top` (default 100, at most 10,000) users from `skip`, in the service's
/// order, as the Azure DevOps CLI's recorded answers show it: `members`,
/// an empty `continuationToken`, `totalCount` and the members again under
/// `items`. It was a preview in 5.x: a version without `-preview` is
/// refused, as is a `top` over 10,000.
fn offset_page(sh: &Shared, org: &Org, urls: &OrgUrls, req: &Req) -> Response {
    let version = locations::requested_version(req).unwrap_or_default();
    if !version.to_ascii_lowercase().contains("-preview") {
        return ado_error(
            400,
            "VssInvalidPreviewVersionException",
            &format!(
                "The requested version \"{version}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{version}-preview\""
            ),
        );
    }
    let number = |name: &str, default: usize| match req.q(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().map_err(|_| {
            ado_error(
                400,
                "InvalidArgumentValueException",
                &format!("The value '{v}' of '{name}' is not a whole number."),
            )
        }),
    };
    let (top, skip) = match (number("top", ENTITLEMENT_PAGE), number("skip", 0)) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if top == 0 || top > 10_000 {
        return ado_error(
            400,
            "InvalidArgumentValueException",
            &format!("The value {top} of 'top' is out of range: it must be from 1 to 10000."),
        );
    }
    let listing = match entitlement_listing(sh, org, None, None) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let page = listing.iter().skip(skip).take(top);
    let members: Vec<Entitlement> = page
        .map(|&i| Entitlement::of(urls, &org.users[i]))
        .collect();
    listing_page(&members, Some(""), listing.len())
}

/// A page of the listing as the service writes it: `members`, the
/// continuation token (`null` at the end), `totalCount`, and the members
/// again under `items` (as real responses repeat them). The members are
/// serialized once, straight into the body, and their bytes written twice.
fn listing_page(members: &[Entitlement], next: Option<&str>, total: usize) -> Response {
    // About 1.7 KB a member, twice.
    let mut body = Vec::with_capacity(members.len() * 3_600 + 128);
    body.extend_from_slice(br#"{"members":"#);
    let start = body.len();
    serde_json::to_writer(&mut body, members).expect("json");
    let end = body.len();
    body.extend_from_slice(br#","continuationToken":"#);
    serde_json::to_writer(&mut body, &next).expect("json");
    body.extend_from_slice(format!(r#","totalCount":{total},"items":"#).as_bytes());
    body.extend_from_within(start..end);
    body.push(b'}');
    wire::bytes(200, "application/json; charset=utf-8", body)
}

/// `/vsaex/...` changes: add a user, change a user's access level. Only
/// administrators may.
fn vsaex_change(sh: &Shared, req: &Req, p: &[&str]) -> Response {
    let mut world = sh.world_mut();
    let o = match org_api_preamble(req, p, &world) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (caller, caller_upn) = match org_caller(sh, req, &world, o) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !world.is_admin(o, caller) {
        return not_authorized(&caller_upn);
    }
    let urls = OrgUrls::new(&req.origin, &world.orgs[o].name);
    match (req.method.as_str(), &p[2..]) {
        ("POST", ["userentitlements"]) => entitlements::add(&mut world, o, &urls, req.json()),
        ("PATCH", ["userentitlements", id]) => {
            entitlements::patch(&mut world.orgs[o], &urls, id, req.json())
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            &format!("The resource '{}' does not exist.", p[2..].join("/")),
        ),
    }
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
/// positions in `org.users`. Built once per organization, query and world
/// generation: a walk asks for the same listing page after page.
fn entitlement_listing(
    sh: &Shared,
    org: &Org,
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
    let key = format!(
        "{}\u{1}{}\u{1}{}",
        org.id,
        filter.unwrap_or(""),
        order.unwrap_or("")
    );
    // The caller holds the world's read lock: the generation cannot move.
    let generation = sh.world_gen.load(std::sync::atomic::Ordering::SeqCst);
    if let Some((g, listing)) = sh.listings.lock().expect("listings").get(&key)
        && *g == generation
    {
        return Ok(std::sync::Arc::clone(listing));
    }
    let users = &org.users;
    let mut listing: Vec<usize> = (0..users.len())
        .filter(|&i| parsed_filter.as_ref().is_none_or(|f| f.matches(&users[i])))
        .collect();
    if let Some(order) = parsed_order {
        listing.sort_by(|&a, &b| entitlement_cmp(&users[a], &users[b], order));
    }
    let listing = std::sync::Arc::new(listing);
    let mut cache = sh.listings.lock().expect("listings");
    if cache.len() >= 1024 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
