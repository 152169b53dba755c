//! What each kind of identity may do to an organization's directory
//! connection: the one rule the commands consult before they start.
//!
//! Source: Microsoft Learn, "Use service principals & managed identities in
//! Azure DevOps"
//! (<https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/service-principal-managed-identity>):
//! a service principal or managed identity can be added only by a person and
//! only from the directory the organization is connected to, "can't be
//! organization owners", and cannot sign in interactively. Connecting or
//! disconnecting needs the owner or a Project Collection Administrator who is
//! a *member user* of the directory ("Connect your organization to Microsoft
//! Entra ID",
//! <https://learn.microsoft.com/azure/devops/organizations/accounts/connect-organization-to-azure-ad>),
//! and afterwards a person must sign in afresh to prove the owner keeps
//! access. Nothing documents an app identity changing the connection or
//! remapping people, so ado-entra takes the strict reading: reads (`check`,
//! `audit`, `orgs`, `verify`, the Resolve suggestions and export) work with
//! them; changes are for a person.

/// Who is signed in, as far as the rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// A person (device code, browser, Azure CLI as a user, or their PAT).
    Person,
    /// An app registration's service principal (secret, certificate, federated).
    ServicePrincipal,
    /// A managed identity.
    ManagedIdentity,
}

impl IdentityKind {
    fn noun(self) -> &'static str {
        match self {
            IdentityKind::Person => "a person",
            IdentityKind::ServicePrincipal => "a service principal",
            IdentityKind::ManagedIdentity => "a managed identity",
        }
    }
}

/// The commands that change who can sign in to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonOnly {
    /// `connect` and `change-tenant`.
    Connect,
    /// `disconnect`.
    Disconnect,
    /// Applying Resolve: invitations and mappings (the suggestions and the
    /// export are reads, and are allowed).
    ResolveApply,
    /// `recover`: a person's own sign-ins are what it diagnoses.
    Recover,
}

impl PersonOnly {
    fn command(self) -> &'static str {
        match self {
            PersonOnly::Connect => "connect",
            PersonOnly::Disconnect => "disconnect",
            PersonOnly::ResolveApply => "resolve (applying mappings and invitations)",
            PersonOnly::Recover => "recover",
        }
    }

    fn why(self) -> &'static str {
        match self {
            PersonOnly::Connect => {
                "connecting needs the owner or a Project Collection Administrator who is a member user of the destination directory, and a person must then sign in afresh to prove the owner keeps access"
            }
            PersonOnly::Disconnect => {
                "disconnecting needs the owner or a Project Collection Administrator, and a person must then sign in with a Microsoft account to prove the owner keeps access"
            }
            PersonOnly::ResolveApply => {
                "mapping users to directory accounts and inviting guests moves people's access, which Azure DevOps documents for administrators signed in as themselves"
            }
            PersonOnly::Recover => {
                "recovering reads what the locked-out person's own accounts can still do, and every way back ends with that person signing in afresh"
            }
        }
    }
}

/// Where the rule comes from.
pub const SOURCE: &str = "https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/service-principal-managed-identity";

/// `Ok` when `kind` may run `action`; otherwise why a person must, and how.
pub fn may(kind: IdentityKind, action: PersonOnly) -> Result<(), String> {
    if kind == IdentityKind::Person {
        return Ok(());
    }
    Err(format!(
        "`{}` must be run by a person, and you are signed in as {}: {}. A service principal or managed identity can read an organization it was added to (check, audit, orgs, verify, resolve --export) but cannot own it or stand in for its owner ({SOURCE}). Next step: run `ado-entra login` as the owner or a Project Collection Administrator, then run the command again",
        action.command(),
        kind.noun(),
        action.why()
    ))
}

/// What a passing `verify` does not prove when an app identity ran it.
pub fn verify_note(kind: IdentityKind) -> Option<String> {
    (kind != IdentityKind::Person).then(|| {
        format!(
            "signed in as {}, this proves its own access only: it cannot stand in for the owner, so whether the owner keeps access is proven by the owner signing in (`ado-entra login`, then `ado-entra verify`)",
            kind.noun()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_may_and_apps_are_told_why_not() {
        for a in [
            PersonOnly::Connect,
            PersonOnly::Disconnect,
            PersonOnly::ResolveApply,
        ] {
            assert!(may(IdentityKind::Person, a).is_ok());
        }
        for (k, noun) in [
            (IdentityKind::ServicePrincipal, "a service principal"),
            (IdentityKind::ManagedIdentity, "a managed identity"),
        ] {
            for a in [
                PersonOnly::Connect,
                PersonOnly::Disconnect,
                PersonOnly::ResolveApply,
            ] {
                let e = may(k, a).unwrap_err();
                assert!(e.contains(noun) && e.contains(SOURCE), "{e}");
                assert!(e.contains("ado-entra login"), "{e}");
            }
            assert!(verify_note(k).is_some());
        }
        assert!(verify_note(IdentityKind::Person).is_none());
    }
}
