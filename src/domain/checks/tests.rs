use std::sync::Arc;

use super::fixtures::*;
use super::*;
use crate::domain::facts::*;

fn find<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn change() -> Operation {
    Operation::ChangeTenant {
        from: SOURCE.into(),
        to: DEST.into(),
    }
}

fn all_ops() -> [Operation; 3] {
    [
        Operation::Connect {
            destination: DEST.into(),
        },
        change(),
        Operation::Disconnect,
    ]
}

#[test]
fn run_all_returns_every_check_in_stable_order() {
    for op in all_ops() {
        let mut f = ready();
        f.operation = op.clone();
        let ids: Vec<&str> = run_all(&f).iter().map(|r| r.id).collect();
        assert_eq!(ids, CHECK_IDS, "{op:?}");
    }
}

#[test]
fn ready_org_can_connect_without_failures_or_warnings() {
    let results = run_all(&ready());
    for r in &results {
        // Alice and Bob sign in with personal accounts whose addresses are
        // also their work accounts' UPNs: the rename step the docs ask for.
        if r.id == "dual-accounts" {
            assert_eq!(r.status, Status::Warn, "{r:?}");
            assert_eq!(r.evidence.len(), 2, "{r:?}");
            continue;
        }
        assert!(
            matches!(r.status, Status::Pass | Status::Skip),
            "{} is {:?}: {} {:?}",
            r.id,
            r.status,
            r.title,
            r.evidence
        );
    }
    let v = verdict(&results);
    assert!(v.can_proceed);
    assert!(v.failures.is_empty());
    assert_eq!(v.warnings, ["dual-accounts"]);
}

/// Two organizations moving to one directory (its users shared, as a fleet
/// shares them): judged with the first one's index tables, the second gets
/// exactly what it gets judged alone, and tables of another directory are
/// not used.
#[test]
fn sharing_index_tables_changes_no_judgement() {
    let first = ready();
    let mut second = ready();
    second.destination_users = first.destination_users.clone();
    second.org.users.as_mut().unwrap().truncate(1);
    let tables = index_tables(&first).expect("destination users known");
    let shared = evaluate_sharing(&second, Some(&tables));
    let alone = evaluate(&second);
    assert_eq!(shared.results, alone.results);
    assert_eq!(shared.prediction, alone.prediction);
    assert!(Arc::ptr_eq(shared.index().unwrap().tables(), &tables));
    // Another list of users (an equal copy): its own index.
    let mut other = ready();
    other.destination_users = Some(Arc::new(
        first.destination_users.as_deref().unwrap().clone(),
    ));
    let own = evaluate_sharing(&other, Some(&tables));
    assert!(!Arc::ptr_eq(own.index().unwrap().tables(), &tables));
    assert_eq!(own.results, evaluate(&other).results);
}

#[test]
fn missing_facts_never_pass_and_never_panic() {
    for op in all_ops() {
        let f = empty(op.clone());
        let results = run_all(&f);
        for r in &results {
            // "names-valid" legitimately fails on an empty name.
            if r.id == "names-valid" {
                assert_eq!(r.status, Status::Fail);
                continue;
            }
            assert_ne!(
                r.status,
                Status::Pass,
                "{} passed with no facts ({op:?})",
                r.id
            );
        }
        let warned = results.iter().filter(|r| r.status == Status::Warn).count();
        assert!(warned >= 3, "{op:?}: {warned}");
    }
}

#[test]
fn results_serialize_with_lowercase_status() {
    let results = run_all(&ready());
    let v = serde_json::to_value(&results).unwrap();
    assert_eq!(v[0]["id"], "names-valid");
    assert_eq!(v[0]["status"], "pass");
    let v = serde_json::to_value(verdict(&run_all(&personal_owner_lockout()))).unwrap();
    assert_eq!(v["can_proceed"], false);
}

#[test]
fn names_valid_rejects_bad_names_and_accepts_urls() {
    let mut f = ready();
    f.org.name = "https://dev.azure.com/contoso".into();
    f.connector_name = Some("ado-contoso".into());
    assert_eq!(names_valid(&f).status, Status::Pass);
    f.org.name = "con_toso".into();
    let r = names_valid(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.evidence[0].contains("character 4"), "{:?}", r.evidence);
    f.org.name = "contoso".into();
    f.connector_name = Some("1x".into());
    let r = names_valid(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.evidence[0].starts_with("connector name"));
}

