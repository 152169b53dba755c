//! AdoClient / GraphClient calls, paging, retries and error mapping.

use std::time::Duration;

use ado_entra::client::ClientError;
use ado_entra::client::ClientEvent;
use ado_entra::client::auth::TokenProvider;
use ado_entra::client::models::ado::OrgTenant;
use ado_entra::client::models::graph::BatchRequest;
use secrecy::SecretString;

use super::{mock, signed_in};

#[tokio::test]
async fn tenant_probe_reads_resource_tenant_and_404() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let p = c.ado.probe_tenant("acme").await.unwrap();
    assert_eq!(p.tenant, OrgTenant::Entra(mock::TENANT.into()));
    assert!(p.authorization_uri.unwrap().ends_with(mock::TENANT));
    assert_eq!(
        c.ado.probe_tenant("msaorg").await.unwrap().tenant,
        OrgTenant::Msa
    );
    let e = c.ado.probe_tenant("missing").await.unwrap_err();
    assert!(matches!(e, ClientError::NoSuchOrganization { .. }), "{e}");
    // The probe is unauthenticated.
    assert_eq!(
        s.mock
            .auth_seen
            .lock()
            .unwrap()
            .get("/dev/acme")
            .map(String::as_str),
        Some("")
    );
}

#[tokio::test]
async fn graph_users_page_to_the_last_of_10000() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let users = c.ado.graph_users("acme").await.unwrap();
    assert_eq!(users.len(), 10_000);
    assert_eq!(users[9_999].principal_name, "u9999@contoso.example");
    assert_eq!(s.hits("/vssps/acme/_apis/graph/users"), 20);
}

/// This server pages by the body token but ignores `top` and `skip`,
/// `$filter` and `$orderBy`: the first page by offset comes back as the
/// first page of 100 (short of the 1,000 asked for), the licence parts then
/// add up to three times the organization, the two ends open on the same
/// user, and the client falls back to one walk: everyone exactly once, in 13
/// pages plus the 9 probes.
#[tokio::test]
async fn user_entitlements_follow_the_body_token() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let members = c.ado.user_entitlements("acme").await.unwrap();
    let mut ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1234, "everyone, exactly once");
    assert_eq!(members.len(), 1234);
    assert!(ids.contains(&"id-1233".to_string()));
    // 1 by offset, 1 first page, 3 parts x 2 ends, 2 ends of the whole, 12 more pages.
    assert_eq!(s.hits("/vsaex/acme/_apis/userentitlements"), 22);
}

#[tokio::test]
async fn retry_after_is_honoured_and_reported() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let mut events = c.core.subscribe();
    s.fault(
        "/dev/acme/_apis/projects",
        vec![(429, Some("1")), (503, Some("0"))],
    );
    let projects = c.ado.projects("acme").await.unwrap();
    assert_eq!(projects[0].name, "Proj");
    assert_eq!(s.hits("/dev/acme/_apis/projects"), 3);
    // The 429 also holds every other Azure DevOps request (the pacer).
    let held = events.recv().await.unwrap();
    assert!(
        matches!(&held, ClientEvent::Pacing { pace: ado_entra::client::pace::Pace::Held(w), .. } if *w == Duration::from_secs(1)),
        "{held:?}"
    );
    let first = events.recv().await.unwrap();
    assert!(
        matches!(&first, ClientEvent::RetryAfter { status: 429, wait, attempt: 1, .. } if *wait == Duration::from_secs(1)),
        "{first:?}"
    );
    let mut next = events.recv().await.unwrap();
    while matches!(next, ClientEvent::Pacing { .. }) {
        next = events.recv().await.unwrap();
    }
    assert!(matches!(next, ClientEvent::RetryAfter { status: 503, .. }));
}

#[tokio::test]
async fn attempts_are_bounded_and_the_error_is_typed() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    s.fault("/dev/acme/_apis/projects", vec![(429, Some("0")); 10]);
    let e = c.ado.projects("acme").await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    let advice = ado_entra::ops::advice::client(&e);
    assert!(advice.next_step.unwrap().contains("throttling"), "{e}");
    assert_eq!(
        s.hits("/dev/acme/_apis/projects"),
        4,
        "RetryPolicy::fast allows 4 attempts"
    );
    // 500 on a GET is retried with backoff too.
    s.fault("/dev/acme/_apis/projects", vec![(500, None), (502, None)]);
    assert_eq!(c.ado.projects("acme").await.unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_typed_error() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let e = c.ado.repositories("acme").await.unwrap_err();
    assert!(matches!(e, ClientError::Decode { .. }), "{e}");
}

