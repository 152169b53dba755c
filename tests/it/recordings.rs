//! Real Azure responses, as shapes the tests carry with them.
//!
//! Responses recorded from Azure and documented examples (see each entry's
//! `source`) live beside the checkout in `../shared/reference`. The tests do
//! not read them there: [`distil`] reduces each one to its key paths and the
//! kind of value at each (a GUID, a date, an e-mail address, a descriptor and
//! its prefix, a URL with its identifying parts blanked, free text; the
//! values of a few enumerations such as `origin` or `status` are kept), and
//! the result is committed as `tests/it/fixtures/reference-shapes.json`.
//! [`json`] and [`csv`] rebuild a document of that shape with placeholder
//! values, which is what the model and emulator tests read, so a fresh clone
//! tests the same thing as a checkout with the recordings beside it.
//!
//! When `../shared/reference` is present, [`shapes_match_the_recordings`]
//! distils it again and fails if the fixture has drifted;
//! `scripts/update-reference-fixtures` (`ADO_ENTRA_UPDATE_FIXTURES=1`)
//! rewrites it. That is the only test that needs the recordings, and the
//! only one that skips without them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::support;

/// The recordings the tests read, relative to `../shared/reference`.
pub const FILES: &[&str] = &[
    "azure-cli-graph-recordings/graph_users_create_get_list_paged_delete.json",
    "azure-devops-cli-recordings/ado_error_responses_401_404_400_503.json",
    "azure-devops-cli-recordings/ado_git_repositories_create_list_show_update_delete.json",
    "azure-devops-cli-recordings/ado_graph_descriptors_groups_memberships_subjectlookup.json",
    "azure-devops-cli-recordings/ado_projects_create_list_show_delete.json",
    "azure-devops-cli-recordings/ado_userentitlements_list_aad_2026.json",
    "azure-devops-cli-recordings/ado_userentitlements_msa_flow_2021.json",
    "dfe-ssphp-fixtures/ado_git_repositories_list_aktest0831_foo.json",
    "dfe-ssphp-fixtures/ado_graph_serviceprincipals_list_aktest0831.json",
    "dfe-ssphp-fixtures/ado_graph_users_list_aktest0831_vsts_and_aad.json",
    "dfe-ssphp-fixtures/ado_projects_list_aktest0831.json",
    "dfe-ssphp-fixtures/enterprisecatalog_organizations_sample.csv",
    "msgraph-docs/graph_batch_docs_example.json",
    "msgraph-docs/graph_invitation_post_docs_example.json",
    "msgraph-docs/graph_me_get_docs_example.json",
    "msgraph-docs/graph_organization_get_docs_example.json",
    "sourcegraph-ado-vcr/ListRepositoriesByOrg_first_interaction.json",
    "vsts-rest-api-specs/account/7.1/httpExamples/accounts/GET__Accounts_memberId-_userId_.json",
    "vsts-rest-api-specs/core/7.1/httpExamples/projects/GET__projects.json",
    "vsts-rest-api-specs/git/7.1/httpExamples/repositories/GET__git_repositories.json",
    "vsts-rest-api-specs/graph/7.1/httpExamples/Users/GetAllUsers.json",
    "vsts-rest-api-specs/memberEntitlementManagement/4.1/httpExamples/UserEntitlements/GET__memberEntitlementManagement_UserEntitlements.json",
    "vsts-rest-api-specs/memberEntitlementManagement/7.1/httpExamples/UserEntitlements/GET__memberEntitlementManagement_UserEntitlementById.json",
    "vsts-rest-api-specs/profile/7.1/httpExamples/profiles/GET__profile_profiles_me.json",
    "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/CreateAzureRMEndpoint.json",
    "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/GET__ServiceEndpoints.json",
    "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/GetServiceEndpointsByName.json",
    "vsts-rest-api-specs/serviceEndpoint/7.1/httpExamples/endpoints/ListEndpoints.json",
];

/// Set to `1` to rewrite the fixture from `../shared/reference`.
const UPDATE: &str = "ADO_ENTRA_UPDATE_FIXTURES";

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/fixtures/reference-shapes.json"
);

/// The recordings beside the checkout, when they are there.
pub fn recordings_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    dir.is_dir().then_some(dir)
}

