//! Flow tests: walk the wizard through every path with messages only.

use super::*;

fn state() -> State {
    State::new(Environment::azure(), true)
}

fn key(s: &mut State, k: Key) -> Vec<Effect> {
    update(s, Msg::Key(k))
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, Key::Char(c));
    }
}

fn identity() -> Identity {
    Identity {
        upn: "owner@contoso.com".into(),
        display_name: "Owner".into(),
        tenant_id: "9188040d-6c67-4c5b-b112-36a304b66dad".into(),
    }
}

fn tenant() -> TenantInfo {
    TenantInfo {
        id: "11111111-1111-1111-1111-111111111111".into(),
        display_name: "Contoso".into(),
        domain: "contoso.onmicrosoft.com".into(),
    }
}

fn report(fail: bool) -> ChecksReport {
    ChecksReport {
        checks: vec![
            CheckRow {
                id: "caller-is-admin".into(),
                status: CheckStatus::Pass,
                title: "You are a Project Collection Administrator".into(),
                evidence: vec![],
                fix: None,
            },
            CheckRow {
                id: "lockout-proof".into(),
                status: if fail {
                    CheckStatus::Fail
                } else {
                    CheckStatus::Pass
                },
                title: "The owner keeps access".into(),
                evidence: vec!["owner@outlook.com maps to no member UPN".into()],
                fix: Some("Add the owner to the directory as a member".into()),
            },
        ],
        access: vec![],
        plan: PlanView {
            changes: vec!["Organization fabrikam will use directory Contoso".into()],
            disconnected: vec!["bob@outlook.com".into()],
            afterwards: vec!["Sign out and sign in with your work account".into()],
        },
    }
}

/// Welcome → sign in → org → tenant → prerequisites, as for a connect.
fn to_prereqs(s: &mut State) {
    assert_eq!(key(s, Key::Enter), vec![Effect::SignIn { tenant: None }]);
    update(
        s,
        Msg::SignInPrompt(DeviceCodePrompt {
            verification_uri: "https://microsoft.com/devicelogin".into(),
            user_code: "ABCD-EFGH".into(),
            expires_in_secs: 900,
        }),
    );
    assert_eq!(
        key(s, Key::Enter),
        vec![Effect::OpenBrowser(
            "https://microsoft.com/devicelogin".into()
        )]
    );
    assert_eq!(
        key(s, Key::Char('c')),
        vec![Effect::Copy("ABCD-EFGH".into())]
    );
    assert_eq!(
        update(s, Msg::SignedIn(Ok(identity()))),
        vec![Effect::LoadOrgs]
    );
    update(
        s,
        Msg::OrgsLoaded(Ok(vec!["alpha".into(), "fabrikam".into()])),
    );
    key(s, Key::Down);
    assert_eq!(
        key(s, Key::Enter),
        vec![Effect::LoadTenants {
            org: "fabrikam".into()
        }]
    );
    update(s, Msg::TenantsLoaded(Ok(vec![tenant()])));
    assert_eq!(
        key(s, Key::Enter),
        vec![Effect::RunChecks {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        }]
    );
    assert!(matches!(s.screen, Screen::Prereqs(_)));
}