#[tokio::test]
async fn sign_in_page_is_an_auth_failure() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let e = c.ado.connection_data("htmlorg").await.unwrap_err();
    assert!(
        matches!(e, ClientError::SignInPage { status: 203, .. }),
        "{e}"
    );
    assert!(e.is_auth());
    let advice = ado_entra::ops::advice::client(&e);
    assert!(
        advice.auth_failure && advice.next_step.is_some(),
        "{advice:?}"
    );
    assert!(advice.kb_id.is_some(), "{advice:?}");
}

#[tokio::test]
async fn a_401_refreshes_once_then_succeeds() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let mut events = c.core.subscribe();
    s.revoke_all();
    assert_eq!(c.ado.projects("acme").await.unwrap().len(), 1);
    assert_eq!(
        s.mock.refreshes.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(s.hits("/dev/acme/_apis/projects"), 2);
    assert!(matches!(
        events.recv().await.unwrap(),
        ClientEvent::TokenRefreshed { .. }
    ));
}

/// Requests refused together (one revoked token, many in flight) renew it
/// once: each later one retries with the token the first renewed, instead
/// of renewing again while every other request of the sign-in waits.
#[tokio::test]
async fn requests_refused_together_refresh_the_token_once() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    s.revoke_all();
    let all = futures_util::future::join_all((0..6).map(|_| c.ado.projects("acme"))).await;
    for r in all {
        assert_eq!(r.unwrap().len(), 1);
    }
    assert_eq!(
        s.mock.refreshes.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert!(s.hits("/dev/acme/_apis/projects") > 6, "they were refused");
}

/// A refusal the token is not to blame for (the caller may not do this):
/// the first renews the token once and retries; refused again with the
/// token just renewed, the next ones stand at once, without renewing the
/// token again (each renewal holds every other request of the sign-in back).
#[tokio::test]
async fn a_token_just_renewed_is_not_renewed_again_for_a_refusal() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    s.fault("/dev/acme/_apis/projects", vec![(401, None); 3]);
    for _ in 0..2 {
        let e = c.ado.projects("acme").await.unwrap_err();
        assert_eq!(e.status(), Some(401), "{e}");
    }
    assert_eq!(
        s.mock.refreshes.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "renewed once"
    );
    // Refused, renewed and retried; then refused once, not retried.
    assert_eq!(s.hits("/dev/acme/_apis/projects"), 3);
    // The token still works where the caller may go.
    assert_eq!(c.ado.projects("acme").await.unwrap().len(), 1);
}

#[tokio::test]
async fn unauthorized_keeps_code_request_id_and_next_step() {
    let s = mock::start().await;
    let (c, oauth) = signed_in(&s);
    let mut cache = c.tokens.snapshot().await.unwrap();
    cache.refresh_token = None;
    cache.ado = Some(ado_entra::client::auth::CachedToken {
        token: SecretString::from("not-valid".to_string()),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    });
    let tokens = TokenProvider::new(Some(cache), Some(oauth), None);
    let ado = ado_entra::client::AdoClient::new(c.core.clone(), c.endpoints.clone(), tokens);
    let e = ado.projects("acme").await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.code(), Some("TF400813"));
    assert_eq!(e.request_id(), Some("e2e-401"));
    let advice = ado_entra::ops::advice::client(&e);
    assert_eq!(advice.kb_id.as_deref(), Some("TF400813"), "{e}");
    assert!(advice.next_step.is_some());
    assert!(!e.to_string().contains("not-valid"));
}

