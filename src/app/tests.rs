//! Flow tests: walk the wizard through every path with messages only.

use super::*;
use crate::ops::model::Event;

fn state() -> State {
    State::new(Environment::azure(), true)
}

/// A key, with job ids left out of the effects (tests compare the work asked
/// for, not the numbering) and superseded jobs' cancellations dropped.
fn key(s: &mut State, k: Key) -> Vec<Effect> {
    plain(update(s, Msg::Key(k)))
}

fn plain(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(|e| !matches!(e, Effect::Cancel(_)))
        .map(|e| match e {
            Effect::Start { job, .. } => start(job),
            other => other,
        })
        .collect()
}

/// The effect that starts `job` (as [`key`] and [`reply`] show it).
fn start(job: Job) -> Effect {
    Effect::Start { id: JobId(0), job }
}

/// A job's result, as the runtime delivers it: to the job in flight for
/// that kind of work (one is registered first when the test set the screen
/// up by hand).
fn reply(s: &mut State, done: Done) -> Vec<Effect> {
    let slot = match &done {
        Done::SignedIn(_) | Done::DirectorySignedIn(_) => Slot::SignIn,
        Done::Orgs(_) => Slot::Orgs,
        Done::Surveyed(_) => Slot::Survey,
        Done::Backing(_) => Slot::Backing,
        Done::Tenants(_) => Slot::Tenants,
        Done::Checks(_) => Slot::Checks,
        Done::Applied(_) => Slot::Apply,
        Done::Verified(_) => Slot::Verify,
        Done::Audited(_) => Slot::Audit,
        Done::Exported(_) => Slot::Export,
        Done::ResolveLoaded(_) => Slot::Resolve,
        Done::Searched { .. } => Slot::Search,
        Done::ResolveApplied(_) => Slot::ResolveApply,
        Done::Recovered(_) | Done::RecoverRan(_) => Slot::Recover,
    };
    let id = s.jobs.id_in(slot).unwrap_or_else(|| {
        let job = match slot {
            Slot::SignIn => Job::SignIn { tenant: None },
            Slot::Orgs => Job::ListOrgs,
            Slot::Survey => Job::SurveyOrgs {
                orgs: vec!["o".into()],
                op: None,
                tenant: None,
            },
            Slot::Backing => Job::ProbeBacking { org: "o".into() },
            Slot::Tenants => Job::ListTenants { org: "o".into() },
            Slot::Checks => Job::RunChecks {
                op: Operation::Connect,
                org: "o".into(),
                tenant: None,
            },
            Slot::Apply => Job::Apply {
                op: Operation::Connect,
                org: "o".into(),
                tenant: None,
                accepted: vec![],
            },
            Slot::Verify => Job::Verify {
                org: "o".into(),
                tenant: None,
            },
            Slot::Audit => Job::Audit { org: "o".into() },
            Slot::Export => Job::ExportChecklist {
                markdown: String::new(),
            },
            Slot::Resolve => Job::LoadResolve { org: "o".into() },
            Slot::Search => Job::Search {
                org: "o".into(),
                query: String::new(),
            },
            Slot::ResolveApply => Job::ApplyResolve {
                org: "o".into(),
                jobs: None,
            },
            Slot::Recover => Job::Recover { org: "o".into() },
        };
        s.jobs.start(&job).0
    });
    plain(update(
        s,
        Msg::Done {
            id,
            done: Box::new(done),
        },
    ))
}

/// A progress event of the job in flight.
fn event(s: &mut State, event: Event) {
    let id = s
        .jobs
        .any()
        .unwrap_or_else(|| s.jobs.start(&Job::SignIn { tenant: None }).0);
    update(s, Msg::Progress { id, event });
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
        situation: SituationView::default(),
        destination: None,
        accept: vec![],
        directory_sign_in: None,
        checks: vec![
            CheckResult {
                id: "caller-is-admin",
                status: Status::Pass,
                title: "You are a Project Collection Administrator".into(),
                evidence: vec![],
                fix: None,
            },
            CheckResult {
                id: "lockout-proof",
                status: if fail { Status::Fail } else { Status::Pass },
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
    assert_eq!(
        key(s, Key::Enter),
        vec![start(Job::SignIn { tenant: None })]
    );
    event(
        s,
        Event::SignInPrompt(DeviceCodePrompt {
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
        reply(s, Done::SignedIn(Ok(identity()))),
        vec![start(Job::ListOrgs)]
    );
    reply(s, Done::Orgs(Ok(vec!["alpha".into(), "fabrikam".into()])));
    key(s, Key::Down);
    assert_eq!(
        key(s, Key::Enter),
        vec![start(Job::ListTenants {
            org: "fabrikam".into()
        })]
    );
    reply(s, Done::Tenants(Ok(vec![tenant()])));
    assert_eq!(
        key(s, Key::Enter),
        vec![start(Job::RunChecks {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        })]
    );
    assert!(matches!(s.screen, Screen::Prereqs(_)));
}

#[test]
fn connect_happy_path_end_to_end() {
    let mut s = state();
    to_prereqs(&mut s);
    event(
        &mut s,
        Event::Checking {
            done: 3,
            total: 12,
            label: "users".into(),
        },
    );
    reply(&mut s, Done::Checks(Ok(report(false))));
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
        vec![start(Job::Apply {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
            accepted: vec![],
        })]
    );
    assert!(s.busy());
    // Quitting mid-apply asks first.
    key(&mut s, Key::Char('q'));
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    key(&mut s, Key::Char('n'));
    event(&mut s, Event::Applying("connect".into()));
    let fx = reply(
        &mut s,
        Done::Applied(Ok(Applied {
            summary: "Connected".into(),
            journal: "/tmp/j.jsonl".into(),
            already_landed: false,
            now: crate::domain::directory::Target::Personal,
        })),
    );
    assert_eq!(
        fx,
        vec![start(Job::Verify {
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        })]
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
        access: crate::domain::verify::Access::Works,
        owner: None,
        deep: vec![],
    };
    reply(&mut s, Done::Verified(Ok(verified)));
    // bob@outlook.com is disconnected: Resolve comes next, then Done.
    assert!(matches!(s.screen, Screen::Resolve(_)));
    loaded_resolve(&mut s);
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Done(_)));
    assert!(!s.busy());
    assert_eq!(s.pending(), 0, "every request was accounted for");
    let fx = key(&mut s, Key::Char('e'));
    let Effect::Start {
        job: Job::ExportChecklist { markdown },
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert!(markdown.contains("fabrikam"));
    assert!(markdown.contains("bob@outlook.com"));
    assert!(markdown.contains("Sign out and sign in"));
    reply(&mut s, Done::Exported(Ok("/tmp/checklist.md".into())));
    assert!(s.status.as_deref().unwrap().contains("/tmp/checklist.md"));
}

#[test]
fn a_failed_check_blocks_the_plan() {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(true))));
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
    assert!(matches!(
        fx[0],
        Effect::Start {
            job: Job::RunChecks { .. },
            ..
        }
    ));
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Plan(_)));
}

