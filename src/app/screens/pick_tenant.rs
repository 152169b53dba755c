//! Choose the destination directory (from the list, or typed).

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{Problem, TenantInfo};
use crate::app::nav::{self, Step};
use crate::app::{Job, Slot, State};

use super::sign_in::Then;
use super::{Loadable, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PickTenant {
    pub tenants: Loadable<Vec<TenantInfo>>,
    pub selected: usize,
    /// A tenant id or domain being typed; `Some` while the field is focused
    /// (the list cannot always be read: a locked-out organization refuses it).
    pub input: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Move,
    Select,
    Type,
    Back,
    UseTyped,
    CloseInput,
    /// Sign in again at the organization's directory.
    SignInThere,
}

const TYPE: Binding<Action> = Binding::new(
    &[Key::Char('t')],
    "t",
    "type an id or domain",
    "type a tenant id or one of its domains",
    Action::Type,
);
const BACK: Binding<Action> = Binding::new(
    &[Key::Esc],
    "Esc",
    "back",
    "back to the organizations",
    Action::Back,
);

const LIST: &[Binding<Action>] = &[
    Binding::new(
        keys::CHOICE_KEYS,
        "↑↓",
        "choose",
        "move through the directories",
        Action::Move,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "select",
        "use the highlighted directory (or read the list again after a failure)",
        Action::Select,
    ),
    TYPE,
    BACK,
];

/// Listing failed: the organization refuses this sign-in.
const FAILED_SIGN_IN: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('s')],
        "s",
        "sign in there",
        "sign in to the organization's directory as an account of it, then list again",
        Action::SignInThere,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "retry",
        "read the list again",
        Action::Select,
    ),
    TYPE,
    BACK,
];

const INPUT: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter],
        "Enter",
        "use this directory",
        "resolve and use it",
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

pub const HELP: &str = "Choose the Microsoft Entra directory the organization will use. Only \
directories your account belongs to are listed; you must be a Member (not a Guest) of it. Press \
t to type a tenant id or one of its domains instead (it is resolved to its id before anything \
else).";

impl PickTenant {
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        match (&self.input, &self.tenants) {
            (Some(_), _) => INPUT,
            (None, Loadable::Failed(p)) if p.sign_in_at.is_some() => FAILED_SIGN_IN,
            (None, _) => LIST,
        }
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        if let Some(input) = self.input.as_mut() {
            match (keys::action(INPUT, key), key) {
                (Some(Action::UseTyped), _) => match crate::domain::validate::parse_tenant(input) {
                    Ok(t) => {
                        // Resolved to its id by the checks, before anything else.
                        return choose(
                            state,
                            TenantInfo {
                                id: t.to_string(),
                                display_name: t.to_string(),
                                domain: String::new(),
                            },
                        );
                    }
                    Err(e) => self.error = Some(e.to_string()),
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
            return (Screen::PickTenant(self), vec![]);
        }
        let count = match &self.tenants {
            Loadable::Ready(list) => list.len(),
            _ => 0,
        };
        match keys::action(self.bindings(), key) {
            Some(Action::Back) => {
                let mut fx = state.cancel(Slot::Tenants);
                let (screen, more) = nav::pick_org(state);
                fx.extend(more);
                (screen, fx)
            }
            Some(Action::Type) => {
                self.input = Some(String::new());
                (Screen::PickTenant(self), vec![])
            }
            Some(Action::SignInThere) => match &self.tenants {
                Loadable::Failed(Problem {
                    sign_in_at: Some(t),
                    ..
                }) => nav::sign_in_at(state, t.clone(), Then::Tenants),
                _ => (Screen::PickTenant(self), vec![]),
            },
            Some(Action::Move) => {
                keys::move_wrapping(&mut self.selected, count, key);
                (Screen::PickTenant(self), vec![])
            }
            Some(Action::Select) => match &self.tenants {
                Loadable::Ready(list) if !list.is_empty() => {
                    let t = list[self.selected.min(list.len() - 1)].clone();
                    choose(state, t)
                }
                Loadable::Failed(_) => {
                    self.tenants = Loadable::Loading;
                    let fx = state.start(Job::ListTenants {
                        org: state.session.org().to_string(),
                    });
                    (Screen::PickTenant(self), fx)
                }
                _ => (Screen::PickTenant(self), vec![]),
            },
            _ => (Screen::PickTenant(self), vec![]),
        }
    }
}

/// What the picker says beside a directory: the organization's current
/// one, and how the signed-in account stands in it (its home directory, or
/// a guest there: an account is a member only of the directory it was
/// created in unless made one, and a personal account is a guest everywhere).
pub fn marks(state: &State, t: &TenantInfo) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if state
        .session
        .backing
        .as_ref()
        .and_then(|b| b.tenant.as_ref())
        .is_some_and(|cur| cur.id.eq_ignore_ascii_case(&t.id))
    {
        marks.push("current");
    }
    if let Some(me) = &state.session.identity {
        if me.tenant_id.eq_ignore_ascii_case(&t.id) {
            marks.push("your home directory");
        } else if !me.tenant_id.is_empty() {
            marks.push("Guest");
        }
    }
    marks
}

fn choose(state: &mut State, t: TenantInfo) -> Step {
    if let Some(c) = state.session.choice.as_mut() {
        c.destination = Some(t);
    }
    nav::run_checks(state)
}

/// The directories arrived.
pub(super) fn loaded(
    state: &mut State,
    screen: Screen,
    r: Result<Vec<TenantInfo>, Problem>,
) -> Step {
    let Screen::PickTenant(mut p) = screen else {
        return (screen, vec![]);
    };
    p.tenants = match r {
        Ok(list) => {
            p.selected = state
                .session
                .destination()
                .and_then(|d| list.iter().position(|t| t.id == d.id))
                .unwrap_or(0);
            Loadable::Ready(list)
        }
        Err(e) => Loadable::Failed(e),
    };
    (Screen::PickTenant(p), vec![])
}
