//! Sign-in flows end to end, token refresh, and secrets kept out of logs.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ado_entra::client::ClientError;
use ado_entra::client::auth::{
    AuthError, Credential, Resource, SignInMethod, TokenProvider, signin,
};
use secrecy::{ExposeSecret, SecretString};

use super::{mock, signed_in};

#[tokio::test]
async fn device_code_flow_pending_slow_down_then_tokens() {
    let s = mock::start().await;
    let (_c, oauth) = signed_in(&s);
    *s.mock.device_script.lock().unwrap() = vec![
        "authorization_pending",
        "slow_down",
        "authorization_pending",
    ];
    let mut shown = None;
    let (cache, warning) = signin::device_code(&oauth, |p| shown = Some(p.clone()))
        .await
        .unwrap();
    let p = shown.unwrap();
    assert_eq!((p.user_code.as_str(), p.expires_in), ("ABCD-EFGH", 900));
    assert!(warning.is_none(), "{warning:?}");
    assert_eq!(cache.method, SignInMethod::DeviceCode);
    assert!(cache.ado.is_some() && cache.graph.is_some() && cache.refresh_token.is_some());
    assert_eq!(cache.claims().unwrap().username(), Some(mock::UPN));
    assert_eq!(
        s.hits("/login/organizations/oauth2/v2.0/token"),
        5,
        "4 polls + 1 Graph exchange"
    );
}

#[tokio::test]
async fn device_code_errors_are_typed() {
    let s = mock::start().await;
    let (_c, oauth) = signed_in(&s);
    for (script, want) in [
        ("authorization_declined", "declined"),
        ("expired_token", "expired"),
        ("bad_verification_code", "not recognised"),
    ] {
        *s.mock.device_script.lock().unwrap() = vec![script];
        let e = signin::device_code(&oauth, |_| {}).await.unwrap_err();
        assert!(matches!(e, ClientError::Auth(_)), "{e}");
        assert!(e.to_string().contains(want), "{script}: {e}");
    }
    *s.mock.device_script.lock().unwrap() = vec!["invalid_client"];
    let e = signin::device_code(&oauth, |_| {}).await.unwrap_err();
    assert!(
        matches!(e, ClientError::Auth(AuthError::Refused { ref code, .. }) if code == "invalid_client"),
        "{e}"
    );
}

#[tokio::test]
async fn browser_flow_with_pkce_end_to_end() {
    let s = mock::start().await;
    let (_c, oauth) = signed_in(&s);
    let (cache, _) = signin::browser(
        &oauth,
        |url| {
            assert!(url.query().unwrap().contains("code_challenge_method=S256"));
            let url = url.clone();
            // Play the browser: follow the authorize redirect to the loopback listener.
            tokio::spawn(async move {
                let page = reqwest::get(url).await.unwrap().text().await.unwrap();
                assert!(page.contains("close this tab"));
            });
        },
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(cache.method, SignInMethod::Browser);
    assert!(cache.ado.is_some() && cache.graph.is_some());
}

#[tokio::test]
async fn tokens_refresh_when_they_expire_mid_run() {
    let s = mock::start().await;
    let (c, oauth) = signed_in(&s);
    let mut cache = c.tokens.snapshot().await.unwrap();
    let short = mock::mint(&s.mock, "short");
    cache.ado = Some(ado_entra::client::auth::CachedToken {
        token: SecretString::from(short.clone()),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let tokens =
        TokenProvider::new(Some(cache), Some(oauth), Some(path.clone())).with_skew(Duration::ZERO);
    let ado =
        ado_entra::client::AdoClient::new(c.core.clone(), c.endpoints.clone(), tokens.clone());
    ado.projects("acme").await.unwrap();
    assert_eq!(s.mock.refreshes.load(Ordering::SeqCst), 0);
    // The token's time runs out between two calls: an explicit expiry in the
    // past stands for the clock passing it, with no sleep.
    let mut expired = tokens.snapshot().await.unwrap();
    expired.ado.as_mut().unwrap().expires_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    tokens.set_cache(expired).await.unwrap();
    ado.projects("acme").await.unwrap();
    assert_eq!(
        s.mock.refreshes.load(Ordering::SeqCst),
        1,
        "expired token refreshed before the call"
    );
    let Credential::Bearer { token, .. } = tokens
        .credential(Resource::AzureDevOps, false)
        .await
        .unwrap()
    else {
        panic!("bearer expected")
    };
    assert_ne!(token.expose_secret(), short);
    // The refreshed token was persisted, owner-only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);
impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn pat_never_appears_in_logs_errors_or_debug() {
    const PAT: &str = "pat-SECRET-4f7a9c";
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let tokens = TokenProvider::from_pat(SecretString::from(PAT.to_string()));
    let ado =
        ado_entra::client::AdoClient::new(c.core.clone(), c.endpoints.clone(), tokens.clone());
    let graph = ado_entra::client::GraphClient::new(c.core.clone(), &c.endpoints, tokens.clone());
    s.fault("/dev/acme/_apis/projects", vec![(503, Some("0"))]);
    ado.projects("acme").await.unwrap();
    let errs = [
        graph.me().await.unwrap_err(),
        ado.repositories("acme").await.unwrap_err(),
    ];
    let mut everything = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        everything.contains("request"),
        "the subscriber captured nothing: {everything}"
    );
    for e in &errs {
        everything.push_str(&format!("{e} {e:?}"));
    }
    let cred = tokens
        .credential(Resource::AzureDevOps, false)
        .await
        .unwrap();
    everything.push_str(&format!(
        "{cred:?} {tokens:?} {:?}",
        tokens.snapshot().await
    ));
    assert!(!everything.contains(PAT), "PAT leaked: {everything}");
}

#[tokio::test]
async fn switching_tenant_reissues_both_tokens_for_it() {
    let s = mock::start().await;
    let (c, _) = signed_in(&s);
    let new_tenant = "99999999-8888-7777-6666-555555555555";
    let tid = c.tokens.use_tenant(new_tenant).await.unwrap();
    assert_eq!(tid.as_deref(), Some(new_tenant));
    assert_eq!(s.hits(&format!("/login/{new_tenant}/oauth2/v2.0/token")), 2);
    let cache = c.tokens.snapshot().await.unwrap();
    assert_eq!(cache.tenant, new_tenant);
    assert_eq!(
        cache.graph.unwrap().claims().unwrap().tid.as_deref(),
        Some(new_tenant)
    );
}
