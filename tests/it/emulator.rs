//! Integration tests: the emulator over real HTTP on loopback.

use ado_entra::emulator::EmulatorConfig;
use serde_json::{Value, json};

use crate::recordings;
use crate::support::{self, ADO_SCOPE, GRAPH_SCOPE, get_json, http, sign_in};

mod oidc;
mod specs;

fn tenant_id(emu: &ado_entra::emulator::Emulator, i: usize) -> String {
    emu.summary().tenants[i]["id"].as_str().unwrap().to_string()
}

/// JSON encoded in base64url (a JWT part, `client_info`).
pub(crate) fn b64_json(part: &str) -> Value {
    use base64::Engine;
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

/// The payload of a JWT, unverified.
pub(crate) fn jwt_claims(token: &str) -> Value {
    b64_json(token.split('.').nth(1).unwrap())
}

/// `e` is an Azure DevOps error body: `{$id, innerException, message,
/// typeName, typeKey, errorCode, eventId}`.
fn assert_ado_error(e: &Value, context: &str) {
    for k in [
        "$id",
        "innerException",
        "message",
        "typeName",
        "typeKey",
        "errorCode",
        "eventId",
    ] {
        assert!(e.get(k).is_some(), "{context}: error lacks {k}: {e}");
    }
}

#[tokio::test]
async fn summary_and_control_endpoints() {
    let emu = support::start("messy").await;
    let s = emu.summary();
    assert!(s.base_url.starts_with("http://127.0.0.1:"));
    assert_eq!(s.org, "fabrikam-messy");
    assert_eq!(s.owner, "owner@fabrikam.com");
    assert_eq!(s.tenants.len(), 2);
    let v: Value = http()
        .get(format!("{}/_emulator/scenario", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["org_users"], 10);
    let r = http()
        .post(format!("{}/_emulator/device/approve", emu.base_url()))
        .json(&json!({"user_code": "NOPE1234", "upn": "x@y.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    emu.shutdown().await;
}

/// `--latency-ms`: a request is carried out when it arrives and its answer
/// held back until the latency has passed (the control endpoints answer at
/// once); a device code asked for is pending long before its answer comes.
#[tokio::test]
async fn latency_holds_the_answer_not_the_request() {
    let latency = std::time::Duration::from_millis(1500);
    let emu = support::start_with(EmulatorConfig {
        latency_ms: latency.as_millis() as u64,
        ..EmulatorConfig::scenario("ready")
    })
    .await;
    let base = emu.base_url().to_string();
    let pending = || async {
        let (_, v) = get_json(&format!("{base}/_emulator/device/pending"), "").await;
        v["user_codes"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(pending().await, 0);
    let asked = std::time::Instant::now();
    let url = format!("{base}/login/organizations/oauth2/v2.0/devicecode");
    let mut answer = tokio::spawn(async move {
        let r = http()
            .post(url)
            .form(&[("client_id", "c"), ("scope", ADO_SCOPE)])
            .send()
            .await
            .unwrap();
        (r.status(), asked.elapsed())
    });
    // The code is pending while its answer is still held back.
    let mut seen = false;
    while !seen {
        tokio::select! {
            _ = &mut answer => panic!("answered before the device code was seen pending"),
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
        }
        seen = pending().await == 1;
    }
    let (status, took) = answer.await.unwrap();
    assert_eq!(status, 200);
    assert!(
        took >= latency,
        "answered after {took:?}, before the latency"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn oauth_device_flow_errors_are_entra_shaped() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let c = http();
    let dc: Value = c
        .post(format!("{base}/login/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", "c"), ("scope", ADO_SCOPE)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for k in [
        "device_code",
        "user_code",
        "verification_uri",
        "expires_in",
        "interval",
        "message",
    ] {
        assert!(dc.get(k).is_some(), "devicecode lacks {k}: {dc}");
    }
    assert!(dc.get("verification_uri_complete").is_none());
    let poll = || {
        c.post(format!("{base}/login/organizations/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", "c"),
                ("device_code", dc["device_code"].as_str().unwrap()),
            ])
    };
    let first: Value = poll().send().await.unwrap().json().await.unwrap();
    assert_eq!(first["error"], "authorization_pending");
    assert!(
        first["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS70016")
    );
    assert_eq!(first["error_codes"][0], 70016);
    let second: Value = poll().send().await.unwrap().json().await.unwrap();
    assert_eq!(
        second["error"], "slow_down",
        "polled faster than the interval"
    );
    // Declined on the approval page.
    let r = c
        .post(format!("{base}/_emulator/device/decline"))
        .json(&json!({"user_code": dc["user_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A decline is answered at once, polling interval or not.
    let declined: Value = poll().send().await.unwrap().json().await.unwrap();
    assert_eq!(declined["error"], "authorization_declined");

    // Expiry.
    let dc2: Value = c
        .post(format!("{base}/login/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", "c"), ("scope", ADO_SCOPE)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    c.post(format!("{base}/_emulator/device/expire"))
        .json(&json!({"user_code": dc2["user_code"]}))
        .send()
        .await
        .unwrap();
    let expired: Value = c
        .post(format!("{base}/login/organizations/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "c"),
            ("device_code", dc2["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["error"], "expired_token");
    let bad = support::refresh(&emu, "not-a-token", "organizations", ADO_SCOPE).await;
    assert_eq!(bad["error"], "invalid_grant");
    emu.shutdown().await;
}

/// A tenant is found by its GUID or any of its domains, and its OpenID
/// configuration then speaks only of its GUID; Graph lists its domains.
#[tokio::test]
async fn tenants_resolve_by_any_domain_to_their_guid() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let fabrikam = tenant_id(&emu, 0);
    let config = |name: &str| {
        let url = format!("{base}/login/{name}/v2.0/.well-known/openid-configuration");
        async move {
            let r = http().get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    for name in [
        fabrikam.clone(),
        fabrikam.to_uppercase(),
        "fabrikam.onmicrosoft.com".into(),
        "fabrikam.com".into(),
        "FABRIKAM.COM".into(),
    ] {
        let (s, v) = config(&name).await;
        assert_eq!(s, 200, "{name}: {v}");
        assert_eq!(
            v["issuer"],
            format!("{base}/login/{fabrikam}/v2.0"),
            "{name}"
        );
        for k in [
            "authorization_endpoint",
            "token_endpoint",
            "device_authorization_endpoint",
            "jwks_uri",
        ] {
            let u = v[k].as_str().unwrap();
            assert!(
                u.starts_with(&format!("{base}/login/{fabrikam}/")),
                "{name}: {k} = {u}"
            );
        }
    }
    let (_, multi) = config("organizations").await;
    assert_eq!(multi["issuer"], format!("{base}/login/{{tenantid}}/v2.0"));
    assert!(
        multi["token_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/login/organizations/oauth2/v2.0/token")
    );
    // Unknown domains and GUIDs: 400 AADSTS90002; text that is no domain: AADSTS900023.
    for (name, code) in [
        ("nowhere.example", 90002),
        ("00000000-1111-4222-8333-444444444444", 90002),
        ("fabrikam", 900023),
    ] {
        let (s, v) = config(name).await;
        assert_eq!(
            (s, v["error"].as_str()),
            (400, Some("invalid_tenant")),
            "{name}"
        );
        assert_eq!(v["error_codes"][0], code, "{name}: {v}");
        assert!(
            v["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}:"))
        );
        // The other endpoints of an unknown tenant refuse the same way.
        let r = http()
            .post(format!("{base}/login/{name}/oauth2/v2.0/devicecode"))
            .form(&[("client_id", "c"), ("scope", "openid")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{name}");
    }
    // Graph's /organization lists every verified domain, the default marked.
    let (g, _) = sign_in(&emu, "owner@fabrikam.com", "fabrikam.com", GRAPH_SCOPE).await;
    let (s, org) = get_json(&format!("{base}/graph/v1.0/organization"), &g).await;
    assert_eq!(s, 200);
    let o = &org["value"][0];
    assert_eq!(o["id"], fabrikam.as_str());
    let domains: Vec<(&str, bool)> = o["verifiedDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["isDefault"] == true))
        .collect();
    assert_eq!(
        domains,
        [("fabrikam.onmicrosoft.com", false), ("fabrikam.com", true)]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    use base64::Engine;
    use sha2::Digest;
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let verifier = "a-very-long-verifier-string-with-enough-entropy-1234567890";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let redirect = "http://127.0.0.1:9/callback";
    let r = http()
        .get(format!("{base}/login/organizations/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", "c"),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", ADO_SCOPE),
            ("state", "s1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("login_hint", "ann@fabrikam.com"),
            ("prompt", "none"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    assert!(loc.query_pairs().any(|(k, v)| k == "state" && v == "s1"));
    let redeem = |v: &str| {
        http()
            .post(format!("{base}/login/organizations/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", "c"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
                ("code_verifier", v),
                ("scope", ADO_SCOPE),
            ])
    };
    let wrong: Value = redeem("wrong-verifier")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(wrong["error"], "invalid_grant", "{wrong}");
    // A code is single-use even when the first attempt failed, as in Entra.
    let reused: Value = redeem(verifier).send().await.unwrap().json().await.unwrap();
    assert_eq!(reused["error"], "invalid_grant");
    // A non-loopback redirect is refused outright.
    let r = http()
        .get(format!("{base}/login/organizations/oauth2/v2.0/authorize?client_id=c&redirect_uri=https://evil.example/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn refresh_crosses_audiences_and_tenants() {
    let emu = support::start("lockout").await;
    let (ado, rt) = sign_in(&emu, "alice@outlook.com", "organizations", ADO_SCOPE).await;
    assert!(!rt.is_empty());
    let claims = jwt_claims;
    assert_eq!(claims(&ado)["tid"], "9188040d-6c67-4c5b-b112-36a304b66dad");
    assert_eq!(claims(&ado)["aud"], "499b84ac-1321-427f-aa17-267ca6975798");
    let t = tenant_id(&emu, 0);
    let graph = support::refresh(&emu, &rt, &t, GRAPH_SCOPE).await;
    let g = claims(graph["access_token"].as_str().unwrap());
    assert_eq!(g["aud"], "https://graph.microsoft.com");
    assert_eq!(g["tid"], t.as_str());
    assert!(g["upn"].as_str().unwrap().contains("#EXT#"));
    let (status, me) = get_json(
        &format!(
            "{}/graph/v1.0/me?$select=id,userPrincipalName,userType",
            emu.base_url()
        ),
        graph["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["userType"], "Member");
    emu.shutdown().await;
}

/// A personal account's tokens stay a personal account's, whatever
/// authority they are refreshed at; the work account of the same address
/// is another account, chosen at sign-in.
#[tokio::test]
async fn a_personal_account_stays_personal() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let t = tenant_id(&emu, 0);
    let claims = jwt_claims;
    let consumers = "9188040d-6c67-4c5b-b112-36a304b66dad";
    // ann@fabrikam.com is both a personal account and a Fabrikam user.
    let (personal, rt) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    assert_eq!(claims(&personal)["tid"], consumers);
    for authority in ["organizations", "common", "consumers", consumers] {
        let again = support::refresh(&emu, &rt, authority, GRAPH_SCOPE).await;
        let tok = again["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{again}"));
        assert_eq!(claims(tok)["tid"], consumers, "{authority}");
    }
    for authority in [t.as_str(), "fabrikam.com"] {
        let refused = support::refresh(&emu, &rt, authority, ADO_SCOPE).await;
        assert_eq!(refused["error"], "invalid_grant", "{authority}: {refused}");
        assert_eq!(refused["error_codes"][0], 50020, "{refused}");
    }
    // The account is chosen at sign-in: qualified, or by the tenant asked.
    let (work, wrt) = sign_in(&emu, "work:ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    assert_eq!(claims(&work)["tid"], t.as_str());
    let (work2, _) = sign_in(&emu, "ann@fabrikam.com", &t, ADO_SCOPE).await;
    assert_eq!(claims(&work2)["oid"], claims(&work)["oid"]);
    let (p2, _) = sign_in(
        &emu,
        "personal:ann@fabrikam.com",
        "organizations",
        ADO_SCOPE,
    )
    .await;
    assert_eq!(claims(&p2)["oid"], claims(&personal)["oid"]);
    // ...and a work account's refresh token stays the work account.
    let refused = support::refresh(&emu, &wrt, "consumers", ADO_SCOPE).await;
    assert_eq!(refused["error"], "invalid_grant");
    let again = support::refresh(&emu, &wrt, "organizations", ADO_SCOPE).await;
    assert_eq!(
        claims(again["access_token"].as_str().unwrap())["tid"],
        t.as_str()
    );
    // The sign-in page offers both accounts of the address, as Entra does.
    let page = http()
        .get(format!(
            "{base}/login/organizations/oauth2/v2.0/authorize?client_id=c&response_type=code&redirect_uri=http://127.0.0.1:9/cb"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"personal:ann@fabrikam.com\""),
        "{page}"
    );
    assert!(page.contains("value=\"work:ann@fabrikam.com\""), "{page}");
    emu.shutdown().await;
}

#[tokio::test]
async fn ado_error_shapes() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let org = "fabrikam-ready";
    let url = format!("{base}/dev/{org}/_apis/projects?api-version=7.1");
    // No credentials, asking for a plain 401.
    let r = http()
        .get(&url)
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_ado_error(&body, "401");
    assert!(body["message"].as_str().unwrap().starts_with("TF400813"));
    // Without it: the 203 sign-in page on GET, 401 on PATCH.
    let r = http()
        .get(&url)
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 203);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = http()
        .patch(format!(
            "{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1"
        ))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (tok, _) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    let (s, b) = get_json(&format!("{base}/dev/{org}/_apis/projects"), &tok).await;
    assert_eq!(
        (s, b["typeKey"].as_str()),
        (400, Some("VssVersionNotSpecifiedException"))
    );
    let (s, b) = get_json(
        &format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(
        (s, b["typeKey"].as_str()),
        (400, Some("VssInvalidPreviewVersionException"))
    );
    let (s, _) = get_json(
        &format!("{base}/dev/no-such-org/_apis/projects?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(s, 404);
    // A Graph token is not an Azure DevOps token.
    let (gtok, _) = sign_in(&emu, "ann@fabrikam.com", &tenant_id(&emu, 0), GRAPH_SCOPE).await;
    let (s, _) = get_json(&url, &gtok).await;
    assert_eq!(s, 401);
    // Graph error shape; PATs cannot reach Graph.
    let r = http()
        .get(format!("{base}/graph/v1.0/me"))
        .basic_auth("", Some("ready-ann-pat-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "InvalidAuthenticationToken");
    assert!(e["error"]["innerError"]["request-id"].is_string());
    // The PAT does work on Azure DevOps.
    let r = http()
        .get(&url)
        .basic_auth("", Some("ready-ann-pat-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    emu.shutdown().await;
}

/// Every 401 of Azure DevOps says where to sign in and, on an organization's
/// URL, which tenant the organization belongs to.
#[tokio::test]
async fn every_ado_401_carries_its_challenge() {
    for (scenario, connected) in [("ready", false), ("disconnected", true)] {
        let emu = support::start(scenario).await;
        let base = emu.base_url();
        let org = emu.summary().org.clone();
        let t = tenant_id(&emu, 0);
        let who = emu.summary().default_sign_in.clone();
        // A valid token of an identity the organization does not know: the
        // work account while it is backed by personal accounts, the personal
        // account once it is connected.
        let authority = if connected { "consumers" } else { t.as_str() };
        let (stranger, _) = sign_in(&emu, &who, authority, ADO_SCOPE).await;
        let urls = [
            (
                "GET",
                format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
            ),
            (
                "GET",
                format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
            ),
            (
                "GET",
                format!("{base}/vsaex/{org}/_apis/userentitlements?api-version=7.1"),
            ),
            (
                "PATCH",
                format!(
                    "{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1"
                ),
            ),
            (
                "GET",
                format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
            ),
        ];
        for (method, url) in &urls {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            for token in [None, Some("garbage"), Some(stranger.as_str())] {
                let mut rq = http()
                    .request(method.clone(), url)
                    .header("X-TFS-FedAuthRedirect", "Suppress");
                if let Some(tk) = token {
                    rq = rq.bearer_auth(tk);
                }
                let r = rq.send().await.unwrap();
                if r.status() != 401 {
                    // The stranger's personal account opens its profile.
                    assert!(url.contains("/profile/") && token == Some(stranger.as_str()));
                    continue;
                }
                let h = r.headers();
                let www = h
                    .get("www-authenticate")
                    .unwrap_or_else(|| {
                        panic!("{scenario} {method} {url} {token:?}: no WWW-Authenticate")
                    })
                    .to_str()
                    .unwrap();
                let authority = if connected && !url.contains("/app-vssps/") {
                    t.as_str()
                } else {
                    "common"
                };
                assert!(
                    www.starts_with(&format!(
                        "Bearer authorization_uri={base}/login/{authority}"
                    )),
                    "{scenario} {url}: {www}"
                );
                let rt = h.get("x-vss-resourcetenant").map(|v| v.to_str().unwrap());
                if url.contains("/app-vssps/") {
                    assert_eq!(rt, None, "{url}");
                } else if connected {
                    assert_eq!(rt, Some(t.as_str()), "{scenario} {url}");
                } else {
                    assert_eq!(rt, Some("00000000-0000-0000-0000-000000000000"), "{url}");
                }
            }
        }
        emu.shutdown().await;
    }
}

/// Every absolute URL in `v` (recursively), with where it was found.
fn urls_in(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
            out.push((path.to_string(), s.clone()))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| urls_in(x, &format!("{path}[{i}]"), out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| urls_in(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

/// Bodies' `_links`, `url`s, nextLinks and sign-in endpoints lead back to
/// the emulator, on the scheme and host the client used, also behind a
/// proxy that says so with `X-Forwarded-*` or `Forwarded`.
#[tokio::test]
async fn absolute_urls_are_on_the_base_the_client_used() {
    let emu = support::start("messy").await;
    let base = emu.base_url().to_string();
    let org = "fabrikam-messy";
    let t = tenant_id(&emu, 0);
    let (ado, _) = sign_in(&emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    let (graph, _) = sign_in(&emu, "owner@fabrikam.com", &t, GRAPH_SCOPE).await;
    let st = support::state(&emu).await;
    let key = st["org"]["users"][0]["id"].as_str().unwrap().to_string();
    let pca = {
        let (_, g) = get_json(
            &format!("{base}/vssps/{org}/_apis/graph/groups?api-version=7.1-preview.1"),
            &ado,
        )
        .await;
        g["value"][0]["descriptor"].as_str().unwrap().to_string()
    };
    let alias = {
        let (_, p) = get_json(
            &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
            &ado,
        )
        .await;
        p["publicAlias"].as_str().unwrap().to_string()
    };
    let paths: Vec<(String, &str)> = vec![
        (format!("/dev/{org}/_apis/projects?api-version=7.1"), &ado),
        (
            format!("/dev/{org}/_apis/git/repositories?api-version=7.1"),
            &ado,
        ),
        (
            format!("/dev/{org}/Web/_apis/serviceendpoint/endpoints?api-version=7.1"),
            &ado,
        ),
        (format!("/dev/{org}/_apis/ResourceAreas"), &ado),
        (
            format!("/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
            &ado,
        ),
        (
            format!("/vssps/{org}/_apis/graph/groups?api-version=7.1-preview.1"),
            &ado,
        ),
        (
            format!("/vssps/{org}/_apis/graph/descriptors/{key}?api-version=7.1-preview.1"),
            &ado,
        ),
        (
            format!(
                "/vssps/{org}/_apis/graph/memberships/{pca}?direction=down&api-version=7.1-preview.1"
            ),
            &ado,
        ),
        (
            format!("/vsaex/{org}/_apis/userentitlements?api-version=7.1"),
            &ado,
        ),
        (
            format!("/app-vssps/_apis/accounts?memberId={alias}&api-version=7.1"),
            &ado,
        ),
        ("/graph/v1.0/users?$top=2".to_string(), &graph),
        ("/graph/v1.0/me".to_string(), &graph),
        ("/graph/v1.0/organization".to_string(), &graph),
        (
            format!("/login/{t}/v2.0/.well-known/openid-configuration"),
            "",
        ),
        (
            "/login/organizations/v2.0/.well-known/openid-configuration".to_string(),
            "",
        ),
    ];
    let proxied = [
        (vec![], base.clone()),
        (
            vec![
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "emu.example"),
            ],
            "https://emu.example".to_string(),
        ),
        (
            vec![(
                "forwarded",
                "for=10.0.0.1;proto=https;host=proxy.example:8443",
            )],
            "https://proxy.example:8443".to_string(),
        ),
    ];
    // Real hosts that bodies name on purpose: an AzureRM connection's
    // target, Entra's error documentation, and the token issuers a
    // workload identity connection trusts (identifiers, never called).
    let outside = [
        "https://management.azure.com/",
        "https://login.microsoftonline.com/error",
        "https://vstoken.dev.azure.com/",
    ];
    for (headers, expected) in &proxied {
        let mut seen = 0;
        for (path, token) in &paths {
            let mut rq = http().get(format!("{base}{path}"));
            if !token.is_empty() {
                rq = rq.bearer_auth(token);
            }
            for (k, v) in headers {
                rq = rq.header(*k, *v);
            }
            let r = rq.send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let v: Value = r.json().await.unwrap();
            let mut found = Vec::new();
            urls_in(&v, "", &mut found);
            for (at, url) in found {
                if outside.iter().any(|o| url.starts_with(o)) {
                    continue;
                }
                assert!(
                    url.starts_with(&format!("{expected}/")),
                    "{path} {at}: {url} is not on {expected}"
                );
                seen += 1;
            }
        }
        assert!(seen > 50, "only {seen} URLs checked");
        // The device code's page is on that base too.
        let mut rq = http()
            .post(format!("{base}/login/organizations/oauth2/v2.0/devicecode"))
            .form(&[("client_id", "c"), ("scope", "openid")]);
        for (k, v) in headers {
            rq = rq.header(*k, *v);
        }
        let dc: Value = rq.send().await.unwrap().json().await.unwrap();
        assert_eq!(
            dc["verification_uri"],
            format!("{expected}/login/devicelogin")
        );
        assert!(
            dc["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{expected}/login/devicelogin"))
        );
    }
    // Graph's next page is on the base, and it works.
    let (_, first) = get_json(&format!("{base}/graph/v1.0/users?$top=2"), &graph).await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{base}/graph/v1.0/users?")),
        "{next}"
    );
    let (s, _) = get_json(next, &graph).await;
    assert_eq!(s, 200);
    emu.shutdown().await;
}

async fn walk_graph_users(base: &str, org: &str, tok: &str) -> (usize, usize) {
    let mut token: Option<String> = None;
    let (mut total, mut pages) = (0, 0);
    loop {
        let mut url = format!(
            "{base}/vssps/{org}/_apis/graph/users?subjectTypes=msa,aad&api-version=7.1-preview.1"
        );
        if let Some(t) = &token {
            url.push_str(&format!(
                "&continuationToken={}",
                url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
            ));
        }
        let r = http().get(&url).bearer_auth(tok).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let next = r
            .headers()
            .get("x-ms-continuationtoken")
            .map(|v| v.to_str().unwrap().to_string());
        let v: Value = r.json().await.unwrap();
        let n = v["value"].as_array().unwrap().len();
        assert!(n <= 500);
        total += n;
        pages += 1;
        match next {
            Some(t) => token = Some(t),
            None => return (total, pages),
        }
    }
}

#[tokio::test]
async fn paging_reaches_the_last_page_everywhere() {
    let emu = support::start_with(support::generated(1_800, 3_000)).await;
    let base = emu.base_url();
    let org = emu.summary().org.clone();
    let (tok, _) = sign_in(&emu, "owner@contoso.example", "organizations", ADO_SCOPE).await;
    let (total, pages) = walk_graph_users(base, &org, &tok).await;
    assert_eq!((total, pages), (1_801, 4));

    // User entitlements: continuation in the body, 100 a page, totalCount.
    let mut cont: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let mut url = format!("{base}/vsaex/{org}/_apis/userentitlements?api-version=7.1");
        if let Some(c) = &cont {
            url.push_str(&format!(
                "&continuationToken={}",
                url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
            ));
        }
        let (s, v) = get_json(&url, &tok).await;
        assert_eq!(s, 200);
        assert_eq!(v["totalCount"], 1_801);
        assert_eq!(v["items"], v["members"]);
        for m in v["members"].as_array().unwrap() {
            assert!(
                seen.insert(m["id"].as_str().unwrap().to_string()),
                "duplicate across pages"
            );
        }
        match v["continuationToken"].as_str() {
            Some(c) if !c.is_empty() => cont = Some(c.to_string()),
            _ => break,
        }
    }
    assert_eq!(seen.len(), 1_801);

    // Graph: $top=999 and @odata.nextLink to the end.
    let (g, _) = sign_in(
        &emu,
        "owner@contoso.example",
        &tenant_id(&emu, 0),
        GRAPH_SCOPE,
    )
    .await;
    let mut url =
        format!("{base}/graph/v1.0/users?$top=999&$select=id,userPrincipalName,mail,otherMails");
    let mut count = 0;
    loop {
        let (s, v) = get_json(&url, &g).await;
        assert_eq!(s, 200, "{v}");
        count += v["value"].as_array().unwrap().len();
        match v["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(count, 3_001);
    let (s, v) = get_json(&format!("{base}/graph/v1.0/users?$top=1000"), &g).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("Request_UnsupportedQuery"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn connect_on_ready_keeps_everyone_and_moves_the_tenant() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let org = "fabrikam-ready";
    let t = tenant_id(&emu, 0);
    let (tok, rt) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    let r = support::set_tenant(&emu, org, &tok, &t).await;
    assert_eq!(r.status(), 200);
    let probe = http()
        .head(format!("{base}/dev/{org}"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.headers()["x-vss-resourcetenant"], t.as_str());
    // The personal-account token no longer opens the organization...
    let (s, _) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(s, 401);
    // The personal account stays one: its refresh token does not turn into
    // the work account of the same address...
    let refused = support::refresh(&emu, &rt, &t, ADO_SCOPE).await;
    assert_eq!(refused["error"], "invalid_grant", "{refused}");
    assert_eq!(refused["error_codes"][0], 50020);
    // ...a sign-in with the work account opens the organization.
    let (et, _) = sign_in(&emu, "ann@fabrikam.com", &t, ADO_SCOPE).await;
    let et = et.as_str();
    let (s, v) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        et,
    )
    .await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(1)));
    let st = support::state(&emu).await;
    assert_eq!(st["org"]["tenant"], t.as_str());
    assert!(
        st["org"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["active"] == true && u["origin"] == "aad")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn tenant_id_that_is_not_a_guid_is_refused_and_changes_nothing() {
    let emu = support::start("ready").await;
    let org = "fabrikam-ready";
    let t = tenant_id(&emu, 0);
    let (tok, _) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    for bad in [
        "fabrikam.onmicrosoft.com".to_string(),
        "fabrikam.com".to_string(),
        format!("{{{t}}}"),
        t.replace('-', ""),
        format!(" {t}"),
    ] {
        let r = support::set_tenant(&emu, org, &tok, &bad).await;
        assert_eq!(r.status(), 400, "{bad}");
        let e: Value = r.json().await.unwrap();
        assert_ado_error(&e, &bad);
        assert_eq!(e["typeKey"], "InvalidArgumentValueException", "{e}");
        assert!(e["message"].as_str().unwrap().contains(&bad), "{e}");
    }
    assert_eq!(support::state(&emu).await["org"]["tenant"], Value::Null);
    // Upper case is still the same GUID.
    let r = support::set_tenant(&emu, org, &tok, &t.to_uppercase()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(support::state(&emu).await["org"]["tenant"], t.as_str());
    emu.shutdown().await;
}

#[tokio::test]
async fn lockout_reproduces_the_reported_case_and_remap_repairs_it() {
    let emu = support::start("lockout").await;
    let base = emu.base_url();
    let org = "contoso-lockout";
    let t = tenant_id(&emu, 0);
    let (tok, rt) = sign_in(&emu, "alice@outlook.com", "organizations", ADO_SCOPE).await;
    let patch = |token: String, value: String| {
        http()
            .patch(format!(
                "{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1"
            ))
            .bearer_auth(token)
            .header("content-type", "application/json-patch+json")
            .body(json!([{"from": "", "op": 2, "path": "/TenantId", "value": value}]).to_string())
    };
    assert_eq!(
        patch(tok.clone(), t.clone()).send().await.unwrap().status(),
        200
    );
    let owner = support::refresh(&emu, &rt, &t, ADO_SCOPE).await;
    let ot = owner["access_token"].as_str().unwrap().to_string();
    for url in [
        format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        format!("{base}/dev/{org}/_apis/git/repositories?api-version=7.1"),
        format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
    ] {
        let (s, b) = get_json(&url, &ot).await;
        assert_eq!(s, 401, "{url}");
        assert!(b["message"].as_str().unwrap().contains("TF400813"));
    }
    // The profile API still works: exactly what the locked-out owner of the
    // Microsoft Q&A thread reported.
    let (s, p) = get_json(
        &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
        &ot,
    )
    .await;
    assert_eq!(s, 200);
    let (_, accts) = get_json(
        &format!(
            "{base}/app-vssps/_apis/accounts?memberId={}&api-version=7.1",
            p["publicAlias"].as_str().unwrap()
        ),
        &ot,
    )
    .await;
    assert_eq!(accts["count"], 0, "no organization answers for the owner");

    // dev1 kept access (same UPN); as an admin-less user they cannot remap, so
    // sign in as dev1 and check they are in.
    let (dev1, _) = sign_in(&emu, "dev1@contoso.com", &t, ADO_SCOPE).await;
    let (s, users) = get_json(
        &format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
        &dev1,
    )
    .await;
    assert_eq!(s, 200);
    let owner_descriptor = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["principalName"] == "alice@outlook.com")
        .map(|u| u["descriptor"].as_str().unwrap().to_string())
        .unwrap();
    let claims = jwt_claims(&ot);
    let r = http()
        .patch(format!(
            "{base}/vssps/{org}/_apis/graph/users/{owner_descriptor}?api-version=7.1-preview.1"
        ))
        .bearer_auth(&dev1)
        .json(&json!({"originId": claims["oid"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "only administrators can remap");

    // Disconnect is the owner's way back (through the aex door in reality):
    // the emulator lets us check disconnect semantics by remapping first via state.
    let st = support::state(&emu).await;
    assert!(
        st["org"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["principal_name"] == "alice@outlook.com" && u["active"] == false)
    );
    emu.shutdown().await;
}

/// `locked-out` is `lockout` after the connect: the sole owner gets 401 on
/// every organization URL with either of her sign-ins; her profile answers.
#[tokio::test]
async fn locked_out_owner_is_refused_everywhere_but_the_profile() {
    let emu = support::start("locked-out").await;
    let base = emu.base_url();
    let org = "contoso-lockout";
    let t = tenant_id(&emu, 0);
    let probe = http()
        .head(format!("{base}/dev/{org}"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.headers()["x-vss-resourcetenant"], t.as_str());
    let (personal, _) = sign_in(&emu, "alice@outlook.com", "organizations", ADO_SCOPE).await;
    let (guest, _) = sign_in(&emu, "alice@outlook.com", &t, ADO_SCOPE).await;
    let (dev1, _) = sign_in(&emu, "dev1@contoso.com", &t, ADO_SCOPE).await;
    let org_urls = [
        format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        format!("{base}/dev/{org}/App/_apis/git/repositories?api-version=7.1"),
        format!("{base}/dev/{org}/_apis/connectionData"),
        format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
        format!("{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1"),
        format!("{base}/vsaex/{org}/_apis/userentitlements?api-version=7.1"),
    ];
    for url in &org_urls {
        for (who, token) in [("personal", &personal), ("guest", &guest)] {
            let (s, b) = get_json(url, token).await;
            assert_eq!(s, 401, "{who} {url}: {b}");
            assert!(b["message"].as_str().unwrap().contains("TF400813"), "{b}");
        }
        let (s, _) = get_json(url, &dev1).await;
        assert_eq!(s, 200, "a user who kept access: {url}");
    }
    for token in [&personal, &guest] {
        let (s, p) = get_json(
            &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
            token,
        )
        .await;
        assert_eq!(s, 200, "the profile still answers");
        let (_, accounts) = get_json(
            &format!(
                "{base}/app-vssps/_apis/accounts?memberId={}&api-version=7.1",
                p["publicAlias"].as_str().unwrap()
            ),
            token,
        )
        .await;
        assert_eq!(accounts["count"], 0, "no organization lists her");
    }
    let st = support::state(&emu).await;
    assert_eq!(st["org"]["tenant"], t.as_str());
    assert_eq!(st["org"]["owner_user"]["active"], false);
    assert_eq!(st["org"]["owner_user"]["origin"], "msa");
    emu.shutdown().await;
}

#[tokio::test]
async fn remap_and_disconnect_on_messy() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let org = "fabrikam-messy";
    let t = tenant_id(&emu, 0);
    let (tok, _) = sign_in(&emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    let r = http()
        .patch(format!(
            "{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=5.0-preview.1"
        ))
        .bearer_auth(&tok)
        .header("content-type", "application/json-patch+json")
        .body(json!([{"from": "", "op": "replace", "path": "/TenantId", "value": t}]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (ot, rt) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let st = support::state(&emu).await;
    let carl = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Carl Dahl")
        .unwrap()
        .clone();
    assert_eq!(carl["active"], false, "other-mail matches are disconnected");
    // Find Carl's Entra object by his personal address, then remap.
    let graph = support::refresh(&emu, &rt, &t, GRAPH_SCOPE).await;
    let gt = graph["access_token"].as_str().unwrap();
    let (s, found) = get_json(
        &format!(
            "{base}/graph/v1.0/users?$filter=otherMails/any(c:c%20eq%20'carl.personal@outlook.com')"
        ),
        gt,
    )
    .await;
    assert_eq!(s, 200, "{found}");
    let oid = found["value"][0]["id"].as_str().unwrap().to_string();
    // Entitlements whose name or address contains Carl's work address: none
    // yet (the listing is cached per query until the organization changes).
    let carl_listing = format!(
        "{base}/vsaex/{org}/_apis/userentitlements?$filter=name%20eq%20'carl@fabrikam.com'&$orderBy=name%20asc&api-version=7.1"
    );
    let (s, before) = get_json(&carl_listing, &ot).await;
    assert_eq!(
        (s, before["totalCount"].as_u64()),
        (200, Some(0)),
        "{before}"
    );
    let r = http()
        .patch(format!(
            "{base}/vssps/{org}/_apis/graph/users/{}?api-version=7.1-preview.1",
            carl["descriptor"].as_str().unwrap()
        ))
        .bearer_auth(&ot)
        .json(&json!({"originId": oid}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, after) = get_json(&carl_listing, &ot).await;
    assert_eq!(
        after["members"][0]["user"]["principalName"], "carl@fabrikam.com",
        "the same query sees the remap: {after}"
    );
    let (carl_tok, _) = sign_in(&emu, "carl@fabrikam.com", &t, ADO_SCOPE).await;
    let (s, _) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        &carl_tok,
    )
    .await;
    assert_eq!(s, 200, "Carl's rights now belong to his Entra identity");
    // Mapping a second user onto the same identity is refused.
    let frank = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Frank Gray")
        .unwrap();
    let r = http()
        .patch(format!(
            "{base}/vssps/{org}/_apis/graph/users/{}?api-version=7.1-preview.1",
            frank["descriptor"].as_str().unwrap()
        ))
        .bearer_auth(&ot)
        .json(&json!({"originId": oid}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // Disconnect: back to personal accounts.
    let r = http()
        .patch(format!("{base}/vssps/{org}/_apis/Organization/Organizations/Me?api-version=6.1-preview.1"))
        .bearer_auth(&ot)
        .header("content-type", "application/json-patch+json")
        .body(json!([{"from": "", "op": 2, "path": "/TenantId", "value": "00000000-0000-0000-0000-000000000000"}]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, _) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(s, 200, "the owner's personal account works again");
    emu.shutdown().await;
}

/// The counters see a re-sent remap (which answers 404: the first one
/// rewrote the descriptor) and a re-sent invitation.
#[tokio::test]
async fn counters_see_every_remap_and_invitation_attempt() {
    let emu = support::start("disconnected").await;
    let base = emu.base_url();
    let org = emu.summary().org.clone();
    let t = tenant_id(&emu, 0);
    let (ado, rt) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let graph = support::refresh(&emu, &rt, &t, GRAPH_SCOPE).await;
    let graph = graph["access_token"].as_str().unwrap();
    let st = support::state(&emu).await;
    let carl = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Carl Dahl")
        .unwrap()
        .clone();
    let old = carl["descriptor"].as_str().unwrap().to_string();
    let (_, found) = get_json(
        &format!("{base}/graph/v1.0/users/carl@fabrikam.com?$select=id"),
        graph,
    )
    .await;
    let remap = || {
        http()
            .patch(format!(
                "{base}/vssps/{org}/_apis/graph/users/{old}?api-version=7.1-preview.1"
            ))
            .bearer_auth(&ado)
            .json(&json!({"originId": found["id"]}))
            .send()
    };
    assert_eq!(remap().await.unwrap().status(), 200);
    assert_eq!(remap().await.unwrap().status(), 404, "the descriptor moved");
    let invite = || {
        http()
            .post(format!("{base}/graph/v1.0/invitations"))
            .bearer_auth(graph)
            .json(&json!({"invitedUserEmailAddress": "Lars@Gmail.com", "inviteRedirectUrl": "https://dev.azure.com/x"}))
            .send()
    };
    assert_eq!(invite().await.unwrap().status(), 201);
    assert_eq!(invite().await.unwrap().status(), 201);
    let st = support::state(&emu).await;
    assert_eq!(
        st["counters"]["remap_attempts"][&old], 2,
        "{}",
        st["counters"]
    );
    assert_eq!(st["counters"]["remaps"], 1);
    assert_eq!(st["counters"]["invitation_attempts"]["lars@gmail.com"], 2);
    let carl = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Carl Dahl")
        .unwrap();
    assert_ne!(carl["descriptor"], old.as_str());
    assert_eq!(
        (carl["remaps"].as_u64(), carl["remap_attempts"].as_u64()),
        (Some(1), Some(2))
    );
    // The final state names the tenant and the owner.
    assert_eq!(st["org"]["connected_to"]["id"], t.as_str());
    assert_eq!(st["org"]["connected_to"]["defaultDomain"], "fabrikam.com");
    assert_eq!(
        st["org"]["owner_user"]["principal_name"],
        "owner@fabrikam.com"
    );
    assert_eq!(st["org"]["owner_user"]["active"], true);
    let stats = support::control(&emu, "stats").await;
    assert_eq!(
        (
            stats["remap.attempts"].as_u64(),
            stats["invitation.attempts"].as_u64()
        ),
        (Some(2), Some(2))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn guest_admin_is_refused() {
    let emu = support::start("guest-admin").await;
    let (tok, _) = sign_in(&emu, "bob@outlook.com", "organizations", ADO_SCOPE).await;
    let r = support::set_tenant(&emu, "northwind-guest", &tok, &tenant_id(&emu, 0)).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Only active members of the AAD tenant")
    );
    // A guest cannot invite anyone either.
    let (g, _) = sign_in(&emu, "bob@outlook.com", &tenant_id(&emu, 0), GRAPH_SCOPE).await;
    let r = http()
        .post(format!("{}/graph/v1.0/invitations", emu.base_url()))
        .bearer_auth(&g)
        .json(&json!({"invitedUserEmailAddress": "x@gmail.com", "inviteRedirectUrl": "https://dev.azure.com/northwind-guest"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    emu.shutdown().await;
}

/// More than 100 users is no reason to refuse a connect: the limit is the
/// portal's Resolve page's, and such organizations can still connect.
#[tokio::test]
async fn over_100_users_connects() {
    let emu = support::start("over-100").await;
    let t = tenant_id(&emu, 0);
    let (tok, _) = sign_in(&emu, "owner@tailspin.com", "organizations", ADO_SCOPE).await;
    let r = support::set_tenant(&emu, "tailspin-big", &tok, &t).await;
    assert_eq!(r.status(), 200);
    let st = support::state(&emu).await;
    assert_eq!(st["org"]["tenant"], t.as_str());
    let users = st["org"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 150);
    assert_eq!(users.iter().filter(|u| u["active"] == false).count(), 149);
    let (owner, _) = sign_in(&emu, "owner@tailspin.com", &t, ADO_SCOPE).await;
    let (s, _) = get_json(
        &format!(
            "{}/dev/tailspin-big/_apis/projects?api-version=7.1",
            emu.base_url()
        ),
        &owner,
    )
    .await;
    assert_eq!(s, 200, "the owner kept access");
    emu.shutdown().await;
}

#[tokio::test]
async fn graph_lookup_invitations_and_batch() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let t = tenant_id(&emu, 0);
    let (g, _) = sign_in(&emu, "owner@fabrikam.com", &t, GRAPH_SCOPE).await;
    let (s, org) = get_json(&format!("{base}/graph/v1.0/organization"), &g).await;
    assert_eq!(s, 200);
    assert!(
        org["value"][0]["verifiedDomains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "fabrikam.com")
    );
    let q = "mail eq 'dora@hotmail.com' or userPrincipalName eq 'dora@hotmail.com' or otherMails/any(c:c eq 'dora@hotmail.com') or proxyAddresses/any(c:c eq 'smtp:dora@hotmail.com')";
    let (s, v) = get_json(
        &format!(
            "{base}/graph/v1.0/users?$filter={}&$select=id,userPrincipalName",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        ),
        &g,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    assert_eq!(v["value"][0]["userPrincipalName"], "dora@fabrikam.com");
    assert!(v["value"][0].get("mail").is_none(), "$select is honoured");
    let (s, v) = get_json(
        &format!("{base}/graph/v1.0/users?$filter=startswith(displayName,'Ivy')"),
        &g,
    )
    .await;
    assert_eq!((s, v["value"].as_array().unwrap().len()), (200, 2));
    let (s, v) = get_json(
        &format!("{base}/graph/v1.0/users?$filter=mail%20ne%20'x'"),
        &g,
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("BadRequest")));

    let r = http()
        .post(format!("{base}/graph/v1.0/invitations"))
        .bearer_auth(&g)
        .json(&json!({"invitedUserEmailAddress": "frank@gmail.com", "inviteRedirectUrl": "https://dev.azure.com/fabrikam-messy", "sendInvitationMessage": false, "invitedUserDisplayName": "Frank Gray"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let inv: Value = r.json().await.unwrap();
    assert_eq!(inv["status"], "PendingAcceptance");
    assert_eq!(inv["invitedUserType"], "Guest");
    let gid = inv["invitedUser"]["id"].as_str().unwrap();
    let (s, guest) = get_json(
        &format!("{base}/graph/v1.0/users/{gid}?$select=userPrincipalName,userType"),
        &g,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(guest["userType"], "Guest");
    assert_eq!(
        guest["userPrincipalName"],
        "frank_gmail.com#EXT#@fabrikam.onmicrosoft.com"
    );

    let reqs: Vec<Value> = (0..3)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": format!("/users?$filter=mail eq '{}'", ["ann@fabrikam.com", "nobody@x.com", "gina@fabrikam.com"][i])}))
        .collect();
    let r: Value = http()
        .post(format!("{base}/graph/v1.0/$batch"))
        .bearer_auth(&g)
        .json(&json!({"requests": reqs}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rs = r["responses"].as_array().unwrap();
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0]["status"], 200);
    assert_eq!(
        rs[0]["body"]["value"][0]["userPrincipalName"],
        "ann@fabrikam.com"
    );
    assert_eq!(rs[1]["body"]["value"].as_array().unwrap().len(), 0);
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let r = http()
        .post(format!("{base}/graph/v1.0/$batch"))
        .bearer_auth(&g)
        .json(&json!({"requests": too_many}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn faults_throttle_fail_corrupt_and_drop() {
    let emu = support::start_with(EmulatorConfig {
        faults: vec!["429:every=2,retry-after=3,host=dev".into()],
        ..EmulatorConfig::scenario("ready")
    })
    .await;
    let base = emu.base_url();
    let (tok, _) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    let url = format!("{base}/dev/fabrikam-ready/_apis/projects?api-version=7.1");
    let first = http().get(&url).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = http().get(&url).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "3");
    let set = |specs: Vec<&str>| {
        http()
            .post(format!("{base}/_emulator/faults"))
            .json(&json!({"faults": specs}))
    };
    assert_eq!(set(vec!["teapot"]).send().await.unwrap().status(), 400);
    set(vec!["503:burst=2"]).send().await.unwrap();
    let codes: Vec<u16> = futures_util::future::join_all((0..3).map(|_| async {
        http()
            .get(&url)
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }))
    .await;
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, vec![200, 503, 503]);
    set(vec!["malformed"]).send().await.unwrap();
    let r = http().get(&url).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.is_err(), "body is not valid JSON");
    set(vec!["drop:every=1"]).send().await.unwrap();
    let r = http().get(&url).bearer_auth(&tok).send().await;
    let dropped = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(dropped, "the connection was cut");
    set(vec![]).send().await.unwrap();
    let stats = support::control(&emu, "stats").await;
    assert!(stats["dev"].as_u64().unwrap() >= 7);
    emu.shutdown().await;
}

// ----- reference shapes -----------------------------------------------------

/// The SSPHP client appended its own keys after `value` (SOURCES.md); Azure
/// sent only `count` and `value`.
const AZURE_KEYS_IN_SSPHP: [&str; 2] = ["count", "value"];

fn merged(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut out = Value::Null;
            for i in items {
                deep_merge(&mut out, merged(i));
            }
            out
        }
        other => other.clone(),
    }
}

/// Union of keys, recursively: what all elements of an array have between them.
fn deep_merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in b {
                match a.get_mut(&k) {
                    Some(existing) => deep_merge(existing, merged(&x)),
                    None => {
                        a.insert(k, merged(&x));
                    }
                }
            }
        }
        (slot @ Value::Null, from) => *slot = from,
        _ => {}
    }
}

/// Every key path in `real` that `ours` lacks.
fn missing(real: &Value, ours: &Value, path: &str, out: &mut Vec<String>) {
    let (real, ours) = (merged(real), merged(ours));
    let (Value::Object(r), Value::Object(o)) = (&real, &ours) else {
        return;
    };
    for (k, rv) in r {
        // Provenance notes of whoever saved the recording, not Azure's keys.
        if k.starts_with('_') && k != "_links" {
            continue;
        }
        match o.get(k) {
            None => out.push(format!("{path}.{k}")),
            Some(ov) => missing(rv, ov, &format!("{path}.{k}"), out),
        }
    }
}

#[tokio::test]
async fn emulator_responses_carry_every_key_of_the_real_ones() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let org = "fabrikam-messy";
    let t = tenant_id(&emu, 0);
    let (ado, _) = sign_in(&emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    let (graph, _) = sign_in(&emu, "owner@fabrikam.com", &t, GRAPH_SCOPE).await;
    let st = support::state(&emu).await;
    let storage_key = st["org"]["users"][0]["id"].as_str().unwrap().to_string();
    let (_, profile) = get_json(
        &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
        &ado,
    )
    .await;
    let alias = profile["publicAlias"].as_str().unwrap().to_string();
    let pca = {
        let (_, g) = get_json(
            &format!("{base}/vssps/{org}/_apis/graph/groups?api-version=7.1-preview.1"),
            &ado,
        )
        .await;
        g["value"][0]["descriptor"].as_str().unwrap().to_string()
    };
    let ssphp = |v: Value| -> Value {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            o.retain(|k, _| AZURE_KEYS_IN_SSPHP.contains(&k.as_str()));
        }
        v
    };
    let interaction = |v: &Value, i: usize| v["interactions"][i]["response"]["body"].clone();
    let spec = |v: &Value| v["responses"]["200"]["body"].clone();
    // (reference file, how to pull the real body, our URL, token)
    type Pick = Box<dyn Fn(&Value) -> Value>;
    let cases: Vec<(&str, Pick, String, &str)> = vec![
        (
            "dfe-ssphp-fixtures/ado_graph_users_list_aktest0831_vsts_and_aad.json",
            Box::new(move |v| ssphp(v.clone())),
            format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.2-preview.1"),
            &ado,
        ),
        (
            "dfe-ssphp-fixtures/ado_projects_list_aktest0831.json",
            Box::new(move |v| ssphp(v.clone())),
            format!("{base}/dev/{org}/_apis/projects?api-version=7.2-preview.4"),
            &ado,
        ),
        (
            "dfe-ssphp-fixtures/ado_git_repositories_list_aktest0831_foo.json",
            Box::new(move |v| ssphp(v.clone())),
            format!("{base}/dev/{org}/Web/_apis/git/repositories?api-version=7.2-preview.2"),
            &ado,
        ),
        (
            "sourcegraph-ado-vcr/ListRepositoriesByOrg_first_interaction.json",
            Box::new(|v| v["response"]["body"].clone()),
            format!("{base}/dev/{org}/_apis/git/repositories?api-version=7.0"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_userentitlements_list_aad_2026.json",
            Box::new(move |v| interaction(v, 0)),
            format!("{base}/vsaex/{org}/_apis/UserEntitlements?top=100&api-version=5.0-preview.2"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_userentitlements_msa_flow_2021.json",
            Box::new(move |v| interaction(v, 0)),
            format!("{base}/vsaex/{org}/_apis/UserEntitlements?top=100&api-version=5.0-preview.2"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_projects_create_list_show_delete.json",
            Box::new(move |v| interaction(v, 4)),
            format!("{base}/dev/{org}/_apis/projects?stateFilter=all&api-version=7.1"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_git_repositories_create_list_show_update_delete.json",
            Box::new(move |v| interaction(v, 1)),
            format!("{base}/dev/{org}/Web/_apis/git/repositories?api-version=7.1"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_graph_descriptors_groups_memberships_subjectlookup.json",
            Box::new(move |v| interaction(v, 0)),
            format!(
                "{base}/vssps/{org}/_apis/Graph/Descriptors/{storage_key}?api-version=7.1-preview.1"
            ),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_graph_descriptors_groups_memberships_subjectlookup.json",
            Box::new(move |v| interaction(v, 1)),
            format!("{base}/vssps/{org}/_apis/Graph/Groups?api-version=7.1-preview.1"),
            &ado,
        ),
        (
            "azure-devops-cli-recordings/ado_graph_descriptors_groups_memberships_subjectlookup.json",
            Box::new(move |v| interaction(v, 2)),
            format!(
                "{base}/vssps/{org}/_apis/Graph/Memberships/{pca}?direction=down&api-version=7.1-preview.1"
            ),
            &ado,
        ),
        (
            "vsts-rest-api-specs/profile/7.1/httpExamples/profiles/GET__profile_profiles_me.json",
            Box::new(spec),
            format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
            &ado,
        ),
        (
            "vsts-rest-api-specs/account/7.1/httpExamples/accounts/GET__Accounts_memberId-_userId_.json",
            Box::new(spec),
            format!("{base}/app-vssps/_apis/accounts?memberId={alias}&api-version=7.1"),
            &ado,
        ),
        (
            "vsts-rest-api-specs/core/7.1/httpExamples/projects/GET__projects.json",
            Box::new(spec),
            format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
            &ado,
        ),
        (
            "vsts-rest-api-specs/git/7.1/httpExamples/repositories/GET__git_repositories.json",
            Box::new(spec),
            format!("{base}/dev/{org}/Web/_apis/git/repositories?api-version=7.1"),
            &ado,
        ),
        (
            "vsts-rest-api-specs/graph/7.1/httpExamples/Users/GetAllUsers.json",
            Box::new(spec),
            format!("{base}/vssps/{org}/_apis/graph/users?api-version=7.1-preview.1"),
            &ado,
        ),
        // ListEndpoints' example is a username/password endpoint; the AzureRM
        // example is the shape we serve.
        (
            "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/CreateAzureRMEndpoint.json",
            Box::new(move |v| json!({"count": 1, "value": [spec(v)]})),
            format!(
                "{base}/dev/{org}/Web/_apis/serviceendpoint/endpoints?type=AzureRM&includeDetails=true&api-version=7.1"
            ),
            &ado,
        ),
        (
            "msgraph-docs/graph_me_get_docs_example.json",
            Box::new(|v| v["response"]["body"].clone()),
            format!("{base}/graph/v1.0/me"),
            &graph,
        ),
        (
            "azure-cli-graph-recordings/graph_users_create_get_list_paged_delete.json",
            Box::new(move |v| interaction(v, 2)),
            format!("{base}/graph/v1.0/users/owner@fabrikam.com"),
            &graph,
        ),
        (
            "azure-cli-graph-recordings/graph_users_create_get_list_paged_delete.json",
            Box::new(move |v| interaction(v, 3)),
            format!("{base}/graph/v1.0/users?$top=3"),
            &graph,
        ),
    ];
    let mut problems = Vec::new();
    for (file, pick, url, token) in &cases {
        let real = pick(&recordings::json(file));
        assert!(!real.is_null(), "{file}: no body picked");
        let (status, ours) = get_json(url, token).await;
        assert!(status < 300, "{url} -> {status}: {ours}");
        let mut miss = Vec::new();
        missing(&real, &ours, "", &mut miss);
        for m in miss {
            problems.push(format!("{file}: {m}"));
        }
    }
    // The organization object: the docs get one by id; compare with our list's item.
    let real = recordings::json("msgraph-docs/graph_organization_get_docs_example.json")["response"]
        ["body"]
        .clone();
    let (_, ours) = get_json(&format!("{base}/graph/v1.0/organization"), &graph).await;
    let mut miss = Vec::new();
    missing(&real, &ours["value"][0], "", &mut miss);
    problems.extend(
        miss.into_iter()
            .filter(|m| m != ".@odata.context")
            .map(|m| format!("organization: {m}")),
    );
    // Invitations and $batch are POSTs.
    let inv_real =
        recordings::json("msgraph-docs/graph_invitation_post_docs_example.json")["response"]["body"]
            .clone();
    let inv: Value = http()
        .post(format!("{base}/graph/v1.0/invitations"))
        .bearer_auth(&graph)
        .json(&json!({"invitedUserEmailAddress": "frank@gmail.com", "inviteRedirectUrl": "https://dev.azure.com/fabrikam-messy"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut miss = Vec::new();
    missing(&inv_real, &inv, "", &mut miss);
    problems.extend(miss.into_iter().map(|m| format!("invitation: {m}")));
    let batch_real =
        recordings::json("msgraph-docs/graph_batch_docs_example.json")["response"]["body"].clone();
    let batch: Value = http()
        .post(format!("{base}/graph/v1.0/$batch"))
        .bearer_auth(&graph)
        .json(&json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}, {"id": "2", "method": "GET", "url": "/users/nobody"}, {"id": "3", "method": "GET", "url": "/users?$top=1"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The documented example batches resources we do not serve (directory
    // roles, drives): compare the envelope, not what each item carries.
    let envelope = |v: &Value| -> Value {
        let items: Vec<Value> = v["responses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        let mut o = r.as_object().cloned().unwrap_or_default();
                        o.insert("body".into(), json!({}));
                        o.insert("headers".into(), json!({}));
                        Value::Object(o)
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({"responses": items})
    };
    let mut miss = Vec::new();
    missing(&envelope(&batch_real), &envelope(&batch), "", &mut miss);
    problems.extend(miss.into_iter().map(|m| format!("$batch: {m}")));
    assert!(
        problems.is_empty(),
        "emulator responses lack keys the real ones have:\n{}",
        problems.join("\n")
    );
    emu.shutdown().await;
}

/// A spec fixture distilled from ../shared/reference by
/// scripts/update-spec-fixtures (so no checkout of shared/ is needed).
pub(crate) fn spec_fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/specs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ----- location discovery, as the client libraries do it ----------------------

/// Fill a route template the way the Azure DevOps client libraries do:
/// `{area}` and `{resource}` from the location, route values by name, and
/// every placeholder without a value dropped with its segment.
fn fill_route(location: &Value, values: &[(&str, &str)]) -> String {
    let area = location["area"].as_str().unwrap();
    let resource = location["resourceName"].as_str().unwrap();
    location["routeTemplate"]
        .as_str()
        .unwrap()
        .split('/')
        .filter_map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some("area") => Some(area.to_string()),
                Some("resource") => Some(resource.to_string()),
                Some(name) => {
                    let name = name.trim_start_matches('*');
                    values
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.to_string())
                }
                None => Some(segment.to_string()),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// One resource a client reaches through discovery: its area, location,
/// route values and query.
struct Discovered<'a> {
    area: &'a str,
    location: &'a str,
    values: Vec<(&'a str, String)>,
    query: &'a str,
}

#[tokio::test]
async fn discovery_leads_a_client_library_to_every_resource_ado_entra_uses() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let org = "fabrikam-messy";
    let (tok, _) = sign_in(&emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    let st = support::state(&emu).await;
    let owner = st["org"]["owner"].as_str().unwrap().to_string();
    let key = st["org"]["owner_user"]["id"].as_str().unwrap().to_string();
    let profile = "8ccfef3d-2b87-4e99-8ccb-66e343d2daa8";
    let (_, me) = get_json(
        &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
        &tok,
    )
    .await;
    let accounts_query = format!("memberId={}", me["publicAlias"].as_str().unwrap());
    let graph = "bb1e7ec9-e901-4b68-999a-de7012b920f8";
    let cases = vec![
        Discovered {
            area: "79134c72-4a58-4b42-976c-04e7115f32bf",
            location: "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
            values: vec![],
            query: "",
        },
        Discovered {
            area: "79134c72-4a58-4b42-976c-04e7115f32bf",
            location: "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
            values: vec![("projectId", "Web".into())],
            query: "",
        },
        Discovered {
            area: "4e080c62-fa21-4fbc-8fef-2a10a2b38049",
            location: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
            values: vec![("project", "Web".into())],
            query: "",
        },
        Discovered {
            area: "4e080c62-fa21-4fbc-8fef-2a10a2b38049",
            location: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
            values: vec![("project", "Web".into()), ("repositoryId", "api".into())],
            query: "",
        },
        Discovered {
            area: "1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7",
            location: "e85f1c62-adfc-4b74-b618-11a150fb195e",
            values: vec![("project", "Data".into())],
            query: "type=AzureRM&includeDetails=true",
        },
        Discovered {
            area: graph,
            location: "005e26ec-6b77-4e4f-a986-b3827bf241f5",
            values: vec![],
            query: "subjectTypes=msa,aad",
        },
        Discovered {
            area: graph,
            location: "005e26ec-6b77-4e4f-a986-b3827bf241f5",
            values: vec![("userDescriptor", owner.clone())],
            query: "",
        },
        Discovered {
            area: graph,
            location: "ebbe6af8-0b91-4c13-8cf1-777c14858188",
            values: vec![],
            query: "",
        },
        Discovered {
            area: graph,
            location: "e34b6394-6b30-4435-94a9-409a5eef3e31",
            values: vec![("subjectDescriptor", owner.clone())],
            query: "direction=up",
        },
        Discovered {
            area: graph,
            location: "048aee0a-7072-4cde-ab73-7af77b1e0b4e",
            values: vec![("storageKey", key.clone())],
            query: "",
        },
        Discovered {
            area: graph,
            location: "eb85f8cc-f0f6-4264-a5b1-ffe2e4d4801f",
            values: vec![("subjectDescriptor", owner.clone())],
            query: "",
        },
        Discovered {
            area: graph,
            location: "1ffe5c94-1144-4191-907b-d0211cad36a8",
            values: vec![("subjectDescriptor", owner.clone())],
            query: "",
        },
        Discovered {
            area: "68ddce18-2501-45f1-a17b-7931a9922690",
            location: "387f832c-dbf2-4643-88e9-c1aa94dbb737",
            values: vec![],
            query: "",
        },
        Discovered {
            area: "68ddce18-2501-45f1-a17b-7931a9922690",
            location: "8480c6eb-ce60-47e9-88df-eca3c801638b",
            values: vec![("userId", key.clone())],
            query: "",
        },
        Discovered {
            area: "68ddce18-2501-45f1-a17b-7931a9922690",
            location: "5ae55b13-c9dd-49d1-957e-6e76c152e3d9",
            values: vec![],
            query: "select=licenses",
        },
        Discovered {
            area: profile,
            location: "f83735dc-483f-4238-a291-d45f6080a9af",
            values: vec![("id", "me".into())],
            query: "",
        },
        Discovered {
            area: "0d55247a-1c47-4462-9b1f-5e2125590ee6",
            location: "229a6a53-b428-4ffb-a835-e8f36b5b4b1e",
            values: vec![],
            query: &accounts_query,
        },
        // The location service, and areas without a published id, are
        // discovered on the organization's own hosts.
        Discovered {
            area: "dev",
            location: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
            values: vec![],
            query: "",
        },
        Discovered {
            area: "dev",
            location: "d0ab077b-1b97-4f78-984c-cfe2d248fc79",
            values: vec![("policyName", "Policy.DisallowAadGuestUserAccess".into())],
            query: "",
        },
        Discovered {
            area: "vssps",
            location: "95f49097-6cdc-4afe-a039-48b4d4c4cbf7",
            values: vec![("organizationId", "Me".into())],
            query: "",
        },
        Discovered {
            area: "vsaex",
            location: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
            values: vec![],
            query: "",
        },
    ];
    let client = http();
    for case in &cases {
        // 1. Which host serves the area, from the organization's ResourceAreas.
        let host = if ["dev", "vssps", "vsaex"].contains(&case.area) {
            format!("{base}/{}/{org}/", case.area)
        } else {
            let (s, area) = get_json(
                &format!("{base}/dev/{org}/_apis/ResourceAreas/{}", case.area),
                &tok,
            )
            .await;
            assert_eq!(s, 200, "{}: {area}", case.area);
            area["locationUrl"].as_str().unwrap().to_string()
        };
        assert!(host.starts_with(base) && host.ends_with('/'), "{host}");
        // 2. OPTIONS {host}_apis, pick the location by id.
        let locations: Value = client
            .request(reqwest::Method::OPTIONS, format!("{host}_apis"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let location = locations["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == case.location)
            .unwrap_or_else(|| panic!("{host}_apis lists no {}: {locations}", case.location))
            .clone();
        // 3. The URL from the route template; the version in Accept.
        let values: Vec<(&str, &str)> = case.values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut url = format!("{host}{}", fill_route(&location, &values));
        if !case.query.is_empty() {
            url = format!("{url}?{}", case.query);
        }
        let version = match location["releasedVersion"].as_str().unwrap() {
            "0.0" => format!(
                "{}-preview.{}",
                location["maxVersion"].as_str().unwrap(),
                location["resourceVersion"]
            ),
            released => released.to_string(),
        };
        let r = client
            .get(&url)
            .bearer_auth(&tok)
            .header("accept", format!("application/json;api-version={version}"))
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{url} ({version}): {body}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn every_host_prefix_answers_discovery_and_the_api_version_rules() {
    let emu = support::start("ready").await;
    let base = emu.base_url();
    let org = "fabrikam-ready";
    let options = |url: String| http().request(reqwest::Method::OPTIONS, url).send();
    for (path, must_list) in [
        (
            format!("/dev/{org}/_apis"),
            "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
        ),
        (
            "/dev/_apis".to_string(),
            "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
        ),
        (
            format!("/vssps/{org}/_apis"),
            "005e26ec-6b77-4e4f-a986-b3827bf241f5",
        ),
        (
            "/vssps/_apis".to_string(),
            "95f49097-6cdc-4afe-a039-48b4d4c4cbf7",
        ),
        (
            format!("/vsaex/{org}/_apis"),
            "387f832c-dbf2-4643-88e9-c1aa94dbb737",
        ),
        (
            "/vsaex/_apis".to_string(),
            "5ae55b13-c9dd-49d1-957e-6e76c152e3d9",
        ),
        (
            "/app-vssps/_apis".to_string(),
            "f83735dc-483f-4238-a291-d45f6080a9af",
        ),
        (
            "/aex/_apis".to_string(),
            "e81700f7-3be2-46de-8624-2eb35882fcaa",
        ),
    ] {
        let r = options(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let v: Value = r.json().await.unwrap();
        let ids: Vec<&str> = v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&must_list), "{path}: {ids:?}");
        assert_eq!(v["count"], ids.len());
        for l in v["value"].as_array().unwrap() {
            for k in [
                "area",
                "resourceName",
                "routeTemplate",
                "resourceVersion",
                "minVersion",
                "maxVersion",
                "releasedVersion",
            ] {
                assert!(l.get(k).is_some(), "{path}: {l} lacks {k}");
            }
        }
    }
    // The real ConnectionData id, not a made-up one; every area is listed.
    let (_, areas) = get_json(&format!("{base}/dev/{org}/_apis/ResourceAreas"), "").await;
    let names: Vec<&str> = areas["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    for n in [
        "core",
        "git",
        "serviceendpoint",
        "Graph",
        "MemberEntitlementManagement",
        "Profile",
        "Account",
        "IMS",
    ] {
        assert!(names.contains(&n), "{names:?} lacks {n}");
    }
    let r = options(format!("{base}/dev/nope/_apis")).await.unwrap();
    assert_eq!(r.status(), 404);
    // api-version: query or Accept; the real errors without or out of range.
    let (tok, _) = sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    let projects = format!("{base}/dev/{org}/_apis/projects");
    let with_accept = |accept: &'static str| {
        http()
            .get(&projects)
            .bearer_auth(&tok)
            .header("accept", accept)
            .send()
    };
    assert_eq!(
        with_accept("application/json;api-version=7.1")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        with_accept("text/plain, application/json; api-version=7.2-preview.4")
            .await
            .unwrap()
            .status(),
        200
    );
    for (accept, type_key) in [
        ("application/json", "VssVersionNotSpecifiedException"),
        (
            "application/json;api-version=9.0",
            "VssVersionOutOfRangeException",
        ),
        (
            "application/json;api-version=7.2",
            "VssInvalidPreviewVersionException",
        ),
        (
            "application/json;api-version=banana",
            "VssInvalidApiVersionException",
        ),
    ] {
        let r = with_accept(accept).await.unwrap();
        assert_eq!(r.status(), 400, "{accept}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["typeKey"], type_key, "{accept}: {e}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn graph_siblings_answer_as_documented() {
    let emu = support::start("disconnected").await;
    let base = emu.base_url();
    let org = "fabrikam-resolve";
    let t = tenant_id(&emu, 0);
    let (tok, _) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let st = support::state(&emu).await;
    let users = st["org"]["users"].as_array().unwrap();
    let owner = st["org"]["owner"].as_str().unwrap().to_string();
    let carl = users
        .iter()
        .find(|u| u["display_name"] == "Carl Dahl")
        .unwrap();
    let carl_d = carl["descriptor"].as_str().unwrap().to_string();
    let g = |path: String| {
        let tok = tok.clone();
        async move {
            get_json(
                &format!("{base}/vssps/{org}/_apis/graph/{path}?api-version=7.1-preview.1"),
                &tok,
            )
            .await
        }
    };
    let (_, groups) = g("groups".into()).await;
    let pca = groups["value"][0]["descriptor"]
        .as_str()
        .unwrap()
        .to_string();
    let pvu = groups["value"][1]["descriptor"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, one) = g(format!("groups/{pca}")).await;
    assert_eq!(
        (s, one["displayName"].as_str()),
        (200, Some("Project Collection Administrators"))
    );
    let (s, _) = g("groups/vssgp.nope".into()).await;
    assert_eq!(s, 404);
    // Storage key and descriptor are each other's inverse, for users and groups.
    for d in [&owner, &pca] {
        let (s, k) = g(format!("storagekeys/{d}")).await;
        assert_eq!(s, 200, "{k}");
        let (s, back) = g(format!("descriptors/{}", k["value"].as_str().unwrap())).await;
        assert_eq!((s, back["value"].as_str()), (200, Some(d.as_str())));
    }
    // A disconnected user is inactive; the owner is active.
    let (_, state) = g(format!("membershipstates/{carl_d}")).await;
    assert_eq!(state["active"], false);
    let (_, state) = g(format!("membershipstates/{owner}")).await;
    assert_eq!(state["active"], true);
    let (s, subject) = g(format!("subjects/{pca}")).await;
    assert_eq!((s, subject["subjectKind"].as_str()), (200, Some("group")));
    // Subject lookup: found ones keyed by descriptor, unknown ones left out.
    let r = http()
        .post(format!("{base}/vssps/{org}/_apis/graph/subjectlookup?api-version=7.1-preview.1"))
        .bearer_auth(&tok)
        .json(&json!({"lookupKeys": [{"descriptor": owner}, {"descriptor": pca}, {"descriptor": "aad.bm9ib2R5"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let found: Value = r.json().await.unwrap();
    assert_eq!(found["count"], 2);
    assert_eq!(found["value"][&owner]["subjectKind"], "user");
    assert_eq!(found["value"][&pca]["subjectKind"], "group");
    // HEAD memberships: 200 when the membership exists, 404 when not.
    let head = |m: &str, c: &str| {
        http()
            .head(format!(
                "{base}/vssps/{org}/_apis/graph/memberships/{m}/{c}?api-version=7.1-preview.1"
            ))
            .bearer_auth(&tok)
            .send()
    };
    assert_eq!(head(&owner, &pca).await.unwrap().status(), 200);
    assert_eq!(head(&owner, &pvu).await.unwrap().status(), 200);
    assert_eq!(head(&pca, &pvu).await.unwrap().status(), 200);
    assert_eq!(
        head(&carl_d, &pvu).await.unwrap().status(),
        404,
        "disconnected"
    );
    assert_eq!(head(&pvu, &pca).await.unwrap().status(), 404);
    let (s, m) = g(format!("memberships/{owner}/{pca}")).await;
    assert_eq!(
        (s, m["containerDescriptor"].as_str()),
        (200, Some(pca.as_str()))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn project_repository_endpoint_and_entitlement_siblings() {
    let emu = support::start("disconnected").await;
    let base = emu.base_url();
    let org = "fabrikam-resolve";
    let t = tenant_id(&emu, 0);
    let (tok, _) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let (_, projects) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        &tok,
    )
    .await;
    let id = projects["value"][0]["id"].as_str().unwrap().to_string();
    for key in [id.as_str(), "web", "WEB"] {
        let (s, p) = get_json(
            &format!(
                "{base}/dev/{org}/_apis/projects/{key}?includeCapabilities=true&api-version=7.1"
            ),
            &tok,
        )
        .await;
        assert_eq!((s, p["id"].as_str()), (200, Some(id.as_str())), "{key}");
        assert_eq!(
            p["capabilities"]["versioncontrol"]["sourceControlType"],
            "Git"
        );
    }
    let (s, _) = get_json(
        &format!("{base}/dev/{org}/_apis/projects/Nope?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(s, 404);
    let (s, repo) = get_json(
        &format!("{base}/dev/{org}/Web/_apis/git/repositories/api?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!((s, repo["name"].as_str()), (200, Some("api")));
    let (s, _) = get_json(
        &format!("{base}/dev/{org}/Web/_apis/git/repositories/nope?api-version=7.1"),
        &tok,
    )
    .await;
    assert_eq!(s, 404);

    let ent = |path: &str| format!("{base}/vsaex/{org}/_apis/{path}?api-version=7.1");
    let st = support::state(&emu).await;
    let ann = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Ann Berg")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, e) = get_json(&ent(&format!("userentitlements/{ann}")), &tok).await;
    assert_eq!(
        (s, e["accessLevel"]["accountLicenseType"].as_str()),
        (200, Some("express"))
    );
    // PATCH the access level: the listing and the entitlement show it.
    let r = http()
        .patch(ent(&format!("userentitlements/{ann}")))
        .bearer_auth(&tok)
        .header("content-type", "application/json-patch+json")
        .body(json!([{"from": "", "op": "replace", "path": "/accessLevel", "value": {"accountLicenseType": "stakeholder", "licensingSource": "account"}}]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let patched: Value = r.json().await.unwrap();
    assert_eq!(patched["isSuccess"], true);
    assert_eq!(
        patched["operationResults"][0]["result"]["accessLevel"]["licenseDisplayName"],
        "Stakeholder"
    );
    let (_, e) = get_json(&ent(&format!("userentitlements/{ann}")), &tok).await;
    assert_eq!(e["accessLevel"]["accountLicenseType"], "stakeholder");
    // An unsupported patch changes nothing.
    let r = http()
        .patch(ent(&format!("userentitlements/{ann}")))
        .bearer_auth(&tok)
        .json(&json!([{"op": "add", "path": "/extensions", "value": {"id": "ms.feed"}}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // POST: a directory user joins; a stranger is a failed operation.
    let add = |who: &str| {
        http()
            .post(ent("userentitlements"))
            .bearer_auth(&tok)
            .json(&json!({"accessLevel": {"accountLicenseType": "express", "licensingSource": "account"}, "user": {"principalName": who, "subjectKind": "user"}}))
            .send()
    };
    let added: Value = add("lars@fabrikam.com")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(added["isSuccess"], true, "{added}");
    assert_eq!(added["userEntitlement"]["user"]["origin"], "aad");
    let stranger: Value = add("nobody@nowhere.example")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stranger["isSuccess"], false);
    assert!(
        stranger["operationResult"]["errors"][0]["value"]
            .as_str()
            .unwrap()
            .contains("nobody@nowhere.example")
    );
    let st = support::state(&emu).await;
    assert!(
        st["org"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["principal_name"] == "lars@fabrikam.com" && u["active"] == true)
    );
    let (s, summary) = get_json(&ent("userentitlementsummary"), &tok).await;
    assert_eq!(s, 200);
    let basic = summary["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["licenseName"] == "Basic")
        .unwrap();
    let users = st["org"]["users"].as_array().unwrap().len();
    let stakeholders = summary["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["licenseName"] == "Stakeholder")
        .unwrap()["assigned"]
        .as_u64()
        .unwrap();
    assert_eq!(
        basic["assigned"].as_u64().unwrap() + stakeholders,
        users as u64
    );
    // Only administrators change entitlements: Lars, just added, is not one.
    let (lars, _) = sign_in(&emu, "lars@fabrikam.com", &t, ADO_SCOPE).await;
    let r = http()
        .post(ent("userentitlements"))
        .bearer_auth(&lars)
        .json(&json!({"accessLevel": {"accountLicenseType": "express"}, "user": {"principalName": "mia@fabrikam.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}

#[tokio::test]
async fn graph_advanced_queries_batch_urls_and_challenge() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let t = tenant_id(&emu, 0);
    let (g, _) = sign_in(&emu, "owner@fabrikam.com", &t, GRAPH_SCOPE).await;
    let users = |query: &str, eventual: bool| {
        let mut rq = http()
            .get(format!("{base}/graph/v1.0/users?{query}"))
            .bearer_auth(&g);
        if eventual {
            rq = rq.header("ConsistencyLevel", "eventual");
        }
        async move {
            let r = rq.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // $count=true: the total of everything matched, whatever the page.
    let (s, v) = users("$count=true&$top=2", true).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["@odata.count"], 10);
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    let (s, v) = users("$count=true&$filter=userType%20eq%20'Member'", true).await;
    assert_eq!((s, v["@odata.count"].as_u64()), (200, Some(10)));
    let (s, v) = users("$count=true", false).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("Request_UnsupportedQuery"))
    );
    // $search: words that start with the text, with ConsistencyLevel only.
    let (s, v) = users("$search=%22displayName:ivy%22&$count=true", true).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["@odata.count"], 2, "both Ivy Jones");
    let (_, v) = users(
        "$search=%22displayName:jon%22%20AND%20%22mail:ivy.jones%22",
        true,
    )
    .await;
    let upns: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(upns, ["ivy.jones@fabrikam.com"]);
    let (s, v) = users("$search=%22displayName:ivy%22", false).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("Request_UnsupportedQuery")),
        "not silently ignored"
    );
    let (s, _) = users("$search=%22jobTitle:boss%22", true).await;
    assert_eq!(s, 400);
    // $batch items may be absolute, on Graph's host or the emulator's.
    let r = http()
        .post(format!("{base}/graph/v1.0/$batch"))
        .bearer_auth(&g)
        .json(&json!({"requests": [
            {"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me?$select=userPrincipalName"},
            {"id": "2", "method": "GET", "url": format!("{base}/graph/v1.0/users/ann@fabrikam.com")},
            {"id": "3", "method": "GET", "url": "/users/$count", "headers": {"ConsistencyLevel": "eventual"}},
            {"id": "4", "method": "GET", "url": "users?$top=1"},
            {"id": "5", "method": "GET", "url": "https://graph.microsoft.com/beta-not/users"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    let by_id = |id: &str| {
        b["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("1")["status"], 200, "{b}");
    assert_eq!(
        by_id("1")["body"]["userPrincipalName"],
        "owner@fabrikam.com"
    );
    assert_eq!(by_id("2")["body"]["userPrincipalName"], "ann@fabrikam.com");
    assert_eq!(by_id("3")["body"], 10);
    assert_eq!(by_id("4")["status"], 200);
    assert_eq!(by_id("5")["status"], 400);
    // 401s say where to sign in; a batch without a valid token is refused whole.
    for r in [
        http()
            .get(format!("{base}/graph/v1.0/me"))
            .send()
            .await
            .unwrap(),
        http()
            .get(format!("{base}/graph/v1.0/me"))
            .bearer_auth("garbage")
            .send()
            .await
            .unwrap(),
        http()
            .post(format!("{base}/graph/v1.0/$batch"))
            .bearer_auth("garbage")
            .json(&json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}]}))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(r.status(), 401);
        let www = r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            www.starts_with("Bearer realm=\"\", authorization_uri=\""),
            "{www}"
        );
        assert!(
            www.contains(&format!("{base}/login/common/oauth2/v2.0/authorize")),
            "{www}"
        );
        assert!(
            www.contains("client_id=\"00000003-0000-0000-c000-000000000000\""),
            "{www}"
        );
    }
    emu.shutdown().await;
}
