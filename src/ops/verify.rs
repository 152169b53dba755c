//! Verification: probe the organization with the current sign-in and
//! classify what was seen ([`crate::domain::verify::classify`]): works, wrong
//! sign-in, the owner locked out, no access for this identity, no such
//! organization.

use std::path::Path;

pub mod deep;

use serde::Serialize;

use super::change::backing;
use crate::client::auth::SignInMethod;
use crate::client::{ClientError, Clients};
use crate::domain::directory::Backing;
use crate::domain::verify::{Access, Seen, SignedIn, classify};

/// One probe of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// What was probed (`directory`, `profile`, `projects`, `repositories`).
    pub what: String,
    /// Whether it answered.
    pub ok: bool,
    /// What it answered.
    pub detail: String,
}

/// The first refusal or error a probe met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeError {
    /// The message.
    pub message: String,
    /// TF/VS/AADSTS code, when known.
    pub code: Option<String>,
    /// The service's request id, for a support ticket.
    pub request_id: Option<String>,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
}

impl ProbeError {
    fn of(e: &ClientError) -> Self {
        Self {
            message: e.to_string(),
            code: e.code().map(str::to_string),
            request_id: e.request_id().map(str::to_string),
            status: e.status(),
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The organization.
    pub org: String,
    /// Who is signed in.
    pub signed_in: SignedIn,
    /// What the organization uses (`None`: missing or not said).
    pub backing: Option<Backing>,
    /// Each probe.
    pub probes: Vec<Probe>,
    /// The verdict.
    pub access: Access,
    /// The owner's address, when known (from Azure or the last change's journal).
    pub owner: Option<String>,
    /// The first refusal or error.
    pub error: Option<ProbeError>,
    /// With `--deep`: what the change may have broken, tried one by one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deep: Vec<deep::DeepProbe>,
}

impl Verification {
    /// The organization answers.
    pub fn ok(&self) -> bool {
        self.access == Access::Works
    }
}

/// Who the current sign-in is.
pub async fn signed_in(c: &Clients) -> Option<SignedIn> {
    if c.tokens.method().await == Some(SignInMethod::Pat) {
        return Some(SignedIn::Pat);
    }
    let claims = c.tokens.snapshot().await?.claims()?;
    Some(SignedIn::from_claims(
        claims.tid.as_deref().unwrap_or_default(),
        claims.username().unwrap_or_default(),
    ))
}

/// Is the org refusing who we are (as opposed to failing)?
fn refusal(e: &ClientError) -> bool {
    e.is_auth() || matches!(e.status(), Some(401 | 403))
}

/// Probe `org` as `who` and classify the result.
pub async fn verify(c: &Clients, org: &str, who: SignedIn, journal_dir: &Path) -> Verification {
    let mut probes = Vec::new();
    let mut seen = Seen::default();
    let mut error: Option<ProbeError> = None;
    let backing = match backing(c, org).await {
        Ok(b) => {
            probes.push(Probe {
                what: "directory".into(),
                ok: true,
                detail: b.label(),
            });
            Some(b)
        }
        Err(super::change::ChangeError::Client(ClientError::NoSuchOrganization { .. })) => {
            seen.missing = true;
            probes.push(Probe {
                what: "directory".into(),
                ok: false,
                detail: format!("no organization named '{org}'"),
            });
            None
        }
        Err(e) => {
            probes.push(Probe {
                what: "directory".into(),
                ok: false,
                detail: e.to_string(),
            });
            if let Some(ce) = e.client() {
                error = Some(ProbeError::of(ce));
            }
            None
        }
    };
    if !seen.missing {
        let profile = c.ado.profile().await;
        seen.profile_ok = profile.is_ok();
        probes.push(Probe {
            what: "profile".into(),
            ok: profile.is_ok(),
            detail: match &profile {
                Ok(_) => "answers".into(),
                Err(e) => e.to_string(),
            },
        });
        let projects = c.ado.projects(org).await.map(|l| l.len());
        let repos = match &projects {
            Ok(_) => Some(c.ado.repositories(org).await.map(|l| l.len())),
            Err(_) => None,
        };
        let mut all_ok = backing.is_some();
        for (what, r) in [("projects", Some(projects)), ("repositories", repos)] {
            let Some(r) = r else { continue };
            match r {
                Ok(n) => probes.push(Probe {
                    what: what.into(),
                    ok: true,
                    detail: format!("{n} reachable"),
                }),
                Err(e) => {
                    all_ok = false;
                    seen.refused |= refusal(&e);
                    probes.push(Probe {
                        what: what.into(),
                        ok: false,
                        detail: e.to_string(),
                    });
                    error.get_or_insert_with(|| ProbeError::of(&e));
                }
            }
        }
        seen.all_ok = all_ok;
    }
    let owner = match (&seen, &backing) {
        (s, Some(Backing::Tenant { directory })) if s.refused => {
            match last_known_owner(journal_dir, org) {
                Some(o) => Some(o),
                // Refused by the organization, the tenant's catalog of its
                // organizations still names the owner.
                None => c
                    .ado
                    .enterprise_catalog(directory.id.as_str())
                    .await
                    .ok()
                    .and_then(|list| {
                        list.into_iter()
                            .find(|o| o.name.eq_ignore_ascii_case(org))
                            .map(|o| o.owner)
                            .filter(|o| !o.trim().is_empty())
                    }),
            }
        }
        (s, Some(_)) if s.refused => last_known_owner(journal_dir, org),
        (s, Some(_)) if s.all_ok => c
            .ado
            .owner(org)
            .await
            .ok()
            .and_then(|o| o.email)
            .or_else(|| last_known_owner(journal_dir, org)),
        _ => None,
    };
    let is_owner = match (&owner, who.address()) {
        (Some(o), Some(_)) => Some(who.is(o)),
        _ => None,
    };
    let access = classify(backing.as_ref(), &who, &seen, is_owner);
    Verification {
        org: org.to_string(),
        signed_in: who,
        backing,
        probes,
        access,
        owner,
        error,
        deep: Vec::new(),
    }
}

/// The owner recorded by the newest change journal of `org`, if any: the
/// owner cannot be read from an organization that refuses the caller.
pub fn last_known_owner(journal_dir: &Path, org: &str) -> Option<String> {
    let (_, r) = super::change::newest_change_journal(journal_dir, org)?;
    r.plan["owner"].as_str().map(str::to_string)
}
