//! The checklist to send users after the change: what was done and what is
//! left, built once as sections and rendered as Markdown (the export) or as
//! lines on the Done screen. It is meant for other people: no local paths.

use super::{Environment, Session, TenantInfo};

/// How a section's items are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    Bullets,
    Steps,
    ToDo,
}

/// One part of the checklist: a heading and its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub items: Vec<String>,
    pub kind: Items,
}

/// The checklist: a title and its sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub title: String,
    pub sections: Vec<Section>,
}

/// `text` with every tenant id the wizard knows the name of replaced by
/// that name ("to directory afade585-…" → "to directory Fabrikam").
pub fn named(text: &str, session: &Session, env: &Environment) -> String {
    let known = env.tenants.iter().chain(session.destination());
    known
        .filter(|t: &&TenantInfo| !t.display_name.trim().is_empty() && !t.id.is_empty())
        .fold(text.to_string(), |s, t| s.replace(&t.id, &t.display_name))
}

/// What this run did and what is left, for the users.
pub fn checklist(session: &Session, env: &Environment) -> Checklist {
    let org = match session.org() {
        "" => env.org.clone().unwrap_or_else(|| "the organization".into()),
        org => org.to_string(),
    };
    let verb = if session.resolve_only() {
        "resolve disconnected users"
    } else {
        session.operation().verb()
    };
    let mut sections = Vec::new();
    let mut done = Vec::new();
    if let Some(a) = &session.applied {
        done.push(named(&a.summary, session, env));
    }
    if let Some(v) = &session.verified {
        let tenant = named(&v.identity.tenant_id, session, env);
        done.push(format!(
            "Verified with a fresh sign-in as {} (directory {tenant}).",
            v.identity.upn
        ));
    }
    if let Some(r) = &session.resolved {
        done.push(format!("Disconnected users: {}.", r.summary()));
    }
    let report = session.report.as_ref().filter(|r| r.is_change());
    match report {
        Some(r) if session.applied.is_none() => sections.push(Section {
            heading: "What the change will do".into(),
            items: r.plan.changes.clone(),
            kind: Items::Bullets,
        }),
        _ => {}
    }
    if !done.is_empty() {
        sections.push(Section {
            heading: "Done".into(),
            items: done,
            kind: Items::Bullets,
        });
    }
    if let Some(r) = report {
        let left = if session.applied.is_some() {
            "What every user does now"
        } else {
            "What every user will do afterwards"
        };
        sections.push(Section {
            heading: left.into(),
            items: r.plan.afterwards.clone(),
            kind: Items::Steps,
        });
        if !r.plan.disconnected.is_empty() && session.resolved.is_none() {
            sections.push(Section {
                heading: "Users left to map or invite".into(),
                items: r.plan.disconnected.clone(),
                kind: Items::ToDo,
            });
        }
    }
    let mut title = format!("Azure DevOps organization '{org}': {verb}");
    if let Some(d) = session.destination() {
        title.push_str(&format!(" ({})", d.display_name));
    }
    Checklist { title, sections }
}

/// The checklist as Markdown, for the export.
pub fn checklist_markdown(session: &Session, env: &Environment) -> String {
    let c = checklist(session, env);
    let mut md = format!("# {}\n", c.title);
    if let Some(d) = session.destination() {
        md.push_str(&format!(
            "\nDirectory: **{}** ({}, `{}`)\n",
            d.display_name, d.domain, d.id
        ));
    }
    for s in &c.sections {
        md.push_str(&format!("\n## {}\n\n", s.heading));
        for (i, item) in s.items.iter().enumerate() {
            md.push_str(&match s.kind {
                Items::Bullets => format!("- {item}\n"),
                Items::Steps => format!("{}. {item}\n", i + 1),
                Items::ToDo => format!("- [ ] {item}\n"),
            });
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Applied, Environment, Session};

    #[test]
    fn an_applied_change_is_told_in_the_past_and_without_local_paths() {
        let mut s = Session::default();
        let env = Environment {
            tenants: vec![TenantInfo {
                id: "t-1".into(),
                display_name: "Fabrikam".into(),
                domain: "fabrikam.com".into(),
            }],
            ..Environment::azure()
        };
        s.applied = Some(Applied {
            summary: "Connected 'o' to directory t-1.".into(),
            journal: "/home/admin/.local/state/journal/connect.jsonl".into(),
            already_landed: false,
            now: crate::domain::directory::Target::Personal,
        });
        let md = checklist_markdown(&s, &env);
        assert!(
            md.contains("## Done\n\n- Connected 'o' to directory Fabrikam."),
            "{md}"
        );
        assert!(!md.contains("journal"), "{md}");
        assert!(!md.contains("will be"), "{md}");
    }
}
