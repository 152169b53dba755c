//! Claiming ownership of an orphaned organization (Microsoft Learn, "Assign
//! an owner to an orphaned organization"): an Azure DevOps Administrator of
//! the connected tenant opens the organization, gets the error page, selects
//! Claim Ownership and gives a justification. The portal's call behind that
//! button is not public, so the emulator serves the page itself at
//! `/dev/{org}/_claimownership` (pick the identity, as its sign-in pages
//! do); the rule is in `state/recovery.rs`. An organization URL opened in a
//! browser without credentials links to it.

use super::*;
use wire::page;

/// Whether the request comes from a browser (asks for HTML).
pub fn wants_html(req: &Req) -> bool {
    req.header("accept")
        .is_some_and(|a| a.contains("text/html"))
}

/// The 401 a browser gets on the organization's URL without credentials,
/// pointing at the sign-in and the Claim Ownership page.
pub fn refused_page(org: &str) -> Response {
    page(
        401,
        "You do not have access to this organization",
        format!(
            "<p>Sign in with an identity of the organization's directory.</p>\
             <p>An Azure DevOps Administrator of that directory can \
             <a href=\"/dev/{0}/_claimownership\">claim ownership</a> when the owner and every \
             Project Collection Administrator are inactive.</p>",
            wire::esc(org)
        ),
    )
}

/// `GET`/`POST /dev/{org}/_claimownership`, or `None` for another path.
pub fn claim(sh: &Shared, req: &Req, p: &[&str]) -> Option<Response> {
    if p.get(1) != Some(&"_claimownership") || p.len() != 2 {
        return None;
    }
    let Some(o) = sh.world.read().expect("world").org_index(p[0]) else {
        return Some(no_org(p[0]));
    };
    Some(match req.method.as_str() {
        "GET" => form(sh, o),
        "POST" => submit(sh, req, o),
        _ => page(405, "Method not allowed", String::new()),
    })
}

fn form(sh: &Shared, o: usize) -> Response {
    let w = sh.world.read().expect("world");
    let Some(t) = w.orgs[o].tenant.as_deref().and_then(|t| w.tenant(t)) else {
        return page(
            400,
            "Claim ownership",
            "<p>This organization is not connected to Microsoft Entra ID.</p>".into(),
        );
    };
    let options: String = t
        .users
        .iter()
        .take(200)
        .map(|u| format!("<option value=\"{0}\">{0}</option>", wire::esc(&u.upn)))
        .collect();
    page(
        200,
        &format!("Claim ownership of {}", w.orgs[o].name),
        format!(
            "<form method=\"post\"><label>Signed in as <select name=\"who\">{options}</select></label>\
             <label>Justification <input name=\"justification\"></label>\
             <button>Claim Ownership</button></form>"
        ),
    )
}

fn submit(sh: &Shared, req: &Req, o: usize) -> Response {
    let form = req.form();
    let who = Req::form_value(&form, "who").unwrap_or_default();
    let why = Req::form_value(&form, "justification").unwrap_or_default();
    if why.trim().is_empty() {
        return page(
            400,
            "Claim ownership",
            "<p>Give a short justification: every Azure DevOps Administrator of the directory is told about the transfer with it.</p>".into(),
        );
    }
    let mut w = sh.world_mut();
    let Some(tid) = w.orgs[o].tenant.clone() else {
        return page(400, "Claim ownership", String::new());
    };
    let s = match w.sign_in(&who, &tid).and_then(|a| w.subject_for(&a, &tid)) {
        Ok(s) => s,
        Err(m) => return page(401, "Sign in", format!("<p>{}</p>", wire::esc(&m))),
    };
    match w.claim_ownership(o, &s, Utc::now()) {
        Ok(_) => page(
            200,
            "Ownership claimed",
            format!(
                "<p>{} is now the owner of {}. The directory's Azure DevOps Administrators were told, with the justification.</p>",
                wire::esc(&s.upn),
                wire::esc(&w.orgs[o].name)
            ),
        ),
        Err(r) => page(
            r.status,
            "Cannot claim ownership",
            format!("<p>{}</p>", wire::esc(&r.message)),
        ),
    }
}
