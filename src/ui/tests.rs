//! Screen snapshots from `TestBackend` at 80x24 and 40x12. Fixtures use fixed
//! ids and a fixed clock, so snapshots are stable without filters.

use super::*;
use crate::app::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";

fn demo_state() -> State {
    State::new(
        Environment {
            target: Target::Emulator {
                base_url: "http://127.0.0.1:1".into(),
                scenario: Some("messy".into()),
            },
            org: Some("fabrikam-messy".into()),
            owner: Some("owner@outlook.com".into()),
            tenants: vec![tenant()],
            destination: Some(TENANT_ID.into()),
        },
        false,
    )
}

fn tenant() -> TenantInfo {
    TenantInfo {
        id: TENANT_ID.into(),
        display_name: "Fabrikam".into(),
        domain: "fabrikam.onmicrosoft.com".into(),
    }
}

fn render(state: &State, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view(state, f)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn report() -> ChecksReport {
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
                evidence: vec!["owner@outlook.com is the organization owner".into()],
                fix: None,
            },
            CheckResult {
                id: "lockout-proof",
                status: Status::Fail,
                title: "The owner would be locked out".into(),
                evidence: vec!["owner@outlook.com matches no member UPN in Fabrikam".into()],
                fix: Some("Add the owner to Fabrikam as a member whose UPN is owner@outlook.com, or transfer ownership first.".into()),
            },
            CheckResult {
                id: "stale-users",
                status: Status::Warn,
                title: "2 users have not signed in for 90 days".into(),
                evidence: vec![],
                fix: None,
            },
        ],
        access: vec![
            AccessRow {
                who: "owner@outlook.com".into(),
                role: Standing::Owner,
                outcome: AccessOutcome::LockedOut,
                reason: "no member with this UPN".into(),
            },
            AccessRow {
                who: "ann@fabrikam.com".into(),
                role: Standing::Admin,
                outcome: AccessOutcome::Keeps,
                reason: "UPN matches".into(),
            },
        ],
        plan: PlanView {
            changes: vec!["fabrikam-messy will use the directory Fabrikam".into()],
            disconnected: vec!["bob@outlook.com (Bob Jones)".into()],
            afterwards: vec!["Sign out, then sign in with your Fabrikam work account".into()],
        },
    }
}

fn prompt() -> DeviceCodePrompt {
    DeviceCodePrompt {
        verification_uri: "https://microsoft.com/devicelogin".into(),
        user_code: "F7K2MQ9P".into(),
        expires_in_secs: 900,
    }
}

