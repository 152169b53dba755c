//! What the change affects, as the emulated Azure holds it: directory roles,
//! Azure DevOps tenant policies and guest invitation settings per tenant,
//! when accounts were created, the organization's PAT creation allowlist,
//! SSH keys, each service connection's identity and how its verification
//! goes, variable groups, agent pools, PAT scopes, and the audit log.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::super::ids;
use super::super::scenario::{OrgSpec, TenantPolicySpec, TenantSpec};
use super::{Org, Tenant, World};

/// An SSH public key.
#[derive(Debug, Clone)]
pub struct SshKey {
    /// Email/UPN of the organization user who owns it.
    pub owner: String,
    pub display_name: String,
    pub authorization_id: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
}

/// How a service connection authenticates, and how verifying it goes.
#[derive(Debug, Clone, Default)]
pub struct EndpointIdentity {
    /// `secret`, `certificate`, `workload_identity` or `managed_identity`.
    pub auth: String,
    /// Workload identity: the issuer its identity trusts.
    pub issuer: Option<String>,
    /// Workload identity: the subject its identity trusts.
    pub subject: Option<String>,
    /// Verification fails with this Entra error code.
    pub verify_error: Option<String>,
}

/// A variable group.
#[derive(Debug, Clone)]
pub struct VariableGroup {
    pub id: i64,
    pub project: String,
    pub name: String,
    pub key_vault: Option<String>,
    /// Id of the service connection the vault is read through.
    pub endpoint: Option<String>,
}

/// An agent pool.
#[derive(Debug, Clone)]
pub struct AgentPool {
    pub id: i64,
    pub name: String,
    pub hosted: bool,
    pub agents: Vec<String>,
}

/// One audit log entry.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: String,
    pub action_id: String,
    pub at: DateTime<Utc>,
    pub actor_upn: String,
    pub actor_name: String,
    pub actor_id: String,
    pub details: String,
    pub data: serde_json::Value,
}

/// What belongs to the directories: their policies, invitation settings
/// and when their accounts were created.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Tenant id -> policy name -> setting.
    pub tenant_policies: HashMap<String, BTreeMap<String, TenantPolicySpec>>,
    /// Tenant id -> `allowInvitesFrom`.
    pub allow_invites_from: HashMap<String, String>,
    /// Directory object id -> when it was created (others: long ago).
    pub created: HashMap<String, DateTime<Utc>>,
    /// When the world began; accounts without a date are older.
    pub epoch: DateTime<Utc>,
}

/// What belongs to one organization (each of a fleet has its own).
#[derive(Debug, Clone, Default)]
pub struct OrgImpact {
    /// `Policy.DisablePATCreation`'s allowlist: (object id, display name)
    /// in the directory the organization used when it was set; a tenant
    /// change does not rewrite it.
    pub pat_policy_allowlist: Vec<(String, String)>,
    pub ssh_keys: Vec<SshKey>,
    /// Service endpoint id -> identity.
    pub endpoints: HashMap<String, EndpointIdentity>,
    pub variable_groups: Vec<VariableGroup>,
    pub pools: Vec<AgentPool>,
    /// PAT authorization id -> scope.
    pub pat_scopes: HashMap<String, String>,
    /// Newest last.
    pub audit: Vec<AuditEvent>,
}

fn tenant_id_of(key_or_id: &str) -> String {
    if uuid::Uuid::parse_str(key_or_id).is_ok() {
        key_or_id.to_lowercase()
    } else {
        ids::guid(&["tenant", key_or_id])
    }
}

impl Impact {
    /// Read from the scenario's tenants before their users move into the
    /// world (an account's id derives from its tenant and UPN).
    pub fn from_tenants(tenants: &[TenantSpec], now: DateTime<Utc>) -> Self {
        let mut out = Impact {
            epoch: now - Duration::days(400),
            ..Impact::default()
        };
        for t in tenants {
            let tid = tenant_id_of(&t.key);
            out.tenant_policies
                .insert(tid.clone(), t.devops_policies.clone());
            if let Some(v) = &t.allow_invites_from {
                out.allow_invites_from.insert(tid.clone(), v.clone());
            }
            for u in &t.users {
                if let Some(m) = u.created_minutes_ago {
                    let oid = ids::guid(&["user", &tid, &u.upn.to_lowercase()]);
                    out.created.insert(oid, now - Duration::minutes(m));
                }
            }
        }
        out
    }

    /// When a directory object was created.
    pub fn created_at(&self, object_id: &str) -> DateTime<Utc> {
        self.created.get(object_id).copied().unwrap_or(self.epoch)
    }

    /// A tenant policy's setting (absent: its documented default).
    pub fn tenant_policy(&self, tid: &str, name: &str) -> TenantPolicySpec {
        self.tenant_policies
            .get(tid)
            .and_then(|p| p.get(name))
            .cloned()
            .unwrap_or(TenantPolicySpec {
                // Leaked PATs are revoked by default; the others start off.
                on: name == "EnableLeakedPersonalAccessTokenAutoRevocation",
                allow: Vec::new(),
                max_days: None,
            })
    }