#[test]
fn connect_happy_path_end_to_end() {
    let mut s = state();
    to_prereqs(&mut s);
    update(
        &mut s,
        Msg::ChecksProgress {
            done: 3,
            total: 12,
            label: "users".into(),
        },
    );
    update(&mut s, Msg::ChecksDone(Ok(report(false))));
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::Plan(_)));
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Confirm(_)));
    // q and ? are text here, not commands.
    typed(&mut s, "fabrikaq");
    assert!(!s.quitting);
    assert!(
        key(&mut s, Key::Enter).is_empty(),
        "wrong name must not apply"
    );
    assert!(matches!(
        s.screen,
        Screen::Confirm(Confirm { mismatch: true, .. })
    ));
    key(&mut s, Key::Backspace);
    typed(&mut s, "m");
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![Effect::Apply {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        }]
    );
    assert!(s.busy());
    // Quitting mid-apply asks first.
    key(&mut s, Key::Char('q'));
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    key(&mut s, Key::Char('n'));
    update(&mut s, Msg::ApplyProgress("connect".into()));
    let fx = update(
        &mut s,
        Msg::Applied(Ok(ApplyReport {
            summary: "Connected".into(),
            journal: "/tmp/j.jsonl".into(),
        })),
    );
    assert_eq!(
        fx,
        vec![Effect::SignOutAndVerify {
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        }]
    );
    // Still half done until verified.
    assert!(s.busy());
    let verified = VerifyReport {
        identity: Identity {
            tenant_id: tenant().id,
            ..identity()
        },
        probes: vec![Probe {
            what: "projects".into(),
            ok: true,
            detail: "2 projects".into(),
        }],
        failure: None,
    };
    update(&mut s, Msg::Verified(Ok(verified)));
    // bob@outlook.com is disconnected: Resolve comes next, then Done.
    assert!(matches!(s.screen, Screen::Resolve(_)));
    loaded_resolve(&mut s);
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Done(_)));
    assert!(!s.busy());
    assert_eq!(s.pending, 0, "every request was accounted for");
    let fx = key(&mut s, Key::Char('e'));
    let Effect::ExportChecklist { markdown } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert!(markdown.contains("fabrikam"));
    assert!(markdown.contains("bob@outlook.com"));
    assert!(markdown.contains("Sign out and sign in"));
    update(&mut s, Msg::Exported(Ok("/tmp/checklist.md".into())));
    assert!(s.status.as_deref().unwrap().contains("/tmp/checklist.md"));
}

#[test]
fn a_failed_check_blocks_the_plan() {
    let mut s = state();
    to_prereqs(&mut s);
    update(&mut s, Msg::ChecksDone(Ok(report(true))));
    // The failing check is highlighted first.
    let Screen::Prereqs(p) = &s.screen else {
        panic!()
    };
    assert_eq!(p.selected, 1);
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::Prereqs(_)));
    assert!(s.status.as_deref().unwrap().contains("blocks"));
    // Re-run after fixing.
    let fx = key(&mut s, Key::Char('r'));
    assert!(matches!(fx[0], Effect::RunChecks { .. }));
    update(&mut s, Msg::ChecksDone(Ok(report(false))));
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Plan(_)));
}

#[test]
fn back_navigation_walks_back_without_losing_choices() {
    let mut s = state();
    to_prereqs(&mut s);
    update(&mut s, Msg::ChecksDone(Ok(report(false))));
    key(&mut s, Key::Enter); // plan
    key(&mut s, Key::Enter); // confirm
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Plan(_)));
    key(&mut s, Key::Esc);
    let Screen::Prereqs(p) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    assert!(
        matches!(p.report, Loadable::Ready(_)),
        "checks are not lost"
    );
    let fx = key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::PickTenant(_)));
    assert_eq!(
        fx,
        vec![Effect::LoadTenants {
            org: "fabrikam".into()
        }]
    );
    update(&mut s, Msg::TenantsLoaded(Ok(vec![tenant()])));
    assert!(key(&mut s, Key::Esc).is_empty(), "org list is cached");
    let Screen::PickOrg(p) = &s.screen else {
        panic!()
    };
    assert_eq!(p.selected, 1, "previous org stays selected");
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Welcome(_)));
    // Signed in already: starting again skips sign-in.
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::PickOrg(_)));
}

#[test]
fn sign_in_failure_can_be_retried_or_abandoned() {
    let mut s = state();
    key(&mut s, Key::Enter);
    update(
        &mut s,
        Msg::SignedIn(Err(ErrorView::msg("The code expired before it was used."))),
    );
    let Screen::SignIn(SignInScreen {
        phase: SignInPhase::Failed(e),
    }) = &s.screen
    else {
        panic!()
    };
    assert!(e.message.contains("expired"));
    assert_eq!(s.pending, 0);
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![Effect::SignIn { tenant: None }]
    );
    // Esc while waiting cancels the sign-in.
    assert_eq!(key(&mut s, Key::Esc), vec![Effect::CancelSignIn]);
    assert!(matches!(s.screen, Screen::Welcome(_)));
    assert_eq!(s.pending, 0);
}