#[tokio::test]
async fn pca_membership_is_nested_and_cycle_safe() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    assert!(
        c.ado
            .is_project_collection_admin("acme", "aad.admin")
            .await
            .unwrap()
    );
    assert!(
        !c.ado
            .is_project_collection_admin("acme", "aad.cyclic")
            .await
            .unwrap()
    );
    assert!(
        !c.ado
            .is_project_collection_admin("acme", "aad.nobody")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn remap_connect_owner_tenants_catalog_pats() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let u = c
        .ado
        .remap_user("acme", "msa.abc/def", "entra-oid")
        .await
        .unwrap();
    assert_eq!(u.origin_id, "entra-oid");
    // The mock echoes the raw path segment: the slash was encoded, so it stayed one segment.
    assert_eq!(u.descriptor, "msa.abc%2Fdef");
    c.ado.set_tenant("acme", mock::TENANT).await.unwrap();
    c.ado.disconnect_tenant("acme").await.unwrap();
    assert_eq!(
        c.ado.owner("acme").await.unwrap().email.as_deref(),
        Some("owner@contoso.example")
    );
    assert_eq!(
        c.ado.user_tenants("acme").await.unwrap()[0].id,
        mock::TENANT
    );
    let cat = c.ado.enterprise_catalog(mock::TENANT).await.unwrap();
    assert_eq!(cat[0].name, "acme");
    let e = c.ado.enterprise_catalog("html").await.unwrap_err();
    assert!(matches!(e, ClientError::SignInPage { .. }), "{e}");
    assert_eq!(c.ado.pats("acme").await.unwrap()[0].display_name, "ci");
}

#[tokio::test]
async fn graph_me_lookup_paging_invite() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    assert_eq!(
        c.graph.me().await.unwrap().user_type.as_deref(),
        Some("Member")
    );
    let found = c
        .graph
        .find_users_by_email("o'neil@contoso.example")
        .await
        .unwrap();
    assert_eq!(found[0].id, "u-oneil");
    let all = c.graph.all_users().await.unwrap();
    assert_eq!(all.len(), 2500);
    let inv = c
        .graph
        .invite(
            "guest@fabrikam.example",
            Some("Guest"),
            "https://dev.azure.com/acme",
            false,
        )
        .await
        .unwrap();
    assert_eq!(inv.invited_user.unwrap().id, "guest-1");
}

#[tokio::test]
async fn batch_chunks_by_20_and_retries_throttled_items() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    s.mock
        .batch_throttle_once
        .lock()
        .unwrap()
        .insert("/users/7".into());
    s.mock
        .batch_throttle_once
        .lock()
        .unwrap()
        .insert("/users/23".into());
    let reqs: Vec<_> = (0..25)
        .map(|i| BatchRequest {
            id: i.to_string(),
            method: "GET".into(),
            url: format!("/users/{i}"),
            body: None,
            headers: None,
        })
        .collect();
    let out = c.graph.batch(reqs).await.unwrap();
    assert_eq!(out.len(), 25);
    assert!(out.iter().all(|r| r.status == 200));
    assert_eq!(
        out[7].body["url"], "/users/7",
        "responses keep request order"
    );
    assert_eq!(s.hits("/graph/v1.0/$batch"), 4);
}

#[tokio::test]
async fn pat_cannot_reach_graph_and_is_basic_auth() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let pat = TokenProvider::from_pat(SecretString::from("my-pat".to_string()));
    let ado = ado_entra::client::AdoClient::new(c.core.clone(), c.endpoints.clone(), pat.clone());
    assert_eq!(ado.projects("acme").await.unwrap().len(), 1);
    let seen = s
        .mock
        .auth_seen
        .lock()
        .unwrap()
        .get("/dev/acme/_apis/projects")
        .cloned()
        .unwrap();
    assert!(seen.starts_with("Basic "));
    let graph = ado_entra::client::GraphClient::new(c.core.clone(), &c.endpoints, pat);
    let e = graph.me().await.unwrap_err();
    assert!(matches!(e, ClientError::PatCannotReachGraph { .. }), "{e}");
    assert!(e.to_string().contains("cannot call Microsoft Graph"));
    let e = ado.pats("acme").await.unwrap_err();
    assert!(matches!(e, ClientError::PatNotAccepted { .. }), "{e}");
}

#[tokio::test]
async fn profile_accounts_org_settings_and_service_connections() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let p = c.ado.profile().await.unwrap();
    let accounts = c
        .ado
        .accounts(p.public_alias.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(accounts[0].account_name, "acme");
    assert!(
        c.ado
            .caller_is_project_collection_admin("acme")
            .await
            .unwrap()
    );
    assert_eq!(
        c.ado
            .organization("acme")
            .await
            .unwrap()
            .tenant_id
            .as_deref(),
        Some(mock::TENANT)
    );
    let t = c.ado.org_tenant("acme").await.unwrap().unwrap();
    assert_eq!(t.domain.as_deref(), Some("contoso.example"));
    let pol = c.ado.policies("acme").await.unwrap();
    assert_eq!(pol.len(), 2);
    c.ado
        .set_policy("acme", "Policy.DisallowAadGuestUserAccess", true)
        .await
        .unwrap();
    let se = c
        .ado
        .azure_rm_endpoints("acme", "My Project")
        .await
        .unwrap();
    assert_eq!(se[0].tenant_id(), Some(mock::TENANT));
    let org = c.graph.organization().await.unwrap();
    assert_eq!(org.verified_domains[0].name, "contoso.example");
}

