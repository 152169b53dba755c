//! Recovering an organization whose owner is locked out: from what each of
//! the person's sign-ins showed, the state (reusing
//! [`super::verify::classify`]'s verdict for each identity), who could let
//! them back in, and the ways back in the order most likely to work, each
//! with its status. Pure: the application layer gathers the facts and
//! carries the ways out.
//!
//! The order: (1) sign in with the right identity; (2) get the owner's
//! address into the directory (a guest invitation); (3) the back door, the
//! page where the original owner's personal account still gets in
//! (`aex.dev.azure.com/me`); (4) claim ownership, by an Azure DevOps
//! Administrator of the directory (Microsoft Learn, "Assign an owner to an
//! orphaned organization"); (5) a ready-to-send package for support.
//! A wrong sign-in is told to sign in again, and nothing else.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::guest_home_address;
use super::verify::Access;

/// Microsoft Learn: an owner without administrators can be replaced by the
/// directory's Azure DevOps Administrator.
pub const ORPHANED_DOC: &str =
    "https://learn.microsoft.com/azure/devops/organizations/accounts/resolve-orphaned-organization";
/// Microsoft Learn: Entra changes can take up to an hour to show in Azure DevOps.
pub const PROPAGATION_NOTE: &str =
    "Microsoft says changes in Microsoft Entra ID can take up to an hour to show in Azure DevOps";
/// Where Azure DevOps support takes requests.
pub const SUPPORT_URL: &str = "https://azure.microsoft.com/support/devops/";
/// The Entra admin center.
pub const ENTRA_ADMIN_CENTER: &str = "https://entra.microsoft.com";

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

/// The ways back, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WayId {
    /// Sign in with the right identity.
    SignIn,
    /// Invite the owner's address as a guest.
    InviteOwner,
    /// The back door: the original owner disconnects the directory.
    BackDoor,
    /// An Azure DevOps Administrator claims ownership.
    ClaimOwnership,
    /// A package for Azure DevOps support.
    Support,
}

impl WayId {
    /// Every way, in order.
    pub const ALL: [WayId; 5] = [
        WayId::SignIn,
        WayId::InviteOwner,
        WayId::BackDoor,
        WayId::ClaimOwnership,
        WayId::Support,
    ];

    /// The name the command line and JSON use.
    pub fn name(self) -> &'static str {
        match self {
            WayId::SignIn => "sign-in",
            WayId::InviteOwner => "invite-owner",
            WayId::BackDoor => "back-door",
            WayId::ClaimOwnership => "claim-ownership",
            WayId::Support => "support",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.name() == s.trim())
    }

    /// A few words for people.
    pub fn title(self) -> &'static str {
        match self {
            WayId::SignIn => "Sign in with the right identity",
            WayId::InviteOwner => "Get the owner's address into the directory",
            WayId::BackDoor => "Disconnect through the back door",
            WayId::ClaimOwnership => "Have an Azure DevOps Administrator claim ownership",
            WayId::Support => "Ask Azure DevOps support",
        }
    }
}

/// Where a way stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WayStatus {
    /// ado-entra can carry it out now.
    Available,
    /// Someone else must act (who and what is said).
    NeedsSomeone,
    /// Under way: waiting for someone or for Azure.
    Waiting,
    /// It worked.
    Done,
    /// It was tried and did not work.
    Failed,
    /// Not needed in this state.
    NotNeeded,
    /// Does not apply here.
    NotApplicable,
}

impl WayStatus {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            WayStatus::Available => "available",
            WayStatus::NeedsSomeone => "needs_someone",
            WayStatus::Waiting => "waiting",
            WayStatus::Done => "done",
            WayStatus::Failed => "failed",
            WayStatus::NotNeeded => "not_needed",
            WayStatus::NotApplicable => "not_applicable",
        }
    }

    /// Worth showing to someone under stress.
    pub fn actionable(self) -> bool {
        matches!(
            self,
            WayStatus::Available | WayStatus::NeedsSomeone | WayStatus::Waiting | WayStatus::Failed
        )
    }
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

/// One way back, as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Way {
    /// Which.
    pub id: WayId,
    /// 1..=5.
    pub order: u8,
    /// A few words.
    pub title: String,
    /// Where it stands.
    pub status: WayStatus,
    /// Why, in one sentence.
    pub why: String,
    /// What to do, in order.
    pub steps: Vec<String>,
    /// The command that carries it out, when ado-entra can.
    pub command: Option<String>,
    /// A message to send someone, when someone else must act.
    pub message: Option<String>,
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

    fn last_try(&self, way: WayId) -> Option<&Tried> {
        self.tried.iter().rev().find(|t| t.way == way)
    }
}

/// The verdict and the ways back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The state (`works`, `wrong_sign_in`, `owner_locked_out`, `no_access`, `missing`, `unknown`).
    pub state: Access,
    /// One sentence for people.
    pub headline: String,
    /// The five ways, in order.
    pub ways: Vec<Way>,
}