#[test]
fn typed_org_is_validated_before_any_request() {
    let mut s = state();
    key(&mut s, Key::Enter);
    update(&mut s, Msg::SignedIn(Ok(identity())));
    update(
        &mut s,
        Msg::OrgsLoaded(Err(ErrorView::msg("accounts unavailable"))),
    );
    key(&mut s, Key::Char('t'));
    typed(&mut s, "bad org");
    assert!(key(&mut s, Key::Enter).is_empty());
    let Screen::PickOrg(p) = &s.screen else {
        panic!()
    };
    assert!(
        p.error.as_deref().unwrap().contains("character 4"),
        "{:?}",
        p.error
    );
    for _ in 0..7 {
        key(&mut s, Key::Backspace);
    }
    typed(&mut s, "https://dev.azure.com/fabrikam/");
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![Effect::LoadTenants {
            org: "fabrikam".into()
        }]
    );
}

#[test]
fn empty_org_list_opens_the_text_field() {
    let mut s = state();
    key(&mut s, Key::Enter);
    update(&mut s, Msg::SignedIn(Ok(identity())));
    update(&mut s, Msg::OrgsLoaded(Ok(vec![])));
    assert!(s.screen.takes_text());
}

#[test]
fn refused_verification_leads_to_the_lockout_diagnosis() {
    let mut s = state();
    to_prereqs(&mut s);
    update(&mut s, Msg::ChecksDone(Ok(report(false))));
    key(&mut s, Key::Enter);
    key(&mut s, Key::Enter);
    typed(&mut s, "FABRIKAM"); // case-insensitive, like org names
    key(&mut s, Key::Enter);
    update(
        &mut s,
        Msg::Applied(Ok(ApplyReport {
            summary: "Connected".into(),
            journal: "j".into(),
        })),
    );
    update(
        &mut s,
        Msg::Verified(Err(ErrorView {
            message: "TF400813: not authorized".into(),
            code: Some("TF400813".into()),
            auth_failure: true,
            ..ErrorView::default()
        })),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    assert!(d.steps[0].contains("aex.dev.azure.com/me"), "{:?}", d.steps);
    assert!(d.steps.iter().any(|x| x.contains("Disconnect")));
    assert!(s.busy(), "a change is half done until verified");
    assert_eq!(
        key(&mut s, Key::Char('o')),
        vec![Effect::OpenBrowser("https://aex.dev.azure.com/me".into())]
    );
    assert!(matches!(
        key(&mut s, Key::Enter)[0],
        Effect::SignOutAndVerify { .. }
    ));
}

#[test]
fn tf401444_puts_the_browser_sign_in_first() {
    let mut s = state();
    s.session.org = Some("o".into());
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });
    s.pending = 1;
    update(
        &mut s,
        Msg::Verified(Err(ErrorView {
            message: "TF401444: sign in once".into(),
            code: Some("TF401444".into()),
            auth_failure: true,
            ..ErrorView::default()
        })),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!()
    };
    assert!(d.steps[0].contains("private browser"), "{:?}", d.steps);
}

#[test]
fn network_failure_during_verify_offers_retry_not_diagnosis() {
    let mut s = state();
    s.session.org = Some("o".into());
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });
    update(
        &mut s,
        Msg::Verified(Err(ErrorView::msg("connection reset"))),
    );
    assert!(matches!(s.screen, Screen::Verify(VerifyScreen::Failed(_))));
    assert!(matches!(
        key(&mut s, Key::Enter)[0],
        Effect::SignOutAndVerify { .. }
    ));
}

#[test]
fn apply_failure_returns_to_the_plan() {
    let mut s = state();
    s.session.org = Some("o".into());
    s.screen = Screen::Apply(ApplyScreen::Running { last: None });
    s.pending = 1;
    update(
        &mut s,
        Msg::Applied(Err(ErrorView::msg("Only active members"))),
    );
    assert!(matches!(s.screen, Screen::Apply(ApplyScreen::Failed(_))));
    assert!(!s.busy());
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Plan(_)));
}

