//! Screen-by-screen transitions: keys and results in, effects out.

use super::resolve;
use super::welcome::{self, Flow};
use super::*;
use crate::domain::diagnose::KnowledgeBase;

/// The page that still lets an owner in while the organization refuses them (seed 000).
pub const RECOVERY_URL: &str = "https://aex.dev.azure.com/me";

pub(super) fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    state.status = None;
    // Take the screen out so handlers can replace it while reading the rest of the state.
    let screen = std::mem::replace(&mut state.screen, Screen::Done(DoneScreen { scroll: 0 }));
    let (screen, effects) = match screen {
        Screen::Welcome(mut w) => {
            if key == Key::Enter {
                start_flow(state, w.selected_flow(), Screen::Welcome(w))
            } else {
                welcome::on_key(&mut w, key);
                (Screen::Welcome(w), vec![])
            }
        }
        Screen::SignIn(s) => sign_in_key(state, s, key),
        Screen::PickOrg(p) => pick_org_key(state, p, key),
        Screen::PickTenant(p) => pick_tenant_key(state, p, key),
        Screen::Prereqs(p) => prereqs_key(state, p, key),
        Screen::Plan(p) => plan_key(state, p, key),
        Screen::Confirm(c) => confirm_key(state, c, key),
        Screen::Apply(a) => match (a, key) {
            // The change may or may not be in place: read the state again.
            (ApplyScreen::Failed(_), Key::Enter) => run_checks(state),
            (a, _) => (Screen::Apply(a), vec![]),
        },
        Screen::Verify(v) => verify_key(state, v, key),
        Screen::Resolve(mut r) => match r.on_key(key, &mut state.status) {
            resolve::Outcome::Stay(fx) => (Screen::Resolve(r), fx),
            resolve::Outcome::Leave => {
                if let resolve::Phase::Finished(s) = &r.phase {
                    state.session.resolved = Some(s.clone());
                }
                (Screen::Done(DoneScreen { scroll: 0 }), vec![])
            }
        },
        Screen::Diagnosis(d) => match key {
            // A wrong sign-in signs in again where the organization lives.
            Key::Enter => match &d.access {
                crate::domain::verify::Access::WrongSignIn { needs } => {
                    let tenant = needs
                        .as_ref()
                        .map_or_else(|| "consumers".to_string(), |t| t.to_string());
                    verify_in(state, Some(tenant))
                }
                _ => verify_again(state),
            },
            Key::Char('o') if d.access == crate::domain::verify::Access::OwnerLockedOut => (
                Screen::Diagnosis(d),
                vec![Effect::OpenBrowser(RECOVERY_URL.into())],
            ),
            _ => (Screen::Diagnosis(d), vec![]),
        },
        Screen::Done(mut d) => match key {
            k if k.is_up() => {
                d.scroll = d.scroll.saturating_sub(1);
                (Screen::Done(d), vec![])
            }
            k if k.is_down() => {
                d.scroll = d.scroll.saturating_add(1);
                (Screen::Done(d), vec![])
            }
            Key::Char('a') => {
                state.status = Some("Auditing service connections, PATs and policies…".into());
                (
                    Screen::Done(d),
                    vec![Effect::Audit {
                        org: state.session.org.clone().unwrap_or_default(),
                    }],
                )
            }
            Key::Char('r') if state.session.org.is_some() => {
                open_resolve(state.session.org.clone().unwrap_or_default())
            }
            Key::Char('e') => (
                Screen::Done(d),
                vec![Effect::ExportChecklist {
                    markdown: checklist_markdown(&state.session, &state.env),
                }],
            ),
            Key::Enter => {
                let identity = state.session.identity.take();
                state.session = Session {
                    identity,
                    ..Session::default()
                };
                (Screen::Welcome(Welcome::default()), vec![])
            }
            _ => (Screen::Done(d), vec![]),
        },
    };
    state.screen = screen;
    count_pending(state, &effects);
    effects
}

/// Effects that produce a result message count as in flight until it arrives.
fn count_pending(state: &mut State, effects: &[Effect]) {
    for e in effects {
        if matches!(
            e,
            Effect::SignIn { .. }
                | Effect::LoadOrgs
                | Effect::LoadTenants { .. }
                | Effect::RunChecks { .. }
                | Effect::Apply { .. }
                | Effect::SignOutAndVerify { .. }
                | Effect::Audit { .. }
                | Effect::LoadResolve { .. }
                | Effect::SearchDirectory { .. }
                | Effect::ApplyResolve { .. }
        ) {
            state.pending += 1;
        }
        if matches!(e, Effect::CancelSignIn) {
            state.pending = state.pending.saturating_sub(1);
        }
    }
}