/// The state from every identity's verdict: one that works somewhere
/// makes it a wrong sign-in (unless it is the one in use); the owner
/// refused, or with no identity in the directory, is the lockout.
pub fn state(f: &Facts) -> Access {
    if f.missing {
        return Access::Missing;
    }
    let needs = f
        .tenant
        .as_ref()
        .and_then(|t| super::directory::TenantId::parse(&t.id));
    if f.identities
        .iter()
        .any(|i| i.current && i.signed_in == Access::Works)
    {
        return Access::Works;
    }
    if f.identities.iter().any(|i| *i.access() == Access::Works) {
        return Access::WrongSignIn { needs };
    }
    let owner_refused = f.identities.iter().any(|i| {
        i.is_owner == Some(true)
            && (matches!(i.access(), Access::OwnerLockedOut | Access::NoAccess)
                || (f.connected && !i.in_tenant.present()))
    });
    if owner_refused {
        return Access::OwnerLockedOut;
    }
    if let Some(a) = f
        .identities
        .iter()
        .map(|i| i.access())
        .find(|a| matches!(a, Access::NoAccess | Access::OwnerLockedOut))
    {
        return a.clone();
    }
    // A sign-in in the wrong place that could not be tried where the
    // organization lives (an organization of personal accounts, or the move
    // failed): nothing shows a lockout, so it is a wrong sign-in, and that
    // is all that is said.
    if let Some(i) = f.identities.iter().find(|i| {
        matches!(i.signed_in, Access::WrongSignIn { .. })
            && i.in_directory.is_none()
            && matches!(i.in_tenant, InTenant::Unknown { .. })
    }) {
        return i.signed_in.clone();
    }
    // Refused everywhere it could be asked, and the owner not known.
    if f.identities
        .iter()
        .any(|i| matches!(i.access(), Access::WrongSignIn { .. }))
    {
        return Access::NoAccess;
    }
    Access::Unknown
}

fn way(id: WayId, status: WayStatus, why: impl Into<String>) -> Way {
    Way {
        id,
        order: WayId::ALL.iter().position(|w| *w == id).unwrap_or(0) as u8 + 1,
        title: id.title().to_string(),
        status,
        why: why.into(),
        steps: Vec::new(),
        command: None,
        message: None,
    }
}

/// The state, a headline and the five ways.
pub fn assess(f: &Facts) -> Assessment {
    let state = state(f);
    let org = &f.org;
    let headline = match &state {
        Access::Works => format!("'{org}' answers this sign-in: you are not locked out."),
        Access::WrongSignIn { needs } => {
            if f.identities.iter().any(|i| *i.access() == Access::Works) {
                format!(
                    "You are signed in with the wrong identity: '{org}' lets you in as another of your identities. Sign in again with it; nothing else is wrong."
                )
            } else if needs.is_some() {
                format!(
                    "You are signed in somewhere else than '{org}' lives ({}). Sign in there; nothing else is wrong that can be told before that.",
                    f.tenant_name()
                )
            } else {
                format!(
                    "'{org}' uses personal Microsoft accounts and you are signed in with a work account. Sign in with your personal account; nothing else is wrong."
                )
            }
        }
        Access::OwnerLockedOut => format!(
            "The owner ({}) is locked out of '{org}': the profile answers, the organization refuses every identity the owner has.",
            f.owner_address().unwrap_or("unknown")
        ),
        Access::NoAccess => match f.owner_address() {
            Some(o) => format!(
                "'{org}' refuses every identity you signed in with, and none of them is its owner ({o})."
            ),
            None => format!(
                "'{org}' refuses every identity you signed in with, and its owner could not be read: only an identity of {} can read it. If you have a work account there, sign in with it too (`ado-entra login --tenant {}`) and run this again: ado-entra remembers both sign-ins.",
                f.tenant_name(),
                f.tenant.as_ref().map(|t| t.id.as_str()).unwrap_or("TENANT")
            ),
        },
        Access::Missing => format!("There is no organization named '{org}': check the spelling."),
        Access::Unknown => {
            "Could not tell: the organization answered with errors; run the same command again."
                .into()
        }
    };
    let ways = match &state {
        Access::WrongSignIn { needs } => {
            let mut ways: Vec<Way> = WayId::ALL
                .iter()
                .map(|id| {
                    way(
                        *id,
                        WayStatus::NotNeeded,
                        "Sign in with the right identity first; nothing else is wrong.",
                    )
                })
                .collect();
            ways[0] = sign_in_way(f, needs.as_ref().map(|t| t.as_str()));
            ways
        }
        Access::Works => WayId::ALL
            .iter()
            .map(|id| {
                // The way that worked says so; the others are not needed.
                let worked = f.tried.iter().any(|t| t.ok && t.way != WayId::Support);
                match f.last_try(*id) {
                    Some(t) if t.ok && *id != WayId::Support => {
                        let mut w = way(*id, WayStatus::Done, t.outcome.clone());
                        w.steps = handover_after(f, *id);
                        w
                    }
                    _ if *id == WayId::SignIn && !worked => {
                        let mut w = way(
                            *id,
                            WayStatus::Done,
                            "The organization answers this sign-in.",
                        );
                        w.steps = handover_after(f, WayId::SignIn);
                        w
                    }
                    _ => way(
                        *id,
                        WayStatus::NotNeeded,
                        "The organization answers this sign-in.",
                    ),
                }
            })
            .collect(),
        Access::Missing | Access::Unknown => WayId::ALL
            .iter()
            .map(|id| {
                way(
                    *id,
                    WayStatus::NotApplicable,
                    "The organization's state is not known.",
                )
            })
            .collect(),
        Access::OwnerLockedOut | Access::NoAccess => vec![
            way(
                WayId::SignIn,
                WayStatus::NotApplicable,
                format!(
                    "None of your identities is one {} lets in.",
                    f.tenant_name()
                ),
            ),
            invite_way(f),
            back_door_way(f),
            claim_way(f),
            support_way(f),
        ],
    };
    Assessment {
        state,
        headline,
        ways,
    }
}

