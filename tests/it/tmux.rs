//! Drive the real binary in a detached tmux session and read its screen, as a
//! person would. Each session runs on its own tmux server socket so parallel
//! tests never see each other.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Tmux {
    socket: String,
    /// Where the wrapper shell writes the program's exit status.
    status_file: std::path::PathBuf,
}

impl Tmux {
    /// Start `args` of the ado-entra binary in a `width` x `height` terminal,
    /// with `ADO_ENTRA_HOME` set to `home` and extra environment `env`.
    pub fn start(
        width: u16,
        height: u16,
        home: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is required for the end-to-end terminal tests (apt-get install tmux)"
        );
        let socket = format!(
            "ado-entra-it-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let status_file = home.join(format!("exit-status-{socket}"));
        // A wrapper shell waits for the program and records its exit status, so
        // the test does not depend on when tmux reaps the pane's process.
        let mut cmd = vec![
            "sh".to_string(),
            "-c".to_string(),
            format!("\"$@\"; echo $? > '{}'", status_file.display()),
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
        Self {
            socket,
            status_file,
        }
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

    /// Wait until the screen contains `text`; panic with the screen if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `text` is no longer on screen.
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.screen().contains(text) {
            if Instant::now() > deadline {
                panic!("{text:?} never went away; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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
