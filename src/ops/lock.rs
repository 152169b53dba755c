//! One change at a time per organization, across processes.
//!
//! Any apply, resume or connect holds an exclusive lock on a file beside the
//! journals (`journal/{org}.lock`). The operating system holds the lock
//! (`flock` on Unix, `LockFileEx` on Windows) for as long as the file is
//! open, so a process that is killed releases it. A second process does not
//! wait: it refuses at once, naming the process that holds the lock (its pid,
//! command and start time are written into the file by the holder).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who holds a lock (written into the lock file by its holder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// What it is doing, e.g. `ado-entra connect --org fabrikam`.
    pub command: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("{}", held_message(org, holder.as_ref()))]
    Held {
        /// The organization.
        org: String,
        /// The holder, when it could be read.
        holder: Option<Holder>,
    },
    /// The lock file could not be opened.
    #[error("cannot open the lock file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn held_message(org: &str, holder: Option<&Holder>) -> String {
    let who = match holder {
        Some(h) => format!(
            "process {} (`{}`, since {})",
            h.pid,
            h.command,
            h.since.format("%H:%M:%S UTC")
        ),
        None => "another process".into(),
    };
    format!(
        "{who} is changing '{org}' right now; nothing was changed here. Wait for it to finish, \
         or if it was stopped, resume its work with the same command once it has exited."
    )
}

/// An exclusive lock on one organization; released when dropped (or when
/// the process dies).
#[derive(Debug)]
pub struct OrgLock {
    _file: File,
    org: String,
}

impl OrgLock {
    /// Take the lock for `org` in `dir` at once, or say who holds it.
    pub fn acquire(dir: &Path, org: &str, command: &str) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            path: dir.to_path_buf(),
            source,
        };
        crate::paths::create_private_dir(dir).map_err(io)?;
        let path = dir.join(format!("{}.lock", org.to_ascii_lowercase()));
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = open_lock_file(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(LockError::Held {
                    org: org.to_string(),
                    holder: serde_json::from_str(text.trim()).ok(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let holder = Holder {
            pid: std::process::id(),
            command: command.to_string(),
            since: Utc::now(),
        };
        let line = serde_json::to_string(&holder).unwrap_or_default();
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(line.as_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(io)?;
        Ok(Self {
            _file: file,
            org: org.to_string(),
        })
    }

    /// The organization this lock is for.
    pub fn org(&self) -> &str {
        &self.org
    }
}

/// Open (creating 0600) without following a symlink.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    crate::paths::open_private(
        path,
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_name_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first =
            OrgLock::acquire(dir.path(), "Fabrikam", "ado-entra connect --org fabrikam").unwrap();
        assert_eq!(first.org(), "Fabrikam");
        let err = OrgLock::acquire(dir.path(), "fabrikam", "ado-entra resolve").unwrap_err();
        let LockError::Held { holder, .. } = &err else {
            panic!("{err}")
        };
        let h = holder.as_ref().expect("the holder is named");
        assert_eq!(h.pid, std::process::id());
        assert_eq!(h.command, "ado-entra connect --org fabrikam");
        let msg = err.to_string();
        assert!(msg.contains("ado-entra connect --org fabrikam"), "{msg}");
        assert!(msg.contains("nothing was changed"), "{msg}");
        // Another organization is independent.
        let other = OrgLock::acquire(dir.path(), "contoso", "x").unwrap();
        drop(first);
        let again = OrgLock::acquire(dir.path(), "fabrikam", "ado-entra resolve").unwrap();
        drop((again, other));
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_file_is_private_and_never_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let lock = OrgLock::acquire(dir.path(), "org", "x").unwrap();
        let mode = std::fs::metadata(dir.path().join("org.lock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(lock);
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("evil.lock")).unwrap();
        assert!(matches!(
            OrgLock::acquire(dir.path(), "evil", "x"),
            Err(LockError::Io { .. })
        ));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}
