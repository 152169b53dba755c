//! Operations shared by the wizard and the headless commands: gather facts,
//! run checks, connect / disconnect / change tenant (journaled), verify.
//!
//! [`Live`] implements the wizard's [`Services`] over the client layer, against
//! Azure or an emulator (only the base URLs differ).

pub mod change;
pub mod gather;
pub mod lock;
pub mod output;
pub mod report;
pub mod resolve;
pub mod verify;

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Mutex;

use crate::app::{
    ApplyReport, ChecksReport, DeviceCodePrompt, ErrorView, Identity, Msg, Operation, Probe,
    TenantInfo, VerifyReport,
};
use crate::client::auth::{OAuthClient, OAuthConfig, signin};
use crate::client::http::{ClientEvent, HttpCore, RetryPolicy};
use crate::client::models::ado::OrgTenant;
use crate::client::{ClientError, ClientSettings, Clients, Endpoints};
use crate::domain::checks::run_all;
use crate::domain::diagnose::KnowledgeBase;
use crate::domain::facts;
use crate::paths::StatePaths;
use crate::runtime::{Outbox, Services};
pub use change::ChangeError;

/// Client error -> what the wizard shows, matched against the knowledge base.
pub fn error_view(e: &ClientError) -> ErrorView {
    let message = e.to_string();
    let code = e.code().map(str::to_string);
    let kb_id = code
        .as_deref()
        .and_then(|c| KnowledgeBase::builtin().best(c))
        .or_else(|| KnowledgeBase::builtin().best(&message))
        .map(|k| k.id.clone());
    ErrorView {
        next_step: kb_id
            .as_ref()
            .and_then(|id| KnowledgeBase::builtin().get(id))
            .and_then(|k| k.fix.first().cloned()),
        message,
        code,
        kb_id,
        auth_failure: e.is_auth() || matches!(e.status(), Some(401 | 403)),
    }
}

/// The wizard's verification report from an ops verification.
pub fn verify_report(identity: Identity, v: verify::Verification) -> VerifyReport {
    let failure = (!v.ok()).then(|| {
        let mut e = match &v.error {
            Some(p) => ErrorView {
                message: p.message.clone(),
                code: p.code.clone(),
                next_step: None,
                kb_id: None,
                auth_failure: matches!(p.status, Some(401 | 403 | 203)),
            },
            None => ErrorView::msg("The organization did not answer every probe."),
        };
        if let Some(cmd) = v.access.sign_in_command() {
            e.next_step = Some(format!("Sign in again: {cmd}"));
        }
        e
    });
    VerifyReport {
        identity,
        probes: v
            .probes
            .into_iter()
            .map(|p| Probe {
                what: p.what,
                ok: p.ok,
                detail: p.detail,
            })
            .collect(),
        failure,
        access: v.access,
        owner: v.owner,
    }
}

/// What the wizard's operation asks for; a typed domain is resolved to its
/// tenant id first.
async fn asked(
    c: &Clients,
    op: Operation,
    tenant: Option<String>,
) -> Result<crate::domain::directory::Asked, ErrorView> {
    use crate::domain::directory::Asked;
    let to = match tenant.as_deref() {
        Some(t) => {
            let input = crate::domain::validate::parse_tenant(t)
                .map_err(|e| ErrorView::msg(e.to_string()))?;
            Some(
                change::resolve_tenant(c, &input)
                    .await
                    .map_err(|e| change_view(&e))?,
            )
        }
        None => None,
    };
    match (op, to) {
        (Operation::Disconnect, _) => Ok(Asked::Disconnect),
        (Operation::ChangeTenant, Some(to)) => Ok(Asked::ChangeTenant { to }),
        (Operation::Connect | Operation::CheckOnly, Some(to)) => Ok(Asked::Connect { to }),
        (Operation::CheckOnly, None) => Ok(Asked::Disconnect),
        (_, None) => Err(ErrorView::msg("Choose a destination directory first.")),
    }
}

