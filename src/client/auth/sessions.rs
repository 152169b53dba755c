//! Directory sessions: a second sign-in kept for reading one directory.
//!
//! The identity that owns an organization of personal accounts is often a
//! personal Microsoft account with no object in the directory the
//! organization is moving to, so its refresh token cannot be used there
//! (Entra answers AADSTS50020). Reading that directory (who is in it, who
//! keeps access) then needs an account *of* it, usually the person's work
//! account, while the organization is still changed with the personal
//! account's Azure DevOps token. `ado-entra login --directory TENANT` keeps
//! that second sign-in in its own 0600 file beside the main one
//! (`tokens-<tenant id>.json`); it is only ever used for Microsoft Graph in
//! that tenant.

use std::path::{Path, PathBuf};

use super::cache::TokenCache;
use super::oauth::OAuthClient;
use super::provider::TokenProvider;
use crate::client::error::ClientError;
use crate::domain::directory::TenantId;

/// Where directory sessions are kept, and how they refresh.
#[derive(Clone, Debug, Default)]
pub struct DirectorySessions {
    root: Option<PathBuf>,
    oauth: Option<OAuthClient>,
}

impl DirectorySessions {
    /// Sessions kept in the state directory `root`, refreshed through `oauth`.
    pub fn new(root: &Path, oauth: OAuthClient) -> Self {
        Self {
            root: Some(root.to_path_buf()),
            oauth: Some(oauth),
        }
    }

    /// The file holding the session for `tenant` in the state directory `root`.
    pub fn path(root: &Path, tenant: &TenantId) -> PathBuf {
        root.join(format!("tokens-{tenant}.json"))
    }

    /// The session kept for `tenant`, if there is one for this login base.
    pub fn provider(&self, tenant: &TenantId) -> Result<Option<TokenProvider>, ClientError> {
        let (Some(root), Some(oauth)) = (&self.root, &self.oauth) else {
            return Ok(None);
        };
        let p = TokenProvider::load(Self::path(root, tenant), oauth.clone())?;
        Ok(p.has_cache().then_some(p))
    }

    /// Every session kept, by tenant (unreadable files are skipped).
    pub fn list(root: &Path) -> Vec<(TenantId, TokenCache)> {
        let Ok(dir) = std::fs::read_dir(root) else {
            return Vec::new();
        };
        let mut out: Vec<(TenantId, TokenCache)> = dir
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let id = name.strip_prefix("tokens-")?.strip_suffix(".json")?;
                let tenant = TenantId::parse(id)?;
                let cache = TokenCache::load(&e.path()).ok()??;
                Some((tenant, cache))
            })
            .collect();
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        out
    }

    /// Delete every session kept in `root`; how many there were.
    pub fn delete_all(root: &Path) -> std::io::Result<usize> {
        let mut n = 0;
        for (tenant, _) in Self::list(root) {
            if TokenCache::delete(&Self::path(root, &tenant))? {
                n += 1;
            }
        }
        Ok(n)
    }
}
