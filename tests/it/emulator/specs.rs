//! Every operation of the official OpenAPI specs (MicrosoftDocs/
//! vsts-rest-api-specs, distilled into tests/it/fixtures/specs by
//! scripts/update-spec-fixtures) that the emulator serves answers with a body that
//! validates against the spec's response schema.

use serde_json::{Map, Value, json};

use super::{spec_fixture, tenant_id};
use crate::support::{self, ADO_SCOPE, GRAPH_SCOPE, get_json, http, sign_in};

const SPECS: [&str; 7] = [
    "account-7.1-accounts.json",
    "core-7.1-projects-subset.json",
    "git-7.1-repositories-subset.json",
    "graph-7.1-users-descriptors-subset.json",
    "memberEntitlementManagement-7.1-userentitlements-subset.json",
    "profile-7.1-profile.json",
    "serviceEndpoint-7.1-endpoints-subset.json",
];

/// A small Swagger 2.0 schema validator: `$ref`, `allOf`, object
/// properties, `required`, `additionalProperties`, arrays, the scalar
/// types, `enum`, and the formats `date-time` and `uuid`. Azure DevOps
/// writes `null` for absent values, so `null` passes anywhere; `format: T`
/// (a generic) takes anything.
struct Validator<'a> {
    definitions: &'a Map<String, Value>,
}

impl Validator<'_> {
    fn check(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        if v.is_null() || schema.get("format").and_then(Value::as_str) == Some("T") {
            return;
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/definitions/");
            match self.definitions.get(name) {
                Some(d) => self.check(d, v, at, errors),
                None => errors.push(format!("{at}: unresolved {r}")),
            }
            return;
        }
        for sub in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.check(sub, v, at, errors);
        }
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                if schema.get("properties").is_some() || schema.get("allOf").is_some() {
                    "object"
                } else if schema.get("enum").is_some() {
                    "string"
                } else {
                    ""
                }
            });
        let mut wrong =
            |expected: &str| errors.push(format!("{at}: expected {expected}, found {v}"));
        match kind {
            "object" => {
                let Some(o) = v.as_object() else {
                    return wrong("an object");
                };
                let properties = schema.get("properties").and_then(Value::as_object);
                for (k, sub) in properties.into_iter().flatten() {
                    if let Some(x) = o.get(k) {
                        self.check(sub, x, &format!("{at}.{k}"), errors);
                    }
                }
                for k in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let k = k.as_str().unwrap_or("");
                    if !o.contains_key(k) {
                        errors.push(format!("{at}: lacks the required {k}"));
                    }
                }
                if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    for (k, x) in o {
                        if properties.is_none_or(|p| !p.contains_key(k)) {
                            self.check(extra, x, &format!("{at}.{k}"), errors);
                        }
                    }
                }
            }
            "array" => {
                let Some(a) = v.as_array() else {
                    return wrong("an array");
                };
                if let Some(items) = schema.get("items") {
                    for (i, x) in a.iter().enumerate() {
                        self.check(items, x, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            "string" => {
                let Some(s) = v.as_str() else {
                    return wrong("a string");
                };
                if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
                    && !allowed.iter().any(|e| e.as_str() == Some(s))
                {
                    errors.push(format!("{at}: '{s}' is not one of {allowed:?}"));
                }
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                        errors.push(format!("{at}: '{s}' is not a date-time"))
                    }
                    Some("uuid") if uuid::Uuid::parse_str(s).is_err() || s.len() != 36 => {
                        errors.push(format!("{at}: '{s}' is not a uuid"))
                    }
                    _ => {}
                }
            }
            "integer" if !(v.is_i64() || v.is_u64()) => wrong("an integer"),
            "number" if !v.is_number() => wrong("a number"),
            "boolean" if !v.is_boolean() => wrong("a boolean"),
            _ => {}
        }
    }
}

/// Validate `body` against an operation's 200 schema. Collections come
/// wrapped, as Azure DevOps sends them: `{"count": n, "value": ...}`.
fn validate(spec: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let v = Validator {
        definitions: spec["definitions"].as_object().expect("definitions"),
    };
    let mut errors = Vec::new();
    let collection = schema.get("type").and_then(Value::as_str) == Some("array")
        || (schema.get("additionalProperties").is_some() && schema.get("properties").is_none());
    if collection {
        let value = &body["value"];
        let n = value
            .as_array()
            .map(Vec::len)
            .or(value.as_object().map(Map::len));
        if body["count"].as_u64().map(|c| c as usize) != n {
            errors.push(format!("count {} does not match value", body["count"]));
        }
        v.check(schema, value, "value", &mut errors);
    } else {
        v.check(schema, body, "", &mut errors);
    }
    errors
}

