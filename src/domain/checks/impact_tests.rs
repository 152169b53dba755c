//! The checks of policies, credentials, people and the directory: each
//! finds exactly what is planted in otherwise ready facts, and nothing else.

use super::fixtures::*;
use super::*;
use crate::domain::facts::*;

fn change() -> Operation {
    Operation::ChangeTenant {
        from: SOURCE.into(),
        to: DEST.into(),
    }
}

/// Ready facts, changing from SOURCE (which the organization uses) to DEST.
fn moving() -> Facts {
    let mut f = ready();
    f.operation = change();
    f.org.current_tenant = Some(SOURCE.into());
    f.caller.source_membership = Some(Membership::Member);
    f.org.pat_creation_policy = Some(PatCreationPolicy::default());
    f
}

fn pat(name: &str, owner: &str) -> PatInfo {
    PatInfo {
        display_name: name.into(),
        owner: Some(owner.into()),
        scope: Some("vso.code".into()),
        valid_to: Some(at("2026-11-20T00:00:00Z")),
        ..PatInfo::default()
    }
}

fn on(allow: &[&str]) -> Option<TenantPolicy> {
    Some(TenantPolicy {
        on: true,
        allowlist: allow.iter().map(|s| s.to_string()).collect(),
    })
}

/// Ready facts with Carol, who signs in with a personal outlook.com address
/// no destination account has.
fn with_carol() -> Facts {
    let mut f = ready();
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.carol", "Carol", "carol@outlook.com"));
    f
}

fn wif(name: &str, issuer_tenant: &str) -> ServiceConnection {
    ServiceConnection {
        name: name.into(),
        project: "Web".into(),
        tenant_id: Some(DEST.into()),
        id: format!("id-{name}"),
        kind: "AzureRM".into(),
        auth: ConnectionAuth::WorkloadIdentity,
        issuer: Some(format!(
            "https://login.microsoftonline.com/{issuer_tenant}/v2.0"
        )),
        subject: Some(format!("sc://contoso/Web/{name}")),
    }
}

#[test]
fn the_new_checks_pass_or_skip_on_ready_facts_and_when_moving() {
    for f in [ready(), moving()] {
        for r in run_all(&f) {
            if r.id == "dual-accounts" {
                continue;
            }
            assert!(
                matches!(r.status, Status::Pass | Status::Skip),
                "{:?}: {} is {:?}: {} {:?}",
                f.operation,
                r.id,
                r.status,
                r.title,
                r.evidence
            );
        }
    }
}

#[test]
fn org_creation_restriction_blocks_whoever_is_off_its_allowlist() {
    let mut f = ready();
    let p = f.tenant_policies.as_mut().unwrap();
    p.restrict_org_creation = on(&["t-alice"]);
    p.names
        .insert("t-alice".into(), "Alice Admin <alice@contoso.com>".into());
    let r = org_creation_policy(&f);
    assert_eq!(r.status, Status::Pass, "{r:?}");
    assert!(r.evidence[1].contains("Alice Admin <alice@contoso.com>"));
    // Through a group.
    let p = f.tenant_policies.as_mut().unwrap();
    p.restrict_org_creation = on(&["g-admins"]);
    p.caller_member_of = vec!["g-admins".into()];
    assert_eq!(org_creation_policy(&f).status, Status::Pass);
    // Off the allowlist: Azure DevOps refuses the connect.
    f.tenant_policies.as_mut().unwrap().caller_member_of.clear();
    let r = org_creation_policy(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.fix.unwrap().contains("allowlist"));
    assert!(!acceptable("org-creation-policy"));
    // Not readable: ask the Azure DevOps Administrators by name.
    f.tenant_policies = None;
    let r = org_creation_policy(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.starts_with("Could not verify"));
    assert!(r.fix.unwrap().contains("Alice Admin <alice@contoso.com>"));
    f.devops_admins = Some(vec![]);
    assert!(
        org_creation_policy(&f)
            .fix
            .unwrap()
            .contains("has no Azure DevOps Administrator")
    );
    f.operation = Operation::Disconnect;
    assert_eq!(org_creation_policy(&f).status, Status::Skip);
}

