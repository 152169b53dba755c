//! Prerequisites: the organization's state decides first; a real change
//! shows every check, its evidence and fix, and the lockout table.

use crate::app::State;
use crate::app::keys::{self, Binding, Key};
use crate::app::model::{CheckResult, ChecksReport, Operation, Problem, SituationKind, Status};
use crate::app::nav::{self, Step};
use crate::app::text;
use crate::domain::checks;

use super::sign_in::Then;
use super::{Loadable, PlanScreen, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prereqs {
    pub report: Loadable<ChecksReport>,
    pub progress: Option<(usize, usize, String)>,
    /// Highlighted check (its evidence and fix are shown).
    pub selected: usize,
    /// The pane the movement keys act on.
    pub focus: Pane,
    /// First row of the evidence shown (the drawing keeps it in range).
    pub evidence_scroll: u16,
    /// First row of the lockout table shown.
    pub table_scroll: u16,
}

/// The panes of a checks report; Tab moves between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Checks,
    Evidence,
    Lockout,
}

impl Pane {
    pub fn title(self) -> &'static str {
        match self {
            Pane::Checks => "checks",
            Pane::Evidence => "evidence",
            Pane::Lockout => "lockout table",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    NextPane,
    PrevPane,
    Continue,
    Rerun,
    /// Sign in to the destination as an account of it, to read it.
    SignInDirectory,
    /// Sign in again at the organization's directory.
    SignInThere,
    /// Write the change-approval report and the notice to users.
    Report,
    Back,
}

const UP: Binding<Action> = Binding::new(
    &[Key::Up, Key::Char('k')],
    "↑↓",
    "move",
    "move in the pane that has the keys: the checks (their evidence and fix show below), the evidence, or the lockout table",
    Action::Up,
);
const DOWN: Binding<Action> = Binding::new(&[Key::Down, Key::Char('j')], "", "", "", Action::Down);
const PAGE_UP: Binding<Action> = Binding::new(&[Key::PageUp], "", "", "", Action::PageUp);
const PAGE_DOWN: Binding<Action> = Binding::new(
    &[Key::PageDown],
    "PgUp/PgDn",
    "page",
    "move ten rows at a time",
    Action::PageDown,
);
const FIRST: Binding<Action> =
    Binding::new(&[Key::Home, Key::Char('g')], "", "", "", Action::First);
const LAST: Binding<Action> = Binding::new(
    &[Key::End, Key::Char('G')],
    "g/G",
    "first/last",
    "go to the first or last row (Home/End too)",
    Action::Last,
);
const NEXT_PANE: Binding<Action> = Binding::new(
    &[Key::Tab],
    "Tab",
    "next pane",
    "give the movement keys to the next pane: checks, evidence, lockout table (Shift-Tab goes back)",
    Action::NextPane,
);
const PREV_PANE: Binding<Action> = Binding::new(&[Key::BackTab], "", "", "", Action::PrevPane);
const CONTINUE: Binding<Action> = Binding::new(
    &[Key::Enter],
    "Enter",
    "continue",
    "continue to the plan (a failed check blocks it)",
    Action::Continue,
);
const RERUN: Binding<Action> = Binding::new(
    &[Key::Char('r')],
    "r",
    "re-run",
    "run every check again",
    Action::Rerun,
);
const REPORT: Binding<Action> = Binding::new(
    &[Key::Char('w')],
    "w",
    "write report",
    "write the change-approval report (every check with evidence and fix, the lockout table, the plan, who and when) and the notice to users, as Markdown beside the state",
    Action::Report,
);
const BACK: Binding<Action> = Binding::new(
    &[Key::Esc],
    "Esc",
    "back",
    "back to the previous choice",
    Action::Back,
);

const CHECKS: &[Binding<Action>] = &[
    UP, DOWN, NEXT_PANE, PREV_PANE, CONTINUE, RERUN, BACK, REPORT, PAGE_UP, PAGE_DOWN, FIRST, LAST,
];

/// The checks could not read the destination with this sign-in.
const CHECKS_UNREAD: &[Binding<Action>] = &[
    UP,
    DOWN,
    NEXT_PANE,
    PREV_PANE,
    Binding::new(
        &[Key::Char('d')],
        "d",
        "sign in to the directory",
        "sign in to the destination with an account of it (your work account), so the checks can read it; your Azure DevOps sign-in stays",
        Action::SignInDirectory,
    ),
    CONTINUE,
    RERUN,
    BACK,
    REPORT,
    PAGE_UP,
    PAGE_DOWN,
    FIRST,
    LAST,
];

const RUNNING: &[Binding<Action>] = &[];

/// The checks failed to run: run them again.
const RETRY: Binding<Action> = Binding::new(
    &[Key::Enter, Key::Char('r')],
    "Enter",
    "retry",
    "run the checks again",
    Action::Rerun,
);

const FAILED: &[Binding<Action>] = &[RETRY, BACK];

/// The checks could not start: the organization refuses this sign-in.
const FAILED_SIGN_IN: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('s')],
        "s",
        "sign in there",
        "sign in to the organization's directory as an account of it, then check again",
        Action::SignInThere,
    ),
    RETRY,
    BACK,
];

