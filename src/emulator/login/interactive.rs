//! The interactive side of sign-in: the authorization endpoint (a page to
//! pick an identity, or an immediate redirect with `--auto-approve` or
//! `login_hint` + `prompt=none`), and the device-login page where a person
//! enters a code and approves or declines.

use std::time::Instant;

use axum::response::Response;

use super::super::Shared;
use super::super::ids;
use super::super::wire::{self, Req, esc};
use super::AuthCode;

fn is_loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(
                u.host_str(),
                Some("127.0.0.1") | Some("localhost") | Some("[::1]")
            )
    })
}

pub(super) fn authorize(
    sh: &Shared,
    req: &Req,
    tenant: &str,
    form: Option<Vec<(String, String)>>,
) -> Response {
    let param = |k: &str| -> Option<String> {
        form.as_ref()
            .and_then(|f| Req::form_value(f, k))
            .or_else(|| req.q(k).map(str::to_string))
    };
    let redirect = param("redirect_uri").unwrap_or_default();
    if !is_loopback_redirect(&redirect) {
        return wire::text(
            400,
            "text/html; charset=utf-8",
            format!(
                "<html><body><p>AADSTS50011: The redirect URI '{}' does not match a loopback address registered for this public client.</p></body></html>",
                esc(&redirect)
            ),
        );
    }
    let challenge = param("code_challenge").unwrap_or_default();
    if !challenge.is_empty() && param("code_challenge_method").as_deref() != Some("S256") {
        return redirect_error(
            &redirect,
            param("state"),
            "invalid_request",
            "AADSTS501491: code_challenge_method must be S256.",
        );
    }
    let who = match (
        &form,
        &sh.cfg.auto_approve,
        param("login_hint"),
        param("prompt").as_deref(),
    ) {
        (Some(f), _, _, _) => {
            if Req::form_value(f, "decision").as_deref() != Some("approve") {
                return redirect_error(
                    &redirect,
                    param("state"),
                    "access_denied",
                    "AADSTS65004: User declined to consent.",
                );
            }
            Req::form_value(f, "who")
        }
        (None, Some(auto), _, _) => Some(auto.clone()),
        (None, None, Some(hint), Some("none")) => Some(hint),
        _ => None,
    };
    let Some(who) = who else {
        return picker_page(sh, req, tenant);
    };
    let code = ids::random_token(32);
    sh.login.lock().expect("login").codes.insert(
        code.clone(),
        AuthCode {
            who,
            tenant: tenant.to_string(),
            scope: param("scope").unwrap_or_else(|| "openid profile".into()),
            client_id: param("client_id").unwrap_or_default(),
            redirect_uri: redirect.clone(),
            challenge,
            created: Instant::now(),
            nonce: param("nonce"),
            client_info: param("client_info").as_deref() == Some("1"),
        },
    );
    let mut target = url::Url::parse(&redirect).expect("checked above");
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = param("state") {
        target.query_pairs_mut().append_pair("state", &state);
    }
    wire::with_header(wire::empty(302), "location", target.as_str())
}

fn redirect_error(redirect: &str, state: Option<String>, error: &str, desc: &str) -> Response {
    let mut target = url::Url::parse(redirect).expect("loopback url");
    target
        .query_pairs_mut()
        .append_pair("error", error)
        .append_pair("error_description", desc);
    if let Some(s) = state {
        target.query_pairs_mut().append_pair("state", &s);
    }
    wire::with_header(wire::empty(302), "location", target.as_str())
}

fn identity_options(sh: &Shared) -> String {
    let world = sh.world.read().expect("world");
    world
        .sign_in_choices()
        .iter()
        .map(|(value, label)| format!("<option value=\"{}\">{}</option>", esc(value), esc(label)))
        .collect()
}

fn picker_page(sh: &Shared, req: &Req, tenant: &str) -> Response {
    let hidden: String = req
        .query
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    wire::text(
        200,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html><html><head><title>Sign in (ado-entra emulator)</title></head><body>\
         <h1>Sign in</h1><form method=\"post\" action=\"/login/{}/oauth2/v2.0/authorize\">{hidden}\
         <label>Account <select name=\"who\">{}</select></label>\
         <button name=\"decision\" value=\"approve\">Sign in</button>\
         <button name=\"decision\" value=\"decline\">Cancel</button></form></body></html>",
            esc(tenant),
            identity_options(sh)
        ),
    )
}

pub(super) fn device_page(sh: &Shared, note: Option<&str>) -> Response {
    let pending = sh.login.lock().expect("login").pending_user_codes().len();
    wire::text(
        200,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html><html><head><title>Enter code (ado-entra emulator)</title></head><body>\
         <h1>Enter code</h1>{}<p>{pending} sign-in(s) waiting.</p>\
         <form method=\"post\" action=\"/login/devicelogin\">\
         <label>Code <input name=\"user_code\" autofocus></label>\
         <label>Account <select name=\"who\">{}</select></label>\
         <button name=\"decision\" value=\"approve\">Approve</button>\
         <button name=\"decision\" value=\"decline\">Decline</button></form></body></html>",
            note.map(|n| format!("<p><strong>{}</strong></p>", esc(n)))
                .unwrap_or_default(),
            identity_options(sh)
        ),
    )
}

pub(super) fn device_decision(sh: &Shared, req: &Req) -> Response {
    let form = req.form();
    let code = Req::form_value(&form, "user_code").unwrap_or_default();
    let who = Req::form_value(&form, "who").unwrap_or_default();
    let approve = Req::form_value(&form, "decision").as_deref() == Some("approve");
    let ok = sh.login.lock().expect("login").decide(&code, &who, approve);
    let note = match (ok, approve) {
        (false, _) => "That code is not waiting for approval. Check it and try again.".to_string(),
        (true, true) => format!("Signed in as {who}. You can close this page."),
        (true, false) => "Sign-in declined.".to_string(),
    };
    device_page(sh, Some(&note))
}