#[test]
fn tenant_pat_policies_name_each_token_that_cannot_be_recreated() {
    let mut f = ready();
    let mut global = pat("everything", "bob@contoso.com");
    global.is_global = true;
    let mut full = pat("release", "bob@contoso.com");
    full.scope = Some("app_token".into());
    let mut long = pat("nightly", "alice@contoso.com");
    long.valid_to = Some(at("2027-06-01T00:00:00Z"));
    let fine = pat("ci", "bob@contoso.com");
    f.org.pats = Some(vec![global, full, long, fine]);
    // Every policy off: nothing to say.
    assert_eq!(tenant_pat_policies(&f).status, Status::Pass);
    let p = f.tenant_policies.as_mut().unwrap();
    p.restrict_global_pats = on(&[]);
    p.restrict_full_scope_pats = on(&[]);
    p.max_pat_lifespan = on(&[]);
    p.max_pat_lifespan_days = Some(30);
    let r = tenant_pat_policies(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.starts_with("3 "), "{}", r.title);
    let text = r.evidence.join("\n");
    assert!(text.contains("\"everything\" of bob@contoso.com"));
    assert!(text.contains("\"release\" of bob@contoso.com"));
    assert!(text.contains("\"nightly\" of alice@contoso.com"));
    assert!(!text.contains("\"ci\""), "{text}");
    // Bob's account (t-bob) on the global PAT allowlist exempts his global PAT.
    f.tenant_policies.as_mut().unwrap().restrict_global_pats = on(&["t-bob"]);
    let r = tenant_pat_policies(&f);
    assert!(r.title.starts_with("2 "), "{}", r.title);
    // Leaked PATs not revoked is said, though it breaks nothing.
    f.tenant_policies = Some(TenantPolicies {
        revoke_leaked_pats: Some(false),
        ..TenantPolicies::default()
    });
    let r = tenant_pat_policies(&f);
    assert_eq!(r.status, Status::Pass);
    assert!(r.evidence[0].contains("revocation of leaked PATs is off"));
    f.tenant_policies = None;
    assert_eq!(tenant_pat_policies(&f).status, Status::Warn);
}

#[test]
fn org_policies_warn_about_conditional_access_and_admin_invitations() {
    let mut f = ready();
    assert_eq!(org_policies(&f).status, Status::Pass);
    f.org.policies.enforce_aad_conditional_access = Some(true);
    let r = org_policies(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.starts_with("1 "));
    assert!(r.evidence[0].contains("non-interactive"));
    f.invitations.as_mut().unwrap().allow_invites_from = "adminsAndGuestInviters".into();
    let r = org_policies(&f);
    assert!(r.title.starts_with("2 "), "{}", r.title);
    f.org.policies.allow_team_admins_invitations = Some(false);
    f.org.policies.enforce_aad_conditional_access = Some(false);
    assert_eq!(org_policies(&f).status, Status::Pass);
    f.org.policies = Policies::default();
    assert_eq!(org_policies(&f).status, Status::Warn);
    f.operation = Operation::Disconnect;
    assert_eq!(org_policies(&f).status, Status::Skip);
}

#[test]
fn pat_creation_restriction_is_predicted_for_a_tenant_change_only() {
    let mut f = moving();
    f.org.pats = Some(vec![pat("ci", "bob@contoso.com")]);
    assert_eq!(pat_creation_policy(&f).status, Status::Pass);
    f.org.pat_creation_policy = Some(PatCreationPolicy {
        on: true,
        packaging_only: true,
        allowlist_enabled: true,
        allowlist: vec![AllowlistEntry {
            object_id: "s-bob".into(),
            display_name: "Bob Builder".into(),
        }],
    });
    let r = pat_creation_policy(&f);
    assert_eq!(r.status, Status::Warn);
    let text = r.evidence.join("\n");
    assert!(text.contains("packaging-only"));
    assert!(text.contains("Bob Builder"));
    assert!(text.contains("bob@contoso.com"));
    assert!(text.contains("DisablePatCreationPolicyViolation"));
    assert!(r.fix.unwrap().contains("azreposCredentialType oauth"));
    // Audited in its own directory: Bob is on the allowlist (t-bob is his
    // account there), so nobody who owns a PAT is refused.
    f.operation = Operation::ChangeTenant {
        from: DEST.into(),
        to: DEST.into(),
    };
    f.org.pat_creation_policy.as_mut().unwrap().allowlist[0].object_id = "t-bob".into();
    let r = pat_creation_policy(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains("only the allowlist"), "{}", r.title);
    assert!(
        !r.evidence.join("\n").contains("could not create"),
        "{:?}",
        r.evidence
    );
    f.org.pat_creation_policy = None;
    assert_eq!(pat_creation_policy(&f).status, Status::Warn);
    f.operation = Operation::Connect {
        destination: DEST.into(),
    };
    assert_eq!(pat_creation_policy(&f).status, Status::Skip);
}