/// One state per screen, named.
fn screens() -> Vec<(&'static str, State)> {
    let base = demo_state();
    let with = |screen: Screen| {
        let mut s = base.clone();
        s.session.flow = Flow::Connect;
        s.session.choice = Some(Choice {
            org: "fabrikam-messy".into(),
            destination: Some(tenant()),
        });
        s.session.report = Some(report());
        s.now_ms = 61_000;
        s.screen = screen;
        s
    };
    let identity = Identity {
        upn: "owner@fabrikam.com".into(),
        display_name: "Owner".into(),
        tenant_id: TENANT_ID.into(),
    };
    // The picker once the background survey has read both organizations.
    let mut fleet = with(Screen::PickOrg(PickOrg {
        orgs: Loadable::Ready(vec!["alpha".into(), "fabrikam-messy".into()]),
        selected: 1,
        sort: crate::app::screens::pick_org::SortBy::Readiness,
        ..PickOrg::default()
    }));
    fleet.session.survey_for = Some((Some(Operation::Connect), Some(TENANT_ID.into())));
    for (name, verdict, reason, users) in [
        ("alpha", Verdict::Ready, "every check passed", 40),
        (
            "fabrikam-messy",
            Verdict::Blocked,
            "The owner would be locked out",
            12,
        ),
    ] {
        fleet.session.survey.insert(
            name.into(),
            FleetOrg {
                name: name.into(),
                backing: Some("personal accounts".into()),
                owner: Some("owner@outlook.com".into()),
                users: Some(users),
                admin: Some(true),
                readiness: Some(Readiness::decided(verdict, reason.into(), vec![])),
                ..FleetOrg::default()
            },
        );
    }
    let mut done = with(Screen::Done(DoneScreen { scroll: 0 }));
    done.session.applied = Some(Applied {
        summary: "Connected fabrikam-messy to Fabrikam".into(),
        journal: "/state/journal/connect.jsonl".into(),
        already_landed: false,
        now: crate::domain::directory::Target::Personal,
    });
    done.session.verified = Some(VerifyReport {
        identity: identity.clone(),
        probes: vec![Probe {
            what: "projects".into(),
            ok: true,
            detail: "2 reachable".into(),
        }],
        failure: None,
        access: crate::domain::verify::Access::Works,
        owner: None,
        deep: vec![],
    });
    vec![
        ("welcome", base.clone()),
        (
            "signin",
            with(Screen::SignIn(SignInScreen {
                phase: SignInPhase::Prompt {
                    prompt: prompt(),
                    received_ms: 0,
                },
                ..SignInScreen::default()
            })),
        ),
        (
            "pick_org",
            with(Screen::PickOrg(PickOrg {
                orgs: Loadable::Ready(vec!["alpha".into(), "fabrikam-messy".into()]),
                selected: 1,
                input: None,
                error: None,
                ..PickOrg::default()
            })),
        ),
        ("pick_org_fleet", fleet),
        (
            "pick_org_typing",
            with(Screen::PickOrg(PickOrg {
                orgs: Loadable::Failed(Problem::msg("accounts unavailable")),
                selected: 0,
                input: Some("bad org".into()),
                error: Some(
                    "'bad org' has ' ' at position 4; use letters, digits and hyphens only.".into(),
                ),
                ..PickOrg::default()
            })),
        ),
        ("pick_tenant", {
            let mut s = with(Screen::PickTenant(PickTenant {
                tenants: Loadable::Ready(vec![
                    tenant(),
                    TenantInfo {
                        id: "99999999-2222-3333-4444-555555555555".into(),
                        display_name: "Northwind".into(),
                        domain: "northwind.onmicrosoft.com".into(),
                    },
                ]),
                selected: 0,
                ..PickTenant::default()
            }));
            s.session.identity = Some(Identity {
                upn: "owner@fabrikam.com".into(),
                display_name: "Owner".into(),
                tenant_id: TENANT_ID.into(),
            });
            s.session.backing = Some(OrgBacking {
                tenant: Some(tenant()),
            });
            s.session.flow = Flow::ChangeTenant;
            s
        }),
        (
            "prereqs_running",
            with(Screen::Prereqs(Prereqs {
                report: Loadable::Loading,
                progress: Some((4, 12, "graph lookups".into())),
                selected: 0,
                ..Prereqs::default()
            })),
        ),
        (
            "prereqs",
            with(Screen::Prereqs(Prereqs {
                report: Loadable::Ready(report()),
                progress: None,
                selected: 1,
                ..Prereqs::default()
            })),
        ),
        ("plan", with(Screen::Plan(PlanScreen { scroll: 0 }))),
        (
            "confirm",
            with(Screen::Confirm(Confirm {
                typed: "fabrik".into(),
                mismatch: true,
                risks: vec![],
            })),
        ),
        (
            "apply",
            with(Screen::Apply(ApplyScreen::Running {
                last: Some("connect".into()),
            })),
        ),
        (
            "verify",
            with(Screen::Verify(VerifyScreen::SigningIn {
                prompt: Some(prompt()),
                received_ms: 0,
            })),
        ),
        (
            "verify_results",
            with(Screen::Verify(VerifyScreen::Results(VerifyReport {
                identity: identity.clone(),
                probes: vec![],
                failure: None,
                access: crate::domain::verify::Access::Works,
                owner: None,
                deep: vec![
                    DeepProbe {
                        kind: "service-connection".into(),
                        what: "service connection \"prod-azure\" (Web)".into(),
                        state: DeepState::Working,
                        detail: "verified".into(),
                        known_as: None,
                        fix: vec![],
                    },
                    DeepProbe {
                        kind: "service-connection".into(),
                        what: "service connection \"legacy\" (Data)".into(),
                        state: DeepState::Broken,
                        detail: "AADSTS700016: Application with identifier 'a1' was not found in the directory 'Fabrikam'.".into(),
                        known_as: Some("AADSTS700016".into()),
                        fix: vec!["Edit > Verify; if it fails, create a new service connection.".into()],
                    },
                    DeepProbe {
                        kind: "pats".into(),
                        what: "your personal access tokens".into(),
                        state: DeepState::NotCheckable,
                        detail: "signed in with a PAT".into(),
                        known_as: None,
                        fix: vec![],
                    },
                ],
            }))),
        ),
        (
            "diagnosis",
            with(Screen::Diagnosis(Diagnosis {
                error: Problem {
                    message: "TF400813: The user is not authorized to access this resource.".into(),
                    code: Some("TF400813".into()),
                    kb_id: Some("TF400813".into()),
                    auth_failure: true,
                    ..Problem::default()
                },
                probes: vec![Probe {
                    what: "profile".into(),
                    ok: true,
                    detail: "answers".into(),
                }],
                steps: crate::domain::diagnose::KnowledgeBase::builtin()
                    .get("lockout-after-connect")
                    .unwrap()
                    .fix
                    .clone(),
                access: crate::domain::verify::Access::OwnerLockedOut,
                scroll: 0,
            })),
        ),
        ("done", done),
        ("resolve", with(Screen::Resolve(resolve_screen(|_| {})))),
        (
            "resolve_detail",
            with(Screen::Resolve(resolve_screen(|r| {
                r.cursor = 2;
                r.detail = Some(crate::app::resolve::Detail {
                    row: 2,
                    cursor: 0,
                    query: "er".into(),
                    typing: false,
                    results: Some(Loadable::Ready(vec![Candidate {
                        id: "id-x".into(),
                        upn: "erika@fabrikam.com".into(),
                        display_name: "Erika Lund".into(),
                        guest: false,
                        enabled: true,
                    }])),
                });
            }))),
        ),
        (
            "resolve_traps",
            with(Screen::Resolve(trap_screen(|r| r.cursor = 2))),
        ),
        (
            "resolve_traps_detail",
            with(Screen::Resolve(trap_screen(|r| open_detail(r, 2)))),
        ),
        (
            "resolve_confirm",
            with(Screen::Resolve(resolve_screen(|r| {
                r.phase = crate::app::screens::resolve::Phase::Confirm;
            }))),
        ),
        (
            "resolve_applying",
            with(Screen::Resolve(resolve_screen(|r| {
                r.phase = crate::app::screens::resolve::Phase::Applying(ResolveProgress {
                    done: 1,
                    total: 3,
                    mapped: 1,
                    invited: 0,
                    failed: 0,
                    in_doubt: 0,
                    checked: 0,
                });
            }))),
        ),
        (
            "resolve_finished",
            with(Screen::Resolve(resolve_screen(|r| {
                r.phase = crate::app::screens::resolve::Phase::Finished(ResolveOutcome {
                    mapped: 2,
                    invited: 1,
                    already: 0,
                    failed: vec![crate::ops::resolve::Failure {
                        who: "Erik Lund".into(),
                        descriptor: "msa.erik".into(),
                        error: "403 refused".into(),
                    }],
                    journal: "/state/journal/resolve.jsonl".into(),
                    resumed: false,
                    checked: 0,
                });
            }))),
        ),
        ("recover", with(Screen::Recover(recover_screen(|_| {})))),
        (
            "recover_running",
            with(Screen::Recover(recover_screen(|r| {
                let mut run = crate::app::screens::recover::Running {
                    what: "Disconnect through the back door".into(),
                    steps: vec![
                        "The API refused alice@outlook.com (TF400813). Do it on the page instead:"
                            .into(),
                    ],
                    prompt: None,
                    waiting: Some(crate::ops::recover::Progress::Waiting {
                        what: "'contoso-lockout' to be disconnected from Contoso".into(),
                        next_check_secs: 4,
                        waited_secs: 75,
                        limit_secs: 900,
                    }),
                };
                run.prompt = Some((prompt(), 0));
                r.running = Some(run);
            }))),
        ),
        (
            "signin_failed",
            with(Screen::SignIn(SignInScreen {
                phase: SignInPhase::Failed(Problem {
                    message: "AADSTS50020: User account 'owner@outlook.com' from identity provider 'live.com' does not exist in tenant 'Fabrikam'.".into(),
                    code: Some("AADSTS50020".into()),
                    next_step: Some("Sign in with an account of the directory, or invite this one as a guest first.".into()),
                    kb_id: Some("AADSTS50020".into()),
                    ..Problem::default()
                }),
                ..SignInScreen::default()
            })),
        ),
        (
            "prereqs_evidence_scrolled",
            with(Screen::Prereqs(Prereqs {
                report: Loadable::Ready(long_report()),
                selected: 1,
                focus: Pane::Evidence,
                evidence_scroll: 3,
                ..Prereqs::default()
            })),
        ),
        (
            "prereqs_lockout_scrolled",
            with(Screen::Prereqs(Prereqs {
                report: Loadable::Ready(long_report()),
                selected: 1,
                focus: Pane::Lockout,
                table_scroll: 40,
                ..Prereqs::default()
            })),
        ),
        (
            "apply_failed",
            with(Screen::Apply(ApplyScreen::Failed(Problem {
                message: "The connection was refused: 403 Forbidden".into(),
                next_step: Some("Nothing was changed. Check that you are still an owner, then run the checks again.".into()),
                ..Problem::default()
            }))),
        ),
        (
            "verify_failed",
            with(Screen::Verify(VerifyScreen::Failed(Problem::msg(
                "The fresh sign-in was refused: TF400813",
            )))),
        ),
        ("help_overlay", {
            let mut s = with(Screen::Prereqs(Prereqs {
                report: Loadable::Ready(report()),
                ..Prereqs::default()
            }));
            s.overlay = Some(Overlay::Help);
            s
        }),
        ("quit_overlay", {
            let mut s = with(Screen::Apply(ApplyScreen::Running {
                last: Some("connect".into()),
            }));
            s.overlay = Some(Overlay::ConfirmQuit);
            s
        }),
        (
            "resolve_loading",
            with(Screen::Resolve(Box::new(ResolveScreen::loading("fabrikam-messy")))),
        ),
        ("resolve_failed", {
            let mut r = ResolveScreen::loading("fabrikam-messy");
            r.loaded(Err(Problem::msg("VS403463: the organization answered 401")));
            with(Screen::Resolve(Box::new(r)))
        }),
        (
            "resolve_unfinished",
            with(Screen::Resolve(resolve_screen(|r| r.unfinished = Some(40)))),
        ),
        (
            "resolve_confirm_leave",
            with(Screen::Resolve(resolve_screen(|r| {
                r.phase = crate::app::screens::resolve::Phase::ConfirmLeave;
            }))),
        ),
        (
            "resolve_confirm_risky",
            with(Screen::Resolve(trap_screen(|r| {
                if let Loadable::Ready(p) = &mut r.plan {
                    p.accept(2, 0).unwrap();
                }
                r.phase = crate::app::screens::resolve::Phase::Confirm;
            }))),
        ),
        ("resolve_apply_failed", {
            with(Screen::Resolve(resolve_screen(|r| {
                r.phase = crate::app::screens::resolve::Phase::Failed(Problem::msg(
                    "429 Too Many Requests after 5 retries",
                ));
            })))
        }),
        (
            "recover_handover",
            with(Screen::Recover(recover_screen(|r| {
                let report = crate::ops::recover::fixtures::back_in_after(
                    crate::domain::recover::WayId::BackDoor,
                );
                r.outcome = Some(Ok(crate::ops::recover::Outcome {
                    action: crate::ops::recover::Action::Way {
                        way: crate::domain::recover::WayId::BackDoor,
                    },
                    ok: true,
                    status: crate::domain::recover::WayStatus::Done,
                    summary: "'contoso-lockout' is disconnected from Contoso (on the page). Verified: 'contoso-lockout' answers alice@outlook.com.".into(),
                    next: crate::domain::recover::handover_after(
                        &report.facts,
                        crate::domain::recover::WayId::BackDoor,
                    ),
                    file: None,
                    message: None,
                    verified: None,
                    report: report.clone(),
                }));
                r.report = Loadable::Ready(report);
            }))),
        ),
    ]
}

