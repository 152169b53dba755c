//! `/app-vssps` (app.vssps.visualstudio.com): profile and accounts.

use super::*;

/// `/app-vssps/...`: profile and accounts, which answer for any valid identity
/// (even one every organization refuses, as in the reported lockouts).
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
            PatLookup::Owner(o, i) => {
                pat_owner = Some((o, i));
                let u = &world.orgs[o].users[i];
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
    let public_alias = crate::emulator::ids::guid(&["profile", &subject.tid, &subject.oid]);
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
            let v: Vec<Value> = (0..world.orgs.len())
                .filter(|&o| match pat_owner {
                    Some((po, i)) => po == o && world.orgs[o].users[i].active,
                    None => world.org_user_for(o, &subject).is_some(),
                })
                .map(|o| {
                    let org = &world.orgs[o];
                    json!({
                        "accountId": org.id,
                        "accountUri": format!("{}/vssps/{}/", req.origin, org.name),
                        "accountName": org.name,
                        "properties": {}
                    })
                })
                .collect();
            wire::json(200, &json!({"count": v.len(), "value": v}))
        }
        _ => ado_error(
            404,
            "RouteNotFoundException",
            "The requested resource does not exist.",
        ),
    }
}