#[test]
fn caller_is_admin_cases() {
    let mut f = ready();
    assert_eq!(caller_is_admin(&f).status, Status::Pass);
    // Owner derived from the owner's address when the flag is unknown.
    f.caller.is_owner = None;
    f.caller.is_pca = None;
    f.org.pca_members = None;
    assert_eq!(caller_is_admin(&f).status, Status::Pass);
    // PCA derived from membership.
    f.caller.sign_in_name = "bob@contoso.com".into();
    f.caller.descriptor = Some("msa.bob".into());
    f.org.pca_members = Some(vec!["msa.bob".into()]);
    let r = caller_is_admin(&f);
    assert_eq!(r.status, Status::Pass);
    assert!(r.title.contains("Project Collection Administrator"));
    // Neither.
    f.org.pca_members = Some(vec![]);
    let r = caller_is_admin(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.fix.unwrap().contains("Project Collection Administrators"));
    // Unknown.
    f.org.pca_members = None;
    f.org.owner = None;
    assert_eq!(caller_is_admin(&f).status, Status::Warn);
}

#[test]
fn caller_must_be_a_member_of_the_destination() {
    let mut f = ready();
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Pass);
    f.caller.destination_membership = Some(Membership::Guest);
    let r = caller_is_member_of_destination(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.fix.unwrap().contains("User type"));
    f.caller.destination_membership = Some(Membership::Absent);
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Fail);
    // Derived from the tenant's users when not stated.
    f.caller.destination_membership = None;
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Pass);
    f.destination_users_mut()
        .unwrap()
        .iter_mut()
        .for_each(|u| u.user_type = UserType::Guest);
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Fail);
    f.destination_users = None;
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Warn);
    f.operation = Operation::Disconnect;
    assert_eq!(caller_is_member_of_destination(&f).status, Status::Skip);
}

#[test]
fn caller_in_source_tenant_only_for_tenant_changes() {
    let mut f = ready();
    assert_eq!(caller_in_source_tenant(&f).status, Status::Skip);
    f.operation = change();
    assert_eq!(caller_in_source_tenant(&f).status, Status::Warn);
    f.caller.source_membership = Some(Membership::Guest);
    assert_eq!(caller_in_source_tenant(&f).status, Status::Pass);
    f.caller.source_membership = Some(Membership::Member);
    assert_eq!(caller_in_source_tenant(&f).status, Status::Pass);
    f.caller.source_membership = Some(Membership::Absent);
    assert_eq!(caller_in_source_tenant(&f).status, Status::Fail);
}

#[test]
fn public_cloud_only() {
    let mut f = ready();
    assert_eq!(public_cloud(&f).status, Status::Pass);
    f.destination_tenant = Some(tenant(Cloud::Government));
    assert_eq!(public_cloud(&f).status, Status::Fail);
    f.destination_tenant = Some(tenant(Cloud::Unknown));
    assert_eq!(public_cloud(&f).status, Status::Warn);
    f.destination_tenant = None;
    assert_eq!(public_cloud(&f).status, Status::Warn);
}

#[test]
fn user_limit_is_one_hundred() {
    let mut f = ready();
    let users: Vec<OrgUser> = (0..100)
        .map(|i| msa(&format!("msa.{i}"), "U", &format!("u{i}@outlook.com")))
        .collect();
    f.org.users = Some(users.clone());
    assert_eq!(user_limit(&f).status, Status::Pass);
    let mut more = users;
    more.push(msa("msa.x", "X", "x@outlook.com"));
    f.org.users = Some(more);
    // More than 100 can still connect (Microsoft's FAQ): a warning that
    // names the portal's Resolve limit and the way round it.
    let r = user_limit(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains("101"));
    assert!(
        r.evidence.iter().any(|e| e.contains("allowed")),
        "{:?}",
        r.evidence
    );
    let fix = r.fix.clone().unwrap();
    assert!(fix.contains("ado-entra resolve"), "{fix}");
    assert!(fix.contains("stops at 100"), "{fix}");
    assert!(verdict(&[r]).can_proceed);
    f.operation = Operation::Disconnect;
    assert_eq!(user_limit(&f).status, Status::Skip);
}