/// A report with long evidence and a lockout table of 60 people.
fn long_report() -> ChecksReport {
    let mut r = report();
    r.checks[1].evidence = (1..=12)
        .map(|i| format!("Fact {i}: owner@outlook.com matches no member UPN in Fabrikam"))
        .collect();
    r.access.extend((1..=60).map(|i| AccessRow {
        who: format!("User {i:02} <user{i:02}@outlook.com>"),
        role: Standing::User,
        outcome: AccessOutcome::Disconnected,
        reason: "No account in the destination tenant has this address".into(),
    }));
    r
}

/// The Recover screen on the locked-out fixture, edited by `edit`.
fn recover_screen(edit: impl FnOnce(&mut RecoverScreen)) -> Box<RecoverScreen> {
    let mut r = RecoverScreen::loading("contoso-lockout");
    r.running = None;
    r.report = Loadable::Ready(crate::ops::recover::fixtures::locked_out());
    r.selected = 2;
    edit(&mut r);
    Box::new(r)
}

/// The trap plan (guest copy, reassigned alias, disabled, service account,
/// disagreeing name) with `A` pressed: only Ann is mapped.
fn trap_screen(edit: impl FnOnce(&mut ResolveScreen)) -> Box<ResolveScreen> {
    let mut plan = crate::domain::resolve::fixtures::trap_plan();
    plan.accept_all_exact();
    let mut r = ResolveScreen::loading("fabrikam-traps");
    r.loaded(Ok(ResolveLoad {
        plan,
        unfinished: None,
    }));
    edit(&mut r);
    Box::new(r)
}

