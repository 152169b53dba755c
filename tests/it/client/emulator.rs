//! The client against the real emulator (configured only by its base URL).

use std::time::Duration;

use ado_entra::client::auth::{OAuthClient, OAuthConfig, TokenProvider, signin};
use ado_entra::client::models::ado::OrgTenant;
use ado_entra::client::{Clients, Endpoints, HttpCore, RetryPolicy};
use ado_entra::emulator::Emulator;

#[tokio::test]
async fn device_code_sign_in_with_the_approve_hook_then_read_the_org() {
    let emu = Emulator::start_scenario("ready").await.unwrap();
    let base = emu.base_url().to_string();
    let org = emu.summary().org.clone();
    let upn = emu.summary().default_sign_in.clone();
    let endpoints = Endpoints::emulator(&base).unwrap();
    let core = HttpCore::new(RetryPolicy::fast()).unwrap();
    let mut oauth = OAuthClient::new(core.clone(), &endpoints, OAuthConfig::default());
    oauth.min_interval = Duration::from_millis(50);
    let approve_base = base.clone();
    let (cache, warning) = signin::device_code(&oauth, move |p| {
        let code = p.user_code.clone();
        let upn = upn.clone();
        tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(format!("{approve_base}/_emulator/device/approve"))
                .json(&serde_json::json!({"user_code": code, "upn": upn}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "approve: {}", r.status());
        });
    })
    .await
    .unwrap();
    assert!(warning.is_none(), "{warning:?}");
    assert!(cache.ado.is_some());
    assert_eq!(
        cache
            .claims()
            .and_then(|c| c.username().map(str::to_lowercase)),
        Some(emu.summary().default_sign_in.to_lowercase())
    );
    let tokens = TokenProvider::new(Some(cache), Some(oauth), None);
    let c = Clients::new(core, endpoints, tokens);
    let probe = c.ado.probe_tenant(&org).await.unwrap();
    assert!(matches!(probe.tenant, OrgTenant::Msa), "{probe:?}");
    // The token from the device flow opens the organization: every user, all pages.
    let users = c.ado.graph_users(&org).await.unwrap();
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u.origin == "msa"));
    let ents = c.ado.user_entitlements(&org).await.unwrap();
    assert_eq!(ents.len(), 3);
    assert!(
        c.ado
            .caller_is_project_collection_admin(&org)
            .await
            .unwrap()
    );
    let owner = c.ado.owner(&org).await.unwrap();
    assert_eq!(owner.email.as_deref(), Some("ann@fabrikam.com"));
    let tenants = c.ado.user_tenants(&org).await.unwrap();
    assert_eq!(tenants.len(), 1);
    // Signed in with a personal account (consumers tenant), Graph refuses to
    // read a directory: a typed 403, not a panic or a sign-in page.
    let e = c.graph.me().await.unwrap_err();
    assert_eq!(e.status(), Some(403), "{e}");
    emu.shutdown().await;
}
