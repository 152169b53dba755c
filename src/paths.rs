//! Where ado-entra keeps its state: token cache, journals, logs.
//!
//! The directory comes from the platform's conventions (`directories`), and the
//! environment variable `ADO_ENTRA_HOME` overrides it (tests point it at a temp dir).

use std::path::{Path, PathBuf};

/// Environment variable that overrides the state directory.
pub const HOME_ENV: &str = "ADO_ENTRA_HOME";

/// Resolved locations of everything ado-entra writes to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatePaths {
    root: PathBuf,
}

impl StatePaths {
    /// Resolve from `ADO_ENTRA_HOME`, else the platform data directory.
    pub fn resolve() -> Result<Self, PathError> {
        match std::env::var_os(HOME_ENV) {
            Some(v) if !v.is_empty() => Ok(Self::at(PathBuf::from(v))),
            _ => directories::ProjectDirs::from("dev", "ado-entra", "ado-entra")
                .map(|d| Self::at(d.data_local_dir().to_path_buf()))
                .ok_or(PathError::NoHome),
        }
    }

    /// Use an explicit root (tests, `--home`).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
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

    /// Create the root (and sub-directories) with owner-only permissions.
    pub fn ensure(&self) -> std::io::Result<()> {
        for dir in [self.root.clone(), self.journal_dir(), self.log_dir()] {
            create_private_dir(&dir)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error(
        "cannot find a home directory for ado-entra's state; set {HOME_ENV} to a writable directory"
    )]
    NoHome,
}

/// Create a directory (and parents) readable by its owner only (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Create (or truncate) a file readable and writable by its owner only (0600 on Unix).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    #[cfg(unix)]
    {
        // A pre-existing file keeps its old mode through open(); force it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Write `bytes` to a new private file (0600): a plan or checklist names people.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = create_private_file(path)?;
    f.write_all(bytes)?;
    f.sync_all()
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
    #[test]
    fn private_file_is_0600_even_if_it_existed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret");
        std::fs::write(&f, "x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(create_private_file(&f).unwrap());
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
