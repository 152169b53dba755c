//! What a directory answers the same whichever organization is checked
//! against it, read once per run: the sign-in there, its organization, the
//! caller's account and the count of its users, its Azure DevOps tenant
//! policies, administrators and invitation settings, and (for a fleet) all
//! of its users. `check` reads one organization with its own [`Directories`];
//! the fleet (`orgs --check`) shares one across every organization, so 50
//! organizations moving to one directory read that directory once, not 50
//! times.
//!
//! Only what does not depend on the organization is shared. Whether to read
//! the whole directory or look the organization's addresses up is still
//! decided per organization, exactly as `check` decides it.
//!
//! The tenant policies are read through an organization's URL with a token
//! of the directory, yet they are the directory's: Azure DevOps keeps them
//! per Microsoft Entra tenant ("Manage policies as an Azure DevOps
//! Administrator", Microsoft Learn), so the first organization's answer
//! stands for every one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::OnceCell;

use super::impact::{self, DestinationImpact};
use super::{Reader, graph_in_tenant, refused, session_in_tenant, tenant_user};
use crate::client::Clients;
use crate::client::auth::TokenProvider;
use crate::client::budget::shared_first;
use crate::client::graph::GraphClient;
use crate::client::models::graph::{Organization, User};
use crate::domain::checks;
use crate::domain::facts::{Facts, Membership, TenantUser};
use crate::domain::matching::Tables;

/// The directories read in one run, by tenant and by who reads them.
#[derive(Default)]
pub struct Directories {
    /// Keep the whole directory once read, for the next organization (a
    /// fleet); else it is handed over to the one organization asking.
    keep_users: bool,
    read: Mutex<HashMap<(String, String), Arc<Directory>>>,
    /// The index of a directory's users for the checks, built once: by the
    /// list it indexes (held here, so it stays that list).
    indexes: Mutex<Vec<Indexed>>,
}

/// A directory's users and their index tables, built by the first to ask.
type Indexed = (Arc<Vec<TenantUser>>, Arc<OnceLock<Option<Arc<Tables>>>>);

/// One directory as one person reads it; each part read at most once.
#[derive(Default)]
struct Directory {
    access: OnceCell<Result<Access, bool>>,
    basics: OnceCell<Basics>,
    settings: OnceCell<DestinationImpact>,
    users: OnceCell<Option<Arc<Vec<TenantUser>>>>,
    membership: OnceCell<Option<Membership>>,
}

/// The sign-in a directory is read with.
#[derive(Clone)]
pub(super) struct Access {
    pub graph: GraphClient,
    provider: TokenProvider,
    pub reader: Reader,
    /// `/me` is the caller (their own sign-in, or their work account there).
    pub me_is_caller: bool,
}

/// The directory's organization, the reader's account and the user count.
#[derive(Clone)]
pub(super) struct Basics {
    pub org_info: Option<Organization>,
    /// `Err(true)`: refused (not in the directory); `Err(false)`: no answer.
    pub me: Result<User, bool>,
    pub count: Option<u64>,
}

impl Directories {
    /// For many organizations: everything read is kept for the next one.
    pub fn shared() -> Self {
        Self {
            keep_users: true,
            ..Self::default()
        }
    }

    async fn entry(&self, clients: &Clients, tenant: &str) -> Arc<Directory> {
        let who = caller_name(clients).await;
        let mut read = self.read.lock().expect("directories");
        Arc::clone(read.entry((tenant.to_ascii_lowercase(), who)).or_default())
    }

    /// The index tables of the destination users in `facts`, built by the
    /// first organization to ask and shared with the rest (a fleet); `None`
    /// for one organization (nothing to share with) or unknown users.
    /// Blocks while another organization builds them: call it where CPU
    /// work runs (`judging::off_the_workers`).
    pub fn index_tables(&self, facts: &Facts) -> Option<Arc<Tables>> {
        let users = facts
            .destination_users
            .as_ref()
            .filter(|_| self.keep_users)?;
        let slot = {
            let mut all = self.indexes.lock().expect("indexes");
            match all.iter().find(|(u, _)| Arc::ptr_eq(u, users)) {
                Some((_, slot)) => Arc::clone(slot),
                None => {
                    let slot = Arc::new(OnceLock::new());
                    all.push((Arc::clone(users), Arc::clone(&slot)));
                    slot
                }
            }
        };
        slot.get_or_init(|| checks::index_tables(facts)).clone()
    }

