//! The Resolve screen: review every disconnected user, decide, apply.
//!
//! A table of users with their best suggestion (only the visible rows are
//! drawn, so 10,000 users scroll as fast as ten). `/` filters; Enter opens one
//! user's candidates plus a live directory search; `a` accepts, `r` rejects,
//! `A` accepts every exact match, `i` marks for a guest invitation, `s` skips,
//! `u` undoes; `x` exports the plan as CSV; `p` applies after asking once.

use super::{Loadable, Screen};
use crate::app::keys::{self, Binding, Hint, Key};
use crate::app::model::{Candidate, Problem, ResolveLoad, ResolveOutcome, ResolveProgress};
use crate::app::nav::Step;
use crate::app::{Job, State};
use crate::domain::resolve::{Decision, Plan};

/// One account in a user's candidate list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub upn: String,
    /// Display name, UPN, and the primary mail when it differs.
    pub title: String,
    /// Confidence, the account's kind and state, and why, in words.
    pub detail: String,
}

fn account_title(display_name: &str, upn: &str, mail: Option<&str>) -> String {
    match mail {
        Some(m) if !m.eq_ignore_ascii_case(upn) => format!("{display_name} · {upn} · mail {m}"),
        _ => format!("{display_name} · {upn}"),
    }
}

/// One user's candidates and the live search.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// Row index in the plan.
    pub row: usize,
    /// Highlighted entry: suggestions first, then search results.
    pub cursor: usize,
    pub query: String,
    /// The search field has the keyboard.
    pub typing: bool,
    pub results: Option<Loadable<Vec<Candidate>>>,
}

/// Where the screen is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Review,
    /// Asked once before applying.
    Confirm,
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

/// What the keys do on the Resolve screen, in its states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Candidates,
    Accept,
    Reject,
    AcceptExact,
    Invite,
    Skip,
    Undo,
    Filter,
    Export,
    Apply,
    Leave,
    Resume,
    Retry,
    SignInThere,
    Confirm,
    Done,
    ReviewRest,
    Back,
    KeepFilter,
    ClearFilter,
    MapTo,
    Search,
    CloseDetail,
    RunSearch,
    StopTyping,
}

const REVIEW: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Up, Key::Char('k'), Key::BackTab],
        "↑↓",
        "move",
        "move through the users",
        Action::Up,
    ),
    Binding::new(
        &[Key::Down, Key::Char('j'), Key::Tab],
        "",
        "",
        "",
        Action::Down,
    ),
    Binding::new(&[Key::PageUp], "", "", "", Action::PageUp),
    Binding::new(
        &[Key::PageDown],
        "PgUp/PgDn",
        "page",
        "move ten users at a time",
        Action::PageDown,
    ),
    Binding::new(&[Key::Home, Key::Char('g')], "", "", "", Action::First),
    Binding::new(
        &[Key::End, Key::Char('G')],
        "g/G",
        "first/last",
        "jump to the first or last user",
        Action::Last,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "candidates",
        "every candidate for the user, and a live directory search",
        Action::Candidates,
    ),
    Binding::new(
        &[Key::Char('a')],
        "a",
        "accept",
        "accept the best suggestion",
        Action::Accept,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "reject",
        "reject the best suggestion",
        Action::Reject,
    ),
    Binding::new(
        &[Key::Char('A')],
        "A",
        "accept all exact",
        "accept every exact, unambiguous match (never anything weaker)",
        Action::AcceptExact,
    ),
    Binding::new(
        &[Key::Char('i')],
        "i",
        "invite",
        "invite the user's address as a guest, then map",
        Action::Invite,
    ),
    Binding::new(
        &[Key::Char('s')],
        "s",
        "skip",
        "leave the user disconnected",
        Action::Skip,
    ),
    Binding::new(
        &[Key::Char('u')],
        "u",
        "undo",
        "undo the decision for the user",
        Action::Undo,
    ),
    Binding::new(
        &[Key::Char('/')],
        "/",
        "filter",
        "filter by name, address, account or action",
        Action::Filter,
    ),
    Binding::new(
        &[Key::Char('x')],
        "x",
        "export CSV",
        "export the plan as CSV into the state directory",
        Action::Export,
    ),
    Binding::new(
        &[Key::Char('p')],
        "p",
        "apply",
        "apply the decisions (asks once)",
        Action::Apply,
    ),
    Binding::new(&[Key::Esc], "Esc", "leave", "leave Resolve", Action::Leave),
];