fn open_detail(r: &mut ResolveScreen, row: usize) {
    r.cursor = row;
    r.detail = Some(crate::app::resolve::Detail {
        row,
        cursor: 0,
        query: String::new(),
        typing: false,
        results: None,
    });
}

/// The fixture plan with Ann accepted, Frank invited and a filter typed.
fn resolve_screen(edit: impl FnOnce(&mut ResolveScreen)) -> Box<ResolveScreen> {
    let mut plan = crate::domain::resolve::fixtures::plan();
    plan.accept_all_exact();
    plan.accept(1, 0).unwrap();
    plan.invite(3).unwrap();
    let mut r = ResolveScreen::loading("fabrikam-messy");
    r.loaded(Ok(ResolveLoad {
        plan,
        unfinished: None,
    }));
    edit(&mut r);
    Box::new(r)
}

#[test]
fn resolve_table_draws_only_the_rows_that_fit() {
    let mut plan = crate::domain::resolve::fixtures::plan();
    let template = plan.rows[2].clone();
    plan.rows = (0..10_000)
        .map(|i| {
            let mut r = template.clone();
            r.descriptor = format!("msa.{i}");
            r.display_name = format!("User {i:05}");
            r
        })
        .collect();
    let mut r = ResolveScreen::loading("big");
    r.loaded(Ok(ResolveLoad {
        plan,
        unfinished: None,
    }));
    r.cursor = 9_999;
    let mut s = demo_state();
    s.screen = Screen::Resolve(Box::new(r));
    let out = render(&s, 80, 24);
    assert!(out.contains("User 09999"), "{out}");
    assert!(out.contains("10000/10000"), "{out}");
    assert!(!out.contains("User 00000"));
    assert_eq!(crate::ui::screens::resolve::window_start(9_999, 17), 9_983);
    assert_eq!(crate::ui::screens::resolve::window_start(3, 17), 0);
}