/// A JSON document shaped like the recording `rel`, with placeholder values.
pub fn json(rel: &str) -> Value {
    let shape = entry(rel)["shape"]
        .as_array()
        .unwrap_or_else(|| panic!("{rel} is not a JSON recording"));
    rebuild(shape)
}

/// A CSV text shaped like the recording `rel`, with placeholder values.
pub fn csv(rel: &str) -> String {
    let c = &entry(rel)["csv"];
    assert!(c.is_object(), "{rel} is not a CSV recording");
    let sep = c["separator"].as_str().unwrap();
    let end = c["line_end"].as_str().unwrap();
    let header: Vec<&str> = c["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let mut out = header.join(sep) + end;
    let mut n = 0;
    for row in c["rows"].as_array().unwrap() {
        let fields: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|k| match placeholder(k.as_str().unwrap(), &mut n) {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        out += &(fields.join(sep) + end);
    }
    out
}

fn entry(rel: &str) -> &'static Value {
    static FIXTURE_JSON: OnceLock<Value> = OnceLock::new();
    let all = FIXTURE_JSON.get_or_init(|| {
        let text = std::fs::read_to_string(FIXTURE).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
    });
    let e = &all["files"][rel];
    assert!(
        !e.is_null(),
        "{rel} is not in {FIXTURE}: add it to recordings::FILES and run scripts/update-reference-fixtures"
    );
    e
}

// ----- distilling -----------------------------------------------------------

/// The fixture for the recordings in `dir`: every file of [`FILES`], its
/// provenance and its shape.
pub fn distil(dir: &Path) -> Value {
    let mut files = Map::new();
    for rel in FILES {
        let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let text = text.trim_start_matches('\u{feff}');
        let entry = if rel.ends_with(".csv") {
            json!({"source": provenance(rel, &Value::Null), "csv": csv_shape(text)})
        } else {
            let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let mut shape = Vec::new();
            shape_of(&doc, "", "", &mut shape);
            let shape: Vec<Value> = shape.into_iter().map(|(p, k)| json!([p, k])).collect();
            json!({"source": provenance(rel, &doc["_source"]), "shape": shape})
        };
        files.insert(rel.to_string(), entry);
    }
    json!({
        "about": "Key paths and value kinds of recorded Azure responses, distilled from ../shared/reference by tests/it/recordings.rs; rewrite with scripts/update-reference-fixtures, never by hand.",
        "files": files,
    })
}

/// Where a recording comes from: the saver's `_source` block (its free-text
/// notes left out), or for the files saved without one, what
/// `../shared/reference/SOURCES.md` says of their directory.
fn provenance(rel: &str, saved: &Value) -> Value {
    if let Some(o) = saved.as_object() {
        let keep = [
            "repo",
            "path",
            "files",
            "section",
            "commit",
            "last_changed_in",
            "interaction_index",
            "recorded",
            "license",
        ];
        return Value::Object(
            o.iter()
                .filter(|(k, _)| keep.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
    }
    if let Some(path) = rel.strip_prefix("vsts-rest-api-specs/") {
        return json!({
            "repo": "MicrosoftDocs/vsts-rest-api-specs",
            "path": format!("specification/{path}"),
            "commit": "adb28786a3e9349d5b3deb43eb2134b682c33bb2",
            "license": "MIT",
        });
    }
    if let Some(name) = rel.strip_prefix("dfe-ssphp-fixtures/") {
        const CRATE: &str = "data_ingester/data_ingester_workspace/data_ingester_azure_dev_ops";
        let path = match name {
            "ado_projects_list_aktest0831.json" => {
                format!(
                    "{CRATE}/test/dev.azure.com_aktest0831__apis_projects?api-version=7.2-preview.4.json"
                )
            }
            "ado_git_repositories_list_aktest0831_foo.json" => format!(
                "{CRATE}/test/dev.azure.com_aktest0831_foo__apis_git_repositories?api-version=7.2-preview.2.json"
            ),
            "ado_graph_serviceprincipals_list_aktest0831.json" => format!(
                "{CRATE}/test/vssps.dev.azure.com_aktest0831__apis_graph_serviceprincipals?api-version=7.2-preview.1.json"
            ),
            "ado_graph_users_list_aktest0831_vsts_and_aad.json" => format!(
                "{CRATE}/test/vssps.dev.azure.com_aktest0831__apis_graph_users?api-version=7.2-preview.1.json"
            ),
            "enterprisecatalog_organizations_sample.csv" => {
                format!("{CRATE}/src/data/organization.rs (test_organisations_from_csv)")
            }
            other => panic!("no provenance recorded for dfe-ssphp-fixtures/{other}"),
        };
        return json!({
            "repo": "DFE-Digital/service-security-posture-hardening",
            "path": path,
            "commit": "fee58247508f3c91ae799d33a9d0b7be028b81b7",
            "license": "MIT",
            "note": "real responses parsed and written out again by that client: keys reordered, keys after `value` added by it",
        });
    }
    panic!("{rel}: no _source block and no provenance for its directory")
}

/// Every key path of `v` (JSON Pointer, RFC 6901) with the kind of what is
/// there, in document order. Keys starting with `_` are the saver's notes
/// (`_source`, `_from`, `_trimmed`), not Azure's, except `_links`.
fn shape_of(v: &Value, path: &str, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            out.push((path.to_string(), "object".into()));
            let mut data_keys = 0;
            for (k, x) in o {
                if k.starts_with('_') && k != "_links" {
                    continue;
                }
                // A map keyed by ids (descriptors, GUIDs): the keys are values.
                let name = match string_kind(k) {
                    Some(kind)
                        if kind == "guid" || kind == "email" || kind.starts_with("descriptor") =>
                    {
                        data_keys += 1;
                        format!("{{{kind} {data_keys}}}")
                    }
                    _ => k.clone(),
                };
                let escaped = name.replace('~', "~0").replace('/', "~1");
                shape_of(x, &format!("{path}/{escaped}"), k, out);
            }
        }
        Value::Array(a) => {
            out.push((path.to_string(), "array".into()));
            for (i, x) in a.iter().enumerate() {
                shape_of(x, &format!("{path}/{i}"), key, out);
            }
        }
        Value::Null => out.push((path.to_string(), "null".into())),
        Value::Bool(b) => out.push((path.to_string(), b.to_string())),
        Value::Number(n) => {
            let kind = if vocabulary(key) {
                format!("={n}")
            } else if n.is_f64() {
                "number".into()
            } else {
                "integer".into()
            };
            out.push((path.to_string(), kind));
        }
        Value::String(s) => out.push((path.to_string(), value_kind(key, s))),
    }
}

/// The kind of the string `s` found under `key`.
fn value_kind(key: &str, s: &str) -> String {
    if s.is_empty() {
        return "=\"\"".into();
    }
    if let Some(kind) = string_kind(s) {
        return kind;
    }
    if vocabulary(key) && s.len() <= 128 {
        return format!("={}", Value::String(s.to_string()));
    }
    // Error codes in free text are what clients look for (TF24668: …).
    let codes: Vec<&str> = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| is_code(w))
        .collect();
    if codes.is_empty() {
        "text".into()
    } else {
        format!("text {}", codes.join(" "))
    }
}

