//! Keys as the state machine sees them, independent of the terminal library.

/// A key press. The runtime translates terminal events into these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    CtrlC,
}

impl Key {
    /// Up-like keys: arrow up and `k`.
    pub fn is_up(self) -> bool {
        matches!(self, Key::Up | Key::Char('k') | Key::BackTab)
    }
    /// Down-like keys: arrow down and `j`.
    pub fn is_down(self) -> bool {
        matches!(self, Key::Down | Key::Char('j') | Key::Tab)
    }
}