fn done_one(state: &mut State) {
    state.pending = state.pending.saturating_sub(1);
}

fn start_flow(state: &mut State, flow: Flow, _back: Screen) -> (Screen, Vec<Effect>) {
    let op = Operation::from_flow(flow);
    state.session.resolve_only = op.is_none();
    state.session.operation = op;
    if state.session.identity.is_some() {
        to_pick_org(state)
    } else {
        sign_in()
    }
}

fn sign_in() -> (Screen, Vec<Effect>) {
    (
        Screen::SignIn(SignInScreen {
            phase: SignInPhase::Starting,
        }),
        vec![Effect::SignIn { tenant: None }],
    )
}

fn to_pick_org(state: &State) -> (Screen, Vec<Effect>) {
    match &state.session.orgs {
        Some(list) => (
            Screen::PickOrg(PickOrg {
                selected: preselect(list, state.session.org.as_ref().or(state.env.org.as_ref())),
                orgs: Loadable::Ready(list.clone()),
                input: None,
                error: None,
            }),
            vec![],
        ),
        None => (
            Screen::PickOrg(PickOrg {
                orgs: Loadable::Loading,
                selected: 0,
                input: None,
                error: None,
            }),
            vec![Effect::LoadOrgs],
        ),
    }
}

fn preselect(list: &[String], want: Option<&String>) -> usize {
    want.and_then(|w| list.iter().position(|o| o.eq_ignore_ascii_case(w)))
        .unwrap_or(0)
}

fn sign_in_key(state: &mut State, s: SignInScreen, key: Key) -> (Screen, Vec<Effect>) {
    match (&s.phase, key) {
        (_, Key::Esc) => {
            let fx = if matches!(s.phase, SignInPhase::Failed(_)) {
                vec![]
            } else {
                vec![Effect::CancelSignIn]
            };
            (Screen::Welcome(Welcome::default()), fx)
        }
        (SignInPhase::Failed(_), Key::Enter) => sign_in(),
        (SignInPhase::Prompt { prompt, .. }, Key::Enter) => {
            let uri = prompt.verification_uri.clone();
            (Screen::SignIn(s), vec![Effect::OpenBrowser(uri)])
        }
        (SignInPhase::Prompt { prompt, .. }, Key::Char('c')) => {
            let code = prompt.user_code.clone();
            state.status = Some("Code copied to the clipboard".into());
            (Screen::SignIn(s), vec![Effect::Copy(code)])
        }
        _ => (Screen::SignIn(s), vec![]),
    }
}

fn pick_org_key(state: &mut State, mut p: PickOrg, key: Key) -> (Screen, Vec<Effect>) {
    if let Some(input) = p.input.as_mut() {
        match key {
            Key::Char(c) => {
                input.push(c);
                p.error = None;
            }
            Key::Backspace => {
                input.pop();
                p.error = None;
            }
            Key::Esc => {
                p.input = None;
                p.error = None;
            }
            Key::Enter => match validate_org_input(input) {
                Ok(org) => return choose_org(state, org),
                Err(e) => p.error = Some(e),
            },
            _ => {}
        }
        return (Screen::PickOrg(p), vec![]);
    }
    let count = match &p.orgs {
        Loadable::Ready(list) => list.len(),
        _ => 0,
    };
    match key {
        Key::Esc => (Screen::Welcome(Welcome::default()), vec![]),
        Key::Char('t') => {
            p.input = Some(String::new());
            (Screen::PickOrg(p), vec![])
        }
        Key::Char('r') if matches!(p.orgs, Loadable::Failed(_)) => {
            p.orgs = Loadable::Loading;
            (Screen::PickOrg(p), vec![Effect::LoadOrgs])
        }
        k if move_selection(&mut p.selected, count, k) => (Screen::PickOrg(p), vec![]),
        Key::Enter => match &p.orgs {
            Loadable::Ready(list) if !list.is_empty() => {
                let org = list[p.selected.min(list.len() - 1)].clone();
                choose_org(state, org)
            }
            _ => {
                p.input = Some(String::new());
                (Screen::PickOrg(p), vec![])
            }
        },
        _ => (Screen::PickOrg(p), vec![]),
    }
}

