//! The Resolve screen: review every disconnected user, decide, apply.
//!
//! A table of users with their best suggestion (only the visible rows are
//! drawn, so 10,000 users scroll as fast as ten). `/` filters; Enter opens one
//! user's candidates plus a live directory search; `a` accepts, `r` rejects,
//! `A` accepts every exact match, `i` marks for a guest invitation, `s` skips,
//! `u` undoes; `x` exports the plan as CSV; `p` applies after asking once.
//!
//! Here: the screen's state, what its keys do and how results land. The key
//! bindings of each state are in `bindings`; one user's candidates and the
//! directory search in `detail`.

mod bindings;
mod detail;

pub use bindings::Action;
pub use detail::{Detail, Entry};

use super::{Loadable, Screen};
use crate::app::keys::{self, Binding, Hint, Key};
use crate::app::model::{Candidate, Problem, ResolveLoad, ResolveOutcome, ResolveProgress};
use crate::app::nav::Step;
use crate::app::{Job, State, text};
use crate::domain::matching::MatchFlag;
use crate::domain::resolve::{Decision, Plan, Row};
use bindings::{
    APPLY_FAILED, CONFIRM, CONFIRM_LEAVE, DETAIL, FILTERING, FINISHED, LOAD_FAILED,
    LOAD_FAILED_SIGN_IN, LOADING, REVIEW, SEARCHING, UNFINISHED,
};

/// Where the screen is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Review,
    /// Asked once before applying.
    Confirm,
    /// Asked before leaving with decisions not applied.
    ConfirmLeave,
    Applying(ResolveProgress),
    Finished(ResolveOutcome),
    Failed(Problem),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolveScreen {
    pub org: String,
    pub plan: Loadable<Plan>,
    /// Users in an interrupted run (offer to resume it).
    pub unfinished: Option<usize>,
    /// Plan rows shown (after the filter), in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub cursor: usize,
    pub filter: String,
    pub editing_filter: bool,
    pub detail: Option<Detail>,
    pub phase: Phase,
    /// A risky accept asked for on this plan row: `a` again on it accepts.
    pub armed: Option<usize>,
}

/// What a key did beyond the screen itself.
pub enum Outcome {
    /// Stay, starting these jobs.
    Stay(Vec<Job>),
    /// Leave Resolve (to Done).
    Leave,
    /// Sign in at this directory (the organization's), then load again.
    SignInAt(String),
}

/// The screen's help paragraph.
pub const HELP: &str = "Users the directory change disconnected, each with the account they \
most likely are. Accept a suggestion (a), reject it (r), accept every exact match (A), invite \
the person as a guest (i), or skip (s); Enter shows every candidate and searches the directory. \
Nothing changes until you apply (p), which asks once, journals every call, and can be resumed \
after an interruption. x exports the plan as CSV for a spreadsheet or a support request.";

impl ResolveScreen {
    pub fn loading(org: &str) -> Self {
        Self {
            org: org.to_string(),
            plan: Loadable::Loading,
            unfinished: None,
            visible: Vec::new(),
            cursor: 0,
            filter: String::new(),
            editing_filter: false,
            detail: None,
            phase: Phase::Review,
            armed: None,
        }
    }

    pub fn takes_text(&self) -> bool {
        self.editing_filter || self.detail.as_ref().is_some_and(|d| d.typing)
    }

    pub fn busy(&self) -> bool {
        matches!(self.phase, Phase::Applying(_))
    }

    pub fn loaded(&mut self, r: Result<ResolveLoad, Problem>) {
        match r {
            Ok(l) => {
                self.unfinished = l.unfinished;
                self.plan = Loadable::Ready(l.plan);
                // A new plan: row numbers mean other users now.
                self.visible.clear();
                self.cursor = 0;
                self.refilter();
            }
            Err(e) => self.plan = Loadable::Failed(e),
        }
    }

