//! `verify --deep`: exercise what the checks predicted a change would
//! affect, with the current sign-in: each Azure Resource Manager service
//! connection's verification (the endpoint proxy's `TestConnection`, what
//! the portal's "Verify" does), a query of the agent pools, the first
//! request of a Git fetch, and a listing of the signed-in person's PATs.
//! Each comes back working, broken (with the knowledge base's fix for what
//! Azure said) or not checkable.

use serde::Serialize;

use crate::client::ado::impact::refused;
use crate::client::models::ado::ServiceEndpoint;
use crate::client::{ClientError, Clients};
use crate::domain::diagnose::KnowledgeBase;

/// How a deep probe went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeepState {
    /// It works.
    Working,
    /// It fails; the fix says what to do.
    Broken,
    /// It could not be tried (nothing to try, or not allowed to).
    NotCheckable,
}

impl DeepState {
    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            DeepState::Working => "✔",
            DeepState::Broken => "✘",
            DeepState::NotCheckable => "-",
        }
    }
}

/// One deep probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeepProbe {
    /// `service-connection`, `agent-pools`, `git`, `pats`.
    pub kind: String,
    /// What was tried, for people.
    pub what: String,
    /// How it went.
    pub state: DeepState,
    /// What Azure said, or what was seen.
    pub detail: String,
    /// The knowledge base entry for a broken probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_as: Option<String>,
    /// What to do, for a broken probe.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<String>,
}

impl DeepProbe {
    fn working(kind: &str, what: String, detail: impl Into<String>) -> Self {
        DeepProbe {
            kind: kind.into(),
            what,
            state: DeepState::Working,
            detail: detail.into(),
            known_as: None,
            fix: Vec::new(),
        }
    }

    fn not_checkable(kind: &str, what: String, detail: impl Into<String>) -> Self {
        DeepProbe {
            state: DeepState::NotCheckable,
            ..DeepProbe::working(kind, what, detail)
        }
    }

    /// Broken, with the knowledge base's entry for `message` when one matches.
    /// Steps about ado-entra's own sign-in are left out of an entry's fix.
    fn broken(kind: &str, what: String, message: String, fallback: &str) -> Self {
        let kb = KnowledgeBase::builtin().best(&message);
        let fix: Vec<String> = kb
            .map(|e| {
                e.fix
                    .iter()
                    .filter(|f| !f.starts_with("For ado-entra"))
                    .cloned()
                    .collect()
            })
            .filter(|f: &Vec<String>| !f.is_empty())
            .unwrap_or_else(|| vec![fallback.to_string()]);
        DeepProbe {
            kind: kind.into(),
            what,
            state: DeepState::Broken,
            detail: message,
            known_as: kb.map(|e| e.id.clone()),
            fix,
        }
    }

    /// A client error: refused means broken, anything else not checkable.
    fn failed(kind: &str, what: String, e: &ClientError, fallback: &str) -> Self {
        if refused(e) {
            DeepProbe::broken(kind, what, e.to_string(), fallback)
        } else {
            DeepProbe::not_checkable(kind, what, format!("could not be tried: {e}"))
        }
    }
}

/// Whether an endpoint is an Azure Resource Manager connection.
fn azure(e: &ServiceEndpoint) -> bool {
    e.kind.eq_ignore_ascii_case("azurerm")
}

async fn service_connections(c: &Clients, org: &str) -> Vec<DeepProbe> {
    const KIND: &str = "service-connection";
    let all = match c.ado.project_resources(org).await {
        Ok(all) => all,
        Err(e) => {
            return vec![DeepProbe::failed(
                KIND,
                "service connections".into(),
                &e,
                "Check Project settings > Service connections with an account that may read them.",
            )];
        }
    };
    let checks = all.iter().flat_map(|(p, eps, _)| {
        eps.iter().filter(|e| azure(e)).map(move |e| async move {
            let what = format!("service connection \"{}\" ({})", e.name, p.name);
            match c.ado.verify_endpoint(org, &p.id, e).await {
                Ok(r) if r.status_code.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("ok")) => {
                    DeepProbe::working(KIND, what, "verified")
                }
                Ok(r) => DeepProbe::broken(
                    KIND,
                    what,
                    r.error_message
                        .filter(|m| !m.trim().is_empty())
                        .unwrap_or_else(|| {
                            format!("verification answered {}", r.status_code.unwrap_or_default())
                        }),
                    "Edit the connection and Verify it in Project settings > Service connections; recreate it if it still fails.",
                ),
                Err(e) => DeepProbe::failed(
                    KIND,
                    what,
                    &e,
                    "Verify the connection in Project settings > Service connections.",
                ),
            }
        })
    });
    let probes = futures_util::future::join_all(checks).await;
    if probes.is_empty() {
        return vec![DeepProbe::not_checkable(
            KIND,
            "service connections".into(),
            "no Azure Resource Manager service connection",
        )];
    }
    probes
}