/// The Resolve screen for `org`, loading.
fn open_resolve(org: String) -> (Screen, Vec<Effect>) {
    (
        Screen::Resolve(Box::new(ResolveScreen::loading(&org))),
        vec![Effect::LoadResolve { org }],
    )
}

fn choose_org(state: &mut State, org: String) -> (Screen, Vec<Effect>) {
    state.session.org = Some(org.clone());
    state.session.report = None;
    if state.session.resolve_only {
        return open_resolve(org);
    }
    let op = state.session.operation.unwrap_or(Operation::CheckOnly);
    if op.needs_destination() {
        (
            Screen::PickTenant(PickTenant::default()),
            vec![Effect::LoadTenants { org }],
        )
    } else {
        state.session.destination = None;
        run_checks(state)
    }
}

fn run_checks(state: &State) -> (Screen, Vec<Effect>) {
    let org = state.session.org.clone().unwrap_or_default();
    (
        Screen::Prereqs(Prereqs {
            report: Loadable::Loading,
            progress: None,
            selected: 0,
        }),
        vec![Effect::RunChecks {
            op: state.session.operation.unwrap_or(Operation::CheckOnly),
            org,
            tenant: state.session.destination.as_ref().map(|t| t.id.clone()),
        }],
    )
}

fn pick_tenant_key(state: &mut State, mut p: PickTenant, key: Key) -> (Screen, Vec<Effect>) {
    if let Some(input) = p.input.as_mut() {
        match key {
            Key::Char(c) => {
                input.push(c);
                p.error = None;
            }
            Key::Backspace => {
                input.pop();
                p.error = None;
            }
            Key::Esc => {
                p.input = None;
                p.error = None;
            }
            Key::Enter => match crate::domain::validate::parse_tenant(input) {
                Ok(t) => {
                    // Resolved to its id by the checks, before anything else.
                    state.session.destination = Some(TenantInfo {
                        id: t.to_string(),
                        display_name: t.to_string(),
                        domain: String::new(),
                    });
                    return run_checks(state);
                }
                Err(e) => p.error = Some(e.to_string()),
            },
            _ => {}
        }
        return (Screen::PickTenant(p), vec![]);
    }
    let count = match &p.tenants {
        Loadable::Ready(list) => list.len(),
        _ => 0,
    };
    match key {
        Key::Esc => to_pick_org(state),
        Key::Char('t') => {
            p.input = Some(String::new());
            (Screen::PickTenant(p), vec![])
        }
        k if move_selection(&mut p.selected, count, k) => (Screen::PickTenant(p), vec![]),
        Key::Enter => match &p.tenants {
            Loadable::Ready(list) if !list.is_empty() => {
                state.session.destination = Some(list[p.selected.min(list.len() - 1)].clone());
                run_checks(state)
            }
            Loadable::Failed(_) => {
                let org = state.session.org.clone().unwrap_or_default();
                p.tenants = Loadable::Loading;
                (Screen::PickTenant(p), vec![Effect::LoadTenants { org }])
            }
            _ => (Screen::PickTenant(p), vec![]),
        },
        _ => (Screen::PickTenant(p), vec![]),
    }
}

