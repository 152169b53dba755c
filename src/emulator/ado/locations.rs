//! Location discovery, as Azure DevOps' location service answers it: every
//! host prefix answers `OPTIONS {host}[/{org}]/_apis` with the resource
//! locations it serves, and `{host}[/{org}]/_apis/ResourceAreas[/{areaId}]`
//! says which host serves each area, on the emulator's base. Client
//! libraries (the .NET, Python and Node clients) pick a location by id,
//! fill its route template and send the version in the `Accept` header.
//!
//! Location and area ids are the service's own, as the published client
//! libraries carry them (microsoft/azure-devops-python-api `*_client.py`,
//! microsoft/azure-devops-extension-api `*Client.ts`); undocumented
//! resources (Contribution/HierarchyQuery, tokens/pats, EnterpriseCatalog)
//! have no published location id and are served but not listed.

use axum::response::Response;
use serde_json::{Value, json};

use super::super::wire::{self, Req};
use super::no_org;
use crate::emulator::Shared;

/// The highest api-version the emulator serves, and the highest released
/// (non-preview) one.
pub const MAX_VERSION: f32 = 7.2;
pub const RELEASED_VERSION: f32 = 7.1;

/// One resource location.
pub struct Location {
    pub id: &'static str,
    pub area: &'static str,
    pub resource: &'static str,
    pub route: &'static str,
    pub resource_version: u32,
    /// `"0.0"` while the resource is only a preview.
    pub released: &'static str,
    /// The host prefixes that serve it.
    pub hosts: &'static [&'static str],
}

const ORG_HOSTS: &[&str] = &["dev", "vssps", "vsaex"];

