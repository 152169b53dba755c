//! Done: what changed, and the checklist for users.

use crate::app::keys::{self, Binding, Key};
use crate::app::model::{CheckResult, Problem, Status};
use crate::app::nav::{self, Step};
use crate::app::{Job, Session, State};

use super::Screen;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DoneScreen {
    pub scroll: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Scroll,
    Export,
    Audit,
    Resolve,
    StartOver,
}

pub const BINDINGS: &[Binding<Action>] = &[
    Binding::new(
        &[
            Key::Up,
            Key::Down,
            Key::Char('k'),
            Key::Char('j'),
            Key::PageUp,
            Key::PageDown,
            Key::Home,
            Key::Char('g'),
        ],
        "↑↓",
        "scroll",
        "scroll (PgUp/PgDn by ten)",
        Action::Scroll,
    ),
    Binding::new(
        &[Key::Char('e')],
        "e",
        "export checklist",
        "write the checklist as Markdown into the state directory",
        Action::Export,
    ),
    Binding::new(
        &[Key::Char('a')],
        "a",
        "audit",
        "audit service connections, PATs and policies as the organization is now",
        Action::Audit,
    ),
    Binding::new(
        &[Key::Char('r')],
        "r",
        "resolve users",
        "open Resolve for the organization",
        Action::Resolve,
    ),
    Binding::new(
        &[Key::Enter],
        "Enter",
        "start over",
        "back to Welcome",
        Action::StartOver,
    ),
];

pub const HELP: &str = "A summary of what changed, and the checklist to send your users. Press e \
to export it as Markdown, a to audit service connections, PATs and policies as the organization \
is now.";

impl DoneScreen {
    pub fn on_key(mut self, state: &mut State, key: Key) -> Step {
        match keys::action(BINDINGS, key) {
            Some(Action::Scroll) => {
                keys::scroll(&mut self.scroll, key);
                (Screen::Done(self), vec![])
            }
            Some(Action::Audit) if !state.session.org().is_empty() => {
                state.status = Some("Auditing service connections, PATs and policies…".into());
                let fx = state.start(Job::Audit {
                    org: state.session.org().to_string(),
                });
                (Screen::Done(self), fx)
            }
            Some(Action::Resolve) if !state.session.org().is_empty() => {
                let org = state.session.org().to_string();
                nav::resolve(state, &org)
            }
            Some(Action::Export) => {
                let markdown = crate::app::checklist_markdown(&state.session, &state.env);
                let fx = state.start(Job::ExportChecklist { markdown });
                (Screen::Done(self), fx)
            }
            Some(Action::StartOver) => {
                state.session = Session {
                    identity: state.session.identity.take(),
                    flow: state.session.flow,
                    ..Session::default()
                };
                nav::welcome(state)
            }
            _ => (Screen::Done(self), vec![]),
        }
    }
}

/// The audit finished.
pub(super) fn audited(
    state: &mut State,
    screen: Screen,
    r: Result<Vec<CheckResult>, Problem>,
) -> Step {
    state.status = Some(match &r {
        Ok(rows) => format!(
            "Audit: {} to review below",
            crate::app::text::count(
                rows.iter()
                    .filter(|r| r.status != Status::Pass && r.status != Status::Skip)
                    .count(),
                "finding",
                "findings"
            )
        ),
        Err(e) => format!("Audit failed: {}", e.message),
    });
    state.session.audit = Some(r);
    (screen, vec![])
}

/// A file was written (the checklist, or Resolve's CSV).
pub(super) fn exported(state: &mut State, screen: Screen, r: Result<String, Problem>) -> Step {
    match r {
        Ok(path) => {
            let name = std::path::Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let what = if path.ends_with(".csv") {
                "Plan"
            } else if name.starts_with("approval-") {
                "Change-approval report (and notice to users)"
            } else {
                state.session.exported = Some(path.clone());
                "Checklist"
            };
            state.status = Some(format!("{what} written to {path}"));
        }
        Err(e) => state.status = Some(format!("Could not export: {}", e.message)),
    }
    (screen, vec![])
}