fn prereqs_key(state: &mut State, mut p: Prereqs, key: Key) -> (Screen, Vec<Effect>) {
    let count = match &p.report {
        Loadable::Ready(r) => r.checks.len(),
        _ => 0,
    };
    let op = state.session.operation.unwrap_or(Operation::CheckOnly);
    match key {
        Key::Esc if !matches!(p.report, Loadable::Loading) => {
            if op.needs_destination() {
                (
                    Screen::PickTenant(PickTenant::default()),
                    vec![Effect::LoadTenants {
                        org: state.session.org.clone().unwrap_or_default(),
                    }],
                )
            } else {
                to_pick_org(state)
            }
        }
        Key::Char('r') if !matches!(p.report, Loadable::Loading) => run_checks(state),
        k if move_selection(&mut p.selected, count, k) => (Screen::Prereqs(p), vec![]),
        Key::Enter => match &p.report {
            Loadable::Ready(r) if !r.is_change() => match r.situation.kind {
                SituationKind::AlreadyLanded => apply_now(state, Vec::new()),
                SituationKind::WrongFlow => {
                    // The one other flow that fits: a connect.
                    state.session.operation = Some(Operation::Connect);
                    run_checks(state)
                }
                SituationKind::Refused => {
                    state.status = Some(format!("{} Esc goes back.", r.situation.message));
                    (Screen::Prereqs(p), vec![])
                }
                _ => (Screen::Done(DoneScreen { scroll: 0 }), vec![]),
            },
            Loadable::Ready(_) if op == Operation::CheckOnly => {
                (Screen::Done(DoneScreen { scroll: 0 }), vec![])
            }
            Loadable::Ready(r) if r.blocked() => {
                state.status = Some(
                    "A failed check blocks this step: apply its fix, then press r to re-run."
                        .into(),
                );
                (Screen::Prereqs(p), vec![])
            }
            Loadable::Ready(_) => (Screen::Plan(PlanScreen { scroll: 0 }), vec![]),
            Loadable::Failed(_) => run_checks(state),
            Loadable::Loading => (Screen::Prereqs(p), vec![]),
        },
        _ => (Screen::Prereqs(p), vec![]),
    }
}

/// Up/down (and j/k, Tab) through a list of `count` items, wrapping. Returns
/// false when `key` is not a movement key or the list is empty.
fn move_selection(selected: &mut usize, count: usize, key: Key) -> bool {
    if count == 0 {
        return false;
    }
    if key.is_up() {
        *selected = (*selected + count - 1) % count;
    } else if key.is_down() {
        *selected = (*selected + 1) % count;
    } else {
        return false;
    }
    true
}

fn prereqs_from_session(state: &State) -> Screen {
    Screen::Prereqs(Prereqs {
        report: match &state.session.report {
            Some(r) => Loadable::Ready(r.clone()),
            None => Loadable::Loading,
        },
        progress: None,
        selected: 0,
    })
}

fn plan_key(state: &mut State, mut p: PlanScreen, key: Key) -> (Screen, Vec<Effect>) {
    match key {
        Key::Esc => (prereqs_from_session(state), vec![]),
        k if k.is_up() => {
            p.scroll = p.scroll.saturating_sub(1);
            (Screen::Plan(p), vec![])
        }
        k if k.is_down() => {
            p.scroll = p.scroll.saturating_add(1);
            (Screen::Plan(p), vec![])
        }
        Key::PageDown => {
            p.scroll = p.scroll.saturating_add(10);
            (Screen::Plan(p), vec![])
        }
        Key::PageUp => {
            p.scroll = p.scroll.saturating_sub(10);
            (Screen::Plan(p), vec![])
        }
        Key::Enter => {
            state.session.accepted_risks.clear();
            (
                Screen::Confirm(Confirm {
                    risks: state
                        .session
                        .report
                        .as_ref()
                        .map(|r| r.accept.clone())
                        .unwrap_or_default(),
                    ..Confirm::default()
                }),
                vec![],
            )
        }
        _ => (Screen::Plan(p), vec![]),
    }
}

fn confirm_key(state: &mut State, mut c: Confirm, key: Key) -> (Screen, Vec<Effect>) {
    match key {
        Key::Esc => (Screen::Plan(PlanScreen { scroll: 0 }), vec![]),
        Key::Char(ch) => {
            c.typed.push(ch);
            c.mismatch = false;
            (Screen::Confirm(c), vec![])
        }
        Key::Backspace => {
            c.typed.pop();
            c.mismatch = false;
            (Screen::Confirm(c), vec![])
        }
        Key::Enter if !c.risks.is_empty() => {
            if c.risks[0].matches(&c.typed) {
                let risk = c.risks.remove(0);
                state.session.accepted_risks.push(risk.id);
                c.typed.clear();
                c.mismatch = false;
            } else {
                c.mismatch = true;
            }
            (Screen::Confirm(c), vec![])
        }
        Key::Enter => {
            let org = state.session.org.clone().unwrap_or_default();
            if !org.is_empty() && c.typed.trim().eq_ignore_ascii_case(&org) {
                let accepted = state.session.accepted_risks.clone();
                apply_now(state, accepted)
            } else {
                c.mismatch = true;
                (Screen::Confirm(c), vec![])
            }
        }
        _ => (Screen::Confirm(c), vec![]),
    }
}

