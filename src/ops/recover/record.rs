//! What a recovery remembers between runs (`recover-{org}.json` in the
//! state directory, private): every identity the person signed in with (so
//! a personal account and a work account can be tried one after the other),
//! what was read about the organization, the invitation sent, what was
//! tried and the services' answers (request ids for support). No secrets:
//! the tokens stay in the token cache.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::recover::{Identity, InTenant, Invitation, Owner, Tenant, Tried, WhoCanHelp};
use crate::paths::StatePaths;

/// How many service answers are kept (newest last).
const MAX_PROBES: usize = 40;

/// The remembered recovery of one organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    pub org: String,
    pub org_id: Option<String>,
    pub tenant: Option<Tenant>,
    pub owner: Option<Owner>,
    pub owner_in_tenant: Option<InTenant>,
    pub identities: Vec<Identity>,
    pub who_can_help: Option<WhoCanHelp>,
    pub invitation: Option<Invitation>,
    pub tried: Vec<Tried>,
    /// One line per refusal or error the services answered.
    pub probes: Vec<String>,
}

/// Where `org`'s record lives.
pub fn path(paths: &StatePaths, org: &str) -> PathBuf {
    paths
        .root()
        .join(format!("recover-{}.json", org.to_ascii_lowercase()))
}

/// The record of `org` (empty when there is none, or it cannot be read: a
/// recovery must never stop on its own notes).
pub fn load(paths: &StatePaths, org: &str) -> Record {
    let read = crate::paths::read_private(&path(paths, org))
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice::<Record>(&b).ok());
    let mut r = read.unwrap_or_default();
    r.org = org.to_string();
    for i in &mut r.identities {
        i.current = false;
    }
    r
}

/// Save the record (0600, never through a link).
pub fn save(paths: &StatePaths, r: &Record) -> Result<(), String> {
    let p = path(paths, &r.org);
    let bytes = serde_json::to_vec_pretty(r).map_err(|e| e.to_string())?;
    crate::paths::create_private_dir(paths.root())
        .and_then(|()| crate::paths::write_private(&p, &bytes))
        .map_err(|e| format!("cannot write {}: {e}", p.display()))
}

impl Record {
    /// Keep `id` as the current identity, replacing an earlier sighting of
    /// the same account.
    pub fn remember(&mut self, id: Identity) {
        for i in &mut self.identities {
            i.current = false;
        }
        self.identities
            .retain(|i| !(i.kind == id.kind && i.address.eq_ignore_ascii_case(&id.address)));
        self.identities.push(id);
    }

    /// Keep a service's answer (deduplicated, the newest [`MAX_PROBES`]).
    pub fn probe(&mut self, line: String) {
        if self.probes.contains(&line) {
            return;
        }
        self.probes.push(line);
        if self.probes.len() > MAX_PROBES {
            let cut = self.probes.len() - MAX_PROBES;
            self.probes.drain(..cut);
        }
    }
}
