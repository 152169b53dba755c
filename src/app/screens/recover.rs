//! "I'm locked out": what the organization and the person's sign-ins show,
//! who could let them back in, and the ways back in order, each carried out
//! from here ([`crate::ops::recover`]); after one works, a fresh sign-in
//! proves who is back in and the wizard hands over to the proper flow.

use crate::app::jobs::{Job, Slot};
use crate::app::keys::{self, Binding, Key};
use crate::app::model::{DeviceCodePrompt, Problem, TenantInfo};
use crate::app::nav::{self, Step};
use crate::app::screens::welcome::Flow;
use crate::app::{Choice, Effect, State};
use crate::domain::recover::{Way, WayId, WayStatus};
use crate::ops::recover::{Action as Do, Outcome, Progress, Report};

use super::{Loadable, Screen};

/// What is in flight, and what it has said so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// What it does, for people.
    pub what: String,
    /// Steps and instructions it reported.
    pub steps: Vec<String>,
    /// A device code to show, with the clock when it arrived.
    pub prompt: Option<(DeviceCodePrompt, u64)>,
    /// The last countdown.
    pub waiting: Option<Progress>,
}

impl Running {
    fn new(what: impl Into<String>) -> Self {
        Running {
            what: what.into(),
            steps: Vec::new(),
            prompt: None,
            waiting: None,
        }
    }
}

/// The Recover screen.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoverScreen {
    pub org: String,
    /// The diagnosis.
    pub report: Loadable<Report>,
    /// The highlighted way (0..5).
    pub selected: usize,
    /// Scroll of the details.
    pub scroll: u16,
    /// A diagnosis or an action in flight.
    pub running: Option<Running>,
    /// What the last action did.
    pub outcome: Option<Result<Outcome, Problem>>,
}

impl RecoverScreen {
    /// Diagnosing `org`.
    pub fn loading(org: &str) -> Self {
        RecoverScreen {
            org: org.to_string(),
            report: Loadable::Loading,
            selected: 0,
            scroll: 0,
            running: Some(Running::new(
                "Reading what the organization and your sign-in show",
            )),
            outcome: None,
        }
    }

    /// The highlighted way.
    pub fn way(&self) -> Option<&Way> {
        match &self.report {
            Loadable::Ready(r) => r.assessment.ways.get(self.selected),
            _ => None,
        }
    }