/// Make the change (or record one that had already landed).
fn apply_now(state: &State, accepted: Vec<String>) -> (Screen, Vec<Effect>) {
    (
        Screen::Apply(ApplyScreen::Running { last: None }),
        vec![Effect::Apply {
            op: state.session.operation.unwrap_or(Operation::CheckOnly),
            org: state.session.org.clone().unwrap_or_default(),
            tenant: state.session.destination.as_ref().map(|t| t.id.clone()),
            accepted,
        }],
    )
}

fn verify_again(state: &mut State) -> (Screen, Vec<Effect>) {
    let tenant = match state.session.operation {
        // After a disconnect, the owner signs in with a personal account.
        Some(Operation::Disconnect) => Some("consumers".to_string()),
        _ => state.session.destination.as_ref().map(|t| t.id.clone()),
    };
    verify_in(state, tenant)
}

/// Drop the tokens, sign in afresh at `tenant` and verify.
fn verify_in(state: &mut State, tenant: Option<String>) -> (Screen, Vec<Effect>) {
    state.session.verified = None;
    (
        Screen::Verify(VerifyScreen::SigningIn {
            prompt: None,
            received_ms: state.now_ms,
        }),
        vec![Effect::SignOutAndVerify {
            org: state.session.org.clone().unwrap_or_default(),
            tenant,
        }],
    )
}

fn verify_key(state: &mut State, v: VerifyScreen, key: Key) -> (Screen, Vec<Effect>) {
    match (&v, key) {
        (VerifyScreen::Failed(_), Key::Enter) => verify_again(state),
        (
            VerifyScreen::SigningIn {
                prompt: Some(p), ..
            },
            Key::Enter,
        ) => {
            let uri = p.verification_uri.clone();
            (Screen::Verify(v), vec![Effect::OpenBrowser(uri)])
        }
        (
            VerifyScreen::SigningIn {
                prompt: Some(p), ..
            },
            Key::Char('c'),
        ) => {
            let code = p.user_code.clone();
            state.status = Some("Code copied to the clipboard".into());
            (Screen::Verify(v), vec![Effect::Copy(code)])
        }
        _ => (Screen::Verify(v), vec![]),
    }
}

