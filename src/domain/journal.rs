//! The journal: every change ado-entra makes is written down before and after.
//!
//! One operation (a connect, a disconnect, a Resolve apply) is one file of JSON
//! lines under the state directory's `journal/`. Before each call that changes
//! something we append an **intent** record and fsync; after it, an **outcome**
//! record. After a crash or Ctrl-C, [`replay`] rebuilds what happened:
//!
//! - a step with an intent and a successful outcome is **done** and is never repeated;
//! - a step with an intent but no outcome is **in doubt**: the call may or may not
//!   have landed, so the caller must check the server's state before retrying;
//! - a step with a failed outcome may be retried.
//!
//! A torn last line (the process died mid-write) is ignored and reported, never
//! fatal: everything before it is intact because each record was synced.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a journal file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// First line: what the operation is and the plan it carries out.
    Begin {
        /// Operation name (`connect`, `resolve`, ...).
        op: String,
        /// Organization name.
        org: String,
        /// When it started.
        at: DateTime<Utc>,
        /// The plan as the user confirmed it (steps in order), free-form per operation.
        plan: serde_json::Value,
    },
    /// About to make the call identified by `step` (e.g. `connect`, `remap:msa.xxx`).
    Intent {
        /// Step id, unique within the operation.
        step: String,
        /// When.
        at: DateTime<Utc>,
        /// What the call will send (no secrets).
        #[serde(default)]
        detail: serde_json::Value,
    },
    /// What the call did.
    Outcome {
        /// Step id.
        step: String,
        /// When.
        at: DateTime<Utc>,
        /// Whether the call succeeded.
        ok: bool,
        /// The error, when it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The step was found already in place on the server (a resumed in-doubt step).
    Verified {
        /// Step id.
        step: String,
        /// When.
        at: DateTime<Utc>,
        /// Whether the server shows the change in place.
        landed: bool,
    },
    /// Last line of a finished operation.
    End {
        /// When.
        at: DateTime<Utc>,
        /// One line for the user.
        summary: String,
    },
}

/// Where a step stands after replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Succeeded (or verified as landed): never repeat.
    Done,
    /// Intent written, no outcome: check the server before retrying.
    InDoubt,
    /// Failed last time (with the error): may be retried.
    Failed(String),
}

/// What a journal says happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// Operation name.
    pub op: String,
    /// Organization name.
    pub org: String,
    /// When the operation began.
    pub started: DateTime<Utc>,
    /// The plan recorded at the start.
    pub plan: serde_json::Value,
    /// Steps in the order they were first attempted.
    pub steps: Vec<(String, StepStatus)>,
    /// An end record was written.
    pub finished: bool,
    /// 1-based line numbers that could not be read (a torn last write, or damage).
    pub unreadable_lines: Vec<usize>,
}

impl Replay {
    /// Where `step` stands, if it was ever attempted.
    pub fn status(&self, step: &str) -> Option<&StepStatus> {
        self.steps.iter().find(|(s, _)| s == step).map(|(_, st)| st)
    }
    /// `step` landed: never repeat it.
    pub fn is_done(&self, step: &str) -> bool {
        self.status(step) == Some(&StepStatus::Done)
    }
    /// Steps whose outcome is unknown: verify against the server first.
    pub fn in_doubt(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .filter(|(_, s)| *s == StepStatus::InDoubt)
            .map(|(s, _)| s.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
/// Why a journal could not be read or written.
pub enum JournalError {
    /// Reading or writing failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not a journal.
    #[error("journal {path} is empty or does not start with a begin record")]
    NoBegin {
        /// The file.
        path: PathBuf,
    },
    /// A damaged line that is not the last one.
    #[error("journal {path} line {line}: {problem}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
}

/// Rebuild the state of an operation from its records. Pure.
pub fn replay_records(records: &[Record], unreadable_lines: Vec<usize>) -> Option<Replay> {
    let (op, org, started, plan) = match records.first()? {
        Record::Begin { op, org, at, plan } => (op.clone(), org.clone(), *at, plan.clone()),
        _ => return None,
    };
    let mut order: Vec<String> = Vec::new();
    let mut state: BTreeMap<String, StepStatus> = BTreeMap::new();
    let mut finished = false;
    for r in &records[1..] {
        match r {
            Record::Intent { step, .. } => {
                if !state.contains_key(step) {
                    order.push(step.clone());
                }
                // A new intent after a failure is a retry; after Done it would be a bug
                // in the caller, and Done must win so nothing is repeated twice.
                if state.get(step) != Some(&StepStatus::Done) {
                    state.insert(step.clone(), StepStatus::InDoubt);
                }
            }
            Record::Outcome {
                step, ok, error, ..
            } => {
                if !state.contains_key(step) {
                    order.push(step.clone());
                }
                let st = if *ok {
                    StepStatus::Done
                } else {
                    StepStatus::Failed(error.clone().unwrap_or_else(|| "failed".into()))
                };
                if state.get(step) != Some(&StepStatus::Done) {
                    state.insert(step.clone(), st);
                }
            }
            Record::Verified { step, landed, .. } => {
                if !state.contains_key(step) {
                    order.push(step.clone());
                }
                if *landed {
                    state.insert(step.clone(), StepStatus::Done);
                } else if state.get(step) == Some(&StepStatus::InDoubt) {
                    state.insert(step.clone(), StepStatus::Failed("did not land".into()));
                }
            }
            Record::End { .. } => finished = true,
            Record::Begin { .. } => {}
        }
    }
    let steps = order
        .into_iter()
        .map(|s| {
            let st = state.remove(&s).unwrap_or(StepStatus::InDoubt);
            (s, st)
        })
        .collect();
    Some(Replay {
        op,
        org,
        started,
        plan,
        steps,
        finished,
        unreadable_lines,
    })
}

/// Read and replay a journal file. A torn final line is tolerated; damage in the
/// middle of the file is reported as corruption (we will not guess around it).
pub fn read(path: &Path) -> Result<Replay, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(io)?;
    let mut records = Vec::new();
    let mut unreadable = Vec::new();
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => records.push(r),
            Err(_) if Some(i) == last => unreadable.push(i + 1),
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line: i + 1,
                    problem: e.to_string(),
                });
            }
        }
    }
    replay_records(&records, unreadable).ok_or_else(|| JournalError::NoBegin {
        path: path.to_path_buf(),
    })
}

