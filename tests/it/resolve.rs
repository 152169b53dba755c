//! `ado-entra resolve` end to end against the emulator: suggestions per kind
//! of evidence, CSV export/edit/import, invitations, mappings that land, bad
//! CSV refused with line numbers, and kill-then-resume landing each change once.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Output;

use ado_entra::emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

use crate::support::{self, ADO_SCOPE, CliEnv as Env};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// Users of the emulator's organization, by display name.
async fn users(emu: &Emulator) -> HashMap<String, Value> {
    let st = support::state(emu).await;
    st["org"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["display_name"].as_str().unwrap().to_string(), u.clone()))
        .collect()
}

/// The plan's rows by display name: (best upn, confidence, reason kind, flags).
fn rows(plan: &Value) -> HashMap<String, (String, String, String, Vec<String>)> {
    plan["plan"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let best = &r["suggestions"][0];
            (
                r["display_name"].as_str().unwrap().to_string(),
                (
                    best["upn"].as_str().unwrap_or("").to_string(),
                    best["confidence"].as_str().unwrap_or("").to_string(),
                    best["reason"]["kind"].as_str().unwrap_or("").to_string(),
                    r["flags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_string())
                        .collect(),
                ),
            )
        })
        .collect()
}

fn set_action(csv_text: &str, who: &str, action: &str) -> String {
    csv_text
        .lines()
        .map(|l| {
            let mut cols: Vec<String> = l.split(',').map(str::to_string).collect();
            if cols.len() >= 4 && cols[2] == who {
                cols[3] = action.to_string();
            }
            cols.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn suggestions_name_each_kind_of_evidence() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("disconnected")).await;
    let out = env.resolve(&["--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let r = rows(&json(&out));
    assert_eq!(r.len(), 8, "{r:?}");
    let kind = |who: &str| (r[who].0.as_str(), r[who].1.as_str(), r[who].2.as_str());
    assert_eq!(
        kind("Mia Moss"),
        ("mia@fabrikam.com", "exact", "exact_mail")
    );
    assert_eq!(
        kind("Carl Dahl"),
        ("carl@fabrikam.com", "high", "other_mail")
    );
    assert_eq!(
        kind("Dora Eng"),
        ("dora@fabrikam.com", "high", "proxy_address")
    );
    assert_eq!(
        kind("L. Nilsen"),
        (
            "lars@fabrikam.com",
            "medium",
            "local_part_at_verified_domain"
        )
    );
    assert_eq!(kind("Erik Lund").2, "display_name");
    assert_eq!(kind("Frank Gray").0, "", "nobody to suggest: invite");
    assert!(r["Ivy Jones"].3.contains(&"ambiguous".to_string()));
    assert!(
        r["Kim Lee"]
            .3
            .contains(&"best_candidate_disabled".to_string())
    );
    // Looking changes nothing.
    assert!(users(&env.emu).await.values().all(|u| u["remaps"] == 0));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn messy_after_connect_suggests_and_accept_exact_maps_nobody_unsure() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("messy")).await;
    let tenant = env.tenant();
    // The owner connects as the organization knows them: their personal account.
    let (tok, _) =
        support::sign_in(&env.emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    let r = support::set_tenant(&env.emu, &env.org, &tok, &tenant).await;
    assert_eq!(r.status(), 200);
    let out = env.resolve(&["--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let r = rows(&json(&out));
    let mut names: Vec<&str> = r.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["Carl Dahl", "Dora Eng", "Erik Lund", "Frank Gray"]);
    assert_eq!(r["Carl Dahl"].2, "other_mail");
    assert_eq!(r["Dora Eng"].2, "proxy_address");
    assert_eq!(r["Erik Lund"].2, "display_name");
    // No exact evidence: --accept-exact has nothing to do and changes nothing.
    let out = env.resolve(&["--accept-exact", "--yes"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing to apply"));
    assert!(users(&env.emu).await.values().all(|u| u["remaps"] == 0));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn csv_round_trip_invites_and_maps_and_rights_follow() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("disconnected")).await;
    let plan = env.file("plan.csv");
    let out = env
        .resolve(&["--export", plan.to_str().unwrap(), "--json"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["summary"]["mapped"], 1, "Mia's exact match");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&plan).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a plan names people: private");
    }
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = set_action(&text, "Carl Dahl", "map");
    let text = set_action(&text, "Frank Gray", "invite");
    let text = set_action(&text, "Kim Lee", "skip");
    std::fs::write(&plan, text).unwrap();

    let dry = env
        .resolve(&["--import", plan.to_str().unwrap(), "--dry-run", "--json"])
        .await;
    assert!(dry.status.success(), "{}", stderr(&dry));
    let dry = json(&dry);
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["jobs"].as_array().unwrap().len(), 3);
    assert!(users(&env.emu).await.values().all(|u| u["remaps"] == 0));

    let out = env
        .resolve(&["--import", plan.to_str().unwrap(), "--yes", "--json"])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let o = json(&out);
    assert_eq!(o["outcome"]["mapped"], 3, "{o}");
    assert_eq!(o["outcome"]["invited"], 1);

    let st = support::state(&env.emu).await;
    let u = users(&env.emu).await;
    for who in ["Carl Dahl", "Frank Gray", "Mia Moss"] {
        assert_eq!(u[who]["origin"], "aad", "{who}");
        assert_eq!(u[who]["active"], true, "{who}");
        assert_eq!(u[who]["remaps"], 1, "{who}");
    }
    for who in ["Kim Lee", "Erik Lund", "Dora Eng"] {
        assert_eq!(u[who]["active"], false, "{who} stays disconnected");
    }
    // Carl's rights now belong to his Entra account.
    let carl_id = st["tenants"][0]["id"].as_str().unwrap();
    let (tok, _) = support::sign_in(&env.emu, "carl@fabrikam.com", carl_id, ADO_SCOPE).await;
    let (code, _) = support::get_json(
        &format!(
            "{}/dev/{}/_apis/projects?api-version=7.1",
            env.emu.base_url(),
            env.org
        ),
        &tok,
    )
    .await;
    assert_eq!(
        code, 200,
        "Carl reaches the organization as carl@fabrikam.com"
    );
    // Frank was invited as a guest, once, and is mapped to that guest.
    assert_eq!(st["invitations"]["frank@gmail.com"], 1);
    let guests = st["tenants"][0]["guests"].as_array().unwrap();
    let frank = guests
        .iter()
        .find(|g| g["mail"] == "frank@gmail.com")
        .expect("a guest for Frank");
    assert_eq!(u["Frank Gray"]["origin_id"], frank["id"]);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn a_malformed_csv_is_refused_with_line_numbers_and_changes_nothing() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("disconnected")).await;
    let (plan, text) = env.export_plan().await;
    let mut text = set_action(&text, "Carl Dahl", "promote");
    // A second user mapped to Mia's account, and an unknown user.
    let mia = text
        .lines()
        .find(|l| l.contains("Mia Moss"))
        .unwrap()
        .to_string();
    let dora = text
        .lines()
        .find(|l| l.contains("Dora Eng"))
        .unwrap()
        .to_string();
    let mia_cols: Vec<&str> = mia.split(',').collect();
    let mut dora_cols: Vec<&str> = dora.split(',').collect();
    dora_cols[3] = "map";
    dora_cols[4] = mia_cols[4];
    dora_cols[5] = mia_cols[5];
    text = text.replace(&dora, &dora_cols.join(","));
    text.push_str("\nmsa.nobody,x@y.com,Nobody,skip,,,,\n");
    text = set_action(&text, "Frank Gray", "invite").replace("frank@gmail.com", "frank@@gmail");
    std::fs::write(&plan, &text).unwrap();
    let out = env
        .resolve(&["--import", plan.to_str().unwrap(), "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // Lines: header 1, then the users in the order exported.
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    for (needle, what) in [
        ("Carl Dahl", "unknown action"),
        ("Frank Gray", "malformed email"),
        ("msa.nobody", "unknown user"),
    ] {
        let want = format!("line {}, column", line_of(needle));
        assert!(
            err.lines().any(|l| l.contains(&want) && l.contains(what)),
            "{what} at {want}: {err}"
        );
    }
    let dup_line = line_of("Mia Moss").max(line_of("Dora Eng"));
    assert!(
        err.contains(&format!(
            "line {dup_line}, column target_object_id: duplicate target"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was applied"), "{err}");
    assert!(users(&env.emu).await.values().all(|u| u["remaps"] == 0));
    assert!(
        support::state(&env.emu).await["invitations"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    env.emu.shutdown().await;
}

/// Build a plan for every disconnected user of an exported CSV: map to the
/// suggested account when nobody else has it, else invite the address.
fn decide_all(exported: &str) -> (String, usize) {
    let mut rdr = csv::Reader::from_reader(exported.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rdr.headers().unwrap()).unwrap();
    let mut used = HashSet::new();
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut cols: Vec<String> = rec.iter().map(str::to_string).collect();
        let target = cols[5].clone();
        cols[3] = if !target.is_empty() && used.insert(target) {
            "map".into()
        } else {
            cols[4].clear();
            cols[5].clear();
            "invite".into()
        };
        n += 1;
        w.write_record(&cols).unwrap();
    }
    (String::from_utf8(w.into_inner().unwrap()).unwrap(), n)
}

fn outcomes(journal_dir: &Path) -> usize {
    std::fs::read_dir(journal_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .map(|t| t.matches("\"kind\":\"outcome\"").count())
        .sum()
}

#[tokio::test]
async fn killed_mid_apply_then_resumed_lands_every_change_exactly_once() {
    let env = Env::in_first_tenant(support::generated_connected(2_000, 2_500)).await;
    let (plan, exported) = env.export_plan().await;
    // The generator plants each kind of evidence; the engine names it.
    let mut rdr = csv::Reader::from_reader(exported.as_bytes());
    let (mut other, mut other_found, mut named, mut strangers) = (0, 0, 0, 0);
    for rec in rdr.records() {
        let r = rec.unwrap();
        let (email, confidence, reason) = (&r[1], &r[6], &r[7]);
        if email.starts_with("person") {
            // Planted in the otherMails of a tenant user, unless that account
            // already stands for another user (then it is never suggested).
            other += 1;
            if reason.contains("other mails") {
                other_found += 1;
                // A disabled account is never above low.
                let want = if reason.contains("disabled") {
                    "low"
                } else {
                    "high"
                };
                assert_eq!(confidence, want, "{email}: {reason}");
            }
        } else if email.starts_with("nick") {
            named += 1;
            assert!(
                reason.is_empty() || reason.starts_with("same name"),
                "{email}: {reason}"
            );
        } else if email.starts_with("stranger") {
            strangers += 1;
            assert!(!reason.contains("mail"), "{email}: {reason}");
        }
    }
    assert!(
        other_found * 10 >= other * 8,
        "{other_found} of {other} by other mails"
    );
    assert!(
        other > 100 && named > 50 && strangers > 50,
        "{other} {named} {strangers}"
    );
    let (decided, jobs) = decide_all(&exported);
    assert!(jobs > 200, "a few hundred disconnected users, got {jobs}");
    std::fs::write(&plan, decided).unwrap();

    // Apply, and kill the process once some calls have finished. The 61st
    // mapping (and every 61st after it) is held by the emulator, so the run
    // cannot finish before the kill, however fast or slow the machine.
    env.faults(&["stall:ms=600000,method=PATCH,path=/_apis/graph/users/,every=61"])
        .await;
    let mut child = support::Killed::spawn(
        env.command(&[
            "resolve",
            "--org",
            &env.org,
            "--import",
            plan.to_str().unwrap(),
            "--yes",
            "--concurrency",
            "4",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null()),
    );
    let jdir = env.home.path().join("journal");
    support::wait_until("60 outcomes in the journal", || {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        outcomes(&jdir) >= 60
    })
    .await;
    drop(child);
    env.faults(&[]).await;
    let before: Vec<Value> = support::state(&env.emu).await["org"]["users"]
        .as_array()
        .unwrap()
        .clone();
    let landed_before = before.iter().filter(|u| u["remaps"] == 1).count();
    assert!(
        landed_before > 0 && landed_before < jobs,
        "{landed_before} of {jobs}"
    );

    // A fresh import is refused while a run is unfinished.
    let again = env
        .resolve(&["--import", plan.to_str().unwrap(), "--yes"])
        .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));

    // Plain `resolve` (only reading) names the unfinished run and its command.
    let look = env.resolve(&[]).await;
    assert!(
        stderr(&look).contains("did not finish")
            && stderr(&look).contains(&format!("ado-entra resolve --org {} --resume", env.org)),
        "{}",
        stderr(&look)
    );

    let out = env.resolve(&["--resume", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let o = json(&out);
    assert_eq!(o["outcome"]["resumed"], true);
    assert!(o["outcome"]["already"].as_u64().unwrap() >= landed_before as u64);
    assert!(o["outcome"]["failed"].as_array().unwrap().is_empty(), "{o}");

    exactly_once(&support::state(&env.emu).await, jobs);
    // Nothing left to resume.
    let out = env.resolve(&["--resume"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no unfinished Resolve run"));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn an_in_doubt_mapping_is_checked_in_azure_devops_not_repeated() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("disconnected")).await;
    let (_, text) = env.export_plan().await;
    let cols = |who: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.contains(who))
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect()
    };
    let (mia, carl) = (cols("Mia Moss"), cols("Carl Dahl"));
    // The crash: Mia's mapping reached Azure DevOps, its outcome never reached the journal.
    let tenant = env.tenant();
    let (tok, _) = support::sign_in(&env.emu, "owner@fabrikam.com", &tenant, ADO_SCOPE).await;
    let r = support::http()
        .patch(format!(
            "{}/vssps/{}/_apis/graph/users/{}?api-version=7.1-preview.1",
            env.emu.base_url(),
            env.org,
            mia[0]
        ))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"originId": mia[5]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let job = |c: &[String]| {
        serde_json::json!({"descriptor": c[0], "display_name": c[2],
            "kind": {"action": "map", "target_id": c[5], "target_upn": c[4]}})
    };
    let jdir = env.home.path().join("journal");
    std::fs::create_dir_all(&jdir).unwrap();
    let journal = jdir.join(format!("20991231T000000.000Z-resolve-{}.jsonl", env.org));
    let lines = [
        serde_json::json!({"kind": "begin", "op": "resolve", "org": env.org, "at": "2099-12-31T00:00:00Z",
            "plan": {"org": env.org, "tenant": tenant, "jobs": [job(&mia), job(&carl)]}}),
        serde_json::json!({"kind": "intent", "step": format!("map:{}", mia[0]), "at": "2099-12-31T00:00:01Z",
            "detail": {"originId": mia[5]}}),
    ];
    let mut body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    body.push_str("{\"kind\":\"outco"); // torn by the crash
    std::fs::write(&journal, body).unwrap();

    let out = env.resolve(&["--resume", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let o = json(&out);
    assert_eq!(o["outcome"]["already"], 1, "{o}");
    assert_eq!(o["outcome"]["mapped"], 1, "{o}");
    let u = users(&env.emu).await;
    assert_eq!(u["Mia Moss"]["remaps"], 1, "not repeated");
    assert_eq!(u["Carl Dahl"]["remaps"], 1);
    let written = std::fs::read_to_string(&journal).unwrap();
    assert!(
        written.contains(&format!(
            "\"kind\":\"verified\",\"step\":\"map:{}\"",
            mia[0]
        )) && written.contains("\"landed\":true"),
        "{written}"
    );
    assert!(
        written.trim_end().ends_with('}'),
        "the torn line was cut: {written}"
    );
    env.emu.shutdown().await;
}

/// Resolve `disconnected` with every user decided (Mia, Carl, Dora mapped,
/// the rest invited), under `faults`; returns the finished state.
async fn apply_under(faults: &[&str]) -> (Value, Output, Env) {
    let env = Env::in_first_tenant(EmulatorConfig {
        faults: faults.iter().map(|f| f.to_string()).collect(),
        ..EmulatorConfig::scenario("disconnected")
    })
    .await;
    let plan = env.file("plan.csv");
    let out = env.resolve(&["--export", plan.to_str().unwrap()]).await;
    assert!(
        out.status.success(),
        "export under {faults:?}: {}",
        stderr(&out)
    );
    let (decided, jobs) = decide_all(&std::fs::read_to_string(&plan).unwrap());
    assert_eq!(jobs, 8);
    std::fs::write(&plan, decided).unwrap();
    let out = env
        .resolve(&["--import", plan.to_str().unwrap(), "--yes", "--json"])
        .await;
    (support::state(&env.emu).await, out, env)
}

/// The emulator's counters after an apply: `mapped` users remapped, each
/// once, nobody left disconnected, no invitation sent twice.
fn exactly_once(st: &Value, mapped: usize) {
    let users = st["org"]["users"].as_array().unwrap();
    let remapped: Vec<&Value> = users.iter().filter(|u| u["remaps"] != 0).collect();
    assert_eq!(remapped.len(), mapped, "every decided user mapped");
    assert!(
        remapped.iter().all(|u| u["remaps"] == 1),
        "no mapping repeated"
    );
    // Every attempt counts, including one re-sent to the old descriptor
    // (which would answer 404 and never count as a remap).
    assert!(
        users
            .iter()
            .all(|u| u["remap_attempts"].as_u64() <= Some(1)),
        "no mapping was even sent twice: {}",
        st["counters"]
    );
    assert!(
        st["counters"]["invitation_attempts"]
            .as_object()
            .unwrap()
            .values()
            .all(|n| n == 1),
        "no invitation was even sent twice: {}",
        st["counters"]
    );
    assert!(
        users.iter().all(|u| u["active"] == true),
        "nobody left disconnected"
    );
    assert!(
        st["invitations"]
            .as_object()
            .unwrap()
            .values()
            .all(|n| n == 1),
        "no invitation repeated: {}",
        st["invitations"]
    );
}

#[tokio::test]
async fn throttling_and_outages_during_apply_land_every_change_once() {
    let (st, out, env) = apply_under(&["429:every=4,retry-after=1", "503:burst=1,every=5"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waiting") || json(&out)["outcome"]["mapped"] == 8,
        "{}",
        stderr(&out)
    );
    exactly_once(&st, 8);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn lost_answers_during_apply_are_checked_not_repeated() {
    // Every third mapping's answer is cut off or garbled after it landed.
    let (st, out, env) = apply_under(&[
        "drop:every=3,after=1,host=vssps,path=graph/users/",
        "malformed:every=4,after=1,host=vssps,path=graph/users/",
    ])
    .await;
    let o = json(&out);
    assert!(out.status.success(), "{o} {}", stderr(&out));
    assert_eq!(o["outcome"]["mapped"], 8, "{o}");
    assert!(o["outcome"]["failed"].as_array().unwrap().is_empty(), "{o}");
    exactly_once(&st, 8);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn two_imports_started_together_change_everything_once() {
    let env = Env::in_first_tenant(EmulatorConfig {
        // Slow answers keep the first run inside its lock while the second starts.
        faults: vec!["latency:ms=30".into()],
        ..EmulatorConfig::scenario("disconnected")
    })
    .await;
    let (plan, text) = env.export_plan().await;
    let (decided, jobs) = decide_all(&text);
    assert_eq!(jobs, 8);
    std::fs::write(&plan, decided).unwrap();
    let args = ["--import", plan.to_str().unwrap(), "--yes", "--json"];
    let (a, b) = tokio::join!(env.resolve(&args), env.resolve(&args));
    let mut outcomes: Vec<(i32, String)> = [a, b]
        .iter()
        .map(|o| {
            let v = json(o);
            let what = if v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("right now; nothing was changed"))
            {
                "locked".to_string()
            } else {
                format!(
                    "mapped {} already {}",
                    v["outcome"]["mapped"], v["outcome"]["already"]
                )
            };
            (o.status.code().unwrap(), what)
        })
        .collect();
    outcomes.sort();
    // One run maps everyone; the other was refused at once, or (started
    // after the first ended) found everyone already resolved.
    assert!(
        outcomes
            == [
                (0, "mapped 0 already 8".to_string()),
                (0, "mapped 8 already 0".to_string())
            ]
            || outcomes
                == [
                    (0, "mapped 8 already 0".to_string()),
                    (3, "locked".to_string())
                ],
        "{outcomes:?}"
    );
    exactly_once(&support::state(&env.emu).await, 8);
    env.emu.shutdown().await;
}

/// The plan's rows by display name, with every suggestion:
/// (flags, [(upn, confidence, reason kind, account kind, user type)]).
type Offered = HashMap<String, (Vec<String>, Vec<(String, String, String, String, String)>)>;

fn offered(plan: &Value) -> Offered {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    plan["plan"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let flags = r["flags"].as_array().unwrap().iter().map(text).collect();
            let suggestions = r["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        text(&s["upn"]),
                        text(&s["confidence"]),
                        text(&s["reason"]["kind"]),
                        text(&s["kind"]),
                        text(&s["user_type"]),
                    )
                })
                .collect();
            (text(&r["display_name"]), (flags, suggestions))
        })
        .collect()
}

#[tokio::test]
async fn accept_exact_maps_only_what_the_rules_call_exact_among_every_trap() {
    let env = Env::in_first_tenant(EmulatorConfig::scenario("resolve-traps")).await;
    let out = env.resolve(&["--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = offered(&json(&out));
    assert_eq!(rows.len(), 23, "{rows:?}");
    let first = |who: &str| {
        let (flags, s) = &rows[who];
        let (upn, conf, reason, kind, user_type) = s.first().cloned().unwrap_or_default();
        (upn, conf, reason, kind, user_type, flags.clone())
    };
    let upn_conf = |who: &str| {
        let f = first(who);
        (f.0, f.1)
    };
    let none = || (String::new(), String::new());
    let pair = |u: &str, c: &str| (u.to_string(), c.to_string());
    // Exact: enabled member person, by primary mail, the name agrees (a
    // nickname too), nobody else claims it.
    assert_eq!(upn_conf("Mia Moss"), pair("mia@contoso.com", "exact"));
    assert_eq!(upn_conf("Samuel Lee"), pair("sam.lee@contoso.com", "exact"));
    // High: other mails, and a proxy address at the second domain.
    assert_eq!(upn_conf("Carl Dahl"), pair("carl.dahl@contoso.com", "high"));
    assert_eq!(
        upn_conf("Lars Nilsen"),
        pair("lars.nilsen@fabrikam.com", "high")
    );
    // An external guest is the person, but a guest is never exact.
    let zoe = first("Zoe Quinn");
    assert_eq!((zoe.1.as_str(), zoe.4.as_str()), ("high", "guest"));
    // The member account, not its guest copy holding the address.
    let (_, anna) = &rows["Anna Lindberg"];
    assert_eq!(
        anna.iter()
            .map(|s| (s.0.as_str(), s.1.as_str(), s.4.as_str()))
            .collect::<Vec<_>>(),
        [
            ("anna.lindberg@contoso.com", "medium", "member"),
            (
                "anna.l_outlook.com#EXT#@contoso.onmicrosoft.com",
                "low",
                "guest"
            )
        ]
    );
    // The person, not their admin account holding their address.
    let (_, rob) = &rows["Rob Smith"];
    assert_eq!(rob[0].0, "robert.smith@contoso.com");
    assert_eq!(
        (rob[1].0.as_str(), rob[1].1.as_str(), rob[1].3.as_str()),
        ("adm-rsmith@contoso.com", "low", "admin")
    );
    // A service account or shared mailbox holding a person's address is not
    // offered: the person's own account, or nothing (invite).
    let (_, dana) = &rows["Dana White"];
    assert_eq!(dana.len(), 1, "{dana:?}");
    assert_eq!(dana[0].0, "dana.white@contoso.com");
    assert_eq!(upn_conf("Omar Haddad"), none());
    // Disabled: never above low, flagged.
    let kim = first("Kim Lee");
    assert_eq!(
        (kim.1.as_str(), kim.5.clone()),
        ("low", vec!["best_candidate_disabled".to_string()])
    );
    // A reassigned alias: his own disabled account, and the row ambiguous.
    let bob = first("Bob Brown");
    assert_eq!(bob.0, "robert.brown@contoso.com");
    assert!(bob.5.contains(&"ambiguous".to_string()), "{bob:?}");
    // The address matches, the name does not: flagged, medium.
    let eve = first("Eve Carter");
    assert_eq!(
        (eve.0.as_str(), eve.1.as_str()),
        ("eve.adams@contoso.com", "medium")
    );
    assert_eq!(eve.5, ["name_disagrees"]);
    // Names people use, found without an address, medium at most.
    for (who, upn) in [
        ("Bill Jones", "william.jones@contoso.com"),
        ("ingridsolberg", "ingrid.solberg@contoso.com"),
        ("Maria Garcia", "maria.garcia@contoso.com"),
        ("LUND, Erik", "erik.lund@contoso.com"),
        ("Juergen Mueller", "jurgen.muller@contoso.com"),
        ("Tom Baker", "thomas.baker@contoso.com"),
    ] {
        assert_eq!(upn_conf(who), pair(upn, "medium"), "{who}");
        assert_eq!(first(who).2, "display_name", "{who}");
    }
    assert_eq!(
        upn_conf("J. Okafor"),
        pair("jane.okafor@contoso.com", "low")
    );
    // Namesakes: ambiguous; near-namesakes and strangers: nothing.
    assert!(first("John Smith").5.contains(&"ambiguous".to_string()));
    for who in ["Michaela Ross", "Paula Grant", "Frank Gray"] {
        assert_eq!(upn_conf(who), none(), "{who}");
    }

    // The text output says the same in words.
    let out = env.resolve(&[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = |who: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(who))
            .unwrap_or_else(|| panic!("{who}: {text}"))
            .to_string()
    };
    for (who, words) in [
        ("Eve Carter", "medium; person, member, enabled"),
        ("Eve Carter", "[address matches but the name does not]"),
        ("Kim Lee", "[the account is disabled]"),
        ("Omar Haddad", "no suggestion (invite?)"),
        (
            "Mia Moss",
            "(exact; person, member, enabled; address is the account's primary mail; same name)",
        ),
    ] {
        assert!(line(who).contains(words), "{who}: {words}\n{text}");
    }

    // --accept-exact maps the two exact rows and nothing else.
    let out = env.resolve(&["--accept-exact", "--yes", "--json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let o = json(&out);
    assert_eq!(o["outcome"]["mapped"], 2, "{o}");
    assert_eq!(o["outcome"]["invited"], 0, "{o}");
    let u = users(&env.emu).await;
    for (who, user) in &u {
        let want = u64::from(matches!(who.as_str(), "Mia Moss" | "Samuel Lee"));
        assert_eq!(user["remaps"], want, "{who}");
    }
    assert_eq!(u["Mia Moss"]["origin"], "aad");
    // Run again: the exact ones are resolved, nothing else qualifies.
    let out = env.resolve(&["--accept-exact", "--yes"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing to apply"));
    env.emu.shutdown().await;
}

#[tokio::test]
async fn graph_serves_the_person_signals_resolve_reads() {
    let emu = support::start("resolve-traps").await;
    let tenant = emu.summary().tenants[0]["id"].as_str().unwrap().to_string();
    let (g, _) = support::sign_in(&emu, "owner@contoso.com", &tenant, support::GRAPH_SCOPE).await;
    let user = |upn: &str| {
        format!(
            "{}/graph/v1.0/users/{upn}?$select=displayName,givenName,surname,assignedLicenses",
            emu.base_url()
        )
    };
    // A person: given name and surname as the directory has them (the legal
    // form, here Samuel for "Sam Lee"), one assignedLicense.
    let (s, sam) = support::get_json(&user("sam.lee@contoso.com"), &g).await;
    assert_eq!(s, 200, "{sam}");
    assert_eq!(sam["givenName"], "Samuel");
    assert_eq!(sam["surname"], "Lee");
    let licences = sam["assignedLicenses"].as_array().unwrap();
    assert_eq!(licences.len(), 1, "{sam}");
    assert!(licences[0]["skuId"].as_str().unwrap().len() == 36, "{sam}");
    assert_eq!(licences[0]["disabledPlans"], serde_json::json!([]));
    // A service account: no names (null), no licence.
    let (_, svc) = support::get_json(&user("svc-build@contoso.com"), &g).await;
    assert_eq!(svc["givenName"], Value::Null, "{svc}");
    assert_eq!(svc["surname"], Value::Null, "{svc}");
    assert_eq!(svc["assignedLicenses"], serde_json::json!([]));
    // Without the fields in the scenario, names come from the display name.
    let (_, carl) = support::get_json(&user("carl.dahl@contoso.com"), &g).await;
    assert_eq!(
        (carl["givenName"].as_str(), carl["surname"].as_str()),
        (Some("Carl"), Some("Dahl"))
    );
    // Not selected, not sent (Graph's default property set has no licences).
    let (_, plain) = support::get_json(
        &format!("{}/graph/v1.0/users/sam.lee@contoso.com", emu.base_url()),
        &g,
    )
    .await;
    assert!(plain.get("assignedLicenses").is_none(), "{plain}");
    assert_eq!(plain["givenName"], "Samuel");
    emu.shutdown().await;
}