#[test]
fn destination_users_must_not_be_preadded() {
    let mut f = ready();
    f.operation = change();
    assert_eq!(no_destination_users_preadded(&f).status, Status::Pass);
    // An Entra user at a destination domain.
    let mut pre = msa("aad.dan", "Dan", "Dan@Contoso.com");
    pre.origin = Origin::Aad;
    f.org.users.as_mut().unwrap().push(pre);
    let r = no_destination_users_preadded(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.evidence[0].contains("dan@contoso.com"),
        "{:?}",
        r.evidence
    );
    // By object id, even at another domain.
    let mut f = ready();
    let mut pre = msa("aad.x", "X", "x@fabrikam.com");
    pre.origin = Origin::Aad;
    pre.origin_id = "t-dan".into();
    f.org.users.as_mut().unwrap().push(pre);
    assert_eq!(no_destination_users_preadded(&f).status, Status::Fail);
    // When Azure DevOps names the identity's tenant, that decides: a user of
    // the source tenant is not a destination user whatever its UPN's domain.
    let mut f = ready();
    f.operation = change();
    let mut moved = msa("aad.m", "M", "m@contoso.com");
    moved.origin = Origin::Aad;
    moved.tenant = Some(SOURCE.into());
    f.org.users.as_mut().unwrap().push(moved.clone());
    assert_eq!(no_destination_users_preadded(&f).status, Status::Pass);
    moved.tenant = Some(DEST.into());
    f.org.users.as_mut().unwrap().push(moved);
    assert_eq!(no_destination_users_preadded(&f).status, Status::Fail);
    // Source-tenant Entra users are fine; personal accounts at the domain too.
    let mut f = ready();
    let mut src = msa("aad.s", "S", "s@fabrikam.com");
    src.origin = Origin::Aad;
    f.org.users.as_mut().unwrap().push(src);
    assert_eq!(no_destination_users_preadded(&f).status, Status::Pass);
    f.destination_tenant = None;
    f.destination_users = None;
    assert_eq!(no_destination_users_preadded(&f).status, Status::Warn);
}

#[test]
fn stale_users_are_listed() {
    let mut f = ready();
    assert_eq!(stale_users(&f).status, Status::Pass);
    let mut old = msa("msa.old", "Old", "old@outlook.com");
    old.last_accessed = Some(at("2026-07-01T00:00:00Z"));
    let mut never = msa("msa.never", "Never", "never@outlook.com");
    never.last_accessed = None;
    never.date_created = Some(at("2026-01-01T00:00:00Z"));
    let mut fresh_never = msa("msa.new", "New", "new@outlook.com");
    fresh_never.last_accessed = None;
    fresh_never.date_created = Some(at("2026-10-30T00:00:00Z"));
    f.org
        .users
        .as_mut()
        .unwrap()
        .extend([old, never, fresh_never]);
    let r = stale_users(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 2, "{:?}", r.evidence);
    assert!(r.evidence[0].contains("old@outlook.com") && r.evidence[0].contains("123 days"));
    assert!(r.evidence[1].contains("never signed in"));
    // The threshold is configurable.
    f.stale_after_days = 400;
    assert_eq!(stale_users(&f).status, Status::Pass);
    // No dates at all: could not verify.
    let mut f = ready();
    let mut blank = msa("msa.b", "B", "b@outlook.com");
    blank.last_accessed = None;
    blank.date_created = None;
    f.org.users = Some(vec![blank]);
    assert_eq!(stale_users(&f).status, Status::Warn);
    assert!(stale_users(&f).title.starts_with("Could not verify"));
}

