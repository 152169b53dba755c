//! The state matrix (docs/user-guide.md, "What ado-entra does in each
//! state"): every directory command × every state an organization can be in
//! × every way of naming the tenant × a first run and a re-run. For each
//! cell the binary's exit code, what it decided, the journal and the
//! emulator's final state (its tenant and how many organization PATCHes it
//! received) must agree, and no answer may advise removing users from an
//! organization already connected to the destination, or disconnecting
//! because of a wrong sign-in.

use ado_entra::emulator::EmulatorConfig;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::support::{self, ADO_SCOPE, CliEnv};

/// Where the organization is before the command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Personal accounts.
    Personal,
    /// Connected to Fabrikam (T1).
    T1,
    /// Connected to Contoso (T2).
    T2,
    /// Connected to T1 by a run that died before writing its outcome.
    LandedUnfinished,
    /// Personal accounts; a run to T1 died before sending its change.
    NotLandedUnfinished,
}

const STATES: [State; 5] = [
    State::Personal,
    State::T1,
    State::T2,
    State::LandedUnfinished,
    State::NotLandedUnfinished,
];

/// Where the organization ends up, by tenant key (`None`: personal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Personal,
    T1,
    T2,
}

/// How the person names Fabrikam.
#[derive(Debug, Clone, Copy)]
enum Form {
    Guid,
    DefaultDomain,
    CustomDomain,
    BracedUpper,
}

const FORMS: [Form; 4] = [
    Form::Guid,
    Form::DefaultDomain,
    Form::CustomDomain,
    Form::BracedUpper,
];

/// What a run must show.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expect {
    code: i32,
    /// What it decided (see `kind`).
    kind: &'static str,
    /// Where the organization is afterwards.
    at: At,
    /// Organization PATCHes received in all, so far.
    patches: u64,
}

fn e(code: i32, kind: &'static str, at: At, patches: u64) -> Expect {
    Expect {
        code,
        kind,
        at,
        patches,
    }
}

struct Case {
    env: CliEnv,
    t1: String,
    t2: String,
}

fn tenant_id(env: &CliEnv, key: &str) -> String {
    env.emu
        .summary()
        .tenants
        .iter()
        .find(|t| t["displayName"] == key)
        .and_then(|t| t["id"].as_str())
        .unwrap_or_else(|| panic!("no tenant {key}"))
        .to_string()
}

impl Case {
    /// An emulator in `state`, the binary signed in as the owner where the
    /// organization lives (`sign_in_at`: `None` for a personal account).
    async fn new(state: State, sign_in_at: Option<At>) -> Case {
        let env = CliEnv::launch(EmulatorConfig::scenario("two-tenants")).await;
        let (t1, t2) = (tenant_id(&env, "Fabrikam"), tenant_id(&env, "Contoso"));
        let org = env.org.clone();
        let (tok, _) = support::sign_in(&env.emu, "ann@fabrikam.com", "consumers", ADO_SCOPE).await;
        let to = match state {
            State::T1 | State::LandedUnfinished => Some(&t1),
            State::T2 => Some(&t2),
            _ => None,
        };
        if let Some(t) = to {
            let r = support::set_tenant(&env.emu, &org, &tok, t).await;
            assert_eq!(r.status(), 200, "set up {state:?}");
        }
        if matches!(state, State::LandedUnfinished | State::NotLandedUnfinished) {
            crashed(&env, &org, &t1);
        }
        let case = Case { env, t1, t2 };
        let at = match sign_in_at {
            Some(At::T1) => Some(case.t1.clone()),
            Some(At::T2) => Some(case.t2.clone()),
            _ => None,
        };
        case.env.login(at.as_deref()).await;
        if at.is_none() {
            // The personal account reads the directories as the owner's
            // work accounts there, as the checks' fix says.
            case.env.login_directory(&case.t1).await;
            case.env.login_directory(&case.t2).await;
        }
        case
    }