    /// Recompute the visible rows after a filter or decision change,
    /// keeping the cursor on the same user when it is still shown.
    pub fn refilter(&mut self) {
        let Loadable::Ready(plan) = &self.plan else {
            return;
        };
        let current = self.visible.get(self.cursor).copied();
        let needle = self.filter.trim().to_lowercase();
        self.visible = plan
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.matches_filter(&needle))
            .map(|(i, _)| i)
            .collect();
        self.cursor = current
            .and_then(|c| self.visible.iter().position(|&v| v == c))
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
    }

    /// The plan row under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.visible.get(self.cursor).copied()
    }

    /// The bindings that apply now.
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        if self.editing_filter {
            return FILTERING;
        }
        if let Some(d) = &self.detail {
            return if d.typing { SEARCHING } else { DETAIL };
        }
        match (&self.phase, &self.plan) {
            (Phase::Confirm, _) => CONFIRM,
            (Phase::ConfirmLeave, _) => CONFIRM_LEAVE,
            (Phase::Applying(_), _) => &[],
            (Phase::Finished(_), _) => FINISHED,
            (Phase::Failed(_), _) => APPLY_FAILED,
            (_, Loadable::Failed(p)) if p.sign_in_at.is_some() => LOAD_FAILED_SIGN_IN,
            (_, Loadable::Failed(_)) => LOAD_FAILED,
            (_, Loadable::Loading) => LOADING,
            _ if self.unfinished.is_some() => UNFINISHED,
            _ => REVIEW,
        }
    }

    pub fn hints(&self) -> Vec<Hint> {
        keys::hints(self.bindings())
    }

    pub fn on_key(&mut self, key: Key, status: &mut Option<String>) -> Outcome {
        let action = keys::action(self.bindings(), key);
        // A risky accept waits for `a` once more, and for nothing else.
        let armed = self.armed.take();
        match &self.phase {
            Phase::Applying(_) => return Outcome::Stay(vec![]),
            Phase::Confirm => {
                if action == Some(Action::Confirm) {
                    return self.start_apply(status);
                }
                self.phase = Phase::Review;
                *status = Some("Nothing was applied.".into());
                return Outcome::Stay(vec![]);
            }
            Phase::ConfirmLeave => {
                if action == Some(Action::Discard) {
                    return Outcome::Leave;
                }
                self.phase = Phase::Review;
                *status = Some("Your decisions are kept.".into());
                return Outcome::Stay(vec![]);
            }
            Phase::Finished(_) => {
                return match action {
                    Some(Action::Done) => Outcome::Leave,
                    Some(Action::ReviewRest) => {
                        self.phase = Phase::Review;
                        self.plan = Loadable::Loading;
                        Outcome::Stay(vec![Job::LoadResolve {
                            org: self.org.clone(),
                        }])
                    }
                    _ => Outcome::Stay(vec![]),
                };
            }
            Phase::Failed(_) => {
                if action == Some(Action::Back) {
                    self.phase = Phase::Review;
                }
                return Outcome::Stay(vec![]);
            }
            Phase::Review => {}
        }
        if self.editing_filter {
            match (action, key) {
                (Some(Action::ClearFilter), _) => {
                    self.filter.clear();
                    self.editing_filter = false;
                }
                (Some(Action::KeepFilter), _) => self.editing_filter = false,
                (_, k) => {
                    keys::edit(&mut self.filter, k);
                }
            }
            self.refilter();
            return Outcome::Stay(vec![]);
        }
        if self.detail.is_some() {
            return self.detail_key(action, key, status);
        }
        match (&self.plan, action) {
            (Loadable::Loading, Some(Action::Leave)) => return Outcome::Leave,
            (Loadable::Loading, _) => return Outcome::Stay(vec![]),
            (Loadable::Failed(_), Some(Action::Leave)) => return Outcome::Leave,
            (Loadable::Failed(p), Some(Action::SignInThere)) => {
                if let Some(t) = &p.sign_in_at {
                    return Outcome::SignInAt(t.clone());
                }
                return Outcome::Stay(vec![]);
            }
            (Loadable::Failed(_), Some(Action::Retry)) => {
                self.plan = Loadable::Loading;
                return Outcome::Stay(vec![Job::LoadResolve {
                    org: self.org.clone(),
                }]);
            }
            (Loadable::Failed(_), _) => return Outcome::Stay(vec![]),
            (Loadable::Ready(_), _) => {}
        }
        if let Some(n) = self.unfinished {
            return match action {
                Some(Action::Resume) => {
                    self.phase = Phase::Applying(ResolveProgress {
                        total: n,
                        ..Default::default()
                    });
                    Outcome::Stay(vec![Job::ApplyResolve {
                        org: self.org.clone(),
                        jobs: None,
                    }])
                }
                Some(Action::Leave) => Outcome::Leave,
                _ => {
                    *status = Some(format!(
                        "Finish the interrupted run first ({}): new decisions wait until it is done.",
                        keys::hint_for(UNFINISHED, Action::Resume)
                    ));
                    Outcome::Stay(vec![])
                }
            };
        }
        let count = self.visible.len();
        let last = count.saturating_sub(1);
        match action {
            Some(Action::Leave) => {
                let n = self.unapplied();
                if n == 0 {
                    return Outcome::Leave;
                }
                self.phase = Phase::ConfirmLeave;
            }
            Some(Action::Accept)
                if armed.is_none_or(|a| Some(a) != self.current())
                    && let Some(risk) = self.accept_risk() =>
            {
                self.armed = self.current();
                *status = Some(format!(
                    "{risk}. {} again accepts anyway; any other key leaves it undecided.",
                    keys::key_for(REVIEW, Action::Accept)
                ));
            }
            Some(Action::Up) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::Down) => self.cursor = (self.cursor + 1).min(last),
            Some(Action::PageUp) => self.cursor = self.cursor.saturating_sub(10),
            Some(Action::PageDown) => self.cursor = (self.cursor + 10).min(last),
            Some(Action::First) => self.cursor = 0,
            Some(Action::Last) => self.cursor = last,
            Some(Action::Filter) => self.editing_filter = true,
            Some(Action::Candidates) => {
                if let Some(row) = self.current() {
                    self.detail = Some(Detail {
                        row,
                        cursor: 0,
                        query: String::new(),
                        typing: false,
                        results: None,
                    });
                }
            }
            Some(Action::AcceptExact) => {
                let n = self.with_plan(|p| p.accept_all_exact()).unwrap_or(0);
                *status = Some(format!(
                    "Accepted {}.",
                    text::count(n, "exact match", "exact matches")
                ));
                self.refilter();
            }
            Some(
                a
                @ (Action::Accept | Action::Reject | Action::Invite | Action::Skip | Action::Undo),
            ) => {
                if let Some(row) = self.current() {
                    let r = self
                        .with_plan(|p| match a {
                            Action::Accept => p.accept(row, 0),
                            Action::Reject => p.reject(row),
                            Action::Invite => p.invite(row),
                            Action::Skip => p.skip(row),
                            _ => p.clear(row),
                        })
                        .unwrap_or(Ok(()));
                    match r {
                        Ok(()) => {
                            // Move on to the next user, as reviewers go down the list.
                            if !matches!(a, Action::Reject | Action::Undo) {
                                self.cursor = (self.cursor + 1).min(last);
                            }
                        }
                        Err(e) => *status = Some(capitalise(&e.to_string())),
                    }
                    self.refilter();
                }
            }
            Some(Action::Export) => {
                if let Loadable::Ready(p) = &self.plan {
                    return Outcome::Stay(vec![Job::ExportResolve {
                        org: self.org.clone(),
                        csv: crate::domain::resolve::to_csv(p),
                    }]);
                }
            }
            Some(Action::Apply) => {
                let s = match &self.plan {
                    Loadable::Ready(p) => p.summary(),
                    _ => return Outcome::Stay(vec![]),
                };
                if s.mapped + s.to_invite == 0 {
                    *status = Some(
                        "Nothing to apply yet: accept (a), invite (i) or accept all exact (A) first."
                            .into(),
                    );
                } else {
                    self.phase = Phase::Confirm;
                }
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    /// Decisions made here and not applied yet.
    pub fn unapplied(&self) -> usize {
        match &self.plan {
            Loadable::Ready(p) => {
                let s = p.summary();
                s.mapped + s.to_invite + s.skipped
            }
            _ => 0,
        }
    }

    /// Why accepting the best suggestion of the row under the cursor is
    /// risky ("Kim Lee: the account is disabled"), if it is.
    fn accept_risk(&self) -> Option<String> {
        let Loadable::Ready(plan) = &self.plan else {
            return None;
        };
        let row = plan.rows.get(self.current()?)?;
        let best = row.best()?;
        risk(row, &best.tenant_user_id).map(|why| format!("{}: {why}", row.display_name))
    }

    fn with_plan<T>(&mut self, f: impl FnOnce(&mut Plan) -> T) -> Option<T> {
        match &mut self.plan {
            Loadable::Ready(p) => Some(f(p)),
            _ => None,
        }
    }

    fn start_apply(&mut self, _status: &mut Option<String>) -> Outcome {
        let jobs = match &self.plan {
            Loadable::Ready(p) => p.jobs(),
            _ => return Outcome::Stay(vec![]),
        };
        self.phase = Phase::Applying(ResolveProgress {
            total: jobs.len(),
            ..Default::default()
        });
        Outcome::Stay(vec![Job::ApplyResolve {
            org: self.org.clone(),
            jobs: Some(jobs),
        }])
    }

    pub fn progress(&mut self, p: ResolveProgress) {
        if let Phase::Applying(cur) = &mut self.phase {
            *cur = p;
        }
    }

    pub fn applied(&mut self, r: Result<ResolveOutcome, Problem>) {
        self.unfinished = None;
        self.phase = match r {
            Ok(s) => Phase::Finished(s),
            Err(e) => Phase::Failed(e),
        };
    }

    /// One-line counts for the summary bar.
    pub fn summary_line(&self) -> String {
        match &self.plan {
            Loadable::Ready(p) => {
                let s = p.summary();
                format!(
                    "mapped {} · to invite {} · skipped {} · left {}",
                    s.mapped, s.to_invite, s.skipped, s.left
                )
            }
            _ => String::new(),
        }
    }
}

/// Why mapping `row` to the account `target_id` deserves a second look:
/// several accounts fit the user, or the account is disabled.
pub fn risk(row: &Row, target_id: &str) -> Option<String> {
    let mut why: Vec<&str> = Vec::new();
    if row.flags.contains(&MatchFlag::Ambiguous) {
        why.push(MatchFlag::Ambiguous.describe());
    }
    if row
        .suggestions
        .iter()
        .any(|s| s.tenant_user_id == target_id && !s.account_enabled)
    {
        why.push(MatchFlag::BestCandidateDisabled.describe());
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The mappings decided in `plan` that deserve a second look, with why:
/// the apply dialog lists them apart from the plain ones.
pub fn risky_mappings(plan: &Plan) -> Vec<(String, String, String)> {
    plan.rows
        .iter()
        .filter_map(|r| match &r.decision {
            Decision::Map {
                target_id,
                target_upn,
            } => risk(r, target_id).map(|why| (r.display_name.clone(), target_upn.clone(), why)),
            _ => None,
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The decision as a short word for tables.
pub fn decision_label(d: &Decision) -> &'static str {
    match d {
        Decision::Undecided => "review",
        Decision::Map { .. } => "map",
        Decision::Invite { .. } => "invite",
        Decision::Skip => "skip",
    }
}

/// A key on the Resolve screen.
pub(super) fn on_key(mut r: ResolveScreen, state: &mut State, key: Key) -> Step {
    match r.on_key(key, &mut state.status) {
        Outcome::Stay(jobs) => {
            let fx = jobs.into_iter().flat_map(|j| state.start(j)).collect();
            (Screen::Resolve(Box::new(r)), fx)
        }
        Outcome::SignInAt(tenant) => {
            let org = r.org.clone();
            crate::app::nav::sign_in_at(state, tenant, super::sign_in::Then::Resolve(org))
        }
        Outcome::Leave => {
            if let Phase::Finished(s) = &r.phase {
                state.session.resolved = Some(s.clone());
            }
            (Screen::Done(Default::default()), vec![])
        }
    }
}

/// The users and suggestions arrived.
pub(super) fn loaded(
    _state: &mut State,
    screen: Screen,
    result: Result<ResolveLoad, Problem>,
) -> Step {
    match screen {
        Screen::Resolve(mut r) => {
            r.loaded(result);
            (Screen::Resolve(r), vec![])
        }
        other => (other, vec![]),
    }
}

/// A directory search answered.
pub(super) fn searched(
    screen: Screen,
    query: &str,
    result: Result<Vec<Candidate>, Problem>,
) -> Step {
    match screen {
        Screen::Resolve(mut r) => {
            r.searched(query, result);
            (Screen::Resolve(r), vec![])
        }
        other => (other, vec![]),
    }
}

/// An apply finished.
pub(super) fn applied(
    state: &mut State,
    screen: Screen,
    result: Result<ResolveOutcome, Problem>,
) -> Step {
    if let Ok(s) = &result {
        state.session.resolved = Some(s.clone());
    }
    match screen {
        Screen::Resolve(mut r) => {
            r.applied(result);
            (Screen::Resolve(r), vec![])
        }
        other => (other, vec![]),
    }
}