/// Every location the emulator serves.
pub const LOCATIONS: &[Location] = &[
    Location {
        id: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
        area: "Location",
        resource: "ConnectionData",
        route: "_apis/{resource}",
        resource_version: 1,
        released: "0.0",
        hosts: ORG_HOSTS,
    },
    Location {
        id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
        area: "Location",
        resource: "ResourceAreas",
        route: "_apis/{resource}/{areaId}",
        resource_version: 1,
        released: "0.0",
        hosts: &["dev", "vssps", "vsaex", "app-vssps", "aex"],
    },
    Location {
        id: "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
        area: "core",
        resource: "projects",
        route: "_apis/{resource}/{*projectId}",
        resource_version: 4,
        released: "7.1",
        hosts: &["dev"],
    },
    Location {
        id: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
        area: "git",
        resource: "repositories",
        route: "{project}/_apis/{area}/{resource}/{repositoryId}",
        resource_version: 2,
        released: "7.1",
        hosts: &["dev"],
    },
    Location {
        id: "e85f1c62-adfc-4b74-b618-11a150fb195e",
        area: "serviceendpoint",
        resource: "endpoints",
        route: "{project}/_apis/{area}/{resource}/{endpointId}",
        resource_version: 4,
        released: "7.1",
        hosts: &["dev"],
    },
    Location {
        id: "d0ab077b-1b97-4f78-984c-cfe2d248fc79",
        area: "OrganizationPolicy",
        resource: "Policies",
        route: "_apis/{area}/{resource}/{policyName}",
        resource_version: 1,
        released: "0.0",
        hosts: &["dev"],
    },
    Location {
        id: "95f49097-6cdc-4afe-a039-48b4d4c4cbf7",
        area: "Organization",
        resource: "Organizations",
        route: "_apis/{area}/{resource}/{organizationId}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "005e26ec-6b77-4e4f-a986-b3827bf241f5",
        area: "Graph",
        resource: "Users",
        route: "_apis/{area}/{resource}/{userDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "ebbe6af8-0b91-4c13-8cf1-777c14858188",
        area: "Graph",
        resource: "Groups",
        route: "_apis/{area}/{resource}/{groupDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "048aee0a-7072-4cde-ab73-7af77b1e0b4e",
        area: "Graph",
        resource: "Descriptors",
        route: "_apis/{area}/{resource}/{storageKey}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "eb85f8cc-f0f6-4264-a5b1-ffe2e4d4801f",
        area: "Graph",
        resource: "StorageKeys",
        route: "_apis/{area}/{resource}/{subjectDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "1ffe5c94-1144-4191-907b-d0211cad36a8",
        area: "Graph",
        resource: "MembershipStates",
        route: "_apis/{area}/{resource}/{subjectDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "3fd2e6ca-fb30-443a-b579-95b19ed0934c",
        area: "Graph",
        resource: "Memberships",
        route: "_apis/{area}/{resource}/{subjectDescriptor}/{containerDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "e34b6394-6b30-4435-94a9-409a5eef3e31",
        area: "Graph",
        resource: "MembershipsBatch",
        route: "_apis/{area}/Memberships/{subjectDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "4dd4d168-11f2-48c4-83e8-756fa0de027c",
        area: "Graph",
        resource: "SubjectLookup",
        route: "_apis/{area}/{resource}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "1d44a2ac-4f8a-459e-83c2-1c92626fb9c6",
        area: "Graph",
        resource: "Subjects",
        route: "_apis/{area}/{resource}/{subjectDescriptor}",
        resource_version: 1,
        released: "0.0",
        hosts: &["vssps"],
    },
    Location {
        id: "387f832c-dbf2-4643-88e9-c1aa94dbb737",
        area: "MemberEntitlementManagement",
        resource: "UserEntitlements",
        route: "_apis/{resource}/{userDescriptor}",
        resource_version: 3,
        released: "7.1",
        hosts: &["vsaex"],
    },
    Location {
        id: "8480c6eb-ce60-47e9-88df-eca3c801638b",
        area: "MemberEntitlementManagement",
        resource: "UserEntitlements",
        route: "_apis/{resource}/{userId}",
        resource_version: 3,
        released: "7.1",
        hosts: &["vsaex"],
    },
    Location {
        id: "5ae55b13-c9dd-49d1-957e-6e76c152e3d9",
        area: "MemberEntitlementManagement",
        resource: "UserEntitlementSummary",
        route: "_apis/{resource}",
        resource_version: 1,
        released: "7.1",
        hosts: &["vsaex"],
    },
    Location {
        id: "f83735dc-483f-4238-a291-d45f6080a9af",
        area: "Profile",
        resource: "Profiles",
        route: "_apis/{area}/{resource}/{id}",
        resource_version: 3,
        released: "7.1",
        hosts: &["app-vssps"],
    },
    Location {
        id: "229a6a53-b428-4ffb-a835-e8f36b5b4b1e",
        area: "Account",
        resource: "Accounts",
        route: "_apis/{resource}/{accountId}",
        resource_version: 1,
        released: "7.1",
        hosts: &["app-vssps"],
    },
];

/// A resource area and the host prefix that serves it.
pub struct Area {
    pub id: &'static str,
    pub name: &'static str,
    pub host: &'static str,
}

/// Every area the emulator serves, with the host that serves it.
pub const AREAS: &[Area] = &[
    Area {
        id: "79134c72-4a58-4b42-976c-04e7115f32bf",
        name: "core",
        host: "dev",
    },
    Area {
        id: "4e080c62-fa21-4fbc-8fef-2a10a2b38049",
        name: "git",
        host: "dev",
    },
    Area {
        id: "1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7",
        name: "serviceendpoint",
        host: "dev",
    },
    Area {
        id: "8477aec9-a4c7-4bd4-a456-ba4c53c989cb",
        name: "Contribution",
        host: "dev",
    },
    Area {
        id: "bb1e7ec9-e901-4b68-999a-de7012b920f8",
        name: "Graph",
        host: "vssps",
    },
    Area {
        id: "8a3d49b8-91f0-46ef-b33d-dda338c25db3",
        name: "IMS",
        host: "vssps",
    },
    Area {
        id: "68ddce18-2501-45f1-a17b-7931a9922690",
        name: "MemberEntitlementManagement",
        host: "vsaex",
    },
    Area {
        id: "8ccfef3d-2b87-4e99-8ccb-66e343d2daa8",
        name: "Profile",
        host: "app-vssps",
    },
    Area {
        id: "0d55247a-1c47-4462-9b1f-5e2125590ee6",
        name: "Account",
        host: "app-vssps",
    },
];

