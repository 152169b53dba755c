//! What the assessment looks at: the [`Facts`] the application layer
//! gathers (the organization's directory, its owner, each of the person's
//! sign-ins as an [`Identity`], who could help, an invitation sent, what was
//! tried), each part as read or why it could not be.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::assessment::WayId;
use crate::domain::text::guest_home_address;
use crate::domain::verify::Access;

/// What kind of account an identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A personal Microsoft account.
    Personal,
    /// A work or school account of some tenant.
    Work,
}

/// How an address stands in the organization's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum InTenant {
    /// A Member, under this UPN.
    Member {
        /// The UPN there.
        upn: String,
    },
    /// A Guest, under this UPN.
    Guest {
        /// The UPN there.
        upn: String,
    },
    /// Invited; the invitation is not accepted yet.
    Invited {
        /// The guest's UPN, when known.
        upn: String,
    },
    /// No directory object.
    Absent,
    /// Could not be told.
    Unknown {
        /// Why.
        reason: String,
    },
}

impl InTenant {
    /// The UPN there, if any.
    pub fn upn(&self) -> Option<&str> {
        match self {
            InTenant::Member { upn } | InTenant::Guest { upn } | InTenant::Invited { upn } => {
                Some(upn)
            }
            _ => None,
        }
    }

    /// Present as a directory object (member, guest or invited).
    pub fn present(&self) -> bool {
        self.upn().is_some()
    }

    /// "Member `x`", "Guest `y`", "not there"…, for people.
    pub fn describe(&self, tenant: &str) -> String {
        match self {
            InTenant::Member { upn } => format!("a Member of {tenant} as {upn}"),
            InTenant::Guest { upn } => format!("a Guest of {tenant} as {upn}"),
            InTenant::Invited { upn } if upn.is_empty() => {
                format!("invited to {tenant}; the invitation is not accepted yet")
            }
            InTenant::Invited { upn } => {
                format!("invited to {tenant} as {upn}; the invitation is not accepted yet")
            }
            InTenant::Absent => format!("not in {tenant}"),
            InTenant::Unknown { reason } => format!("unknown in {tenant} ({reason})"),
        }
    }
}

/// A sentence saying a guest's `#EXT#` UPN is not the address they sign in
/// with, when `upn` is one.
pub fn ext_upn_note(upn: &str) -> Option<String> {
    guest_home_address(upn).map(|home| {
        format!(
            "{upn} is how the directory writes the external address {home}: it is not an address anyone signs in with or receives mail at"
        )
    })
}

/// One of the person's sign-ins, as the probes saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The address signed in with.
    pub address: String,
    /// Personal or work account.
    pub kind: Kind,
    /// The tenant the sign-in was issued in (`None` for a personal account).
    pub home_tenant: Option<String>,
    /// How it stands in the organization's directory.
    pub in_tenant: InTenant,
    /// When `in_tenant`'s UPN is a guest's `#EXT#` UPN: what that means.
    pub upn_note: Option<String>,
    /// The verdict for this identity as signed in.
    pub signed_in: Access,
    /// The verdict for the same person signed in to the organization's
    /// directory (`None`: not tried or not possible).
    pub in_directory: Option<Access>,
    /// This identity is the organization's owner (`None`: owner unknown).
    pub is_owner: Option<bool>,
    /// It holds the directory's Azure DevOps Administrator role.
    pub azure_devops_administrator: bool,
    /// It is the sign-in in use now (the others were seen earlier).
    pub current: bool,
    /// What the probes answered it (the profile, the organization), one
    /// line each: the evidence for the verdict.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// When it was checked.
    pub checked_at: DateTime<Utc>,
}

impl Identity {
    /// The verdict that counts: in the directory when tried, else as signed in.
    pub fn access(&self) -> &Access {
        self.in_directory.as_ref().unwrap_or(&self.signed_in)
    }

    /// A Member of the directory (members may invite guests by default).
    pub fn member(&self) -> bool {
        matches!(self.in_tenant, InTenant::Member { .. })
    }

    /// "alice@outlook.com (personal Microsoft account)".
    pub fn label(&self) -> String {
        match self.kind {
            Kind::Personal => format!("{} (personal Microsoft account)", self.address),
            Kind::Work => format!("{} (work account)", self.address),
        }
    }
}

/// Someone who could help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Display name.
    pub display_name: String,
    /// Sign-in address (UPN) or mail.
    pub address: String,
}

impl Person {
    /// "Dana Devops <devops-admin@contoso.com>".
    pub fn label(&self) -> String {
        if self.display_name.trim().is_empty() {
            self.address.clone()
        } else {
            format!("{} <{}>", self.display_name, self.address)
        }
    }
}

/// Who holds something, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Holders {
    /// Read: these people.
    Read {
        /// The holders (none is an answer too).
        people: Vec<Person>,
        /// Which identity read them.
        read_by: String,
    },
    /// The identity may not read them.
    Unreadable {
        /// Which identity tried.
        by: String,
        /// What was answered.
        reason: String,
    },
    /// Not tried.
    NotChecked {
        /// Why.
        reason: String,
    },
}

