//! The wizard as a pure state machine.
//!
//! `update(&mut State, Msg) -> Vec<Effect>` is the only way state changes. It does
//! no IO and reads no clock: key presses, ticks and API results all arrive as
//! [`Msg`]s, and anything that must touch the outside world leaves as an
//! [`Effect`] for the runtime to perform. That is what lets every flow be tested
//! without a terminal or a network.

mod keys;
mod welcome;

pub use keys::Key;
pub use welcome::{Flow, Welcome};

/// Where the wizard is pointed: real Azure or an emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Azure,
    /// An emulator; `scenario` is known when we started it ourselves (`demo`).
    Emulator {
        base_url: String,
        scenario: Option<String>,
    },
}

/// A tenant as the welcome screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub domain: String,
}

/// What is known about the environment before any flow starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub target: Target,
    pub org: Option<String>,
    pub owner: Option<String>,
    pub tenants: Vec<TenantInfo>,
}

impl Environment {
    pub fn azure() -> Self {
        Self {
            target: Target::Azure,
            org: None,
            owner: None,
            tenants: Vec::new(),
        }
    }
}

/// One variant per screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Welcome(Welcome),
}

impl Screen {
    /// Short name used in the header and the help overlay.
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Welcome(_) => "Welcome",
        }
    }
}

/// Something drawn over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
}

/// The whole UI state. Drawn by `ui::view`, changed only by [`update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub env: Environment,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// A one-line message for the status bar (errors, hints).
    pub status: Option<String>,
    /// Calls in flight; quitting asks first while this is non-zero.
    pub pending: usize,
    /// Draw with colour; false under `NO_COLOR` (selection then uses reverse video only).
    pub color: bool,
    /// Animation frame for spinners, advanced by `Msg::Tick`.
    pub tick: u64,
    pub quitting: bool,
}

impl State {
    pub fn new(env: Environment, color: bool) -> Self {
        Self {
            env,
            screen: Screen::Welcome(Welcome::default()),
            overlay: None,
            status: None,
            pending: 0,
            color,
            tick: 0,
            quitting: false,
        }
    }

    /// Work is in flight or a change is half done: quitting must ask first.
    pub fn busy(&self) -> bool {
        self.pending > 0
    }
}

/// Everything that can happen to the wizard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(Key),
    /// Periodic tick for spinners and countdowns.
    Tick,
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
}

/// Apply one message. Returns the effects the runtime must perform.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => {
            state.tick = state.tick.wrapping_add(1);
            Vec::new()
        }
        Msg::Key(key) => on_key(state, key),
    }
}

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    // Ctrl-C always leaves, whatever is open.
    if key == Key::CtrlC {
        return quit(state);
    }
    match state.overlay {
        Some(Overlay::Help) => {
            if matches!(key, Key::Esc | Key::Char('?') | Key::Char('q') | Key::Enter) {
                state.overlay = None;
            }
            return Vec::new();
        }
        Some(Overlay::ConfirmQuit) => {
            return match key {
                Key::Char('y') | Key::Char('Y') => quit(state),
                _ => {
                    state.overlay = None;
                    Vec::new()
                }
            };
        }
        None => {}
    }
    match key {
        Key::Char('?') => {
            state.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Key::Char('q') => {
            if state.busy() {
                state.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else {
                quit(state)
            }
        }
        _ => {
            state.status = None;
            match &mut state.screen {
                Screen::Welcome(w) => welcome::on_key(w, key, &mut state.status),
            }
        }
    }
}

fn quit(state: &mut State) -> Vec<Effect> {
    state.quitting = true;
    vec![Effect::Quit]
}

/// Key hints for the footer of the current screen: (key, what it does).
pub fn key_hints(state: &State) -> Vec<(&'static str, &'static str)> {
    match state.overlay {
        Some(Overlay::Help) => return vec![("Esc", "close help")],
        Some(Overlay::ConfirmQuit) => return vec![("y", "quit"), ("any other key", "stay")],
        None => {}
    }
    let mut hints = match &state.screen {
        Screen::Welcome(_) => welcome::KEY_HINTS.to_vec(),
    };
    hints.extend([("?", "help"), ("q", "quit")]);
    hints
}

/// The help text for the current screen: a short paragraph and the full key list.
pub fn help_text(state: &State) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match &state.screen {
        Screen::Welcome(_) => (welcome::HELP, welcome::HELP_KEYS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(Environment::azure(), true)
    }

    #[test]
    fn q_quits_when_idle() {
        let mut s = state();
        assert_eq!(update(&mut s, Msg::Key(Key::Char('q'))), vec![Effect::Quit]);
        assert!(s.quitting);
    }

    #[test]
    fn q_asks_first_when_work_is_in_flight() {
        let mut s = state();
        s.pending = 1;
        assert!(update(&mut s, Msg::Key(Key::Char('q'))).is_empty());
        assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
        // Anything but y keeps the wizard open.
        assert!(update(&mut s, Msg::Key(Key::Char('n'))).is_empty());
        assert_eq!(s.overlay, None);
        assert!(!s.quitting);
        update(&mut s, Msg::Key(Key::Char('q')));
        assert_eq!(update(&mut s, Msg::Key(Key::Char('y'))), vec![Effect::Quit]);
    }

    #[test]
    fn ctrl_c_quits_even_from_an_overlay() {
        let mut s = state();
        s.pending = 3;
        update(&mut s, Msg::Key(Key::Char('?')));
        assert_eq!(s.overlay, Some(Overlay::Help));
        assert_eq!(update(&mut s, Msg::Key(Key::CtrlC)), vec![Effect::Quit]);
    }

    #[test]
    fn help_opens_and_closes() {
        let mut s = state();
        update(&mut s, Msg::Key(Key::Char('?')));
        assert_eq!(s.overlay, Some(Overlay::Help));
        assert_eq!(key_hints(&s), vec![("Esc", "close help")]);
        update(&mut s, Msg::Key(Key::Esc));
        assert_eq!(s.overlay, None);
    }

    #[test]
    fn tick_advances_animation_only() {
        let mut s = state();
        let before = s.clone();
        assert!(update(&mut s, Msg::Tick).is_empty());
        assert_eq!(s.tick, 1);
        assert_eq!(s.screen, before.screen);
    }
}