#[test]
fn classify_covers_every_kind() {
    let mut f = ready();
    let mut tenant_users = Arc::unwrap_or_clone(f.destination_users.take().unwrap());
    let mut other = member("t-erin", "erin.w@contoso.com", "Erin Woods");
    other.other_mails = vec!["Erin@Outlook.com".into()];
    let mut proxy = member("t-finn", "finn@contoso.com", "Finn");
    proxy.mail = None;
    proxy.proxy_addresses = vec!["smtp:FINN@outlook.com".into()];
    tenant_users.extend([
        other,
        proxy,
        guest("t-gina", "gina@outlook.com", "Gina"),
        member("t-hal1", "hal1@contoso.com", "Hal Jordan"),
        member("t-hal2", "hal2@contoso.com", "Jordan, Hal"),
    ]);
    let index = crate::domain::matching::TenantIndex::new(&tenant_users, &[]);
    let c = |u: OrgUser| classify(&u, &index);

    let alice = c(msa("msa.a", "Alice Admin", " ALICE@contoso.com "));
    assert_eq!(alice.kind, MatchKind::MapsByUpn);
    assert_eq!(
        alice.upn_member().map(|m| m.upn.as_str()),
        Some("alice@contoso.com")
    );

    let erin = c(msa("msa.e", "Erin", "erin@outlook.com"));
    assert_eq!(erin.kind, MatchKind::MatchesByMailOnly);
    assert_eq!(erin.candidates[0].via, Via::OtherMail);
    assert!(erin.evidence[0].contains("Resolve"));

    let finn = c(msa("msa.f", "Finn", "finn@outlook.com"));
    assert_eq!(finn.kind, MatchKind::MatchesByMailOnly);
    assert_eq!(finn.candidates[0].via, Via::ProxyAddress);

    // The locked-out owner's case: the guest's #EXT# UPN is not the address; its mail is.
    let gina = c(msa("msa.g", "Gina", "gina@outlook.com"));
    assert_eq!(gina.kind, MatchKind::MatchesByMailOnly);
    assert_eq!(gina.candidates[0].user_type, UserType::Guest);
    assert!(gina.upn_member().is_none());
    assert!(gina.needs_guest());
    assert!(gina.evidence.iter().any(|e| e.contains("#EXT#")));

    let hal = c(msa("msa.h", "HAL JORDAN", "hal@outlook.com"));
    assert_eq!(hal.kind, MatchKind::MatchesByNameOnly);
    assert!(hal.ambiguous);
    assert_eq!(hal.candidates.len(), 2);

    let nobody = c(msa("msa.n", "Nobody", "nobody@outlook.com"));
    assert_eq!(nobody.kind, MatchKind::NoMatch);
    assert!(nobody.needs_guest());
    assert!(nobody.evidence[0].contains("invite"));

    let mut no_mail = msa("msa.z", "Zed", "Zed");
    no_mail.mail = None;
    let z = c(no_mail);
    assert_eq!(z.kind, MatchKind::NoMatch);
    assert_eq!(z.email, None);
    assert!(!z.needs_guest());
    assert!(z.evidence[0].contains("no email address"));
}

#[test]
fn duplicate_upns_or_mails_are_ambiguous() {
    let users = vec![
        member("1", "dup@contoso.com", "A"),
        member("2", "DUP@contoso.com", "B"),
        member("3", "x@contoso.com", "C"),
        member("4", "y@contoso.com", "D"),
    ];
    let mut users = users;
    users[2].mail = Some("shared@outlook.com".into());
    users[3].mail = Some("shared@outlook.com".into());
    let index = crate::domain::matching::TenantIndex::new(&users, &[]);
    let d = classify(&msa("m", "Q", "dup@contoso.com"), &index);
    assert_eq!(d.kind, MatchKind::MapsByUpn);
    assert!(d.ambiguous);
    assert!(d.upn_member().is_none());
    let s = classify(&msa("m", "Q", "shared@outlook.com"), &index);
    assert_eq!(s.kind, MatchKind::MatchesByMailOnly);
    assert!(s.ambiguous);
}

#[test]
fn email_comparison_warns_for_anyone_not_mapping_by_upn() {
    let mut f = ready();
    assert_eq!(email_comparison(&f).status, Status::Pass);
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.c", "Carol", "carol@outlook.com"));
    let r = email_comparison(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains("1 of 3"), "{}", r.title);
    assert!(r.evidence[0].contains("1 no match"), "{:?}", r.evidence);
    assert!(r.evidence.iter().any(|e| e.contains("carol@outlook.com")));
    assert_eq!(classify_all(&f).map(|v| v.len()), Some(3));
    f.destination_users = None;
    assert_eq!(email_comparison(&f).status, Status::Warn);
    assert_eq!(classify_all(&f), None);
    f.operation = Operation::Disconnect;
    assert_eq!(email_comparison(&f).status, Status::Skip);
}