impl Holders {
    /// "Dana Devops <devops-admin@contoso.com>", "nobody", or why not read.
    pub fn describe(&self) -> String {
        match self {
            Holders::Read { people, .. } if people.is_empty() => "nobody".into(),
            Holders::Read { people, .. } => people
                .iter()
                .map(Person::label)
                .collect::<Vec<_>>()
                .join(", "),
            Holders::Unreadable { by, reason } => format!("{by} may not read them ({reason})"),
            Holders::NotChecked { reason } => format!("not read: {reason}"),
        }
    }

    /// The people, when read.
    pub fn people(&self) -> Option<&[Person]> {
        match self {
            Holders::Read { people, .. } => Some(people),
            _ => None,
        }
    }
}

/// Who could let the person back in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoCanHelp {
    /// Holders of the directory's Azure DevOps Administrator role.
    pub azure_devops_administrators: Holders,
    /// Global Administrators of the directory.
    pub global_administrators: Holders,
    /// Project Collection Administrators the organization still lets in.
    pub project_collection_administrators: Holders,
}

impl Default for WhoCanHelp {
    fn default() -> Self {
        let not = || Holders::NotChecked {
            reason: "no identity of the organization's directory was signed in".into(),
        };
        WhoCanHelp {
            azure_devops_administrators: not(),
            global_administrators: not(),
            project_collection_administrators: Holders::NotChecked {
                reason: "only someone the organization lets in can list them".into(),
            },
        }
    }
}

/// The organization's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Its id, from the anonymous probe's `X-VSS-ResourceTenant`.
    pub id: String,
    /// Its display name, when read.
    pub display_name: Option<String>,
    /// Its verified domains, when read.
    pub domains: Vec<String>,
    /// How the names were learned.
    pub evidence: Vec<String>,
}

impl Tenant {
    /// "Contoso" or the id.
    pub fn name(&self) -> String {
        match self
            .display_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            Some(n) => n.to_string(),
            None => format!("the directory {}", self.id),
        }
    }
}

/// The owner as Azure DevOps records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The address.
    pub address: String,
    /// Where it was read (`azure_devops`, `enterprise_catalog`, `journal`, `remembered`).
    pub source: String,
}

/// A guest invitation of the owner's address sent during this recovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The invited address.
    pub address: String,
    /// The guest's object id.
    pub user_id: String,
    /// The tenant.
    pub tenant: String,
    /// Who sent it.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Accepted, as last read (`None`: not read).
    pub accepted: Option<bool>,
}

/// Something tried during this recovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tried {
    /// The way.
    pub way: WayId,
    /// When.
    pub at: DateTime<Utc>,
    /// It worked.
    pub ok: bool,
    /// What happened, in one line.
    pub outcome: String,
}

/// Addresses the steps point to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Urls {
    /// The organization (`https://dev.azure.com/{org}`).
    pub org: String,
    /// The back door page (`https://aex.dev.azure.com/me`).
    pub back_door: String,
}

/// Everything the assessment looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The organization's name.
    pub org: String,
    /// Its id, when read (the Enterprise catalog lists it).
    pub org_id: Option<String>,
    /// No organization by that name.
    pub missing: bool,
    /// Its directory (`None`: backed by personal accounts, or not read).
    pub tenant: Option<Tenant>,
    /// Connected to a directory.
    pub connected: bool,
    /// The directory's id as last seen (after a disconnect, the one to
    /// connect to again).
    #[serde(default)]
    pub last_tenant: Option<String>,
    /// The owner.
    pub owner: Option<Owner>,
    /// How the owner's address stands in the directory, when looked up.
    pub owner_in_tenant: Option<InTenant>,
    /// Every identity seen (the current one and earlier ones).
    pub identities: Vec<Identity>,
    /// Who could help.
    pub who_can_help: WhoCanHelp,
    /// The owner's invitation, when one was sent.
    pub invitation: Option<Invitation>,
    /// What was tried.
    pub tried: Vec<Tried>,
    /// When the organization was connected, from the journal.
    pub connected_at: Option<DateTime<Utc>>,
    /// Where the steps point.
    pub urls: Urls,
}

impl Facts {
    /// The owner's address.
    pub fn owner_address(&self) -> Option<&str> {
        self.owner.as_ref().map(|o| o.address.as_str())
    }

    /// The directory's name, or "the organization's directory".
    pub fn tenant_name(&self) -> String {
        self.tenant
            .as_ref()
            .map(Tenant::name)
            .unwrap_or_else(|| "the organization's directory".into())
    }

    /// The owner signs in with a personal Microsoft account (their address
    /// is not a UPN of the directory).
    pub fn owner_is_personal(&self) -> Option<bool> {
        let owner = self.owner_address()?;
        if self
            .identities
            .iter()
            .any(|i| i.kind == Kind::Personal && i.is_owner == Some(true))
        {
            return Some(true);
        }
        if guest_home_address(owner).is_some() {
            return Some(true);
        }
        let domain = owner
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())?;
        let tenant = self.tenant.as_ref()?;
        if tenant.domains.is_empty() {
            return None;
        }
        Some(
            !tenant
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&domain)),
        )
    }

    pub(super) fn last_try(&self, way: WayId) -> Option<&Tried> {
        self.tried.iter().rev().find(|t| t.way == way)
    }
}
