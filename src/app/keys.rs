//! Keys as the state machine sees them, independent of the terminal library,
//! and key bindings as data: one table per screen (and state of a screen)
//! drives which key does what, the footer, the `?` overlay and the hints
//! written inside screens, so a key is written once.

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

/// Keys that move up a list.
pub const UP: &[Key] = &[Key::Up, Key::Char('k'), Key::BackTab];
/// Keys that move down a list.
pub const DOWN: &[Key] = &[Key::Down, Key::Char('j'), Key::Tab];
/// Keys that go to the first entry.
pub const FIRST: &[Key] = &[Key::Home, Key::Char('g')];
/// Keys that go to the last entry.
pub const LAST: &[Key] = &[Key::End, Key::Char('G')];

/// One key binding: the keys, how the footer shows them, a short label for
/// the footer and in-screen hints, a sentence for the help overlay, and the
/// screen's action.
#[derive(Debug, Clone, Copy)]
pub struct Binding<A: 'static> {
    pub keys: &'static [Key],
    /// How the keys are written ("↑↓", "Enter", "a").
    pub shown: &'static str,
    /// A few words ("accept").
    pub label: &'static str,
    /// What it does, for the help overlay.
    pub help: &'static str,
    pub action: A,
}

impl<A: Copy> Binding<A> {
    /// The device-code panel's Enter: open the sign-in page (every screen
    /// that shows the panel binds it the same way).
    pub const fn open_browser(action: A) -> Self {
        Self::new(
            &[Key::Enter],
            "Enter",
            "open browser",
            "open the sign-in page in the browser",
            action,
        )
    }

    /// The device-code panel's `c`: copy the code.
    pub const fn copy_code(action: A) -> Self {
        Self::new(
            &[Key::Char('c')],
            "c",
            "copy code",
            "copy the code to the clipboard",
            action,
        )
    }

    pub const fn new(
        keys: &'static [Key],
        shown: &'static str,
        label: &'static str,
        help: &'static str,
        action: A,
    ) -> Self {
        Self {
            keys,
            shown,
            label,
            help,
            action,
        }
    }
}

/// The action `key` is bound to in `table`.
pub fn action<A: Copy>(table: &[Binding<A>], key: Key) -> Option<A> {
    table
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

/// A binding as a screen lists it: (keys, label, help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub shown: &'static str,
    pub label: &'static str,
    pub help: &'static str,
}

/// The hints of a table, in order.
pub fn hints<A: Copy>(table: &[Binding<A>]) -> Vec<Hint> {
    table
        .iter()
        .filter(|b| !b.shown.is_empty())
        .map(|b| Hint {
            shown: b.shown,
            label: b.label,
            help: b.help,
        })
        .collect()
}

/// "r retry" for the binding of `action`, written inside a screen's text so
/// the words always match the keys.
pub fn hint_for<A: Copy + PartialEq>(table: &[Binding<A>], action: A) -> String {
    table
        .iter()
        .find(|b| b.action == action)
        .map(|b| format!("{} {}", b.shown, b.label))
        .unwrap_or_default()
}

/// How the key of `action` is written ("a"), for a screen's sentences.
pub fn key_for<A: Copy + PartialEq>(table: &[Binding<A>], action: A) -> &'static str {
    table
        .iter()
        .find(|b| b.action == action)
        .map_or("", |b| b.shown)
}

/// Every binding of `table` in one line for a screen's text:
/// "Enter retry · Esc back".
pub fn hint_line<A: Copy>(table: &[Binding<A>]) -> String {
    table
        .iter()
        .filter(|b| !b.shown.is_empty())
        .map(|b| format!("{} {}", b.shown, b.label))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Move a selection of `count` items by `key` (wrapping); false when `key`
/// does not move or the list is empty.
pub fn move_wrapping(selected: &mut usize, count: usize, key: Key) -> bool {
    if count == 0 {
        return false;
    }
    if UP.contains(&key) {
        *selected = (*selected + count - 1) % count;
    } else if DOWN.contains(&key) {
        *selected = (*selected + 1) % count;
    } else if FIRST.contains(&key) {
        *selected = 0;
    } else if LAST.contains(&key) {
        *selected = count - 1;
    } else {
        return false;
    }
    true
}

/// Scroll an offset by `key` (one line, ten for page keys); false when
/// `key` does not scroll.
pub fn scroll(offset: &mut u16, key: Key) -> bool {
    match key {
        k if UP.contains(&k) => *offset = offset.saturating_sub(1),
        k if DOWN.contains(&k) => *offset = offset.saturating_add(1),
        Key::PageUp => *offset = offset.saturating_sub(10),
        Key::PageDown => *offset = offset.saturating_add(10),
        k if FIRST.contains(&k) => *offset = 0,
        _ => return false,
    }
    true
}

/// A typed character or Backspace edits `text` (every text field of the
/// wizard: names, filters, searches, the confirmation); true when `key`
/// was one of them.
pub fn edit(text: &mut String, key: Key) -> bool {
    match key {
        Key::Char(c) => text.push(c),
        Key::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

/// The keys that scroll a pane of text: ↑↓ (k/j), a page (PgUp/PgDn), the
/// top (Home, g). One list for every screen that scrolls.
pub const SCROLL_KEYS: &[Key] = &[
    Key::Up,
    Key::Down,
    Key::Char('k'),
    Key::Char('j'),
    Key::PageUp,
    Key::PageDown,
    Key::Home,
    Key::Char('g'),
];

/// The keys that move through a list of choices: ↑↓ (k/j, Tab/Shift-Tab),
/// the first and last (Home/End, g/G).
pub const CHOICE_KEYS: &[Key] = &[
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
];

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum A {
        Go,
        Back,
    }

    const TABLE: &[Binding<A>] = &[
        Binding::new(&[Key::Enter], "Enter", "go", "Go on.", A::Go),
        Binding::new(
            &[Key::Esc, Key::Char('b')],
            "Esc",
            "back",
            "Go back.",
            A::Back,
        ),
    ];

    #[test]
    fn one_table_matches_keys_and_writes_hints() {
        assert_eq!(action(TABLE, Key::Char('b')), Some(A::Back));
        assert_eq!(action(TABLE, Key::Char('x')), None);
        assert_eq!(hints(TABLE)[0].label, "go");
        assert_eq!(hint_for(TABLE, A::Back), "Esc back");
    }

    #[test]
    fn selection_wraps_and_jumps() {
        let mut s = 0;
        assert!(move_wrapping(&mut s, 3, Key::Up));
        assert_eq!(s, 2);
        assert!(move_wrapping(&mut s, 3, Key::Char('j')));
        assert_eq!(s, 0);
        assert!(move_wrapping(&mut s, 3, Key::End));
        assert_eq!(s, 2);
        assert!(move_wrapping(&mut s, 3, Key::Char('g')));
        assert_eq!(s, 0);
        assert!(!move_wrapping(&mut s, 0, Key::Down));
        assert!(!move_wrapping(&mut s, 3, Key::Enter));
        let mut o = 5;
        assert!(scroll(&mut o, Key::PageUp));
        assert_eq!(o, 0);
    }
}