#[test]
fn disconnect_skips_the_tenant_and_check_only_stops_after_checks() {
    let mut s = state();
    key(&mut s, Key::Down);
    key(&mut s, Key::Down); // Disconnect
    key(&mut s, Key::Enter);
    update(&mut s, Msg::SignedIn(Ok(identity())));
    update(&mut s, Msg::OrgsLoaded(Ok(vec!["fabrikam".into()])));
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![Effect::RunChecks {
            op: Operation::Disconnect,
            org: "fabrikam".into(),
            tenant: None
        }]
    );

    let mut s = state();
    key(&mut s, Key::End); // Check only
    key(&mut s, Key::Enter);
    update(&mut s, Msg::SignedIn(Ok(identity())));
    update(&mut s, Msg::OrgsLoaded(Ok(vec!["fabrikam".into()])));
    key(&mut s, Key::Enter);
    update(&mut s, Msg::TenantsLoaded(Ok(vec![tenant()])));
    key(&mut s, Key::Enter);
    update(&mut s, Msg::ChecksDone(Ok(report(true))));
    key(&mut s, Key::Enter);
    assert!(
        matches!(s.screen, Screen::Done(_)),
        "check-only never applies"
    );
}

fn resolve_screen(s: &State) -> &ResolveScreen {
    match &s.screen {
        Screen::Resolve(r) => r,
        other => panic!("expected Resolve, got {}", other.title()),
    }
}

fn loaded_resolve(s: &mut State) {
    let plan = crate::domain::resolve::fixtures::plan();
    update(
        s,
        Msg::ResolveLoaded(Ok(ResolveLoad {
            plan,
            unfinished: None,
        })),
    );
}

#[test]
fn resolve_accept_exact_takes_only_exact_rows_and_candidates_say_what_each_account_is() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    update(
        &mut s,
        Msg::ResolveLoaded(Ok(ResolveLoad {
            plan: crate::domain::resolve::fixtures::trap_plan(),
            unfinished: None,
        })),
    );
    key(&mut s, Key::Char('A'));
    assert_eq!(s.status.as_deref(), Some("Accepted 1 exact match(es)."));
    let Loadable::Ready(plan) = &resolve_screen(&s).plan else {
        panic!()
    };
    let decided: Vec<&str> = plan
        .rows
        .iter()
        .map(|r| crate::app::resolve::decision_label(&r.decision))
        .collect();
    assert_eq!(
        decided,
        ["map", "review", "review", "review", "review", "review"]
    );
    // Anna's candidates: her member account, then the guest copy.
    key(&mut s, Key::Down);
    key(&mut s, Key::Enter);
    let r = resolve_screen(&s);
    let entries = r.detail_entries();
    let details: Vec<&str> = entries.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "medium · person, member, enabled · same name",
            "low · person, guest, enabled · address is the account's primary mail; same name; another account of the same person",
        ]
    );
    assert!(r.detail_flags().is_empty());
    // Kim's row: the flag in words.
    key(&mut s, Key::Esc);
    key(&mut s, Key::End);
    key(&mut s, Key::Enter);
    let r = resolve_screen(&s);
    assert_eq!(r.detail_flags(), ["address matches but the name does not"]);
    assert_eq!(r.detail_entries()[0].title, "Kim Park · kim@fabrikam.com");
    // Accepting it is a deliberate choice: Enter maps it.
    key(&mut s, Key::Enter);
    assert_eq!(s.status.as_deref(), Some("Mapped to kim@fabrikam.com."));
}

