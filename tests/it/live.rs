//! The wizard's session (`ops::Session`) against the emulator, without a
//! terminal: what the runtime calls for each effect. Here: an interrupted
//! connect is resumed from its journal, checked against Azure DevOps first.

use ado_entra::app::Operation;
use ado_entra::client::ClientSettings;
use ado_entra::domain::journal;
use ado_entra::emulator::EmulatorConfig;
use ado_entra::ops::Session;
use ado_entra::ops::model::{Event, Events, quiet};
use ado_entra::paths::StatePaths;
use chrono::Utc;
use serde_json::json;

use crate::support::{self, ADO_SCOPE};

async fn live(scenario: &str) -> (ado_entra::emulator::Emulator, Session, tempfile::TempDir) {
    let emu = support::start_with(EmulatorConfig {
        auto_approve_default: true,
        ..EmulatorConfig::scenario(scenario)
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let live = Session::new(
        ClientSettings {
            emulator_url: Some(emu.base_url().to_string()),
            client_id: None,
            tenant: None,
        },
        StatePaths::at(home.path()),
    );
    (emu, live, home)
}

fn outbox() -> Events {
    quiet()
}

/// A journal as a crash leaves it: the connect's intent, no outcome.
fn crashed_connect(home: &std::path::Path, org: &str, tenant: &str) -> std::path::PathBuf {
    let mut w = journal::JournalWriter::create(
        &home.join("journal"),
        "connect",
        org,
        json!({"op": "connect", "org": org, "to": tenant}),
        Utc::now(),
    )
    .unwrap();
    w.intent("set-tenant", json!({"tenant": tenant}), Utc::now())
        .unwrap();
    w.path().to_path_buf()
}

#[tokio::test]
async fn an_interrupted_connect_that_never_reached_azure_is_made_once() {
    let (emu, live, home) = live("ready").await;
    let org = emu.summary().org.clone();
    let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    live.sign_in(None, &outbox()).await.unwrap();
    let path = crashed_connect(home.path(), &org, &tenant);
    let r = live
        .apply(Operation::Connect, &org, Some(&tenant), vec![], &outbox())
        .await
        .unwrap();
    assert_eq!(
        r.journal,
        path.display().to_string(),
        "the same journal continues"
    );
    assert!(r.summary.contains("Connected"), "{}", r.summary);
    let st = support::state(&emu).await;
    assert_eq!(st["org"]["tenant"], tenant.as_str());
    let replay = journal::read(&path).unwrap();
    assert!(replay.finished);
    assert!(replay.is_done("set-tenant"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"landed\":false"),
        "checked before retrying: {text}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_connect_that_landed_is_not_repeated() {
    let (emu, live, home) = live("ready").await;
    let org = emu.summary().org.clone();
    let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    live.sign_in(None, &outbox()).await.unwrap();
    // The call reached Azure DevOps; the process died before writing its outcome.
    let (tok, _) = support::sign_in(&emu, "ann@fabrikam.com", "organizations", ADO_SCOPE).await;
    assert_eq!(
        support::set_tenant(&emu, &org, &tok, &tenant)
            .await
            .status(),
        200
    );
    let path = crashed_connect(home.path(), &org, &tenant);
    let r = live
        .apply(Operation::Connect, &org, Some(&tenant), vec![], &outbox())
        .await
        .unwrap();
    assert!(r.summary.contains("had already landed"), "{}", r.summary);
    let replay = journal::read(&path).unwrap();
    assert!(replay.finished && replay.is_done("set-tenant"));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .matches("\"kind\":\"intent\"")
            .count()
            == 1,
        "no second attempt was journaled"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn disconnect_plans_and_lands_with_the_owner_back_on_a_personal_account() {
    let (emu, live, _home) = live("disconnected").await;
    let org = emu.summary().org.clone();
    let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    // The organization uses Fabrikam: its owner signs in there.
    live.sign_in(Some(&tenant), &outbox()).await.unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let events: Events = std::sync::Arc::new(move |e: Event| {
        if let Event::Checking { done, total, .. } = e {
            sink.lock().unwrap().push((done, total));
        }
    });
    let report = live
        .run_checks(Operation::Disconnect, &org, None, &events)
        .await
        .unwrap();
    // The progress counts every step once and never runs past its total.
    let steps = seen.lock().unwrap().clone();
    let total = steps.first().map(|s| s.1).unwrap_or(0);
    assert!(
        total > 0 && steps.iter().all(|&(d, t)| t == total && d <= t),
        "{steps:?}"
    );
    assert_eq!(steps.last(), Some(&(total, total)), "{steps:?}");
    // Olga owns it through her work account: the documented precondition
    // (a personal owner) fails, but she may accept it by typing her address,
    // which is also a personal account here.
    assert!(!report.blocked(), "{:#?}", report.checks);
    assert_eq!(report.accept.len(), 1, "{:#?}", report.accept);
    assert_eq!(report.accept[0].id, "owner-is-personal-account");
    assert_eq!(report.accept[0].expected, "owner@fabrikam.com");
    let changes = report.plan.changes.join("\n");
    assert!(changes.contains("disconnected from Fabrikam"), "{changes}");
    let after = report.plan.afterwards.join("\n");
    assert!(after.contains("personal"), "{after}");
    // Every user here has a personal account of the same address (the
    // disconnected ones never left theirs): nobody is predicted to lose access.
    assert!(
        report.plan.disconnected.is_empty(),
        "{:?}",
        report.plan.disconnected
    );
    let r = live
        .apply(
            Operation::Disconnect,
            &org,
            None,
            vec!["owner-is-personal-account".into()],
            &outbox(),
        )
        .await
        .unwrap();
    assert!(r.summary.contains("Disconnected"), "{}", r.summary);
    let st = support::state(&emu).await;
    assert!(st["org"]["tenant"].is_null());
    let owner = st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["display_name"] == "Olga Owner")
        .unwrap()
        .clone();
    assert_eq!(owner["origin"], "msa");
    assert_eq!(owner["active"], true);
    assert!(
        st["org"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["active"] == true && u["origin"] == "msa"),
        "the prediction held: {st}"
    );
    emu.shutdown().await;
}