async fn agent_pools(c: &Clients, org: &str) -> DeepProbe {
    const KIND: &str = "agent-pools";
    let what = "agent pools".to_string();
    match c.ado.self_hosted_agents(org).await {
        Ok(pools) => {
            let agents: usize = pools.iter().map(|(_, a)| a.len()).sum();
            let online = pools
                .iter()
                .flat_map(|(_, a)| a)
                .filter(|a| a.status.as_deref() == Some("online"))
                .count();
            DeepProbe::working(
                KIND,
                what,
                format!(
                    "{}, {}, {online} online",
                    crate::domain::text::plural(
                        pools.len(),
                        "self-hosted pool",
                        "self-hosted pools"
                    ),
                    crate::domain::text::plural(agents, "agent", "agents")
                ),
            )
        }
        Err(e) => DeepProbe::failed(
            KIND,
            what,
            &e,
            "Check Organization settings > Agent pools with this account.",
        ),
    }
}

async fn git(c: &Clients, org: &str) -> DeepProbe {
    const KIND: &str = "git";
    let repos = match c.ado.repositories(org).await {
        Ok(r) => r,
        Err(e) => {
            return DeepProbe::failed(
                KIND,
                "Git fetch".into(),
                &e,
                "Check the repositories' permissions.",
            );
        }
    };
    let Some((repo, project)) = repos
        .iter()
        .find_map(|r| r.project.as_ref().map(|p| (r, p)))
    else {
        return DeepProbe::not_checkable(KIND, "Git fetch".into(), "no Git repository");
    };
    let what = format!("Git fetch of {} ({})", repo.name, project.name);
    match c
        .ado
        .git_ref_advertisement(org, &project.name, &repo.name)
        .await
    {
        Ok(()) => DeepProbe::working(KIND, what, "the token is accepted for Git over HTTPS"),
        Err(e) => DeepProbe::failed(
            KIND,
            what,
            &e,
            "Clear what Git Credential Manager remembers for Azure Repos (delete %LocalAppData%\\GitCredentialManager\\tenant.cache, as Microsoft Learn asks users after a directory change) and run the Git command again to sign in afresh.",
        ),
    }
}

async fn pats(c: &Clients, org: &str) -> DeepProbe {
    const KIND: &str = "pats";
    let what = "your personal access tokens".to_string();
    match c.ado.pats(org).await {
        Ok(list) => DeepProbe::working(KIND, what, format!("{} listed", list.len())),
        Err(e @ ClientError::PatNotAccepted { .. }) => {
            DeepProbe::not_checkable(KIND, what, e.to_string())
        }
        Err(e) => DeepProbe::failed(
            KIND,
            what,
            &e,
            "Open User settings > Personal access tokens in the browser.",
        ),
    }
}

/// Every deep probe of `org`, concurrently.
pub async fn probes(c: &Clients, org: &str) -> Vec<DeepProbe> {
    let (mut out, pools, git, pats) = tokio::join!(
        service_connections(c, org),
        agent_pools(c, org),
        git(c, org),
        pats(c, org)
    );
    out.extend([pools, git, pats]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_probe_carries_the_knowledge_base_fix() {
        let p = DeepProbe::broken(
            "service-connection",
            "x".into(),
            "Failed to obtain the Json Web Token(JWT) using service principal client ID. Exception Message: AADSTS700016: Application with identifier 'a' was not found in the directory 'b'.".into(),
            "fallback",
        );
        assert_eq!(p.known_as.as_deref(), Some("AADSTS700016"));
        assert_eq!(p.fix.len(), 1, "{:?}", p.fix);
        assert!(p.fix[0].contains("create a new service connection"));
        let p = DeepProbe::broken("git", "y".into(), "something new".into(), "fallback");
        assert_eq!(p.known_as, None);
        assert_eq!(p.fix, ["fallback"]);
    }
}
