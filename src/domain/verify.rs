//! What a verification found: does the organization answer this sign-in,
//! and if not, why. One classification for `ado-entra verify`, the wizard's
//! Verify screen and every command that needs the organization to answer.
//!
//! The order matters. A sign-in in the wrong directory (or a personal
//! account on a connected organization) is told to sign in again, and
//! nothing else: the organization refusing such a token says nothing about
//! the owner. Only when the right identity is refused is it a lockout, and
//! only when that identity is the owner is recovery (which may mean
//! disconnecting) proposed.

use serde::{Deserialize, Serialize};

use super::directory::{Backing, TenantId};

pub use crate::azure::CONSUMERS_TENANT;

/// Who the current sign-in is, as far as access is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignedIn {
    /// A personal Microsoft account.
    Personal {
        /// The address signed in with.
        address: String,
    },
    /// A work or school account (or an application) of this tenant.
    Tenant {
        /// The address (UPN) or application name.
        address: String,
        /// The tenant the token was issued in.
        tenant: TenantId,
    },
    /// A personal access token: no directory to compare.
    Pat,
}

impl SignedIn {
    /// From a token's tenant id (`tid`) and username.
    pub fn from_claims(tid: &str, address: &str) -> Self {
        match TenantId::parse(tid) {
            Some(t) if t.as_str() != CONSUMERS_TENANT => SignedIn::Tenant {
                address: address.to_string(),
                tenant: t,
            },
            _ => SignedIn::Personal {
                address: address.to_string(),
            },
        }
    }

    /// The address signed in with, if any.
    pub fn address(&self) -> Option<&str> {
        match self {
            SignedIn::Personal { address } | SignedIn::Tenant { address, .. } => Some(address),
            SignedIn::Pat => None,
        }
    }

    /// Whether this sign-in is the person at `address`: by the address
    /// itself, or by a guest's `#EXT#` UPN made from it.
    pub fn is(&self, address: &str) -> bool {
        let want = super::text::normalize_key(address);
        self.address().is_some_and(|a| {
            super::text::normalize_key(a) == want
                || super::text::guest_home_address(a).is_some_and(|h| h == want)
        })
    }
}

/// What the probes saw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seen {
    /// The organization does not exist.
    pub missing: bool,
    /// The profile API answered this sign-in.
    pub profile_ok: bool,
    /// The organization refused this sign-in (401, 403, a sign-in page).
    pub refused: bool,
    /// Every organization probe answered.
    pub all_ok: bool,
}

/// The verdict on access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Access {
    /// The organization answers this sign-in.
    Works,
    /// Signed in as the wrong kind of identity or in the wrong directory:
    /// the fix is to sign in again, nothing else.
    WrongSignIn {
        /// The directory the organization needs (`None`: personal accounts).
        needs: Option<TenantId>,
    },
    /// The owner is refused while the profile still answers: the lockout
    /// after a connect. Recovery applies.
    OwnerLockedOut,
    /// This identity (not known to be the owner) has no access.
    NoAccess,
    /// No organization by that name.
    Missing,
    /// The probes neither prove access nor show a refusal (a service error).
    Unknown,
}

impl Access {
    /// Stable name (`works`, `wrong_sign_in`, …) for JSON and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Access::Works => "works",
            Access::WrongSignIn { .. } => "wrong_sign_in",
            Access::OwnerLockedOut => "owner_locked_out",
            Access::NoAccess => "no_access",
            Access::Missing => "missing",
            Access::Unknown => "unknown",
        }
    }

    /// The sign-in command that fixes a wrong sign-in.
    pub fn sign_in_command(&self) -> Option<String> {
        match self {
            Access::WrongSignIn { needs: Some(t) } => Some(format!("ado-entra login --tenant {t}")),
            Access::WrongSignIn { needs: None } => {
                Some("ado-entra login --tenant consumers".to_string())
            }
            _ => None,
        }
    }
}