/// `TF24668`, `VS800075`, `AADSTS50020`: an Azure error code.
fn is_code(w: &str) -> bool {
    ["TF", "VS", "AADSTS"].iter().any(|p| {
        w.strip_prefix(p)
            .is_some_and(|d| d.len() >= 3 && d.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The kind of a string that identifies something, if it does.
fn string_kind(s: &str) -> Option<String> {
    if is_guid(s) {
        return Some("guid".into());
    }
    let b = s.as_bytes();
    if b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
    {
        return Some("datetime".into());
    }
    if let Some((scheme, _)) = s.split_once("://")
        && !scheme.is_empty()
        && scheme.bytes().all(|c| c.is_ascii_alphabetic())
    {
        return Some(format!("uri {}", uri_template(s)));
    }
    if let Some((local, domain)) = s.split_once('@')
        && !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !s.contains(|c: char| c.is_whitespace() || matches!(c, '/' | ':'))
    {
        return Some("email".into());
    }
    if let Some((prefix, rest)) = s.split_once('.')
        && (2..=8).contains(&prefix.len())
        && prefix.bytes().all(|c| c.is_ascii_lowercase())
        && rest.len() >= 8
        && rest
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+/=_-".contains(&c))
    {
        return Some(format!("descriptor {prefix}"));
    }
    None
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Keys whose values are an API's vocabulary (enumerations, codes), kept as
/// they are: the tests read them, and they are no one's data.
fn vocabulary(key: &str) -> bool {
    const KEYS: &[&str] = &[
        "$type",
        "@odata.type",
        "accept",
        "accountlicensetype",
        "api-version",
        "assignmentsource",
        "authenticationtype",
        "capabilitystatus",
        "code",
        "content-type",
        "creationmode",
        "domain",
        "environment",
        "errorcode",
        "eventid",
        "githublicensetype",
        "grouptype",
        "invitedusertype",
        "kind",
        "level",
        "licensedisplayname",
        "licensingsource",
        "metatype",
        "method",
        "msdnlicensetype",
        "odata-version",
        "op",
        "origin",
        "provisioningstatus",
        "reason",
        "scheme",
        "scopelevel",
        "sourcecontroltype",
        "state",
        "status",
        "subjectkind",
        "tenanttype",
        "type",
        "typekey",
        "usertype",
        "visibility",
    ];
    KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// `s`, a URL, with what identifies a person, organization or object
/// blanked (`{name}`, `{guid}`, `{descriptor}`, `{email}`, `{n}`,
/// `{value}`), keeping the host, the API's path words and the query's keys.
fn uri_template(s: &str) -> String {
    let (scheme, rest) = s.split_once("://").expect("a URL");
    let split_at = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(split_at);
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((_, h)) => ("{user}@", h),
        None => ("", authority),
    };
    let (host, port) = match hostport.split_once(':') {
        Some((h, p)) => (h, format!(":{p}")),
        None => (hostport, String::new()),
    };
    let lower = host.to_ascii_lowercase();
    let host = if lower.ends_with(".visualstudio.com") && !lower.starts_with("app.") {
        // The organization's own host name (the old URL style).
        format!("{{name}}{}", &host[host.find('.').unwrap()..])
    } else if [
        ".azure.com",
        ".microsoft.com",
        ".microsoftonline.com",
        ".visualstudio.com",
    ]
    .iter()
    .any(|d| lower.ends_with(d) || lower == d[1..])
        || host.is_empty()
    {
        host.to_string()
    } else {
        "{host}".into()
    };
    // On Azure DevOps hosts the segments before the first `_apis`, `_git`…
    // name the organization and project.
    let mut named = lower.ends_with("dev.azure.com") || lower.ends_with(".visualstudio.com");
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.starts_with('_') {
                named = false;
            }
            segment(seg, named)
        })
        .collect();
    let mut out = format!("{scheme}://{user}{host}{port}{}", path.join("/"));
    if let Some(q) = query {
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => format!("{k}={}", query_value(v)),
                None => pair.to_string(),
            })
            .collect();
        out += &format!("?{}", pairs.join("&"));
    }
    if let Some(f) = fragment {
        let words = f.len() <= 48
            && f.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._$/()-".contains(&b));
        out += &format!("#{}", if words { f } else { "{value}" });
    }
    out
}

fn segment(seg: &str, named: bool) -> String {
    match string_kind(seg) {
        _ if seg.is_empty() => String::new(),
        _ if seg.starts_with('{') && seg.ends_with('}') => seg.to_string(),
        Some(kind) if kind == "guid" || kind == "email" => format!("{{{kind}}}"),
        Some(kind) if kind.starts_with("descriptor") => "{descriptor}".into(),
        _ if seg.contains('@') => "{email}".into(),
        _ if seg.bytes().all(|b| b.is_ascii_digit()) => "{n}".into(),
        _ if named => "{name}".into(),
        _ => seg.to_string(),
    }
}

fn query_value(v: &str) -> String {
    match string_kind(v) {
        _ if v.starts_with('{') && v.ends_with('}') => v.to_string(),
        Some(kind) if kind == "guid" || kind == "email" => format!("{{{kind}}}"),
        Some(kind) if kind.starts_with("descriptor") => "{descriptor}".into(),
        _ if v.len() <= 32
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._,:$-".contains(&b)) =>
        {
            v.to_string()
        }
        _ => "{value}".into(),
    }
}

/// A CSV's shape: its separator and line ending, its header (the columns'
/// names), and the kind of every field.
fn csv_shape(text: &str) -> Value {
    let end = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines = text.split(end).filter(|l| !l.is_empty());
    let first = lines.next().expect("a header line");
    let sep = if first.contains(", ") { ", " } else { "," };
    let header: Vec<&str> = first.split(sep).collect();
    let rows: Vec<Value> = lines
        .map(|l| {
            l.split(sep)
                .zip(header.iter().chain(std::iter::repeat(&"")))
                .map(|(f, h)| Value::String(value_kind(h, f.trim())))
                .collect()
        })
        .collect();
    json!({"separator": sep, "line_end": end, "header": header, "rows": rows})
}

// ----- rebuilding -----------------------------------------------------------

/// A document with the paths of `shape` and a placeholder of each kind.
fn rebuild(shape: &[Value]) -> Value {
    let mut root = Value::Null;
    let mut n = 0;
    for pair in shape {
        let (path, kind) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let value = match kind {
            "object" => Value::Object(Map::new()),
            "array" => Value::Array(Vec::new()),
            _ => placeholder(kind, &mut n),
        };
        *slot(&mut root, path) = value;
    }
    root
}

/// The place `path` names in `root`, made where missing (parents come first
/// in a shape, so only the last step is new).
fn slot<'a>(root: &'a mut Value, path: &str) -> &'a mut Value {
    let mut at = root;
    if path.is_empty() {
        return at;
    }
    for step in path[1..].split('/') {
        let step = step.replace("~1", "/").replace("~0", "~");
        at = match at {
            Value::Array(a) => {
                let i: usize = step.parse().expect("an index");
                if a.len() <= i {
                    a.resize(i + 1, Value::Null);
                }
                &mut a[i]
            }
            Value::Object(o) => o.entry(step).or_insert(Value::Null),
            other => panic!("{path}: a step into {other}"),
        };
    }
    at
}