const UNFINISHED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('R')],
        "R",
        "resume interrupted run",
        "finish the interrupted run first",
        Action::Resume,
    ),
    Binding::new(&[Key::Esc], "Esc", "leave", "leave Resolve", Action::Leave),
];

const LOADING: &[Binding<Action>] = &[Binding::new(
    &[Key::Esc],
    "Esc",
    "leave",
    "leave Resolve",
    Action::Leave,
)];

const LOAD_FAILED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('r'), Key::Enter],
        "r",
        "retry",
        "read the users again",
        Action::Retry,
    ),
    Binding::new(&[Key::Esc], "Esc", "leave", "leave Resolve", Action::Leave),
];

/// Loading failed because the organization refuses this sign-in.
const LOAD_FAILED_SIGN_IN: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('s')],
        "s",
        "sign in there",
        "sign in to the organization's directory as an account of it, then read the users again",
        Action::SignInThere,
    ),
    Binding::new(
        &[Key::Char('r'), Key::Enter],
        "r",
        "retry",
        "read the users again",
        Action::Retry,
    ),
    Binding::new(&[Key::Esc], "Esc", "leave", "leave Resolve", Action::Leave),
];

const CONFIRM: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('y'), Key::Char('Y')],
        "y",
        "apply",
        "apply the decisions now",
        Action::Confirm,
    ),
    Binding::new(
        &[],
        "any other key",
        "back",
        "back to the review; nothing is applied",
        Action::Back,
    ),
];

const FINISHED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter, Key::Esc],
        "Enter",
        "done",
        "leave Resolve",
        Action::Done,
    ),
    Binding::new(
        &[Key::Char('u')],
        "u",
        "review the rest",
        "read the users again and review those left",
        Action::ReviewRest,
    ),
];

const APPLY_FAILED: &[Binding<Action>] = &[Binding::new(
    &[Key::Enter],
    "Enter",
    "back to review",
    "back to the review",
    Action::Back,
)];

const FILTERING: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "keep filter",
        "keep the filter and go back to the list",
        Action::KeepFilter,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "clear filter",
        "clear the filter",
        Action::ClearFilter,
    ),
];

const DETAIL: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Up, Key::Char('k'), Key::BackTab],
        "↑↓",
        "choose",
        "choose a candidate",
        Action::Up,
    ),
    Binding::new(
        &[Key::Down, Key::Char('j'), Key::Tab],
        "",
        "",
        "",
        Action::Down,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "map to it",
        "map the user to the highlighted account",
        Action::MapTo,
    ),
    Binding::new(
        &[Key::Char('/')],
        "/",
        "search directory",
        "search the directory by name, UPN or mail prefix",
        Action::Search,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "close",
        "close the candidates",
        Action::CloseDetail,
    ),
];