    fn form(&self, f: Form) -> String {
        match f {
            Form::Guid => self.t1.clone(),
            Form::DefaultDomain => "fabrikam.onmicrosoft.com".into(),
            Form::CustomDomain => "Fabrikam.com".into(),
            Form::BracedUpper => format!("{{{}}}", self.t1.to_uppercase()),
        }
    }

    async fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let out = self.env.run(args).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("{args:?}: --json must print JSON ({e}): {stdout} {stderr}")
        });
        let all = format!("{stdout}\n{stderr}");
        (out.status.code().unwrap_or(-1), v, all)
    }

    /// The emulator's tenant and organization PATCH count.
    async fn state(&self) -> (At, u64) {
        let st = support::state(&self.env.emu).await;
        let at = match st["org"]["tenant"].as_str() {
            None => At::Personal,
            Some(t) if t == self.t1 => At::T1,
            Some(t) if t == self.t2 => At::T2,
            Some(t) => panic!("unexpected tenant {t}"),
        };
        let patches = st["counters"]["tenant_change_attempts"].as_u64().unwrap();
        (at, patches)
    }

    /// Journal files and how many are finished.
    fn journals(&self) -> (usize, usize) {
        let dir = self.env.home.path().join("journal");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                    .collect()
            })
            .unwrap_or_default();
        let finished = files
            .iter()
            .filter(|p| ado_entra::domain::journal::read(p).is_ok_and(|r| r.finished))
            .count();
        (files.len(), finished)
    }
}

/// A journal as a crash leaves it: a connect to `t1`, intent written, no outcome.
fn crashed(env: &CliEnv, org: &str, t1: &str) {
    let mut w = ado_entra::domain::journal::JournalWriter::create(
        &env.home.path().join("journal"),
        "connect",
        org,
        json!({"op": "connect", "org": org, "to": t1}),
        chrono::Utc::now(),
    )
    .unwrap();
    w.intent("set-tenant", json!({"tenant": t1}), chrono::Utc::now())
        .unwrap();
}

/// What a change command's JSON says it did.
fn kind(v: &Value) -> &'static str {
    if v["error"].is_object() {
        "error"
    } else if v["blocked_by"].is_array() {
        "blocked"
    } else if v["applied"]["already_landed"] == true {
        "already_landed"
    } else if v["applied"].is_object() {
        "applied"
    } else if v["checks"].as_array().is_some_and(|c| !c.is_empty()) {
        "checked"
    } else {
        match v["situation"]["decision"]["decision"].as_str() {
            Some("nothing_to_do") => "nothing_to_do",
            Some("wrong_flow") => "wrong_flow",
            Some("refused") => "refused",
            Some("already_landed") => "already_landed",
            other => panic!("no decision in {v}: {other:?}"),
        }
    }
}

/// Where the owner signs in for a state: where the organization lives.
fn home(state: State) -> Option<At> {
    match state {
        State::T1 | State::LandedUnfinished => Some(At::T1),
        State::T2 => Some(At::T2),
        _ => None,
    }
}

/// Advice that must never appear where `state` makes it wrong.
fn never(state: State, all: &str, what: &str) {
    let connected_to_t1 = matches!(state, State::T1 | State::LandedUnfinished);
    assert!(
        !(connected_to_t1 && all.contains("Remove these users")),
        "{what}: told to remove users from an organization already connected: {all}"
    );
}

/// (state, first run, re-run) for `connect --to T1`.
fn connect_expectations(s: State) -> (Expect, Expect) {
    use At::*;
    match s {
        State::Personal => (e(0, "applied", T1, 1), e(0, "nothing_to_do", T1, 1)),
        State::T1 => (e(0, "nothing_to_do", T1, 1), e(0, "nothing_to_do", T1, 1)),
        State::T2 => (e(0, "applied", T1, 2), e(0, "nothing_to_do", T1, 2)),
        State::LandedUnfinished => (e(0, "already_landed", T1, 1), e(0, "nothing_to_do", T1, 1)),
        State::NotLandedUnfinished => (e(0, "applied", T1, 1), e(0, "nothing_to_do", T1, 1)),
    }
}