    /// The last action worked and there is a flow to hand over to.
    pub fn handover(&self) -> Option<Handover> {
        let Some(Ok(o)) = &self.outcome else {
            return None;
        };
        if !(o.ok && o.status == WayStatus::Done) {
            return None;
        }
        match &o.action {
            Do::Way {
                way: WayId::BackDoor,
            } => Some(Handover::Connect),
            Do::Way {
                way: WayId::Support,
            } => None,
            _ => Some(Handover::Resolve),
        }
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match (&self.running, &self.report) {
            (Some(_), _) => RUNNING,
            (None, Loadable::Ready(_)) if self.handover().is_some() => HANDOVER,
            (None, Loadable::Ready(_)) => READY,
            (None, _) => FAILED,
        }
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match keys::action(self.bindings(), key) {
            Some(Action::Back) => {
                let mut fx = state.cancel(Slot::Recover);
                let (screen, more) = nav::welcome(state);
                fx.extend(more);
                (screen, fx)
            }
            Some(Action::Stop) => {
                let fx = state.cancel(Slot::Recover);
                self.running = None;
                state.status = Some("Stopped. Nothing more is checked; r checks again.".into());
                (wrap(self), fx)
            }
            Some(Action::Move) => {
                keys::move_wrapping(&mut self.selected, WayId::ALL.len(), key);
                self.scroll = 0;
                (wrap(self), vec![])
            }
            Some(Action::Scroll) => {
                keys::scroll(&mut self.scroll, key);
                (wrap(self), vec![])
            }
            Some(Action::Again) => diagnose(state, self),
            Some(Action::Carry) => {
                let Some(way) = self.way().cloned() else {
                    return (wrap(self), vec![]);
                };
                if matches!(
                    way.status,
                    WayStatus::NotApplicable | WayStatus::NotNeeded | WayStatus::Done
                ) {
                    state.status = Some(format!(
                        "Nothing to carry out for \"{}\": {}",
                        way.title,
                        way.status.name().replace('_', " ")
                    ));
                    return (wrap(self), vec![]);
                }
                if way.id == WayId::InviteOwner && way.status == WayStatus::Waiting {
                    // Sent already: what is left is the owner's sign-in.
                    return run(state, self, Do::VerifyOwner { tenant: None });
                }
                run(state, self, Do::Way { way: way.id })
            }
            Some(Action::VerifyOwner) => run(state, self, Do::VerifyOwner { tenant: None }),
            Some(Action::SignInAnother) => run(state, self, Do::SignIn { tenant: None }),
            Some(Action::CopyMessage) => match self.way().and_then(|w| w.message.clone()) {
                Some(m) => {
                    state.status = Some("The message is on the clipboard".into());
                    (wrap(self), vec![Effect::Copy(m)])
                }
                None => {
                    state.status = Some("This way has no message to send.".into());
                    (wrap(self), vec![])
                }
            },
            Some(Action::Open) => {
                let url = match (&self.report, self.way().map(|w| w.id)) {
                    (Loadable::Ready(r), Some(WayId::BackDoor)) => {
                        Some(r.facts.urls.back_door.clone())
                    }
                    (Loadable::Ready(r), Some(WayId::ClaimOwnership)) => {
                        Some(r.facts.urls.org.clone())
                    }
                    (_, Some(WayId::Support)) => {
                        Some(crate::domain::recover::SUPPORT_URL.to_string())
                    }
                    _ => None,
                };
                match url {
                    Some(u) => (wrap(self), vec![Effect::OpenBrowser(u)]),
                    None => {
                        state.status = Some("This way has no page to open.".into());
                        (wrap(self), vec![])
                    }
                }
            }
            Some(Action::OpenSignIn) => {
                match self.running.as_ref().and_then(|r| r.prompt.clone()) {
                    Some((p, _)) => (wrap(self), vec![Effect::OpenBrowser(p.verification_uri)]),
                    None => (wrap(self), vec![]),
                }
            }
            Some(Action::CopyCode) => match self.running.as_ref().and_then(|r| r.prompt.clone()) {
                Some((p, _)) => {
                    state.status = Some("Code copied to the clipboard".into());
                    (wrap(self), vec![Effect::Copy(p.user_code)])
                }
                None => (wrap(self), vec![]),
            },
            Some(Action::Continue) => match self.handover() {
                Some(h) => hand_over(state, &self, h),
                None => (wrap(self), vec![]),
            },
            None => (wrap(self), vec![]),
        }
    }

    /// A progress event of the job in flight.
    pub fn progress(&mut self, p: Progress) {
        let Some(r) = self.running.as_mut() else {
            return;
        };
        match p {
            Progress::Step { text } => {
                r.steps.push(text);
                if r.steps.len() > 12 {
                    r.steps.remove(0);
                }
                r.waiting = None;
                // A new step follows the sign-in it may have waited for.
                r.prompt = None;
            }
            w @ Progress::Waiting { .. } => {
                r.waiting = Some(w);
                // Waiting means any sign-in it asked for is done.
                r.prompt = None;
            }
        }
    }

    /// A device code to show.
    pub fn prompt(&mut self, now_ms: u64, p: DeviceCodePrompt) {
        if let Some(r) = self.running.as_mut() {
            r.prompt = Some((p, now_ms));
        }
    }
}

fn wrap(s: RecoverScreen) -> Screen {
    Screen::Recover(Box::new(s))
}

/// The flow a recovery hands over to once the owner is back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// Disconnected through the back door: connect again, checks first.
    Connect,
    /// Back in (or a new owner): reconnect the owner and anyone else left out.
    Resolve,
}