#[test]
fn email_comparison_lists_every_users_lines_alone_and_in_an_evaluation() {
    // The evaluation moves each user's lines into the check once every
    // other reader of the classifications has run: the same result as the
    // check on its own, and the prediction still read them.
    let mut f = ready();
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.c", "Carol", "carol@outlook.com"));
    let alone = email_comparison(&f);
    let lines: Vec<String> = classify_all(&f)
        .unwrap()
        .into_iter()
        .flat_map(|c| c.evidence)
        .collect();
    assert_eq!(alone.evidence.len(), 1 + lines.len());
    assert_eq!(alone.evidence[1..], lines[..]);
    let e = evaluate(&f);
    assert_eq!(find(&e.results, "email-comparison"), &alone);
    assert_eq!(e.prediction, predict(&f));
    assert!(
        e.prediction
            .disconnected
            .iter()
            .any(|p| p.reason.contains("carol@outlook.com")),
        "{:?}",
        e.prediction.disconnected
    );
}

#[test]
fn personal_owner_lockout_is_caught_before_connecting() {
    let f = personal_owner_lockout();
    let r = lockout_proof(&f);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.title, "The owner would be locked out");
    assert!(
        r.evidence[0].contains("nilesh@outlook.com"),
        "{:?}",
        r.evidence
    );
    let fix = r.fix.unwrap();
    assert!(fix.contains("member whose UPN is exactly"), "{fix}");
    assert!(fix.contains("transfer organization ownership"), "{fix}");
    assert!(fix.contains(RECOVERY_URL), "{fix}");
    let p = predict(&f);
    assert_eq!(p.locked_out.len(), 1);
    assert_eq!(p.locked_out[0].roles, vec![Role::Owner, Role::Pca]);
    assert!(p.keep.is_empty());
    let all = run_all(&f);
    assert_eq!(find(&all, "lockout-proof").status, Status::Fail);
    // The owner is not a member of the tenant either (only a guest).
    assert_eq!(
        find(&all, "caller-is-member-of-destination").status,
        Status::Fail
    );
    assert_eq!(find(&all, "email-comparison").status, Status::Warn);
    let v = verdict(&all);
    assert!(!v.can_proceed);
    assert_eq!(
        v.failures,
        ["caller-is-member-of-destination", "lockout-proof"]
    );
    // The first fix the Q&A thread gives: a member account whose UPN is the address.
    let mut fixed = personal_owner_lockout();
    fixed
        .destination_users_mut()
        .unwrap()
        .push(member("t-n2", "Nilesh@Outlook.com", "Nilesh"));
    assert_eq!(lockout_proof(&fixed).status, Status::Pass);
}

#[test]
fn lockout_proof_is_the_owner_and_admins_are_their_own_check() {
    let mut f = ready();
    let r = lockout_proof(&f);
    assert_eq!(r.status, Status::Pass, "{:?}", r.evidence);
    assert_eq!(r.evidence.len(), 1);
    assert!(r.evidence[0].contains("Alice"), "{:?}", r.evidence);
    assert_eq!(admins_keep_access(&f).status, Status::Pass);
    // Bob (PCA) loses his account: the owner is fine, the admins check fails.
    f.destination_users_mut()
        .unwrap()
        .retain(|u| u.id != "t-bob");
    assert_eq!(lockout_proof(&f).status, Status::Pass);
    let r = admins_keep_access(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.title.contains("1 other administrator"), "{}", r.title);
    assert!(r.evidence[0].contains("Bob"));
    assert!(r.fix.unwrap().contains("--accept-risk admins-keep-access"));
    let p = predict(&f);
    assert_eq!(p.locked_out[0].roles, vec![Role::Pca]);
    // Accepting it lets the change go ahead; accepting the owner's lockout never does.
    let all = run_all(&f);
    assert!(!verdict(&all).can_proceed);
    let v = verdict_accepting(&all, &["admins-keep-access".into()]);
    assert!(v.can_proceed, "{v:?}");
    assert_eq!(v.accepted, ["admins-keep-access"]);
    // A disabled account does not count.
    let mut f = ready();
    f.destination_users_mut().unwrap()[0].account_enabled = false;
    assert_eq!(lockout_proof(&f).status, Status::Fail);
    let all = run_all(&f);
    let v = verdict_accepting(&all, &["lockout-proof".into(), "admins-keep-access".into()]);
    assert!(!v.can_proceed, "the owner's lockout cannot be accepted");
    assert_eq!(v.failures, ["lockout-proof"]);
    // Nor does a guest with the same UPN.
    let mut f = ready();
    f.destination_users_mut().unwrap()[0].user_type = UserType::Guest;
    let r = lockout_proof(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.evidence[0].contains("Member"), "{:?}", r.evidence);
}

