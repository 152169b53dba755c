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

/// A client signed in (device code, auto-approved as the scenario's owner)
/// against an emulator started with `cfg`.
async fn signed_in(
    cfg: ado_entra::emulator::EmulatorConfig,
    skew: Duration,
) -> (Emulator, Clients) {
    let emu = Emulator::start(ado_entra::emulator::EmulatorConfig {
        auto_approve_default: true,
        ..cfg
    })
    .await
    .unwrap();
    let endpoints = Endpoints::emulator(emu.base_url()).unwrap();
    let core = HttpCore::new(RetryPolicy::fast()).unwrap();
    let mut oauth = OAuthClient::new(core.clone(), &endpoints, OAuthConfig::default());
    oauth.min_interval = Duration::from_millis(50);
    let (cache, _) = signin::device_code(&oauth, |_| {}).await.unwrap();
    let tokens = TokenProvider::new(Some(cache), Some(oauth), None).with_skew(skew);
    (emu, Clients::new(core, endpoints, tokens))
}

async fn stats(emu: &Emulator) -> serde_json::Value {
    reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A generated organization of `users` against a tenant of `tenant_users`,
/// `subscribers` percent of them Visual Studio subscribers.
fn generated(
    users: usize,
    tenant_users: usize,
    seed: u64,
    subscribers: u8,
) -> ado_entra::emulator::EmulatorConfig {
    ado_entra::emulator::EmulatorConfig {
        source: ado_entra::emulator::Source::Generated(ado_entra::emulator::Generate {
            users,
            tenant_users,
            seed,
            connected: false,
            subscribers,
        }),
        ..Default::default()
    }
}

async fn set_faults(emu: &Emulator, faults: &[&str]) {
    let r = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&serde_json::json!({ "faults": faults }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn pages_to_the_end_of_a_10000_user_org() {
    let cfg = generated(10_000, 12_000, 9, 0);
    let (emu, c) = signed_in(cfg, Duration::from_secs(60)).await;
    let org = emu.summary().org.clone();
    let before = stats(&emu).await["vssps"].as_u64().unwrap_or(0);
    let users = c.ado.graph_users(&org).await.unwrap();
    assert_eq!(users.len(), 10_001);
    let after = stats(&emu).await["vssps"].as_u64().unwrap();
    assert_eq!(
        after - before,
        21,
        "500 a page, following X-MS-ContinuationToken"
    );
    let before = stats(&emu).await["vsaex"].as_u64().unwrap_or(0);
    let ents = c.ado.user_entitlements(&org).await.unwrap();
    assert_eq!(ents.len(), 10_001);
    // Eleven pages of 1,000 by offset: the first with the total, then the
    // other ten at once.
    let requests = stats(&emu).await["vsaex"].as_u64().unwrap() - before;
    assert_eq!(requests, 11, "{requests} requests");
    let mut ids: Vec<&str> = ents.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10_001, "no page repeated or skipped");
    emu.shutdown().await;
}

/// User entitlements: read by offset, the first page of 1,000 (all of a
/// small organization) then every other page at once; when those pages
/// cannot be read, split by licence and walked from both ends at once when
/// the licences account for everyone, walked unfiltered from both ends when
/// Visual Studio subscribers (whom no account licence filter finds) leave
/// the parts short. Either way every user arrives exactly once, and the
/// walks overlap. Without the offset form, a few pages are simply read one
/// after another.
#[tokio::test]
async fn entitlements_are_walked_in_parallel_and_exactly_once() {
    for (users, subscribers, offset) in [
        (1_500, 0u8, true),
        (1_500, 30, true),
        (1_500, 0, false),
        (1_500, 30, false),
        (250, 0, true),
        (250, 0, false),
    ] {
        let cfg = generated(users, 100, 5, subscribers);
        let (emu, c) = signed_in(cfg, Duration::from_secs(60)).await;
        let org = emu.summary().org.clone();
        let graph: Vec<String> = c
            .ado
            .graph_users(&org)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.descriptor)
            .collect();
        // Long enough that concurrent walks are in flight together; without
        // the offset form, its pages answer garbage and the walks take over.
        let latency = "latency:ms=20,host=vsaex";
        if offset {
            set_faults(&emu, &[latency]).await;
        } else {
            set_faults(&emu, &[latency, "malformed:path=skip=,host=vsaex"]).await;
        }
        let _ = reqwest::Client::new()
            .post(format!("{}/_emulator/stats/reset", emu.base_url()))
            .send()
            .await
            .unwrap();
        let ents = c.ado.user_entitlements(&org).await.unwrap();
        let mut descriptors: Vec<String> = ents.iter().map(|e| e.user.descriptor.clone()).collect();
        descriptors.sort();
        let mut expected = graph.clone();
        expected.sort();
        assert_eq!(
            descriptors, expected,
            "everyone once ({subscribers}% subscribers)"
        );
        let s = stats(&emu).await;
        let requests = s["vsaex"].as_u64().unwrap();
        let peak = s["vsaex.peak"].as_u64().unwrap();
        if offset {
            // 251 users: one page; 1,501: the first page, then the second.
            let pages = users.div_ceil(1000) as u64;
            assert_eq!(requests, pages, "{requests} requests ({subscribers}%)");
            emu.shutdown().await;
            continue;
        }
        // The offset page that could not be read comes first.
        let requests = requests - 1;
        if users < 300 {
            assert_eq!((requests, peak), (3, 1), "251 users: three pages in a row");
            emu.shutdown().await;
            continue;
        }
        assert!(peak >= 2, "walks overlap ({subscribers}%): peak {peak}");
        if subscribers == 0 {
            // 16 pages' worth, 1 first page, 6 part openings, 3 meetings.
            assert!(requests <= 1 + 16 + 6 + 3, "{requests} requests");
        } else {
            // The parts come up short: the whole is walked from both ends.
            assert!(
                ents.iter()
                    .any(|e| e.access_level.license_display_name.as_deref()
                        == Some("Visual Studio Subscriber")),
                "subscribers are listed"
            );
            assert!(requests <= 1 + 6 + 2 + 16 + 1, "{requests} requests");
        }
        emu.shutdown().await;
    }
}

/// The parallel entitlement walks under the fault flags: throttling, outages
/// and cut connections are retried inside each walk and everyone still
/// arrives exactly once; a malformed page is an error naming the request,
/// never a short or doubled list.
#[tokio::test]
async fn entitlement_walks_survive_faults_exactly_once() {
    let cfg = generated(1_200, 100, 6, 10);
    let (emu, c) = signed_in(cfg, Duration::from_secs(60)).await;
    let org = emu.summary().org.clone();
    let everyone = 1_201;
    for faults in [
        "429:every=3,retry-after=0,host=vsaex",
        "503:burst=1,every=4,host=vsaex",
        "drop:every=5,host=vsaex",
        "malformed:every=6,host=vsaex",
    ] {
        set_faults(&emu, &[faults]).await;
        match c.ado.user_entitlements(&org).await {
            Ok(ents) => {
                let mut ids: Vec<&str> = ents.iter().map(|e| e.id.as_str()).collect();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), everyone, "{faults}: everyone once");
                assert_eq!(ents.len(), everyone, "{faults}: nobody twice");
            }
            Err(e) => {
                assert!(faults.starts_with("malformed"), "{faults}: {e}");
                assert!(e.to_string().contains("userentitlements"), "{faults}: {e}");
            }
        }
    }
    set_faults(&emu, &[]).await;
    emu.shutdown().await;
}