#[test]
fn back_navigation_walks_back_without_losing_choices() {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(false))));
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
        vec![start(Job::ListTenants {
            org: "fabrikam".into()
        })]
    );
    reply(&mut s, Done::Tenants(Ok(vec![tenant()])));
    // The list is not read again; only what the survey had not read yet is.
    let only_survey = |fx: Vec<Effect>| {
        fx.iter().all(|e| {
            matches!(
                e,
                Effect::Start {
                    job: Job::SurveyOrgs { .. },
                    ..
                }
            )
        })
    };
    assert!(only_survey(key(&mut s, Key::Esc)), "org list is cached");
    let Screen::PickOrg(p) = &s.screen else {
        panic!()
    };
    assert_eq!(p.selected, 1, "previous org stays selected");
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Welcome(_)));
    // Signed in already: starting again skips sign-in.
    assert!(only_survey(key(&mut s, Key::Enter)));
    assert!(matches!(s.screen, Screen::PickOrg(_)));
}

#[test]
fn sign_in_failure_can_be_retried_or_abandoned() {
    let mut s = state();
    key(&mut s, Key::Enter);
    reply(
        &mut s,
        Done::SignedIn(Err(Problem::msg("The code expired before it was used."))),
    );
    let Screen::SignIn(SignInScreen {
        phase: SignInPhase::Failed(e),
        ..
    }) = &s.screen
    else {
        panic!()
    };
    assert!(e.message.contains("expired"));
    assert_eq!(s.pending(), 0);
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![start(Job::SignIn { tenant: None })]
    );
    // Esc while waiting cancels the sign-in.
    assert_eq!(key(&mut s, Key::Esc), Vec::<Effect>::new());
    assert!(matches!(s.screen, Screen::Welcome(_)));
    assert_eq!(s.pending(), 0);
}

#[test]
fn typed_org_is_validated_before_any_request() {
    let mut s = state();
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(
        &mut s,
        Done::Orgs(Err(Problem::msg("accounts unavailable"))),
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
        vec![start(Job::ListTenants {
            org: "fabrikam".into()
        })]
    );
}

#[test]
fn empty_org_list_opens_the_text_field() {
    let mut s = state();
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(&mut s, Done::Orgs(Ok(vec![])));
    assert!(s.screen.takes_text());
}

#[test]
fn refused_verification_leads_to_the_lockout_diagnosis() {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter);
    key(&mut s, Key::Enter);
    typed(&mut s, "FABRIKAM"); // case-insensitive, like org names
    key(&mut s, Key::Enter);
    reply(
        &mut s,
        Done::Applied(Ok(Applied {
            summary: "Connected".into(),
            journal: "j".into(),
            already_landed: false,
            now: crate::domain::directory::Target::Personal,
        })),
    );
    // What the service sends: a report whose probes show the owner refused
    // while the profile answers.
    reply(
        &mut s,
        Done::Verified(Ok(refused(
            crate::domain::verify::Access::OwnerLockedOut,
            "TF400813",
        ))),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    assert!(d.steps[0].contains("ado-entra recover"), "{:?}", d.steps);
    assert!(d.steps.iter().any(|x| x.contains("aex.dev.azure.com/me")));
    assert!(d.steps.iter().any(|x| x.contains("Disconnect")));
    assert!(s.busy(), "a change is half done until verified");
    assert_eq!(
        key(&mut s, Key::Char('o')),
        vec![Effect::OpenBrowser("https://aex.dev.azure.com/me".into())]
    );
    assert!(matches!(
        key(&mut s, Key::Enter)[0],
        Effect::Start {
            job: Job::Verify { .. },
            ..
        }
    ));
}

#[test]
fn tf401444_puts_the_browser_sign_in_first() {
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "o".into(),
        destination: None,
    });
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });

    reply(
        &mut s,
        Done::Verified(Ok(refused(
            crate::domain::verify::Access::OwnerLockedOut,
            "TF401444",
        ))),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!()
    };
    assert!(d.steps[0].contains("private browser"), "{:?}", d.steps);
}

/// A verification report as the service sends it when the organization
/// refuses the fresh sign-in.
fn refused(access: crate::domain::verify::Access, code: &str) -> VerifyReport {
    VerifyReport {
        identity: identity(),
        probes: vec![
            Probe {
                what: "profile".into(),
                ok: true,
                detail: "answers".into(),
            },
            Probe {
                what: "projects".into(),
                ok: false,
                detail: format!("{code}: not authorized"),
            },
        ],
        failure: Some(Problem {
            message: format!("{code}: not authorized"),
            code: Some(code.into()),
            auth_failure: true,
            ..Problem::default()
        }),
        access,
        owner: Some("owner@fabrikam.com".into()),
        deep: vec![],
    }
}

#[test]
fn a_wrong_sign_in_is_told_to_sign_in_again_and_nothing_else() {
    use crate::domain::directory::TenantId;
    use crate::domain::verify::Access;
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "o".into(),
        destination: None,
    });
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });

    let needs = TenantId::parse("afade585-7c99-42c7-887f-5b2884f98736").unwrap();
    reply(
        &mut s,
        Done::Verified(Ok(refused(
            Access::WrongSignIn {
                needs: Some(needs.clone()),
            },
            "TF400813",
        ))),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    let all = d.steps.join(" ");
    assert!(all.contains(&format!("login --tenant {needs}")), "{all}");
    assert!(
        !all.contains("Disconnect"),
        "never disconnect for a wrong sign-in: {all}"
    );
    assert!(!all.contains("aex.dev.azure.com"), "{all}");
    // No recovery page to open; Enter signs in where the organization lives.
    assert!(key(&mut s, Key::Char('o')).is_empty());
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![start(Job::Verify {
            org: "o".into(),
            tenant: Some(needs.to_string()),
        })]
    );
}

#[test]
fn someone_without_access_is_sent_to_an_administrator_not_to_recovery() {
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "o".into(),
        destination: None,
    });
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });
    reply(
        &mut s,
        Done::Verified(Ok(refused(
            crate::domain::verify::Access::NoAccess,
            "TF400813",
        ))),
    );
    let Screen::Diagnosis(d) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    let all = d.steps.join(" ");
    assert!(all.contains("owner@fabrikam.com"), "{all}");
    assert!(
        !all.contains("Disconnect") && !all.contains("aex.dev.azure.com"),
        "{all}"
    );
    assert!(key(&mut s, Key::Char('o')).is_empty());
}

