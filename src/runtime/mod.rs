//! The tokio loop that owns the terminal.
//!
//! Terminal events become [`Msg`]s, [`update`] turns them into [`Effect`]s, the
//! loop performs the effects and feeds their results back as messages. Drawing
//! happens from state only, at most once per loop turn (redraws coalesce).

mod effects;
mod logging;
mod terminal;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::app::exit::{self, Exit};
use crate::app::{Effect, Environment, Key, Msg, State, update};
use effects::EffectRunner;
pub use logging::{LOG_ENV, init_file_logging};
pub use terminal::TerminalGuard;

/// How the TUI is run.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Capture mouse events (off by default so the terminal's own selection works).
    pub mouse: bool,
    /// Never launch a browser; the address is shown to open by hand.
    pub no_browser: bool,
}

/// True unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Run the wizard until the user quits or a signal arrives. The terminal is
/// restored on every exit path: normal return, error, signal, or panic. The
/// returned [`Exit`] carries the exit code and what to tell the person about
/// work left half done.
pub async fn run_tui(
    env: Environment,
    opts: TuiOptions,
    session: Arc<crate::ops::Session>,
) -> std::io::Result<Exit> {
    let mut guard = TerminalGuard::enter(opts.mouse)?;
    let mut state = State::new(env, color_enabled());
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(150));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut runner = EffectRunner::new(session, tx, opts.no_browser);
    let started = Instant::now();
    let mut dirty = true;
    let mut signals = Signals::new()?;
    for effect in crate::app::screens::welcome::init(&mut state) {
        runner.run(effect);
    }

    loop {
        if dirty {
            guard
                .terminal()
                .draw(|f| crate::ui::view(&state, f))
                .map(|_| ())?;
            dirty = false;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match translate(ev) {
                    Some(m) => m,
                    None => { dirty = true; continue } // resize and friends: just redraw
                },
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
            signal = signals.next() => Msg::Signal(signal),
            _ = ticker.tick() => {
                // Only animate while something is pending; an idle screen stays still.
                if !state.busy() { continue }
                Msg::Tick { now_ms: started.elapsed().as_millis() as u64 }
            }
        };
        dirty = true;
        let effects = update(&mut state, msg);
        for effect in effects {
            if effect == Effect::Quit {
                runner.abort_all();
                guard.restore()?;
                return Ok(exit::leave(&state));
            }
            if let Some(note) = runner.run(effect) {
                state.status = Some(note);
            }
        }
    }
    runner.abort_all();
    guard.restore()?;
    Ok(exit::leave(&state))
}

/// The signals that end the wizard (sent to the process, not typed: in raw
/// mode Ctrl-C arrives as a key).
struct Signals {
    #[cfg(unix)]
    streams: [(tokio::signal::unix::Signal, exit::Signal); 3],
}

impl Signals {
    #[cfg(unix)]
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            streams: [
                (signal(SignalKind::terminate())?, exit::Signal::Terminate),
                (signal(SignalKind::hangup())?, exit::Signal::Hangup),
                (signal(SignalKind::interrupt())?, exit::Signal::Interrupt),
            ],
        })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// The next signal.
    #[cfg(unix)]
    async fn next(&mut self) -> exit::Signal {
        let [(term, a), (hup, b), (int, c)] = &mut self.streams;
        tokio::select! {
            _ = term.recv() => *a,
            _ = hup.recv() => *b,
            _ = int.recv() => *c,
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> exit::Signal {
        let _ = tokio::signal::ctrl_c().await;
        exit::Signal::Interrupt
    }
}

/// Terminal event to message; `None` for events that only need a redraw.
fn translate(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(k).map(Msg::Key),
        _ => None,
    }
}

fn key(k: KeyEvent) -> Option<Key> {
    if k.modifiers.contains(KeyModifiers::ALT) {
        // Esc typed just before a key arrives as Alt+key; no binding uses Alt.
        return None;
    }
    if k.modifiers.contains(KeyModifiers::CONTROL) {
        return match k.code {
            KeyCode::Char('c') | KeyCode::Char('C') => Some(Key::CtrlC),
            _ => None,
        };
    }
    Some(match k.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_is_its_own_key_and_release_is_ignored() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(translate(Event::Key(ctrl_c)), Some(Msg::Key(Key::CtrlC)));
        let plain_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(
            translate(Event::Key(plain_c)),
            Some(Msg::Key(Key::Char('c')))
        );
        let mut release = plain_c;
        release.kind = KeyEventKind::Release;
        assert_eq!(translate(Event::Key(release)), None);
        assert_eq!(translate(Event::Resize(10, 10)), None);
    }
}