const DECIDED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "continue",
        "do what the organization's state calls for",
        Action::Continue,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "read again",
        "read the organization's state again",
        Action::Rerun,
    ),
    BACK,
    REPORT,
];

pub const HELP: &str = "First the organization's real state decides: nothing to do, another \
operation, a refusal, or an interrupted change to record. For a real change, every documented \
prerequisite is checked against live data. A failed check blocks the next step; its fix says \
what to change. Two failures can be accepted by typing names back on Confirm. The table shows \
who keeps access and who would not.";

impl Prereqs {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match &self.report {
            Loadable::Loading => RUNNING,
            Loadable::Failed(p) if p.sign_in_at.is_some() => FAILED_SIGN_IN,
            Loadable::Failed(_) => FAILED,
            Loadable::Ready(r) if !r.is_change() => DECIDED,
            Loadable::Ready(r) if r.directory_sign_in.is_some() => CHECKS_UNREAD,
            Loadable::Ready(_) => CHECKS,
        }
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        let op = state.session.operation();
        let action = keys::action(self.bindings(), key);
        match action {
            Some(Action::Back) => back(state),
            Some(Action::Report) => match &self.report {
                Loadable::Ready(r) => {
                    let fx = start_report(state, r);
                    (Screen::Prereqs(self), fx)
                }
                _ => (Screen::Prereqs(self), vec![]),
            },
            Some(Action::Rerun) => nav::run_checks(state),
            Some(Action::SignInThere) => match &self.report {
                Loadable::Failed(Problem {
                    sign_in_at: Some(t),
                    ..
                }) => nav::sign_in_at(state, t.clone(), Then::Checks),
                _ => (Screen::Prereqs(self), vec![]),
            },
            Some(Action::SignInDirectory) => match &self.report {
                Loadable::Ready(ChecksReport {
                    directory_sign_in: Some(d),
                    ..
                }) => nav::sign_in_directory(state, d.clone()),
                _ => (Screen::Prereqs(self), vec![]),
            },
            Some(
                a @ (Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::First
                | Action::Last
                | Action::NextPane
                | Action::PrevPane),
            ) => {
                self.moved(a);
                (Screen::Prereqs(self), vec![])
            }
            Some(Action::Continue) => match &self.report {
                Loadable::Ready(r) if !r.is_change() => match r.situation.kind {
                    SituationKind::AlreadyLanded => nav::apply(state, Vec::new()),
                    SituationKind::WrongFlow => {
                        // The one other flow that fits: a connect.
                        state.session.flow = super::welcome::Flow::Connect;
                        nav::run_checks(state)
                    }
                    SituationKind::Refused => {
                        state.status = Some(format!("{} Esc goes back.", r.situation.message));
                        (Screen::Prereqs(self), vec![])
                    }
                    _ => (Screen::Done(Default::default()), vec![]),
                },
                Loadable::Ready(_) if op == Operation::CheckOnly => {
                    (Screen::Done(Default::default()), vec![])
                }
                Loadable::Ready(r) if r.blocked() && r.directory_sign_in.is_some() => {
                    state.status = Some(format!(
                        "The owner's access cannot be proven without reading the directory: {}.",
                        keys::hint_for(CHECKS_UNREAD, Action::SignInDirectory)
                    ));
                    (Screen::Prereqs(self), vec![])
                }
                Loadable::Ready(r) if r.blocked() => {
                    state.status = Some(format!(
                        "A failed check blocks this step: apply its fix, then {}.",
                        keys::hint_for(CHECKS, Action::Rerun)
                    ));
                    (Screen::Prereqs(self), vec![])
                }
                Loadable::Ready(_) => (Screen::Plan(PlanScreen::default()), vec![]),
                _ => (Screen::Prereqs(self), vec![]),
            },
            None => (Screen::Prereqs(self), vec![]),
        }
    }
}

/// Start writing the change-approval report of `r` (the Prerequisites
/// and Plan screens' `w`).
pub(super) fn start_report(state: &mut State, r: &ChecksReport) -> Vec<crate::app::Effect> {
    state.status = Some("Writing the change-approval report and the notice to users…".into());
    let job = crate::app::jobs::Job::ExportReport {
        org: state.session.org().to_string(),
        operation: state.session.operation(),
        prepared_by: state.session.identity.as_ref().map(|i| i.upn.clone()),
        report: Box::new(r.clone()),
    };
    state.start(job)
}

