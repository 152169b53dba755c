//! Recovering an organization whose owner is locked out: from what each of
//! the person's sign-ins showed, the state (reusing
//! [`super::verify::classify`]'s verdict for each identity), who could let
//! them back in, and the ways back in the order most likely to work, each
//! with its status. Pure: the application layer gathers the facts and
//! carries the ways out.
//!
//! The order: (1) sign in with the right identity; (2) get the owner's
//! address into the directory (a guest invitation); (3) the back door, the
//! page where the original owner's personal account still gets in
//! (`aex.dev.azure.com/me`); (4) claim ownership, by an Azure DevOps
//! Administrator of the directory (Microsoft Learn, "Assign an owner to an
//! orphaned organization"); (5) a ready-to-send package for support.
//! A wrong sign-in is told to sign in again, and nothing else.
//!
//! Layout:
//! - `facts`: what the assessment looks at ([`Facts`], [`Identity`],
//!   [`Tenant`], [`Owner`], who can help, what was tried).
//! - `assessment`: what it answers ([`Assessment`], [`Way`], [`WayId`],
//!   [`WayStatus`]).
//! - `ways`: one file per way back, giving its status and steps; way 5
//!   with the [`support_package`].
//! - `messages`: the addresses steps point to, the messages to send an
//!   administrator ([`claim_message`]) and [`handover_after`].
//! - here: the [`state`] and the [`assess`]ment that puts them together.

mod assessment;
mod facts;
mod messages;
mod ways;

pub use assessment::{Assessment, Way, WayId, WayStatus};
pub use facts::{
    Facts, Holders, Identity, InTenant, Invitation, Kind, Owner, Person, Tenant, Tried, Urls,
    WhoCanHelp, ext_upn_note,
};
pub use messages::{
    ENTRA_ADMIN_CENTER, ORPHANED_DOC, PROPAGATION_NOTE, SUPPORT_URL, claim_message, handover_after,
};
pub use ways::support_package;

use super::verify::Access;
use assessment::way;
use ways::{back_door_way, claim_way, invite_way, sign_in_way, support_way};

/// The state from every identity's verdict: one that works somewhere
/// makes it a wrong sign-in (unless it is the one in use); the owner
/// refused, or with no identity in the directory, is the lockout.
pub fn state(f: &Facts) -> Access {
    if f.missing {
        return Access::Missing;
    }
    let needs = f
        .tenant
        .as_ref()
        .and_then(|t| super::directory::TenantId::parse(&t.id));
    if f.identities
        .iter()
        .any(|i| i.current && i.signed_in == Access::Works)
    {
        return Access::Works;
    }
    if f.identities.iter().any(|i| *i.access() == Access::Works) {
        return Access::WrongSignIn { needs };
    }
    let owner_refused = f.identities.iter().any(|i| {
        i.is_owner == Some(true)
            && (matches!(i.access(), Access::OwnerLockedOut | Access::NoAccess)
                || (f.connected && !i.in_tenant.present()))
    });
    if owner_refused {
        return Access::OwnerLockedOut;
    }
    if let Some(a) = f
        .identities
        .iter()
        .map(|i| i.access())
        .find(|a| matches!(a, Access::NoAccess | Access::OwnerLockedOut))
    {
        return a.clone();
    }
    // A sign-in in the wrong place that could not be tried where the
    // organization lives (an organization of personal accounts, or the move
    // failed): nothing shows a lockout, so it is a wrong sign-in, and that
    // is all that is said.
    if let Some(i) = f.identities.iter().find(|i| {
        matches!(i.signed_in, Access::WrongSignIn { .. })
            && i.in_directory.is_none()
            && matches!(i.in_tenant, InTenant::Unknown { .. })
    }) {
        return i.signed_in.clone();
    }
    // Refused everywhere it could be asked, and the owner not known.
    if f.identities
        .iter()
        .any(|i| matches!(i.access(), Access::WrongSignIn { .. }))
    {
        return Access::NoAccess;
    }
    Access::Unknown
}