    /// `authorizationPolicy.allowInvitesFrom` of tenant `tid`.
    pub fn invites_from(&self, tid: &str) -> &str {
        self.allow_invites_from
            .get(tid)
            .map_or("everyone", String::as_str)
    }
}

impl OrgImpact {
    /// Built after the organization (it refers to its ids and directory).
    pub fn from_spec(org: &OrgSpec, built: &Org, tenants: &[Tenant], now: DateTime<Utc>) -> Self {
        let mut out = OrgImpact::default();
        let org_tenant = built
            .tenant
            .as_deref()
            .and_then(|t| tenants.iter().find(|x| x.id == t));
        out.pat_policy_allowlist = org
            .pat_policy_allowlist
            .iter()
            .filter_map(|upn| org_tenant.and_then(|t| t.user_by_upn(upn)))
            .map(|u| (u.id.clone(), u.display_name.clone()))
            .collect();
        out.ssh_keys = org
            .ssh_keys
            .iter()
            .map(|k| SshKey {
                owner: k.owner.clone(),
                display_name: k.display_name.clone(),
                authorization_id: ids::guid(&["ssh", &k.owner, &k.display_name]),
                valid_from: now - Duration::days(30),
                valid_to: now + Duration::days(k.valid_days),
            })
            .collect();
        let org_id = &built.id;
        for c in &org.service_connections {
            let id = ids::guid(&["endpoint", org_id, &c.project, &c.name]);
            // The issuers and subjects of Microsoft Learn, "Troubleshoot
            // workload identity service connections".
            let (issuer, subject) = match (c.auth.as_str(), c.issuer.as_deref()) {
                ("workload_identity", None | Some("devops")) => (
                    Some(format!("https://vstoken.dev.azure.com/{org_id}")),
                    Some(format!("sc://{}/{}/{}", built.name, c.project, c.name)),
                ),
                ("workload_identity", Some(t)) => {
                    let t = tenant_id_of(t);
                    (
                        Some(format!("https://login.microsoftonline.com/{t}/v2.0")),
                        Some(format!(
                            "/eid1/c/pub/t/{t}/a/{}/sc/{org_id}/{id}",
                            ids::guid(&["app", &id])
                        )),
                    )
                }
                _ => (None, None),
            };
            out.endpoints.insert(
                id,
                EndpointIdentity {
                    auth: c.auth.clone(),
                    issuer,
                    subject,
                    verify_error: c.verify_error.clone(),
                },
            );
        }
        out.variable_groups = org
            .variable_groups
            .iter()
            .enumerate()
            .map(|(i, g)| VariableGroup {
                id: i as i64 + 1,
                project: g.project.clone(),
                name: g.name.clone(),
                key_vault: g.key_vault.clone(),
                endpoint: g
                    .service_connection
                    .as_ref()
                    .map(|c| ids::guid(&["endpoint", org_id, &g.project, c])),
            })
            .collect();
        out.pools = org
            .agent_pools
            .iter()
            .enumerate()
            .map(|(i, p)| AgentPool {
                id: i as i64 + 1,
                name: p.name.clone(),
                hosted: p.hosted,
                agents: p.agents.clone(),
            })
            .collect();
        for p in &org.pats {
            out.pat_scopes.insert(
                ids::guid(&["pat", &p.token]),
                p.scope.clone().unwrap_or_else(|| "app_token".into()),
            );
        }
        out
    }
}

impl World {
    /// Whether `upn` may connect an organization to tenant `tid`: the
    /// tenant's "Restrict organization creation" is off, or `upn` is on its
    /// allowlist (Microsoft Learn: administrators off the allowlist cannot
    /// connect their organization to the tenant).
    pub fn may_connect_to(&self, tid: &str, upn: &str) -> bool {
        let p = self
            .impact
            .tenant_policy(tid, "OrganizationCreationRestriction");
        !p.on || p.allow.iter().any(|a| a.eq_ignore_ascii_case(upn))
    }

    /// Record an event in organization `o`'s audit log.
    pub fn audit(
        &mut self,
        o: usize,
        action_id: &str,
        actor: usize,
        details: String,
        data: serde_json::Value,
    ) {
        let u = &self.orgs[o].users[actor];
        let n = self.orgs[o].impact.audit.len();
        let event = AuditEvent {
            id: format!(
                "{};{};{}",
                2_518_505_060_978_539_161u64 - n as u64,
                u.id,
                ids::guid(&["audit", &n.to_string()])
            ),
            action_id: action_id.to_string(),
            at: Utc::now(),
            actor_upn: u.principal_name.clone(),
            actor_name: u.display_name.clone(),
            actor_id: u.id.clone(),
            details,
            data,
        };
        self.orgs[o].impact.audit.push(event);
    }
}