#[test]
fn network_failure_during_verify_offers_retry_not_diagnosis() {
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "o".into(),
        destination: None,
    });
    s.screen = Screen::Verify(VerifyScreen::SigningIn {
        prompt: None,
        received_ms: 0,
    });
    reply(
        &mut s,
        Done::Verified(Err(Problem::msg("connection reset"))),
    );
    assert!(matches!(s.screen, Screen::Verify(VerifyScreen::Failed(_))));
    assert!(matches!(
        key(&mut s, Key::Enter)[0],
        Effect::Start {
            job: Job::Verify { .. },
            ..
        }
    ));
}

#[test]
fn apply_failure_reads_the_state_again() {
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "o".into(),
        destination: None,
    });
    s.screen = Screen::Apply(ApplyScreen::Running { last: None });

    reply(
        &mut s,
        Done::Applied(Err(Problem::msg("Only active members"))),
    );
    assert!(matches!(s.screen, Screen::Apply(ApplyScreen::Failed(_))));
    assert!(!s.busy());
    // The change may or may not be in place: the state is read again, not
    // the old plan shown as if nothing had changed.
    let fx = key(&mut s, Key::Enter);
    assert!(
        matches!(
            fx[0],
            Effect::Start {
                job: Job::RunChecks { .. },
                ..
            }
        ),
        "{fx:?}"
    );
    assert!(matches!(s.screen, Screen::Prereqs(_)));
}

#[test]
fn disconnect_skips_the_tenant_and_check_only_stops_after_checks() {
    let mut s = state();
    key(&mut s, Key::Down);
    key(&mut s, Key::Down); // Disconnect
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(&mut s, Done::Orgs(Ok(vec!["fabrikam".into()])));
    assert_eq!(
        key(&mut s, Key::Enter),
        vec![start(Job::RunChecks {
            op: Operation::Disconnect,
            org: "fabrikam".into(),
            tenant: None
        })]
    );

    let mut s = state();
    key(&mut s, Key::End); // Recover, last
    key(&mut s, Key::Up); // Check only
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(&mut s, Done::Orgs(Ok(vec!["fabrikam".into()])));
    key(&mut s, Key::Enter);
    reply(&mut s, Done::Tenants(Ok(vec![tenant()])));
    key(&mut s, Key::Enter);
    reply(&mut s, Done::Checks(Ok(report(true))));
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
    loaded_resolve_with(s, crate::domain::resolve::fixtures::plan());
}

fn loaded_resolve_with(s: &mut State, plan: crate::domain::resolve::Plan) {
    reply(
        s,
        Done::ResolveLoaded(Ok(ResolveLoad {
            plan,
            unfinished: None,
        })),
    );
}