#[test]
fn lockout_proof_finds_the_owner_outside_the_user_list() {
    let mut f = ready();
    f.org.users = Some(vec![msa("msa.bob", "Bob Builder", "bob@contoso.com")]);
    assert_eq!(lockout_proof(&f).status, Status::Pass);
    f.org.owner.as_mut().unwrap().email = Some("ghost@outlook.com".into());
    let r = lockout_proof(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.evidence[0].contains("ghost@outlook.com"));
}

#[test]
fn lockout_proof_warns_when_it_cannot_prove() {
    let mut f = ready();
    f.destination_users = None;
    let r = lockout_proof(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.starts_with("Could not verify"));
    let mut f = ready();
    f.org.pca_members = None;
    assert_eq!(admins_keep_access(&f).status, Status::Warn);
    let mut f = ready();
    f.org.owner = None;
    f.org.pca_members = Some(vec![]);
    assert_eq!(lockout_proof(&f).status, Status::Warn);
}

#[test]
fn predict_sorts_everybody() {
    let mut f = ready();
    f.org.users.as_mut().unwrap().extend([
        msa("msa.c", "Carol", "carol@outlook.com"),
        msa("msa.d", "Dan Developer", "dan@contoso.com"),
    ]);
    let p = predict(&f);
    let emails =
        |v: &[PredictedUser]| -> Vec<String> { v.iter().filter_map(|p| p.email.clone()).collect() };
    assert_eq!(
        emails(&p.keep),
        ["alice@contoso.com", "bob@contoso.com", "dan@contoso.com"]
    );
    assert_eq!(emails(&p.disconnected), ["carol@outlook.com"]);
    assert!(p.locked_out.is_empty() && p.unverified.is_empty());
    assert_eq!(p.keep[0].maps_to.as_deref(), Some("alice@contoso.com"));
}

#[test]
fn disconnect_keeps_personal_accounts_and_needs_a_personal_owner() {
    let mut f = ready();
    f.operation = Operation::Disconnect;
    // Personal accounts keep access as they are.
    let p = predict(&f);
    assert_eq!(p.keep.len(), 2, "{p:?}");
    assert_eq!(owner_is_personal_account(&f).status, Status::Pass);
    assert_eq!(lockout_proof(&f).status, Status::Pass);
    // A connected organization: Alice and Bob are work accounts now; Carol
    // was never mapped and is still a personal account.
    for u in f.org.users.as_mut().unwrap() {
        u.origin = Origin::Aad;
    }
    f.org
        .users
        .as_mut()
        .unwrap()
        .extend([msa("msa.c", "Carol", "carol@outlook.com"), {
            let mut d = msa("aad.d", "Dan", "dan@contoso.com");
            d.origin = Origin::Aad;
            d
        }]);
    let p = predict(&f);
    assert_eq!(p.keep.len(), 1, "Carol keeps access: {p:?}");
    assert_eq!(
        p.disconnected.len(),
        1,
        "Dan unless he has a personal account"
    );
    assert!(p.disconnected[0].reason.contains("could not verify"));
    assert_eq!(p.unverified.len(), 2, "the owner and Bob: {p:?}");
    assert!(p.locked_out.is_empty());
    let r = owner_is_personal_account(&f);
    assert_eq!(r.status, Status::Fail);
    assert!(r.fix.as_deref().unwrap().contains("Change owner"));
    assert_eq!(lockout_proof(&f).status, Status::Warn);
    assert_eq!(admins_keep_access(&f).status, Status::Warn);
    let all = run_all(&f);
    assert!(!verdict(&all).can_proceed);
    assert!(verdict_accepting(&all, &["owner-is-personal-account".into()]).can_proceed);
    // Known personal addresses settle it.
    f.known_msa_emails = Some(vec!["ALICE@contoso.com".into(), "bob@contoso.com".into()]);
    assert_eq!(owner_is_personal_account(&f).status, Status::Pass);
    assert_eq!(lockout_proof(&f).status, Status::Pass);
    assert_eq!(admins_keep_access(&f).status, Status::Pass);
    assert_eq!(predict(&f).keep.len(), 3);
    // Not a disconnect: nothing to say.
    f.operation = change();
    assert_eq!(owner_is_personal_account(&f).status, Status::Skip);
}