fn sign_in_way(f: &Facts, needs: Option<&str>) -> Way {
    let who = f
        .identities
        .iter()
        .find(|i| *i.access() == Access::Works)
        .map(|i| i.in_tenant.upn().unwrap_or(&i.address).to_string())
        .unwrap_or_default();
    let tenant = needs.unwrap_or("consumers");
    let (why, whom) = match (who.is_empty(), needs) {
        (false, _) => (
            format!("'{}' lets you in as {who} in {}.", f.org, f.tenant_name()),
            who,
        ),
        (true, Some(_)) => (
            format!(
                "'{}' lives in {}; you signed in elsewhere.",
                f.org,
                f.tenant_name()
            ),
            format!("your account of {}", f.tenant_name()),
        ),
        (true, None) => (
            format!(
                "'{}' uses personal Microsoft accounts; you signed in with a work account.",
                f.org
            ),
            "your personal Microsoft account".to_string(),
        ),
    };
    let mut w = way(WayId::SignIn, WayStatus::Available, why);
    let cmd = format!("ado-entra login --tenant {tenant}");
    w.steps = vec![
        format!(
            "Sign in with {whom}: {cmd} (or `ado-entra recover --org {} --way sign-in`, which signs in and verifies).",
            f.org
        ),
        format!("Then: ado-entra verify --org {}", f.org),
    ];
    w.command = Some(format!("ado-entra recover --org {} --way sign-in", f.org));
    w
}