/// A value of `kind`; `n` numbers them so no two are alike.
fn placeholder(kind: &str, n: &mut u64) -> Value {
    *n += 1;
    let n = *n;
    if let Some(kept) = kind.strip_prefix('=') {
        return serde_json::from_str(kept).expect("a kept value");
    }
    if let Some(template) = kind.strip_prefix("uri ") {
        return Value::String(template.to_string());
    }
    if let Some(prefix) = kind.strip_prefix("descriptor ") {
        return Value::String(format!("{prefix}.UGxhY2Vob2xkZXI{n:05}"));
    }
    if let Some(codes) = kind.strip_prefix("text ") {
        return Value::String(format!("{}: text {n}", codes.replace(' ', ", ")));
    }
    match kind {
        "null" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "integer" => json!(1),
        "number" => json!(1.5),
        "guid" => Value::String(format!("00000000-0000-4000-8000-{n:012x}")),
        "datetime" => Value::String("2001-02-03T04:05:06Z".into()),
        "email" => Value::String(format!("user{n}@example.com")),
        "text" => Value::String(format!("text {n}")),
        other => panic!("unknown kind {other:?} in {FIXTURE}"),
    }
}

/// The fixture as it is written: one key path per line, so a change to a
/// recording reads as a change to a few lines.
fn render(fixture: &Value) -> String {
    let mut out = String::from("{\n");
    out += &format!(" \"about\": {},\n \"files\": {{\n", fixture["about"]);
    let files = fixture["files"].as_object().unwrap();
    for (i, (rel, e)) in files.iter().enumerate() {
        out += &format!("  {}: {{\n", Value::String(rel.clone()));
        out += &format!("   \"source\": {}", e["source"]);
        if let Some(shape) = e["shape"].as_array() {
            out += ",\n   \"shape\": [\n";
            let lines: Vec<String> = shape.iter().map(|p| format!("    {p}")).collect();
            out += &lines.join(",\n");
            out += "\n   ]\n";
        } else {
            out += &format!(",\n   \"csv\": {}\n", e["csv"]);
        }
        out += if i + 1 < files.len() {
            "  },\n"
        } else {
            "  }\n"
        };
    }
    out + " }\n}\n"
}

