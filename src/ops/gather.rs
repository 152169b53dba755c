//! Gather the facts the prerequisite checks judge, concurrently, from Azure
//! DevOps and Microsoft Graph (in the destination and source tenants).
//!
//! What cannot be read becomes `None` in the facts, and the checks then say
//! "could not verify" instead of passing. Only a failure to read the
//! organization itself (its users) aborts gathering.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::client::ado::find_pca;
use crate::client::auth::TokenProvider;
use crate::client::budget::leading;
use crate::client::graph::GraphClient;
use crate::client::models::ado::{OrgTenant, TenantProbe, UserEntitlement};
use crate::client::models::graph::User;
use crate::client::{ClientError, Clients};
use crate::domain::facts::{
    Caller, Cloud, Facts, Membership, Operation, OrgFacts, OrgUser, Origin, OwnerRef, Policies,
    Tenant, TenantUser, UserType,
};

mod impact;
mod shared;

pub use impact::TOKENS_OF_EVERYONE_UP_TO;
pub use shared::Directories;

/// How much to read.
#[derive(Debug, Clone, Default)]
pub struct GatherOptions {
    /// Read every user's tokens, however large the organization (`audit`);
    /// otherwise above [`TOKENS_OF_EVERYONE_UP_TO`] users only the owner's
    /// and administrators'.
    pub all_tokens: bool,
    /// The organization's backing as this run already probed it (to decide
    /// its situation): not asked again. A change re-reads its state under
    /// the lock and never passes one.
    pub probed: Option<TenantProbe>,
}

/// Progress callback: (steps done, total steps, what just finished).
pub type Progress = Arc<dyn Fn(usize, usize, &str) + Send + Sync>;

/// Nine Azure DevOps reads, the tokens (PATs and SSH keys), the destination directory.
const STEPS: usize = 11;

