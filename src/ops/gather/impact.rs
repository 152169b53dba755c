//! Gathering what a change affects: the destination's tenant policies and
//! directory settings, every user's tokens, service connections of every
//! kind, Key Vault variable groups and self-hosted agents. Each read that
//! fails becomes `None` (the checks then say "could not verify").

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::parse_time;
use crate::azure::AZURE_DEVOPS_ADMINISTRATOR;
use crate::client::ado::impact::refused;
use crate::client::auth::TokenProvider;
use crate::client::graph::GraphClient;
use crate::client::models::ado::{
    Agent, AgentPool, OrgPolicy, Project, ServiceEndpoint, SessionToken, TenantPolicyValue,
    UserEntitlement, VariableGroup,
};
use crate::client::models::graph::User;
use crate::client::{AdoClient, ClientError, Clients};
use crate::domain::facts::{
    AgentInfo, AllowlistEntry, ConnectionAuth, InvitationSettings, OrgUser, Origin,
    PatCreationPolicy, PatInfo, ServiceConnection, SshKeyInfo, TenantPolicies, TenantPolicy,
    VariableGroupInfo,
};

/// In a `check`, every user's tokens are read up to this many users; a
/// larger organization's owner's and administrators' only (`audit` reads all).
pub const TOKENS_OF_EVERYONE_UP_TO: usize = 100;

/// The destination's settings, read as the same person.
#[derive(Clone, Default)]
pub(super) struct DestinationImpact {
    pub tenant_policies: Option<TenantPolicies>,
    pub devops_admins: Option<Vec<String>>,
    pub invitations: Option<InvitationSettings>,
}

/// Tenant policies by the names Azure DevOps gives them.
const POLICY_NAMES: [&str; 5] = [
    "OrganizationCreationRestriction",
    "RestrictGlobalPersonalAccessToken",
    "RestrictFullScopePersonalAccessToken",
    "RestrictPersonalAccessTokenLifespan",
    "EnableLeakedPersonalAccessTokenAutoRevocation",
];

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A property that may be JSON text (`"[\"id\"]"`) or JSON itself.
fn property(p: &TenantPolicyValue, name: &str) -> Option<Value> {
    let v = p
        .properties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)?;
    match v {
        Value::String(s) => {
            Some(serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())))
        }
        other => Some(other.clone()),
    }
}