#[test]
fn guest_access_policy_cases() {
    let mut f = ready();
    assert_eq!(guest_access_policy(&f).status, Status::Pass);
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.c", "Carol", "carol@outlook.com"));
    assert_eq!(guest_access_policy(&f).status, Status::Pass);
    f.org.policies.disallow_aad_guest_user_access = Some(true);
    let r = guest_access_policy(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.evidence.iter().any(|e| e.contains("carol@outlook.com")));
    assert!(r.fix.unwrap().contains("Policies"));
    f.org.policies.disallow_aad_guest_user_access = None;
    assert_eq!(guest_access_policy(&f).status, Status::Warn);
    f.operation = Operation::Disconnect;
    assert_eq!(guest_access_policy(&f).status, Status::Skip);
}

#[test]
fn ssh_keys_matter_for_tenant_changes() {
    let mut f = ready();
    f.operation = Operation::Disconnect;
    assert_eq!(ssh_keys(&f).status, Status::Skip);
    f.org.ssh_keys = None;
    f.operation = change();
    assert_eq!(ssh_keys(&f).status, Status::Pass);
    f.org.ssh_keys_present = Some(true);
    let r = ssh_keys(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.fix.unwrap().contains("support"));
    f.org.ssh_keys_present = None;
    assert_eq!(ssh_keys(&f).status, Status::Warn);
}

#[test]
fn pats_and_global_pats() {
    let mut f = ready();
    assert_eq!(pats_recreate(&f).status, Status::Pass);
    assert_eq!(global_pats(&f).status, Status::Pass);
    f.org.pats = Some(vec![
        PatInfo {
            display_name: "ci".into(),
            is_global: false,
            valid_to: Some(at("2027-01-01T00:00:00Z")),
            ..PatInfo::default()
        },
        PatInfo {
            display_name: "everything".into(),
            is_global: true,
            valid_to: None,
            ..PatInfo::default()
        },
    ]);
    let r = pats_recreate(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 2);
    assert!(r.evidence[0].contains("2027-01-01"));
    let r = global_pats(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains("in 29 days"), "{}", r.title);
    assert_eq!(r.evidence, ["Global PAT \"everything\""]);
    f.now = at("2026-12-02T00:00:00Z");
    assert!(global_pats(&f).title.contains("stopped working"));
    assert_eq!(
        global_pat_cutoff().to_rfc3339(),
        "2026-12-01T00:00:00+00:00"
    );
    f.org.pats = None;
    assert_eq!(pats_recreate(&f).status, Status::Warn);
    assert_eq!(global_pats(&f).status, Status::Warn);
    f.operation = Operation::Disconnect;
    assert_eq!(pats_recreate(&f).status, Status::Skip);
}

#[test]
fn entra_groups_vanish_when_leaving_a_tenant() {
    let mut f = ready();
    assert_eq!(entra_groups(&f).status, Status::Skip);
    f.operation = change();
    assert_eq!(entra_groups(&f).status, Status::Pass);
    f.org.entra_groups_count = Some(3);
    let r = entra_groups(&f);
    assert_eq!(r.status, Status::Warn);
    assert!(r.title.contains('3'));
    f.operation = Operation::Disconnect;
    assert_eq!(entra_groups(&f).status, Status::Warn);
    f.org.entra_groups_count = None;
    assert_eq!(entra_groups(&f).status, Status::Warn);
}

#[test]
fn service_connections_in_other_tenants_are_listed() {
    let mut f = ready();
    assert_eq!(service_connections(&f).status, Status::Pass);
    f.org.service_connections = Some(vec![
        ServiceConnection {
            name: "prod".into(),
            project: "Web".into(),
            tenant_id: Some(SOURCE.into()),
            ..ServiceConnection::default()
        },
        ServiceConnection {
            name: "same".into(),
            project: "Web".into(),
            tenant_id: Some(DEST.to_uppercase()),
            ..ServiceConnection::default()
        },
        ServiceConnection {
            name: "manual".into(),
            project: "Ops".into(),
            tenant_id: None,
            ..ServiceConnection::default()
        },
    ]);
    let r = service_connections(&f);
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.evidence.len(), 2);
    assert!(r.evidence[0].contains("\"prod\" in project Web"));
    assert!(r.evidence[1].contains("\"manual\""));
    f.org.service_connections.as_mut().unwrap().remove(0);
    let r = service_connections(&f);
    assert!(r.title.starts_with("Could not verify"));
    f.org.service_connections = None;
    assert_eq!(service_connections(&f).status, Status::Warn);
    f.operation = Operation::Disconnect;
    assert_eq!(service_connections(&f).status, Status::Skip);
}