pub(crate) fn parse_time(s: &Option<String>) -> Option<DateTime<Utc>> {
    let s = s.as_deref()?;
    if s.starts_with("0001-") {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// One organization user from their entitlement (taken apart, not copied:
/// a large organization has tens of thousands).
fn org_user(e: UserEntitlement) -> OrgUser {
    let u = e.user;
    let origin = Origin::from_ado(&u.origin);
    OrgUser {
        descriptor: u.descriptor,
        display_name: u.display_name,
        principal_name: u.principal_name,
        mail: (!u.mail_address.is_empty()).then_some(u.mail_address),
        origin,
        origin_id: u.origin_id,
        tenant: (origin == Origin::Aad)
            .then(|| crate::domain::directory::TenantId::parse(&u.domain))
            .flatten()
            .map(|t| t.to_string()),
        access_level: e.access_level.license_display_name.unwrap_or_default(),
        last_accessed: parse_time(&e.last_accessed_date),
        date_created: parse_time(&e.date_created),
    }
}

pub fn tenant_user(u: &User) -> TenantUser {
    TenantUser {
        id: u.id.clone(),
        user_principal_name: u.user_principal_name.clone().unwrap_or_default(),
        mail: u.mail.clone(),
        other_mails: u.other_mails.clone(),
        proxy_addresses: u.proxy_addresses.clone(),
        display_name: u.display_name.clone().unwrap_or_default(),
        user_type: UserType::from_graph(u.user_type.as_deref().unwrap_or("Member")),
        account_enabled: u.account_enabled.unwrap_or(true),
        given_name: u.given_name.clone().filter(|g| !g.trim().is_empty()),
        surname: u.surname.clone().filter(|s| !s.trim().is_empty()),
        licenses: u.assigned_licenses.as_ref().map(|l| l.len() as u32),
    }
}

/// Who Microsoft Graph reads a directory as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// The signed-in identity itself (its session moved to the directory).
    SignedIn,
    /// A directory session kept by `login --directory` (another account).
    Session {
        /// The account it signed in as.
        account: String,
    },
}

/// A Graph client signed in to `tenant` (see [`directory_graph`]).
pub async fn graph_in_tenant(clients: &Clients, tenant: &str) -> Result<GraphClient, ClientError> {
    directory_graph(clients, tenant).await.map(|(g, _)| g)
}

/// A Graph client in `tenant` (see [`session_in_tenant`]).
pub async fn directory_graph(
    clients: &Clients,
    tenant: &str,
) -> Result<(GraphClient, Reader), ClientError> {
    let (provider, reader) = session_in_tenant(clients, tenant).await?;
    Ok((
        GraphClient::new(clients.core.clone(), &clients.endpoints, provider),
        reader,
    ))
}

/// The signed-in identity's own tokens moved to `tenant`, without touching
/// the main session.
pub async fn own_in_tenant(clients: &Clients, tenant: &str) -> Result<TokenProvider, ClientError> {
    let snapshot = clients.tokens.snapshot().await.ok_or(ClientError::Auth(
        crate::client::auth::AuthError::NotSignedIn,
    ))?;
    if snapshot.method == crate::client::auth::SignInMethod::Pat {
        return Err(ClientError::PatCannotReachGraph {
            what: format!("directory {tenant}"),
        });
    }
    let provider = TokenProvider::new(Some(snapshot), clients.tokens.oauth(), None);
    provider.use_tenant(tenant).await?;
    Ok(provider)
}

/// Tokens for acting in `tenant`: the signed-in identity's own, moved
/// there without touching the main session (whose Azure DevOps token must
/// stay as it is); when that identity has no object there (a personal
/// account, an account of another directory) or is a PAT, the directory
/// session kept by `ado-entra login --directory TENANT`, if there is one.
pub async fn session_in_tenant(
    clients: &Clients,
    tenant: &str,
) -> Result<(TokenProvider, Reader), ClientError> {
    let own = own_in_tenant(clients, tenant);
    let err = match own.await {
        Ok(p) => return Ok((p, Reader::SignedIn)),
        Err(e) => e,
    };
    let cannot_sign_in_there = refused(&err)
        || matches!(
            err,
            ClientError::PatCannotReachGraph { .. }
                | ClientError::Auth(crate::client::auth::AuthError::NotSignedIn)
        );
    let session = match crate::domain::directory::TenantId::parse(tenant) {
        Some(id) if cannot_sign_in_there => clients.directories.provider(&id)?,
        _ => None,
    };
    let Some(provider) = session else {
        return Err(err);
    };
    let account = provider
        .snapshot()
        .await
        .and_then(|c| c.claims())
        .and_then(|c| c.username().map(str::to_string))
        .unwrap_or_default();
    Ok((provider, Reader::Session { account }))
}

/// Everything needed to run the checks for `op` on `org`.
pub async fn gather(
    clients: &Clients,
    op: Operation,
    org: &str,
    now: DateTime<Utc>,
    progress: Progress,
) -> Result<Facts, ClientError> {
    gather_with(clients, op, org, now, progress, GatherOptions::default()).await
}

/// [`gather`], reading as much as `options` says.
pub async fn gather_with(
    clients: &Clients,
    op: Operation,
    org: &str,
    now: DateTime<Utc>,
    progress: Progress,
    options: GatherOptions,
) -> Result<Facts, ClientError> {
    let directories = Directories::default();
    gather_sharing(clients, op, org, now, progress, options, &directories).await
}

/// [`gather_with`], reading each directory once for every organization
/// gathered with the same `directories` (the fleet).
pub async fn gather_sharing(
    clients: &Clients,
    op: Operation,
    org: &str,
    now: DateTime<Utc>,
    progress: Progress,
    options: GatherOptions,
    directories: &Directories,
) -> Result<Facts, ClientError> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let step = |what: &str| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        progress(n, STEPS, what);
    };
    let ado = &clients.ado;
    // The directory is read while the organization's users page in: the
    // first page's total is enough to choose between reading the whole
    // directory and looking addresses up.
    let (total_tx, total_rx) = tokio::sync::oneshot::channel::<u64>();
    let destination = async {
        let dest = op.destination()?;
        let access = match directories.access(clients, dest).await {
            Ok(a) => a,
            Err(refused) => return Some(Err(refused)),
        };
        let read = async {
            let basics = directories.basics(clients, dest, &access).await;
            let org_users = total_rx.await.ok();
            let directory = match (basics.count, org_users) {
                (Some(n), Some(t)) if directory_is_cheaper(n, t) => {
                    Some(directories.users(clients, dest, &access, n).await)
                }
                _ => None,
            };
            (basics, directory)
        };
        // The destination's settings are read alongside, off the path that
        // decides how to read the directory.
        let ((basics, directory), settings) =
            tokio::join!(read, directories.settings(clients, dest, org, &access));
        Some(Ok(EarlyDestination {
            access,
            basics,
            directory,
            settings,
        }))
    };
    let ((probe, users, owner, pca_members, conn, policies, resources, agents), destination) = tokio::join!(
        async {
            tokio::join!(
                async {
                    let r = match &options.probed {
                        Some(p) => Ok(p.clone()),
                        None => ado.probe_tenant(org).await,
                    };
                    step("organization tenant");
                    r
                },
                async {
                    let r = ado
                        .user_entitlements_sized(org, |n| {
                            let _ = total_tx.send(n);
                        })
                        .await;
                    step("users");
                    r
                },
                async {
                    let r = ado.owner(org).await;
                    step("owner");
                    r
                },
                async {
                    // The groups, once: the administrators' group among them,
                    // then every administrator, nested groups expanded (a
                    // request per group, not one per user).
                    let (groups, pca) = match leading(ado.graph_groups(org)).await {
                        Ok(all) => (Some(all.clone()), Ok(find_pca(org, all))),
                        Err(e) => (None, Err(e)),
                    };
                    step("groups");
                    let r = match pca {
                        Ok(Some(pca)) => leading(ado.group_user_members(org, &pca.descriptor))
                            .await
                            .map(Some),
                        Ok(None) => Ok(None),
                        Err(e) => Err(e),
                    };
                    step("administrators");
                    // Their tokens are read now, while the users page in.
                    let early = match &r {
                        Ok(Some(admins)) => Some(impact::admin_tokens(ado, org, admins).await),
                        _ => None,
                    };
                    (r, early, groups)
                },
                async {
                    let r = ado.connection_data(org).await;
                    step("you");
                    r
                },
                async {
                    let r = ado.policies(org).await;
                    step("policies");
                    r
                },
                async {
                    let r = ado.project_resources(org).await;
                    step("service connections and variable groups");
                    r
                },
                async {
                    let r = ado.self_hosted_agents(org).await;
                    step("agents");
                    r
                },
            )
        },
        destination
    );
    let entitlements = users?;
    let vs_subscribers = impact::vs_subscribers(&entitlements);
    let users: Vec<OrgUser> = entitlements.into_iter().map(org_user).collect();

    let current_tenant = match probe.as_ref().map(|p| &p.tenant) {
        Ok(OrgTenant::Entra(t)) => Some(t.clone()),
        _ => None,
    };
    let owner = owner.ok().map(|o| OwnerRef {
        display_name: o.name.clone().unwrap_or_default(),
        email: o.email.clone(),
        descriptor: users
            .iter()
            .find(|u| {
                o.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&u.principal_name))
            })
            .map(|u| u.descriptor.clone()),
    });
    let me = conn
        .as_ref()
        .ok()
        .and_then(|c| c.authenticated_user.subject_descriptor.clone());
    let caller_name = clients
        .tokens
        .snapshot()
        .await
        .and_then(|c| c.claims())
        .and_then(|c| c.username().map(str::to_string))
        .unwrap_or_default();
    let signed_in_personal = clients
        .tokens
        .snapshot()
        .await
        .and_then(|c| c.claims())
        .and_then(|c| c.tid)
        .is_some_and(|t| t.eq_ignore_ascii_case(crate::domain::verify::CONSUMERS_TENANT));
    let is_owner = owner.as_ref().map(|o| {
        o.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&caller_name))
            || (o.descriptor.is_some() && o.descriptor == me)
    });
    let (pca_members, early_tokens, groups) = pca_members;
    let pca_members: Option<Vec<String>> = pca_members.ok().flatten();
    // The caller's own standing: read off the member list when it is known,
    // else walked upwards from the caller.
    let pca: Result<bool, ClientError> = match (&pca_members, &me) {
        (Some(list), Some(me)) => Ok(list.iter().any(|d| d == me)),
        _ => ado.caller_is_project_collection_admin(org).await,
    };

    let (policies, pat_creation_policy) = match policies {
        Ok(list) => {
            let get = |name: &str| {
                list.iter()
                    .find(|p| p.name.eq_ignore_ascii_case(name))
                    .and_then(|p| p.effective_value.as_bool().or_else(|| p.value.as_bool()))
            };
            (
                Policies {
                    disallow_aad_guest_user_access: get("Policy.DisallowAadGuestUserAccess")
                        .or(Some(false)),
                    disallow_secure_shell: get("Policy.DisallowSecureShell"),
                    enforce_aad_conditional_access: get("Policy.EnforceAADConditionalAccess"),
                    disallow_oauth_authentication: get("Policy.DisallowOAuthAuthentication"),
                    allow_team_admins_invitations: get(
                        "Policy.AllowTeamAdminsInvitationsAccessToken",
                    ),
                },
                Some(impact::pat_creation_policy(&list)),
            )
        }
        Err(_) => (Policies::default(), None),
    };
    let (service_connections, variable_groups) = match &resources {
        Ok(all) => (
            Some(
                all.iter()
                    .flat_map(|(p, eps, _)| eps.iter().map(move |e| impact::connection(p, e)))
                    .collect(),
            ),
            Some(
                all.iter()
                    .flat_map(|(p, _, groups)| {
                        groups.iter().map(move |g| impact::variable_group(p, g))
                    })
                    .collect(),
            ),
        ),
        Err(_) => (None, None),
    };
    let agents = agents.ok().map(|pools| impact::agents(&pools));
    let privileged: Vec<String> = pca_members
        .iter()
        .flatten()
        .cloned()
        .chain(owner.as_ref().and_then(|o| o.descriptor.clone()))
        .collect();
    let tokens = impact::tokens(
        ado,
        org,
        &users,
        &privileged,
        options.all_tokens,
        early_tokens,
        &caller_name,
    )
    .await;
    step("personal access tokens");
    let entra_groups_count = groups.map(|g| g.iter().filter(|s| s.origin == "aad").count() as u32);

    // Destination (and, for a change, source) tenant, from Graph as the same person.
    let (mut destination_tenant, mut destination_users, mut destination_membership) =
        (None, None, None);
    let mut destination_account_created = None;
    let mut settings = None;
    let (mut destination_read_as, mut destination_unreadable) = (None, None);
    match destination {
        Some(Ok(early)) => {
            destination_tenant = early.basics.org_info.map(|o| {
                let default = o
                    .verified_domains
                    .iter()
                    .find(|d| d.is_default.unwrap_or(false))
                    .or(o.verified_domains.first())
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                Tenant {
                    id: o.id.clone(),
                    display_name: o.display_name.clone().unwrap_or_default(),
                    default_domain: default,
                    verified_domains: o.verified_domains.iter().map(|d| d.name.clone()).collect(),
                    // Graph answered on the public cloud's endpoint: a Government
                    // tenant cannot sign in there.
                    cloud: Cloud::Public,
                }
            });
            if early.access.me_is_caller {
                destination_account_created =
                    early.basics.me.as_ref().ok().and_then(impact::created);
            }
            settings = Some(early.settings);
            destination_membership = match (&early.access.reader, &early.basics.me) {
                // Read as another account: the caller's own standing is
                // found among the destination's users, by address.
                (Reader::Session { account }, _) => {
                    destination_read_as = Some(account.clone());
                    None
                }
                (Reader::SignedIn, Ok(u)) => Some(
                    match UserType::from_graph(u.user_type.as_deref().unwrap_or("Member")) {
                        UserType::Guest => Membership::Guest,
                        _ => Membership::Member,
                    },
                ),
                // Refused: not in the tenant. Anything else (an unreadable
                // answer, an outage) is not known: "could not verify".
                (Reader::SignedIn, Err(true)) => Some(Membership::Absent),
                (Reader::SignedIn, Err(_)) => None,
            };
            destination_users = match early.directory {
                Some(read) => read,
                None => lookup_addresses(&early.access.graph, &users)
                    .await
                    .ok()
                    .map(Arc::new),
            };
        }
        // No token in the destination. A personal account never has one
        // there, yet Azure DevOps may match it to a member by address: who
        // it is there is unknown until the directory is read as an account
        // of it. Any other account refused there is not in it.
        Some(Err(true)) if signed_in_personal => {
            destination_unreadable = Some(format!(
                "{caller_name} is a personal Microsoft account, which has no object in {} to read it as",
                op.destination().unwrap_or("the destination")
            ));
        }
        Some(Err(true)) => destination_membership = Some(Membership::Absent),
        Some(Err(false)) => {}
        None => {}
    }
    step("destination directory");
    let mut source_membership = None;
    if let (Operation::ChangeTenant { from, .. }, true) = (&op, current_tenant.is_some()) {
        source_membership = directories.membership(clients, from).await;
    }

    Ok(Facts {
        now,
        stale_after_days: crate::domain::facts::DEFAULT_STALE_AFTER_DAYS,
        operation: op,
        org: OrgFacts {
            name: org.to_string(),
            id: None,
            owner,
            current_tenant,
            users: Some(users),
            pca_members,
            policies,
            ssh_keys_present: tokens.ssh.as_ref().map(|k| !k.is_empty()),
            service_connections,
            pats: tokens.pats,
            entra_groups_count,
            tokens_of_everyone: tokens.everyone,
            tokens_unread: tokens.unread,
            ssh_keys: tokens.ssh,
            variable_groups,
            agents,
            pat_creation_policy,
            vs_subscribers: Some(vs_subscribers),
        },
        caller: Caller {
            sign_in_name: caller_name,
            descriptor: me,
            is_pca: pca.ok(),
            is_owner,
            destination_membership,
            source_membership,
            destination_account_created,
            destination_read_as,
            destination_unreadable,
        },
        connector_name: None,
        destination_tenant,
        destination_users,
        known_msa_emails: None,
        tenant_policies: settings
            .as_mut()
            .and_then(|s: &mut impact::DestinationImpact| s.tenant_policies.take()),
        devops_admins: settings.as_mut().and_then(|s| s.devops_admins.take()),
        invitations: settings.as_mut().and_then(|s| s.invitations.take()),
    })
}

