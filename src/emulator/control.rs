//! `/_emulator/...`: the control endpoints tests and demos drive the
//! emulator with (approvals, faults) and read it through (scenario, state,
//! counters, stats). See docs/emulator.md.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::faults::Fault;
use super::state::{self, World};
use super::wire::{self, Req};

/// `GET /_emulator/state[?org=NAME]`: the world as a test reads it at the
/// end: the organization (the first, or the one named; its tenant, owner,
/// users), every organization in brief, every tenant, and the counters that
/// prove "exactly once".
fn state_json(w: &World, org: Option<&str>) -> Response {
    let o = match org {
        None => 0,
        Some(name) => match w.org_index(name) {
            Some(o) => o,
            None => {
                return wire::json(
                    404,
                    &json!({"error": "unknown_org", "message": format!("No organization '{name}' in this emulator.")}),
                );
            }
        },
    };
    let org = &w.orgs[o];
    let tenant_json = |t: &state::Tenant| {
        json!({
            "id": t.id, "displayName": t.display_name,
            "defaultDomain": t.default_domain(), "initialDomain": t.initial_domain,
            "verifiedDomains": std::iter::once(&t.initial_domain).chain(&t.domains).collect::<Vec<_>>(),
        })
    };
    let mut attempts_by_user = vec![0u32; org.users.len()];
    for (d, n) in &w.remap_attempts {
        if let Some(i) = org.user_by_any_descriptor(d) {
            attempts_by_user[i] += n;
        }
    }
    let user_json = |i: usize, u: &state::OrgUser| {
        json!({
            "id": u.id, "descriptor": u.descriptor, "display_name": u.display_name,
            "principal_name": u.principal_name, "mail": u.mail, "msa_email": u.msa_email,
            "origin": u.origin_str(), "origin_id": u.origin_id, "tenant": u.aad_tenant,
            "active": u.active, "admin": u.admin, "remaps": u.remaps,
            "remap_attempts": attempts_by_user[i],
        })
    };
    let owner = org.owner;
    wire::json(
        200,
        &json!({
            "org": {
                "name": org.name,
                "id": org.id,
                "tenant": org.tenant,
                "connected_to": org.tenant.as_deref().and_then(|t| w.tenant(t)).map(tenant_json),
                "owner": org.users[owner].descriptor,
                "owner_user": user_json(owner, &org.users[owner]),
                "entra_groups": org.entra_groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
                "policies": org.policies,
                "users": org.users.iter().enumerate().map(|(i, u)| user_json(i, u)).collect::<Vec<_>>(),
            },
            "orgs": w.orgs.iter().map(org_brief).collect::<Vec<_>>(),
            "invitations": w.invitations,
            "counters": {
                "remap_attempts": w.remap_attempts,
                "invitation_attempts": w.invitation_attempts,
                "tenant_change_attempts": w.tenant_change_attempts,
                "remaps": w.orgs.iter().flat_map(|o| &o.users).map(|u| u64::from(u.remaps)).sum::<u64>(),
                "invitations": w.invitations.values().map(|&n| u64::from(n)).sum::<u64>(),
            },
            "tenants": w.tenants.iter().map(|t| {
                let mut v = tenant_json(t);
                v["users"] = t.users.len().into();
                v["guests"] = t.users.iter().filter(|u| u.user_type == "Guest").map(|u| json!({"id": u.id, "upn": u.upn, "mail": u.mail})).collect::<Vec<_>>().into();
                v
            }).collect::<Vec<_>>(),
        }),
    )
}

fn budget_json(b: Option<super::ratelimit::Budget>) -> Value {
    match b {
        Some(b) => json!({"limit": b.limit, "window_secs": b.window.as_secs_f64()}),
        None => json!({"limit": 0, "window_secs": null}),
    }
}

/// One organization in brief: name, tenant, owner's address, users.
pub(crate) fn org_brief(o: &state::Org) -> Value {
    json!({
        "name": o.name,
        "tenant": o.tenant,
        "owner": o.users[o.owner].mail,
        "users": o.users.len(),
    })
}