/// What an audit judges against: a planned directory when given, else the
/// directory the organization uses now (a connected organization "moving" to
/// its own tenant); `None` for an organization of personal accounts with no plan.
pub fn audit_operation(
    now: &crate::domain::directory::Backing,
    planned: Option<&crate::domain::directory::Directory>,
) -> Option<facts::Operation> {
    use crate::domain::directory::Backing;
    match (now, planned) {
        (Backing::Tenant { directory }, Some(to)) => Some(facts::Operation::ChangeTenant {
            from: directory.id.to_string(),
            to: to.id.to_string(),
        }),
        (_, Some(to)) => Some(facts::Operation::Connect {
            destination: to.id.to_string(),
        }),
        (Backing::Tenant { directory }, None) => Some(facts::Operation::ChangeTenant {
            from: directory.id.to_string(),
            to: directory.id.to_string(),
        }),
        (Backing::Personal, None) => None,
    }
}

/// The checks an audit reports: service connections bound to another tenant,
/// global PATs, PATs to recreate, and the guest-access policy.
pub fn audit_rows(facts: &facts::Facts) -> Vec<crate::app::CheckRow> {
    const AUDIT: [&str; 4] = [
        "service-connections",
        "global-pats",
        "pats-recreate",
        "guest-access-policy",
    ];
    run_all(facts)
        .iter()
        .filter(|r| AUDIT.contains(&r.id))
        .map(report::check_row)
        .collect()
}

/// The identity of the current sign-in, from its token.
pub async fn current_identity(c: &Clients) -> Option<Identity> {
    let claims = c.tokens.snapshot().await?.claims()?;
    Some(Identity {
        upn: claims.username().unwrap_or_default().to_string(),
        display_name: claims.name.clone().unwrap_or_default(),
        tenant_id: claims.tid.clone().unwrap_or_default(),
    })
}

/// The wizard's services, backed by the client layer.
pub struct Live {
    settings: ClientSettings,
    paths: StatePaths,
    session: Mutex<Option<Clients>>,
    /// Graph in the organization's directory, kept from loading Resolve
    /// for the live search and the invitations: (org, tenant, client).
    resolve_graph: Mutex<Option<(String, String, crate::client::graph::GraphClient)>>,
}

impl Live {
    pub fn new(settings: ClientSettings, paths: StatePaths) -> Self {
        Self {
            settings,
            paths,
            session: Mutex::new(None),
            resolve_graph: Mutex::new(None),
        }
    }

    fn oauth(&self, core: &HttpCore, endpoints: &Endpoints, tenant: Option<&str>) -> OAuthClient {
        let tenant = tenant.or(self.settings.tenant.as_deref());
        OAuthClient::new(
            core.clone(),
            endpoints,
            OAuthConfig::new(self.settings.client_id.as_deref(), tenant),
        )
    }

    /// The signed-in clients (loaded from the token cache on first use).
    async fn clients(&self, out: &Outbox) -> Result<Clients, ErrorView> {
        let mut guard = self.session.lock().await;
        if guard.is_none() {
            let (clients, _) =
                Clients::from_settings(&self.settings, &self.paths, RetryPolicy::default())
                    .map_err(|e| error_view(&e))?;
            forward_throttling(&clients, out.clone());
            *guard = Some(clients);
        }
        Ok(guard.clone().expect("set above"))
    }

    /// The Graph client for `org`'s directory (from loading Resolve, else made now).
    async fn resolve_graph(
        &self,
        c: &Clients,
        org: &str,
    ) -> Result<(String, crate::client::graph::GraphClient), ErrorView> {
        if let Some((o, t, g)) = self.resolve_graph.lock().await.as_ref()
            && o.eq_ignore_ascii_case(org)
        {
            return Ok((t.clone(), g.clone()));
        }
        let tenant = resolve::connected_tenant(c, org)
            .await
            .map_err(|e| resolve_view(&e))?;
        let g = gather::graph_in_tenant(c, &tenant)
            .await
            .map_err(|e| error_view(&e))?;
        *self.resolve_graph.lock().await = Some((org.to_string(), tenant.clone(), g.clone()));
        Ok((tenant, g))
    }

    /// The signed-in clients, switched to `org`'s directory when the
    /// organization is connected to one the session is not signed in to (a
    /// personal-account or other-directory token is refused by such an
    /// organization). Personal-account organizations keep the session as is.
    async fn org_clients(&self, org: &str, out: &Outbox) -> Result<Clients, ErrorView> {
        let c = self.clients(out).await?;
        if let Ok(p) = c.ado.probe_tenant(org).await
            && let OrgTenant::Entra(tenant) = p.tenant
            && current_identity(&c)
                .await
                .is_some_and(|i| !i.tenant_id.eq_ignore_ascii_case(&tenant))
        {
            c.tokens
                .use_tenant(&tenant)
                .await
                .map_err(|e| error_view(&e))?;
        }
        Ok(c)
    }