/// The state, a headline and the five ways.
pub fn assess(f: &Facts) -> Assessment {
    let state = state(f);
    let org = &f.org;
    let headline = match &state {
        Access::Works => format!("'{org}' answers this sign-in: you are not locked out."),
        Access::WrongSignIn { needs } => {
            if f.identities.iter().any(|i| *i.access() == Access::Works) {
                format!(
                    "You are signed in with the wrong identity: '{org}' lets you in as another of your identities. Sign in again with it; nothing else is wrong."
                )
            } else if needs.is_some() {
                format!(
                    "You are signed in somewhere else than '{org}' lives ({}). Sign in there; nothing else is wrong that can be told before that.",
                    f.tenant_name()
                )
            } else {
                format!(
                    "'{org}' uses personal Microsoft accounts and you are signed in with a work account. Sign in with your personal account; nothing else is wrong."
                )
            }
        }
        Access::OwnerLockedOut => format!(
            "The owner ({}) is locked out of '{org}': the profile answers, the organization refuses every identity the owner has.",
            f.owner_address().unwrap_or("unknown")
        ),
        Access::NoAccess => match f.owner_address() {
            Some(o) => format!(
                "'{org}' refuses every identity you signed in with, and none of them is its owner ({o})."
            ),
            None => format!(
                "'{org}' refuses every identity you signed in with, and its owner could not be read: only an identity of {} can read it. If you have a work account there, sign in with it too (`ado-entra login --tenant {}`) and run this again: ado-entra remembers both sign-ins.",
                f.tenant_name(),
                f.tenant.as_ref().map(|t| t.id.as_str()).unwrap_or("TENANT")
            ),
        },
        Access::Missing => format!("There is no organization named '{org}': check the spelling."),
        Access::Unknown => {
            "Could not tell: the organization answered with errors; run the same command again."
                .into()
        }
    };
    let ways = match &state {
        Access::WrongSignIn { needs } => {
            let mut ways: Vec<Way> = WayId::ALL
                .iter()
                .map(|id| {
                    way(
                        *id,
                        WayStatus::NotNeeded,
                        "Sign in with the right identity first; nothing else is wrong.",
                    )
                })
                .collect();
            ways[0] = sign_in_way(f, needs.as_ref().map(|t| t.as_str()));
            ways
        }
        Access::Works => WayId::ALL
            .iter()
            .map(|id| {
                // The way that worked says so; the others are not needed.
                let worked = f.tried.iter().any(|t| t.ok && t.way != WayId::Support);
                match f.last_try(*id) {
                    Some(t) if t.ok && *id != WayId::Support => {
                        let mut w = way(*id, WayStatus::Done, t.outcome.clone());
                        w.steps = handover_after(f, *id);
                        w
                    }
                    _ if *id == WayId::SignIn && !worked => {
                        let mut w = way(
                            *id,
                            WayStatus::Done,
                            "The organization answers this sign-in.",
                        );
                        w.steps = handover_after(f, WayId::SignIn);
                        w
                    }
                    _ => way(
                        *id,
                        WayStatus::NotNeeded,
                        "The organization answers this sign-in.",
                    ),
                }
            })
            .collect(),
        Access::Missing | Access::Unknown => WayId::ALL
            .iter()
            .map(|id| {
                way(
                    *id,
                    WayStatus::NotApplicable,
                    "The organization's state is not known.",
                )
            })
            .collect(),
        Access::OwnerLockedOut | Access::NoAccess => vec![
            way(
                WayId::SignIn,
                WayStatus::NotApplicable,
                format!(
                    "None of your identities is one {} lets in.",
                    f.tenant_name()
                ),
            ),
            invite_way(f),
            back_door_way(f),
            claim_way(f),
            support_way(f),
        ],
    };
    Assessment {
        state,
        headline,
        ways,
    }
}

