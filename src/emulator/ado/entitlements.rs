//! vsaex user entitlements beyond the listing: one user's entitlement (GET,
//! PATCH of its access level), adding a user (POST) and the summary.

use axum::response::Response;
use chrono::Utc;
use serde_json::{Value, json};

use super::super::state::OrgUser;
use super::super::state::{Org, World};
use super::super::wire::{self, ado_error};
use super::{GraphUser, OrgUrls, ts};

fn not_found(id: &str) -> Response {
    ado_error(
        404,
        "UserEntitlementNotFoundException",
        &format!("The user with id '{id}' was not found in this organization."),
    )
}

/// `GET userentitlements/{userId}`.
pub fn get(org: &Org, urls: &OrgUrls, id: &str) -> Response {
    match org.users.iter().find(|u| u.id.eq_ignore_ascii_case(id)) {
        Some(u) => wire::json(200, &entitlement(urls, u)),
        None => not_found(id),
    }
}

/// The licence an `accessLevel` names (`accountLicenseType` with
/// `licensingSource` account, or an MSDN subscription), as the scenario
/// files spell licences.
fn licence(access: &Value) -> Result<&'static str, String> {
    let field = |k: &str| {
        access
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    if field("licensingSource").as_deref() == Some("msdn") {
        return Ok("Visual Studio Subscriber");
    }
    match field("accountLicenseType").as_deref() {
        Some("express") => Ok("Basic"),
        Some("stakeholder") => Ok("Stakeholder"),
        Some("advanced") => Ok("Basic + Test Plans"),
        other => Err(format!(
            "The accountLicenseType '{}' is not one the emulator assigns; use express, stakeholder or advanced.",
            other.unwrap_or("")
        )),
    }
}

fn bad_request(message: &str) -> Response {
    ado_error(400, "InvalidArgumentValueException", message)
}

/// `PATCH userentitlements/{userId}` with a JSON patch document: `replace`
/// (or `add`) of `/accessLevel` changes the user's licence; any other path
/// is refused, changing nothing (the emulator models licences only).
pub fn patch(org: &mut Org, urls: &OrgUrls, id: &str, body: Option<Value>) -> Response {
    let Some(i) = org.users.iter().position(|u| u.id.eq_ignore_ascii_case(id)) else {
        return not_found(id);
    };
    let Some(ops) = body.as_ref().and_then(Value::as_array) else {
        return bad_request(
            "Expected a JSON patch document like [{\"op\":\"replace\",\"path\":\"/accessLevel\",\"value\":{\"accountLicenseType\":\"stakeholder\",\"licensingSource\":\"account\"}}].",
        );
    };
    let mut licences = Vec::new();
    for op in ops {
        let verb = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        if !path.eq_ignore_ascii_case("/accessLevel") || !matches!(verb, "replace" | "add") {
            return bad_request(&format!(
                "The operation '{verb} {path}' is not supported by the emulator; only replace /accessLevel is."
            ));
        }
        match licence(op.get("value").unwrap_or(&Value::Null)) {
            Ok(l) => licences.push(l),
            Err(e) => return bad_request(&e),
        }
    }
    if let Some(l) = licences.last() {
        org.users[i].license = (*l).to_string();
    }
    let u = &org.users[i];
    let e = entitlement(urls, u);
    let results: Vec<Value> = licences
        .iter()
        .map(|_| json!({"isSuccess": true, "errors": [], "userId": u.id, "result": e}))
        .collect();
    wire::json(
        200,
        &json!({"isSuccess": true, "userEntitlement": e, "operationResults": results}),
    )
}

/// `POST userentitlements` `{accessLevel, user: {principalName}}`: add the
/// user (or give an existing user the licence). A principal the directory
/// does not know is a failed operation in a 200, as the service reports it.
pub fn add(world: &mut World, o: usize, urls: &OrgUrls, body: Option<Value>) -> Response {
    let body = body.unwrap_or(Value::Null);
    let Some(principal) = body
        .pointer("/user/principalName")
        .and_then(Value::as_str)
        .filter(|p| !p.trim().is_empty())
    else {
        return bad_request(
            "The request body must name the user: {\"user\": {\"principalName\": \"...\", \"subjectKind\": \"user\"}, \"accessLevel\": {...}}.",
        );
    };
    let licence = match licence(body.get("accessLevel").unwrap_or(&Value::Null)) {
        Ok(l) => l,
        Err(e) => return bad_request(&e),
    };
    match world.add_org_user(o, principal.trim(), licence, Utc::now()) {
        Ok(i) => {
            let u = &world.orgs[o].users[i];
            let e = entitlement(urls, u);
            wire::json(
                200,
                &json!({
                    "isSuccess": true,
                    "userEntitlement": e,
                    "operationResult": {"isSuccess": true, "errors": [], "userId": u.id, "result": e}
                }),
            )
        }
        Err(message) => wire::json(
            200,
            &json!({
                "isSuccess": false,
                "userEntitlement": null,
                "operationResult": {"isSuccess": false, "errors": [{"key": 5000, "value": message}], "userId": null, "result": null}
            }),
        ),
    }
}