    /// Device-code sign-in at `tenant`, replacing the session.
    async fn device_sign_in(
        &self,
        tenant: Option<&str>,
        out: &Outbox,
    ) -> Result<Identity, ErrorView> {
        let clients = self.clients(out).await?;
        let oauth = self.oauth(&clients.core, &clients.endpoints, tenant);
        let (cache, _graph_warning) = signin::device_code(&oauth, |p| {
            let _ = out.send(Msg::SignInPrompt(DeviceCodePrompt {
                verification_uri: p.verification_uri.clone(),
                user_code: p.user_code.clone(),
                expires_in_secs: p.expires_in,
            }));
        })
        .await
        .map_err(|e| error_view(&e))?;
        let claims = cache.claims();
        clients
            .tokens
            .set_cache(cache)
            .await
            .map_err(|e| error_view(&e))?;
        let claims = claims
            .ok_or_else(|| ErrorView::msg("The sign-in returned a token without an identity."))?;
        Ok(Identity {
            upn: claims.username().unwrap_or_default().to_string(),
            display_name: claims.name.clone().unwrap_or_default(),
            tenant_id: claims.tid.clone().unwrap_or_default(),
        })
    }
}

/// A change error as the wizard shows it.
pub fn change_view(e: &change::ChangeError) -> ErrorView {
    match e.client() {
        Some(c) => error_view(c),
        None => ErrorView::msg(e.to_string()),
    }
}

/// A Resolve error as the wizard shows it.
pub fn resolve_view(e: &resolve::ResolveError) -> ErrorView {
    match e {
        resolve::ResolveError::Client(c) => error_view(c),
        other => ErrorView::msg(other.to_string()),
    }
}

/// Show Retry-After waits in the status bar.
fn forward_throttling(clients: &Clients, out: Outbox) {
    let mut events = clients.core.subscribe();
    tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            if let ClientEvent::RetryAfter { wait, .. } = ev
                && out
                    .send(Msg::Throttled {
                        wait_secs: wait.as_secs().max(1),
                    })
                    .is_err()
            {
                break;
            }
        }
    });
}

impl Services for Live {
    async fn sign_in(&self, tenant: Option<String>, out: Outbox) -> Result<Identity, ErrorView> {
        self.device_sign_in(tenant.as_deref(), &out).await
    }

    async fn list_orgs(&self, out: Outbox) -> Result<Vec<String>, ErrorView> {
        let c = self.clients(&out).await?;
        let profile = c.ado.profile().await.map_err(|e| error_view(&e))?;
        let member = profile.public_alias.clone().unwrap_or(profile.id.clone());
        let accounts = c.ado.accounts(&member).await.map_err(|e| error_view(&e))?;
        let mut names: Vec<String> = accounts.into_iter().map(|a| a.account_name).collect();
        names.sort_by_key(|n| n.to_lowercase());
        Ok(names)
    }

    async fn list_tenants(&self, org: String, out: Outbox) -> Result<Vec<TenantInfo>, ErrorView> {
        let c = self.org_clients(&org, &out).await?;
        let tenants = c.ado.user_tenants(&org).await.map_err(|e| error_view(&e))?;
        Ok(tenants
            .into_iter()
            .map(|t| TenantInfo {
                display_name: t.display_name.clone().unwrap_or_else(|| t.id.clone()),
                domain: t.domain.clone().unwrap_or_default(),
                id: t.id,
            })
            .collect())
    }

