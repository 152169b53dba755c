//! Choose the organization (from the list, or typed). The list is the fleet
//! view: each organization's backing and, when the change has a
//! destination, its readiness, filled in by a background survey as each
//! one finishes; sortable and filterable.

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{FleetOrg, Problem, Verdict};
use crate::app::nav::{self, Step};
use crate::app::{Choice, Job, Slot, State};

use super::{Loadable, Screen};

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    /// Blocked first, then warnings, ready, nothing to do, not yet known.
    Readiness,
    /// Largest first.
    Users,
    Backing,
}

impl SortBy {
    fn next(self) -> Self {
        match self {
            SortBy::Name => SortBy::Readiness,
            SortBy::Readiness => SortBy::Users,
            SortBy::Users => SortBy::Backing,
            SortBy::Backing => SortBy::Name,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Readiness => "readiness",
            SortBy::Users => "users",
            SortBy::Backing => "backing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PickOrg {
    pub orgs: Loadable<Vec<String>>,
    /// Position in the shown (filtered, sorted) list.
    pub selected: usize,
    /// Text typed when choosing "type a name"; `Some` while the field is focused.
    pub input: Option<String>,
    pub error: Option<String>,
    pub sort: SortBy,
    /// Only organizations whose name, backing, owner or verdict contain this.
    pub filter: String,
    /// The filter field has the keyboard.
    pub filtering: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Move,
    Select,
    Type,
    Retry,
    Back,
    UseTyped,
    CloseInput,
    Sort,
    Filter,
    DoneFiltering,
    ClearFilter,
}

const LIST: &[Binding<Action>] = &[
    Binding::new(
        keys::CHOICE_KEYS,
        "↑↓",
        "choose",
        "move through the organizations (Home/End, g/G jump)",
        Action::Move,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "select",
        "work on the highlighted organization",
        Action::Select,
    ),
    Binding::new(
        &[Key::Char('s')],
        "s",
        "sort",
        "sort by name, readiness, users or backing",
        Action::Sort,
    ),
    Binding::new(
        &[Key::Char('/')],
        "/",
        "filter",
        "show only organizations whose name, backing, owner or verdict contain the text",
        Action::Filter,
    ),
    Binding::new(
        &[Key::Char('t')],
        "t",
        "type a name",
        "type the organization's name or URL",
        Action::Type,
    ),
    Binding::new(&[Key::Esc], "Esc", "back", "back to Welcome", Action::Back),
];

/// When the list could not be read.
pub const LIST_FAILED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('t'), Key::Enter],
        "t",
        "type the name",
        "type the organization's name or URL",
        Action::Type,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "retry",
        "read the list again",
        Action::Retry,
    ),
    Binding::new(&[Key::Esc], "Esc", "back", "back to Welcome", Action::Back),
];

const INPUT: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "use this name",
        "use the typed organization",
        Action::UseTyped,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "back to list",
        "close the field",
        Action::CloseInput,
    ),
];

const FILTER: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter, Key::Down],
        "Enter",
        "keep filter",
        "back to the list with this filter",
        Action::DoneFiltering,
    ),
    Binding::new(
        &[Key::Esc],
        "Esc",
        "clear filter",
        "back to the whole list",
        Action::ClearFilter,
    ),
];

pub const HELP: &str = "Choose the Azure DevOps organization to work on, or press t to type its \
name (the part after dev.azure.com/). Each organization's backing, owner, users and, when the \
change has a destination, its readiness (the verdict `ado-entra orgs --check` gives) fill in as \
they are read in the background. Press s to sort, / to filter.";

/// How an organization ranks when sorted by readiness.
fn rank(o: Option<&FleetOrg>) -> u8 {
    match o.and_then(|o| o.readiness.as_ref()).map(|r| r.verdict) {
        _ if o.is_some_and(|o| o.problem.is_some()) => 0,
        Some(Verdict::Blocked) => 1,
        Some(Verdict::Warnings) => 2,
        Some(Verdict::Ready) => 3,
        Some(Verdict::NothingToDo) => 4,
        None => 5,
    }
}

impl PickOrg {
    /// The list already read, with `want` highlighted when it is there.
    pub fn ready(list: Vec<String>, want: Option<&str>) -> Self {
        Self {
            selected: preselect(&list, want),
            orgs: Loadable::Ready(list),
            ..Self::default()
        }
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match (&self.input, &self.orgs) {
            (Some(_), _) => INPUT,
            _ if self.filtering => FILTER,
            (None, Loadable::Failed(_)) => LIST_FAILED,
            (None, _) => LIST,
        }
    }