#[test]
fn resolve_from_welcome_signs_in_picks_the_org_and_loads() {
    let mut s = state();
    for _ in 0..3 {
        key(&mut s, Key::Down);
    }
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![Effect::SignIn { tenant: None }]
    );
    let fx = update(&mut s, Msg::SignedIn(Ok(identity())));
    assert_eq!(fx, vec![Effect::LoadOrgs]);
    update(&mut s, Msg::OrgsLoaded(Ok(vec!["fabrikam".into()])));
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![Effect::LoadResolve {
            org: "fabrikam".into()
        }],
        "no tenant pick, no checks: Resolve works on the organization as it is"
    );
    assert!(s.busy(), "loading counts as in flight");
    loaded_resolve(&mut s);
    let r = resolve_screen(&s);
    assert_eq!(r.visible.len(), 5);
    assert!(!s.busy());
}

#[test]
fn resolve_keys_decide_filter_and_apply_after_one_question() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve(&mut s);
    // A: only Ann's exact UPN match.
    key(&mut s, Key::Char('A'));
    assert!(s.status.as_deref().unwrap().contains("1 exact"));
    // Carl (row 1): accept his other-mail suggestion; the cursor moves on.
    key(&mut s, Key::Down);
    key(&mut s, Key::Char('a'));
    assert_eq!(resolve_screen(&s).cursor, 2);
    // Erik: reject the name match, then nothing is left to accept.
    key(&mut s, Key::Char('r'));
    key(&mut s, Key::Char('a'));
    assert!(
        s.status.as_deref().unwrap().contains("no suggestion"),
        "{:?}",
        s.status
    );
    // Frank: invite. The user without an address cannot be invited.
    key(&mut s, Key::Down);
    key(&mut s, Key::Char('i'));
    key(&mut s, Key::Char('i'));
    assert!(s.status.as_deref().unwrap().contains("no valid email"));
    key(&mut s, Key::Char('s'));
    assert_eq!(
        resolve_screen(&s).summary_line(),
        "mapped 2 · to invite 1 · skipped 1 · left 1"
    );
    // Filter: '/' takes text, so 'q' is typed rather than quitting.
    key(&mut s, Key::Char('/'));
    typed(&mut s, "carl");
    assert_eq!(resolve_screen(&s).visible, vec![1]);
    key(&mut s, Key::Esc);
    assert_eq!(resolve_screen(&s).visible.len(), 5);
    // Apply asks once; any other key backs out without an effect.
    key(&mut s, Key::Char('p'));
    assert!(key(&mut s, Key::Char('n')).is_empty());
    key(&mut s, Key::Char('p'));
    let fx = key(&mut s, Key::Char('y'));
    let Effect::ApplyResolve {
        org,
        jobs: Some(jobs),
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(org, "fabrikam");
    assert_eq!(jobs.len(), 3);
    assert!(s.busy(), "quitting mid-apply asks first");
    key(&mut s, Key::Char('q'));
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    key(&mut s, Key::Esc);
    update(
        &mut s,
        Msg::ResolveProgress(ResolveProgress {
            done: 1,
            total: 3,
            mapped: 1,
            ..Default::default()
        }),
    );
    update(
        &mut s,
        Msg::ResolveApplied(Ok(ResolveSummary {
            mapped: 3,
            invited: 1,
            journal: "/j".into(),
            ..Default::default()
        })),
    );
    assert!(!s.busy());
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Done(_)));
    assert_eq!(s.session.resolved.as_ref().unwrap().mapped, 3);
    assert!(checklist_markdown(&s.session, &s.env).contains("3 mapped (1 invited"));
}