    async fn run_checks(
        &self,
        op: Operation,
        org: String,
        tenant: Option<String>,
        out: Outbox,
    ) -> Result<ChecksReport, ErrorView> {
        let c = self.org_clients(&org, &out).await?;
        let asked = asked(&c, op, tenant).await?;
        let situation = change::situation(&c, &self.paths.journal_dir(), &org, &asked)
            .await
            .map_err(|e| change_view(&e))?;
        let view = report::situation_view(&situation);
        let destination = asked.destination().map(|d| TenantInfo {
            id: d.id.to_string(),
            display_name: d.name().to_string(),
            domain: d.domain.clone(),
        });
        let crate::domain::directory::Decision::Proceed { change: ch, .. } = &situation.decision
        else {
            return Ok(ChecksReport {
                situation: view,
                destination,
                ..ChecksReport::default()
            });
        };
        let progress_out = out.clone();
        let progress: gather::Progress = Arc::new(move |done, total, what| {
            let _ = progress_out.send(Msg::ChecksProgress {
                done,
                total,
                label: what.to_string(),
            });
        });
        let a = change::assess(&c, &org, ch, None, progress)
            .await
            .map_err(|e| error_view(&e))?;
        let source = match ch {
            crate::domain::directory::Change::ChangeTenant { from, .. }
            | crate::domain::directory::Change::Disconnect { from } => Some(from.label()),
            _ => None,
        };
        let mut r = report::report_named(&a.facts, &a.results, &a.prediction, source.as_deref());
        r.situation = view;
        r.destination = r.destination.or(destination);
        Ok(r)
    }

    async fn apply(
        &self,
        op: Operation,
        org: String,
        tenant: Option<String>,
        accepted: Vec<String>,
        out: Outbox,
    ) -> Result<ApplyReport, ErrorView> {
        let c = self.org_clients(&org, &out).await?;
        let asked = asked(&c, op, tenant).await?;
        let jdir = self.paths.journal_dir();
        let lock = change::lock(
            &self.paths.lock_dir(),
            &org,
            &format!("ado-entra wizard ({} '{org}')", op.verb()),
        )
        .map_err(|e| change_view(&e))?;
        // The state is read again under the lock: it may have moved since the checks.
        let situation = change::situation(&c, &jdir, &org, &asked)
            .await
            .map_err(|e| change_view(&e))?;
        let owner = match &situation.decision {
            crate::domain::directory::Decision::Proceed { .. } => {
                c.ado.owner(&org).await.ok().and_then(|o| o.email)
            }
            _ => None,
        };
        let step_out = out.clone();
        let on_step: change::OnStep = Arc::new(move |s: change::ApplyStep| {
            let _ = step_out.send(Msg::ApplyProgress(s.to_string()));
        });
        let applied = change::apply(
            &c,
            &jdir,
            &lock,
            &situation,
            &change::Confirmed {
                accepted_risks: accepted,
                owner,
            },
            on_step,
        )
        .await
        .map_err(|e| change_view(&e))?;
        Ok(ApplyReport {
            summary: applied.summary,
            journal: applied.journal.display().to_string(),
        })
    }

    async fn sign_out_and_verify(
        &self,
        org: String,
        tenant: Option<String>,
        out: Outbox,
    ) -> Result<VerifyReport, ErrorView> {
        // Drop every token, as the docs ask: verification must use a fresh sign-in.
        let c = self.clients(&out).await?;
        c.tokens
            .clear()
            .await
            .map_err(|e| ErrorView::msg(format!("Cannot remove the token cache: {e}")))?;
        let identity = self.device_sign_in(tenant.as_deref(), &out).await?;
        let c = self.clients(&out).await?;
        let who = verify::signed_in(&c)
            .await
            .ok_or_else(|| ErrorView::msg("The sign-in returned a token without an identity."))?;
        let v = verify::verify(&c, &org, who, &self.paths.journal_dir()).await;
        Ok(verify_report(identity, v))
    }

    async fn audit(
        &self,
        org: String,
        out: Outbox,
    ) -> Result<Vec<crate::app::CheckRow>, ErrorView> {
        let c = self.org_clients(&org, &out).await?;
        let now = change::backing(&c, &org)
            .await
            .map_err(|e| change_view(&e))?;
        // Against the directory the organization uses now; after a disconnect,
        // as a disconnected organization.
        let op = audit_operation(&now, None).unwrap_or(facts::Operation::Disconnect);
        let facts = gather::gather(&c, op, &org, Utc::now(), Arc::new(|_, _, _| {}))
            .await
            .map_err(|e| error_view(&e))?;
        Ok(audit_rows(&facts))
    }

