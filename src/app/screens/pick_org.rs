//! Choose the organization (from the list, or typed).

use crate::app::keys::{self, Binding, Key};
use crate::app::model::Problem;
use crate::app::nav::{self, Step};
use crate::app::{Choice, Job, State};

use super::{Loadable, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PickOrg {
    pub orgs: Loadable<Vec<String>>,
    pub selected: usize,
    /// Text typed when choosing "type a name"; `Some` while the field is focused.
    pub input: Option<String>,
    pub error: Option<String>,
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
}

const LIST: &[Binding<Action>] = &[
    Binding::new(
        &[
            Key::Up,
            Key::Down,
            Key::Char('k'),
            Key::Char('j'),
            Key::Tab,
            Key::BackTab,
            Key::Home,
            Key::End,
            Key::Char('g'),
            Key::Char('G'),
        ],
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

pub const HELP: &str = "Choose the Azure DevOps organization to work on, or press t to type its \
name (the part after dev.azure.com/).";

impl PickOrg {
    /// The list already read, with `want` highlighted when it is there.
    pub fn ready(list: Vec<String>, want: Option<&str>) -> Self {
        Self {
            selected: preselect(&list, want),
            orgs: Loadable::Ready(list),
            input: None,
            error: None,
        }
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match (&self.input, &self.orgs) {
            (Some(_), _) => INPUT,
            (None, Loadable::Failed(_)) => LIST_FAILED,
            (None, _) => LIST,
        }
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
                (_, Key::Char(c)) => {
                    input.push(c);
                    self.error = None;
                }
                (_, Key::Backspace) => {
                    input.pop();
                    self.error = None;
                }
                _ => {}
            }
            return (Screen::PickOrg(self), vec![]);
        }
        let count = match &self.orgs {
            Loadable::Ready(list) => list.len(),
            _ => 0,
        };
        match keys::action(self.bindings(), key) {
            Some(Action::Back) => nav::welcome(state),
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
            Some(Action::Select) => match &self.orgs {
                Loadable::Ready(list) if !list.is_empty() => {
                    let org = list[self.selected.min(list.len() - 1)].clone();
                    choose(state, org)
                }
                _ => {
                    self.input = Some(String::new());
                    (Screen::PickOrg(self), vec![])
                }
            },
            _ => (Screen::PickOrg(self), vec![]),
        }
    }
}

fn preselect(list: &[String], want: Option<&str>) -> usize {
    want.and_then(|w| list.iter().position(|o| o.eq_ignore_ascii_case(w)))
        .unwrap_or(0)
}

/// The organization is chosen: on to the destination, the checks, or Resolve.
fn choose(state: &mut State, org: String) -> Step {
    state.session.choice = Some(Choice {
        org: org.clone(),
        destination: None,
    });
    state.session.report = None;
    if state.session.resolve_only() {
        return nav::resolve(state, &org);
    }
    if state.session.flow == super::welcome::Flow::Recover {
        return nav::recover(state, &org);
    }
    if state.session.operation().needs_destination() {
        nav::pick_tenant(state)
    } else {
        nav::run_checks(state)
    }
}

/// The list of organizations arrived.
pub(super) fn loaded(state: &mut State, screen: Screen, r: Result<Vec<String>, Problem>) -> Step {
    if let Ok(list) = &r {
        state.session.orgs = Some(list.clone());
    }
    let Screen::PickOrg(mut p) = screen else {
        return (screen, vec![]);
    };
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
        }
        Err(e) => p.orgs = Loadable::Failed(e),
    }
    (Screen::PickOrg(p), vec![])
}

/// Organization name as typed or pasted: a bare name or a dev.azure.com /
/// visualstudio.com URL. Returns the bare name or what is wrong with it (the
/// rules are the domain's, checked before any request is sent).
pub fn validate_org_input(input: &str) -> Result<String, String> {
    crate::domain::validate::parse_org_name(input).map_err(|e| e.to_string())
}
