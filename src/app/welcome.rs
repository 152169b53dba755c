//! The welcome screen: what this tool is about to work on, and which flow to run.

use super::{Effect, Key};

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

pub(super) const HELP_KEYS: &[(&str, &str)] = &[
    ("↑ ↓ / j k", "move the selection"),
    ("Tab / Shift-Tab", "move the selection"),
    ("Enter", "start the highlighted flow"),
    ("?", "show or hide this help"),
    ("q", "quit (asks first while work is in flight)"),
    ("Ctrl-C", "quit at once, restoring the terminal"),
];

pub(super) fn on_key(w: &mut Welcome, key: Key, status: &mut Option<String>) -> Vec<Effect> {
    let n = Flow::ALL.len();
    if key.is_up() {
        w.selected = (w.selected + n - 1) % n;
    } else if key.is_down() {
        w.selected = (w.selected + 1) % n;
    } else if key == Key::Home {
        w.selected = 0;
    } else if key == Key::End {
        w.selected = n - 1;
    } else if key == Key::Enter {
        *status = Some(format!(
            "{}: this build shows the environment only; the guided flow is not available yet.",
            w.selected_flow().short()
        ));
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_wraps_both_ways() {
        let mut w = Welcome::default();
        let mut status = None;
        on_key(&mut w, Key::Up, &mut status);
        assert_eq!(w.selected_flow(), Flow::CheckOnly);
        on_key(&mut w, Key::Char('j'), &mut status);
        assert_eq!(w.selected_flow(), Flow::Connect);
        on_key(&mut w, Key::Down, &mut status);
        on_key(&mut w, Key::Tab, &mut status);
        assert_eq!(w.selected_flow(), Flow::Disconnect);
        on_key(&mut w, Key::End, &mut status);
        assert_eq!(w.selected_flow(), Flow::CheckOnly);
        on_key(&mut w, Key::Home, &mut status);
        assert_eq!(w.selected_flow(), Flow::Connect);
    }

    #[test]
    fn enter_explains_instead_of_pretending() {
        let mut w = Welcome { selected: 3 };
        let mut status = None;
        assert!(on_key(&mut w, Key::Enter, &mut status).is_empty());
        assert!(status.unwrap().starts_with("Resolve:"));
    }
}
