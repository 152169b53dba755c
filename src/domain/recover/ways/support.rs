//! Way 5: ask Azure DevOps support, with the package ado-entra writes for
//! the request.

use chrono::{DateTime, Utc};

use crate::domain::recover::assessment::{Assessment, Way, WayId, WayStatus, way};
use crate::domain::recover::facts::Facts;
use crate::domain::recover::messages::SUPPORT_URL;
use crate::domain::verify::Access;

pub(crate) fn support_way(f: &Facts) -> Way {
    let id = WayId::Support;
    let mut w = way(
        id,
        WayStatus::Available,
        "When nothing else works: Azure DevOps support can restore ownership or disconnect the directory; ado-entra writes everything they ask for into one file.",
    );
    if let Some(t) = f.last_try(id)
        && t.ok
    {
        w.why = t.outcome.clone();
    }
    w.steps = vec![
        format!(
            "Write the package: ado-entra recover --org {} --way support",
            f.org
        ),
        format!(
            "Open a request at {SUPPORT_URL} (Technical > Azure DevOps > Organization ownership) and attach it."
        ),
    ];
    w.command = Some(format!("ado-entra recover --org {} --way support", f.org));
    w
}

/// The support package: everything a support request needs, as text.
pub fn support_package(f: &Facts, a: &Assessment, probes: &[String], now: DateTime<Utc>) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Azure DevOps organization ownership recovery: {}\nWritten by ado-entra at {}\n\n",
        f.org,
        now.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    s.push_str(&format!("Organization: {} ({})\n", f.org, f.urls.org));
    s.push_str(&format!(
        "Organization id: {}\n",
        f.org_id.as_deref().unwrap_or("not readable")
    ));
    match &f.tenant {
        Some(t) => s.push_str(&format!(
            "Connected directory: {} (tenant id {})\n",
            t.name(),
            t.id
        )),
        None => s.push_str("Connected directory: none read\n"),
    }
    s.push_str(&format!(
        "Owner as Azure DevOps records it: {}\n",
        f.owner
            .as_ref()
            .map(|o| format!("{} (read from {})", o.address, o.source))
            .unwrap_or_else(|| "not readable".into())
    ));
    s.push_str(&format!(
        "Connected at: {}\n",
        f.connected_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "not in ado-entra's journal".into())
    ));
    s.push_str(&format!("State: {} ({})\n\n", a.state.name(), a.headline));
    s.push_str("Identities tried:\n");
    for i in &f.identities {
        s.push_str(&format!(
            "- {}: {}; as signed in: {}; in the directory: {}\n",
            i.label(),
            i.in_tenant.describe(&f.tenant_name()),
            i.signed_in.name(),
            i.in_directory
                .as_ref()
                .map(Access::name)
                .unwrap_or("not tried")
        ));
    }
    s.push_str("\nWhat the services answered (request ids for support):\n");
    for p in probes {
        s.push_str(&format!("- {p}\n"));
    }
    s.push_str("\nWhat was tried:\n");
    if f.tried.is_empty() {
        s.push_str("- nothing yet\n");
    }
    for t in &f.tried {
        s.push_str(&format!(
            "- {} {}: {} ({})\n",
            t.at.format("%Y-%m-%d %H:%M UTC"),
            t.way.name(),
            t.outcome,
            if t.ok { "worked" } else { "did not work" }
        ));
    }
    s.push_str(&format!(
        "\nRequest: the owner is locked out after connecting the organization to Microsoft Entra ID; please restore the owner's access or disconnect the organization from the directory.\nSubmit at {SUPPORT_URL}.\n"
    ));
    s
}
