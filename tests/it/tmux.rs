//! Drive the real binary in a detached tmux session and read its screen, as a
//! person would. Each session runs on its own tmux server socket so parallel
//! tests never see each other.
//!
//! Without tmux these tests say so on the terminal (`SKIPPED (no tmux): …`)
//! and pass without running; with `ADO_ENTRA_REQUIRE_TMUX=1` (as `.ci/run`
//! sets) a missing tmux fails them instead.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Set to `1` to make a missing tmux a failure rather than a skip.
pub const REQUIRE_TMUX: &str = "ADO_ENTRA_REQUIRE_TMUX";

/// `text` with every run of blanks on a line made one space: what the
/// screen says, not how a table happened to pad it.
fn squeeze(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

pub struct Tmux {
    socket: String,
    /// Where the wrapper shell writes the program's exit status.
    status_file: std::path::PathBuf,
}

impl Tmux {
    /// Start `args` of the ado-entra binary in a `width` x `height` terminal,
    /// with `ADO_ENTRA_HOME` set to `home` and extra environment `env`.
    /// `None` when tmux is missing: the caller returns, the test skipped.
    pub fn start(
        width: u16,
        height: u16,
        home: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                !support::required(REQUIRE_TMUX),
                "tmux is required for the end-to-end terminal tests ({REQUIRE_TMUX}=1): apt-get install tmux"
            );
            support::skipped("no tmux");
            return None;
        }
        let socket = format!(
            "ado-entra-it-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let status_file = home.join(format!("exit-status-{socket}"));
        // A wrapper shell waits for the program and records its exit status, so
        // the test does not depend on when tmux reaps the pane's process; it
        // then stays, keeping the terminal alive to inspect (the cursor, the
        // line settings) as a person would find it after the program left.
        let mut cmd = vec![
            "sh".to_string(),
            "-c".to_string(),
            format!("\"$@\"; echo $? > '{}'; sleep 60", status_file.display()),
            "sh".to_string(),
            "env".to_string(),
            format!("ADO_ENTRA_HOME={}", home.display()),
            "TERM=xterm-256color".to_string(),
        ];
        cmd.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        cmd.push(env!("CARGO_BIN_EXE_ado-entra").to_string());
        cmd.extend(args.iter().map(|a| a.to_string()));
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .args(&cmd)
            .args([";", "set-option", "-t", "t", "remain-on-exit", "on"])
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Some(Self {
            socket,
            status_file,
        })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The visible screen, one line per row.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Send keys in tmux's notation (`q`, `Enter`, `C-c`, `Down`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Wait until the screen shows `text`, however the columns are spaced
    /// (runs of blanks match any run of blanks); panic with the screen if it
    /// never does.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let want = squeeze(text);
        loop {
            let screen = self.screen();
            if squeeze(&screen).contains(&want) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `text` is no longer on screen (spaced as in [`Tmux::wait_for`]).
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let gone = squeeze(text);
        while squeeze(&self.screen()).contains(&gone) {
            if Instant::now() > deadline {
                panic!("{text:?} never went away; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A tmux format for the pane (`#{alternate_on}`, `#{pane_tty}`…).
    pub fn pane(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", format])
            .trim()
            .to_string()
    }

    /// Send `signal` (`TERM`, `HUP`, `INT`) to the program itself, as `kill`
    /// would from another terminal (not a key typed into it).
    pub fn signal(&self, signal: &str) {
        let shell: u32 = self.pane("#{pane_pid}").parse().expect("pane pid");
        // The wrapper shell's child is the program (env execs it).
        let child = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|st| {
                        // pid (comm) state ppid …; comm may hold spaces.
                        let rest = &st[st.rfind(')')? + 2..];
                        rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                    })
                    == Some(shell)
            })
            .expect("the program's process");
        let status = Command::new("kill")
            .args(["-s", signal, &child.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {signal} {child}");
    }

    /// The terminal's line settings (`stty -a`), to see raw mode is off.
    pub fn stty(&self) -> String {
        let tty = self.pane("#{pane_tty}");
        let out = Command::new("stty")
            .args(["-a", "-F", &tty])
            .output()
            .expect("run stty");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait for the program to exit; returns its exit status.
    pub fn wait_exit(&self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.status_file)
                && let Ok(code) = text.trim().parse()
            {
                return code;
            }
            if Instant::now() > deadline {
                panic!("program did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