/// Facts for tests (fixed ids): the locked-out organization of Contoso.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";

    /// The organization connected to Contoso, owned by alice@outlook.com,
    /// seen through `identities`.
    pub fn facts(identities: Vec<Identity>) -> Facts {
        Facts {
            org: "contoso-lockout".into(),
            org_id: Some("aaaaaaaa-0000-4000-8000-000000000001".into()),
            missing: false,
            tenant: Some(Tenant {
                id: TENANT.into(),
                display_name: Some("Contoso".into()),
                domains: vec!["contoso.onmicrosoft.com".into(), "contoso.com".into()],
                evidence: vec!["the id: X-VSS-ResourceTenant on the anonymous probe".into()],
            }),
            connected: true,
            last_tenant: Some(TENANT.into()),
            owner: Some(Owner {
                address: "alice@outlook.com".into(),
                source: "enterprise_catalog".into(),
            }),
            owner_in_tenant: None,
            identities,
            who_can_help: WhoCanHelp::default(),
            invitation: None,
            tried: vec![],
            connected_at: None,
            urls: Urls {
                org: "https://dev.azure.com/contoso-lockout".into(),
                back_door: "https://aex.dev.azure.com/me".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::directory::TenantId;

    const T: &str = fixtures::TENANT;

    fn identity(
        address: &str,
        kind: Kind,
        in_tenant: InTenant,
        signed_in: Access,
        in_dir: Option<Access>,
        owner: bool,
    ) -> Identity {
        Identity {
            address: address.into(),
            kind,
            home_tenant: None,
            upn_note: None,
            in_tenant,
            signed_in,
            in_directory: in_dir,
            is_owner: Some(owner),
            azure_devops_administrator: false,
            current: true,
            evidence: vec![],
            checked_at: Utc::now(),
        }
    }

    fn facts(identities: Vec<Identity>) -> Facts {
        fixtures::facts(identities)
    }

    fn needs() -> Access {
        Access::WrongSignIn {
            needs: TenantId::parse(T),
        }
    }

    #[test]
    fn a_wrong_sign_in_gets_only_the_sign_in() {
        let f = facts(vec![identity(
            "owner@fabrikam.com",
            Kind::Personal,
            InTenant::Member {
                upn: "owner@fabrikam.com".into(),
            },
            needs(),
            Some(Access::Works),
            true,
        )]);
        let a = assess(&f);
        assert_eq!(a.state, needs());
        assert_eq!(a.ways[0].status, WayStatus::Available);
        assert!(a.ways[0].steps[0].contains(&format!("ado-entra login --tenant {T}")));
        assert!(a.ways[1..].iter().all(|w| w.status == WayStatus::NotNeeded));
    }

    #[test]
    fn the_owner_refused_in_the_directory_is_the_lockout_and_needs_no_invitation() {
        let upn = "alice_outlook.com#EXT#@contoso.onmicrosoft.com";
        let mut f = facts(vec![identity(
            "alice@outlook.com",
            Kind::Personal,
            InTenant::Member { upn: upn.into() },
            needs(),
            Some(Access::OwnerLockedOut),
            true,
        )]);
        f.owner_in_tenant = Some(InTenant::Member { upn: upn.into() });
        let a = assess(&f);
        assert_eq!(a.state, Access::OwnerLockedOut);
        let ids: Vec<_> = a.ways.iter().map(|w| (w.id, w.status)).collect();
        assert_eq!(
            ids,
            vec![
                (WayId::SignIn, WayStatus::NotApplicable),
                (WayId::InviteOwner, WayStatus::NotNeeded),
                (WayId::BackDoor, WayStatus::Available),
                (WayId::ClaimOwnership, WayStatus::NeedsSomeone),
                (WayId::Support, WayStatus::Available),
            ]
        );
        assert!(
            a.ways[1]
                .why
                .contains("not an address anyone signs in with"),
            "{}",
            a.ways[1].why
        );
    }

    #[test]
    fn an_absent_owner_is_invited_by_a_member_identity() {
        let mut f = facts(vec![
            identity(
                "alice@outlook.com",
                Kind::Personal,
                InTenant::Absent,
                needs(),
                None,
                true,
            ),
            identity(
                "alice@contoso.com",
                Kind::Work,
                InTenant::Member {
                    upn: "alice@contoso.com".into(),
                },
                Access::NoAccess,
                None,
                false,
            ),
        ]);
        f.owner_in_tenant = Some(InTenant::Absent);
        let a = assess(&f);
        assert_eq!(a.state, Access::OwnerLockedOut);
        assert_eq!(a.ways[1].status, WayStatus::Available);
        assert!(a.ways[1].why.contains("alice@contoso.com"));
        // Once sent and not accepted, it waits.
        f.invitation = Some(Invitation {
            address: "alice@outlook.com".into(),
            user_id: "g".into(),
            tenant: T.into(),
            by: "alice@contoso.com".into(),
            at: Utc::now(),
            accepted: Some(false),
        });
        let a = assess(&f);
        assert_eq!(a.ways[1].status, WayStatus::Waiting);
        assert!(a.ways[1].why.contains("not accepted yet"));
    }

    #[test]
    fn claim_names_the_role_holders_or_says_why_it_cannot() {
        let mut f = facts(vec![identity(
            "alice@outlook.com",
            Kind::Personal,
            InTenant::Guest {
                upn: "alice_outlook.com#EXT#@contoso.onmicrosoft.com".into(),
            },
            needs(),
            Some(Access::OwnerLockedOut),
            true,
        )]);
        f.who_can_help.azure_devops_administrators = Holders::Unreadable {
            by: "alice_outlook.com#EXT#@contoso.onmicrosoft.com".into(),
            reason: "403 Authorization_RequestDenied".into(),
        };
        let w = &assess(&f).ways[3];
        assert_eq!(w.status, WayStatus::NeedsSomeone);
        assert!(w.why.contains("may not read"), "{}", w.why);
        f.who_can_help.azure_devops_administrators = Holders::Read {
            people: vec![Person {
                display_name: "Dana Devops".into(),
                address: "devops-admin@contoso.com".into(),
            }],
            read_by: "x".into(),
        };
        let w = &assess(&f).ways[3];
        let m = w.message.as_deref().unwrap();
        assert!(
            m.contains("Hello Dana Devops") && m.contains("Claim Ownership"),
            "{m}"
        );
        assert!(m.contains(ORPHANED_DOC));
        // An active administrator makes it not orphaned.
        f.who_can_help.project_collection_administrators = Holders::Read {
            people: vec![Person {
                display_name: "Ben".into(),
                address: "ben@contoso.com".into(),
            }],
            read_by: "x".into(),
        };
        assert!(assess(&f).ways[3].why.contains("not orphaned"));
    }

    #[test]
    fn the_support_package_carries_the_facts() {
        let f = facts(vec![]);
        let a = assess(&f);
        let p = support_package(&f, &a, &["TF400813 request id abc".into()], Utc::now());
        for want in [
            "contoso-lockout",
            T,
            "alice@outlook.com",
            "request id abc",
            SUPPORT_URL,
        ] {
            assert!(p.contains(want), "{want} missing from {p}");
        }
    }
}