#[test]
fn resolve_accept_exact_takes_only_exact_rows_and_candidates_say_what_each_account_is() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve_with(&mut s, crate::domain::resolve::fixtures::trap_plan());
    key(&mut s, Key::Char('A'));
    assert_eq!(s.status.as_deref(), Some("Accepted 1 exact match."));
    let Loadable::Ready(plan) = &resolve_screen(&s).plan else {
        panic!()
    };
    let decided: Vec<&str> = plan
        .rows
        .iter()
        .map(|r| crate::app::screens::resolve::decision_label(&r.decision))
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
        vec![start(Job::SignIn { tenant: None })]
    );
    let fx = reply(&mut s, Done::SignedIn(Ok(identity())));
    assert_eq!(fx, vec![start(Job::ListOrgs)]);
    reply(&mut s, Done::Orgs(Ok(vec!["fabrikam".into()])));
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![start(Job::LoadResolve {
            org: "fabrikam".into()
        })],
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
    let Effect::Start {
        job: Job::ApplyResolve {
            org,
            jobs: Some(jobs),
        },
        ..
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
    event(
        &mut s,
        Event::Resolving(ResolveProgress {
            done: 1,
            total: 3,
            mapped: 1,
            ..Default::default()
        }),
    );
    reply(
        &mut s,
        Done::ResolveApplied(Ok(ResolveOutcome {
            mapped: 3,
            invited: 1,
            journal: "/j".into(),
            already: 0,
            failed: vec![],
            resumed: false,
            checked: 0,
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
        vec![start(Job::Search {
            org: "fabrikam".into(),
            query: "an".into()
        })]
    );
    let found = |id: &str, upn: &str| Candidate {
        id: id.into(),
        upn: upn.into(),
        display_name: "x".into(),
        guest: false,
        enabled: true,
    };
    // A stale answer for another query is ignored.
    reply(
        &mut s,
        Done::Searched {
            query: "zz".into(),
            result: Ok(vec![found("id-zz", "zz@fabrikam.com")]),
        },
    );
    assert_eq!(
        resolve_screen(&s).detail.as_ref().unwrap().results,
        Some(Loadable::Loading)
    );
    reply(
        &mut s,
        Done::Searched {
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
    reply(
        &mut s,
        Done::ResolveLoaded(Ok(ResolveLoad {
            plan: crate::domain::resolve::fixtures::plan(),
            unfinished: Some(40),
        })),
    );
    assert!(key(&mut s, Key::Char('a')).is_empty());
    assert!(s.status.as_deref().unwrap().contains("interrupted"));
    let fx = key(&mut s, Key::Char('R'));
    assert_eq!(
        fx,
        vec![start(Job::ApplyResolve {
            org: "fabrikam".into(),
            jobs: None
        })]
    );
    reply(
        &mut s,
        Done::ResolveApplied(Err(Problem::msg("token expired"))),
    );
    assert!(matches!(
        resolve_screen(&s).phase,
        resolve::Phase::Failed(_)
    ));
    key(&mut s, Key::Enter);
    assert!(matches!(resolve_screen(&s).phase, resolve::Phase::Review));
}

/// A connect with bob@outlook.com predicted disconnected, confirmed and
/// applied: the wizard now waits for the verification.
fn connected_awaiting_verification() -> State {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter);
    key(&mut s, Key::Enter);
    typed(&mut s, "fabrikam");
    key(&mut s, Key::Enter);
    reply(
        &mut s,
        Done::Applied(Ok(Applied {
            summary: "ok".into(),
            journal: "/j".into(),
            already_landed: false,
            now: crate::domain::directory::Target::Personal,
        })),
    );
    s
}

#[test]
fn a_connect_with_disconnected_users_goes_to_resolve_after_verification() {
    let mut s = connected_awaiting_verification();
    let fx = reply(
        &mut s,
        Done::Verified(Ok(VerifyReport {
            identity: identity(),
            probes: vec![Probe {
                what: "projects".into(),
                ok: true,
                detail: "1".into(),
            }],
            failure: None,
            access: crate::domain::verify::Access::Works,
            owner: None,
            deep: vec![],
        })),
    );
    assert_eq!(
        fx,
        vec![start(Job::LoadResolve {
            org: "fabrikam".into()
        })],
        "bob@outlook.com was predicted disconnected"
    );
    assert!(matches!(s.screen, Screen::Resolve(_)));
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Done(_)));
}

#[test]
fn a_broken_service_connection_is_shown_with_its_fix_before_going_on() {
    use crate::app::screens::VerifyScreen;
    let mut s = connected_awaiting_verification();
    let probe = |state: DeepState, what: &str| DeepProbe {
        kind: "service-connection".into(),
        what: what.into(),
        state,
        detail: "AADSTS700016: Application with identifier 'a' was not found".into(),
        known_as: (state == DeepState::Broken).then(|| "AADSTS700016".into()),
        fix: vec!["create a new service connection".into()],
    };
    let fx = reply(
        &mut s,
        Done::Verified(Ok(VerifyReport {
            identity: identity(),
            probes: vec![],
            failure: None,
            access: crate::domain::verify::Access::Works,
            owner: None,
            deep: vec![
                probe(DeepState::Working, "prod"),
                probe(DeepState::Broken, "legacy"),
            ],
        })),
    );
    assert!(
        fx.is_empty(),
        "nothing starts before the person has read it"
    );
    let Screen::Verify(VerifyScreen::Results(r)) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    assert_eq!(r.broken().count(), 1);
    assert_eq!(s.session.verified.as_ref().unwrap().deep.len(), 2);
    // Enter goes on as a working verification does: Resolve, for bob.
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![start(Job::LoadResolve {
            org: "fabrikam".into()
        })]
    );
}

#[test]
fn throttling_is_shown() {
    let mut s = state();
    event(&mut s, Event::Throttled { wait_secs: 7 });
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
    s.jobs.start(&Job::ListOrgs);
    assert!(key(&mut s, Key::Char('q')).is_empty());
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(key(&mut s, Key::Char('y')), vec![Effect::Quit]);

    let mut s = state();
    key(&mut s, Key::Char('?'));
    assert_eq!(s.overlay, Some(Overlay::Help));
    let hints = key_hints(&s);
    assert_eq!(
        hints.iter().map(|h| (h.shown, h.label)).collect::<Vec<_>>(),
        vec![("Esc", "close help")]
    );
    assert_eq!(key(&mut s, Key::CtrlC), vec![Effect::Quit]);
}

#[test]
fn org_validation_rules() {
    assert_eq!(
        screens::pick_org::validate_org_input(" fabrikam ").unwrap(),
        "fabrikam"
    );
    assert_eq!(
        screens::pick_org::validate_org_input("https://fabrikam.visualstudio.com/").unwrap(),
        "fabrikam"
    );
    assert_eq!(
        screens::pick_org::validate_org_input("dev.azure.com/a-1").unwrap(),
        "a-1"
    );
    assert!(screens::pick_org::validate_org_input("").is_err());
    assert!(screens::pick_org::validate_org_input("-abc").is_err());
    assert!(screens::pick_org::validate_org_input("abc-").is_err());
    assert!(screens::pick_org::validate_org_input(&"a".repeat(51)).is_err());
    assert!(screens::pick_org::validate_org_input("https://example.com/x").is_err());
    assert!(screens::pick_org::validate_org_input("https://dev.azure.com/").is_err());
}

#[test]
fn audit_runs_from_done_and_its_findings_are_kept() {
    let mut s = state();
    s.session.choice = Some(Choice {
        org: "fabrikam".into(),
        destination: None,
    });
    s.screen = Screen::Done(DoneScreen { scroll: 0 });
    assert_eq!(
        key(&mut s, Key::Char('a')),
        vec![start(Job::Audit {
            org: "fabrikam".into()
        })]
    );
    assert_eq!(s.pending(), 1);
    let rows = vec![CheckResult {
        id: "global-pats",
        status: Status::Warn,
        title: "1 global PAT".into(),
        evidence: vec!["everything (global)".into()],
        fix: None,
    }];
    reply(&mut s, Done::Audited(Ok(rows.clone())));
    assert_eq!(s.pending(), 0);
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
            ..SignInScreen::default()
        }),
        Screen::PickOrg(PickOrg {
            orgs: Loadable::Loading,
            selected: 0,
            input: Some("typing".into()),
            error: None,
            ..PickOrg::default()
        }),
        Screen::PickTenant(PickTenant {
            tenants: Loadable::Loading,
            selected: 0,
            ..PickTenant::default()
        }),
        Screen::Prereqs(Prereqs {
            report: Loadable::Loading,
            progress: None,
            selected: 0,
            ..Prereqs::default()
        }),
        Screen::Plan(PlanScreen { scroll: 0 }),
        Screen::Confirm(Confirm {
            typed: "fab".into(),
            mismatch: false,
            risks: vec![],
        }),
        Screen::Apply(ApplyScreen::Running { last: None }),
        Screen::Verify(VerifyScreen::SigningIn {
            prompt: None,
            received_ms: 0,
        }),
        Screen::Diagnosis(Diagnosis {
            error: Problem::msg("x"),
            probes: vec![],
            steps: vec![],
            access: crate::domain::verify::Access::NoAccess,
            scroll: 0,
        }),
        Screen::Resolve(Box::new(resolving)),
        Screen::Resolve(Box::new(filtering)),
        Screen::Done(DoneScreen { scroll: 0 }),
    ];
    for screen in screens {
        let title = screen.title();
        let mut s = state();
        s.jobs.start(&Job::ListOrgs);
        s.screen = screen;
        s.overlay = Some(Overlay::Help);
        assert_eq!(key(&mut s, Key::CtrlC), vec![Effect::Quit], "{title}");
        assert!(s.quitting, "{title}");
    }
}

/// A report that is a decision, not a change (what the service sends when
/// the organization's state decides before any check).
fn decided(kind: SituationKind, message: &str) -> ChecksReport {
    ChecksReport {
        situation: SituationView {
            kind,
            backing: "Contoso (contoso.onmicrosoft.com, 1111…)".into(),
            message: message.into(),
            next: vec!["ado-entra verify --org fabrikam".into()],
        },
        ..ChecksReport::default()
    }
}

