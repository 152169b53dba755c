//! The welcome screen: what this tool is about to work on, and which flow to run.

use crate::app::keys::{self, Binding, Key};
use crate::app::nav::{self, Step};
use crate::app::{Operation, OrgBacking, Problem, State};

use super::Screen;

/// The flows the wizard offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flow {
    #[default]
    Connect,
    ChangeTenant,
    Disconnect,
    Resolve,
    CheckOnly,
    /// The owner is already locked out.
    Recover,
}

impl Flow {
    pub const ALL: [Flow; 6] = [
        Flow::Connect,
        Flow::ChangeTenant,
        Flow::Disconnect,
        Flow::Resolve,
        Flow::CheckOnly,
        Flow::Recover,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Flow::Connect => "Connect the organization to Microsoft Entra ID",
            Flow::ChangeTenant => "Change the organization's Entra directory",
            Flow::Disconnect => "Disconnect the organization from Entra ID",
            Flow::Resolve => "Resolve disconnected users",
            Flow::CheckOnly => "Check prerequisites only (changes nothing)",
            Flow::Recover => "I'm locked out: find out why and get back in",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Flow::Connect => "Connect",
            Flow::ChangeTenant => "Change tenant",
            Flow::Disconnect => "Disconnect",
            Flow::Resolve => "Resolve",
            Flow::CheckOnly => "Check only",
            Flow::Recover => "Recover",
        }
    }

    /// The directory operation this flow makes (`None` for Resolve).
    pub fn operation(self) -> Option<Operation> {
        match self {
            Flow::Connect => Some(Operation::Connect),
            Flow::ChangeTenant => Some(Operation::ChangeTenant),
            Flow::Disconnect => Some(Operation::Disconnect),
            Flow::CheckOnly => Some(Operation::CheckOnly),
            Flow::Resolve | Flow::Recover => None,
        }
    }
}

/// Welcome screen state: the highlighted flow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Welcome {
    pub selected: usize,
    /// The person moved the highlight (a proposal no longer moves it).
    pub moved: bool,
}

impl Welcome {
    /// Welcome with `flow` highlighted.
    pub fn on(flow: Flow) -> Self {
        Self {
            selected: Flow::ALL.iter().position(|f| *f == flow).unwrap_or(0),
            moved: false,
        }
    }

    pub fn selected_flow(&self) -> Flow {
        Flow::ALL[self.selected.min(Flow::ALL.len() - 1)]
    }

    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match keys::action(BINDINGS, key) {
            Some(Action::Start) => start(state, self.selected_flow()),
            Some(Action::Move) => {
                keys::move_wrapping(&mut self.selected, Flow::ALL.len(), key);
                self.moved = true;
                (Screen::Welcome(self), vec![])
            }
            None => (Screen::Welcome(self), vec![]),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Move,
    Start,
}

pub const BINDINGS: &[Binding<Action>] = &[
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
        "↑↓/jk",
        "choose",
        "choose a flow (Home/End jump)",
        Action::Move,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "start",
        "start the highlighted flow",
        Action::Start,
    ),
];

pub const HELP: &str = "ado-entra walks an organization owner through connecting an Azure DevOps \
organization to Microsoft Entra ID. Before anything changes it proves who keeps access, \
the owner first. Choose a flow to begin; nothing is changed until you confirm a plan.";

/// The flow that fits an organization in this state: a connect for one of
/// personal accounts, Resolve for one already connected (a connect there
/// would be nothing to do).
pub fn proposed(backing: &OrgBacking) -> Flow {
    match backing.tenant {
        None => Flow::Connect,
        Some(_) => Flow::Resolve,
    }
}

/// Where the organization is now arrived: kept, and (unless the person has
/// chosen already) the matching flow is highlighted.
pub(super) fn backing(
    state: &mut State,
    screen: Screen,
    result: Result<OrgBacking, Problem>,
) -> Step {
    // Not knowing is no error here: the flows' own first step reads it again.
    let Ok(backing) = result else {
        return (screen, vec![]);
    };
    let flow = proposed(&backing);
    state.session.backing = Some(backing);
    match screen {
        Screen::Welcome(w) if !w.moved => {
            state.session.flow = flow;
            (Screen::Welcome(Welcome::on(flow)), vec![])
        }
        other => (other, vec![]),
    }
}

/// The first work: where the organization given at start is now.
pub fn init(state: &mut State) -> Vec<crate::app::Effect> {
    match state.env.org.clone() {
        Some(org) => state.start(crate::app::Job::ProbeBacking { org }),
        None => Vec::new(),
    }
}

/// Begin `flow`: sign in first unless signed in already.
fn start(state: &mut State, flow: Flow) -> Step {
    state.session.flow = flow;
    if state.session.identity.is_some() {
        nav::pick_org(state)
    } else {
        nav::sign_in(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Environment;

    #[test]
    fn selection_wraps_both_ways() {
        let mut s = State::new(Environment::azure(), false);
        let press = |s: &mut State, k: Key| {
            let Screen::Welcome(w) = s.screen.clone() else {
                panic!()
            };
            let (screen, _) = w.on_key(s, k);
            s.screen = screen;
        };
        let flow = |s: &State| match &s.screen {
            Screen::Welcome(w) => w.selected_flow(),
            _ => panic!(),
        };
        press(&mut s, Key::Up);
        assert_eq!(flow(&s), Flow::Recover);
        press(&mut s, Key::Char('j'));
        assert_eq!(flow(&s), Flow::Connect);
        press(&mut s, Key::Down);
        press(&mut s, Key::Tab);
        assert_eq!(flow(&s), Flow::Disconnect);
        press(&mut s, Key::End);
        assert_eq!(flow(&s), Flow::Recover);
        press(&mut s, Key::Home);
        assert_eq!(flow(&s), Flow::Connect);
    }
}
