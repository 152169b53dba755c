//! Real recorded Azure responses deserialize into the models: documents of
//! each recording's shape, rebuilt from the distilled fixture (see
//! `crate::recordings`).

use ado_entra::client::models::ListOf;
use ado_entra::client::models::ado::*;
use ado_entra::client::models::graph;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::recordings::{csv, json as load};

fn de<T: DeserializeOwned>(what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Bodies of recorded interactions whose request URI contains `needle` and answered 2xx.
fn bodies(v: &Value, needle: &str) -> Vec<Value> {
    v["interactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["request"]["uri"].as_str().unwrap_or("").contains(needle))
        .filter(|i| {
            i["response"]["status"]
                .as_u64()
                .is_some_and(|s| (200..300).contains(&s))
        })
        .map(|i| i["response"]["body"].clone())
        .filter(|b| b.is_object())
        .collect()
}

#[test]
fn ado_cli_recordings() {
    let v = load("azure-devops-cli-recordings/ado_userentitlements_list_aad_2026.json");
    let page: UserEntitlementsPage = de("entitlements", &v["interactions"][0]["response"]["body"]);
    let members = page.into_members();
    assert_eq!(members.len(), 3);
    assert!(
        members
            .iter()
            .any(|m| m.user.descriptor.starts_with("aadsp."))
    );
    assert!(members.iter().any(|m| m.user.meta_type.is_none()));

    let v = load("azure-devops-cli-recordings/ado_userentitlements_msa_flow_2021.json");
    let mut saw_msa = false;
    for b in bodies(&v, "serEntitlements") {
        if let Some(u) = b.get("user") {
            let s: GraphSubject = de("msa user", u);
            saw_msa |= s.is_msa() || s.is_bind_pending();
        }
    }
    assert!(saw_msa);

    let v = load(
        "azure-devops-cli-recordings/ado_graph_descriptors_groups_memberships_subjectlookup.json",
    );
    let groups = bodies(&v, "/Groups?");
    assert!(!groups.is_empty());
    for g in groups {
        let l: ListOf<GraphSubject> = de("groups", &g);
        assert!(l.value.iter().all(|g| g.descriptor.starts_with("vssgp.")));
    }
    for m in bodies(&v, "/Memberships/") {
        if m.get("containerDescriptor").is_some() {
            let _: GraphMembership = de("membership", &m);
        }
    }

    let v = load("azure-devops-cli-recordings/ado_projects_create_list_show_delete.json");
    for b in bodies(&v, "_apis/projects?") {
        if b.get("value").is_some() {
            let l: ListOf<Project> = de("projects", &b);
            assert!(!l.value.is_empty());
        }
    }
    let v = load(
        "azure-devops-cli-recordings/ado_git_repositories_create_list_show_update_delete.json",
    );
    for b in bodies(&v, "git/repositories") {
        if b.get("value").is_some() {
            let l: ListOf<Repository> = de("repos", &b);
            assert!(l.value.iter().all(|r| !r.id.is_empty()));
        }
    }
}

#[test]
fn ado_error_recordings_parse_without_panic() {
    let v = load("azure-devops-cli-recordings/ado_error_responses_401_404_400_503.json");
    for i in v["interactions"].as_array().unwrap() {
        let status =
            reqwest::StatusCode::from_u16(i["response"]["status"].as_u64().unwrap() as u16)
                .unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, val) in i["response"]["headers"].as_object().unwrap() {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                val.as_str().unwrap().parse().unwrap(),
            );
        }
        let body = match &i["response"]["body"] {
            Value::String(s) => s.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        let e = ado_entra::client::error::api_error(
            ado_entra::client::Service::AzureDevOps,
            status,
            "X".into(),
            &headers,
            &body,
        );
        // Every recorded refusal gets a next step from the one advice function.
        let advice = ado_entra::ops::advice::client(&ado_entra::client::ClientError::Api(
            Box::new(e.clone()),
        ));
        assert!(advice.next_step.is_some(), "{advice:?}");
        if status == 503 {
            assert_eq!(e.code.as_deref(), Some("TF24668"));
            assert_eq!(e.type_key.as_deref(), Some("VssServiceException"));
        }
        if status == 401 {
            assert!(e.request_id.is_some());
        }
    }
}

#[test]
fn dfe_and_sourcegraph_recordings() {
    let v = load("dfe-ssphp-fixtures/ado_graph_users_list_aktest0831_vsts_and_aad.json");
    let l: ListOf<GraphSubject> = de("graph users", &v);
    assert!(l.value.len() >= 4);
    let v = load("dfe-ssphp-fixtures/ado_projects_list_aktest0831.json");
    let _: ListOf<Project> = de("projects", &v);
    let v = load("dfe-ssphp-fixtures/ado_git_repositories_list_aktest0831_foo.json");
    let _: ListOf<Repository> = de("repos", &v);
    let v = load("dfe-ssphp-fixtures/ado_graph_serviceprincipals_list_aktest0831.json");
    let _: ListOf<GraphSubject> = de("service principals", &v);
    let v = load("sourcegraph-ado-vcr/ListRepositoriesByOrg_first_interaction.json");
    let body = &v["response"]["body"];
    let body: Value = match body {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    let _: ListOf<Repository> = de("sourcegraph repos", &body);

    let csv = csv("dfe-ssphp-fixtures/enterprisecatalog_organizations_sample.csv");
    let rows = ado_entra::client::ado::undocumented::parse_catalog_csv(&csv).unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| !r.id.is_empty() && !r.id.starts_with(' '))
    );
}