#[test]
fn resolve_detail_maps_a_search_result_and_refuses_a_taken_account() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve(&mut s);
    key(&mut s, Key::Char('a')); // Ann -> ann@fabrikam.com, cursor to Carl
    // Frank has no suggestion: open his candidates and search.
    key(&mut s, Key::Down);
    key(&mut s, Key::Down);
    assert_eq!(resolve_screen(&s).current(), Some(3));
    key(&mut s, Key::Enter);
    key(&mut s, Key::Enter);
    assert!(s.status.as_deref().unwrap().contains("search"));
    key(&mut s, Key::Char('/'));
    typed(&mut s, "an");
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![Effect::SearchDirectory {
            org: "fabrikam".into(),
            query: "an".into()
        }]
    );
    let found = |id: &str, upn: &str| Candidate {
        id: id.into(),
        upn: upn.into(),
        display_name: "x".into(),
        guest: false,
        enabled: true,
    };
    // A stale answer for another query is ignored.
    update(
        &mut s,
        Msg::DirectorySearched {
            query: "zz".into(),
            result: Ok(vec![found("id-zz", "zz@fabrikam.com")]),
        },
    );
    assert_eq!(
        resolve_screen(&s).detail.as_ref().unwrap().results,
        Some(Loadable::Loading)
    );
    update(
        &mut s,
        Msg::DirectorySearched {
            query: "an".into(),
            result: Ok(vec![
                found("id-ann", "ann@fabrikam.com"),
                found("id-gina", "gina@fabrikam.com"),
            ]),
        },
    );
    // Ann's account already stands for Ann: refused, the pop-up stays.
    key(&mut s, Key::Enter);
    assert!(
        s.status
            .as_deref()
            .unwrap()
            .contains("already the choice for Ann Berg")
    );
    assert!(resolve_screen(&s).detail.is_some());
    key(&mut s, Key::Down);
    key(&mut s, Key::Enter);
    assert!(resolve_screen(&s).detail.is_none());
    let Loadable::Ready(plan) = &resolve_screen(&s).plan else {
        panic!()
    };
    assert_eq!(
        plan.rows[3].decision,
        crate::domain::resolve::Decision::Map {
            target_id: "id-gina".into(),
            target_upn: "gina@fabrikam.com".into()
        }
    );
}

#[test]
fn an_interrupted_resolve_run_must_be_resumed_first() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    update(
        &mut s,
        Msg::ResolveLoaded(Ok(ResolveLoad {
            plan: crate::domain::resolve::fixtures::plan(),
            unfinished: Some(40),
        })),
    );
    assert!(key(&mut s, Key::Char('a')).is_empty());
    assert!(s.status.as_deref().unwrap().contains("interrupted"));
    let fx = key(&mut s, Key::Char('R'));
    assert_eq!(
        fx,
        vec![Effect::ApplyResolve {
            org: "fabrikam".into(),
            jobs: None
        }]
    );
    update(
        &mut s,
        Msg::ResolveApplied(Err(ErrorView::msg("token expired"))),
    );
    assert!(matches!(
        resolve_screen(&s).phase,
        resolve::Phase::Failed(_)
    ));
    key(&mut s, Key::Enter);
    assert!(matches!(resolve_screen(&s).phase, resolve::Phase::Review));
}

#[test]
fn a_connect_with_disconnected_users_goes_to_resolve_after_verification() {
    let mut s = state();
    to_prereqs(&mut s);
    update(&mut s, Msg::ChecksDone(Ok(report(false))));
    key(&mut s, Key::Enter);
    key(&mut s, Key::Enter);
    typed(&mut s, "fabrikam");
    key(&mut s, Key::Enter);
    update(
        &mut s,
        Msg::Applied(Ok(ApplyReport {
            summary: "ok".into(),
            journal: "/j".into(),
        })),
    );
    let fx = update(
        &mut s,
        Msg::Verified(Ok(VerifyReport {
            identity: identity(),
            probes: vec![Probe {
                what: "projects".into(),
                ok: true,
                detail: "1".into(),
            }],
            failure: None,
        })),
    );
    assert_eq!(
        fx,
        vec![Effect::LoadResolve {
            org: "fabrikam".into()
        }],
        "bob@outlook.com was predicted disconnected"
    );
    assert!(matches!(s.screen, Screen::Resolve(_)));
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Done(_)));
}

#[test]
fn throttling_is_shown() {
    let mut s = state();
    update(&mut s, Msg::Throttled { wait_secs: 7 });
    assert_eq!(
        s.status.as_deref(),
        Some("Azure is throttling; retrying in 7s")
    );
}

