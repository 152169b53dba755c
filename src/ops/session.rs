//! A signed-in session: the operations the wizard runs, over the client
//! layer, against Azure or an emulator (only the base URLs differ). Each
//! reports progress as [`Event`]s to the sink it is given and returns its
//! result, or a [`Problem`] that says what to do.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Mutex;

use super::model::{
    Candidate, ChecksReport, DeviceCodePrompt, Event, Events, Identity, Operation, OrgBacking,
    Problem, ResolveLoad, TenantInfo, VerifyReport,
};
use super::{advice, change, gather, recover, report, resolve, verify};

mod files;
use crate::client::auth::sessions::DirectorySessions;
use crate::client::auth::{OAuthClient, OAuthConfig, signin};
use crate::client::graph::GraphClient;
use crate::client::http::{ClientEvent, HttpCore, RetryPolicy};
use crate::client::models::ado::{OrgTenant, TenantProbe};
use crate::client::{ClientSettings, Clients, Endpoints};
use crate::domain::checks::CheckResult;
use crate::domain::directory::{Asked, Decision};
use crate::domain::facts;
use crate::paths::StatePaths;

/// The wizard's session: settings, state paths, and the clients once signed in.
pub struct Session {
    settings: ClientSettings,
    paths: StatePaths,
    clients: Mutex<Option<Clients>>,
    /// Graph in the organization's directory, kept from loading Resolve
    /// for the live search and the invitations: (org, tenant, client).
    resolve_graph: Mutex<Option<(String, String, GraphClient)>>,
    /// Where throttling waits are reported (the first caller's sink).
    throttled: Mutex<Option<Events>>,
}