fn invite_way(f: &Facts) -> Way {
    let id = WayId::InviteOwner;
    let tenant = f.tenant_name();
    let Some(owner) = f.owner_address() else {
        return way(
            id,
            WayStatus::NotApplicable,
            format!(
                "The owner could not be read: sign in with an identity of {tenant} so ado-entra can read it from the directory's list of organizations."
            ),
        );
    };
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "The organization is not connected to a directory.",
        );
    }
    if f.owner_is_personal() == Some(false) {
        return way(
            id,
            WayStatus::NotApplicable,
            format!("The owner {owner} is an account of {tenant}, not an outside address."),
        );
    }
    if let Some(inv) = &f.invitation
        && inv.address.eq_ignore_ascii_case(owner)
    {
        let mut w = match inv.accepted {
            Some(true) => way(
                id,
                WayStatus::Waiting,
                format!(
                    "{owner} accepted the invitation; Azure DevOps does not let them in yet. {PROPAGATION_NOTE}."
                ),
            ),
            _ => way(
                id,
                WayStatus::Waiting,
                format!(
                    "{owner} was invited to {tenant} on {} by {}; the invitation is not accepted yet.",
                    inv.at.format("%Y-%m-%d %H:%M UTC"),
                    inv.by
                ),
            ),
        };
        w.steps = vec![
            format!(
                "{owner} accepts it: open the invitation mail, or simply sign in to {tenant} with {owner} (`ado-entra recover --org {} --verify-owner` signs in, which accepts it, and checks until Azure DevOps lets them in).",
                f.org
            ),
            format!("{PROPAGATION_NOTE}: ado-entra keeps checking (--wait)."),
        ];
        w.command = Some(format!(
            "ado-entra recover --org {} --verify-owner --wait 3600",
            f.org
        ));
        return w;
    }
    match &f.owner_in_tenant {
        Some(t @ (InTenant::Member { .. } | InTenant::Guest { .. })) => {
            let mut why = format!(
                "{owner} is already {}: there is nothing to invite. The organization still refuses it because Azure DevOps never mapped the owner's user to that account, and only someone the organization lets in can map it (ways 3 to 5).",
                t.describe(&tenant)
            );
            if let Some(note) = t.upn().and_then(ext_upn_note) {
                why.push_str(&format!(" ({note}.)"));
            }
            way(id, WayStatus::NotNeeded, why)
        }
        Some(InTenant::Invited { .. }) => way(
            id,
            WayStatus::Waiting,
            format!("{owner} is invited to {tenant}; the invitation is not accepted yet."),
        ),
        Some(InTenant::Absent) => {
            let inviter = f
                .identities
                .iter()
                .find(|i| i.member() && !i.address.eq_ignore_ascii_case(owner));
            match inviter {
                Some(i) => {
                    let mut w = way(
                        id,
                        WayStatus::Available,
                        format!(
                            "{owner} has no account in {tenant}; {} is a Member there and may invite it as a guest.",
                            i.in_tenant.upn().unwrap_or(&i.address)
                        ),
                    );
                    w.steps = vec![
                        format!(
                            "Invite {owner} as a guest of {tenant} (ado-entra sends the invitation with {}).",
                            i.address
                        ),
                        format!("Sign in as {owner}: that accepts the invitation."),
                        format!(
                            "Wait until Azure DevOps lets {owner} in: {PROPAGATION_NOTE}; ado-entra checks with a countdown."
                        ),
                    ];
                    w.command = Some(format!(
                        "ado-entra recover --org {} --way invite-owner",
                        f.org
                    ));
                    w
                }
                None => {
                    let mut w = way(
                        id,
                        WayStatus::NeedsSomeone,
                        format!(
                            "{owner} has no account in {tenant}, and none of your identities may invite guests there."
                        ),
                    );
                    w.steps = vec![
                        format!(
                            "Ask an administrator of {tenant}{} to invite {owner}: {ENTRA_ADMIN_CENTER} > Users > All users > New user > Invite external user; Email: {owner}; Invite.",
                            admins_named(f)
                        ),
                        format!(
                            "Then sign in as {owner} (`ado-entra recover --org {} --verify-owner --wait 3600`): that accepts the invitation, and ado-entra checks until Azure DevOps lets you in.",
                            f.org
                        ),
                    ];
                    w.message = Some(invite_message(f, owner));
                    w
                }
            }
        }
        Some(InTenant::Unknown { reason }) => way(
            id,
            WayStatus::NeedsSomeone,
            format!(
                "Whether {owner} has an account in {tenant} could not be read ({reason}); ask an administrator of {tenant} to look it up, and to invite it as a guest if it is not there."
            ),
        ),
        None => way(
            id,
            WayStatus::NotApplicable,
            format!("Sign in with an identity of {tenant} so ado-entra can look {owner} up there."),
        ),
    }
}

fn admins_named(f: &Facts) -> String {
    let people: Vec<String> = f
        .who_can_help
        .global_administrators
        .people()
        .unwrap_or_default()
        .iter()
        .map(Person::label)
        .collect();
    if people.is_empty() {
        String::new()
    } else {
        format!(" ({})", people.join(", "))
    }
}

fn back_door_way(f: &Facts) -> Way {
    let id = WayId::BackDoor;
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "The organization is not connected to a directory.",
        );
    }
    if let Some(t) = f.last_try(id) {
        let mut w = way(
            id,
            if t.ok {
                WayStatus::Done
            } else {
                WayStatus::Failed
            },
            t.outcome.clone(),
        );
        if t.ok {
            w.steps = handover_after(f, id);
        } else {
            w.steps = vec!["Go on with ways 4 and 5.".into()];
            w.command = Some(format!(
                "ado-entra recover --org {} --way back-door --wait 900",
                f.org
            ));
        }
        return w;
    }
    let owner = f.owner_address();
    if f.owner_is_personal() == Some(false) {
        return way(
            id,
            WayStatus::NotApplicable,
            format!(
                "The owner {} is not a personal Microsoft account; the back door is for the personal account the organization was created with.",
                owner.unwrap_or_default()
            ),
        );
    }
    let personal = f
        .identities
        .iter()
        .find(|i| i.kind == Kind::Personal && (i.is_owner == Some(true) || owner.is_none()));
    let steps = |who: &str| {
        vec![
            format!("Open {} and sign in with {who}: choose \"Personal account\" if asked, not a work or school account.", f.urls.back_door),
            format!("Find '{}' in your organizations and choose to disconnect it from Microsoft Entra ID.", f.org),
            "ado-entra checks the organization while you do and continues once it is disconnected (then you sign in again with the personal account).".into(),
            "Microsoft does not document this page's disconnect; owners report it there (Microsoft Q&A). If the page does not offer it, go on with ways 4 and 5.".into(),
        ]
    };
    match personal {
        Some(i) => {
            let mut w = way(
                id,
                WayStatus::Available,
                if i.is_owner == Some(true) {
                    format!(
                        "{} is the owner's personal account: that page still lets it in.",
                        i.address
                    )
                } else {
                    format!(
                        "If {} is the personal account the organization was created with, that page still lets it in.",
                        i.address
                    )
                },
            );
            w.steps = steps(&i.address);
            w.command = Some(format!(
                "ado-entra recover --org {} --way back-door --wait 900",
                f.org
            ));
            w
        }
        None => {
            let who = owner.unwrap_or("the owner's personal account");
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "Only the owner's personal account ({who}) gets in there; sign in with it first: ado-entra login --tenant consumers"
                ),
            );
            w.steps = steps(who);
            w
        }
    }
}