/// Appends records to one operation's journal, syncing each to disk.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    file: File,
}

impl JournalWriter {
    /// Start a new operation journal in `dir` (created 0700; the file 0600).
    pub fn create(
        dir: &Path,
        op: &str,
        org: &str,
        plan: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: dir.to_path_buf(),
            source,
        };
        crate::paths::create_private_dir(dir).map_err(io)?;
        let name = format!(
            "{}-{}-{}.jsonl",
            now.format("%Y%m%dT%H%M%S%.3fZ"),
            sanitize(op),
            sanitize(org)
        );
        let path = dir.join(name);
        let file = crate::paths::create_private_file(&path).map_err(io)?;
        let mut w = Self { path, file };
        w.append(&Record::Begin {
            op: op.to_string(),
            org: org.to_string(),
            at: now,
            plan,
        })?;
        Ok(w)
    }

    /// Continue an existing journal (resume): appends after what is there. A torn
    /// final fragment (a write cut off by a crash, never synced whole) is cut away
    /// first so the next record starts on its own line.
    pub fn reopen(path: &Path) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        let bytes = std::fs::read(path).map_err(io)?;
        let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io)?;
        if keep < bytes.len() {
            file.set_len(keep as u64).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record and sync it to disk before returning.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_string(record).map_err(|e| JournalError::Corrupt {
            path: self.path.clone(),
            line: 0,
            problem: e.to_string(),
        })?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|source| JournalError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// Record that `step` is about to be attempted (synced before returning).
    pub fn intent(
        &mut self,
        step: &str,
        detail: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.append(&Record::Intent {
            step: step.into(),
            at: now,
            detail,
        })
    }

    /// Record how `step` ended (synced before returning).
    pub fn outcome(
        &mut self,
        step: &str,
        result: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let (ok, error) = match result {
            Ok(()) => (true, None),
            Err(e) => (false, Some(e)),
        };
        self.append(&Record::Outcome {
            step: step.into(),
            at: now,
            ok,
            error,
        })
    }
}

/// The first answer `f` gives for the journals in `dir` (each file's path
/// and what it recorded), newest first; journals that cannot be read are
/// passed over.
pub fn newest<T>(dir: &Path, mut f: impl FnMut(PathBuf, Replay) -> Option<T>) -> Option<T> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    // Names start with a sortable UTC timestamp: newest last.
    paths.sort();
    paths
        .into_iter()
        .rev()
        .find_map(|p| read(&p).ok().and_then(|r| f(p, r)))
}

/// The newest unfinished journal for `op` on `org` in `dir`, if any (for `--resume`).
pub fn latest_unfinished(
    dir: &Path,
    op: &str,
    org: &str,
) -> Result<Option<(PathBuf, Replay)>, JournalError> {
    latest_unfinished_of(dir, &[op], org)
}