/// `GET userentitlementsummary`: the licences in use and the access levels
/// one can assign.
pub fn summary(org: &Org) -> Response {
    let levels = [
        ("account", "express", "none", "Basic"),
        ("account", "stakeholder", "none", "Stakeholder"),
        ("account", "advanced", "none", "Basic + Test Plans"),
        ("msdn", "none", "eligible", "Visual Studio Subscriber"),
    ];
    let level = |(source, account, msdn, name): (&str, &str, &str, &str)| {
        json!({
            "licensingSource": source, "accountLicenseType": account, "msdnLicenseType": msdn,
            "gitHubLicenseType": "none", "licenseDisplayName": name,
            "status": "active", "statusMessage": "", "assignmentSource": "unknown"
        })
    };
    let licences: Vec<Value> = levels
        .iter()
        .map(|&(source, account, msdn, name)| {
            let assigned = org
                .users
                .iter()
                .filter(|u| access_level(u).display_name == name)
                .count();
            json!({
                "licensingSource": source, "accountLicenseType": account, "msdnLicenseType": msdn,
                "licenseName": name, "assigned": assigned, "available": 0, "includedQuantity": 0,
                "total": assigned, "disabled": 0, "isPurchasable": source == "account" && account != "stakeholder",
                "nextBillingDate": null
            })
        })
        .collect();
    let projects: Vec<Value> = org
        .projects
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    wire::json(
        200,
        &json!({
            "availableAccessLevels": levels.iter().map(|&l| level(l)).collect::<Vec<_>>(),
            "defaultAccessLevel": level(levels[0]),
            "licenses": licences,
            "extensions": [],
            "projectRefs": projects,
            "groupOptions": []
        }),
    )
}

/// A user's access level as the entitlement shows it.
pub(super) struct Access {
    licensing_source: &'static str,
    account_licence: &'static str,
    msdn_licence: &'static str,
    display_name: &'static str,
    /// The `licenseId` a `$filter` names it by (lowercase), if any.
    pub filter_id: Option<&'static str>,
}

pub(super) fn access_level(u: &OrgUser) -> Access {
    let is = |names: &[&str]| names.iter().any(|n| u.license.eq_ignore_ascii_case(n));
    let account = |licence, display_name, filter_id| Access {
        licensing_source: "account",
        account_licence: licence,
        msdn_licence: "none",
        display_name,
        filter_id: Some(filter_id),
    };
    if is(&["stakeholder"]) {
        account("stakeholder", "Stakeholder", "account-stakeholder")
    } else if is(&["basic+test plans", "basic + test plans", "advanced"]) {
        account("advanced", "Basic + Test Plans", "account-advanced")
    } else if is(&["visual studio subscriber", "msdn"]) {
        // Visual Studio subscribers are licensed through MSDN, not an
        // account licence, so no account `licenseId` filter finds them.
        Access {
            licensing_source: "msdn",
            account_licence: "none",
            msdn_licence: "eligible",
            display_name: "Visual Studio Subscriber",
            filter_id: None,
        }
    } else {
        account("express", "Basic", "account-express")
    }
}

/// A user entitlement, serialized as it is written (a listing writes up
/// to ten thousand at a time).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Entitlement<'a> {
    id: &'a str,
    user: GraphUser<'a>,
    access_level: AccessLevel,
    last_accessed_date: String,
    date_created: String,
    project_entitlements: [(); 0],
    extensions: [(); 0],
    group_assignments: [(); 0],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessLevel {
    licensing_source: &'static str,
    account_license_type: &'static str,
    msdn_license_type: &'static str,
    git_hub_license_type: &'static str,
    license_display_name: &'static str,
    status: &'static str,
    status_message: &'static str,
    assignment_source: &'static str,
}

impl<'a> Entitlement<'a> {
    pub(super) fn of(urls: &'a OrgUrls, u: &'a OrgUser) -> Self {
        let access = access_level(u);
        Entitlement {
            id: &u.id,
            user: GraphUser::of(urls, u),
            access_level: AccessLevel {
                licensing_source: access.licensing_source,
                account_license_type: access.account_licence,
                msdn_license_type: access.msdn_licence,
                git_hub_license_type: "none",
                license_display_name: access.display_name,
                status: if u.active { "active" } else { "pending" },
                status_message: "",
                assignment_source: "unknown",
            },
            last_accessed_date: u
                .last_access
                .map(ts)
                .unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            date_created: ts(u.created),
            project_entitlements: [],
            extensions: [],
            group_assignments: [],
        }
    }
}

pub(super) fn entitlement(urls: &OrgUrls, u: &OrgUser) -> Value {
    serde_json::to_value(Entitlement::of(urls, u)).expect("json")
}