#[test]
fn ssh_keys_are_listed_by_owner() {
    let mut f = ready();
    f.org.ssh_keys = Some(vec![SshKeyInfo {
        owner: "bob@contoso.com".into(),
        display_name: "laptop".into(),
        valid_to: None,
    }]);
    let r = ssh_keys(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence, ["SSH key \"laptop\" of bob@contoso.com"]);
    f.org.tokens_unread = 12;
    assert!(ssh_keys(&f).evidence[1].contains("12 other users"));
}

#[test]
fn workload_identity_breaks_only_when_its_issuer_names_the_directory_left() {
    let mut f = moving();
    f.org.service_connections = Some(vec![
        wif("old-issuer", SOURCE),
        wif("new-issuer", DEST),
        ServiceConnection {
            issuer: Some("https://vstoken.dev.azure.com/org-1".into()),
            ..wif("devops-issuer", "")
        },
    ]);
    let r = workload_identity(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 1);
    assert!(r.evidence[0].contains("\"old-issuer\""));
    // The same connection is not listed again as another tenant's.
    assert_eq!(service_connections(&f).status, Status::Pass);
    f.operation = Operation::Connect {
        destination: DEST.into(),
    };
    assert_eq!(workload_identity(&f).status, Status::Pass);
    f.org.service_connections = None;
    assert_eq!(workload_identity(&f).status, Status::Warn);
}

#[test]
fn key_vault_groups_follow_their_connection() {
    let mut f = ready();
    f.org.service_connections = Some(vec![
        ServiceConnection {
            name: "other".into(),
            project: "Web".into(),
            tenant_id: Some(SOURCE.into()),
            id: "c1".into(),
            ..ServiceConnection::default()
        },
        ServiceConnection {
            name: "here".into(),
            project: "Web".into(),
            tenant_id: Some(DEST.into()),
            id: "c2".into(),
            ..ServiceConnection::default()
        },
    ]);
    let group = |name: &str, conn: &str| VariableGroupInfo {
        name: name.into(),
        project: "Web".into(),
        key_vault: Some(format!("kv-{name}")),
        service_connection_id: Some(conn.into()),
    };
    f.org.variable_groups = Some(vec![
        group("prod", "c1"),
        group("test", "c2"),
        VariableGroupInfo {
            name: "plain".into(),
            project: "Web".into(),
            ..VariableGroupInfo::default()
        },
    ]);
    let r = key_vault_variable_groups(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 1);
    assert!(r.evidence[0].contains("\"prod\"") && r.evidence[0].contains("kv-prod"));
    f.org.variable_groups = Some(vec![group("test", "c2")]);
    assert_eq!(key_vault_variable_groups(&f).status, Status::Pass);
    f.org.variable_groups = None;
    assert_eq!(key_vault_variable_groups(&f).status, Status::Warn);
}

#[test]
fn agent_registrations_list_agents_and_registration_pats() {
    let mut f = ready();
    f.org.agents = Some(vec![AgentInfo {
        name: "build-01".into(),
        pool: "Self-hosted".into(),
        status: "online".into(),
    }]);
    let mut reg = pat("agents", "bob@contoso.com");
    reg.scope = Some("vso.agentpools_manage".into());
    f.org.pats = Some(vec![reg, pat("ci", "bob@contoso.com")]);
    let r = agent_registrations(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 2, "{:?}", r.evidence);
    assert!(r.evidence[0].contains("build-01"));
    assert!(r.evidence[1].contains("\"agents\""));
    f.org.agents = Some(vec![]);
    f.org.pats = Some(vec![pat("ci", "bob@contoso.com")]);
    assert_eq!(agent_registrations(&f).status, Status::Pass);
}