    /// The organizations shown, in order: filtered, then sorted, with
    /// what the survey knows of each.
    pub fn shown<'a>(
        &'a self,
        survey: &'a std::collections::BTreeMap<String, FleetOrg>,
    ) -> Vec<(&'a str, Option<&'a FleetOrg>)> {
        let Loadable::Ready(list) = &self.orgs else {
            return Vec::new();
        };
        let needle = self.filter.trim().to_lowercase();
        let mut v: Vec<(&str, Option<&FleetOrg>)> = list
            .iter()
            .map(|n| (n.as_str(), survey.get(n)))
            .filter(|(n, o)| {
                needle.is_empty() || {
                    let mut hay = n.to_lowercase();
                    if let Some(o) = o {
                        for s in [&o.backing, &o.owner].into_iter().flatten() {
                            hay.push(' ');
                            hay.push_str(&s.to_lowercase());
                        }
                        if let Some(r) = &o.readiness {
                            hay.push(' ');
                            hay.push_str(r.verdict.word());
                        }
                    }
                    hay.contains(&needle)
                }
            })
            .collect();
        let name = |n: &str| n.to_lowercase();
        match self.sort {
            SortBy::Name => v.sort_by_key(|(n, _)| name(n)),
            SortBy::Readiness => v.sort_by_key(|(n, o)| (rank(*o), name(n))),
            SortBy::Users => v.sort_by_key(|(n, o)| {
                (
                    std::cmp::Reverse(o.and_then(|o| o.users).unwrap_or(0)),
                    name(n),
                )
            }),
            SortBy::Backing => v.sort_by_key(|(n, o)| {
                (
                    o.and_then(|o| o.backing.clone())
                        .unwrap_or_else(|| "~".into()),
                    name(n),
                )
            }),
        }
        v
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        if let Some(input) = self.input.as_mut() {
            match (keys::action(INPUT, key), key) {
                (Some(Action::UseTyped), _) => match validate_org_input(input) {
                    Ok(org) => return choose(state, org),
                    Err(e) => self.error = Some(e),
                },
                (Some(Action::CloseInput), _) => {
                    self.input = None;
                    self.error = None;
                }
                (_, k) => {
                    if keys::edit(input, k) {
                        self.error = None;
                    }
                }
            }
            return (Screen::PickOrg(self), vec![]);
        }
        if self.filtering {
            match (keys::action(FILTER, key), key) {
                (Some(Action::DoneFiltering), _) => self.filtering = false,
                (Some(Action::ClearFilter), _) => {
                    self.filtering = false;
                    self.filter.clear();
                }
                (_, k) => {
                    keys::edit(&mut self.filter, k);
                }
            }
            self.selected = 0;
            return (Screen::PickOrg(self), vec![]);
        }
        let count = self.shown(&state.session.survey).len();
        match keys::action(self.bindings(), key) {
            Some(Action::Back) => {
                let mut fx = state.cancel(Slot::Survey);
                let (screen, more) = nav::welcome(state);
                fx.extend(more);
                (screen, fx)
            }
            Some(Action::Type) => {
                self.input = Some(String::new());
                (Screen::PickOrg(self), vec![])
            }
            Some(Action::Retry) if matches!(self.orgs, Loadable::Failed(_)) => {
                self.orgs = Loadable::Loading;
                let fx = state.start(Job::ListOrgs);
                (Screen::PickOrg(self), fx)
            }
            Some(Action::Move) => {
                keys::move_wrapping(&mut self.selected, count, key);
                (Screen::PickOrg(self), vec![])
            }
            Some(Action::Sort) => {
                let keep = self.current(state).map(str::to_string);
                self.sort = self.sort.next();
                self.select_named(state, keep.as_deref());
                (Screen::PickOrg(self), vec![])
            }
            Some(Action::Filter) => {
                self.filtering = true;
                (Screen::PickOrg(self), vec![])
            }
            Some(Action::Select) => match self.current(state).map(str::to_string) {
                Some(org) => choose(state, org),
                None => {
                    self.input = Some(String::new());
                    (Screen::PickOrg(self), vec![])
                }
            },
            _ => (Screen::PickOrg(self), vec![]),
        }
    }

    /// The highlighted organization, if the list shows any.
    pub fn current<'a>(&'a self, state: &'a State) -> Option<&'a str> {
        let shown = self.shown(&state.session.survey);
        shown
            .get(self.selected.min(shown.len().saturating_sub(1)))
            .map(|(n, _)| *n)
    }

    fn select_named(&mut self, state: &State, name: Option<&str>) {
        let shown = self.shown(&state.session.survey);
        self.selected = name
            .and_then(|n| shown.iter().position(|(o, _)| o.eq_ignore_ascii_case(n)))
            .unwrap_or(0);
    }
}

