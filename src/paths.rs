//! Where ado-entra keeps its state (token cache, journals, logs) and how it
//! writes there safely.
//!
//! The directory comes from the platform's conventions (`directories`), and the
//! environment variable `ADO_ENTRA_HOME` overrides it (tests point it at a temp dir).
//!
//! Every file that may hold a secret or names people is written the same way:
//! never through a symbolic link (refused with a clear error), created 0600 in
//! a temporary file beside the target and renamed over it (a reader sees the
//! old file or the new one, never half of one), in a directory that is 0700.
//! A state directory found readable by the group or by others is tightened
//! back to 0700, and the caller is told so it can say so.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Environment variable that overrides the state directory.
pub const HOME_ENV: &str = "ADO_ENTRA_HOME";

/// Resolved locations of everything ado-entra writes to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatePaths {
    root: PathBuf,
    /// The root came from [`HOME_ENV`] (named in errors about it).
    from_env: bool,
}

impl StatePaths {
    /// Resolve from `ADO_ENTRA_HOME`, else the platform data directory.
    pub fn resolve() -> Result<Self, PathError> {
        match std::env::var_os(HOME_ENV) {
            Some(v) if !v.is_empty() => Ok(Self {
                root: PathBuf::from(v),
                from_env: true,
            }),
            _ => directories::ProjectDirs::from("dev", "ado-entra", "ado-entra")
                .map(|d| Self::at(d.data_local_dir().to_path_buf()))
                .ok_or(PathError::NoHome),
        }
    }

    /// Use an explicit root (tests, `--home`).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            from_env: false,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn token_cache(&self) -> PathBuf {
        self.root.join("tokens.json")
    }
    pub fn journal_dir(&self) -> PathBuf {
        self.root.join("journal")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    /// Per-organization lock files (one change at a time, across processes).
    pub fn lock_dir(&self) -> PathBuf {
        self.root.join("locks")
    }

    /// Create the root and its sub-directories owner-only (0700), tightening
    /// any found readable by others. Returns one notice per directory that was
    /// tightened, for the caller to show. An unwritable root is named as such
    /// (and as `ADO_ENTRA_HOME` when it came from there).
    pub fn ensure(&self) -> io::Result<Vec<String>> {
        let mut notices = Vec::new();
        for dir in [self.root.clone(), self.journal_dir(), self.log_dir()] {
            match ensure_private_dir(&dir) {
                Ok(Some(n)) => notices.push(n),
                Ok(None) => {}
                Err(e) => return Err(self.name_root_error(&dir, e)),
            }
        }
        Ok(notices)
    }

    fn name_root_error(&self, dir: &Path, e: io::Error) -> io::Error {
        use io::ErrorKind::{NotADirectory, NotFound, PermissionDenied, ReadOnlyFilesystem};
        if !matches!(
            e.kind(),
            PermissionDenied | ReadOnlyFilesystem | NotADirectory | NotFound
        ) {
            return e;
        }
        let what = if self.from_env {
            format!("{HOME_ENV}={}", self.root.display())
        } else {
            format!("the state directory {}", self.root.display())
        };
        io::Error::new(
            e.kind(),
            format!(
                "{what} is not writable ({} at {}). Next step: point {HOME_ENV} at a directory you can write, e.g. `export {HOME_ENV}=$HOME/.ado-entra`",
                e,
                dir.display()
            ),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error(
        "cannot find a home directory for ado-entra's state; set {HOME_ENV} to a writable directory"
    )]
    NoHome,
}

/// The error for a path that is a symbolic link where ado-entra writes or
/// reads a private file.
fn symlink_refused(path: &Path) -> io::Error {
    let target = std::fs::read_link(path)
        .map(|t| format!(" (it points to {})", t.display()))
        .unwrap_or_default();
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "refusing to use {}: it is a symbolic link{target}, and ado-entra never reads or writes credentials through a link. Next step: remove the link (`rm {}`) and run the command again",
            path.display(),
            path.display()
        ),
    )
}

/// Refuse `path` when it is a symbolic link (a missing path is fine).
pub fn refuse_symlink(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(symlink_refused(path)),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Create a directory (and parents) readable by its owner only (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    ensure_private_dir(dir).map(|_| ())
}

/// Create `dir` owner-only (0700), or tighten an existing one that the group
/// or others can read or enter. Returns a notice when it tightened one. A
/// shared directory (sticky bit, like /tmp) is refused rather than changed.
pub fn ensure_private_dir(dir: &Path) -> io::Result<Option<String>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)?;
                return Ok(None);
            }
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        // The root may legitimately be a link to a directory (ADO_ENTRA_HOME
        // pointing at one); its target's mode is what counts.
        let meta = std::fs::metadata(dir)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a directory. Next step: move it away or point {HOME_ENV} elsewhere",
                    dir.display()
                ),
            ));
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 == 0 {
            return Ok(None);
        }
        if mode & 0o1000 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} is a shared directory (mode {mode:04o}) and cannot hold credentials. Next step: point {HOME_ENV} at a directory of your own",
                    dir.display()
                ),
            ));
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "{} is readable by other users (mode {mode:04o}) and could not be made private: {e}. Next step: `chmod 700 {}`, or point {HOME_ENV} at a directory of your own",
                    dir.display(),
                    dir.display()
                ),
            )
        })?;
        let notice = format!(
            "{} was readable by other users (mode {:04o}); it is now 0700",
            dir.display(),
            mode
        );
        tracing::warn!("{notice}");
        Ok(Some(notice))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)?;
        Ok(None)
    }
}

fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts
}

/// Map the error of opening a link with `O_NOFOLLOW` to the clear refusal.
fn nofollow_error(path: &Path, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return symlink_refused(path);
    }
    let _ = path;
    e
}

/// Open `path` with `opts` plus 0600 and no link-following (a link is
/// refused with the command to remove it), forcing 0600 on a file that
/// existed with another mode.
pub fn open_private(path: &Path, opts: &mut std::fs::OpenOptions) -> io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = opts.open(path).map_err(|e| nofollow_error(path, e))?;
    #[cfg(unix)]
    {
        // A pre-existing file keeps its old mode through open(); force it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Create (or truncate) a file readable and writable by its owner only (0600
/// on Unix), for a file written in pieces (a journal). A symbolic link at
/// `path` is refused.
pub fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    refuse_symlink(path)?;
    open_private(
        path,
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true),
    )
}

/// Open a private file for appending (created 0600), never through a link.
pub fn append_private_file(path: &Path) -> io::Result<std::fs::File> {
    open_private(path, std::fs::OpenOptions::new().append(true).create(true))
}

/// Replace `path` with `bytes` atomically and privately: a symbolic link at
/// `path` is refused; the bytes go to a new 0600 temporary file in the same
/// directory, are synced, and the file is renamed over `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    refuse_symlink(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.{}.{:08x}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        // create_new (O_EXCL) never follows or reuses anything already there.
        match private_options().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Read a private file, never through a link; `Ok(None)` when it is absent.
pub fn read_private(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = match private_options().read(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(nofollow_error(path, e)),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// A log writer that appends to `{dir}/{prefix}.YYYY-MM-DD`, a new 0600 file
/// each day (what `tracing_appender`'s daily roller names them, without its
/// default file mode, which lets other users read the logs).
#[derive(Debug)]
pub struct PrivateDailyLog {
    dir: PathBuf,
    prefix: String,
    open: Option<(chrono::NaiveDate, std::fs::File)>,
}

impl PrivateDailyLog {
    pub fn new(dir: impl Into<PathBuf>, prefix: &str) -> Self {
        Self {
            dir: dir.into(),
            prefix: prefix.to_string(),
            open: None,
        }
    }

    fn file(&mut self) -> io::Result<&mut std::fs::File> {
        let today = chrono::Utc::now().date_naive();
        if self.open.as_ref().is_none_or(|(d, _)| *d != today) {
            let path = self
                .dir
                .join(format!("{}.{}", self.prefix, today.format("%Y-%m-%d")));
            self.open = Some((today, append_private_file(&path)?));
        }
        Ok(&mut self.open.as_mut().expect("opened above").1)
    }
}

impl Write for PrivateDailyLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.open.as_mut() {
            Some((_, f)) => f.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_root_derives_all_paths() {
        let p = StatePaths::at("/x/y");
        assert_eq!(p.token_cache(), PathBuf::from("/x/y/tokens.json"));
        assert_eq!(p.journal_dir(), PathBuf::from("/x/y/journal"));
        assert_eq!(p.log_dir(), PathBuf::from("/x/y/logs"));
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn private_file_is_0600_even_if_it_existed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret");
        std::fs::write(&f, "x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(create_private_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
        write_private(&f, b"y").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"y");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_for_writes_and_reads_and_the_target_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.path().join("tokens.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for e in [
            write_private(&link, b"secret").unwrap_err(),
            create_private_file(&link).unwrap_err(),
            read_private(&link).unwrap_err(),
            append_private_file(&link).unwrap_err(),
        ] {
            let s = e.to_string();
            assert!(s.contains("symbolic link") && s.contains("rm "), "{s}");
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        // A dangling link is refused too (it would create the target).
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_private(&dangling, b"x").is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("tokens.json");
        write_private(&f, b"one").unwrap();
        write_private(&f, b"two").unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["tokens.json".to_string()]);
        assert_eq!(read_private(&f).unwrap().unwrap(), b"two");
        assert_eq!(read_private(&dir.path().join("absent")).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn open_state_directories_are_tightened_and_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("state");
        let paths = StatePaths::at(&root);
        assert!(paths.ensure().unwrap().is_empty());
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&paths.log_dir()), 0o700);
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(paths.journal_dir(), std::fs::Permissions::from_mode(0o750))
            .unwrap();
        let notices = paths.ensure().unwrap();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("0755") && notices[0].contains("0700"));
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&paths.journal_dir()), 0o700);
        // A shared directory is refused, not changed.
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let e = ensure_private_dir(&shared).unwrap_err();
        assert!(e.to_string().contains("shared directory"), "{e}");
        assert_eq!(mode(&shared), 0o1777);
    }

    #[cfg(unix)]
    #[test]
    fn daily_log_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = PrivateDailyLog::new(dir.path(), "ado-entra.log");
        log.write_all(b"line\n").unwrap();
        log.flush().unwrap();
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert!(
            files[0]
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ado-entra.log.")
        );
        assert_eq!(mode(&files[0]), 0o600);
    }
}