/// (state, first run, re-run) for `change-tenant --to T1`.
fn change_expectations(s: State) -> (Expect, Expect) {
    use At::*;
    match s {
        State::Personal => (
            e(2, "wrong_flow", Personal, 0),
            e(2, "wrong_flow", Personal, 0),
        ),
        State::T1 => (e(3, "refused", T1, 1), e(3, "refused", T1, 1)),
        State::T2 => (e(0, "applied", T1, 2), e(3, "refused", T1, 2)),
        State::LandedUnfinished => (e(0, "already_landed", T1, 1), e(3, "refused", T1, 1)),
        // The interrupted run was a connect to T1: it is finished as one.
        State::NotLandedUnfinished => (e(0, "applied", T1, 1), e(3, "refused", T1, 1)),
    }
}

/// (first run, re-run) for `disconnect` (the owner signs in with a work
/// account once connected: the documented precondition refuses it).
fn disconnect_expectations(s: State) -> (Expect, Expect) {
    use At::*;
    match s {
        State::Personal => (
            e(0, "nothing_to_do", Personal, 0),
            e(0, "nothing_to_do", Personal, 0),
        ),
        State::T1 => (e(3, "blocked", T1, 1), e(3, "blocked", T1, 1)),
        State::T2 => (e(3, "blocked", T2, 1), e(3, "blocked", T2, 1)),
        // Another change (a connect to T1) is unfinished: refused, named.
        State::LandedUnfinished => (e(3, "refused", T1, 1), e(3, "refused", T1, 1)),
        State::NotLandedUnfinished => (e(3, "refused", Personal, 0), e(3, "refused", Personal, 0)),
    }
}

/// One cell: start in `state`, run `args` twice, check both runs.
async fn cell(state: State, args: Vec<String>, first: Expect, rerun: Expect) {
    let case = Case::new(state, home(state)).await;
    let label = format!("{state:?} {args:?}");
    let mut argv: Vec<String> = args
        .iter()
        .map(|a| match a.as_str() {
            "{T1}" => case.t1.clone(),
            "{form:Guid}" => case.form(Form::Guid),
            "{form:DefaultDomain}" => case.form(Form::DefaultDomain),
            "{form:CustomDomain}" => case.form(Form::CustomDomain),
            "{form:BracedUpper}" => case.form(Form::BracedUpper),
            other => other.to_string(),
        })
        .collect();
    argv.push("--json".into());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let before = case.journals();
    for (run, want) in [("first run", &first), ("re-run", &rerun)] {
        let (code, v, all) = case.run(&argv).await;
        let what = format!("{label} {run}");
        never(state, &all, &what);
        let (at, patches) = case.state().await;
        let got = Expect {
            code,
            kind: kind(&v),
            at,
            patches,
        };
        assert_eq!(&got, want, "{what}: {v}");
        if v["applied"].is_object() {
            let journal = v["applied"]["journal"].as_str().unwrap();
            let replay = ado_entra::domain::journal::read(std::path::Path::new(journal)).unwrap();
            assert!(replay.finished, "{what}: the journal is finished");
            if matches!(state, State::LandedUnfinished | State::NotLandedUnfinished)
                && run == "first run"
            {
                assert_eq!(
                    case.journals().0,
                    before.0,
                    "{what}: the interrupted run's journal was continued, not a new one"
                );
            }
        }
    }
    // Whatever happened, no unfinished journal is left behind by a run that
    // decided (the crashed one stays until finished or discarded).
    let (files, finished) = case.journals();
    let read_only = args[0] == "check";
    let crashed_left = usize::from(
        matches!(state, State::LandedUnfinished | State::NotLandedUnfinished)
            && (read_only || matches!(first.kind, "refused" | "blocked")),
    );
    assert_eq!(
        files - finished,
        crashed_left,
        "{label}: unfinished journals"
    );
    case.env.emu.shutdown().await;
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Run cells a few at a time (each has its own emulator and state directory).
async fn all(cells: Vec<(State, Vec<String>, Expect, Expect)>) {
    futures_util::stream::iter(cells)
        .map(|(state, args, first, rerun)| cell(state, args, first, rerun))
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}

fn form_arg(f: Form) -> &'static str {
    match f {
        Form::Guid => "{form:Guid}",
        Form::DefaultDomain => "{form:DefaultDomain}",
        Form::CustomDomain => "{form:CustomDomain}",
        Form::BracedUpper => "{form:BracedUpper}",
    }
}