#[test]
fn quit_rules() {
    let mut s = state();
    assert_eq!(key(&mut s, Key::Char('q')), vec![Effect::Quit]);

    let mut s = state();
    s.pending = 1;
    assert!(key(&mut s, Key::Char('q')).is_empty());
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(key(&mut s, Key::Char('y')), vec![Effect::Quit]);

    let mut s = state();
    key(&mut s, Key::Char('?'));
    assert_eq!(s.overlay, Some(Overlay::Help));
    assert_eq!(key_hints(&s), vec![("Esc", "close help")]);
    assert_eq!(key(&mut s, Key::CtrlC), vec![Effect::Quit]);
}

#[test]
fn org_validation_rules() {
    assert_eq!(validate_org_input(" fabrikam ").unwrap(), "fabrikam");
    assert_eq!(
        validate_org_input("https://fabrikam.visualstudio.com/").unwrap(),
        "fabrikam"
    );
    assert_eq!(validate_org_input("dev.azure.com/a-1").unwrap(), "a-1");
    assert!(validate_org_input("").is_err());
    assert!(validate_org_input("-abc").is_err());
    assert!(validate_org_input("abc-").is_err());
    assert!(validate_org_input(&"a".repeat(51)).is_err());
    assert!(validate_org_input("https://example.com/x").is_err());
    assert!(validate_org_input("https://dev.azure.com/").is_err());
}

#[test]
fn audit_runs_from_done_and_its_findings_are_kept() {
    let mut s = state();
    s.session.org = Some("fabrikam".into());
    s.screen = Screen::Done(DoneScreen { scroll: 0 });
    assert_eq!(
        key(&mut s, Key::Char('a')),
        vec![Effect::Audit {
            org: "fabrikam".into()
        }]
    );
    assert_eq!(s.pending, 1);
    let rows = vec![CheckRow {
        id: "global-pats".into(),
        status: CheckStatus::Warn,
        title: "1 global PAT".into(),
        evidence: vec!["everything (global)".into()],
        fix: None,
    }];
    update(&mut s, Msg::Audited(Ok(rows.clone())));
    assert_eq!(s.pending, 0);
    assert_eq!(s.session.audit, Some(Ok(rows)));
    assert!(s.status.as_deref().unwrap().contains("1 finding"));
}

#[test]
fn ctrl_c_quits_from_every_screen_even_mid_work() {
    let plan = crate::domain::resolve::fixtures::plan();
    let mut resolving = ResolveScreen::loading("fabrikam");
    resolving.loaded(Ok(ResolveLoad {
        plan,
        unfinished: None,
    }));
    resolving.phase = resolve::Phase::Applying(ResolveProgress::default());
    let mut filtering = resolving.clone();
    filtering.phase = resolve::Phase::Review;
    filtering.editing_filter = true;
    let screens = vec![
        Screen::Welcome(Welcome::default()),
        Screen::SignIn(SignInScreen {
            phase: SignInPhase::Starting,
        }),
        Screen::PickOrg(PickOrg {
            orgs: Loadable::Loading,
            selected: 0,
            input: Some("typing".into()),
            error: None,
        }),
        Screen::PickTenant(PickTenant {
            tenants: Loadable::Loading,
            selected: 0,
        }),
        Screen::Prereqs(Prereqs {
            report: Loadable::Loading,
            progress: None,
            selected: 0,
        }),
        Screen::Plan(PlanScreen { scroll: 0 }),
        Screen::Confirm(Confirm {
            typed: "fab".into(),
            mismatch: false,
        }),
        Screen::Apply(ApplyScreen::Running { last: None }),
        Screen::Verify(VerifyScreen::SigningIn {
            prompt: None,
            received_ms: 0,
        }),
        Screen::Diagnosis(Diagnosis {
            error: ErrorView::msg("x"),
            probes: vec![],
            steps: vec![],
        }),
        Screen::Resolve(Box::new(resolving)),
        Screen::Resolve(Box::new(filtering)),
        Screen::Done(DoneScreen { scroll: 0 }),
    ];
    for screen in screens {
        let title = screen.title();
        let mut s = state();
        s.pending = 2;
        s.screen = screen;
        s.overlay = Some(Overlay::Help);
        assert_eq!(key(&mut s, Key::CtrlC), vec![Effect::Quit], "{title}");
        assert!(s.quitting, "{title}");
    }
}