impl Handover {
    pub fn label(self) -> &'static str {
        match self {
            Handover::Connect => "connect again, the checks first (the owner must map this time)",
            Handover::Resolve => {
                "reconnect the owner's and anyone else's disconnected user (Resolve)"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Move,
    Scroll,
    Carry,
    VerifyOwner,
    SignInAnother,
    CopyMessage,
    Open,
    Again,
    Continue,
    OpenSignIn,
    CopyCode,
    Stop,
    Back,
}

const MOVE: Binding<Action> = Binding::new(
    keys::CHOICE_KEYS,
    "↑↓",
    "choose a way",
    "choose a way back (Home/End, g/G jump)",
    Action::Move,
);
const SCROLL: Binding<Action> = Binding::new(
    &[Key::PageUp, Key::PageDown],
    "PgUp/PgDn",
    "scroll",
    "scroll the details",
    Action::Scroll,
);
const VERIFY: Binding<Action> = Binding::new(
    &[Key::Char('v')],
    "v",
    "verify as the owner",
    "sign in afresh as the owner and verify, checking again for up to an hour (an accepted invitation or a claim can take that long to reach Azure DevOps)",
    Action::VerifyOwner,
);
const SIGN_IN: Binding<Action> = Binding::new(
    &[Key::Char('s')],
    "s",
    "sign-in with another account",
    "sign in with another of your accounts (personal or work); both are remembered",
    Action::SignInAnother,
);
const COPY: Binding<Action> = Binding::new(
    &[Key::Char('c')],
    "c",
    "copy message",
    "copy the message to send for this way",
    Action::CopyMessage,
);
const OPEN: Binding<Action> = Binding::new(
    &[Key::Char('o')],
    "o",
    "open page",
    "open this way's page in the browser",
    Action::Open,
);
const AGAIN: Binding<Action> = Binding::new(
    &[Key::Char('r')],
    "r",
    "refresh",
    "read everything again with the current sign-in",
    Action::Again,
);
const BACK: Binding<Action> =
    Binding::new(&[Key::Esc], "Esc", "back", "back to Welcome", Action::Back);

const READY: &[Binding<Action>] = &[
    MOVE,
    Binding::new(
        &[Key::Enter],
        "Enter",
        "start this way",
        "carry out the highlighted way",
        Action::Carry,
    ),
    VERIFY,
    SIGN_IN,
    COPY,
    OPEN,
    AGAIN,
    SCROLL,
    BACK,
];

const HANDOVER: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "go on to the flow that makes sure this does not happen twice",
        Action::Continue,
    ),
    MOVE,
    VERIFY,
    AGAIN,
    SCROLL,
    BACK,
];

const RUNNING: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "open sign-in page",
        "open the sign-in page in the browser (when a code is shown)",
        Action::OpenSignIn,
    ),
    Binding::new(
        &[Key::Char('c')],
        "c",
        "copy code",
        "copy the sign-in code",
        Action::CopyCode,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "stop",
        "stop waiting (nothing already sent is undone)",
        Action::Stop,
    ),
];

const FAILED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter, Key::Char('r')],
        "Enter",
        "try again",
        "read everything again",
        Action::Again,
    ),
    SIGN_IN,
    BACK,
];

pub const HELP: &str = "Locked out of an organization? ado-entra reads, from every account you can \
still sign in with (press s to add another), which directory the organization uses, who its owner \
is, how each of your accounts stands there and who could let you back in. The ways back are listed \
in the order most likely to work; Enter carries out the highlighted one as far as Azure allows, \
and a fresh sign-in proves who is back in.";

/// How long each way keeps checking from the wizard: (wait, every), seconds.
fn timing(a: &Do) -> (u64, u64) {
    match a {
        Do::Way {
            way: WayId::BackDoor | WayId::ClaimOwnership,
        } => (900, 5),
        Do::VerifyOwner { .. } => (3600, 30),
        _ => (0, 30),
    }
}