/// Classify access to an organization backed by `backing` (`None` when the
/// probe could not tell), for `who`, from what the probes saw. `is_owner`
/// is whether `who` is the organization's owner, when that is known.
pub fn classify(
    backing: Option<&Backing>,
    who: &SignedIn,
    seen: &Seen,
    is_owner: Option<bool>,
) -> Access {
    if seen.missing {
        return Access::Missing;
    }
    match (backing, who) {
        (Some(Backing::Tenant { directory }), SignedIn::Personal { .. }) => {
            return Access::WrongSignIn {
                needs: Some(directory.id.clone()),
            };
        }
        (Some(Backing::Tenant { directory }), SignedIn::Tenant { tenant, .. })
            if *tenant != directory.id =>
        {
            return Access::WrongSignIn {
                needs: Some(directory.id.clone()),
            };
        }
        (Some(Backing::Personal), SignedIn::Tenant { .. }) => {
            return Access::WrongSignIn { needs: None };
        }
        _ => {}
    }
    if seen.all_ok && !seen.refused {
        return Access::Works;
    }
    if seen.refused {
        return match is_owner {
            Some(true) if seen.profile_ok => Access::OwnerLockedOut,
            _ => Access::NoAccess,
        };
    }
    Access::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::Directory;

    const T1: &str = "afade585-7c99-42c7-887f-5b2884f98736";
    const T2: &str = "3c1d2e4f-0000-4000-8000-00000000c0de";

    fn connected(id: &str) -> Backing {
        Backing::Tenant {
            directory: Directory::bare(TenantId::parse(id).unwrap()),
        }
    }

    fn work(id: &str) -> SignedIn {
        SignedIn::from_claims(id, "ann@fabrikam.com")
    }

    fn refused() -> Seen {
        Seen {
            profile_ok: true,
            refused: true,
            ..Seen::default()
        }
    }

    #[test]
    fn a_wrong_sign_in_is_only_ever_told_to_sign_in_again() {
        let personal = SignedIn::from_claims(CONSUMERS_TENANT, "ann@outlook.com");
        assert!(matches!(personal, SignedIn::Personal { .. }));
        // Refused, even as the owner: the token is for the wrong directory.
        for who in [personal, work(T2)] {
            let a = classify(Some(&connected(T1)), &who, &refused(), Some(true));
            assert_eq!(
                a,
                Access::WrongSignIn {
                    needs: Some(TenantId::parse(T1).unwrap())
                }
            );
            assert_eq!(
                a.sign_in_command().unwrap(),
                format!("ado-entra login --tenant {T1}")
            );
        }
        let a = classify(Some(&Backing::Personal), &work(T1), &refused(), None);
        assert_eq!(a, Access::WrongSignIn { needs: None });
        assert!(a.sign_in_command().unwrap().ends_with("consumers"));
    }

    #[test]
    fn only_the_owner_refused_is_a_lockout() {
        let b = connected(T1);
        assert_eq!(
            classify(Some(&b), &work(T1), &refused(), Some(true)),
            Access::OwnerLockedOut
        );
        assert_eq!(
            classify(Some(&b), &work(T1), &refused(), Some(false)),
            Access::NoAccess
        );
        assert_eq!(
            classify(Some(&b), &work(T1), &refused(), None),
            Access::NoAccess
        );
        let ok = Seen {
            profile_ok: true,
            all_ok: true,
            ..Seen::default()
        };
        assert_eq!(
            classify(Some(&b), &work(T1), &ok, Some(true)),
            Access::Works
        );
        assert_eq!(
            classify(Some(&Backing::Personal), &SignedIn::Pat, &ok, None),
            Access::Works
        );
        let missing = Seen {
            missing: true,
            ..Seen::default()
        };
        assert_eq!(classify(None, &work(T1), &missing, None), Access::Missing);
        assert_eq!(
            classify(Some(&b), &work(T1), &Seen::default(), None),
            Access::Unknown
        );
    }
}