fn tenant_policy(p: &TenantPolicyValue) -> TenantPolicy {
    let allowlist = match property(p, "AllowedUsersAndGroupObjectIds") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| {
                x.as_str().map(str::to_string).or_else(|| {
                    x.get("objectId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    TenantPolicy {
        on: truthy(&p.value).unwrap_or(false),
        allowlist,
    }
}

/// The destination's tenant policies (`None` when this person may not read
/// them), Azure DevOps Administrators, and guest invitation settings.
pub(super) async fn destination(
    clients: &Clients,
    graph: &GraphClient,
    provider: &TokenProvider,
    org: &str,
) -> DestinationImpact {
    let policies = async {
        let ado = AdoClient::new(
            clients.core.clone(),
            clients.endpoints.clone(),
            provider.clone(),
        );
        let reads = POLICY_NAMES.map(|n| {
            let ado = &ado;
            async move { ado.tenant_policy(org, n).await }
        });
        let [creation, global, full, lifespan, leaked] = futures_util::future::join_all(reads)
            .await
            .try_into()
            .ok()?;
        // Refused: not an Azure DevOps Administrator there; nothing is readable.
        let all = [&creation, &global, &full, &lifespan, &leaked];
        if all.iter().any(|r| matches!(r, Err(e) if refused(e))) {
            return None;
        }
        let days = lifespan
            .as_ref()
            .ok()
            .and_then(|p| property(p, "MaxPatLifespanInDays"))
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|d| d.min(u64::from(u32::MAX)) as u32);
        Some(TenantPolicies {
            restrict_org_creation: creation.as_ref().ok().map(tenant_policy),
            restrict_global_pats: global.as_ref().ok().map(tenant_policy),
            restrict_full_scope_pats: full.as_ref().ok().map(tenant_policy),
            max_pat_lifespan: lifespan.as_ref().ok().map(tenant_policy),
            max_pat_lifespan_days: days,
            revoke_leaked_pats: leaked.as_ref().ok().and_then(|p| truthy(&p.value)),
            ..TenantPolicies::default()
        })
    };
    let admins = async {
        graph
            .directory_role_members(AZURE_DEVOPS_ADMINISTRATOR)
            .await
            .ok()
            .map(|m| m.iter().map(User::label).collect::<Vec<_>>())
    };
    let invitations = async {
        let (policy, roles) =
            tokio::join!(graph.authorization_policy(), graph.my_directory_roles());
        policy
            .ok()
            .and_then(|p| p.allow_invites_from)
            .map(|from| InvitationSettings {
                allow_invites_from: from,
                caller_roles: roles.ok(),
            })
    };
    let (tenant_policies, devops_admins, invitations) = tokio::join!(policies, admins, invitations);
    DestinationImpact {
        tenant_policies,
        devops_admins,
        invitations,
    }
}

/// The caller's id (`me`) in the destination, the allowlisted groups the
/// caller is in, and the allowlisted ids' names.
pub(super) async fn finish(graph: &GraphClient, d: &mut DestinationImpact, me: Option<String>) {
    let Some(p) = d.tenant_policies.as_mut() else {
        return;
    };
    let mut ids: Vec<String> = [
        &p.restrict_org_creation,
        &p.restrict_global_pats,
        &p.restrict_full_scope_pats,
        &p.max_pat_lifespan,
    ]
    .into_iter()
    .flatten()
    .flat_map(|x| x.allowlist.iter().cloned())
    .collect();
    ids.sort();
    ids.dedup();
    let others: Vec<String> = ids
        .iter()
        .filter(|id| me.as_deref().is_none_or(|m| !m.eq_ignore_ascii_case(id)))
        .cloned()
        .collect();
    let (member_of, names) = tokio::join!(
        graph.check_member_objects(&others),
        graph.objects_by_ids(&ids)
    );
    p.caller_id = me;
    p.caller_member_of = member_of.unwrap_or_default();
    p.names = names
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id.clone(), o.label()))
        .collect::<BTreeMap<_, _>>();
}

/// When the caller's destination account was created.
pub(super) fn created(me: &User) -> Option<DateTime<Utc>> {
    parse_time(&me.created_date_time)
}

/// Whose tokens were read, and what.
#[derive(Default)]
pub(super) struct Tokens {
    pub pats: Option<Vec<PatInfo>>,
    pub ssh: Option<Vec<SshKeyInfo>>,
    pub everyone: Option<bool>,
    pub unread: u32,
}

fn pat_info(t: &SessionToken, owner: Option<String>) -> PatInfo {
    PatInfo {
        display_name: t.display_name.clone().unwrap_or_else(|| "(unnamed)".into()),
        is_global: t.target_accounts.is_none(),
        valid_to: parse_time(&t.valid_to),
        owner,
        scope: t.scope.clone(),
    }
}

/// One user's PATs and SSH keys, by descriptor.
pub(super) type UserTokens = (String, Vec<SessionToken>, Vec<SessionToken>);

/// Whether a descriptor is a person's (token administration lists people's
/// tokens; service principals have none).
fn person(descriptor: &str) -> bool {
    descriptor.starts_with("msa.") || descriptor.starts_with("aad.")
}

/// The administrators' tokens, read as soon as they are known.
pub(super) async fn admin_tokens(
    ado: &AdoClient,
    org: &str,
    admins: &[String],
) -> Result<Vec<UserTokens>, ClientError> {
    let people: Vec<String> = admins.iter().filter(|d| person(d)).cloned().collect();
    ado.tokens_of(org, &people).await
}

