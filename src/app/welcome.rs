//! The welcome screen: what this tool is about to work on, and which flow to run.

use super::Key;

/// The flows the wizard offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Connect,
    ChangeTenant,
    Disconnect,
    Resolve,
    CheckOnly,
}

impl Flow {
    pub const ALL: [Flow; 5] = [
        Flow::Connect,
        Flow::ChangeTenant,
        Flow::Disconnect,
        Flow::Resolve,
        Flow::CheckOnly,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Flow::Connect => "Connect the organization to Microsoft Entra ID",
            Flow::ChangeTenant => "Change the organization's Entra directory",
            Flow::Disconnect => "Disconnect the organization from Entra ID",
            Flow::Resolve => "Resolve disconnected users",
            Flow::CheckOnly => "Check prerequisites only (changes nothing)",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Flow::Connect => "Connect",
            Flow::ChangeTenant => "Change tenant",
            Flow::Disconnect => "Disconnect",
            Flow::Resolve => "Resolve",
            Flow::CheckOnly => "Check only",
        }
    }
}

/// Welcome screen state: the highlighted flow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Welcome {
    pub selected: usize,
}

impl Welcome {
    pub fn selected_flow(&self) -> Flow {
        Flow::ALL[self.selected.min(Flow::ALL.len() - 1)]
    }
}

pub(super) const KEY_HINTS: &[(&str, &str)] = &[("↑↓/jk", "choose"), ("Enter", "start")];

pub(super) const HELP: &str = "ado-entra walks an organization owner through connecting an Azure DevOps \
organization to Microsoft Entra ID. Before anything changes it proves who keeps access, \
the owner first. Choose a flow to begin; nothing is changed until you confirm a plan.";

pub(super) fn on_key(w: &mut Welcome, key: Key) {
    let n = Flow::ALL.len();
    if key.is_up() {
        w.selected = (w.selected + n - 1) % n;
    } else if key.is_down() {
        w.selected = (w.selected + 1) % n;
    } else if key == Key::Home {
        w.selected = 0;
    } else if key == Key::End {
        w.selected = n - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_wraps_both_ways() {
        let mut w = Welcome::default();
        on_key(&mut w, Key::Up);
        assert_eq!(w.selected_flow(), Flow::CheckOnly);
        on_key(&mut w, Key::Char('j'));
        assert_eq!(w.selected_flow(), Flow::Connect);
        on_key(&mut w, Key::Down);
        on_key(&mut w, Key::Tab);
        assert_eq!(w.selected_flow(), Flow::Disconnect);
        on_key(&mut w, Key::End);
        assert_eq!(w.selected_flow(), Flow::CheckOnly);
        on_key(&mut w, Key::Home);
        assert_eq!(w.selected_flow(), Flow::Connect);
    }
}