/// The directory refused who we are (as opposed to failing to answer).
fn refused(e: &ClientError) -> bool {
    use crate::client::auth::AuthError;
    e.is_auth()
        || matches!(e.status(), Some(401 | 403 | 404))
        || matches!(e, ClientError::Auth(AuthError::Refused { .. }))
}

/// What the destination directory answered while the users were read.
struct EarlyDestination {
    access: shared::Access,
    basics: shared::Basics,
    /// The whole directory, when reading it was cheaper than lookups
    /// (`Some(None)`: it could not be read).
    directory: Option<Option<Arc<Vec<TenantUser>>>>,
    /// Its tenant policies, administrators and invitation settings.
    settings: impact::DestinationImpact,
}

/// Whether reading a directory of `directory` users in parallel costs fewer
/// requests than looking up the addresses of `org_users` users, 20 to a
/// `$batch`.
pub fn directory_is_cheaper(directory: u64, org_users: u64) -> bool {
    GraphClient::parallel_read_cost(directory) < org_users.div_ceil(20)
}

/// Destination accounts matching the organization's users' addresses
/// (UPN, mail, other mails, proxy addresses), 20 lookups to a `$batch`.
async fn lookup_addresses(
    graph: &GraphClient,
    users: &[OrgUser],
) -> Result<Vec<TenantUser>, ClientError> {
    let mut emails: Vec<String> = users.iter().filter_map(|u| u.sign_in_email()).collect();
    emails.sort();
    emails.dedup();
    let answers = graph.find_users_by_emails(&emails).await?;
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<TenantUser> = Vec::new();
    for a in answers.into_iter().flatten() {
        for u in a {
            if seen.insert(u.id.clone()) {
                out.push(tenant_user(&u));
            }
        }
    }
    Ok(out)
}