/// What differs between two fixtures, path by path (at most `limit` lines).
fn differences(old: &Value, new: &Value, limit: usize) -> Vec<String> {
    let pairs = |v: &Value| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (rel, e) in v["files"].as_object().into_iter().flatten() {
            out.insert(format!("{rel} source"), e["source"].to_string());
            out.insert(format!("{rel} csv"), e["csv"].to_string());
            for p in e["shape"].as_array().into_iter().flatten() {
                out.insert(format!("{rel} {}", p[0]), p[1].to_string());
            }
        }
        out
    };
    let (old, new) = (pairs(old), pairs(new));
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.get(k) {
            None => out.push(format!("+ {k}: {v}")),
            Some(o) if o != v => out.push(format!("~ {k}: {o} -> {v}")),
            _ => {}
        }
    }
    out.extend(
        old.keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| format!("- {k}")),
    );
    out.truncate(limit);
    out
}

/// The committed fixture is what the recordings distil to today.
#[test]
fn shapes_match_the_recordings() {
    let Some(dir) = recordings_dir() else {
        support::skipped("no ../shared/reference: the committed shapes are used as they are");
        return;
    };
    let fresh = distil(&dir);
    if support::required(UPDATE) {
        std::fs::write(FIXTURE, render(&fresh)).unwrap();
        return;
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap())
        .unwrap_or_else(|e| panic!("{FIXTURE}: {e}"));
    let diff = differences(&committed, &fresh, 40);
    assert!(
        diff.is_empty(),
        "{FIXTURE} no longer matches {}; run scripts/update-reference-fixtures:\n{}",
        dir.display(),
        diff.join("\n")
    );
}

