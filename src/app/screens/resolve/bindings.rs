//! The Resolve screen's keys as data: what each key does ([`Action`]) in
//! each state of the screen (reviewing, filtering, one user's candidates,
//! searching, confirming, applied, loading failed), with the words the
//! footer and the help show for it.

use crate::app::keys::{Binding, Key};

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
    Discard,
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

pub(super) const REVIEW: &[Binding<Action>] = &[
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
        "accept the best suggestion (one that is ambiguous or disabled asks for a again)",
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

pub(super) const UNFINISHED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('R')],
        "R",
        "resume interrupted run",
        "finish the interrupted run first",
        Action::Resume,
    ),
    Binding::new(&[Key::Esc], "Esc", "leave", "leave Resolve", Action::Leave),
];

pub(super) const LOADING: &[Binding<Action>] = &[Binding::new(
    &[Key::Esc],
    "Esc",
    "leave",
    "leave Resolve",
    Action::Leave,
)];

pub(super) const LOAD_FAILED: &[Binding<Action>] = &[
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
pub(super) const LOAD_FAILED_SIGN_IN: &[Binding<Action>] = &[
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

pub(super) const CONFIRM: &[Binding<Action>] = &[
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

pub(super) const CONFIRM_LEAVE: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Char('y'), Key::Char('Y')],
        "y",
        "discard",
        "leave Resolve; the decisions not applied are lost",
        Action::Discard,
    ),
    Binding::new(
        &[],
        "any other key",
        "stay",
        "stay and keep the decisions",
        Action::Back,
    ),
];

pub(super) const FINISHED: &[Binding<Action>] = &[
    Binding::new(
        &[Key::Enter, Key::Esc],
        "Enter",
        "done",
        "leave Resolve",
        Action::Done,
    ),
    Binding::new(
        &[Key::Char('l')],
        "l",
        "review those left",
        "read the users again and review those left",
        Action::ReviewRest,
    ),
];

pub(super) const APPLY_FAILED: &[Binding<Action>] = &[Binding::new(
    &[Key::Enter],
    "Enter",
    "back to review",
    "back to the review",
    Action::Back,
)];

pub(super) const FILTERING: &[Binding<Action>] = &[
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

pub(super) const DETAIL: &[Binding<Action>] = &[
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

pub(super) const SEARCHING: &[Binding<Action>] = &[
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
