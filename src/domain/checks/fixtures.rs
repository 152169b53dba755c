//! Hand-built facts for the check tests.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::facts::*;

pub const DEST: &str = "11111111-1111-4111-8111-111111111111";
pub const SOURCE: &str = "22222222-2222-4222-8222-222222222222";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

pub fn msa(descriptor: &str, name: &str, email: &str) -> OrgUser {
    OrgUser {
        descriptor: descriptor.into(),
        display_name: name.into(),
        principal_name: email.into(),
        mail: Some(email.into()),
        origin: Origin::Msa,
        origin_id: format!("{descriptor}-puid"),
        tenant: None,
        access_level: "Basic".into(),
        last_accessed: Some(at("2026-10-20T00:00:00Z")),
        date_created: Some(at("2025-01-01T00:00:00Z")),
    }
}

pub fn member(id: &str, upn: &str, name: &str) -> TenantUser {
    TenantUser {
        id: id.into(),
        user_principal_name: upn.into(),
        mail: Some(upn.into()),
        display_name: name.into(),
        user_type: UserType::Member,
        account_enabled: true,
        ..TenantUser::default()
    }
}

pub fn guest(id: &str, address: &str, name: &str) -> TenantUser {
    let ext = format!("{}#EXT#@contoso.onmicrosoft.com", address.replace('@', "_"));
    TenantUser {
        id: id.into(),
        user_principal_name: ext,
        mail: Some(address.into()),
        display_name: name.into(),
        user_type: UserType::Guest,
        account_enabled: true,
        ..TenantUser::default()
    }
}

pub fn tenant(cloud: Cloud) -> Tenant {
    Tenant {
        id: DEST.into(),
        display_name: "Contoso".into(),
        default_domain: "contoso.onmicrosoft.com".into(),
        verified_domains: vec!["contoso.com".into(), "contoso.onmicrosoft.com".into()],
        cloud,
    }
}

/// An organization of personal accounts, ready to connect: the owner
/// (alice) and the other administrator (bob) have member accounts whose
/// UPN is their sign-in address; nobody else is in the org.
pub fn ready() -> Facts {
    let org = OrgFacts {
        name: "contoso".into(),
        id: Some("org-1".into()),
        owner: Some(OwnerRef {
            display_name: "Alice Admin".into(),
            email: Some("alice@contoso.com".into()),
            descriptor: None,
        }),
        current_tenant: None,
        users: Some(vec![
            msa("msa.alice", "Alice Admin", "alice@contoso.com"),
            msa("msa.bob", "Bob Builder", "Bob@Contoso.com"),
        ]),
        pca_members: Some(vec!["msa.alice".into(), "msa.bob".into()]),
        policies: Policies {
            disallow_aad_guest_user_access: Some(false),
            disallow_secure_shell: Some(false),
            enforce_aad_conditional_access: Some(false),
            disallow_oauth_authentication: Some(false),
            allow_team_admins_invitations: Some(true),
        },
        ssh_keys_present: Some(false),
        service_connections: Some(vec![]),
        pats: Some(vec![]),
        entra_groups_count: Some(0),
        tokens_of_everyone: Some(true),
        tokens_unread: 0,
        ssh_keys: Some(vec![]),
        variable_groups: Some(vec![]),
        agents: Some(vec![]),
        pat_creation_policy: None,
        vs_subscribers: Some(vec![]),
    };
    let caller = Caller {
        sign_in_name: "alice@contoso.com".into(),
        descriptor: Some("msa.alice".into()),
        is_pca: Some(true),
        is_owner: Some(true),
        destination_membership: Some(Membership::Member),
        source_membership: None,
        destination_account_created: Some(at("2024-05-01T00:00:00Z")),
        destination_read_as: None,
        destination_unreadable: None,
    };
    let mut f = Facts::new(
        at("2026-11-01T12:00:00Z"),
        Operation::Connect {
            destination: DEST.into(),
        },
        org,
        caller,
    );
    f.destination_tenant = Some(tenant(Cloud::Public));
    f.destination_users = Some(Arc::new(vec![
        member("t-alice", "alice@contoso.com", "Alice Admin"),
        member("t-bob", "bob@contoso.com", "Bob Builder"),
        member("t-dan", "dan@contoso.com", "Dan Developer"),
    ]));
    f.tenant_policies = Some(TenantPolicies {
        restrict_org_creation: Some(TenantPolicy::default()),
        restrict_global_pats: Some(TenantPolicy::default()),
        restrict_full_scope_pats: Some(TenantPolicy::default()),
        max_pat_lifespan: Some(TenantPolicy::default()),
        max_pat_lifespan_days: None,
        revoke_leaked_pats: Some(true),
        caller_id: Some("t-alice".into()),
        ..TenantPolicies::default()
    });
    f.devops_admins = Some(vec!["Alice Admin <alice@contoso.com>".into()]);
    f.invitations = Some(InvitationSettings {
        allow_invites_from: "everyone".into(),
        caller_roles: Some(vec![]),
    });
    f
}

/// The locked-out owner: the sole owner signs in with a personal outlook.com address;
/// the tenant only has that address as an invited guest.
pub fn personal_owner_lockout() -> Facts {
    let mut f = ready();
    f.org.owner = Some(OwnerRef {
        display_name: "Nilesh".into(),
        email: Some("nilesh@outlook.com".into()),
        descriptor: Some("msa.nilesh".into()),
    });
    f.org.users = Some(vec![msa("msa.nilesh", "Nilesh", "nilesh@outlook.com")]);
    f.org.pca_members = Some(vec!["msa.nilesh".into()]);
    f.caller = Caller {
        sign_in_name: "nilesh@outlook.com".into(),
        descriptor: Some("msa.nilesh".into()),
        is_pca: Some(true),
        is_owner: Some(true),
        destination_membership: None,
        source_membership: None,
        destination_account_created: None,
        destination_read_as: None,
        destination_unreadable: None,
    };
    f.destination_users = Some(Arc::new(vec![
        guest("t-nilesh", "nilesh@outlook.com", "Nilesh"),
        member("t-admin", "admin@contoso.com", "Tenant Admin"),
    ]));
    f
}

/// Facts where nothing could be gathered.
pub fn empty(operation: Operation) -> Facts {
    Facts::new(
        at("2026-11-01T12:00:00Z"),
        operation,
        OrgFacts::default(),
        Caller::default(),
    )
}