#[tokio::test]
async fn connect_decides_from_the_real_state_for_every_tenant_spelling() {
    let mut cells = Vec::new();
    for state in STATES {
        let (first, rerun) = connect_expectations(state);
        for f in FORMS {
            let args = s(&[
                "connect",
                "--org",
                "fabrikam-move",
                "--to",
                form_arg(f),
                "--yes",
            ]);
            cells.push((state, args, first.clone(), rerun.clone()));
        }
    }
    all(cells).await;
}

#[tokio::test]
async fn change_tenant_decides_from_the_real_state_for_every_tenant_spelling() {
    let mut cells = Vec::new();
    for state in STATES {
        let (first, rerun) = change_expectations(state);
        for f in FORMS {
            let args = s(&[
                "change-tenant",
                "--org",
                "fabrikam-move",
                "--to",
                form_arg(f),
                "--yes",
            ]);
            cells.push((state, args, first.clone(), rerun.clone()));
        }
    }
    all(cells).await;
}

#[tokio::test]
async fn disconnect_decides_from_the_real_state_and_the_owner_precondition() {
    let mut cells = Vec::new();
    for state in STATES {
        let (first, rerun) = disconnect_expectations(state);
        cells.push((
            state,
            s(&["disconnect", "--org", "fabrikam-move", "--yes"]),
            first,
            rerun,
        ));
    }
    // Ann's work address is also a personal account: accepted, it lands
    // once, and the re-run has nothing to do.
    cells.push((
        State::T1,
        s(&[
            "disconnect",
            "--org",
            "fabrikam-move",
            "--yes",
            "--accept-risk",
            "owner-is-personal-account",
        ]),
        e(0, "applied", At::Personal, 2),
        e(0, "nothing_to_do", At::Personal, 2),
    ));
    all(cells).await;
}

#[tokio::test]
async fn check_and_orgs_read_the_state_first_for_every_tenant_spelling() {
    let mut cells = Vec::new();
    for state in STATES {
        let (kind, at, patches) = match state {
            State::Personal | State::NotLandedUnfinished => ("checked", At::Personal, 0),
            State::T1 => ("nothing_to_do", At::T1, 1),
            State::T2 => ("checked", At::T2, 1),
            State::LandedUnfinished => ("already_landed", At::T1, 1),
        };
        let want = e(0, kind, at, patches);
        for f in FORMS {
            let args = s(&["check", "--org", "fabrikam-move", "--to", form_arg(f)]);
            cells.push((state, args, want.clone(), want.clone()));
        }
    }
    all(cells).await;
    // orgs: the tenant by any spelling lists what is connected to it.
    for (state, listed) in [(State::Personal, 0), (State::T1, 1)] {
        let case = Case::new(state, home(state)).await;
        for f in FORMS {
            let t = case.form(f);
            let (code, v, all) = case.run(&["orgs", "--tenant", &t, "--json"]).await;
            assert_eq!(code, 0, "{state:?} {f:?}: {all}");
            assert_eq!(
                v["organizations"].as_array().map(Vec::len),
                Some(listed),
                "{state:?} {f:?}: {v}"
            );
        }
        case.env.emu.shutdown().await;
    }
}

