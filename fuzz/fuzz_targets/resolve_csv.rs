//! An edited Resolve plan comes back as a CSV the admin saved from a
//! spreadsheet. `parse_csv` must report problems, never panic, and whatever it
//! accepts must apply to the plan it was checked against.
#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use ado_entra::domain::facts::{TenantUser, UserType};
use ado_entra::domain::matching::{DisconnectedUser, MatchConfig, match_users};
use ado_entra::domain::resolve::{Directory, Plan, parse_csv};
use libfuzzer_sys::fuzz_target;

fn tenant_user(id: &str, upn: &str, name: &str) -> TenantUser {
    TenantUser {
        id: id.into(),
        user_principal_name: upn.into(),
        mail: Some(upn.into()),
        display_name: name.into(),
        user_type: UserType::Member,
        account_enabled: true,
        ..Default::default()
    }
}

fn disconnected(descriptor: &str, name: &str, email: &str) -> DisconnectedUser {
    DisconnectedUser {
        descriptor: descriptor.into(),
        display_name: name.into(),
        email: (!email.is_empty()).then(|| email.into()),
    }
}

/// The same small organization as the unit tests' fixture: an exact UPN
/// match, an otherMails match, a name match, no match, and a user without an
/// address whose name looks like a spreadsheet formula.
static TENANT: LazyLock<Vec<TenantUser>> = LazyLock::new(|| {
    let mut carl = tenant_user("id-carl", "carl@fabrikam.com", "Carl Dahl");
    carl.other_mails = vec!["carl.personal@outlook.com".into()];
    vec![
        tenant_user("id-ann", "ann@fabrikam.com", "Ann Berg"),
        carl,
        tenant_user("id-erik", "erik@fabrikam.com", "Erik Lund"),
        tenant_user("id-ivy1", "ivy@fabrikam.com", "Ivy Jones"),
        tenant_user("id-gina", "gina@fabrikam.com", "Gina Holt"),
    ]
});

static PLAN: LazyLock<Plan> = LazyLock::new(|| {
    let users = vec![
        disconnected("msa.ann", "Ann Berg", "ann@fabrikam.com"),
        disconnected("msa.carl", "Carl Dahl", "carl.personal@outlook.com"),
        disconnected("msa.erik", "Erik Lund", "erik.l@gmail.com"),
        disconnected("msa.frank", "Frank Gray", "frank@gmail.com"),
        disconnected("msa.noone", "=HYPERLINK(\"x\")", ""),
    ];
    let matches = match_users(
        &users,
        &TENANT,
        &["fabrikam.com".into()],
        &MatchConfig::default(),
    );
    Plan::new("fabrikam-messy", "tid", &users, matches)
});

static DIRECTORY: LazyLock<Directory<'static>> = LazyLock::new(|| Directory::new(&TENANT));

fuzz_target!(|data: &[u8]| {
    let plan = &*PLAN;
    let taken: HashSet<String> = HashSet::new();
    match parse_csv("plan.csv", data, plan, &DIRECTORY, &taken) {
        Ok(decisions) => {
            for (row, _) in &decisions {
                assert!(*row < plan.rows.len());
            }
            let mut p = plan.clone();
            p.apply_decisions(decisions);
            let _ = p.summary();
            let _ = p.jobs();
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            let _ = e.to_string();
        }
    }
});