/// `/_emulator/...`: scenario summary, approvals, state, stats, faults.
pub fn control(sh: &Shared, req: &Req) -> Response {
    let p = req.lpath();
    match (req.method.as_str(), p.as_slice()) {
        ("GET", ["scenario"]) => {
            let w = sh.world.read().expect("world");
            wire::json(
                200,
                &json!({
                    "scenario": w.scenario,
                    "description": w.description,
                    "org": w.orgs[0].name,
                    "owner": w.orgs[0].users[w.orgs[0].owner].mail,
                    "orgs": w.orgs.iter().map(org_brief).collect::<Vec<_>>(),
                    "default_sign_in": w.default_sign_in,
                    "tenants": w.tenants.iter().map(|t| json!({"key": t.key, "id": t.id, "displayName": t.display_name, "domain": t.initial_domain, "users": t.users.len()})).collect::<Vec<_>>(),
                    "org_users": w.orgs[0].users.len(),
                }),
            )
        }
        ("POST", ["device", action @ ("approve" | "decline" | "expire")]) => {
            let body = req.json().unwrap_or(Value::Null);
            let code = body.get("user_code").and_then(Value::as_str).unwrap_or("");
            let who = body
                .get("upn")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| sh.world.read().expect("world").default_sign_in.clone());
            let mut login = sh.login.lock().expect("login");
            let ok = match *action {
                "approve" => login.decide(code, &who, true),
                "decline" => login.decide(code, &who, false),
                _ => login.expire(code),
            };
            if ok {
                wire::json(
                    200,
                    &json!({"user_code": code, "upn": who, "result": action}),
                )
            } else {
                wire::json(
                    404,
                    &json!({"error": "unknown_user_code", "message": format!("No pending device code '{code}'.")}),
                )
            }
        }
        ("GET", ["device", "pending"]) => {
            let codes = sh.login.lock().expect("login").pending_user_codes();
            wire::json(200, &json!({"user_codes": codes}))
        }
        ("GET", ["state"]) => state_json(&sh.world.read().expect("world"), req.q("org")),
        ("GET", ["stats"]) => {
            let mut stats = sh.stats.lock().expect("stats").clone();
            let w = sh.world.read().expect("world");
            let total = |m: &BTreeMap<String, u32>| m.values().map(|&n| u64::from(n)).sum();
            stats.insert("remap.attempts".into(), total(&w.remap_attempts));
            stats.insert("invitation.attempts".into(), total(&w.invitation_attempts));
            wire::json(200, &json!(stats))
        }
        ("POST", ["stats", "reset"]) => {
            sh.stats.lock().expect("stats").clear();
            wire::empty(204)
        }
        ("GET", ["ratelimit"]) => wire::json(200, &budget_json(sh.limits.budget())),
        ("POST", ["ratelimit"]) => {
            let body = req.json().unwrap_or(Value::Null);
            let limit = body.get("limit").and_then(Value::as_f64);
            let window = body
                .get("window_secs")
                .and_then(Value::as_f64)
                .unwrap_or(300.0);
            match limit {
                Some(l) if l.is_finite() && l >= 0.0 && window.is_finite() && window > 0.0 => {
                    let budget = (l > 0.0).then(|| super::ratelimit::Budget {
                        limit: l,
                        window: std::time::Duration::from_secs_f64(window),
                    });
                    sh.limits.set(budget);
                    wire::json(200, &budget_json(budget))
                }
                _ => wire::json(
                    400,
                    &json!({"error": "invalid_rate_limit", "message": "Send {\"limit\": TSTU (0 turns it off), \"window_secs\": SECS}."}),
                ),
            }
        }
        ("POST", ["faults"]) => {
            let specs: Vec<String> = req
                .json()
                .and_then(|v| v.get("faults").cloned())
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            match specs
                .iter()
                .map(|s| Fault::parse(s))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(f) => {
                    *sh.faults.lock().expect("faults") = f;
                    wire::json(200, &json!({"faults": specs}))
                }
                Err(e) => wire::json(400, &json!({"error": "invalid_fault", "message": e})),
            }
        }
        _ => wire::json(
            404,
            &json!({"error": "not_found", "message": "Control endpoints: GET scenario, state, stats, ratelimit, device/pending; POST device/approve|decline|expire, faults, ratelimit, stats/reset."}),
        ),
    }
}