#[tokio::test]
async fn verify_tells_a_wrong_sign_in_from_a_refusal() {
    // (state, where the binary signs in, exit, state, advice it must carry)
    for (state, sign_in, code, verdict) in [
        (State::Personal, None, 0, "works"),
        (State::T1, Some(At::T1), 0, "works"),
        (State::T2, Some(At::T2), 0, "works"),
        (State::T1, None, 3, "wrong_sign_in"),
        (State::T2, Some(At::T1), 3, "wrong_sign_in"),
        (State::Personal, Some(At::T1), 3, "wrong_sign_in"),
    ] {
        let case = Case::new(state, sign_in).await;
        let out = case
            .env
            .run(&["verify", "--org", "fabrikam-move", "--json"])
            .await;
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let what = format!("{state:?} signed in at {sign_in:?}");
        assert_eq!(out.status.code(), Some(code), "{what}: {v}");
        assert_eq!(v["state"], verdict, "{what}: {v}");
        if verdict == "wrong_sign_in" {
            let next = v["next_steps"].to_string();
            let needs = match state {
                State::T1 => case.t1.clone(),
                State::T2 => case.t2.clone(),
                _ => "consumers".into(),
            };
            assert!(
                next.contains(&format!("login --tenant {needs}")),
                "{what}: {next}"
            );
            assert!(
                !next.to_lowercase().contains("disconnect"),
                "{what}: never disconnect for a wrong sign-in: {next}"
            );
        }
        case.env.emu.shutdown().await;
    }
}

#[tokio::test]
async fn an_unfinished_change_to_another_directory_is_named_with_both_ways_out() {
    let case = Case::new(State::NotLandedUnfinished, None).await;
    let (code, v, _) = case
        .run(&["disconnect", "--org", "fabrikam-move", "--yes", "--json"])
        .await;
    assert_eq!(code, 3, "{v}");
    let next = v["next_steps"].to_string();
    assert!(
        next.contains(&format!(
            "ado-entra connect --org fabrikam-move --to {}",
            case.t1
        )),
        "finish it: {next}"
    );
    assert!(
        next.contains("ado-entra journal discard --org fabrikam-move"),
        "{next}"
    );
    // Discarding reads Azure first and closes the journal with the truth.
    let (code, v, all) = case
        .run(&["journal", "discard", "--org", "fabrikam-move", "--json"])
        .await;
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["landed"], false, "{v}");
    assert_eq!(case.journals(), (1, 1));
    let (code, v, _) = case
        .run(&["disconnect", "--org", "fabrikam-move", "--yes", "--json"])
        .await;
    assert_eq!((code, kind(&v)), (0, "nothing_to_do"), "{v}");
    case.env.emu.shutdown().await;
}

#[tokio::test]
async fn audit_reads_the_state_first() {
    // Not connected and no planned directory: a usage error, as JSON.
    let case = Case::new(State::Personal, None).await;
    let (code, v, _) = case
        .run(&["audit", "--org", "fabrikam-move", "--json"])
        .await;
    assert_eq!(code, 2, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("--to"),
        "{v}"
    );
    // A planned directory by any spelling: audited against its id.
    for f in FORMS {
        let t = case.form(f);
        let (code, v, _) = case
            .run(&["audit", "--org", "fabrikam-move", "--to", &t, "--json"])
            .await;
        assert!(matches!(code, 0 | 3), "{f:?}: {v}");
        assert_eq!(v["tenant"], case.t1.as_str(), "{f:?}: {v}");
    }
    case.env.emu.shutdown().await;
    // Connected: audited as it is, in its own directory.
    let case = Case::new(State::T1, Some(At::T1)).await;
    let (code, v, _) = case
        .run(&["audit", "--org", "fabrikam-move", "--json"])
        .await;
    assert!(matches!(code, 0 | 3), "{v}");
    assert_eq!(v["tenant"], case.t1.as_str(), "{v}");
    assert!(v["findings"].is_array(), "{v}");
    case.env.emu.shutdown().await;
}