const SEARCHING: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "search",
        "search the directory",
        Action::RunSearch,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "stop typing",
        "stop typing",
        Action::StopTyping,
    ),
];

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
                (_, Key::Char(c)) => self.filter.push(c),
                (_, Key::Backspace) => {
                    self.filter.pop();
                }
                _ => {}
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
            Some(Action::Leave) => return Outcome::Leave,
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
                *status = Some(format!("Accepted {n} exact match(es)."));
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

    /// Entries of the detail view: the suggestions not rejected, then the
    /// search results not already listed.
    pub fn detail_entries(&self) -> Vec<Entry> {
        let (Some(d), Loadable::Ready(plan)) = (&self.detail, &self.plan) else {
            return Vec::new();
        };
        let Some(row) = plan.rows.get(d.row) else {
            return Vec::new();
        };
        let mut v: Vec<Entry> = row
            .suggestions
            .iter()
            .filter(|s| !row.rejected.contains(&s.tenant_user_id))
            .map(|s| Entry {
                id: s.tenant_user_id.clone(),
                upn: s.upn.clone(),
                title: account_title(&s.display_name, &s.upn, s.mail.as_deref()),
                detail: format!(
                    "{} · {} · {}",
                    s.confidence.word(),
                    s.account_words(),
                    s.why()
                ),
            })
            .collect();
        if let Some(Loadable::Ready(found)) = &d.results {
            for c in found {
                if !v.iter().any(|e| e.id == c.id) {
                    v.push(Entry {
                        id: c.id.clone(),
                        upn: c.upn.clone(),
                        title: account_title(&c.display_name, &c.upn, None),
                        detail: format!(
                            "search result · {}, {}",
                            if c.guest { "guest" } else { "member" },
                            if c.enabled { "enabled" } else { "disabled" }
                        ),
                    });
                }
            }
        }
        v
    }

    /// The flags of the row the detail view shows, in words.
    pub fn detail_flags(&self) -> Vec<&'static str> {
        match (&self.detail, &self.plan) {
            (Some(d), Loadable::Ready(plan)) => plan
                .rows
                .get(d.row)
                .map(|r| r.flags.iter().map(|f| f.describe()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn detail_key(
        &mut self,
        action: Option<Action>,
        key: Key,
        status: &mut Option<String>,
    ) -> Outcome {
        let entries = self.detail_entries();
        let Some(d) = self.detail.as_mut() else {
            return Outcome::Stay(vec![]);
        };
        if d.typing {
            match (action, key) {
                (Some(Action::StopTyping), _) => d.typing = false,
                (Some(Action::RunSearch), _) => {
                    d.typing = false;
                    let q = d.query.trim().to_string();
                    if q.chars().count() < 2 {
                        *status = Some("Type at least two characters to search.".into());
                    } else {
                        d.results = Some(Loadable::Loading);
                        return Outcome::Stay(vec![Job::Search {
                            org: self.org.clone(),
                            query: q,
                        }]);
                    }
                }
                (_, Key::Char(c)) => d.query.push(c),
                (_, Key::Backspace) => {
                    d.query.pop();
                }
                _ => {}
            }
            return Outcome::Stay(vec![]);
        }
        match action {
            Some(Action::CloseDetail) => self.detail = None,
            Some(Action::Search) => d.typing = true,
            Some(Action::Up) => d.cursor = d.cursor.saturating_sub(1),
            Some(Action::Down) => d.cursor = (d.cursor + 1).min(entries.len().saturating_sub(1)),
            Some(Action::MapTo) => {
                let row = d.row;
                if let Some(Entry { id, upn, .. }) = entries.get(d.cursor).cloned() {
                    let r = self
                        .with_plan(|p| p.map_to(row, &id, &upn).map_err(|e| e.to_string()))
                        .unwrap_or(Ok(()));
                    match r {
                        Ok(()) => {
                            self.detail = None;
                            *status = Some(format!("Mapped to {upn}."));
                            self.refilter();
                        }
                        Err(e) => *status = Some(capitalise(&e)),
                    }
                } else {
                    *status = Some(format!(
                        "No candidate: press {} to search the directory.",
                        keys::hint_for(DETAIL, Action::Search)
                            .split(' ')
                            .next()
                            .unwrap_or("/")
                    ));
                }
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    pub fn searched(&mut self, query: &str, r: Result<Vec<Candidate>, Problem>) {
        if let Some(d) = self.detail.as_mut()
            && d.query.trim() == query
        {
            d.results = Some(match r {
                Ok(v) => Loadable::Ready(v),
                Err(e) => Loadable::Failed(e),
            });
        }
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