#[test]
fn every_screen_at_120x40_80x24_and_40x12() {
    for (name, state) in screens() {
        insta::assert_snapshot!(format!("{name}_120x40"), render(&state, 120, 40));
        insta::assert_snapshot!(format!("{name}_80x24"), render(&state, 80, 24));
        insta::assert_snapshot!(format!("{name}_40x12"), render(&state, 40, 12));
    }
}

#[test]
fn device_code_countdown_follows_the_clock() {
    let (_, mut s) = screens().into_iter().find(|(n, _)| *n == "signin").unwrap();
    assert!(render(&s, 80, 24).contains("expires in 13:59"));
    s.now_ms = 899_500;
    assert!(render(&s, 80, 24).contains("expires in 0:01"));
    s.now_ms = 2_000_000;
    assert!(render(&s, 80, 24).contains("expires in 0:00"));
}

#[test]
fn too_small_below_40x12() {
    let screen = render(&demo_state(), 39, 12);
    assert!(screen.contains("Terminal too small"), "{screen}");
    let screen = render(&demo_state(), 20, 8);
    assert!(screen.contains("Terminal"), "{screen}");
}

#[test]
fn help_overlay_lists_the_keys() {
    let mut s = demo_state();
    update(&mut s, Msg::Key(Key::Char('?')));
    let screen = render(&s, 80, 24);
    assert!(screen.contains("Help: Welcome"), "{screen}");
    assert!(screen.contains("Ctrl-C"), "{screen}");
}