#[test]
fn the_state_decides_before_any_check_and_the_wizard_follows() {
    // Already connected: Enter finishes, nothing is applied.
    let mut s = state();
    to_prereqs(&mut s);
    reply(
        &mut s,
        Done::Checks(Ok(decided(
            SituationKind::NothingToDo,
            "'fabrikam' is already connected to Contoso: nothing to do.",
        ))),
    );
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::Done(_)));
    assert!(s.session.applied.is_none());

    // An interrupted change that landed: recorded at once, no confirmation
    // (nothing is sent to Azure), then verified.
    let mut s = state();
    to_prereqs(&mut s);
    reply(
        &mut s,
        Done::Checks(Ok(decided(
            SituationKind::AlreadyLanded,
            "had already landed",
        ))),
    );
    let fx = key(&mut s, Key::Enter);
    assert!(
        matches!(&fx[..], [Effect::Start { job: Job::Apply { accepted, .. }, .. }] if accepted.is_empty()),
        "{fx:?}"
    );

    // Change tenant on an organization of personal accounts: the one flow
    // that fits is a connect, offered and run.
    let mut s = state();
    to_prereqs(&mut s);
    s.session.flow = Flow::ChangeTenant;
    reply(
        &mut s,
        Done::Checks(Ok(decided(SituationKind::WrongFlow, "this is a connect"))),
    );
    let fx = key(&mut s, Key::Enter);
    assert_eq!(s.session.operation(), Operation::Connect);
    assert!(
        matches!(
            &fx[..],
            [Effect::Start {
                job: Job::RunChecks {
                    op: Operation::Connect,
                    ..
                },
                ..
            }]
        ),
        "{fx:?}"
    );

    // Refused: says why, stays, never applies.
    let mut s = state();
    to_prereqs(&mut s);
    reply(
        &mut s,
        Done::Checks(Ok(decided(SituationKind::Refused, "already in Contoso."))),
    );
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::Prereqs(_)));
    assert!(s.status.as_deref().unwrap().contains("already in Contoso"));
}

#[test]
fn an_acceptable_failure_is_accepted_by_typing_the_names_back_once() {
    let mut s = state();
    to_prereqs(&mut s);
    let mut r = report(false);
    r.checks.push(CheckResult {
        id: "admins-keep-access",
        status: Status::Fail,
        title: "1 other administrator would lose access".into(),
        evidence: vec!["Bob Builder <bob@outlook.com> would lose access".into()],
        fix: None,
    });
    r.accept = vec![AcceptRisk {
        id: "admins-keep-access".into(),
        title: "1 other administrator would lose access".into(),
        expected: "Bob Builder".into(),
    }];
    assert!(!r.blocked(), "an acceptable failure does not block");
    reply(&mut s, Done::Checks(Ok(r)));
    key(&mut s, Key::Enter); // plan
    key(&mut s, Key::Enter); // confirm
    // The organization's name is not enough: the names come first.
    typed(&mut s, "fabrikam");
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(&s.screen, Screen::Confirm(c) if c.mismatch && c.risks.len() == 1));
    for _ in 0.."fabrikam".len() {
        key(&mut s, Key::Backspace);
    }
    typed(&mut s, " bob   BUILDER ");
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(&s.screen, Screen::Confirm(c) if c.risks.is_empty() && c.typed.is_empty()));
    typed(&mut s, "fabrikam");
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![start(Job::Apply {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
            accepted: vec!["admins-keep-access".into()],
        })]
    );
    // Going back and confirming again asks again.
    let mut s2 = s.clone();
    s2.screen = Screen::Plan(PlanScreen { scroll: 0 });
    key(&mut s2, Key::Enter);
    assert!(s2.session.accepted_risks.is_empty());
    assert!(matches!(&s2.screen, Screen::Confirm(c) if c.risks.len() == 1));
}

#[test]
fn a_directory_can_be_typed_when_the_list_cannot_be_read() {
    let mut s = state();
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(&mut s, Done::Orgs(Ok(vec!["fabrikam".into()])));
    key(&mut s, Key::Enter);
    reply(
        &mut s,
        Done::Tenants(Err(Problem::msg("TF400813: not authorized"))),
    );
    key(&mut s, Key::Char('t'));
    assert!(s.screen.takes_text());
    typed(&mut s, "not a tenant!");
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(&s.screen, Screen::PickTenant(p) if p.error.is_some()));
    for _ in 0.."not a tenant!".len() {
        key(&mut s, Key::Backspace);
    }
    typed(&mut s, "Contoso.onmicrosoft.com");
    let fx = key(&mut s, Key::Enter);
    assert_eq!(
        fx,
        vec![start(Job::RunChecks {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some("contoso.onmicrosoft.com".into()),
        })]
    );
    // The service resolves it; the resolved directory replaces what was typed.
    let mut r = report(false);
    r.destination = Some(tenant());
    reply(&mut s, Done::Checks(Ok(r)));
    assert_eq!(s.session.destination(), Some(&tenant()));
}

#[test]
fn a_late_answer_for_the_previous_organization_is_dropped() {
    let mut s = state();
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    reply(
        &mut s,
        Done::Orgs(Ok(vec!["alpha".into(), "fabrikam".into()])),
    );
    // Choose alpha: its directories are asked for.
    let fx = update(&mut s, Msg::Key(Key::Enter));
    let Some(Effect::Start { id: for_alpha, .. }) = fx.last().cloned() else {
        panic!("{fx:?}")
    };
    // Back, and choose fabrikam before alpha's answer arrives.
    key(&mut s, Key::Esc);
    key(&mut s, Key::Down);
    let fx = update(&mut s, Msg::Key(Key::Enter));
    let Some(Effect::Start {
        id: for_fabrikam,
        job: Job::ListTenants { org },
    }) = fx.last().cloned()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(org, "fabrikam");
    assert_ne!(for_alpha, for_fabrikam);
    // alpha's answer, late: dropped in one place, the screen is untouched.
    let alpha_dirs = vec![TenantInfo {
        id: "22222222-2222-2222-2222-222222222222".into(),
        display_name: "Alpha Corp".into(),
        domain: "alpha.onmicrosoft.com".into(),
    }];
    let fx = update(
        &mut s,
        Msg::Done {
            id: for_alpha,
            done: Box::new(Done::Tenants(Ok(alpha_dirs))),
        },
    );
    assert!(fx.is_empty());
    assert!(
        matches!(&s.screen, Screen::PickTenant(p) if p.tenants == Loadable::Loading),
        "{:?}",
        s.screen
    );
    assert_eq!(s.pending(), 1, "fabrikam's request is still awaited");
    // fabrikam's answer lands.
    update(
        &mut s,
        Msg::Done {
            id: for_fabrikam,
            done: Box::new(Done::Tenants(Ok(vec![tenant()]))),
        },
    );
    assert!(
        matches!(&s.screen, Screen::PickTenant(p) if p.tenants == Loadable::Ready(vec![tenant()]))
    );
    assert_eq!(s.pending(), 0);
}