#[tokio::test]
async fn concurrency_is_bounded_by_the_policy() {
    use ado_entra::client::http::Request;
    use ado_entra::client::{HttpCore, RetryPolicy};
    let s = mock::start().await;
    let core = HttpCore::new(RetryPolicy {
        concurrency: 2,
        ..RetryPolicy::fast()
    })
    .unwrap();
    // The mock answers `/pair` only once two requests are in flight, so the
    // bound is reached without relying on timing, and never passed.
    let url = url::Url::parse(&format!("{}/pair", s.base)).unwrap();
    let calls = (0..8).map(|_| {
        let core = core.clone();
        let req = Request::get(url.clone());
        tokio::spawn(async move { core.send(&req, None).await.unwrap().status.as_u16() })
    });
    for c in futures_util::future::join_all(calls).await {
        assert_eq!(c.unwrap(), 200);
    }
    assert_eq!(
        s.mock
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_transport_error() {
    use ado_entra::client::{Endpoints, HttpCore, RetryPolicy};
    // A port bound but not listening, and held for the whole test: connecting
    // is refused, and no one else can take the port meanwhile.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = held.local_addr().unwrap().port();
    let core = HttpCore::new(RetryPolicy::fast()).unwrap();
    let mut events = core.subscribe();
    let endpoints = Endpoints::emulator(&format!("http://127.0.0.1:{port}")).unwrap();
    let ado = ado_entra::client::AdoClient::new(
        core,
        endpoints,
        TokenProvider::from_pat(SecretString::from("p".to_string())),
    );
    let e = ado.projects("acme").await.unwrap_err();
    assert!(matches!(e, ClientError::Transport { .. }), "{e}");
    for attempt in 1..=3 {
        assert!(
            matches!(events.recv().await.unwrap(), ClientEvent::Retrying { attempt: a, .. } if a == attempt)
        );
    }
}

#[tokio::test]
async fn many_emails_are_looked_up_through_batch() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let mut emails: Vec<String> = (0..30)
        .map(|i| format!("nobody{i}@contoso.example"))
        .collect();
    emails[3] = "known@contoso.example".into();
    emails[25] = "forbidden@contoso.example".into();
    let out = c.graph.find_users_by_emails(&emails).await.unwrap();
    assert_eq!(out.len(), 30);
    assert_eq!(out[3].as_ref().unwrap()[0].id, "known-1");
    assert!(out[4].as_ref().unwrap().is_empty());
    let e = out[25].as_ref().unwrap_err();
    assert_eq!(e.code(), Some("Authorization_RequestDenied"));
    assert_eq!(s.hits("/graph/v1.0/$batch"), 2);
}

#[tokio::test]
async fn service_connections_of_every_project() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let all = c.ado.azure_rm_endpoints_all("acme").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1[0].tenant_id(), Some(mock::TENANT));
}

#[tokio::test]
async fn a_slow_answer_times_out_per_attempt() {
    use ado_entra::client::http::Request;
    use ado_entra::client::{HttpCore, RetryPolicy};
    let s = mock::start().await;
    let core = HttpCore::new(RetryPolicy {
        timeout: Duration::from_millis(10),
        max_attempts: 2,
        ..RetryPolicy::fast()
    })
    .unwrap();
    let mut events = core.subscribe();
    let req = Request::get(url::Url::parse(&format!("{}/hang", s.base)).unwrap());
    let e = core.send(&req, None).await.unwrap_err();
    assert!(
        matches!(&e, ClientError::Transport { message, .. } if message.contains("timed out")),
        "{e}"
    );
    assert!(
        matches!(events.recv().await.unwrap(), ClientEvent::Retrying { ref reason, .. } if reason == "timeout")
    );
    assert_eq!(s.hits("/hang"), 2);
}
