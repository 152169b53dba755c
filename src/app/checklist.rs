//! The checklist to send users after the change, as Markdown.

use super::{Environment, Session};

/// The checklist for what this run did, as Markdown.
pub fn checklist_markdown(session: &Session, env: &Environment) -> String {
    let org = match session.org() {
        "" => env.org.clone().unwrap_or_else(|| "the organization".into()),
        org => org.to_string(),
    };
    let verb = if session.resolve_only() {
        "resolve disconnected users"
    } else {
        session.operation().verb()
    };
    let mut md = format!("# Azure DevOps organization `{org}`: {verb}\n\n");
    if let Some(d) = session.destination() {
        md.push_str(&format!(
            "Directory: **{}** ({}, `{}`)\n\n",
            d.display_name, d.domain, d.id
        ));
    }
    if let Some(a) = &session.applied {
        md.push_str(&format!(
            "{}\n\nJournal: `{}`\n\n",
            a.summary,
            a.journal.display()
        ));
    }
    if let Some(r) = &session.resolved {
        md.push_str(&format!(
            "Disconnected users: {}.\n\nResolve journal: `{}`\n\n",
            r.summary(),
            r.journal.display()
        ));
    }
    if let Some(v) = &session.verified {
        md.push_str(&format!(
            "Verified with a fresh sign-in as {} (tenant `{}`).\n\n",
            v.identity.upn, v.identity.tenant_id
        ));
    }
    if let Some(r) = &session.report {
        md.push_str("## What changed\n\n");
        for c in &r.plan.changes {
            md.push_str(&format!("- {c}\n"));
        }
        md.push_str("\n## What every user must do\n\n");
        for (i, s) in r.plan.afterwards.iter().enumerate() {
            md.push_str(&format!("{}. {s}\n", i + 1));
        }
        if !r.plan.disconnected.is_empty() {
            md.push_str("\n## Users to map or invite\n\n");
            for u in &r.plan.disconnected {
                md.push_str(&format!("- [ ] {u}\n"));
            }
        }
    }
    md
}