#[test]
fn spec_examples() {
    let v =
        load("vsts-rest-api-specs/profile/7.1/httpExamples/profiles/GET__profile_profiles_me.json");
    let p: Profile = de("profile", &v["responses"]["200"]["body"]);
    assert!(p.public_alias.is_some());
    let v = load(
        "vsts-rest-api-specs/account/7.1/httpExamples/accounts/GET__Accounts_memberId-_userId_.json",
    );
    let a: ListOf<Account> = de("accounts", &v["responses"]["200"]["body"]);
    assert_eq!(a.value.len(), 2);
    let v = load(
        "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/CreateAzureRMEndpoint.json",
    );
    let e: ServiceEndpoint = de("azurerm", &v["responses"]["200"]["body"]);
    assert!(
        e.tenant_id().is_some(),
        "AzureRM tenant id from authorization.parameters.tenantid"
    );
    for f in [
        "ListEndpoints.json",
        "GET__ServiceEndpoints.json",
        "GetServiceEndpointsByName.json",
    ] {
        let v = load(&format!(
            "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/{f}"
        ));
        let _: ListOf<ServiceEndpoint> = de(f, &v["responses"]["200"]["body"]);
    }
    let v = load("vsts-rest-api-specs/graph/7.1/httpExamples/Users/GetAllUsers.json");
    let _: ListOf<GraphSubject> = de("GetAllUsers", &v["responses"]["200"]["body"]);
    let v = load("vsts-rest-api-specs/core/7.1/httpExamples/projects/GET__projects.json");
    let _: ListOf<Project> = de("projects", &v["responses"]["200"]["body"]);
    let v =
        load("vsts-rest-api-specs/git/7.1/httpExamples/repositories/GET__git_repositories.json");
    let _: ListOf<Repository> = de("repos", &v["responses"]["200"]["body"]);
    let v = load(
        "vsts-rest-api-specs/memberEntitlementManagement/7.1/httpExamples/UserEntitlements/GET__memberEntitlementManagement_UserEntitlementById.json",
    );
    let _: UserEntitlement = de("entitlement", &v["responses"]["200"]["body"]);
    let v = load(
        "vsts-rest-api-specs/memberEntitlementManagement/4.1/httpExamples/UserEntitlements/GET__memberEntitlementManagement_UserEntitlements.json",
    );
    let p: UserEntitlementsPage = de("4.1 list", &v["responses"]["200"]["body"]);
    assert!(!p.into_members().is_empty());
}

#[test]
fn graph_recordings() {
    let v = load("msgraph-docs/graph_me_get_docs_example.json");
    let me: graph::User = de("me", &v["response"]["body"]);
    assert_eq!(
        me.user_principal_name.as_deref(),
        v["response"]["body"]["userPrincipalName"].as_str()
    );
    assert!(
        me.user_principal_name.is_some_and(|u| u.contains('@')),
        "an address"
    );
    let v = load("msgraph-docs/graph_organization_get_docs_example.json");
    let body = &v["response"]["body"];
    let org: graph::Organization = if body.get("value").is_some() {
        de("org", &body["value"][0])
    } else {
        de("org", body)
    };
    assert!(!org.verified_domains.is_empty());
    let v = load("msgraph-docs/graph_invitation_post_docs_example.json");
    let inv: graph::Invitation = de("invitation", &v["response"]["body"]);
    assert_eq!(inv.invited_user_type.as_deref(), Some("Guest"));
    let v = load("msgraph-docs/graph_batch_docs_example.json");
    let responses: Vec<graph::BatchResponse> = de("batch", &v["response"]["body"]["responses"]);
    assert!(responses.iter().any(|r| r.status == 403));
    let v = load("azure-cli-graph-recordings/graph_users_create_get_list_paged_delete.json");
    let pages = bodies(&v, "/users");
    let mut saw_next = false;
    for b in pages {
        if b.get("value").is_some() {
            let p: graph::Page<graph::User> = de("users page", &b);
            saw_next |= p.next_link.is_some();
        }
    }
    assert!(saw_next);
}