fn claim_way(f: &Facts) -> Way {
    let id = WayId::ClaimOwnership;
    let tenant = f.tenant_name();
    if !f.connected {
        return way(
            id,
            WayStatus::NotApplicable,
            "Only an organization connected to a directory can be claimed.",
        );
    }
    if let Some(t) = f.last_try(id)
        && t.ok
    {
        let mut w = way(id, WayStatus::Done, t.outcome.clone());
        w.steps = handover_after(f, id);
        return w;
    }
    if let Some(pcas) = f.who_can_help.project_collection_administrators.people()
        && !pcas.is_empty()
    {
        let names: Vec<String> = pcas.iter().map(Person::label).collect();
        let mut w = way(
            id,
            WayStatus::NeedsSomeone,
            format!(
                "The organization is not orphaned: {} still get in as Project Collection Administrators, so it cannot be claimed. Ask them instead.",
                names.join(", ")
            ),
        );
        w.steps = vec![format!(
            "Ask {} to map the owner's user to their Entra identity (Organization settings > Microsoft Entra > Resolve, or `ado-entra resolve --org {}`).",
            names.join(", "),
            f.org
        )];
        return w;
    }
    let mine = f.identities.iter().find(|i| i.azure_devops_administrator);
    if let Some(i) = mine {
        let who = i.in_tenant.upn().unwrap_or(&i.address).to_string();
        let mut w = way(
            id,
            WayStatus::Available,
            format!(
                "{who} holds the Azure DevOps Administrator role of {tenant}: it can claim ownership."
            ),
        );
        w.steps = claim_steps(f, &who);
        w.command = Some(format!(
            "ado-entra recover --org {} --way claim-ownership --wait 900",
            f.org
        ));
        return w;
    }
    let ado = &f.who_can_help.azure_devops_administrators;
    let mut w = match ado {
        Holders::Read { people, .. } if !people.is_empty() => {
            let names: Vec<String> = people.iter().map(Person::label).collect();
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "{} {} the Azure DevOps Administrator role of {tenant} and can claim ownership.",
                    names.join(", "),
                    if names.len() == 1 { "holds" } else { "hold" }
                ),
            );
            w.steps = vec![
                format!(
                    "Send {} the message ado-entra writes for you: ado-entra recover --org {} --way claim-ownership",
                    names.join(", "),
                    f.org
                ),
                "Once they have claimed it, they add you back (or make you owner again).".into(),
            ];
            w.message = Some(claim_message(f, people));
            w
        }
        Holders::Read { .. } => {
            let globals = f
                .who_can_help
                .global_administrators
                .people()
                .unwrap_or_default();
            let names: Vec<String> = globals.iter().map(Person::label).collect();
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "Nobody holds the Azure DevOps Administrator role of {tenant}. A Global Administrator{} or Privileged Role Administrator can assign it; the holder then claims ownership.",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", names.join(", "))
                    }
                ),
            );
            w.steps = vec![
                format!(
                    "Ask them to assign the Azure DevOps Administrator role ({ENTRA_ADMIN_CENTER} > Roles & admins > Azure DevOps Administrator > Add assignments). Role changes can take up to an hour to reach Azure DevOps."
                ),
                "Then the role holder claims ownership (the message below explains how).".into(),
            ];
            w.message = Some(claim_message(f, globals));
            w
        }
        Holders::Unreadable { by, reason } => {
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "{by} may not read who holds {tenant}'s roles ({reason}). Find the Azure DevOps Administrator in {ENTRA_ADMIN_CENTER} > Roles & admins > Azure DevOps Administrator, or ask your IT department."
                ),
            );
            w.message = Some(claim_message(f, &[]));
            w
        }
        Holders::NotChecked { reason } => {
            let mut w = way(
                id,
                WayStatus::NeedsSomeone,
                format!(
                    "The Azure DevOps Administrators of {tenant} were not read ({reason}). Sign in with an identity of {tenant} and run this again, or ask your IT department who holds that role."
                ),
            );
            w.message = Some(claim_message(f, &[]));
            w
        }
    };
    w.steps.push(format!("Microsoft Learn: {ORPHANED_DOC}"));
    w
}