#[test]
fn the_validator_can_fail() {
    let spec = json!({"definitions": {"T": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string", "format": "uuid"},
        "when": {"type": "string", "format": "date-time"},
        "kind": {"enum": ["a", "b"]},
        "n": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "boolean"}}
    }}}});
    let schema = json!({"$ref": "#/definitions/T"});
    let good = json!({"id": "afade585-1111-4222-8333-444455556666", "when": "0001-01-01T00:00:00Z", "kind": "a", "n": 3, "items": [true], "extra": 1});
    assert_eq!(validate(&spec, &schema, &good), Vec::<String>::new());
    for bad in [
        json!({}),
        json!({"id": "nope"}),
        json!({"id": "afade585-1111-4222-8333-444455556666", "when": "yesterday"}),
        json!({"id": "afade585-1111-4222-8333-444455556666", "kind": "c"}),
        json!({"id": "afade585-1111-4222-8333-444455556666", "n": "3"}),
        json!({"id": "afade585-1111-4222-8333-444455556666", "items": [1]}),
    ] {
        assert!(!validate(&spec, &schema, &bad).is_empty(), "{bad}");
    }
    let list = json!({"type": "array", "items": {"$ref": "#/definitions/T"}});
    assert!(!validate(&spec, &list, &json!({"count": 2, "value": [good]})).is_empty());
}

