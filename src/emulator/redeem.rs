//! Accepting an invitation: the `inviteRedeemUrl` page Graph's
//! `POST /invitations` answers with (`/login/redeem?tenant=…&user=…`), and
//! just-in-time redemption: an interactive sign-in of the invited person to
//! the tenant accepts it too (Microsoft Learn, "B2B collaboration invitation
//! redemption"). Until then the guest cannot get a token there silently:
//! a refresh is refused with AADSTS50020, as Entra refuses an unredeemed
//! guest.

use axum::response::Response;
use chrono::Utc;

use super::Shared;
use super::state::Subject;
use super::state::recovery::SignIn;
use super::wire::{self, Req, esc, oauth_error};

/// What signing in as `s` does to a pending invitation: accepts it when
/// `interactive`, else refuses the token.
#[allow(clippy::result_large_err)] // the error is the ready-made Entra answer
pub fn on_sign_in(sh: &Shared, s: &Subject, interactive: bool) -> Result<(), Response> {
    let effect = sh
        .world
        .read()
        .expect("world")
        .sign_in_effect(s, interactive);
    match effect {
        SignIn::Plain => Ok(()),
        SignIn::Redeem { tenant, user } => {
            sh.world_mut().redeem(&tenant, &user, Utc::now());
            Ok(())
        }
        SignIn::Refuse => {
            let name = sh
                .world
                .read()
                .expect("world")
                .tenant(&s.tid)
                .map(|t| t.display_name.clone())
                .unwrap_or_default();
            Err(oauth_error(
                "invalid_grant",
                "AADSTS50020",
                &format!(
                    "User account '{}' from identity provider 'live.com' does not exist in tenant '{name}' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first: the invitation is not accepted yet (open its link, or sign in to the tenant interactively).",
                    s.upn
                ),
            ))
        }
    }
}

fn html(title: &str, body: String) -> Response {
    wire::page(200, title, body)
}

/// `GET /login/redeem?tenant=&user=`: the invitation; `POST` accepts it.
pub fn page(sh: &Shared, req: &Req) -> Response {
    let form = req.form();
    let param = |k: &str| Req::form_value(&form, k).or_else(|| req.q(k).map(str::to_string));
    let (tenant, user) = (
        param("tenant").unwrap_or_default(),
        param("user").unwrap_or_default(),
    );
    let found = {
        let w = sh.world.read().expect("world");
        w.tenant(&tenant).and_then(|t| {
            let u = t.user_by_id(&user)?;
            let i = u.invitation.as_ref()?;
            Some((
                t.display_name.clone(),
                t.id.clone(),
                i.address.clone(),
                i.accepted_at.is_some(),
            ))
        })
    };
    let Some((name, tid, address, accepted)) = found else {
        return wire::text(
            404,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><body><p>This invitation does not exist.</p></body></html>"
                .into(),
        );
    };
    if req.method == "POST" && param("decision").as_deref() == Some("accept") {
        sh.world_mut().redeem(&tid, &user, Utc::now());
        return html(
            "Invitation accepted",
            format!(
                "<p>{} can now sign in to {}.</p>",
                esc(&address),
                esc(&name)
            ),
        );
    }
    if accepted {
        return html(
            "Invitation accepted",
            format!("<p>{} already accepted this invitation.</p>", esc(&address)),
        );
    }
    html(
        "Review permissions",
        format!(
            "<p>{} invites {} as a guest.</p><form method=\"post\" action=\"/login/redeem\">\
             <input type=\"hidden\" name=\"tenant\" value=\"{}\"><input type=\"hidden\" name=\"user\" value=\"{}\">\
             <button name=\"decision\" value=\"accept\">Accept</button></form>",
            esc(&name),
            esc(&address),
            esc(&tid),
            esc(&user)
        ),
    )
}