impl Session {
    pub fn new(settings: ClientSettings, paths: StatePaths) -> Self {
        Self {
            settings,
            paths,
            clients: Mutex::new(None),
            resolve_graph: Mutex::new(None),
            throttled: Mutex::new(None),
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

    /// The state directory's paths.
    pub(crate) fn state_paths(&self) -> &StatePaths {
        &self.paths
    }

    /// The signed-in clients (loaded from the token cache on first use).
    pub(crate) async fn clients(&self, events: &Events) -> Result<Clients, Problem> {
        let mut guard = self.clients.lock().await;
        if guard.is_none() {
            let (clients, _) =
                Clients::from_settings(&self.settings, &self.paths, RetryPolicy::default())
                    .map_err(|e| advice::client(&e))?;
            self.forward_throttling(&clients, events.clone()).await;
            *guard = Some(clients);
        }
        Ok(guard.clone().expect("set above"))
    }

    /// Report Retry-After waits as [`Event::Throttled`] and rate-limit
    /// pacing as [`Event::Pacing`].
    async fn forward_throttling(&self, clients: &Clients, events: Events) {
        *self.throttled.lock().await = Some(events.clone());
        let mut rx = clients.core.subscribe();
        tokio::spawn(async move {
            while let Ok(ev) = rx.recv().await {
                if let ClientEvent::RetryAfter { wait, .. } = ev {
                    events(Event::Throttled {
                        wait_secs: wait.as_secs().max(1),
                    });
                } else if let Some(note) = super::pacing::note(&ev) {
                    events(Event::Pacing(note));
                }
            }
        });
    }

    /// The Graph client for `org`'s directory (from loading Resolve, else made now).
    async fn resolve_graph(
        &self,
        c: &Clients,
        org: &str,
    ) -> Result<(String, GraphClient), Problem> {
        if let Some((o, t, g)) = self.resolve_graph.lock().await.as_ref()
            && o.eq_ignore_ascii_case(org)
        {
            return Ok((t.clone(), g.clone()));
        }
        let tenant = resolve::connected_tenant(c, org)
            .await
            .map_err(|e| advice::resolve(&e))?;
        let g = gather::graph_in_tenant(c, &tenant)
            .await
            .map_err(|e| advice::client(&e))?;
        *self.resolve_graph.lock().await = Some((org.to_string(), tenant.clone(), g.clone()));
        Ok((tenant, g))
    }

    /// The signed-in clients, moved to `org`'s directory when the organization
    /// is connected to one the session is not signed in to (a personal-account
    /// or other-directory token is refused by such an organization).
    /// Personal-account organizations keep the session as is.
    async fn org_clients(&self, org: &str, events: &Events) -> Result<Clients, Problem> {
        self.org_clients_probed(org, events).await.map(|(c, _)| c)
    }

    /// [`Self::org_clients`], with the organization's probe when it answered.
    async fn org_clients_probed(
        &self,
        org: &str,
        events: &Events,
    ) -> Result<(Clients, Option<TenantProbe>), Problem> {
        let c = self.clients(events).await?;
        let probe = c.ado.probe_tenant(org).await.ok();
        if let Some(p) = &probe
            && let OrgTenant::Entra(tenant) = &p.tenant
            && current_identity(&c)
                .await
                .is_some_and(|i| !i.tenant_id.eq_ignore_ascii_case(tenant))
            && let Err(e) = c.tokens.use_tenant(tenant).await
        {
            // This identity has no object in the organization's
            // directory (a personal account, or another directory's
            // account): the organization will refuse it. Signing in
            // there, as an account of that directory, is the way on.
            let who = current_identity(&c)
                .await
                .map(|i| i.upn)
                .unwrap_or_else(|| "this sign-in".into());
            let mut p = advice::client(&e);
            p.message = format!(
                "'{org}' is connected to the directory {tenant}, and {who} cannot sign in there ({})",
                p.message
            );
            p.next_step = Some(format!(
                "Sign in to that directory as an account of it: `ado-entra login --tenant {tenant}` (in the wizard: s)."
            ));
            p.sign_in_at = Some(tenant.clone());
            return Err(p);
        }
        Ok((c, probe))
    }

    /// [`Self::org_clients`], or the session as it is with the reason it
    /// cannot act in the organization: reading the organization's state
    /// needs no sign-in, so "nothing to do" or "it had landed" can still be
    /// said; only a real change needs the problem solved first. With the
    /// organization's probe when it answered, for a read-only run to decide
    /// and check from (a change reads the state again under its lock).
    async fn org_clients_for_state(
        &self,
        org: &str,
        events: &Events,
    ) -> Result<(Clients, Option<Problem>, Option<TenantProbe>), Problem> {
        match self.org_clients_probed(org, events).await {
            Ok((c, probe)) => Ok((c, None, probe)),
            Err(p) if p.sign_in_at.is_some() => Ok((self.clients(events).await?, Some(p), None)),
            Err(p) => Err(p),
        }
    }

    /// Device-code sign-in at `tenant` (`None`: the default authority),
    /// replacing the session.
    pub async fn sign_in(
        &self,
        tenant: Option<&str>,
        events: &Events,
    ) -> Result<Identity, Problem> {
        let clients = self.clients(events).await?;
        let oauth = self.oauth(&clients.core, &clients.endpoints, tenant);
        let (cache, _graph_warning) = signin::device_code(&oauth, |p| {
            events(Event::SignInPrompt(DeviceCodePrompt {
                verification_uri: p.verification_uri.clone(),
                user_code: p.user_code.clone(),
                expires_in_secs: p.expires_in,
            }));
        })
        .await
        .map_err(|e| advice::client(&e))?;
        let claims = cache.claims();
        clients
            .tokens
            .set_cache(cache)
            .await
            .map_err(|e| advice::client(&e))?;
        let claims = claims
            .ok_or_else(|| Problem::msg("The sign-in returned a token without an identity."))?;
        Ok(Identity {
            upn: claims.username().unwrap_or_default().to_string(),
            display_name: claims.name.clone().unwrap_or_default(),
            tenant_id: claims.tid.clone().unwrap_or_default(),
        })
    }

    /// Device-code sign-in at the directory `tenant` as an account of it,
    /// kept as that directory's session for reading it (`login
    /// --directory`); the main sign-in is not touched.
    pub async fn sign_in_directory(
        &self,
        tenant: &str,
        events: &Events,
    ) -> Result<Identity, Problem> {
        let clients = self.clients(events).await?;
        let oauth = self.oauth(&clients.core, &clients.endpoints, Some(tenant));
        let (cache, graph_warning) = signin::device_code(&oauth, |p| {
            events(Event::SignInPrompt(DeviceCodePrompt {
                verification_uri: p.verification_uri.clone(),
                user_code: p.user_code.clone(),
                expires_in_secs: p.expires_in,
            }));
        })
        .await
        .map_err(|e| advice::client(&e))?;
        if let Some(w) = graph_warning {
            return Err(advice::client(&w));
        }
        let claims = cache
            .claims()
            .ok_or_else(|| Problem::msg("The sign-in returned a token without an identity."))?;
        let id = claims
            .tid
            .as_deref()
            .and_then(crate::domain::directory::TenantId::parse)
            .ok_or_else(|| Problem::msg("The sign-in returned a token without a directory id."))?;
        cache
            .save(&DirectorySessions::path(self.paths.root(), &id))
            .map_err(|e| advice::client(&e.into()))?;
        Ok(Identity {
            upn: claims.username().unwrap_or_default().to_string(),
            display_name: claims.name.clone().unwrap_or_default(),
            tenant_id: id.to_string(),
        })
    }

    /// Where `org` is now (personal accounts or a directory), from the
    /// anonymous probe: no sign-in needed.
    pub async fn org_backing(&self, org: &str, events: &Events) -> Result<OrgBacking, Problem> {
        let c = self.clients(events).await?;
        let backing = change::backing(&c, org)
            .await
            .map_err(|e| advice::change(&e))?;
        Ok(OrgBacking {
            tenant: match backing {
                crate::domain::directory::Backing::Personal => None,
                crate::domain::directory::Backing::Tenant { directory } => Some(TenantInfo {
                    id: directory.id.to_string(),
                    display_name: directory.display_name.clone(),
                    domain: directory.domain.clone(),
                }),
            },
        })
    }

    /// Organizations the signed-in person belongs to, in every directory
    /// they are in (as `ado-entra orgs` lists them).
    pub async fn list_orgs(&self, events: &Events) -> Result<Vec<String>, Problem> {
        let c = self.clients(events).await?;
        super::fleet::list(&c, &super::fleet::Source::Accounts)
            .await
            .map_err(|e| advice::client(&e))
    }

    /// Each of `orgs` at once, under a budget of its own the size of
    /// `orgs --check`'s (so the picker fills in as fast as the command, and
    /// the wizard's own reads do not queue behind it): backing, owner,
    /// users, whether the person administers it and, with `op`, its
    /// readiness (decided as `check` decides it). [`Event::Surveyed`] as
    /// each finishes.
    pub async fn survey(
        &self,
        orgs: &[String],
        op: Option<Operation>,
        tenant: Option<&str>,
        events: &Events,
    ) -> Result<Vec<super::model::FleetOrg>, Problem> {
        let c = self
            .clients(events)
            .await?
            .with_budget(usize::from(super::fleet::DEFAULT_REQUESTS));
        let asked = match op {
            Some(op) => Some(asked(&c, op, tenant).await?),
            None => None,
        };
        let settings = super::fleet::Settings {
            asked,
            stale_days: crate::domain::facts::DEFAULT_STALE_AFTER_DAYS,
            journal_dir: self.paths.journal_dir(),
        };
        let sink = events.clone();
        let on_done = move |i: usize, row: &super::model::FleetOrg| {
            sink(Event::Surveyed(i, Box::new(row.clone())));
        };
        Ok(super::fleet::survey(&c, orgs, &settings, &on_done).await)
    }

    /// Directories the signed-in identity can connect `org` to.
    pub async fn list_tenants(
        &self,
        org: &str,
        events: &Events,
    ) -> Result<Vec<TenantInfo>, Problem> {
        let c = self.org_clients(org, events).await?;
        let tenants = c
            .ado
            .user_tenants(org)
            .await
            .map_err(|e| advice::client(&e))?;
        Ok(tenants
            .into_iter()
            .map(|t| TenantInfo {
                display_name: t.display_name.clone().unwrap_or_else(|| t.id.clone()),
                domain: t.domain.clone().unwrap_or_default(),
                id: t.id,
            })
            .collect())
    }

    /// The organization's state decides first; a real change then runs every
    /// prerequisite check ([`Event::Checking`] as facts arrive).
    pub async fn run_checks(
        &self,
        op: Operation,
        org: &str,
        tenant: Option<&str>,
        events: &Events,
    ) -> Result<ChecksReport, Problem> {
        let (c, cannot_act, probe) = self.org_clients_for_state(org, events).await?;
        let asked = asked(&c, op, tenant).await?;
        let jdir = self.paths.journal_dir();
        // Probed once, for the situation and the checks alike.
        let situation = change::situation_from(&c, &jdir, org, &asked, probe.as_ref())
            .await
            .map_err(|e| advice::change(&e))?;
        if let (Decision::Proceed { .. }, Some(p)) = (&situation.decision, cannot_act) {
            return Err(p);
        }
        let destination = asked.destination().map(|d| TenantInfo {
            id: d.id.to_string(),
            display_name: d.name().to_string(),
            domain: d.domain.clone(),
        });
        let Decision::Proceed { change: ch, .. } = &situation.decision else {
            return Ok(report::checks_report(&situation, destination, None));
        };
        let sink = events.clone();
        let progress: gather::Progress = Arc::new(move |done, total, what| {
            sink(Event::Checking {
                done,
                total,
                label: what.to_string(),
            });
        });
        let known = change::Known {
            probe: probe.as_ref(),
            ..change::Known::default()
        };
        let a = change::assess_knowing(&c, org, ch, None, progress, known)
            .await
            .map_err(|e| advice::client(&e))?;
        let r = report::checks_report(&situation, destination, Some((ch, &a)));
        Ok(r)
    }

    /// Make the change (or record one that had landed), under the
    /// organization's lock, reading its state again first.
    pub async fn apply(
        &self,
        op: Operation,
        org: &str,
        tenant: Option<&str>,
        accepted: Vec<String>,
        events: &Events,
    ) -> Result<change::Applied, Problem> {
        let (c, cannot_act, _) = self.org_clients_for_state(org, events).await?;
        let asked = asked(&c, op, tenant).await?;
        let jdir = self.paths.journal_dir();
        let lock = change::lock(
            &self.paths.lock_dir(),
            org,
            &format!("ado-entra wizard ({} '{org}')", op.verb()),
        )
        .map_err(|e| advice::change(&e))?;
        // The state is read again under the lock: it may have moved since the checks.
        let situation = change::situation(&c, &jdir, org, &asked)
            .await
            .map_err(|e| advice::change(&e))?;
        if let (Decision::Proceed { .. }, Some(p)) = (&situation.decision, cannot_act) {
            return Err(p);
        }
        let owner = match &situation.decision {
            Decision::Proceed { .. } => c.ado.owner(org).await.ok().and_then(|o| o.email),
            _ => None,
        };
        let sink = events.clone();
        let on_step: change::OnStep = Arc::new(move |s: change::ApplyStep| {
            sink(Event::Applying(s.to_string()));
        });
        change::apply(
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
        .map_err(|e| advice::change(&e))
    }

    /// Drop every token, sign in afresh at `tenant` and probe the organization.
    pub async fn sign_out_and_verify(
        &self,
        org: &str,
        tenant: Option<&str>,
        events: &Events,
    ) -> Result<VerifyReport, Problem> {
        // Drop every token, as the docs ask: verification must use a fresh sign-in.
        let c = self.clients(events).await?;
        c.tokens
            .clear()
            .await
            .map_err(|e| Problem::msg(format!("Cannot remove the token cache: {e}")))?;
        let identity = self.sign_in(tenant, events).await?;
        let c = self.clients(events).await?;
        let who = verify::signed_in(&c)
            .await
            .ok_or_else(|| Problem::msg("The sign-in returned a token without an identity."))?;
        let mut v = verify::verify(&c, org, who, &self.paths.journal_dir()).await;
        if v.ok() {
            // What the checks said the change might break, tried for real.
            v.deep = verify::deep::probes(&c, org).await;
        }
        Ok(verify_report(identity, v))
    }

    /// Service connections, PATs and policies of `org` as it is now.
    pub async fn audit(&self, org: &str, events: &Events) -> Result<Vec<CheckResult>, Problem> {
        let c = self.org_clients(org, events).await?;
        let now = change::backing(&c, org)
            .await
            .map_err(|e| advice::change(&e))?;
        // Against the directory the organization uses now; after a disconnect,
        // as a disconnected organization.
        let op = super::audit_operation(&now, None).unwrap_or(facts::Operation::Disconnect);
        let facts = gather::gather(&c, op, org, Utc::now(), Arc::new(|_, _, _| {}))
            .await
            .map_err(|e| advice::client(&e))?;
        Ok(super::audit_rows(&facts))
    }

    /// Disconnected users of `org`, the directory's accounts and suggestions,
    /// and any interrupted run.
    pub async fn load_resolve(&self, org: &str, events: &Events) -> Result<ResolveLoad, Problem> {
        let c = self.org_clients(org, events).await?;
        let (loaded, graph) = resolve::load(&c, org)
            .await
            .map_err(|e| advice::resolve(&e))?;
        // The plan names the directory it was loaded from.
        *self.resolve_graph.lock().await =
            Some((org.to_string(), loaded.plan.tenant.clone(), graph));
        let unfinished = resolve::unfinished(&self.paths.journal_dir(), org)
            .map_err(|e| advice::resolve(&e))?
            .map(|u| u.jobs.len());
        Ok(ResolveLoad {
            plan: loaded.plan,
            unfinished,
        })
    }

    /// Search the organization's directory by name, UPN or mail prefix.
    pub async fn search_directory(
        &self,
        org: &str,
        query: &str,
        events: &Events,
    ) -> Result<Vec<Candidate>, Problem> {
        let c = self.clients(events).await?;
        let (_, g) = self.resolve_graph(&c, org).await?;
        let found = g
            .search_users(query, 25)
            .await
            .map_err(|e| advice::client(&e))?;
        Ok(found
            .into_iter()
            .map(|u| Candidate {
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

    /// Apply Resolve jobs (`None`: resume the interrupted run), journaled,
    /// under the organization's lock; [`Event::Resolving`] as users finish.
    pub async fn apply_resolve(
        &self,
        org: &str,
        jobs: Option<Vec<crate::domain::resolve::Job>>,
        events: &Events,
    ) -> Result<resolve::Outcome, Problem> {
        let c = self.clients(events).await?;
        let (tenant, g) = self.resolve_graph(&c, org).await?;
        let jdir = self.paths.journal_dir();
        let lock = change::lock(
            &self.paths.lock_dir(),
            org,
            &format!("ado-entra wizard (resolve '{org}')"),
        )
        .map_err(|e| advice::change(&e))?;
        let (journal, replay, tenant, jobs) = match jobs {
            Some(jobs) => (
                resolve::begin(&jdir, org, &tenant, &jobs).map_err(|e| advice::resolve(&e))?,
                None,
                tenant,
                jobs,
            ),
            None => {
                let u = resolve::unfinished(&jdir, org)
                    .map_err(|e| advice::resolve(&e))?
                    .ok_or_else(|| {
                        advice::resolve(&resolve::ResolveError::NothingToResume(org.to_string()))
                    })?;
                (u.journal, Some(u.replay), u.tenant, u.jobs)
            }
        };
        let sink = events.clone();
        let progress: resolve::OnProgress =
            Arc::new(move |p: resolve::Progress| sink(Event::Resolving(p)));
        resolve::apply(
            &c,
            &g,
            &lock,
            org,
            &tenant,
            jobs,
            journal,
            replay,
            resolve::Settings::default(),
            progress,
        )
        .await
        .map_err(|e| advice::resolve(&e))
    }

    /// Diagnose a locked-out owner's organization with the current sign-in
    /// (remembered with earlier ones) and list the ways back.
    pub async fn recover(&self, org: &str, events: &Events) -> Result<recover::Report, Problem> {
        let c = self.clients(events).await?;
        recover::diagnose(&c, org, &self.paths).await
    }

    /// Carry out a way back (or verify as the owner with a fresh sign-in).
    pub async fn recover_run(
        &self,
        org: &str,
        action: recover::Action,
        opts: &recover::WayOptions,
        events: &Events,
    ) -> Result<recover::Outcome, Problem> {
        recover::ways::run(self, org, action, opts, events).await
    }
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

/// The verification report for a fresh sign-in as `identity`.
pub fn verify_report(identity: Identity, v: verify::Verification) -> VerifyReport {
    let failure = (!v.ok()).then(|| {
        let mut p = match &v.error {
            Some(e) => Problem {
                message: e.message.clone(),
                code: e.code.clone(),
                request_id: e.request_id.clone(),
                auth_failure: matches!(e.status, Some(401 | 403 | 203)),
                ..Problem::default()
            },
            None => Problem::msg("The organization did not answer every probe."),
        };
        if let Some(cmd) = v.access.sign_in_command() {
            p.next_step = Some(format!("Sign in again: {cmd}"));
        }
        p
    });
    VerifyReport {
        identity,
        probes: v.probes,
        failure,
        access: v.access,
        owner: v.owner,
        deep: v.deep,
    }
}

/// What an operation asks for; a typed domain is resolved to its tenant id first.
async fn asked(c: &Clients, op: Operation, tenant: Option<&str>) -> Result<Asked, Problem> {
    let to = match tenant {
        Some(t) => {
            let input = crate::domain::validate::parse_tenant(t)
                .map_err(|e| Problem::msg(e.to_string()))?;
            Some(
                change::resolve_tenant(c, &input)
                    .await
                    .map_err(|e| advice::change(&e))?,
            )
        }
        None => None,
    };
    match (op, to) {
        (Operation::Disconnect, _) => Ok(Asked::Disconnect),
        (Operation::ChangeTenant, Some(to)) => Ok(Asked::ChangeTenant { to }),
        (Operation::Connect | Operation::CheckOnly, Some(to)) => Ok(Asked::Connect { to }),
        (Operation::CheckOnly, None) => Ok(Asked::Disconnect),
        (_, None) => Err(Problem::msg("Choose a destination directory first.")),
    }
}
