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
    // EMULATOR BUG (reported): the device-code token answer carries no refresh
    // token because the emulator reads `scope` from the poll request instead of
    // the devicecode request, so no Graph token can be exchanged here.
    let tokens = TokenProvider::new(Some(cache), Some(oauth), None);
    let c = Clients::new(core, endpoints, tokens);
    let probe = c.ado.probe_tenant(&org).await.unwrap();
    assert!(!matches!(probe.tenant, OrgTenant::Unknown), "{probe:?}");
    // Same emulator bug: the access token minted without the devicecode scope
    // is refused by the emulated ADO (401 TF400813), so authenticated calls are
    // not exercised against the emulator yet; the mock-based tests cover them.
    let e = c.ado.graph_users(&org).await.unwrap_err();
    assert_eq!(
        e.code(),
        Some("TF400813"),
        "emulator bug fixed? turn this into a success check: {e}"
    );
    emu.shutdown().await;
}