/// Results from the runtime.
pub(super) fn on_result(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::SignInPrompt(prompt) => match &mut state.screen {
            Screen::SignIn(s) => {
                s.phase = SignInPhase::Prompt {
                    prompt,
                    received_ms: state.now_ms,
                }
            }
            Screen::Verify(VerifyScreen::SigningIn {
                prompt: p,
                received_ms,
            }) => {
                *p = Some(prompt);
                *received_ms = state.now_ms;
            }
            _ => {}
        },
        Msg::SignedIn(result) => {
            done_one(state);
            match result {
                Ok(identity) => {
                    state.session.identity = Some(identity);
                    if matches!(state.screen, Screen::SignIn(_)) {
                        let (screen, fx) = to_pick_org(state);
                        state.screen = screen;
                        effects = fx;
                    }
                }
                Err(e) => {
                    if let Screen::SignIn(s) = &mut state.screen {
                        s.phase = SignInPhase::Failed(e);
                    }
                }
            }
        }
        Msg::OrgsLoaded(result) => {
            done_one(state);
            if let Ok(list) = &result {
                state.session.orgs = Some(list.clone());
            }
            if let Screen::PickOrg(p) = &mut state.screen {
                match result {
                    Ok(list) => {
                        p.selected = preselect(&list, state.env.org.as_ref());
                        if list.is_empty() {
                            p.input = Some(state.env.org.clone().unwrap_or_default());
                            p.error = Some(
                                "Your account is not a member of any organization; type its name."
                                    .into(),
                            );
                        }
                        p.orgs = Loadable::Ready(list);
                    }
                    Err(e) => p.orgs = Loadable::Failed(e),
                }
            }
        }
        Msg::TenantsLoaded(result) => {
            done_one(state);
            if let Screen::PickTenant(p) = &mut state.screen {
                p.tenants = match result {
                    Ok(list) => {
                        p.selected = state
                            .session
                            .destination
                            .as_ref()
                            .and_then(|d| list.iter().position(|t| t.id == d.id))
                            .unwrap_or(0);
                        Loadable::Ready(list)
                    }
                    Err(e) => Loadable::Failed(e),
                };
            }
        }
        Msg::ChecksProgress { done, total, label } => {
            if let Screen::Prereqs(p) = &mut state.screen {
                p.progress = Some((done, total, label));
            }
        }
        Msg::ChecksDone(result) => {
            done_one(state);
            if let Ok(r) = &result {
                state.session.report = Some(r.clone());
                // The directory as resolved (a typed domain becomes its id).
                if let Some(d) = &r.destination {
                    state.session.destination = Some(d.clone());
                }
            }
            if let Screen::Prereqs(p) = &mut state.screen {
                p.progress = None;
                p.report = match result {
                    Ok(r) => {
                        // Start on the first failure, else the first warning.
                        p.selected = r
                            .checks
                            .iter()
                            .position(|c| c.status == CheckStatus::Fail)
                            .or_else(|| r.checks.iter().position(|c| c.status == CheckStatus::Warn))
                            .unwrap_or(0);
                        Loadable::Ready(r)
                    }
                    Err(e) => Loadable::Failed(e),
                };
            }
        }
        Msg::ApplyProgress(step) => {
            if let Screen::Apply(ApplyScreen::Running { last }) = &mut state.screen {
                *last = Some(step);
            }
        }
        Msg::Applied(result) => {
            done_one(state);
            match result {
                Ok(report) => {
                    state.session.applied = Some(report);
                    let (screen, fx) = verify_again(state);
                    state.screen = screen;
                    effects = fx;
                }
                Err(e) => state.screen = Screen::Apply(ApplyScreen::Failed(e)),
            }
        }
        Msg::Verified(result) => {
            done_one(state);
            match result {
                Ok(report) if report.ok() => {
                    state.session.identity = Some(report.identity.clone());
                    state.session.verified = Some(report);
                    let disconnected = state
                        .session
                        .report
                        .as_ref()
                        .is_some_and(|r| !r.plan.disconnected.is_empty());
                    let connected = state
                        .session
                        .operation
                        .is_some_and(|o| o.needs_destination());
                    if disconnected && connected {
                        let (screen, fx) =
                            open_resolve(state.session.org.clone().unwrap_or_default());
                        state.screen = screen;
                        effects = fx;
                    } else {
                        state.screen = Screen::Done(DoneScreen { scroll: 0 });
                    }
                }
                Ok(report) => {
                    state.session.identity = Some(report.identity.clone());
                    state.screen = Screen::Diagnosis(diagnose(&state.session, report));
                }
                Err(e) => state.screen = Screen::Verify(VerifyScreen::Failed(e)),
            }
        }
        Msg::Exported(result) => match result {
            Ok(path) => {
                state.status = Some(format!("Checklist written to {path}"));
                state.session.exported = Some(path);
            }
            Err(e) => state.status = Some(format!("Could not export: {}", e.message)),
        },
        Msg::Audited(result) => {
            done_one(state);
            state.status = Some(match &result {
                Ok(rows) => format!(
                    "Audit: {} finding(s) to review below",
                    rows.iter()
                        .filter(|r| r.status != CheckStatus::Pass && r.status != CheckStatus::Skip)
                        .count()
                ),
                Err(e) => format!("Audit failed: {}", e.message),
            });
            state.session.audit = Some(result);
        }
        Msg::ResolveLoaded(result) => {
            done_one(state);
            if let Screen::Resolve(r) = &mut state.screen {
                r.loaded(result);
            }
        }
        Msg::DirectorySearched { query, result } => {
            done_one(state);
            if let Screen::Resolve(r) = &mut state.screen {
                r.searched(&query, result);
            }
        }
        Msg::ResolveProgress(p) => {
            if let Screen::Resolve(r) = &mut state.screen {
                r.progress(p);
            }
        }
        Msg::ResolveApplied(result) => {
            done_one(state);
            if let Ok(s) = &result {
                state.session.resolved = Some(s.clone());
            }
            if let Screen::Resolve(r) = &mut state.screen {
                r.applied(result);
            }
        }
        Msg::ResolveExported(result) => {
            state.status = Some(match result {
                Ok(path) => format!("Plan written to {path}"),
                Err(e) => format!("Could not export: {}", e.message),
            });
        }
        Msg::Key(_) | Msg::Tick { .. } | Msg::Throttled { .. } => {}
    }
    count_pending(state, &effects);
    effects
}