    /// The sign-in to read `tenant` with (`Err(true)`: refused there).
    pub(super) async fn access(&self, clients: &Clients, tenant: &str) -> Result<Access, bool> {
        let d = self.entry(clients, tenant).await;
        d.access
            .get_or_init(|| {
                shared_first(async {
                    let (provider, reader) = session_in_tenant(clients, tenant)
                        .await
                        .map_err(|e| refused(&e))?;
                    // Read as another account (`login --directory`), the
                    // directory's answers about "me" are the caller's only when
                    // that account has the caller's address (their work account
                    // there); else someone else's.
                    let me_is_caller = match &reader {
                        Reader::SignedIn => true,
                        Reader::Session { account } => {
                            caller_name(clients).await.eq_ignore_ascii_case(account)
                        }
                    };
                    Ok(Access {
                        graph: GraphClient::new(
                            clients.core.clone(),
                            &clients.endpoints,
                            provider.clone(),
                        ),
                        provider,
                        reader,
                        me_is_caller,
                    })
                })
            })
            .await
            .clone()
    }

    /// Its organization, the reader's account and its number of users.
    pub(super) async fn basics(&self, clients: &Clients, tenant: &str, a: &Access) -> Basics {
        let d = self.entry(clients, tenant).await;
        d.basics
            .get_or_init(|| {
                shared_first(async {
                    let g = &a.graph;
                    let (org_info, me, count) =
                        tokio::join!(g.organization(), g.me(), g.count_users());
                    Basics {
                        org_info: org_info.ok(),
                        me: me.map_err(|e| refused(&e)),
                        count: count.ok(),
                    }
                })
            })
            .await
            .clone()
    }

    /// Its tenant policies, Azure DevOps Administrators and invitation
    /// settings, read through `org`.
    pub(super) async fn settings(
        &self,
        clients: &Clients,
        tenant: &str,
        org: &str,
        a: &Access,
    ) -> DestinationImpact {
        let d = self.entry(clients, tenant).await;
        d.settings
            .get_or_init(|| {
                shared_first(async {
                    let (mut settings, basics) = tokio::join!(
                        impact::destination(clients, &a.graph, &a.provider, org),
                        self.basics(clients, tenant, a)
                    );
                    if !a.me_is_caller
                        && let Some(i) = settings.invitations.as_mut()
                    {
                        i.caller_roles = None;
                    }
                    let me_id = basics.me.ok().filter(|_| a.me_is_caller).map(|u| u.id);
                    impact::finish(&a.graph, &mut settings, me_id).await;
                    settings
                })
            })
            .await
            .clone()
    }

    /// Every user of the directory (`count` of them), or `None` when they
    /// could not be read.
    pub(super) async fn users(
        &self,
        clients: &Clients,
        tenant: &str,
        a: &Access,
        count: u64,
    ) -> Option<Arc<Vec<TenantUser>>> {
        let read = || async {
            a.graph
                .all_users_counted(count)
                .await
                .ok()
                .map(|all| Arc::new(all.iter().map(tenant_user).collect::<Vec<_>>()))
        };
        if !self.keep_users {
            return read().await;
        }
        // Shared, not copied: a fleet of organizations moving to a directory
        // of a million users holds it once.
        let d = self.entry(clients, tenant).await;
        d.users.get_or_init(|| shared_first(read())).await.clone()
    }

    /// The caller's membership of `tenant` (the source of a change): member,
    /// guest, absent (refused), or unknown.
    pub(super) async fn membership(&self, clients: &Clients, tenant: &str) -> Option<Membership> {
        let d = self.entry(clients, tenant).await;
        *d.membership
            .get_or_init(|| {
                shared_first(async {
                    match graph_in_tenant(clients, tenant).await {
                        Ok(g) => match g.me().await {
                            Ok(u) if u.user_type.as_deref() == Some("Guest") => {
                                Some(Membership::Guest)
                            }
                            Ok(_) => Some(Membership::Member),
                            Err(e) if refused(&e) => Some(Membership::Absent),
                            Err(_) => None,
                        },
                        Err(e) if refused(&e) => Some(Membership::Absent),
                        Err(_) => None,
                    }
                })
            })
            .await
    }
}

/// Who the main sign-in is (empty when unknown).
async fn caller_name(clients: &Clients) -> String {
    clients
        .tokens
        .snapshot()
        .await
        .and_then(|c| c.claims())
        .and_then(|c| c.username().map(str::to_string))
        .unwrap_or_default()
}
