//! Graph's `POST /invitations`: a Member invites an address as a Guest.

use serde_json::{Value, json};

use super::super::state::TenantUser;
use super::super::state::recovery::Invite;
use super::*;

pub(super) fn invite(sh: &Shared, claims: &jwt::Claims, body: Option<Value>, origin: &str) -> Out {
    let mut world = sh.world_mut();
    if let Some(address) = body
        .as_ref()
        .and_then(|b| b.get("invitedUserEmailAddress"))
        .and_then(Value::as_str)
    {
        *world
            .invitation_attempts
            .entry(address.trim().to_lowercase())
            .or_default() += 1;
    }
    let Some(tenant) = world.tenant(&claims.tid) else {
        return err(
            401,
            "InvalidAuthenticationToken",
            "The token's tenant does not exist.",
        );
    };
    let is_member = tenant
        .user_by_id(&claims.oid)
        .is_some_and(|u| u.user_type == "Member");
    // The directory's guest invite settings (authorizationPolicy.allowInvitesFrom).
    if !is_member || !directory::may_invite(&world, tenant, claims) {
        return err(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let body = body.unwrap_or(Value::Null);
    let email = body
        .get("invitedUserEmailAddress")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let redirect = body
        .get("inviteRedirectUrl")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if email.is_empty() || redirect.is_empty() {
        return err(
            400,
            "BadRequest",
            "The invitation needs invitedUserEmailAddress and inviteRedirectUrl.",
        );
    }
    let Some((local, domain)) = email
        .split_once('@')
        .filter(|(l, d)| !l.is_empty() && d.contains('.'))
    else {
        return err(
            400,
            "BadRequest",
            &format!("The email address '{email}' is not valid."),
        );
    };
    let display = body
        .get("invitedUserDisplayName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| local.to_string());
    let send = body
        .get("sendInvitationMessage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let tid = tenant.id.clone();
    let initial = tenant.initial_domain.clone();
    let existing = tenant
        .users
        .iter()
        .find(|u| {
            u.msa
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(&email))
                || u.upn.eq_ignore_ascii_case(&email)
        })
        .map(|u| u.id.clone());
    *world.invitations.entry(email.to_lowercase()).or_default() += 1;
    let user_id = match existing {
        Some(id) => id,
        None => {
            let upn = format!(
                "{}_{}#EXT#@{}",
                local.to_lowercase(),
                domain.to_lowercase(),
                initial
            );
            let id = crate::emulator::ids::guid(&["guest", &tid, &email.to_lowercase()]);
            let t = world.tenant_mut(&tid).expect("tenant exists");
            t.add_user(TenantUser {
                id: id.clone(),
                upn,
                display_name: display.clone(),
                mail: Some(email.clone()),
                other_mails: vec![email.clone()],
                proxy_addresses: vec![format!("SMTP:{email}")],
                user_type: "Guest".into(),
                enabled: true,
                msa: Some(email.clone()),
                // Pending until accepted (recovery.rs).
                invitation: Some(Invite::new(&email, chrono::Utc::now())),
                names: None,
                licenses: vec![],
            });
            id
        }
    };
    ok(
        201,
        json!({
            "@odata.context": format!("{origin}/graph/v1.0/$metadata#invitations/$entity"),
            "id": uuid::Uuid::new_v4().to_string(),
            "inviteRedeemUrl": format!("{origin}/login/redeem?rd=emulator&tenant={tid}&user={user_id}"),
            "invitedUserDisplayName": display,
            "invitedUserEmailAddress": email,
            "invitedUserType": "Guest",
            "resetRedemption": false,
            "sendInvitationMessage": send,
            "inviteRedirectUrl": redirect,
            "status": "PendingAcceptance",
            "invitedUserMessageInfo": {"messageLanguage": null, "ccRecipients": [], "customizedMessageBody": null},
            "invitedUser": {"id": user_id}
        }),
    )
}