fn claim_steps(f: &Facts, who: &str) -> Vec<String> {
    vec![
        format!("Open {} in a browser signed in as {who}.", f.urls.org),
        "On the error page select Claim Ownership (already a member? Organization settings > Overview > Change owner).".into(),
        format!(
            "Justification: \"The owner {} is locked out after connecting {} to Microsoft Entra ID; restoring access.\" Then select Claim Ownership again.",
            f.owner_address().unwrap_or("of the organization"),
            f.org
        ),
        "ado-entra checks the organization while you do and continues once it lets you in.".into(),
    ]
}

/// The message asking `people` (Azure DevOps Administrators, or Global
/// Administrators who can assign that role) to claim ownership.
pub fn claim_message(f: &Facts, people: &[Person]) -> String {
    let org = &f.org;
    let tenant = f.tenant_name();
    let tenant_id = f
        .tenant
        .as_ref()
        .map(|t| t.id.as_str())
        .unwrap_or("unknown");
    let owner = f.owner_address().unwrap_or("(unknown)");
    let hello = if people.is_empty() {
        "Hello,".to_string()
    } else {
        format!(
            "Hello {},",
            people
                .iter()
                .map(|p| if p.display_name.trim().is_empty() {
                    p.address.clone()
                } else {
                    p.display_name.clone()
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "Subject: Please claim ownership of the Azure DevOps organization {org}\n\n\
         {hello}\n\n\
         The Azure DevOps organization {org} ({url}) is connected to our Microsoft Entra directory {tenant} ({tenant_id}). \
         Its owner, {owner}, can no longer sign in to it, and no Project Collection Administrator can either, so nobody can change its owner.\n\n\
         An Azure DevOps Administrator of {tenant} can take ownership (Microsoft Learn, \"Assign an owner to an orphaned organization\": {ORPHANED_DOC}). \
         If nobody holds that role, a Global Administrator can assign it first (Roles & admins > Azure DevOps Administrator; it can take up to an hour to reach Azure DevOps).\n\n\
         1. Sign in to {url} with your {tenant} account.\n\
         2. On the error page select Claim Ownership (if you are already a member: Organization settings > Overview > Change owner).\n\
         3. Justification: \"The owner {owner} is locked out after connecting {org} to Microsoft Entra ID; restoring access.\"\n\
         4. Then give access back to {owner}: map their user to their Entra identity (Organization settings > Microsoft Entra > Resolve, or `ado-entra resolve --org {org}`), and make them owner again if that is the plan.\n\n\
         Thank you.\n",
        url = f.urls.org,
    )
}

fn invite_message(f: &Facts, owner: &str) -> String {
    let tenant = f.tenant_name();
    format!(
        "Subject: Please invite {owner} as a guest of {tenant}\n\n\
         Hello,\n\n\
         The Azure DevOps organization {org} ({url}) is connected to {tenant}, and its owner {owner} has no account there, so it cannot sign in. \
         Please invite {owner} as a guest: {ENTRA_ADMIN_CENTER} > Users > All users > New user > Invite external user; Email: {owner}; Invite.\n\n\
         Thank you.\n",
        org = f.org,
        url = f.urls.org,
    )
}

fn support_way(f: &Facts) -> Way {
    let id = WayId::Support;
    let mut w = way(
        id,
        WayStatus::Available,
        "When nothing else works: Azure DevOps support can restore ownership or disconnect the directory; ado-entra writes everything they ask for into one file.",
    );
    if let Some(t) = f.last_try(id)
        && t.ok
    {
        w.why = t.outcome.clone();
    }
    w.steps = vec![
        format!(
            "Write the package: ado-entra recover --org {} --way support",
            f.org
        ),
        format!(
            "Open a request at {SUPPORT_URL} (Technical > Azure DevOps > Organization ownership) and attach it."
        ),
    ];
    w.command = Some(format!("ado-entra recover --org {} --way support", f.org));
    w
}

/// What to do after `way` worked, so it does not happen twice.
pub fn handover_after(f: &Facts, way: WayId) -> Vec<String> {
    let org = &f.org;
    let tenant = f
        .tenant
        .as_ref()
        .map(|t| t.id.clone())
        .or_else(|| f.last_tenant.clone())
        .unwrap_or_else(|| "TENANT".into());
    let owner = f.owner_address().unwrap_or("the owner");
    match way {
        WayId::SignIn | WayId::InviteOwner => vec![
            format!("Check the rest of the organization: ado-entra check --org {org}"),
            format!("Reconnect anyone else left out: ado-entra resolve --org {org}"),
        ],
        WayId::BackDoor => vec![
            format!(
                "Before connecting again, give {owner} an identity the directory can map: a Member whose UPN is the address you sign in with, or invite {owner} as a guest."
            ),
            format!("Then prove nobody is locked out: ado-entra check --org {org} --to {tenant}"),
            format!("And connect: ado-entra connect --org {org} --to {tenant}"),
        ],
        WayId::ClaimOwnership => vec![
            format!("Map {owner}'s user to their Entra identity: ado-entra resolve --org {org}"),
            "Make them owner again if that is the plan: Organization settings > Overview > Change owner.".into(),
        ],
        WayId::Support => Vec::new(),
    }
}

/// The support package: everything a support request needs, as text.
pub fn support_package(f: &Facts, a: &Assessment, probes: &[String], now: DateTime<Utc>) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Azure DevOps organization ownership recovery: {}\nWritten by ado-entra at {}\n\n",
        f.org,
        now.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    s.push_str(&format!("Organization: {} ({})\n", f.org, f.urls.org));
    s.push_str(&format!(
        "Organization id: {}\n",
        f.org_id.as_deref().unwrap_or("not readable")
    ));
    match &f.tenant {
        Some(t) => s.push_str(&format!(
            "Connected directory: {} (tenant id {})\n",
            t.name(),
            t.id
        )),
        None => s.push_str("Connected directory: none read\n"),
    }
    s.push_str(&format!(
        "Owner as Azure DevOps records it: {}\n",
        f.owner
            .as_ref()
            .map(|o| format!("{} (read from {})", o.address, o.source))
            .unwrap_or_else(|| "not readable".into())
    ));
    s.push_str(&format!(
        "Connected at: {}\n",
        f.connected_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "not in ado-entra's journal".into())
    ));
    s.push_str(&format!("State: {} ({})\n\n", a.state.name(), a.headline));
    s.push_str("Identities tried:\n");
    for i in &f.identities {
        s.push_str(&format!(
            "- {}: {}; as signed in: {}; in the directory: {}\n",
            i.label(),
            i.in_tenant.describe(&f.tenant_name()),
            i.signed_in.name(),
            i.in_directory
                .as_ref()
                .map(Access::name)
                .unwrap_or("not tried")
        ));
    }
    s.push_str("\nWhat the services answered (request ids for support):\n");
    for p in probes {
        s.push_str(&format!("- {p}\n"));
    }
    s.push_str("\nWhat was tried:\n");
    if f.tried.is_empty() {
        s.push_str("- nothing yet\n");
    }
    for t in &f.tried {
        s.push_str(&format!(
            "- {} {}: {} ({})\n",
            t.at.format("%Y-%m-%d %H:%M UTC"),
            t.way.name(),
            t.outcome,
            if t.ok { "worked" } else { "did not work" }
        ));
    }
    s.push_str(&format!(
        "\nRequest: the owner is locked out after connecting the organization to Microsoft Entra ID; please restore the owner's access or disconnect the organization from the directory.\nSubmit at {SUPPORT_URL}.\n"
    ));
    s
}

/// Facts for tests (fixed ids): the locked-out organization of Contoso.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";

    /// The organization connected to Contoso, owned by alice@outlook.com,
    /// seen through `identities`.
    pub fn facts(identities: Vec<Identity>) -> Facts {
        Facts {
            org: "contoso-lockout".into(),
            org_id: Some("aaaaaaaa-0000-4000-8000-000000000001".into()),
            missing: false,
            tenant: Some(Tenant {
                id: TENANT.into(),
                display_name: Some("Contoso".into()),
                domains: vec!["contoso.onmicrosoft.com".into(), "contoso.com".into()],
                evidence: vec!["the id: X-VSS-ResourceTenant on the anonymous probe".into()],
            }),
            connected: true,
            last_tenant: Some(TENANT.into()),
            owner: Some(Owner {
                address: "alice@outlook.com".into(),
                source: "enterprise_catalog".into(),
            }),
            owner_in_tenant: None,
            identities,
            who_can_help: WhoCanHelp::default(),
            invitation: None,
            tried: vec![],
            connected_at: None,
            urls: Urls {
                org: "https://dev.azure.com/contoso-lockout".into(),
                back_door: "https://aex.dev.azure.com/me".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::TenantId;

    const T: &str = fixtures::TENANT;

    fn identity(
        address: &str,
        kind: Kind,
        in_tenant: InTenant,
        signed_in: Access,
        in_dir: Option<Access>,
        owner: bool,
    ) -> Identity {
        Identity {
            address: address.into(),
            kind,
            home_tenant: None,
            upn_note: None,
            in_tenant,
            signed_in,
            in_directory: in_dir,
            is_owner: Some(owner),
            azure_devops_administrator: false,
            current: true,
            evidence: vec![],
            checked_at: Utc::now(),
        }
    }

    fn facts(identities: Vec<Identity>) -> Facts {
        fixtures::facts(identities)
    }

    fn needs() -> Access {
        Access::WrongSignIn {
            needs: TenantId::parse(T),
        }
    }

    #[test]
    fn a_wrong_sign_in_gets_only_the_sign_in() {
        let f = facts(vec![identity(
            "owner@fabrikam.com",
            Kind::Personal,
            InTenant::Member {
                upn: "owner@fabrikam.com".into(),
            },
            needs(),
            Some(Access::Works),
            true,
        )]);
        let a = assess(&f);
        assert_eq!(a.state, needs());
        assert_eq!(a.ways[0].status, WayStatus::Available);
        assert!(a.ways[0].steps[0].contains(&format!("ado-entra login --tenant {T}")));
        assert!(a.ways[1..].iter().all(|w| w.status == WayStatus::NotNeeded));
    }

    #[test]
    fn the_owner_refused_in_the_directory_is_the_lockout_and_needs_no_invitation() {
        let upn = "alice_outlook.com#EXT#@contoso.onmicrosoft.com";
        let mut f = facts(vec![identity(
            "alice@outlook.com",
            Kind::Personal,
            InTenant::Member { upn: upn.into() },
            needs(),
            Some(Access::OwnerLockedOut),
            true,
        )]);
        f.owner_in_tenant = Some(InTenant::Member { upn: upn.into() });
        let a = assess(&f);
        assert_eq!(a.state, Access::OwnerLockedOut);
        let ids: Vec<_> = a.ways.iter().map(|w| (w.id, w.status)).collect();
        assert_eq!(
            ids,
            vec![
                (WayId::SignIn, WayStatus::NotApplicable),
                (WayId::InviteOwner, WayStatus::NotNeeded),
                (WayId::BackDoor, WayStatus::Available),
                (WayId::ClaimOwnership, WayStatus::NeedsSomeone),
                (WayId::Support, WayStatus::Available),
            ]
        );
        assert!(
            a.ways[1]
                .why
                .contains("not an address anyone signs in with"),
            "{}",
            a.ways[1].why
        );
    }

    #[test]
    fn an_absent_owner_is_invited_by_a_member_identity() {
        let mut f = facts(vec![
            identity(
                "alice@outlook.com",
                Kind::Personal,
                InTenant::Absent,
                needs(),
                None,
                true,
            ),
            identity(
                "alice@contoso.com",
                Kind::Work,
                InTenant::Member {
                    upn: "alice@contoso.com".into(),
                },
                Access::NoAccess,
                None,
                false,
            ),
        ]);
        f.owner_in_tenant = Some(InTenant::Absent);
        let a = assess(&f);
        assert_eq!(a.state, Access::OwnerLockedOut);
        assert_eq!(a.ways[1].status, WayStatus::Available);
        assert!(a.ways[1].why.contains("alice@contoso.com"));
        // Once sent and not accepted, it waits.
        f.invitation = Some(Invitation {
            address: "alice@outlook.com".into(),
            user_id: "g".into(),
            tenant: T.into(),
            by: "alice@contoso.com".into(),
            at: Utc::now(),
            accepted: Some(false),
        });
        let a = assess(&f);
        assert_eq!(a.ways[1].status, WayStatus::Waiting);
        assert!(a.ways[1].why.contains("not accepted yet"));
    }

    #[test]
    fn claim_names_the_role_holders_or_says_why_it_cannot() {
        let mut f = facts(vec![identity(
            "alice@outlook.com",
            Kind::Personal,
            InTenant::Guest {
                upn: "alice_outlook.com#EXT#@contoso.onmicrosoft.com".into(),
            },
            needs(),
            Some(Access::OwnerLockedOut),
            true,
        )]);
        f.who_can_help.azure_devops_administrators = Holders::Unreadable {
            by: "alice_outlook.com#EXT#@contoso.onmicrosoft.com".into(),
            reason: "403 Authorization_RequestDenied".into(),
        };
        let w = &assess(&f).ways[3];
        assert_eq!(w.status, WayStatus::NeedsSomeone);
        assert!(w.why.contains("may not read"), "{}", w.why);
        f.who_can_help.azure_devops_administrators = Holders::Read {
            people: vec![Person {
                display_name: "Dana Devops".into(),
                address: "devops-admin@contoso.com".into(),
            }],
            read_by: "x".into(),
        };
        let w = &assess(&f).ways[3];
        let m = w.message.as_deref().unwrap();
        assert!(
            m.contains("Hello Dana Devops") && m.contains("Claim Ownership"),
            "{m}"
        );
        assert!(m.contains(ORPHANED_DOC));
        // An active administrator makes it not orphaned.
        f.who_can_help.project_collection_administrators = Holders::Read {
            people: vec![Person {
                display_name: "Ben".into(),
                address: "ben@contoso.com".into(),
            }],
            read_by: "x".into(),
        };
        assert!(assess(&f).ways[3].why.contains("not orphaned"));
    }

    #[test]
    fn the_support_package_carries_the_facts() {
        let f = facts(vec![]);
        let a = assess(&f);
        let p = support_package(&f, &a, &["TF400813 request id abc".into()], Utc::now());
        for want in [
            "contoso-lockout",
            T,
            "alice@outlook.com",
            "request id abc",
            SUPPORT_URL,
        ] {
            assert!(p.contains(want), "{want} missing from {p}");
        }
    }
}