#[test]
fn selection_is_visible_without_colour() {
    // Under NO_COLOR the selected row must still be marked (reverse video + marker).
    let mut s = demo_state();
    update(&mut s, Msg::Key(Key::Down));
    let screen = render(&s, 80, 24);
    let line = screen
        .lines()
        .find(|l| l.contains("Change the organization"))
        .unwrap();
    assert!(line.contains('▶'), "{line}");
}

#[test]
fn lockout_table_names_the_owner() {
    let (_, s) = screens()
        .into_iter()
        .find(|(n, _)| *n == "prereqs")
        .unwrap();
    let screen = render(&s, 100, 40);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("owner@outlook.com") && l.contains("LOCKED OUT")),
        "{screen}"
    );
}

#[test]
fn resolve_shows_flags_in_words_and_each_candidate_s_kind_and_state() {
    let mut s = demo_state();
    s.screen = Screen::Resolve(trap_screen(|_| {}));
    let table = render(&s, 160, 30);
    let line = |who: &str| {
        table
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("{who}: {table}"))
            .to_string()
    };
    for (who, words) in [
        ("Kim Lee", "address matches but the name does not"),
        ("Kim Lee", "medium"),
        ("Dana Scully", "the account is disabled"),
        ("Dana Scully", "dana@fabrikam.com (disabled)"),
        ("Bob Brown", "more than one account fits"),
        ("Ann Berg", "exact"),
    ] {
        assert!(line(who).contains(words), "{who}: {words}\n{table}");
    }
    assert!(line("Ann Berg").starts_with("│map"), "{table}");
    for who in [
        "Anna Lindberg",
        "Bob Brown",
        "Dana Scully",
        "Erik Lund",
        "Kim Lee",
    ] {
        assert!(line(who).starts_with("│review"), "{who}: {table}");
    }
    // Anna's candidates: her member account first, the guest copy after it,
    // each with its kind and state; Erik's: his admin account says so.
    s.screen = Screen::Resolve(trap_screen(|r| open_detail(r, 1)));
    let pop = render(&s, 120, 30);
    assert!(
        pop.contains("Anna Lindberg · anna.lindberg@fabrikam.com"),
        "{pop}"
    );
    assert!(
        pop.contains("medium · person, member, enabled · same name"),
        "{pop}"
    );
    assert!(
        pop.contains("low · person, guest, enabled · address is the account's primary mail"),
        "{pop}"
    );
    s.screen = Screen::Resolve(trap_screen(|r| open_detail(r, 4)));
    let pop = render(&s, 120, 30);
    assert!(
        pop.contains("Erik Lund (Admin) · adm-erik@fabrikam.com"),
        "{pop}"
    );
    assert!(
        pop.contains("low · admin account, member, enabled"),
        "{pop}"
    );
    s.screen = Screen::Resolve(trap_screen(|r| open_detail(r, 2)));
    let pop = render(&s, 120, 30);
    assert!(
        pop.contains("⚠ more than one account fits; the account is disabled"),
        "{pop}"
    );
}

/// A hostile directory name cannot reach the terminal through the wizard:
/// no drawn cell holds an escape, a bell or a bidirectional override
/// (the buffer is what the terminal receives).
#[test]
fn hostile_names_never_reach_the_terminal() {
    let (_, mut s) = screens()
        .into_iter()
        .find(|(n, _)| *n == "prereqs")
        .unwrap();
    let hostile = "Eve\u{1b}[2J\u{202E}moc.live\u{7}\u{2066}x";
    if let crate::app::screens::Screen::Prereqs(p) = &mut s.screen
        && let crate::app::screens::Loadable::Ready(r) = &mut p.report
    {
        r.access[0].who = hostile.into();
        r.checks[0].title = hostile.into();
    } else {
        panic!("the prereqs fixture has a report");
    }
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let screen = render(&s, w, h);
        assert!(
            !screen
                .chars()
                .any(|c| c != '\n' && crate::domain::text::is_unsafe_char(c)),
            "{w}x{h}: {screen:?}"
        );
    }
}