fn describe(a: &Do) -> String {
    match a {
        Do::Way { way } => way.title().to_string(),
        Do::VerifyOwner { .. } => "Verifying as the owner with a fresh sign-in".into(),
        Do::SignIn { .. } => "Signing in with another account".into(),
    }
}

fn run(state: &mut State, mut s: RecoverScreen, action: Do) -> Step {
    let (wait_secs, every_secs) = timing(&action);
    s.running = Some(Running::new(describe(&action)));
    s.outcome = None;
    let fx = state.start(Job::RecoverRun {
        org: s.org.clone(),
        action,
        wait_secs,
        every_secs,
    });
    (wrap(s), fx)
}

fn diagnose(state: &mut State, mut s: RecoverScreen) -> Step {
    s.running = Some(Running::new(
        "Reading what the organization and your sign-ins show",
    ));
    let fx = state.start(Job::Recover { org: s.org.clone() });
    (wrap(s), fx)
}

fn hand_over(state: &mut State, s: &RecoverScreen, h: Handover) -> Step {
    let Loadable::Ready(r) = &s.report else {
        return (wrap(s.clone()), vec![]);
    };
    // After a disconnect the directory is the one it was connected to.
    let destination = r
        .facts
        .tenant
        .as_ref()
        .map(|t| TenantInfo {
            id: t.id.clone(),
            display_name: t.display_name.clone().unwrap_or_default(),
            domain: t.domains.first().cloned().unwrap_or_default(),
        })
        .or_else(|| {
            r.facts.last_tenant.clone().map(|id| TenantInfo {
                id,
                display_name: String::new(),
                domain: String::new(),
            })
        });
    state.session.choice = Some(Choice {
        org: s.org.clone(),
        destination: destination.clone(),
    });
    state.session.report = None;
    match h {
        Handover::Connect => {
            state.session.flow = Flow::Connect;
            if destination.is_some() {
                nav::run_checks(state)
            } else {
                nav::pick_tenant(state)
            }
        }
        Handover::Resolve => {
            state.session.flow = Flow::Resolve;
            nav::resolve(state, &s.org)
        }
    }
}

/// The diagnosis arrived.
pub(super) fn diagnosed(
    state: &mut State,
    screen: Screen,
    r: Result<Box<Report>, Problem>,
) -> Step {
    let Screen::Recover(mut s) = screen else {
        return (screen, vec![]);
    };
    s.running = None;
    match r {
        Ok(report) => {
            // Highlight the first way worth doing.
            s.selected = report
                .assessment
                .ways
                .iter()
                .position(|w| w.status.actionable())
                .unwrap_or(0);
            s.report = Loadable::Ready(*report);
        }
        Err(e) => {
            if !matches!(s.report, Loadable::Ready(_)) {
                s.report = Loadable::Failed(e);
            } else {
                s.outcome = Some(Err(e));
            }
        }
    }
    let _ = state;
    (Screen::Recover(s), vec![])
}