/// The newest unfinished journal of any of `ops` on `org` in `dir`, if any.
pub fn latest_unfinished_of(
    dir: &Path,
    ops: &[&str],
    org: &str,
) -> Result<Option<(PathBuf, Replay)>, JournalError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(JournalError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    // Names start with a sortable UTC timestamp: newest last.
    paths.sort();
    for p in paths.into_iter().rev() {
        let r = read(&p)?;
        if ops.contains(&r.op.as_str()) && r.org.eq_ignore_ascii_case(org) && !r.finished {
            return Ok(Some((p, r)));
        }
    }
    Ok(None)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn replay_classifies_done_in_doubt_and_failed() {
        let recs = vec![
            Record::Begin {
                op: "resolve".into(),
                org: "fabrikam".into(),
                at: t(0),
                plan: json!(["a", "b", "c"]),
            },
            Record::Intent {
                step: "a".into(),
                at: t(1),
                detail: json!({}),
            },
            Record::Outcome {
                step: "a".into(),
                at: t(2),
                ok: true,
                error: None,
            },
            Record::Intent {
                step: "b".into(),
                at: t(3),
                detail: json!({}),
            },
            Record::Outcome {
                step: "b".into(),
                at: t(4),
                ok: false,
                error: Some("429".into()),
            },
            Record::Intent {
                step: "c".into(),
                at: t(5),
                detail: json!({}),
            },
        ];
        let r = replay_records(&recs, vec![]).unwrap();
        assert_eq!(
            r.steps,
            vec![
                ("a".into(), StepStatus::Done),
                ("b".into(), StepStatus::Failed("429".into())),
                ("c".into(), StepStatus::InDoubt),
            ]
        );
        assert!(!r.finished);
        assert_eq!(r.in_doubt().collect::<Vec<_>>(), vec!["c"]);
    }

    #[test]
    fn done_is_sticky_and_verification_settles_doubt() {
        let recs = vec![
            Record::Begin {
                op: "x".into(),
                org: "o".into(),
                at: t(0),
                plan: json!(null),
            },
            Record::Intent {
                step: "a".into(),
                at: t(1),
                detail: json!(null),
            },
            Record::Outcome {
                step: "a".into(),
                at: t(2),
                ok: true,
                error: None,
            },
            // A buggy retry must not un-do "done".
            Record::Intent {
                step: "a".into(),
                at: t(3),
                detail: json!(null),
            },
            Record::Intent {
                step: "b".into(),
                at: t(4),
                detail: json!(null),
            },
            Record::Verified {
                step: "b".into(),
                at: t(5),
                landed: true,
            },
            Record::Intent {
                step: "c".into(),
                at: t(6),
                detail: json!(null),
            },
            Record::Verified {
                step: "c".into(),
                at: t(7),
                landed: false,
            },
            Record::End {
                at: t(8),
                summary: "ok".into(),
            },
        ];
        let r = replay_records(&recs, vec![]).unwrap();
        assert!(r.is_done("a"));
        assert!(r.is_done("b"));
        assert_eq!(
            r.status("c"),
            Some(&StepStatus::Failed("did not land".into()))
        );
        assert!(r.finished);
    }

    #[test]
    fn no_begin_means_no_replay() {
        assert!(replay_records(&[], vec![]).is_none());
        let recs = vec![Record::End {
            at: t(0),
            summary: String::new(),
        }];
        assert!(replay_records(&recs, vec![]).is_none());
    }

    #[test]
    fn file_round_trip_is_private_and_survives_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let jdir = dir.path().join("journal");
        let mut w =
            JournalWriter::create(&jdir, "connect", "Fabrikam", json!({"tenant": "t"}), t(0))
                .unwrap();
        w.intent("connect", json!({"tenant": "t"}), t(1)).unwrap();
        let path = w.path().to_path_buf();
        drop(w);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Simulate a crash in the middle of writing the outcome.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(br#"{"kind":"outcome","step":"conn"#).unwrap();
        drop(f);
        let r = read(&path).unwrap();
        assert_eq!(r.status("connect"), Some(&StepStatus::InDoubt));
        assert_eq!(r.unreadable_lines, vec![3]);

        // Resume finds it (case-insensitive org), appends, and then it is finished.
        let (p, _) = latest_unfinished(&jdir, "connect", "fabrikam")
            .unwrap()
            .unwrap();
        assert_eq!(p, path);
        let mut w = JournalWriter::reopen(&p).unwrap();
        w.append(&Record::Verified {
            step: "connect".into(),
            at: t(2),
            landed: true,
        })
        .unwrap();
        w.append(&Record::End {
            at: t(3),
            summary: "connected".into(),
        })
        .unwrap();
        let r = read(&path).unwrap();
        assert!(r.is_done("connect"));
        assert!(r.finished);
        assert!(r.unreadable_lines.is_empty());
        assert!(
            latest_unfinished(&jdir, "connect", "fabrikam")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn damage_in_the_middle_is_reported_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.jsonl");
        let begin = serde_json::to_string(&Record::Begin {
            op: "x".into(),
            org: "o".into(),
            at: t(0),
            plan: json!(null),
        })
        .unwrap();
        let end = serde_json::to_string(&Record::End {
            at: t(1),
            summary: String::new(),
        })
        .unwrap();
        std::fs::write(&p, format!("{begin}\nnot json\n{end}\n")).unwrap();
        match read(&p) {
            Err(JournalError::Corrupt { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected corruption at line 2, got {other:?}"),
        }
    }

    #[test]
    fn missing_directory_has_nothing_to_resume() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            latest_unfinished(&dir.path().join("nope"), "connect", "o")
                .unwrap()
                .is_none()
        );
    }
}