fn org_scoped(host: &str) -> bool {
    ORG_HOSTS.contains(&host)
}

fn location_json(l: &Location) -> Value {
    json!({
        "id": l.id,
        "area": l.area,
        "resourceName": l.resource,
        "routeTemplate": l.route,
        "resourceVersion": l.resource_version,
        "minVersion": "1.0",
        "maxVersion": format!("{MAX_VERSION:.1}"),
        "releasedVersion": l.released,
    })
}

/// Where `area` is served, for the organization `org` (if any).
fn area_json(req: &Req, area: &Area, org: Option<&str>) -> Value {
    let url = match org {
        Some(org) if org_scoped(area.host) => format!("{}/{}/{org}/", req.origin, area.host),
        _ => format!("{}/{}/", req.origin, area.host),
    };
    json!({"id": area.id, "name": area.name, "locationUrl": url})
}

/// Answer a discovery request on `host`, if this is one. It needs no
/// credentials and no api-version, as the location service does not.
pub fn discovery(sh: &Shared, host: &str, req: &Req) -> Option<Response> {
    let p = req.lpath();
    let (org, rest) = match p.split_first() {
        Some((first, rest)) if org_scoped(host) && *first != "_apis" => (Some(*first), rest),
        _ => (None, p.as_slice()),
    };
    let is_discovery = matches!(
        (req.method.as_str(), rest),
        ("OPTIONS", ["_apis"]) | ("GET", ["_apis", "resourceareas", ..])
    );
    if !is_discovery || rest.len() > 3 {
        return None;
    }
    let org_name = match org {
        Some(o) => {
            let world = sh.world.read().expect("world");
            match world.org_index(o) {
                Some(i) => Some(world.orgs[i].name.clone()),
                None => return Some(no_org(o)),
            }
        }
        // A deployment-level request may name the organization.
        None => req
            .q("organizationName")
            .or(req.q("accountName"))
            .map(str::to_string),
    };
    if req.method == "OPTIONS" {
        let v: Vec<Value> = LOCATIONS
            .iter()
            .filter(|l| l.hosts.contains(&host))
            .map(location_json)
            .collect();
        return Some(wire::json(200, &json!({"count": v.len(), "value": v})));
    }
    Some(match rest.get(2) {
        None => {
            let v: Vec<Value> = AREAS
                .iter()
                .map(|a| area_json(req, a, org_name.as_deref()))
                .collect();
            wire::json(200, &json!({"count": v.len(), "value": v}))
        }
        Some(id) => match AREAS.iter().find(|a| a.id.eq_ignore_ascii_case(id)) {
            Some(a) => wire::json(200, &area_json(req, a, org_name.as_deref())),
            None => wire::ado_error(
                404,
                "ResourceAreaNotFoundException",
                &format!("The resource area '{id}' was not found."),
            ),
        },
    })
}

/// The api-version a request carries: the query's `api-version`, else the
/// `api-version` parameter of its `Accept` header, as the client libraries
/// send it (`application/json;api-version=7.1-preview.1`).
pub fn requested_version(req: &Req) -> Option<String> {
    if let Some(v) = req.q("api-version") {
        return Some(v.to_string());
    }
    req.header("accept")?.split(',').find_map(|media| {
        media.split(';').skip(1).find_map(|param| {
            let (k, v) = param.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("api-version")
                .then(|| v.trim().trim_matches('"').to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_area_has_a_host() {
        let mut ids: Vec<&str> = LOCATIONS.iter().map(|l| l.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), LOCATIONS.len());
        for l in LOCATIONS {
            assert!(uuid::Uuid::parse_str(l.id).is_ok(), "{}", l.id);
            assert!(l.route.contains("_apis/"), "{}", l.route);
        }
        for a in AREAS {
            assert!(["dev", "vssps", "vsaex", "app-vssps"].contains(&a.host));
        }
    }
}