#[test]
fn verdict_collects_failures_and_warnings_in_order() {
    let results = vec![
        CheckResult::new("a", Status::Pass, "ok"),
        CheckResult::new("b", Status::Fail, "no"),
        CheckResult::new("c", Status::Warn, "hm"),
        CheckResult::new("d", Status::Fail, "no"),
        CheckResult::new("e", Status::Skip, "-"),
    ];
    let v = verdict(&results);
    assert!(!v.can_proceed);
    assert_eq!(v.failures, ["b", "d"]);
    assert_eq!(v.warnings, ["c"]);
    assert!(verdict(&[]).can_proceed);
}

#[test]
fn predicted_users_feed_the_match_engine() {
    use crate::domain::matching::{DisconnectedUser, MatchConfig, Reason, match_users};
    let mut f = ready();
    let mut erin = member("t-erin", "erin.w@contoso.com", "Erin Woods");
    erin.other_mails = vec!["erin@outlook.com".into()];
    f.destination_users_mut().unwrap().push(erin);
    f.org
        .users
        .as_mut()
        .unwrap()
        .push(msa("msa.e", "Erin Woods", "erin@outlook.com"));
    let p = predict(&f);
    let users: Vec<DisconnectedUser> = p.disconnected.iter().map(DisconnectedUser::from).collect();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].descriptor, "msa.e");
    let tenant = f.destination_users.as_deref().unwrap();
    let m = match_users(&users, tenant, &[], &MatchConfig::default());
    assert_eq!(m[0].suggestions[0].tenant_user_id, "t-erin");
    assert_eq!(m[0].suggestions[0].reason, Reason::OtherMail);
}

#[test]
fn personal_owner_lockout_report_snapshot() {
    let r = lockout_proof(&personal_owner_lockout());
    let json = serde_json::to_string_pretty(&r).unwrap();
    insta::assert_snapshot!(json);
}

#[test]
fn an_owner_whose_access_is_not_proven_blocks_the_change() {
    let mut f = ready();
    // The destination could not be read: the owner's access is unproven.
    f.destination_users = None;
    f.caller.destination_membership = None;
    f.caller.destination_unreadable =
        Some("alice@contoso.com is a personal Microsoft account".into());
    let all = run_all(&f);
    let proof = all.iter().find(|r| r.id == "lockout-proof").unwrap();
    assert_eq!(proof.status, Status::Warn, "{proof:?}");
    assert!(
        proof
            .fix
            .as_deref()
            .unwrap()
            .contains("ado-entra login --directory")
    );
    let member = caller_is_member_of_destination(&f);
    assert_eq!(member.status, Status::Warn);
    assert!(member.evidence[0].contains("personal Microsoft account"));
    assert!(member.fix.as_deref().unwrap().contains("--directory"));
    let v = verdict(&all);
    assert!(!v.can_proceed, "{v:?}");
    assert!(v.failures.contains(&"lockout-proof"), "{v:?}");
    assert!(!v.warnings.contains(&"lockout-proof"));
    // Accepting an unrelated risk does not cover it.
    assert!(!verdict_accepting(&all, &["admins-keep-access".into()]).can_proceed);
}

#[test]
fn a_destination_read_as_another_account_says_so_and_judges_the_caller_by_address() {
    let mut f = ready();
    f.caller.destination_membership = None;
    f.caller.destination_read_as = Some("alice.work@contoso.com".into());
    let r = caller_is_member_of_destination(&f);
    assert_eq!(r.status, Status::Pass, "{r:?}");
    assert!(
        r.evidence
            .iter()
            .any(|e| e.contains("read as alice.work@contoso.com")),
        "{r:?}"
    );
}

#[test]
fn every_check_has_a_name_a_skipped_one_keeps() {
    let mut names: Vec<&str> = CHECK_IDS.iter().map(|id| super::name(id)).collect();
    assert!(names.iter().all(|n| *n != "Check"), "{names:?}");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), CHECK_IDS.len(), "names are distinct");
}