/// Every user's PATs and SSH keys through token administration (in a check,
/// a large organization's owner's and administrators' only), the
/// administrators' already read (`early`) kept; refused, the caller's own
/// PATs stand in (read only then: most callers may administer tokens).
#[allow(clippy::too_many_arguments)]
pub(super) async fn tokens(
    ado: &AdoClient,
    org: &str,
    users: &[OrgUser],
    privileged: &[String],
    read_all: bool,
    early: Option<Result<Vec<UserTokens>, ClientError>>,
    caller: &str,
) -> Tokens {
    let people: Vec<&OrgUser> = users
        .iter()
        .filter(|u| matches!(u.origin, Origin::Msa | Origin::Aad) && person(&u.descriptor))
        .collect();
    let chosen: Vec<&OrgUser> = if read_all || people.len() <= TOKENS_OF_EVERYONE_UP_TO {
        people.clone()
    } else {
        people
            .iter()
            .copied()
            .filter(|u| privileged.contains(&u.descriptor))
            .collect()
    };
    let (mut read, failed) = match early {
        Some(Ok(r)) => (r, false),
        Some(Err(_)) => (Vec::new(), true),
        None => (Vec::new(), false),
    };
    let rest: Vec<String> = chosen
        .iter()
        .map(|u| u.descriptor.clone())
        .filter(|d| !read.iter().any(|(r, _, _)| r == d))
        .collect();
    let more = if failed {
        None
    } else {
        ado.tokens_of(org, &rest).await.ok()
    };
    match more {
        Some(more) => {
            read.extend(more);
            let owner_of = |d: &str| {
                chosen
                    .iter()
                    .find(|u| u.descriptor == d)
                    .map(|u| u.sign_in_email().unwrap_or_else(|| u.label()))
            };
            let mut pats = Vec::new();
            let mut ssh = Vec::new();
            // Only the chosen users' tokens (an administrator read early is
            // one of them, or the caller's owner's; either way chosen).
            for (d, p, k) in read.iter().filter(|(d, _, _)| owner_of(d).is_some()) {
                let owner = owner_of(d);
                pats.extend(
                    p.iter()
                        .filter(|t| t.is_valid != Some(false))
                        .map(|t| pat_info(t, owner.clone())),
                );
                ssh.extend(
                    k.iter()
                        .filter(|t| t.is_valid != Some(false))
                        .map(|t| SshKeyInfo {
                            owner: owner.clone().unwrap_or_default(),
                            display_name: t
                                .display_name
                                .clone()
                                .unwrap_or_else(|| "(unnamed)".into()),
                            valid_to: parse_time(&t.valid_to),
                        }),
                );
            }
            Tokens {
                pats: Some(pats),
                ssh: Some(ssh),
                everyone: Some(true),
                unread: (people.len() - chosen.len()) as u32,
            }
        }
        None => Tokens {
            pats: ado.pats(org).await.ok().map(|list| {
                list.iter()
                    .map(|p| PatInfo {
                        display_name: p.display_name.clone(),
                        is_global: p.target_accounts.is_none(),
                        valid_to: parse_time(&p.valid_to),
                        owner: (!caller.is_empty()).then(|| caller.to_string()),
                        scope: p.scope.clone(),
                    })
                    .collect()
            }),
            ssh: None,
            everyone: Some(false),
            unread: 0,
        },
    }
}

fn param<'a>(e: &'a ServiceEndpoint, name: &str) -> Option<&'a str> {
    e.authorization
        .as_ref()?
        .parameters
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty())
}

/// A service endpoint as a fact.
pub(super) fn connection(project: &Project, e: &ServiceEndpoint) -> ServiceConnection {
    let scheme = e
        .authorization
        .as_ref()
        .and_then(|a| a.scheme.clone())
        .unwrap_or_default();
    ServiceConnection {
        name: e.name.clone(),
        project: project.name.clone(),
        tenant_id: e.tenant_id().map(str::to_string),
        id: e.id.clone(),
        kind: e.kind.clone(),
        auth: ConnectionAuth::from_endpoint(&scheme, param(e, "authenticationType")),
        issuer: param(e, "workloadIdentityFederationIssuer").map(str::to_string),
        subject: param(e, "workloadIdentityFederationSubject").map(str::to_string),
    }
}

/// A variable group as a fact.
pub(super) fn variable_group(project: &Project, g: &VariableGroup) -> VariableGroupInfo {
    let vault = g
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("AzureKeyVault"));
    let data = g.provider_data.as_ref();
    let field = |k: &str| {
        data.and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    VariableGroupInfo {
        name: g.name.clone(),
        project: project.name.clone(),
        key_vault: vault.then(|| field("vault").unwrap_or_default()),
        service_connection_id: vault.then(|| field("serviceEndpointId")).flatten(),
    }
}