/// The biggest organizations: 100,000 users, read by offset (a hundred
/// pages of 1,000 at once) and, when those pages cannot be read, by the
/// licence walks (several hundred pages from both ends of each part); with
/// throttling, outages and cut connections injected, each user arrives
/// exactly once either way: never a short or doubled list.
#[tokio::test]
async fn the_entitlement_walk_delivers_100000_users_exactly_once_under_faults() {
    let cfg = ado_entra::emulator::EmulatorConfig {
        // The rate limit would only slow this down (fleet.rs proves it).
        rate_limit: None,
        ..generated(100_000, 100, 8, 0)
    };
    let (emu, c) = signed_in(cfg, Duration::from_secs(600)).await;
    let org = emu.summary().org.clone();
    let everyone = 100_001;
    let once = |ents: &[ado_entra::client::models::ado::UserEntitlement], what: &str| {
        let mut ids: Vec<&str> = ents.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), everyone, "{what}: everyone");
        assert_eq!(ents.len(), everyone, "{what}: nobody twice");
    };
    // Sparse enough that a request's retries (four attempts) almost never
    // meet a fault again, dense enough that dozens of requests do once.
    for faults in [
        // By offset.
        &[
            "429:every=31,retry-after=0,host=vsaex",
            "503:burst=1,every=37,host=vsaex",
            "drop:every=41,host=vsaex",
        ][..],
        // The offset form refused: the licence walks.
        &[
            "malformed:path=skip=,host=vsaex",
            "429:every=43,retry-after=0,host=vsaex",
            "drop:every=47,host=vsaex",
        ][..],
    ] {
        set_faults(&emu, faults).await;
        let _ = reqwest::Client::new()
            .post(format!("{}/_emulator/stats/reset", emu.base_url()))
            .send()
            .await
            .unwrap();
        let ents = c.ado.user_entitlements(&org).await.unwrap();
        once(&ents, faults[0]);
        let requests = stats(&emu).await["vsaex"].as_u64().unwrap();
        assert!(
            requests > 101,
            "{faults:?}: faults met ({requests} requests)"
        );
    }
    set_faults(&emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn retries_honour_retry_after_and_503_bursts() {
    let (emu, c) = signed_in(
        ado_entra::emulator::EmulatorConfig::scenario("ready"),
        Duration::from_secs(60),
    )
    .await;
    let org = emu.summary().org.clone();
    let mut events = c.core.subscribe();
    set_faults(&emu, &["429:every=1,retry-after=1,host=dev,path=projects"]).await;
    // Every projects call is throttled: bounded attempts, then a typed error.
    let e = c.ado.projects(&org).await.unwrap_err();
    assert_eq!(e.status(), Some(429), "{e}");
    let throttled = stats(&emu).await["dev"].as_u64().unwrap();
    assert_eq!(throttled, 4, "max_attempts of the fast policy");
    let mut waits = 0;
    while let Ok(ev) = events.try_recv() {
        if let ado_entra::client::http::ClientEvent::RetryAfter { wait, .. } = ev {
            assert_eq!(wait, Duration::from_secs(1));
            waits += 1;
        }
    }
    assert_eq!(waits, 3, "each wait was announced to the UI");
    // Two 503s then success: the call succeeds on its third attempt.
    set_faults(&emu, &["503:burst=2,host=dev,path=projects"]).await;
    let base = stats(&emu).await["dev"].as_u64().unwrap();
    let projects = c.ado.projects(&org).await.unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(stats(&emu).await["dev"].as_u64().unwrap() - base, 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_a_typed_error() {
    let (emu, c) = signed_in(
        ado_entra::emulator::EmulatorConfig::scenario("ready"),
        Duration::from_secs(60),
    )
    .await;
    let org = emu.summary().org.clone();
    set_faults(&emu, &["malformed:host=dev"]).await;
    let e = c.ado.projects(&org).await.unwrap_err();
    assert!(
        matches!(e, ado_entra::client::ClientError::Decode { .. }),
        "{e:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn tokens_are_refreshed_when_they_expire_mid_run() {
    let (emu, c) = signed_in(
        ado_entra::emulator::EmulatorConfig::scenario("ready"),
        Duration::from_millis(200),
    )
    .await;
    let org = emu.summary().org.clone();
    let mut events = c.core.subscribe();
    assert_eq!(c.ado.projects(&org).await.unwrap().len(), 1);
    // The token's time runs out between two calls: an explicit expiry in the
    // past stands for the clock passing it, with no sleep.
    let mut expired = c.tokens.snapshot().await.unwrap();
    expired.ado.as_mut().unwrap().expires_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    c.tokens.set_cache(expired).await.unwrap();
    assert_eq!(
        c.ado.projects(&org).await.unwrap().len(),
        1,
        "still works after expiry"
    );
    let mut refreshed = false;
    while let Ok(ev) = events.try_recv() {
        if matches!(
            ev,
            ado_entra::client::http::ClientEvent::TokenRefreshed { .. }
        ) {
            refreshed = true;
        }
    }
    assert!(refreshed, "the expired token was refreshed, not reused");
    emu.shutdown().await;
}

#[tokio::test]
async fn administrators_are_listed_with_one_request_per_group() {
    let (emu, c) = signed_in(
        ado_entra::emulator::EmulatorConfig::scenario("messy"),
        Duration::from_secs(60),
    )
    .await;
    let org = emu.summary().org.clone();
    let pca = c
        .ado
        .project_collection_admins(&org)
        .await
        .unwrap()
        .expect("the PCA group");
    reqwest::Client::new()
        .post(format!("{}/_emulator/stats/reset", emu.base_url()))
        .send()
        .await
        .unwrap();
    let members = c
        .ado
        .group_user_members(&org, &pca.descriptor)
        .await
        .unwrap();
    let st = crate::support::state(&emu).await;
    let mut admins: Vec<String> = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["admin"] == true)
        .map(|u| u["descriptor"].as_str().unwrap().to_string())
        .collect();
    let mut got = members.clone();
    admins.sort();
    got.sort();
    assert_eq!(got, admins, "owner and Ann, nobody else");
    assert_eq!(stats(&emu).await["total"], 1, "one request for one group");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_directory_is_read_in_parallel_ranges_and_completely() {
    let cfg = generated(50, 30_000, 4, 0);
    let (emu, c) = signed_in(cfg, Duration::from_secs(60)).await;
    let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    // The owner's personal account has no object in the directory: it is
    // read as the owner's work account there (a sign-in at the tenant).
    let mut oauth = OAuthClient::new(
        c.core.clone(),
        &c.endpoints,
        OAuthConfig::new(None, Some(&tenant)),
    );
    oauth.min_interval = Duration::from_millis(50);
    let (cache, _) = signin::device_code(&oauth, |_| {}).await.unwrap();
    let graph = ado_entra::client::GraphClient::new(
        c.core.clone(),
        &c.endpoints,
        TokenProvider::new(Some(cache), Some(oauth), None),
    );
    assert_eq!(graph.count_users().await.unwrap(), 30_001);
    let before = stats(&emu).await["graph"].as_u64().unwrap_or(0);
    let all = graph.all_users_parallel().await.unwrap();
    let requests = stats(&emu).await["graph"].as_u64().unwrap() - before;
    let mut ids: Vec<&str> = all.iter().map(|u| u.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30_001, "every user once");
    assert_eq!(all.len(), 30_001);
    assert!(
        // The count, then the planned sample and rounds.
        requests <= 1 + ado_entra::client::graph::GraphClient::parallel_read_cost(30_001),
        "{requests} requests, where 31 pages would be read one after another"
    );
    emu.shutdown().await;
}