fn preselect(list: &[String], want: Option<&str>) -> usize {
    let mut sorted: Vec<&String> = list.iter().collect();
    sorted.sort_by_key(|n| n.to_lowercase());
    want.and_then(|w| sorted.iter().position(|o| o.eq_ignore_ascii_case(w)))
        .unwrap_or(0)
}

/// The organization is chosen: the background survey stops (its requests
/// are the checks' now), then on to the destination, the checks, or Resolve.
fn choose(state: &mut State, org: String) -> Step {
    let stop = state.cancel(Slot::Survey);
    state.session.choice = Some(Choice {
        org: org.clone(),
        destination: None,
    });
    state.session.report = None;
    let (screen, mut fx) = if state.session.resolve_only() {
        nav::resolve(state, &org)
    } else if state.session.flow == super::welcome::Flow::Recover {
        nav::recover(state, &org)
    } else if state.session.operation().needs_destination() {
        nav::pick_tenant(state)
    } else {
        nav::run_checks(state)
    };
    fx.splice(0..0, stop);
    (screen, fx)
}

/// What the survey judges for the current flow: the operation (none for
/// Resolve, or for a locked-out owner: no change is planned) and its
/// destination, when it needs one and one is known.
fn survey_target(state: &State) -> (Option<crate::app::Operation>, Option<String>) {
    if state.session.resolve_only() || state.session.flow == super::welcome::Flow::Recover {
        return (None, None);
    }
    let op = state.session.operation();
    if !op.needs_destination() {
        return (Some(op), None);
    }
    match &state.env.destination {
        Some(t) => (Some(op), Some(t.clone())),
        None => (None, None),
    }
}

/// Start surveying the organizations not surveyed yet for this flow, if any.
pub(crate) fn survey(state: &mut State) -> Vec<crate::app::Effect> {
    let Some(list) = state.session.orgs.clone() else {
        return vec![];
    };
    let target = survey_target(state);
    if state.session.survey_for.as_ref() != Some(&target) {
        state.session.survey.clear();
        state.session.survey_for = Some(target.clone());
    }
    let orgs: Vec<String> = list
        .into_iter()
        .filter(|o| !state.session.survey.contains_key(o))
        .collect();
    if orgs.is_empty() || state.jobs.running(Slot::Survey) {
        return vec![];
    }
    let (op, tenant) = target;
    state.start(Job::SurveyOrgs { orgs, op, tenant })
}

/// One organization of the survey arrived (its position in the job's list).
pub(crate) fn surveyed(state: &mut State, row: FleetOrg) {
    state.session.survey.insert(row.name.clone(), row);
}

/// The survey ended; a failure is said in the status line.
pub(super) fn survey_done(state: &mut State, screen: Screen, r: Result<(), Problem>) -> Step {
    if let Err(e) = r {
        state.status = Some(format!("Could not read every organization: {}", e.message));
    }
    (screen, vec![])
}

/// The list of organizations arrived: shown at once, surveyed in the background.
pub(super) fn loaded(state: &mut State, screen: Screen, r: Result<Vec<String>, Problem>) -> Step {
    if let Ok(list) = &r {
        state.session.orgs = Some(list.clone());
    }
    let Screen::PickOrg(mut p) = screen else {
        return (screen, vec![]);
    };
    let mut fx = vec![];
    match r {
        Ok(list) => {
            p.selected = preselect(&list, state.env.org.as_deref());
            if list.is_empty() {
                p.input = Some(state.env.org.clone().unwrap_or_default());
                // An owner can reach an organization the membership list
                // leaves out (a personal account, another directory): say
                // only what the list shows.
                p.error = Some("No organization is listed for this sign-in; type its name.".into());
            }
            p.orgs = Loadable::Ready(list);
            fx = survey(state);
        }
        Err(e) => p.orgs = Loadable::Failed(e),
    }
    (Screen::PickOrg(p), fx)
}

/// Organization name as typed or pasted: a bare name or a dev.azure.com /
/// visualstudio.com URL. Returns the bare name or what is wrong with it (the
/// rules are the domain's, checked before any request is sent).
pub fn validate_org_input(input: &str) -> Result<String, String> {
    crate::domain::validate::parse_org_name(input).map_err(|e| e.to_string())
}