/// Self-hosted agents as facts.
pub(super) fn agents(pools: &[(AgentPool, Vec<Agent>)]) -> Vec<AgentInfo> {
    pools
        .iter()
        .flat_map(|(p, agents)| {
            agents.iter().map(move |a| AgentInfo {
                name: a.name.clone(),
                pool: p.name.clone(),
                status: a.status.clone().unwrap_or_else(|| "unknown".into()),
            })
        })
        .collect()
}

/// The organization's PAT creation restriction, from its policies
/// (`Policy.DisablePATCreation` and its properties, as the organization
/// policies page shows them); absent from a readable list: off.
pub(super) fn pat_creation_policy(list: &[OrgPolicy]) -> PatCreationPolicy {
    let Some(p) = list
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case("Policy.DisablePATCreation"))
    else {
        return PatCreationPolicy::default();
    };
    let on = truthy(&p.effective_value)
        .or_else(|| truthy(&p.value))
        .unwrap_or(false);
    let prop = |k: &str| p.properties.get(k).and_then(truthy).unwrap_or(false);
    let allowlist = p
        .properties
        .get("allowedUsersAndGroupObjectIds")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| AllowlistEntry {
                    object_id: x
                        .get("objectId")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    display_name: x
                        .get("displayName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    PatCreationPolicy {
        on,
        packaging_only: prop("isPackagingScopeEnabled"),
        allowlist_enabled: prop("isAllowListEnabled"),
        allowlist,
    }
}

/// Descriptors of users licensed through a Visual Studio subscription.
pub(super) fn vs_subscribers(entitlements: &[UserEntitlement]) -> Vec<String> {
    entitlements
        .iter()
        .filter(|e| {
            e.access_level
                .licensing_source
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("msdn"))
        })
        .map(|e| e.user.descriptor.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_policy_allowlists_come_as_json_text_or_json() {
        let p: TenantPolicyValue = serde_json::from_value(serde_json::json!({
            "name": "TenantPolicy.RestrictGlobalPersonalAccessToken", "value": true,
            "properties": {"AllowedUsersAndGroupObjectIds": "[\"a\",\"b\"]"}
        }))
        .unwrap();
        assert_eq!(
            tenant_policy(&p),
            TenantPolicy {
                on: true,
                allowlist: vec!["a".into(), "b".into()]
            }
        );
        let p: TenantPolicyValue = serde_json::from_value(serde_json::json!({
            "name": "x", "value": "false", "properties": {"AllowedUsersAndGroupObjectIds": ["c"]}
        }))
        .unwrap();
        assert_eq!(
            tenant_policy(&p),
            TenantPolicy {
                on: false,
                allowlist: vec!["c".into()]
            }
        );
    }

    #[test]
    fn pat_creation_policy_reads_its_properties() {
        let p: OrgPolicy = serde_json::from_value(serde_json::json!({
            "name": "Policy.DisablePATCreation", "value": true, "effectiveValue": true,
            "properties": {"isAllowListEnabled": true, "isPackagingScopeEnabled": false,
              "allowedUsersAndGroupObjectIds": [{"displayName": "Ann", "objectId": "1"}]}
        }))
        .unwrap();
        let got = pat_creation_policy(&[p]);
        assert!(got.on && got.allowlist_enabled && !got.packaging_only);
        assert_eq!(got.allowlist[0].display_name, "Ann");
        assert!(!pat_creation_policy(&[]).on);
    }

    #[test]
    fn connections_know_their_kind() {
        let e: ServiceEndpoint = serde_json::from_value(serde_json::json!({
            "id": "1", "name": "wif", "type": "AzureRM",
            "authorization": {"scheme": "WorkloadIdentityFederation", "parameters": {
                "tenantid": "t", "workloadIdentityFederationIssuer": "https://login.microsoftonline.com/t/v2.0",
                "workloadIdentityFederationSubject": "sc://o/p/wif"}}
        }))
        .unwrap();
        let c = connection(
            &Project {
                name: "P".into(),
                ..Default::default()
            },
            &e,
        );
        assert_eq!(c.auth, ConnectionAuth::WorkloadIdentity);
        assert_eq!(c.subject.as_deref(), Some("sc://o/p/wif"));
        assert_eq!(c.tenant_id.as_deref(), Some("t"));
    }
}