    async fn export_checklist(&self, markdown: String) -> Result<String, ErrorView> {
        let dir = self.paths.root().to_path_buf();
        let path = dir.join(format!(
            "checklist-{}.md",
            Utc::now().format("%Y%m%d-%H%M%S")
        ));
        tokio::fs::create_dir_all(&dir)
            .await
            .and(tokio::fs::write(&path, markdown).await)
            .map_err(|e| ErrorView::msg(format!("Cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }

    async fn load_resolve(
        &self,
        org: String,
        out: Outbox,
    ) -> Result<crate::app::ResolveLoad, ErrorView> {
        let c = self.org_clients(&org, &out).await?;
        let (loaded, graph) = resolve::load(&c, &org)
            .await
            .map_err(|e| resolve_view(&e))?;
        // The plan names the directory it was loaded from.
        *self.resolve_graph.lock().await = Some((org.clone(), loaded.plan.tenant.clone(), graph));
        let unfinished = resolve::unfinished(&self.paths.journal_dir(), &org)
            .map_err(|e| resolve_view(&e))?
            .map(|u| u.jobs.len());
        Ok(crate::app::ResolveLoad {
            plan: loaded.plan,
            unfinished,
        })
    }

    async fn search_directory(
        &self,
        org: String,
        query: String,
        out: Outbox,
    ) -> Result<Vec<crate::app::Candidate>, ErrorView> {
        let c = self.clients(&out).await?;
        let (_, g) = self.resolve_graph(&c, &org).await?;
        let found = g
            .search_users(&query, 25)
            .await
            .map_err(|e| error_view(&e))?;
        Ok(found
            .into_iter()
            .map(|u| crate::app::Candidate {
                upn: u.user_principal_name.clone().unwrap_or_default(),
                display_name: u.display_name.clone().unwrap_or_default(),
                guest: u
                    .user_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("guest")),
                enabled: u.account_enabled.unwrap_or(true),
                id: u.id,
            })
            .collect())
    }

    async fn apply_resolve(
        &self,
        org: String,
        jobs: Option<Vec<crate::domain::resolve::Job>>,
        out: Outbox,
    ) -> Result<crate::app::ResolveSummary, ErrorView> {
        let c = self.clients(&out).await?;
        let (tenant, g) = self.resolve_graph(&c, &org).await?;
        let jdir = self.paths.journal_dir();
        let lock = change::lock(
            &self.paths.lock_dir(),
            &org,
            &format!("ado-entra wizard (resolve '{org}')"),
        )
        .map_err(|e| change_view(&e))?;
        let (journal, replay, tenant, jobs) = match jobs {
            Some(jobs) => (
                resolve::begin(&jdir, &org, &tenant, &jobs).map_err(|e| resolve_view(&e))?,
                None,
                tenant,
                jobs,
            ),
            None => {
                let u = resolve::unfinished(&jdir, &org)
                    .map_err(|e| resolve_view(&e))?
                    .ok_or_else(|| {
                        resolve_view(&resolve::ResolveError::NothingToResume(org.clone()))
                    })?;
                (u.journal, Some(u.replay), u.tenant, u.jobs)
            }
        };
        let progress_out = out.clone();
        let progress: resolve::OnProgress = Arc::new(move |p: resolve::Progress| {
            let _ = progress_out.send(Msg::ResolveProgress(crate::app::ResolveProgress {
                done: p.done,
                total: p.total,
                mapped: p.mapped,
                invited: p.invited,
                failed: p.failed,
            }));
        });
        let o = resolve::apply(
            &c,
            &g,
            &lock,
            &org,
            &tenant,
            jobs,
            journal,
            replay,
            resolve::Settings::default(),
            progress,
        )
        .await
        .map_err(|e| resolve_view(&e))?;
        Ok(crate::app::ResolveSummary {
            mapped: o.mapped,
            invited: o.invited,
            already: o.already,
            failed: o.failed.into_iter().map(|f| (f.who, f.error)).collect(),
            journal: o.journal.display().to_string(),
        })
    }

    async fn export_resolve(&self, org: String, csv: String) -> Result<String, ErrorView> {
        let dir = self.paths.root().to_path_buf();
        let path = dir.join(format!(
            "resolve-{}-{}.csv",
            org,
            Utc::now().format("%Y%m%d-%H%M%S")
        ));
        tokio::task::spawn_blocking(move || {
            crate::paths::create_private_dir(&dir)
                .and_then(|()| crate::paths::write_private(&path, csv.as_bytes()))
                .map(|()| path.display().to_string())
                .map_err(|e| ErrorView::msg(format!("Cannot write {}: {e}", path.display())))
        })
        .await
        .map_err(|e| ErrorView::msg(e.to_string()))?
    }
}