#[tokio::test]
async fn a_second_process_refuses_at_once_while_the_organization_is_locked() {
    let case = Case::new(State::Personal, None).await;
    // Another ado-entra holds the lock (as a running connect would).
    let lock = ado_entra::ops::lock::OrgLock::acquire(
        &case.env.home.path().join("locks"),
        "fabrikam-move",
        "ado-entra connect --org fabrikam-move --to fabrikam.com",
    )
    .unwrap();
    let t1 = case.t1.clone();
    for args in [
        vec![
            "connect",
            "--org",
            "fabrikam-move",
            "--to",
            t1.as_str(),
            "--yes",
        ],
        vec!["disconnect", "--org", "fabrikam-move", "--yes"],
        vec!["resolve", "--org", "fabrikam-move", "--resume"],
    ] {
        let mut argv = args.clone();
        argv.push("--json");
        let (code, v, all) = case.run(&argv).await;
        assert_eq!(code, 3, "{args:?}: {all}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains(&std::process::id().to_string())
                && msg.contains("ado-entra connect --org fabrikam-move --to fabrikam.com"),
            "{args:?}: names the holder: {msg}"
        );
        assert!(msg.contains("nothing was changed"), "{msg}");
    }
    assert_eq!(case.state().await, (At::Personal, 0), "nothing was sent");
    drop(lock);
    let (code, v, _) = case
        .run(&[
            "connect",
            "--org",
            "fabrikam-move",
            "--to",
            &t1,
            "--yes",
            "--json",
        ])
        .await;
    assert_eq!((code, kind(&v)), (0, "applied"), "{v}");
    case.env.emu.shutdown().await;
}

#[tokio::test]
async fn two_connects_started_together_change_the_organization_once() {
    let case = Case::new(State::Personal, None).await;
    // Slow answers keep the first run inside its lock while the second starts.
    case.env.faults(&["latency:ms=40"]).await;
    let t1 = case.t1.clone();
    let args = [
        "connect",
        "--org",
        "fabrikam-move",
        "--to",
        t1.as_str(),
        "--yes",
        "--json",
    ];
    let (a, b) = tokio::join!(case.env.run(&args), case.env.run(&args));
    let mut outcomes = Vec::new();
    for out in [a, b] {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let k = if v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is changing 'fabrikam-move' right now"))
        {
            "locked"
        } else {
            kind(&v)
        };
        outcomes.push((out.status.code().unwrap(), k));
    }
    outcomes.sort();
    // One lands; the other found it locked or already done: never twice.
    assert!(
        outcomes == [(0, "applied"), (0, "nothing_to_do")]
            || outcomes == [(0, "applied"), (3, "locked")],
        "{outcomes:?}"
    );
    assert_eq!(case.state().await, (At::T1, 1), "one organization PATCH");
    let (files, finished) = case.journals();
    assert_eq!((files, finished), (1, 1), "one journal, finished");
    case.env.emu.shutdown().await;
}

#[tokio::test]
async fn resolve_with_a_wrong_sign_in_says_where_to_sign_in() {
    let case = Case::new(State::T1, None).await;
    let (code, v, _) = case
        .run(&["resolve", "--org", "fabrikam-move", "--json"])
        .await;
    assert_eq!(code, 1, "{v}");
    let next = v["error"]["next_step"].as_str().unwrap_or_default();
    assert_eq!(next, format!("ado-entra login --tenant {}", case.t1), "{v}");
    assert!(
        !v.to_string().contains("sign in first: ado-entra login\""),
        "not a bare 'sign in first': {v}"
    );
    case.env.emu.shutdown().await;
}

#[tokio::test]
async fn a_connect_whose_answer_is_lost_is_settled_by_reading_azure_not_resent() {
    for fault in [
        "drop:every=1,after=1,method=PATCH,path=Organizations",
        "malformed:every=1,after=1,method=PATCH,path=Organizations",
    ] {
        let case = Case::new(State::Personal, None).await;
        case.env.faults(&[fault]).await;
        let t1 = case.t1.clone();
        let (code, v, all) = case
            .run(&[
                "connect",
                "--org",
                "fabrikam-move",
                "--to",
                &t1,
                "--yes",
                "--json",
            ])
            .await;
        assert_eq!((code, kind(&v)), (0, "applied"), "{fault}: {all}");
        assert_eq!(case.state().await, (At::T1, 1), "{fault}: sent once");
        let journal = v["applied"]["journal"].as_str().unwrap();
        let text = std::fs::read_to_string(journal).unwrap();
        assert!(text.contains("\"landed\":true"), "{fault}: {text}");
        assert!(
            ado_entra::domain::journal::read(std::path::Path::new(journal))
                .unwrap()
                .finished
        );
        case.env.emu.shutdown().await;
    }
}