fn surveyed(name: &str, verdict: Verdict, users: u64) -> FleetOrg {
    FleetOrg {
        name: name.into(),
        backing: Some("personal accounts".into()),
        owner: Some(format!("owner@{name}.example")),
        users: Some(users),
        admin: Some(true),
        readiness: Some(Readiness::decided(
            verdict,
            format!("{name}: {}", verdict.word()),
            vec![],
        )),
        ..FleetOrg::default()
    }
}

/// The organization picker is the fleet view: the list shows at once, a
/// background survey reads each organization's backing and readiness for
/// the destination, rows fill in as they arrive, and the list sorts and
/// filters; choosing stops the survey, and it never makes quitting ask.
#[test]
fn the_picker_fills_in_readiness_sorts_and_filters() {
    let mut s = State::new(
        Environment {
            destination: Some("contoso.onmicrosoft.com".into()),
            ..Environment::azure()
        },
        true,
    );
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    let names = vec!["alpha".to_string(), "beta".into(), "gamma".into()];
    let fx = reply(&mut s, Done::Orgs(Ok(names.clone())));
    assert_eq!(
        plain(fx),
        vec![start(Job::SurveyOrgs {
            orgs: names.clone(),
            op: Some(Operation::Connect),
            tenant: Some("contoso.onmicrosoft.com".into()),
        })]
    );
    assert!(!s.busy(), "a background survey never makes quitting ask");
    let survey = s.jobs.id_in(Slot::Survey).unwrap();
    for (i, row) in [
        surveyed("alpha", Verdict::Ready, 10),
        surveyed("beta", Verdict::Blocked, 300),
        surveyed("gamma", Verdict::Warnings, 20),
    ]
    .into_iter()
    .enumerate()
    {
        update(
            &mut s,
            Msg::Progress {
                id: survey,
                event: Event::Surveyed(i, Box::new(row)),
            },
        );
    }
    assert_eq!(s.session.survey.len(), 3);
    let current = |s: &State| {
        let Screen::PickOrg(p) = &s.screen else {
            panic!("{:?}", s.screen)
        };
        p.current(s).unwrap().to_string()
    };
    assert_eq!(current(&s), "alpha", "sorted by name");
    key(&mut s, Key::Char('s'));
    key(&mut s, Key::Home);
    assert_eq!(
        current(&s),
        "beta",
        "blocked first when sorted by readiness"
    );
    key(&mut s, Key::Char('s'));
    key(&mut s, Key::Home);
    assert_eq!(current(&s), "beta", "largest first when sorted by users");
    // Filter by verdict: only the warnings.
    key(&mut s, Key::Char('/'));
    assert!(s.screen.takes_text());
    typed(&mut s, "warn");
    key(&mut s, Key::Enter);
    let Screen::PickOrg(p) = &s.screen else {
        panic!()
    };
    assert_eq!(p.shown(&s.session.survey).len(), 1);
    assert_eq!(current(&s), "gamma");
    // Choosing stops the survey and goes on with the highlighted one.
    let fx = update(&mut s, Msg::Key(Key::Enter));
    assert!(fx.contains(&Effect::Cancel(survey)), "{fx:?}");
    assert!(plain(fx).contains(&start(Job::ListTenants {
        org: "gamma".into()
    })));
    // Esc on the filter clears it.
    let fx = key(&mut s, Key::Esc);
    assert!(fx.is_empty(), "everything was surveyed already: {fx:?}");
    key(&mut s, Key::Char('/'));
    key(&mut s, Key::Esc);
    let Screen::PickOrg(p) = &s.screen else {
        panic!()
    };
    assert_eq!(p.shown(&s.session.survey).len(), 3);
}

/// The owner's personal account cannot read the destination: the report
/// is blocked on the owner's unproven access and offers a directory sign-in.
fn unread_destination() -> ChecksReport {
    let mut r = report(false);
    r.checks[1].status = Status::Warn;
    r.checks[1].title = "Could not verify: that the owner keeps access".into();
    r.directory_sign_in = Some(tenant());
    r
}

#[test]
fn an_unreadable_destination_is_signed_in_to_and_checked_again() {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(unread_destination())));
    // Unproven: Enter does not go on to the plan, and says how to prove it.
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(matches!(s.screen, Screen::Prereqs(_)));
    assert!(
        s.status.as_deref().unwrap().contains("d sign in"),
        "{:?}",
        s.status
    );
    assert!(
        s.screen
            .hints()
            .iter()
            .any(|h| h.shown == "d" && h.label.contains("sign in to the directory"))
    );
    // d signs in to the destination only, keeping the main sign-in.
    assert_eq!(
        key(&mut s, Key::Char('d')),
        vec![start(Job::SignInDirectory {
            tenant: tenant().id
        })]
    );
    let Screen::SignIn(sign_in) = &s.screen else {
        panic!("{:?}", s.screen)
    };
    assert_eq!(sign_in.directory.as_ref(), Some(&tenant()));
    let before = s.session.identity.clone();
    let fx = reply(
        &mut s,
        Done::DirectorySignedIn(Ok(Identity {
            upn: "owner@contoso.com".into(),
            display_name: "Owner".into(),
            tenant_id: tenant().id,
        })),
    );
    assert_eq!(
        fx,
        vec![start(Job::RunChecks {
            op: Operation::Connect,
            org: "fabrikam".into(),
            tenant: Some(tenant().id),
        })]
    );
    assert_eq!(s.session.identity, before, "the main sign-in is the same");
    // With the destination read, the proven report goes on to the plan.
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Plan(_)), "{:?}", s.screen);
}