/// What is rebuilt has the recording's shape, and the shape distils again to
/// itself: a placeholder is always of the kind it stands for.
#[test]
fn rebuilt_documents_have_the_recorded_shape() {
    for rel in FILES.iter().filter(|r| r.ends_with(".json")) {
        let doc = json(rel);
        let mut again = Vec::new();
        shape_of(&doc, "", "", &mut again);
        let again: Vec<Value> = again.into_iter().map(|(p, k)| json!([p, k])).collect();
        let want = entry(rel)["shape"].as_array().unwrap();
        let differ: Vec<String> = want
            .iter()
            .zip(&again)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{a} rebuilt as {b}"))
            .take(5)
            .collect();
        assert!(
            differ.is_empty() && want.len() == again.len(),
            "{rel}:\n{}",
            differ.join("\n")
        );
    }
}

#[test]
fn urls_keep_the_api_and_blank_who_and_what() {
    let cases = [
        (
            "https://vsaex.dev.azure.com/v-someone0376/_apis/UserEntitlements?top=100",
            "https://vsaex.dev.azure.com/{name}/_apis/UserEntitlements?top=100",
        ),
        (
            "https://NormalOrg.vssps.visualstudio.com:443/",
            "https://{name}.vssps.visualstudio.com:443/",
        ),
        (
            "https://someone@dev.azure.com/someone/proj/_git/repo",
            "https://{user}@dev.azure.com/{name}/{name}/_git/repo",
        ),
        (
            "https://graph.microsoft.com/v1.0/users/someone@contoso.com?$select=id",
            "https://graph.microsoft.com/v1.0/users/{email}?$select=id",
        ),
        (
            "https://vssps.dev.azure.com/o/_apis/Graph/Memberships/aad.T0E3YzVmNGQtYjRm?direction=down",
            "https://vssps.dev.azure.com/{name}/_apis/Graph/Memberships/{descriptor}?direction=down",
        ),
        (
            "vstfs:///Classification/TeamProject/0ca35c0e-f924-4732-b978-e4ab28a4c655",
            "vstfs:///Classification/TeamProject/{guid}",
        ),
        (
            "https://myapp.contoso.com/a?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "https://{host}/a?token={value}",
        ),
    ];
    for (url, want) in cases {
        assert_eq!(uri_template(url), want, "{url}");
    }
    assert_eq!(
        value_kind("message", "TF24668: The collection is stopped."),
        "text TF24668"
    );
    assert_eq!(value_kind("origin", "msa"), "=\"msa\"");
    assert_eq!(value_kind("displayName", "Someone Real"), "text");
    assert_eq!(
        value_kind("descriptor", "aadsp.T0E3YzVmNGQtYjRm"),
        "descriptor aadsp"
    );
    assert_eq!(value_kind("mail", "someone@contoso.com"), "email");
}