#[test]
fn visual_studio_subscribers_who_will_not_keep_their_address() {
    let mut f = with_carol();
    f.org.vs_subscribers = Some(vec!["msa.carol".into(), "msa.bob".into()]);
    let r = visual_studio_subscriptions(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 1);
    assert!(r.evidence[0].starts_with("Carol <carol@outlook.com>"));
    f.org.vs_subscribers = Some(vec!["msa.bob".into()]);
    assert_eq!(visual_studio_subscriptions(&f).status, Status::Pass);
    f.org.vs_subscribers = None;
    assert_eq!(visual_studio_subscriptions(&f).status, Status::Warn);
}

#[test]
fn dual_accounts_are_personal_addresses_that_are_also_upns() {
    let mut f = with_carol();
    let r = dual_accounts(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 2);
    assert!(r.evidence.iter().all(|e| !e.contains("carol")));
    assert!(r.fix.unwrap().contains("rename"));
    f.operation = change();
    assert_eq!(dual_accounts(&f).status, Status::Skip);
}

#[test]
fn unverified_domains_split_personal_mailboxes_from_business_domains() {
    let mut f = ready();
    let users = f.org.users.as_mut().unwrap();
    users.push(msa("msa.carol", "Carol", "carol@outlook.com"));
    users.push(msa("msa.dave", "Dave", "dave@contoso.co.uk"));
    let r = unverified_domains(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.starts_with("2 "));
    assert_eq!(r.evidence.len(), 2);
    assert!(r.evidence[0].starts_with("contoso.co.uk (1): Dave"));
    assert!(r.evidence[1].contains("personal mailboxes"));
    f.destination_tenant = None;
    assert_eq!(unverified_domains(&f).status, Status::Warn);
}

#[test]
fn guest_invitations_need_someone_who_may_invite() {
    let mut f = ready();
    assert_eq!(guest_invitations(&f).status, Status::Pass);
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.carol", "Carol", "carol@outlook.com"));
    assert_eq!(guest_invitations(&f).status, Status::Pass);
    let inv = f.invitations.as_mut().unwrap();
    inv.allow_invites_from = "adminsAndGuestInviters".into();
    let r = guest_invitations(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.evidence[0].starts_with("1 user "));
    f.invitations.as_mut().unwrap().caller_roles = Some(vec!["Guest Inviter".into()]);
    assert_eq!(guest_invitations(&f).status, Status::Pass);
    let inv = f.invitations.as_mut().unwrap();
    inv.allow_invites_from = "none".into();
    assert_eq!(guest_invitations(&f).status, Status::Warn);
    let inv = f.invitations.as_mut().unwrap();
    inv.allow_invites_from = "adminsGuestInvitersAndAllMembers".into();
    inv.caller_roles = None;
    assert_eq!(guest_invitations(&f).status, Status::Pass);
    f.caller.destination_membership = Some(Membership::Guest);
    assert_eq!(guest_invitations(&f).status, Status::Warn);
    f.invitations = None;
    assert!(guest_invitations(&f).title.starts_with("Could not verify"));
}

#[test]
fn a_new_account_is_a_reason_to_check_again_later() {
    let mut f = ready();
    f.caller.destination_account_created = Some(at("2026-11-01T11:40:00Z"));
    let r = directory_propagation(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains("20 minutes"), "{}", r.title);
    assert!(r.title.contains("12:40 UTC"), "{}", r.title);
    f.caller.destination_account_created = Some(at("2026-11-01T10:59:00Z"));
    assert_eq!(directory_propagation(&f).status, Status::Pass);
    f.caller.destination_account_created = None;
    assert_eq!(directory_propagation(&f).status, Status::Warn);
}

#[test]
fn nothing_gathered_never_passes_the_new_checks() {
    for op in [
        Operation::Connect {
            destination: DEST.into(),
        },
        change(),
    ] {
        let f = empty(op.clone());
        for r in run_all(&f).iter().skip(18) {
            assert_ne!(
                r.status,
                Status::Pass,
                "{} passed with no facts ({op:?})",
                r.id
            );
        }
    }
}