#[tokio::test]
async fn every_spec_operation_the_emulator_serves_validates_against_its_schema() {
    let emu = support::start("messy").await;
    let base = emu.base_url();
    let org = "fabrikam-messy";
    let t = tenant_id(&emu, 0);
    // Connect (as the owner's personal account), then work as the owner's
    // Entra account, so that remapping is possible.
    let (personal, _) = sign_in(&emu, "owner@fabrikam.com", "organizations", ADO_SCOPE).await;
    assert_eq!(
        support::set_tenant(&emu, org, &personal, &t).await.status(),
        200
    );
    let (ado, _) = sign_in(&emu, "owner@fabrikam.com", &t, ADO_SCOPE).await;
    let (graph, _) = sign_in(&emu, "owner@fabrikam.com", &t, GRAPH_SCOPE).await;
    let st = support::state(&emu).await;
    let user = |name: &str| {
        st["org"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["display_name"] == name)
            .unwrap()
            .clone()
    };
    let owner = st["org"]["owner_user"].clone();
    let owner_d = owner["descriptor"].as_str().unwrap().to_string();
    let carl = user("Carl Dahl");
    let (_, found) = get_json(
        &format!("{base}/graph/v1.0/users/carl@fabrikam.com?$select=id"),
        &graph,
    )
    .await;
    let (_, profile) = get_json(
        &format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
        &ado,
    )
    .await;
    let (_, projects) = get_json(
        &format!("{base}/dev/{org}/_apis/projects?api-version=7.1"),
        &ado,
    )
    .await;
    let web = projects["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Web")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, repos) = get_json(
        &format!("{base}/dev/{org}/Web/_apis/git/repositories?api-version=7.1"),
        &ado,
    )
    .await;
    let repo = repos["value"][0]["id"].as_str().unwrap().to_string();
    let (_, endpoints) = get_json(
        &format!("{base}/dev/{org}/Web/_apis/serviceendpoint/endpoints?api-version=7.1"),
        &ado,
    )
    .await;
    let endpoint = endpoints["value"][0]["id"].as_str().unwrap().to_string();
    let ann = user("Ann Berg")["id"].as_str().unwrap().to_string();
    let dev = |p: &str| format!("{base}/dev/{org}/{p}");
    let vssps = |p: &str| format!("{base}/vssps/{org}/_apis/{p}");
    let vsaex = |p: &str| format!("{base}/vsaex/{org}/_apis/{p}");
    let preview = "api-version=7.1-preview.1";
    // (spec, method, spec path, URL, body)
    let ops: Vec<(&str, &str, &str, String, Option<Value>)> = vec![
        (
            "account-7.1-accounts.json",
            "get",
            "/_apis/accounts",
            format!(
                "{base}/app-vssps/_apis/accounts?memberId={}&api-version=7.1",
                profile["publicAlias"].as_str().unwrap()
            ),
            None,
        ),
        (
            "core-7.1-projects-subset.json",
            "get",
            "/{organization}/_apis/projects",
            dev("_apis/projects?api-version=7.1"),
            None,
        ),
        (
            "core-7.1-projects-subset.json",
            "get",
            "/{organization}/_apis/projects/{projectId}",
            dev(&format!(
                "_apis/projects/{web}?includeCapabilities=true&api-version=7.1"
            )),
            None,
        ),
        (
            "git-7.1-repositories-subset.json",
            "get",
            "/{organization}/{project}/_apis/git/repositories",
            dev("Web/_apis/git/repositories?api-version=7.1"),
            None,
        ),
        (
            "git-7.1-repositories-subset.json",
            "get",
            "/{organization}/{project}/_apis/git/repositories/{repositoryId}",
            dev(&format!(
                "Web/_apis/git/repositories/{repo}?api-version=7.1"
            )),
            None,
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "get",
            "/{organization}/_apis/graph/descriptors/{storageKey}",
            vssps(&format!(
                "graph/descriptors/{}?{preview}",
                owner["id"].as_str().unwrap()
            )),
            None,
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "get",
            "/{organization}/_apis/graph/storagekeys/{subjectDescriptor}",
            vssps(&format!("graph/storagekeys/{owner_d}?{preview}")),
            None,
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "post",
            "/{organization}/_apis/graph/subjectlookup",
            vssps(&format!("graph/subjectlookup?{preview}")),
            Some(json!({"lookupKeys": [{"descriptor": owner_d}]})),
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "get",
            "/{organization}/_apis/graph/users",
            vssps(&format!("graph/users?subjectTypes=msa,aad&{preview}")),
            None,
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "get",
            "/{organization}/_apis/graph/users/{userDescriptor}",
            vssps(&format!("graph/users/{owner_d}?{preview}")),
            None,
        ),
        (
            "graph-7.1-users-descriptors-subset.json",
            "patch",
            "/{organization}/_apis/graph/users/{userDescriptor}",
            vssps(&format!(
                "graph/users/{}?{preview}",
                carl["descriptor"].as_str().unwrap()
            )),
            Some(json!({"originId": found["id"]})),
        ),
        (
            "memberEntitlementManagement-7.1-userentitlements-subset.json",
            "post",
            "/{organization}/_apis/userentitlements",
            vsaex("userentitlements?api-version=7.1"),
            Some(
                json!({"accessLevel": {"accountLicenseType": "express", "licensingSource": "account"}, "user": {"principalName": "ivy.jones@fabrikam.com", "subjectKind": "user"}}),
            ),
        ),
        (
            "memberEntitlementManagement-7.1-userentitlements-subset.json",
            "get",
            "/{organization}/_apis/userentitlements",
            vsaex("userentitlements?api-version=7.1"),
            None,
        ),
        (
            "memberEntitlementManagement-7.1-userentitlements-subset.json",
            "get",
            "/{organization}/_apis/userentitlements/{userId}",
            vsaex(&format!("userentitlements/{ann}?api-version=7.1")),
            None,
        ),
        (
            "memberEntitlementManagement-7.1-userentitlements-subset.json",
            "patch",
            "/{organization}/_apis/userentitlements/{userId}",
            vsaex(&format!("userentitlements/{ann}?api-version=7.1")),
            Some(
                json!([{"from": "", "op": "replace", "path": "/accessLevel", "value": {"accountLicenseType": "stakeholder", "licensingSource": "account"}}]),
            ),
        ),
        (
            "memberEntitlementManagement-7.1-userentitlements-subset.json",
            "get",
            "/{organization}/_apis/userentitlementsummary",
            vsaex("userentitlementsummary?select=licenses&api-version=7.1"),
            None,
        ),
        (
            "profile-7.1-profile.json",
            "get",
            "/_apis/profile/profiles/{id}",
            format!("{base}/app-vssps/_apis/profile/profiles/me?api-version=7.1"),
            None,
        ),
        (
            "serviceEndpoint-7.1-endpoints-subset.json",
            "get",
            "/{organization}/{project}/_apis/serviceendpoint/endpoints",
            dev(
                "Web/_apis/serviceendpoint/endpoints?type=AzureRM&includeDetails=true&api-version=7.1",
            ),
            None,
        ),
        (
            "serviceEndpoint-7.1-endpoints-subset.json",
            "get",
            "/{organization}/{project}/_apis/serviceendpoint/endpoints/{endpointId}",
            dev(&format!(
                "Web/_apis/serviceendpoint/endpoints/{endpoint}?api-version=7.1"
            )),
            None,
        ),
    ];
    // Every operation the fixtures list is exercised, and only those.
    let mut listed: Vec<(String, String, String)> = Vec::new();
    for name in SPECS {
        let spec = spec_fixture(name);
        for (path, methods) in spec["paths"].as_object().unwrap() {
            for method in methods.as_object().unwrap().keys() {
                listed.push((name.into(), method.clone(), path.clone()));
            }
        }
    }
    let mut exercised: Vec<(String, String, String)> = ops
        .iter()
        .map(|(s, m, p, _, _)| (s.to_string(), m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    exercised.sort();
    assert_eq!(
        exercised, listed,
        "the operations exercised are the ones the fixtures list"
    );
    let mut problems = Vec::new();
    for (name, method, path, url, body) in &ops {
        let spec = spec_fixture(name);
        let schema = &spec["paths"][path][method]["responses"]["200"]["schema"];
        let mut rq = http()
            .request(
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                url,
            )
            .bearer_auth(&ado)
            .header("X-TFS-FedAuthRedirect", "Suppress");
        if let Some(b) = body {
            rq = rq
                .header(
                    "content-type",
                    if b.is_array() {
                        "application/json-patch+json"
                    } else {
                        "application/json"
                    },
                )
                .body(b.to_string());
        }
        let r = rq.send().await.unwrap();
        let status = r.status();
        let got: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {url}: {got}");
        for e in validate(&spec, schema, &got) {
            problems.push(format!("{method} {path} ({name}): {e}"));
        }
    }
    assert!(
        problems.is_empty(),
        "bodies that do not validate:\n{}",
        problems.join("\n")
    );
    emu.shutdown().await;
}

/// Every `#/definitions/…` a schema refers to.
fn refs(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                out.insert(name.to_string());
            }
            o.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The spec fixtures are what scripts/update-spec-fixtures distils from the
/// specs beside the checkout: the same 200 responses, and exactly the
/// definitions they reach, each as the spec has it.
#[test]
fn spec_fixtures_match_the_specs() {
    let Some(dir) = crate::recordings::recordings_dir() else {
        support::skipped("../shared/reference is not beside the checkout");
        return;
    };
    let mut drift = Vec::new();
    for name in SPECS {
        let path = dir.join("vsts-rest-api-specs/specs").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let real: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
        let ours = spec_fixture(name);
        let mut reached = std::collections::BTreeSet::new();
        for (p, methods) in ours["paths"].as_object().unwrap() {
            for (m, op) in methods.as_object().unwrap() {
                let r = &real["paths"][p][m];
                if r["responses"]["200"] != op["responses"]["200"] {
                    drift.push(format!("{name}: {m} {p}: the 200 response differs"));
                }
                refs(&r["responses"]["200"], &mut reached);
            }
        }
        let mut todo: Vec<String> = reached.iter().cloned().collect();
        while let Some(d) = todo.pop() {
            let mut more = std::collections::BTreeSet::new();
            refs(&real["definitions"][&d], &mut more);
            for x in more {
                if reached.insert(x.clone()) {
                    todo.push(x);
                }
            }
        }
        let have: std::collections::BTreeSet<String> = ours["definitions"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        if have != reached {
            drift.push(format!(
                "{name}: definitions {have:?} but the spec reaches {reached:?}"
            ));
        }
        for d in &have {
            if ours["definitions"][d] != real["definitions"][d] {
                drift.push(format!("{name}: definition {d} differs"));
            }
        }
    }
    assert!(
        drift.is_empty(),
        "the spec fixtures drifted (run scripts/update-spec-fixtures):\n{}",
        drift.join("\n")
    );
}