#[test]
fn an_organization_that_refuses_the_sign_in_offers_to_sign_in_there() {
    let refused = Problem {
        message:
            "'fabrikam' is connected to the directory T, and owner@contoso.com cannot sign in there"
                .into(),
        sign_in_at: Some(tenant().id),
        ..Problem::default()
    };
    // From the checks: s signs in at the organization's directory, then
    // the checks run again (not back to the organization list).
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Err(refused.clone())));
    assert_eq!(
        key(&mut s, Key::Char('s')),
        vec![start(Job::SignIn {
            tenant: Some(tenant().id)
        })]
    );
    let fx = reply(&mut s, Done::SignedIn(Ok(identity())));
    assert!(
        matches!(
            &fx[..],
            [Effect::Start {
                job: Job::RunChecks { .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    // From Resolve: s signs in there, then the users load again.
    let mut s = state();
    s.session.identity = Some(identity());
    let (screen, _) = nav::resolve(&mut s, "fabrikam");
    s.screen = screen;
    reply(&mut s, Done::ResolveLoaded(Err(refused.clone())));
    assert_eq!(
        key(&mut s, Key::Char('s')),
        vec![start(Job::SignIn {
            tenant: Some(tenant().id)
        })]
    );
    assert_eq!(
        reply(&mut s, Done::SignedIn(Ok(identity()))),
        vec![start(Job::LoadResolve {
            org: "fabrikam".into()
        })]
    );
    // A failure the sign-in cannot fix offers no such key.
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Err(Problem::msg("network down"))));
    assert!(key(&mut s, Key::Char('s')).is_empty());
}

#[test]
fn leaving_mid_change_says_how_to_finish_and_exits_as_interrupted() {
    // Nothing in flight: q leaves with 0 and nothing to say.
    let mut s = state();
    assert_eq!(key(&mut s, Key::Char('q')), vec![Effect::Quit]);
    assert_eq!(
        exit::leave(&s),
        exit::Exit {
            code: 0,
            note: None
        }
    );
    // Ctrl-C is an interrupt.
    let mut s = state();
    key(&mut s, Key::CtrlC);
    assert_eq!(exit::leave(&s).code, 130);
    // A signal while the connect is in flight: leave at once, with the
    // command that finishes it.
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter); // plan
    key(&mut s, Key::Enter); // confirm
    typed(&mut s, "fabrikam");
    let fx = key(&mut s, Key::Enter);
    assert!(
        matches!(
            &fx[..],
            [Effect::Start {
                job: Job::Apply { .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    let fx = update(&mut s, Msg::Signal(exit::Signal::Terminate));
    assert_eq!(fx, vec![Effect::Quit]);
    let left = exit::leave(&s);
    assert_eq!(left.code, 143);
    let note = left.note.unwrap();
    assert!(
        note.contains(&format!(
            "ado-entra connect --org fabrikam --to {}",
            tenant().id
        )),
        "{note}"
    );
    assert!(note.contains("never sends the change twice"), "{note}");
    // Applied but not verified: says so, and how to verify.
    let mut s = state();
    to_prereqs(&mut s);
    s.session.applied = Some(crate::ops::change::Applied {
        summary: "Connected 'fabrikam' to Contoso.".into(),
        journal: "/j".into(),
        already_landed: false,
        now: crate::domain::directory::Target::Personal,
    });
    update(&mut s, Msg::Signal(exit::Signal::Hangup));
    let left = exit::leave(&s);
    assert_eq!(left.code, 129);
    let note = left.note.unwrap();
    assert!(
        note.starts_with("Connected 'fabrikam' to Contoso."),
        "{note}"
    );
    assert!(note.contains("ado-entra verify --org fabrikam"), "{note}");
}

#[test]
fn welcome_proposes_the_flow_that_fits_where_the_organization_is() {
    let mut env = Environment::azure();
    env.org = Some("fabrikam".into());
    let mut s = State::new(env, false);
    assert_eq!(
        plain(screens::welcome::init(&mut s)),
        vec![start(Job::ProbeBacking {
            org: "fabrikam".into()
        })]
    );
    assert!(!s.busy(), "the background read never holds a quit");
    // Connected already: Resolve is proposed, not a connect with nothing to do.
    reply(
        &mut s,
        Done::Backing(Ok(OrgBacking {
            tenant: Some(tenant()),
        })),
    );
    let Screen::Welcome(w) = &s.screen else {
        panic!()
    };
    assert_eq!(w.selected_flow(), Flow::Resolve);
    assert_eq!(s.session.backing.as_ref().unwrap().tenant, Some(tenant()));
    // A choice the person made is never moved by a late answer.
    let mut s = State::new(Environment::azure(), false);
    key(&mut s, Key::Down);
    reply(&mut s, Done::Backing(Ok(OrgBacking { tenant: None })));
    let Screen::Welcome(w) = &s.screen else {
        panic!()
    };
    assert_eq!(w.selected_flow(), Flow::ChangeTenant);
    // Back on Welcome later, the highlight is the flow that was running.
    s.session.flow = Flow::Disconnect;
    let (screen, _) = nav::welcome(&mut s);
    let Screen::Welcome(w) = screen else { panic!() };
    assert_eq!(w.selected_flow(), Flow::Disconnect);
}

#[test]
fn resolve_asks_again_before_a_risky_accept_and_lists_it_apart() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve_with(&mut s, crate::domain::resolve::fixtures::trap_plan());
    // Row 2 is flagged ambiguous and its best account is disabled.
    key(&mut s, Key::Down);
    key(&mut s, Key::Down);
    let row = resolve_screen(&s).current().unwrap();
    let decision = |s: &State| {
        let Loadable::Ready(p) = &resolve_screen(s).plan else {
            panic!()
        };
        decision_label(&p.rows[row].decision)
    };
    key(&mut s, Key::Char('a'));
    assert_eq!(decision(&s), "review", "the first a only asks");
    let asked = s.status.clone().unwrap();
    assert!(asked.contains("more than one account fits"), "{asked}");
    assert!(asked.contains("a again accepts anyway"), "{asked}");
    // Any other key disarms it: the next a asks again.
    key(&mut s, Key::Char('x'));
    key(&mut s, Key::Char('a'));
    assert_eq!(decision(&s), "review");
    key(&mut s, Key::Char('a'));
    assert_eq!(decision(&s), "map", "the second a accepts");
    let Loadable::Ready(p) = &resolve_screen(&s).plan else {
        panic!()
    };
    let risky = crate::app::screens::resolve::risky_mappings(p);
    assert_eq!(risky.len(), 1, "{risky:?}");
    assert!(risky[0].2.contains("disabled"), "{risky:?}");
    // The plain exact row is accepted at once.
    key(&mut s, Key::Home);
    key(&mut s, Key::Char('a'));
    let Loadable::Ready(p) = &resolve_screen(&s).plan else {
        panic!()
    };
    assert_eq!(decision_label(&p.rows[0].decision), "map");
}

#[test]
fn resolve_asks_before_esc_discards_decisions() {
    let mut s = state();
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve(&mut s);
    // Nothing decided: Esc leaves at once.
    key(&mut s, Key::Esc);
    assert!(matches!(s.screen, Screen::Done(_)));
    s.screen = Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam")));
    loaded_resolve(&mut s);
    key(&mut s, Key::Char('A'));
    key(&mut s, Key::Esc);
    assert_eq!(
        resolve_screen(&s).phase,
        resolve::Phase::ConfirmLeave,
        "one decision is at stake"
    );
    // Any other key stays, decisions kept.
    key(&mut s, Key::Char('n'));
    assert_eq!(resolve_screen(&s).phase, resolve::Phase::Review);
    assert_eq!(resolve_screen(&s).unapplied(), 1);
    key(&mut s, Key::Esc);
    key(&mut s, Key::Char('y'));
    assert!(matches!(s.screen, Screen::Done(_)));
}

#[test]
fn resolve_keys_mean_one_thing_each() {
    use crate::app::screens::resolve::Phase;
    let mut r = ResolveScreen::loading("o");
    r.loaded(Ok(ResolveLoad {
        plan: crate::domain::resolve::fixtures::plan(),
        unfinished: None,
    }));
    let review = r.hints();
    r.phase = Phase::Finished(ResolveOutcome {
        mapped: 1,
        invited: 0,
        already: 0,
        failed: vec![],
        journal: "/j".into(),
        resumed: false,
        checked: 0,
    });
    // A letter shown in the list and in the Applied dialog means the same
    // there (Enter and Esc answer the dialog).
    for h in r.hints().into_iter().filter(|h| h.shown.len() == 1) {
        if let Some(same) = review.iter().find(|x| x.shown == h.shown) {
            assert_eq!(same.label, h.label, "{} means two things", h.shown);
        }
    }
}

#[test]
fn prerequisites_panes_scroll_with_the_same_keys_as_resolve() {
    let mut s = state();
    to_prereqs(&mut s);
    let mut r = report(false);
    r.access = (0..150)
        .map(|i| AccessRow {
            who: format!("user{i}@x.com"),
            role: Standing::User,
            outcome: AccessOutcome::Disconnected,
            reason: "no account".into(),
        })
        .collect();
    r.checks[0].evidence = (0..30).map(|i| format!("fact {i}")).collect();
    reply(&mut s, Done::Checks(Ok(r)));
    let p = |s: &State| match &s.screen {
        Screen::Prereqs(p) => p.clone(),
        _ => panic!(),
    };
    key(&mut s, Key::Home);
    assert_eq!(p(&s).selected, 0);
    key(&mut s, Key::End);
    assert_eq!(p(&s).selected, 1);
    key(&mut s, Key::Char('g'));
    // Tab gives the keys to the evidence, then to the lockout table.
    key(&mut s, Key::Tab);
    assert_eq!(p(&s).focus, Pane::Evidence);
    key(&mut s, Key::PageDown);
    assert_eq!(p(&s).evidence_scroll, 10);
    key(&mut s, Key::Char('G'));
    assert_eq!(p(&s).evidence_scroll, 29, "last line of the evidence");
    key(&mut s, Key::Tab);
    assert_eq!(p(&s).focus, Pane::Lockout);
    key(&mut s, Key::End);
    assert_eq!(p(&s).table_scroll, 149);
    key(&mut s, Key::PageUp);
    assert_eq!(p(&s).table_scroll, 139);
    key(&mut s, Key::Char('g'));
    assert_eq!(p(&s).table_scroll, 0);
    key(&mut s, Key::Tab);
    assert_eq!(p(&s).focus, Pane::Checks);
    key(&mut s, Key::BackTab);
    assert_eq!(p(&s).focus, Pane::Lockout);
    // Moving to another check starts its evidence at the top.
    key(&mut s, Key::Tab);
    key(&mut s, Key::Down);
    assert_eq!((p(&s).selected, p(&s).evidence_scroll), (1, 0));
    // The keys are in the help, written once in the bindings.
    let (_, help) = help_text(&s);
    for shown in ["Tab", "PgUp/PgDn", "g/G"] {
        assert!(help.iter().any(|h| h.shown == shown), "{shown}");
    }
}

#[test]
fn the_diagnosis_scrolls_to_every_recovery_step() {
    let mut s = state();
    s.screen = Screen::Diagnosis(Diagnosis {
        error: Problem::msg("TF400813"),
        probes: vec![],
        steps: vec!["one".into(), "two".into()],
        access: crate::domain::verify::Access::OwnerLockedOut,
        scroll: 0,
    });
    key(&mut s, Key::PageDown);
    key(&mut s, Key::Down);
    let Screen::Diagnosis(d) = &s.screen else {
        panic!()
    };
    assert_eq!(d.scroll, 11);
    key(&mut s, Key::Char('g'));
    let Screen::Diagnosis(d) = &s.screen else {
        panic!()
    };
    assert_eq!(d.scroll, 0);
}

/// `w` on Prerequisites (even when blocked: the board needs to see why) and
/// on Plan writes the change-approval report of the report on screen, by
/// the signed-in person; its answer names the file.
#[test]
fn w_writes_the_change_approval_report_from_prerequisites_and_plan() {
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(true))));
    let fx = key(&mut s, Key::Char('w'));
    let Some(Effect::Start {
        job:
            Job::ExportReport {
                org,
                operation,
                report: r,
                ..
            },
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(org, "fabrikam");
    assert_eq!(*operation, crate::app::model::Operation::Connect);
    assert!(r.blocked(), "the blocked report itself is written");
    assert!(matches!(s.screen, Screen::Prereqs(_)), "the screen stays");
    reply(
        &mut s,
        Done::Exported(Ok("/state/approval-fabrikam-20261201-180000.md".into())),
    );
    let status = s.status.clone().unwrap();
    assert!(
        status.contains("Change-approval report") && status.contains("approval-fabrikam"),
        "{status}"
    );

    // From the Plan of a report that passes.
    let mut s = state();
    to_prereqs(&mut s);
    reply(&mut s, Done::Checks(Ok(report(false))));
    key(&mut s, Key::Enter);
    assert!(matches!(s.screen, Screen::Plan(_)));
    let fx = key(&mut s, Key::Char('w'));
    assert!(
        matches!(fx.first(), Some(Effect::Start { job: Job::ExportReport { report, .. }, .. }) if !report.blocked()),
        "{fx:?}"
    );
    // The key is in the footer and in `?`, written once.
    assert!(
        crate::app::screens::plan::BINDINGS
            .iter()
            .any(|b| b.label == "write report")
    );
}

/// A locked-out owner's picker judges no readiness: no change is planned,
/// so the survey reads backing and users only and the title names no
/// destination.
#[test]
fn the_recover_picker_judges_no_readiness() {
    let mut s = State::new(
        Environment {
            destination: Some("contoso.onmicrosoft.com".into()),
            ..Environment::azure()
        },
        true,
    );
    key(&mut s, Key::End);
    assert!(matches!(
        &s.screen,
        Screen::Welcome(w) if crate::app::screens::welcome::Flow::ALL[w.selected]
            == crate::app::screens::welcome::Flow::Recover
    ));
    key(&mut s, Key::Enter);
    reply(&mut s, Done::SignedIn(Ok(identity())));
    let names = vec!["alpha".to_string()];
    let fx = reply(&mut s, Done::Orgs(Ok(names.clone())));
    assert_eq!(
        plain(fx),
        vec![start(Job::SurveyOrgs {
            orgs: names,
            op: None,
            tenant: None,
        })]
    );
}
