//! `/auditservice` (auditservice.dev.azure.com): the organization's audit
//! log (`_apis/audit/auditlog`). Auditing exists only for organizations
//! backed by Microsoft Entra ID (Microsoft Learn, "Auditing events list");
//! the emulator records the directory changes (`Organization.LinkToAAD`,
//! `Organization.UnlinkFromAAD`).

use super::*;

/// `/auditservice/{org}/_apis/audit/auditlog`
pub fn audit(sh: &Shared, req: &Req) -> Response {
    let p = req.lpath();
    let world = sh.world.read().expect("world");
    let o = match org_api_preamble(req, &p, &world) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (caller, upn) = match org_caller(sh, req, &world, o) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match (req.method.as_str(), &p[2..]) {
        ("GET", ["audit", "auditlog"]) => {}
        _ => {
            return ado_error(
                404,
                "RouteNotFoundException",
                &format!("The resource '{}' does not exist.", p[2..].join("/")),
            );
        }
    }
    let org = &world.orgs[o];
    if org.tenant.is_none() {
        return ado_error(
            403,
            "AuditLogNotAvailableException",
            "Auditing is only available for organizations backed by Microsoft Entra ID.",
        );
    }
    if !world.is_admin(o, caller) {
        return not_authorized(&upn);
    }
    let since = req
        .q("startTime")
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc));
    let until = req
        .q("endTime")
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc));
    let batch = req
        .q("batchSize")
        .and_then(|b| b.parse::<usize>().ok())
        .unwrap_or(200)
        .clamp(1, 1000);
    let urls = OrgUrls::new(&req.origin, &org.name);
    let entries: Vec<Value> = org
        .impact
        .audit
        .iter()
        .rev()
        .filter(|e| since.is_none_or(|s| e.at >= s) && until.is_none_or(|u| e.at <= u))
        .map(|e| {
            json!({
                "id": e.id, "correlationId": crate::emulator::ids::guid(&["corr", &e.id]),
                "activityId": crate::emulator::ids::guid(&["act", &e.id]),
                "actorCUID": e.actor_id, "actorUserId": e.actor_id, "actorClientId": ZERO_GUID,
                "actorUPN": e.actor_upn, "authenticationMechanism": "AAD_Cookie",
                "timestamp": ts(e.at), "scopeType": "organization",
                "scopeDisplayName": format!("{} (Organization)", org.name),
                "scopeId": org.id, "projectId": null, "projectName": null,
                "ipAddress": "127.0.0.1", "userAgent": "ado-entra emulator",
                "actionId": e.action_id, "data": e.data, "details": e.details,
                "area": "Organization", "category": "modify", "categoryDisplayName": "Modify",
                "actorDisplayName": e.actor_name,
                "actorImageUrl": format!("{}/_apis/GraphProfile/MemberAvatars/{}", urls.dev, e.actor_id)
            })
        })
        .collect();
    let (items, next) = page(&entries, req.q("continuationToken"), batch);
    wire::json(
        200,
        &json!({"decoratedAuditLogEntries": items, "continuationToken": next, "hasMore": next.is_some()}),
    )
}