impl Prereqs {
    /// Movement keys act on the focused pane; the drawing keeps the
    /// scroll offsets within what it shows.
    fn moved(&mut self, a: Action) {
        let Loadable::Ready(r) = &self.report else {
            return;
        };
        if let Some(pane) = match a {
            Action::NextPane => Some(match self.focus {
                Pane::Checks => Pane::Evidence,
                Pane::Evidence if !r.access.is_empty() => Pane::Lockout,
                _ => Pane::Checks,
            }),
            Action::PrevPane => Some(match self.focus {
                Pane::Checks if !r.access.is_empty() => Pane::Lockout,
                Pane::Checks => Pane::Evidence,
                Pane::Evidence => Pane::Checks,
                Pane::Lockout => Pane::Evidence,
            }),
            _ => None,
        } {
            self.focus = pane;
            return;
        }
        match self.focus {
            Pane::Checks => {
                let before = self.selected;
                let last = r.checks.len().saturating_sub(1);
                self.selected = match a {
                    Action::Up if self.selected == 0 => last,
                    Action::Up => self.selected - 1,
                    Action::Down if self.selected >= last => 0,
                    Action::Down => self.selected + 1,
                    Action::PageUp => self.selected.saturating_sub(PAGE),
                    Action::PageDown => (self.selected + PAGE).min(last),
                    Action::First => 0,
                    _ => last,
                };
                if self.selected != before {
                    self.evidence_scroll = 0;
                }
            }
            Pane::Evidence => {
                // As many rows as the narrowest screen wraps the text into.
                let rows = r.checks.get(self.selected).map_or(0, |c| {
                    evidence_lines(c)
                        .iter()
                        .map(|l| text::wrap(l, NARROWEST).len())
                        .sum::<usize>()
                });
                scroll(&mut self.evidence_scroll, rows, a);
            }
            Pane::Lockout => scroll(&mut self.table_scroll, r.access.len(), a),
        }
    }
}

/// Rows a page key moves.
const PAGE: usize = 10;
/// The narrowest text a pane has (a 40-column terminal inside borders).
const NARROWEST: usize = 38;

/// Move a pane's first row within `rows` rows of content.
fn scroll(offset: &mut u16, rows: usize, a: Action) {
    let last = u16::try_from(rows.saturating_sub(1)).unwrap_or(u16::MAX);
    let page = PAGE as u16;
    *offset = match a {
        Action::Up => offset.saturating_sub(1),
        Action::Down => offset.saturating_add(1),
        Action::PageUp => offset.saturating_sub(page),
        Action::PageDown => offset.saturating_add(page),
        Action::First => 0,
        _ => last,
    }
    .min(last);
}

/// A check as its row in the list says it: a skipped check keeps its name
/// and says why it was skipped.
pub fn row_title(c: &CheckResult) -> String {
    if c.status == Status::Skip {
        format!("{}: skipped, {}", checks::name(c.id), lower_first(&c.title))
    } else {
        c.title.clone()
    }
}

/// The evidence pane's paragraphs for a check: its evidence, its fix, or
/// why it was skipped.
pub fn evidence_lines(c: &CheckResult) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if c.status == Status::Skip {
        lines.push(format!(
            "Skipped: {}. This check does not apply to this change.",
            c.title.trim_end_matches('.')
        ));
    }
    lines.extend(c.evidence.iter().map(|e| format!("• {e}")));
    if let Some(fix) = &c.fix {
        lines.push(format!("Fix: {fix}"));
    }
    if lines.is_empty() {
        lines.push(format!(
            "{}. No further evidence.",
            c.title.trim_end_matches('.')
        ));
    }
    lines
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Back to where the destination (or the organization) was chosen.
fn back(state: &mut State) -> Step {
    if state.session.operation().needs_destination() {
        nav::pick_tenant(state)
    } else {
        nav::pick_org(state)
    }
}

/// The checks finished.
pub(super) fn checked(
    state: &mut State,
    screen: Screen,
    result: Result<ChecksReport, Problem>,
) -> Step {
    if let Ok(r) = &result {
        state.session.report = Some(r.clone());
        // The directory as resolved (a typed domain becomes its id).
        // Names already known stay when the report knows only the id.
        if let (Some(d), Some(c)) = (&r.destination, state.session.choice.as_mut()) {
            let mut d = d.clone();
            if let Some(known) = c.destination.as_ref().filter(|k| k.id == d.id) {
                if d.display_name.trim().is_empty() {
                    d.display_name = known.display_name.clone();
                }
                if d.domain.trim().is_empty() {
                    d.domain = known.domain.clone();
                }
            }
            c.destination = Some(d);
        }
    }
    let Screen::Prereqs(mut p) = screen else {
        return (screen, vec![]);
    };
    p.progress = None;
    p.report = match result {
        Ok(r) => {
            // Start on the first failure, else the first warning.
            p.selected = r
                .checks
                .iter()
                .position(|c| c.status == Status::Fail)
                .or_else(|| r.checks.iter().position(|c| c.status == Status::Warn))
                .unwrap_or(0);
            Loadable::Ready(r)
        }
        Err(e) => Loadable::Failed(e),
    };
    (Screen::Prereqs(p), vec![])
}
