//! The back door a locked-out owner is pointed to (Microsoft Q&A, "Azure
//! DevOps organization became inaccessible immediately after connecting the
//! organization to Microsoft Entra ID"): `https://aex.dev.azure.com/me`,
//! where the original owner signs in with the personal account the
//! organization was created with, sees it, and disconnects it from
//! Microsoft Entra ID. Here: `/aex/me` (pick the personal account, as the
//! emulator's sign-in pages do), `POST /aex/me/disconnect`.
//!
//! Whether the organization's own API (the `Organizations/Me` PATCH)
//! accepts that personal account is not documented: by default it refuses
//! it (the strict choice); a scenario's `recovery.back_door` can make the
//! page refuse too (`refused`) or the API accept it (`api`).

use super::*;
use crate::emulator::state::recovery::BackDoor;
use wire::page;

/// `/aex/me` and `/aex/me/disconnect`, or `None` for any other path.
pub fn aex_me(sh: &Shared, req: &Req) -> Option<Response> {
    let p = req.lpath();
    match (req.method.as_str(), p.as_slice()) {
        ("GET", ["me"]) => Some(match req.q("who") {
            None => picker(sh),
            Some(who) => organizations(sh, who),
        }),
        ("POST", ["me", "disconnect"]) => Some(disconnect(sh, req)),
        _ => None,
    }
}

fn picker(sh: &Shared) -> Response {
    let w = sh.world.read().expect("world");
    let options: String = w
        .msa
        .iter()
        .map(|m| format!("<option value=\"{0}\">{0}</option>", wire::esc(&m.email)))
        .collect();
    page(
        200,
        "Sign in with your personal Microsoft account",
        format!(
            "<form method=\"get\" action=\"/aex/me\"><label>Account <select name=\"who\">{options}</select></label>\
             <button>Sign in</button></form>"
        ),
    )
}

fn organizations(sh: &Shared, who: &str) -> Response {
    let w = sh.world.read().expect("world");
    let Ok(s) = w
        .sign_in(who, CONSUMERS_TENANT)
        .and_then(|a| w.subject_for(&a, CONSUMERS_TENANT))
    else {
        return page(
            401,
            "Sign in",
            format!(
                "<p>{} is not a personal Microsoft account.</p>",
                wire::esc(who)
            ),
        );
    };
    let items: String = (0..w.orgs.len())
        .filter_map(|o| org_item(&w, o, &s))
        .collect();
    if items.is_empty() {
        return page(
            200,
            "Your organizations",
            format!("<p>{} has no organizations.</p>", wire::esc(&s.upn)),
        );
    }
    page(
        200,
        "Your organizations",
        format!("<p>Signed in as {}.</p><ul>{items}</ul>", wire::esc(&s.upn)),
    )
}

/// Organization `o` as the page lists it for `s`, if `s` owns or uses it.
fn org_item(w: &World, o: usize, s: &Subject) -> Option<String> {
    let owner = w.is_original_owner(o, s);
    let member = w.org_user_for(o, s).is_some();
    if !owner && !member {
        return None;
    }
    let org = &w.orgs[o];
    let connected = org
        .tenant
        .as_deref()
        .and_then(|t| w.tenant(t))
        .map(|t| (t.display_name.clone(), t.id.clone()));
    let status = match &connected {
        Some((name, id)) => format!(
            "Connected to Microsoft Entra ID: {} ({})",
            wire::esc(name),
            wire::esc(id)
        ),
        None => "Backed by personal Microsoft accounts".into(),
    };
    let action = match (owner, &connected) {
        (true, Some(_)) => format!(
            "<form method=\"post\" action=\"/aex/me/disconnect\"><input type=\"hidden\" name=\"who\" value=\"{}\">\
             <input type=\"hidden\" name=\"org\" value=\"{}\"><button>Disconnect from Microsoft Entra ID</button></form>",
            wire::esc(&s.upn),
            wire::esc(&org.name)
        ),
        _ => String::new(),
    };
    Some(format!(
        "<li>{}{} · {status}{action}</li>",
        wire::esc(&org.name),
        if owner { " (owner)" } else { "" }
    ))
}

fn disconnect(sh: &Shared, req: &Req) -> Response {
    let form = req.form();
    let who = Req::form_value(&form, "who").unwrap_or_default();
    let org = Req::form_value(&form, "org").unwrap_or_default();
    let mut w = sh.world_mut();
    let Some(o) = w.org_index(&org) else {
        return page(404, "No such organization", String::new());
    };
    let Ok(s) = w
        .sign_in(&who, CONSUMERS_TENANT)
        .and_then(|a| w.subject_for(&a, CONSUMERS_TENANT))
    else {
        return page(401, "Sign in", String::new());
    };
    w.tenant_change_attempts += 1;
    match w.back_door_disconnect(o, &s, false) {
        Ok(()) => page(
            200,
            "Disconnected",
            format!(
                "<p>{} is disconnected from Microsoft Entra ID. Sign in with {} again.</p>",
                wire::esc(&w.orgs[o].name),
                wire::esc(&s.upn)
            ),
        ),
        Err(r) => page(
            r.status,
            "Cannot disconnect",
            format!("<p>{}</p>", wire::esc(&r.message)),
        ),
    }
}

/// The organization PATCH disconnecting as the original owner's personal
/// account, which the normal path refuses (not an active user): answered
/// here when the scenario's back door is `api`; `None` lets the normal path
/// answer (and refuse) everything else.
pub fn api(sh: &Shared, req: &Req, p: &[&str], world: &mut World, o: usize) -> Option<Response> {
    if req.method != "PATCH" || p.get(2..) != Some(&["organization", "organizations", "me"][..]) {
        return None;
    }
    if world.recovery.back_door != BackDoor::Api {
        return None;
    }
    let Some(Ok(Auth::Token(s))) = credentials(sh, req) else {
        return None;
    };
    if world.org_user_for(o, &s).is_some() || !world.is_original_owner(o, &s) {
        return None;
    }
    let zero = req
        .json()
        .and_then(|v| v.as_array().cloned())
        .is_some_and(|ops| {
            ops.iter().any(|op| {
                op.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.eq_ignore_ascii_case("/TenantId"))
                    && op.get("value").and_then(Value::as_str) == Some(ZERO_GUID)
            })
        });
    if !zero {
        return None;
    }
    world.tenant_change_attempts += 1;
    Some(match world.back_door_disconnect(o, &s, true) {
        Ok(()) => super::vssps::org_json(&world.orgs[o]),
        Err(r) => refusal(r),
    })
}