/// What a refused verification means and what to do, by what the probes
/// showed: a wrong sign-in is told to sign in again and nothing else; only
/// the owner refused while the profile answers is the lockout, whose
/// recovery (the knowledge base's steps) may mean disconnecting.
fn diagnose(session: &Session, report: VerifyReport) -> Diagnosis {
    use crate::domain::verify::Access;
    let org = session.org.clone().unwrap_or_default();
    let error = report
        .failure
        .clone()
        .unwrap_or_else(|| ErrorView::msg("The organization did not answer every probe."));
    let kb = KnowledgeBase::builtin();
    let mut steps = Vec::new();
    match &report.access {
        Access::WrongSignIn { .. } => {
            if let Some(cmd) = report.access.sign_in_command() {
                steps.push(format!(
                    "You are signed in as {} in another directory than the organization's. \
                     Press Enter to sign in again there (the same as `{cmd}`); nothing else \
                     is wrong.",
                    report.identity.upn
                ));
            }
        }
        Access::OwnerLockedOut => {
            if error.code.as_deref() == Some("TF401444")
                && let Some(e) = kb.get("TF401444")
            {
                steps.extend(e.fix.iter().cloned());
            }
            if let Some(e) = kb.get("lockout-after-connect") {
                steps.extend(e.fix.iter().cloned());
            }
        }
        Access::NoAccess => {
            let who = report
                .owner
                .as_deref()
                .map(|o| format!("the owner ({o}) or a Project Collection Administrator"))
                .unwrap_or_else(|| "its owner or a Project Collection Administrator".into());
            steps.push(format!(
                "'{org}' does not let {} in. Ask {who} to add this account in Organization \
                 settings > Users, then press Enter to verify again.",
                report.identity.upn
            ));
        }
        Access::Missing => steps.push(format!(
            "There is no organization named '{org}': check the spelling (the part after dev.azure.com/)."
        )),
        Access::Works | Access::Unknown => steps.push(
            "The organization answered with an error; press Enter to verify again.".into(),
        ),
    }
    Diagnosis {
        error,
        probes: report.probes,
        steps,
        access: report.access,
    }
}

/// Organization name as typed or pasted: a bare name or a dev.azure.com /
/// visualstudio.com URL. Returns the bare name or what is wrong with it (the
/// rules are the domain's, checked before any request is sent).
pub fn validate_org_input(input: &str) -> Result<String, String> {
    crate::domain::validate::parse_org_name(input).map_err(|e| e.to_string())
}

/// The checklist to send users after the change, as Markdown.
pub fn checklist_markdown(session: &Session, env: &Environment) -> String {
    let org = session
        .org
        .clone()
        .or_else(|| env.org.clone())
        .unwrap_or_else(|| "the organization".into());
    let verb = match session.operation {
        Some(op) => op.verb(),
        None if session.resolve_only => "resolve disconnected users",
        None => Operation::CheckOnly.verb(),
    };
    let mut md = format!("# Azure DevOps organization `{org}`: {verb}\n\n");
    if let Some(d) = &session.destination {
        md.push_str(&format!(
            "Directory: **{}** ({}, `{}`)\n\n",
            d.display_name, d.domain, d.id
        ));
    }
    if let Some(a) = &session.applied {
        md.push_str(&format!("{}\n\nJournal: `{}`\n\n", a.summary, a.journal));
    }
    if let Some(r) = &session.resolved {
        md.push_str(&format!(
            "Disconnected users: {}.\n\nResolve journal: `{}`\n\n",
            r.line(),
            r.journal
        ));
    }
    if let Some(v) = &session.verified {
        md.push_str(&format!(
            "Verified with a fresh sign-in as {} (tenant `{}`).\n\n",
            v.identity.upn, v.identity.tenant_id
        ));
    }
    if let Some(r) = &session.report {
        md.push_str("## What changed\n\n");
        for c in &r.plan.changes {
            md.push_str(&format!("- {c}\n"));
        }
        md.push_str("\n## What every user must do\n\n");
        for (i, s) in r.plan.afterwards.iter().enumerate() {
            md.push_str(&format!("{}. {s}\n", i + 1));
        }
        if !r.plan.disconnected.is_empty() {
            md.push_str("\n## Users to map or invite\n\n");
            for u in &r.plan.disconnected {
                md.push_str(&format!("- [ ] {u}\n"));
            }
        }
    }
    md
}
