//! The Resolve screen: review every disconnected user, decide, apply.
//!
//! A table of users with their best suggestion (only the visible rows are
//! drawn, so 10,000 users scroll as fast as ten). `/` filters; Enter opens one
//! user's candidates plus a live directory search; `a` accepts, `r` rejects,
//! `A` accepts every exact match, `i` marks for a guest invitation, `s` skips,
//! `u` undoes; `x` exports the plan as CSV; `p` applies after asking once.

use serde::Serialize;

use super::{Effect, ErrorView, Key, Loadable};
use crate::domain::resolve::{Decision, Plan};

/// An account found by the live search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub guest: bool,
    pub enabled: bool,
}

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

/// What the Resolve screen loads.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolveLoad {
    pub plan: Plan,
    /// Users in an interrupted run of this organization, if there is one.
    pub unfinished: Option<usize>,
}

/// Apply progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResolveProgress {
    pub done: usize,
    pub total: usize,
    pub mapped: usize,
    pub invited: usize,
    pub failed: usize,
}

/// What an apply did (for the screen and Done).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResolveSummary {
    pub mapped: usize,
    pub invited: usize,
    pub already: usize,
    /// (who, error)
    pub failed: Vec<(String, String)>,
    pub journal: String,
}

impl ResolveSummary {
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} mapped ({} invited as guests first), {} already resolved",
            self.mapped, self.invited, self.already
        );
        if !self.failed.is_empty() {
            s.push_str(&format!(", {} failed", self.failed.len()));
        }
        s
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
    Finished(ResolveSummary),
    Failed(ErrorView),
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
    Stay(Vec<Effect>),
    /// Leave Resolve (to Done).
    Leave,
}

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

    pub fn loaded(&mut self, r: Result<ResolveLoad, ErrorView>) {
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

    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.editing_filter {
            return vec![("Enter", "keep filter"), ("Esc", "clear filter")];
        }
        if let Some(d) = &self.detail {
            return if d.typing {
                vec![("Enter", "search"), ("Esc", "stop typing")]
            } else {
                vec![
                    ("↑↓", "choose"),
                    ("Enter", "map to it"),
                    ("/", "search directory"),
                    ("Esc", "close"),
                ]
            };
        }
        match (&self.phase, &self.plan) {
            (Phase::Confirm, _) => vec![("y", "apply"), ("any other key", "back")],
            (Phase::Applying(_), _) => vec![],
            (Phase::Finished(_), _) => vec![("Enter", "done"), ("u", "review the rest")],
            (Phase::Failed(_), _) => vec![("Enter", "back to review")],
            (_, Loadable::Failed(_)) => vec![("r", "retry"), ("Esc", "leave")],
            (_, Loadable::Loading) => vec![("Esc", "leave")],
            _ if self.unfinished.is_some() => {
                vec![("R", "resume interrupted run"), ("Esc", "leave")]
            }
            _ => vec![
                ("↑↓", "move"),
                ("Enter", "candidates"),
                ("a", "accept"),
                ("r", "reject"),
                ("A", "accept all exact"),
                ("i", "invite"),
                ("s", "skip"),
                ("u", "undo"),
                ("/", "filter"),
                ("x", "export CSV"),
                ("p", "apply"),
                ("Esc", "leave"),
            ],
        }
    }

    pub fn on_key(&mut self, key: Key, status: &mut Option<String>) -> Outcome {
        match &self.phase {
            Phase::Applying(_) => return Outcome::Stay(vec![]),
            Phase::Confirm => {
                if matches!(key, Key::Char('y') | Key::Char('Y')) {
                    return self.start_apply(status);
                }
                self.phase = Phase::Review;
                *status = Some("Nothing was applied.".into());
                return Outcome::Stay(vec![]);
            }
            Phase::Finished(_) => {
                return match key {
                    Key::Enter | Key::Esc => Outcome::Leave,
                    Key::Char('u') => {
                        self.phase = Phase::Review;
                        self.plan = Loadable::Loading;
                        Outcome::Stay(vec![Effect::LoadResolve {
                            org: self.org.clone(),
                        }])
                    }
                    _ => Outcome::Stay(vec![]),
                };
            }
            Phase::Failed(_) => {
                if key == Key::Enter {
                    self.phase = Phase::Review;
                }
                return Outcome::Stay(vec![]);
            }
            Phase::Review => {}
        }
        if self.editing_filter {
            match key {
                Key::Char(c) => self.filter.push(c),
                Key::Backspace => {
                    self.filter.pop();
                }
                Key::Esc => {
                    self.filter.clear();
                    self.editing_filter = false;
                }
                Key::Enter => self.editing_filter = false,
                _ => {}
            }
            self.refilter();
            return Outcome::Stay(vec![]);
        }
        if self.detail.is_some() {
            return self.detail_key(key, status);
        }
        match &self.plan {
            Loadable::Loading => {
                return if key == Key::Esc {
                    Outcome::Leave
                } else {
                    Outcome::Stay(vec![])
                };
            }
            Loadable::Failed(_) => {
                return match key {
                    Key::Esc => Outcome::Leave,
                    Key::Char('r') | Key::Enter => {
                        self.plan = Loadable::Loading;
                        Outcome::Stay(vec![Effect::LoadResolve {
                            org: self.org.clone(),
                        }])
                    }
                    _ => Outcome::Stay(vec![]),
                };
            }
            Loadable::Ready(_) => {}
        }
        if let Some(n) = self.unfinished {
            return match key {
                Key::Char('R') => {
                    self.phase = Phase::Applying(ResolveProgress {
                        total: n,
                        ..Default::default()
                    });
                    Outcome::Stay(vec![Effect::ApplyResolve {
                        org: self.org.clone(),
                        jobs: None,
                    }])
                }
                Key::Esc => Outcome::Leave,
                _ => {
                    *status = Some(
                        "Finish the interrupted run first (R): new decisions wait until it is done."
                            .into(),
                    );
                    Outcome::Stay(vec![])
                }
            };
        }
        let count = self.visible.len();
        match key {
            Key::Esc => return Outcome::Leave,
            k if k.is_up() => self.cursor = self.cursor.saturating_sub(1),
            k if k.is_down() => {
                self.cursor = (self.cursor + 1).min(count.saturating_sub(1));
            }
            Key::PageUp => self.cursor = self.cursor.saturating_sub(10),
            Key::PageDown => self.cursor = (self.cursor + 10).min(count.saturating_sub(1)),
            Key::Home | Key::Char('g') => self.cursor = 0,
            Key::End | Key::Char('G') => self.cursor = count.saturating_sub(1),
            Key::Char('/') => self.editing_filter = true,
            Key::Enter => {
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
            Key::Char('A') => {
                let n = self.with_plan(|p| p.accept_all_exact()).unwrap_or(0);
                *status = Some(format!("Accepted {n} exact match(es)."));
                self.refilter();
            }
            Key::Char(c @ ('a' | 'r' | 'i' | 's' | 'u')) => {
                if let Some(row) = self.current() {
                    let r = self
                        .with_plan(|p| match c {
                            'a' => p.accept(row, 0),
                            'r' => p.reject(row),
                            'i' => p.invite(row),
                            's' => p.skip(row),
                            _ => p.clear(row),
                        })
                        .unwrap_or(Ok(()));
                    match r {
                        Ok(()) => {
                            // Move on to the next user, as reviewers go down the list.
                            if c != 'r' && c != 'u' {
                                self.cursor = (self.cursor + 1).min(count.saturating_sub(1));
                            }
                        }
                        Err(e) => *status = Some(capitalise(&e.to_string())),
                    }
                    self.refilter();
                }
            }
            Key::Char('x') => {
                if let Loadable::Ready(p) = &self.plan {
                    return Outcome::Stay(vec![Effect::ExportResolve {
                        org: self.org.clone(),
                        csv: crate::domain::resolve::to_csv(p),
                    }]);
                }
            }
            Key::Char('p') => {
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
        Outcome::Stay(vec![Effect::ApplyResolve {
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

    fn detail_key(&mut self, key: Key, status: &mut Option<String>) -> Outcome {
        let entries = self.detail_entries();
        let Some(d) = self.detail.as_mut() else {
            return Outcome::Stay(vec![]);
        };
        if d.typing {
            match key {
                Key::Char(c) => d.query.push(c),
                Key::Backspace => {
                    d.query.pop();
                }
                Key::Esc => d.typing = false,
                Key::Enter => {
                    d.typing = false;
                    let q = d.query.trim().to_string();
                    if q.chars().count() < 2 {
                        *status = Some("Type at least two characters to search.".into());
                    } else {
                        d.results = Some(Loadable::Loading);
                        return Outcome::Stay(vec![Effect::SearchDirectory {
                            org: self.org.clone(),
                            query: q,
                        }]);
                    }
                }
                _ => {}
            }
            return Outcome::Stay(vec![]);
        }
        match key {
            Key::Esc => self.detail = None,
            Key::Char('/') => d.typing = true,
            k if k.is_up() => d.cursor = d.cursor.saturating_sub(1),
            k if k.is_down() => d.cursor = (d.cursor + 1).min(entries.len().saturating_sub(1)),
            Key::Enter => {
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
                    *status = Some("No candidate: press / to search the directory.".into());
                }
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    pub fn searched(&mut self, query: &str, r: Result<Vec<Candidate>, ErrorView>) {
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

    pub fn applied(&mut self, r: Result<ResolveSummary, ErrorView>) {
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
