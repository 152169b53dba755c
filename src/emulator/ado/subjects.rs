//! vssps Graph subjects: users and groups by descriptor, storage keys,
//! membership states, subject lookup, and the memberships between them.

use axum::response::Response;
use serde_json::{Value, json};

use super::super::ids;
use super::super::state::Org;
use super::super::wire::{self, ado_error};
use super::{OrgUrls, all_groups, graph_user};

fn not_found(descriptor: &str) -> Response {
    ado_error(
        404,
        "GraphSubjectNotFoundException",
        &format!("VS860015: The subject with descriptor '{descriptor}' could not be found."),
    )
}

/// A user or group as Graph shows it, by descriptor.
pub fn subject(org: &Org, urls: &OrgUrls, descriptor: &str) -> Option<Value> {
    if let Some(i) = org.user_by_descriptor(descriptor) {
        return Some(graph_user(urls, &org.users[i]));
    }
    group(org, urls, descriptor)
}

/// A group by descriptor.
pub fn group(org: &Org, urls: &OrgUrls, descriptor: &str) -> Option<Value> {
    all_groups(org, urls)
        .into_iter()
        .find(|g| g["descriptor"] == descriptor)
}

/// `Users` or `Groups`: where a subject's own URL lives.
fn kind(org: &Org, descriptor: &str) -> &'static str {
    if org.user_by_descriptor(descriptor).is_some() {
        "Users"
    } else {
        "Groups"
    }
}

/// `GET graph/subjects/{descriptor}` and `graph/groups/{descriptor}`.
pub fn get(found: Option<Value>, descriptor: &str) -> Response {
    match found {
        Some(v) => wire::json(200, &v),
        None => not_found(descriptor),
    }
}

/// `GET graph/storagekeys/{descriptor}`: the subject's storage key.
pub fn storage_key(org: &Org, urls: &OrgUrls, descriptor: &str) -> Response {
    let key = subject(org, urls, descriptor).and_then(|_| ids::descriptor_key(descriptor));
    let Some(key) = key else {
        return not_found(descriptor);
    };
    let vssps = &urls.vssps;
    wire::json(
        200,
        &json!({
            "value": key,
            "_links": {
                "self": {"href": format!("{vssps}/_apis/Graph/StorageKeys/{descriptor}")},
                "descriptor": {"href": format!("{vssps}/_apis/Graph/Descriptors/{key}")}
            }
        }),
    )
}

/// `GET graph/descriptors/{storageKey}`: the subject's descriptor.
pub fn descriptor(org: &Org, urls: &OrgUrls, key: &str) -> Response {
    let key = key.to_ascii_lowercase();
    let found = org
        .users
        .iter()
        .find(|u| u.id == key)
        .map(|u| u.descriptor.clone())
        .or_else(|| {
            all_groups(org, urls)
                .into_iter()
                .filter_map(|g| g["descriptor"].as_str().map(str::to_string))
                .find(|d| ids::descriptor_key(d).as_deref() == Some(key.as_str()))
        });
    let Some(d) = found else {
        return ado_error(
            404,
            "StorageKeyNotFoundException",
            &format!("The storage key '{key}' was not found."),
        );
    };
    let vssps = &urls.vssps;
    wire::json(
        200,
        &json!({
            "value": d,
            "_links": {
                "self": {"href": format!("{vssps}/_apis/Graph/Descriptors/{key}")},
                "storageKey": {"href": format!("{vssps}/_apis/Graph/StorageKeys/{d}")},
                "subject": {"href": format!("{vssps}/_apis/Graph/{}/{d}", kind(org, &d))}
            }
        }),
    )
}

/// `GET graph/membershipstates/{descriptor}`: whether the subject is active
/// (a disconnected user is not).
pub fn membership_state(org: &Org, urls: &OrgUrls, descriptor: &str) -> Response {
    let active = match org.user_by_descriptor(descriptor) {
        Some(i) => org.users[i].active,
        None if group(org, urls, descriptor).is_some() => true,
        None => return not_found(descriptor),
    };
    let vssps = &urls.vssps;
    wire::json(
        200,
        &json!({
            "active": active,
            "_links": {
                "self": {"href": format!("{vssps}/_apis/Graph/MembershipStates/{descriptor}")},
                "member": {"href": format!("{vssps}/_apis/Graph/{}/{descriptor}", kind(org, descriptor))}
            }
        }),
    )
}

/// `POST graph/subjectlookup` `{"lookupKeys":[{"descriptor"}]}`: the
/// subjects found, keyed by descriptor (unknown ones are left out).
pub fn lookup(org: &Org, urls: &OrgUrls, body: Option<Value>) -> Response {
    let Some(keys) = body
        .as_ref()
        .and_then(|b| b.get("lookupKeys"))
        .and_then(Value::as_array)
    else {
        return ado_error(
            400,
            "InvalidArgumentValueException",
            "The request body must be {\"lookupKeys\": [{\"descriptor\": \"...\"}]}.",
        );
    };
    let mut found = serde_json::Map::new();
    for d in keys
        .iter()
        .filter_map(|k| k.get("descriptor").and_then(Value::as_str))
    {
        if let Some(s) = subject(org, urls, d) {
            found.insert(d.to_string(), s);
        }
    }
    wire::json(200, &json!({"count": found.len(), "value": found}))
}

/// Every direct membership: active owners and administrators in Project
/// Collection Administrators, which is in Project Collection Valid Users
/// with every active user. (member, container)
fn edges(org: &Org) -> Vec<(&str, &str)> {
    let mut v = vec![(org.pca_descriptor.as_str(), org.pvu_descriptor.as_str())];
    for (i, u) in org.users.iter().enumerate().filter(|(_, u)| u.active) {
        if u.admin || i == org.owner {
            v.push((u.descriptor.as_str(), org.pca_descriptor.as_str()));
        }
        v.push((u.descriptor.as_str(), org.pvu_descriptor.as_str()));
    }
    v
}

fn membership_json(urls: &OrgUrls, member: &str, container: &str) -> Value {
    let vssps = &urls.vssps;
    json!({
        "memberDescriptor": member,
        "containerDescriptor": container,
        "_links": {
            "self": {"href": format!("{vssps}/_apis/Graph/Memberships/{member}/{container}")},
            "member": {"href": format!("{vssps}/_apis/Graph/Subjects/{member}")},
            "container": {"href": format!("{vssps}/_apis/Graph/Subjects/{container}")}
        }
    })
}

/// `GET graph/memberships/{descriptor}?direction=up|down`: the direct
/// memberships of a subject (up: what it is in; down: what is in it).
pub fn memberships(org: &Org, urls: &OrgUrls, descriptor: &str, down: bool) -> Response {
    if subject(org, urls, descriptor).is_none() {
        return not_found(descriptor);
    }
    let v: Vec<Value> = edges(org)
        .into_iter()
        .filter(|(m, c)| {
            if down {
                *c == descriptor
            } else {
                *m == descriptor
            }
        })
        .map(|(m, c)| membership_json(urls, m, c))
        .collect();
    wire::json(200, &json!({"count": v.len(), "value": v}))
}

/// `GET`/`HEAD graph/memberships/{subject}/{container}`: the membership,
/// or 404 when there is none (HEAD answers with no body either way).
pub fn membership(org: &Org, urls: &OrgUrls, member: &str, container: &str) -> Response {
    if edges(org).contains(&(member, container)) {
        wire::json(200, &membership_json(urls, member, container))
    } else {
        ado_error(
            404,
            "GraphMembershipNotFoundException",
            &format!("VS860017: The membership of '{member}' in '{container}' could not be found."),
        )
    }
}