/// An action finished: its outcome, and the diagnosis it ended with.
pub(super) fn ran(state: &mut State, screen: Screen, r: Result<Box<Outcome>, Problem>) -> Step {
    if let Ok(o) = &r
        && let Some(v) = &o.verified
    {
        state.session.identity = Some(v.identity.clone());
    }
    let Screen::Recover(mut s) = screen else {
        return (screen, vec![]);
    };
    s.running = None;
    s.scroll = 0;
    if let Ok(o) = &r {
        s.report = Loadable::Ready(o.report.clone());
        // The way carried out stays highlighted; after a sign-in, the first
        // way now worth doing.
        s.selected = match &o.action {
            Do::Way { way } => WayId::ALL.iter().position(|x| x == way),
            _ => o
                .report
                .assessment
                .ways
                .iter()
                .position(|w| w.status.actionable()),
        }
        .unwrap_or(s.selected);
    }
    s.outcome = Some(r.map(|o| *o));
    (Screen::Recover(s), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::jobs::{Done, JobId};
    use crate::app::{Environment, Identity, Msg, update};
    use crate::ops::model::Event;
    use crate::ops::recover::fixtures;

    fn state() -> State {
        State::new(Environment::azure(), true)
    }

    /// Effects with job ids blanked and superseded jobs' cancellations dropped.
    fn plain(fx: Vec<Effect>) -> Vec<Effect> {
        fx.into_iter()
            .filter(|e| !matches!(e, Effect::Cancel(_)))
            .map(|e| match e {
                Effect::Start { job, .. } => Effect::Start { id: JobId(0), job },
                other => other,
            })
            .collect()
    }

    fn key(s: &mut State, k: Key) -> Vec<Effect> {
        plain(update(s, Msg::Key(k)))
    }

    fn start(job: Job) -> Vec<Effect> {
        vec![Effect::Start { id: JobId(0), job }]
    }

    /// A result for the job in flight in `slot`.
    fn reply(s: &mut State, slot: Slot, done: Done) -> Vec<Effect> {
        let id = s.jobs.id_in(slot).expect("a job in flight");
        plain(update(
            s,
            Msg::Done {
                id,
                done: Box::new(done),
            },
        ))
    }

    fn event(s: &mut State, e: Event) {
        let id = s.jobs.id_in(Slot::Recover).expect("a recovery in flight");
        update(s, Msg::Progress { id, event: e });
    }

    fn screen(s: &State) -> &RecoverScreen {
        match &s.screen {
            Screen::Recover(r) => r,
            other => panic!("not on Recover: {other:?}"),
        }
    }

    /// On the Recover screen with `report` read.
    fn ready(report: Report) -> State {
        let mut s = state();
        s.session.flow = Flow::Recover;
        let (screen, _) = nav::recover(&mut s, "contoso-lockout");
        s.screen = screen;
        reply(&mut s, Slot::Recover, Done::Recovered(Ok(Box::new(report))));
        s
    }

    fn run_job(action: Do, wait_secs: u64, every_secs: u64) -> Vec<Effect> {
        start(Job::RecoverRun {
            org: "contoso-lockout".into(),
            action,
            wait_secs,
            every_secs,
        })
    }

    fn outcome(action: Do, report: Report) -> Outcome {
        Outcome {
            action,
            ok: true,
            status: WayStatus::Done,
            summary: "worked".into(),
            next: vec![],
            file: None,
            message: None,
            verified: None,
            report,
        }
    }

    #[test]
    fn welcome_signs_in_takes_the_organization_and_diagnoses() {
        let mut s = state();
        key(&mut s, Key::End);
        let fx = key(&mut s, Key::Enter);
        assert_eq!(fx, start(Job::SignIn { tenant: None }));
        assert_eq!(s.session.flow, Flow::Recover);
        let fx = reply(
            &mut s,
            Slot::SignIn,
            Done::SignedIn(Ok(Identity {
                upn: "alice@outlook.com".into(),
                display_name: "Alice".into(),
                tenant_id: crate::domain::verify::CONSUMERS_TENANT.into(),
            })),
        );
        assert_eq!(fx, start(Job::ListOrgs));
        // A locked-out owner belongs to no organization: the name is typed.
        reply(&mut s, Slot::Orgs, Done::Orgs(Ok(vec![])));
        for c in "contoso-lockout".chars() {
            key(&mut s, Key::Char(c));
        }
        let fx = key(&mut s, Key::Enter);
        assert_eq!(
            fx,
            start(Job::Recover {
                org: "contoso-lockout".into()
            })
        );
        assert!(screen(&s).running.is_some());
        assert_eq!(screen(&s).bindings()[0].label, "open sign-in page");
        reply(
            &mut s,
            Slot::Recover,
            Done::Recovered(Ok(Box::new(fixtures::locked_out()))),
        );
        let r = screen(&s);
        assert!(r.running.is_none());
        // The first way worth doing is highlighted: the back door.
        assert_eq!(r.way().unwrap().id, WayId::BackDoor);
    }

    #[test]
    fn enter_carries_out_the_highlighted_way_with_its_progress_shown() {
        let mut s = ready(fixtures::locked_out());
        let fx = key(&mut s, Key::Enter);
        assert_eq!(
            fx,
            run_job(
                Do::Way {
                    way: WayId::BackDoor
                },
                900,
                5
            )
        );
        assert!(s.busy());
        event(
            &mut s,
            Event::Recovering(Progress::Step {
                text: "The API refused alice@outlook.com".into(),
            }),
        );
        event(
            &mut s,
            Event::Recovering(Progress::Waiting {
                what: "the page".into(),
                next_check_secs: 4,
                waited_secs: 1,
                limit_secs: 900,
            }),
        );
        let run = screen(&s).running.clone().unwrap();
        assert_eq!(
            run.steps,
            vec!["The API refused alice@outlook.com".to_string()]
        );
        assert!(run.waiting.is_some());
        event(
            &mut s,
            Event::SignInPrompt(DeviceCodePrompt {
                verification_uri: "https://microsoft.com/devicelogin".into(),
                user_code: "ABCD1234".into(),
                expires_in_secs: 900,
            }),
        );
        assert_eq!(
            key(&mut s, Key::Char('c')),
            vec![Effect::Copy("ABCD1234".into())]
        );
        assert_eq!(
            key(&mut s, Key::Enter),
            vec![Effect::OpenBrowser(
                "https://microsoft.com/devicelogin".into()
            )]
        );
        // Esc stops waiting; nothing else starts.
        let fx = update(&mut s, Msg::Key(Key::Esc));
        assert!(fx.iter().all(|e| matches!(e, Effect::Cancel(_))) && !fx.is_empty());
        assert!(screen(&s).running.is_none());
        assert!(!s.busy());
    }

    #[test]
    fn a_way_that_is_not_needed_is_not_carried_out() {
        let mut s = ready(fixtures::locked_out());
        key(&mut s, Key::Home);
        key(&mut s, Key::Down);
        assert_eq!(screen(&s).way().unwrap().id, WayId::InviteOwner);
        assert!(key(&mut s, Key::Enter).is_empty());
        assert!(s.status.as_deref().unwrap().contains("not needed"));
    }

    #[test]
    fn a_wrong_sign_in_highlights_signing_in_again() {
        let mut s = ready(fixtures::wrong_sign_in());
        assert_eq!(screen(&s).way().unwrap().id, WayId::SignIn);
        assert_eq!(
            key(&mut s, Key::Enter),
            run_job(Do::Way { way: WayId::SignIn }, 0, 30)
        );
    }

    #[test]
    fn the_message_to_send_is_copied_and_the_page_opened() {
        let mut s = ready(fixtures::locked_out());
        key(&mut s, Key::Down);
        let way = screen(&s).way().unwrap().clone();
        assert_eq!(way.id, WayId::ClaimOwnership);
        let fx = key(&mut s, Key::Char('c'));
        assert_eq!(fx, vec![Effect::Copy(way.message.unwrap())]);
        assert_eq!(
            key(&mut s, Key::Char('o')),
            vec![Effect::OpenBrowser(
                "https://dev.azure.com/contoso-lockout".into()
            )]
        );
    }

    #[test]
    fn another_account_and_the_owners_verification_are_one_key_away() {
        let mut s = ready(fixtures::locked_out());
        assert_eq!(
            key(&mut s, Key::Char('s')),
            run_job(Do::SignIn { tenant: None }, 0, 30)
        );
        reply(
            &mut s,
            Slot::Recover,
            Done::RecoverRan(Err(Problem::msg("declined"))),
        );
        assert!(matches!(screen(&s).outcome, Some(Err(_))));
        assert_eq!(
            key(&mut s, Key::Char('v')),
            run_job(Do::VerifyOwner { tenant: None }, 3600, 30)
        );
    }

    #[test]
    fn after_the_back_door_the_wizard_hands_over_to_connect_with_checks_first() {
        let mut s = ready(fixtures::locked_out());
        key(&mut s, Key::Enter);
        let o = outcome(
            Do::Way {
                way: WayId::BackDoor,
            },
            fixtures::back_in_after(WayId::BackDoor),
        );
        reply(&mut s, Slot::Recover, Done::RecoverRan(Ok(Box::new(o))));
        assert_eq!(screen(&s).handover(), Some(Handover::Connect));
        assert_eq!(screen(&s).way().unwrap().status, WayStatus::Done);
        let fx = key(&mut s, Key::Enter);
        assert_eq!(s.session.flow, Flow::Connect);
        assert_eq!(
            fx,
            start(Job::RunChecks {
                op: crate::app::Operation::Connect,
                org: "contoso-lockout".into(),
                tenant: Some(fixtures::TENANT.into()),
            })
        );
    }

    #[test]
    fn after_a_claim_the_wizard_hands_over_to_resolve() {
        let mut s = ready(fixtures::locked_out());
        key(&mut s, Key::Down);
        key(&mut s, Key::Enter);
        let o = outcome(
            Do::Way {
                way: WayId::ClaimOwnership,
            },
            fixtures::back_in_after(WayId::ClaimOwnership),
        );
        reply(&mut s, Slot::Recover, Done::RecoverRan(Ok(Box::new(o))));
        let fx = key(&mut s, Key::Enter);
        assert_eq!(s.session.flow, Flow::Resolve);
        assert_eq!(
            fx,
            start(Job::LoadResolve {
                org: "contoso-lockout".into()
            })
        );
    }

    #[test]
    fn a_failed_diagnosis_is_retried_or_left() {
        let mut s = state();
        let (screen_, _) = nav::recover(&mut s, "contoso-lockout");
        s.screen = screen_;
        reply(
            &mut s,
            Slot::Recover,
            Done::Recovered(Err(Problem::msg("Not signed in."))),
        );
        assert!(matches!(screen(&s).report, Loadable::Failed(_)));
        assert_eq!(
            key(&mut s, Key::Enter),
            start(Job::Recover {
                org: "contoso-lockout".into()
            })
        );
        reply(
            &mut s,
            Slot::Recover,
            Done::Recovered(Err(Problem::msg("Not signed in."))),
        );
        key(&mut s, Key::Esc);
        assert!(matches!(s.screen, Screen::Welcome(_)));
    }

    #[test]
    fn the_lockout_diagnosis_after_a_verification_leads_here() {
        let mut s = state();
        s.session.choice = Some(Choice {
            org: "contoso-lockout".into(),
            destination: None,
        });
        s.screen = Screen::Diagnosis(crate::app::screens::diagnosis::Diagnosis {
            error: Problem::msg("TF400813"),
            probes: vec![],
            steps: vec![],
            access: crate::domain::verify::Access::OwnerLockedOut,
            scroll: 0,
        });
        let fx = key(&mut s, Key::Char('r'));
        assert_eq!(
            fx,
            start(Job::Recover {
                org: "contoso-lockout".into()
            })
        );
        assert_eq!(s.session.flow, Flow::Recover);
        assert!(matches!(s.screen, Screen::Recover(_)));
    }

    #[test]
    fn a_sent_invitation_is_finished_by_the_owners_sign_in() {
        let mut s = ready(fixtures::invited());
        let way = screen(&s).way().unwrap().clone();
        assert_eq!(
            (way.id, way.status),
            (WayId::InviteOwner, WayStatus::Waiting)
        );
        assert_eq!(
            key(&mut s, Key::Enter),
            run_job(Do::VerifyOwner { tenant: None }, 3600, 30)
        );
    }

    #[test]
    fn leaving_mid_step_says_how_to_go_on() {
        let mut s = ready(fixtures::locked_out());
        key(&mut s, Key::Enter);
        let note = crate::app::exit::leave(&s).note.unwrap();
        assert!(
            note.contains("ado-entra recover --org contoso-lockout"),
            "{note}"
        );
    }
}
