//! Where an organization is and where a change takes it: the one model that
//! every command and every wizard screen decides from.
//!
//! An organization is backed either by personal Microsoft accounts or by one
//! Microsoft Entra tenant ([`Backing`]). A person asks for an operation
//! ([`Asked`]); [`decide`] compares it with the organization's real backing and
//! with any unfinished journal ([`Pending`]) and returns exactly one
//! [`Decision`]: nothing to do, the wrong flow, a refusal, a change that had
//! already landed, or a change to carry out (possibly continuing an
//! interrupted one).
//!
//! Tenants are compared by id only ([`TenantId`]); a domain a person types is
//! resolved to its id before anything here runs. The rules follow Microsoft
//! Learn: "Connect your organization to Microsoft Entra ID", "Change your
//! organization connection to a different Microsoft Entra ID" and "Disconnect
//! your organization from Microsoft Entra ID"
//! (<https://learn.microsoft.com/azure/devops/organizations/accounts/>).

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::facts;

/// The all-zero GUID Azure DevOps reports for (and sets on) an organization
/// of personal Microsoft accounts.
pub use crate::azure::ZERO_GUID as PERSONAL_TENANT;

/// A Microsoft Entra tenant id: a lowercase hyphenated GUID, never all zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// Reads a GUID in any case, with or without braces; `None` for anything
    /// else, including the all-zero GUID (which stands for personal accounts).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        let inner = match (t.strip_prefix('{'), t.ends_with('}')) {
            (Some(rest), true) => &rest[..rest.len() - 1],
            (None, false) => t,
            _ => return None,
        };
        let u = uuid::Uuid::try_parse(inner).ok()?;
        if inner.len() != 36 || u.is_nil() {
            return None;
        }
        Some(Self(u.hyphenated().to_string()))
    }

    /// The id as Azure writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TenantId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        TenantId::parse(&s).ok_or_else(|| format!("'{s}' is not a tenant id"))
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.0
    }
}

/// A tenant as people see it: its id and whatever names are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// The tenant id.
    pub id: TenantId,
    /// Display name ("Fabrikam"), when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// A verified domain (the default `….onmicrosoft.com` one when known).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
}

impl Directory {
    /// A tenant known only by its id.
    pub fn bare(id: TenantId) -> Self {
        Self {
            id,
            display_name: String::new(),
            domain: String::new(),
        }
    }

    /// The best short name: display name, else domain, else id.
    pub fn name(&self) -> &str {
        [&self.display_name, &self.domain]
            .into_iter()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .unwrap_or(self.id.as_str())
    }

    /// Name with id, e.g. `Fabrikam (fabrikam.onmicrosoft.com, afade585-…)`
    /// (the id in full, so it can be copied).
    pub fn label(&self) -> String {
        let names: Vec<&str> = [&self.display_name, &self.domain]
            .into_iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        match names.as_slice() {
            [] => self.id.to_string(),
            [one] => format!("{one} ({})", self.id),
            [name, domain, ..] => format!("{name} ({domain}, {})", self.id),
        }
    }

    /// Fill in names this one lacks from `other` (same id).
    pub fn merge(&mut self, other: &Directory) {
        if other.id != self.id {
            return;
        }
        if self.display_name.trim().is_empty() {
            self.display_name = other.display_name.clone();
        }
        if self.domain.trim().is_empty() {
            self.domain = other.domain.clone();
        }
    }
}

/// What an organization signs people in with today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Backing {
    /// Personal Microsoft accounts (not connected to any directory).
    Personal,
    /// Connected to this Microsoft Entra tenant.
    Tenant {
        /// The tenant.
        directory: Directory,
    },
}

impl Backing {
    /// The tenant's id when connected.
    pub fn tenant_id(&self) -> Option<&TenantId> {
        match self {
            Backing::Personal => None,
            Backing::Tenant { directory } => Some(&directory.id),
        }
    }

    /// Where the organization is, as a [`Target`].
    pub fn target(&self) -> Target {
        match self {
            Backing::Personal => Target::Personal,
            Backing::Tenant { directory } => Target::Tenant(directory.id.clone()),
        }
    }

    /// For people: "personal Microsoft accounts" or the tenant's label.
    pub fn label(&self) -> String {
        match self {
            Backing::Personal => "personal Microsoft accounts".into(),
            Backing::Tenant { directory } => directory.label(),
        }
    }
}

/// Where a change leaves the organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Backed by personal Microsoft accounts (a disconnect).
    Personal,
    /// Connected to this tenant.
    Tenant(TenantId),
    /// A journal's target this version cannot read (for example a domain
    /// written before tenants were resolved to ids); it equals no other.
    Unreadable(String),
}

impl Target {
    /// The value Azure DevOps' organization `TenantId` takes for this target.
    pub fn tenant_value(&self) -> &str {
        match self {
            Target::Personal => PERSONAL_TENANT,
            Target::Tenant(t) => t.as_str(),
            Target::Unreadable(s) => s,
        }
    }

    /// Reads a journal's target, keeping what cannot be read as such.
    pub fn from_journal(s: &str) -> Self {
        Self::from_tenant_value(s).unwrap_or_else(|| Target::Unreadable(s.to_string()))
    }

    /// Reads a journal's or Azure's tenant value (the all-zero GUID is personal).
    pub fn from_tenant_value(s: &str) -> Option<Self> {
        let t = s.trim().trim_start_matches('{').trim_end_matches('}');
        if uuid::Uuid::try_parse(t).is_ok_and(|u| u.is_nil()) {
            return Some(Target::Personal);
        }
        TenantId::parse(s).map(Target::Tenant)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Personal => f.write_str("personal Microsoft accounts"),
            Target::Tenant(t) => write!(f, "tenant {t}"),
            Target::Unreadable(s) => write!(f, "'{s}'"),
        }
    }
}

/// What a person asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Asked {
    /// Connect to this tenant (on a connected organization: change to it).
    Connect {
        /// The destination.
        to: Directory,
    },
    /// Change the connected organization to this tenant.
    ChangeTenant {
        /// The destination.
        to: Directory,
    },
    /// Back to personal Microsoft accounts.
    Disconnect,
}

impl Asked {
    /// Where the organization should end up.
    pub fn target(&self) -> Target {
        match self {
            Asked::Connect { to } | Asked::ChangeTenant { to } => Target::Tenant(to.id.clone()),
            Asked::Disconnect => Target::Personal,
        }
    }

    /// The command that asks for this (`connect`, `change-tenant`, `disconnect`).
    pub fn command(&self) -> &'static str {
        match self {
            Asked::Connect { .. } => "connect",
            Asked::ChangeTenant { .. } => "change-tenant",
            Asked::Disconnect => "disconnect",
        }
    }

    /// The destination, when there is one.
    pub fn destination(&self) -> Option<&Directory> {
        match self {
            Asked::Connect { to } | Asked::ChangeTenant { to } => Some(to),
            Asked::Disconnect => None,
        }
    }
}

/// A change to the organization's directory, as it will be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// From personal accounts to a tenant.
    Connect {
        /// The destination.
        to: Directory,
    },
    /// From one tenant to another.
    ChangeTenant {
        /// The current tenant.
        from: Directory,
        /// The destination.
        to: Directory,
    },
    /// From a tenant back to personal accounts.
    Disconnect {
        /// The current tenant.
        from: Directory,
    },
}

impl Change {
    /// Where the change leaves the organization.
    pub fn target(&self) -> Target {
        match self {
            Change::Connect { to } | Change::ChangeTenant { to, .. } => {
                Target::Tenant(to.id.clone())
            }
            Change::Disconnect { .. } => Target::Personal,
        }
    }

    /// The journal's operation name.
    pub fn journal_op(&self) -> &'static str {
        match self {
            Change::Connect { .. } => "connect",
            Change::ChangeTenant { .. } => "change-tenant",
            Change::Disconnect { .. } => "disconnect",
        }
    }

    /// The destination, when there is one.
    pub fn destination(&self) -> Option<&Directory> {
        match self {
            Change::Connect { to } | Change::ChangeTenant { to, .. } => Some(to),
            Change::Disconnect { .. } => None,
        }
    }

    /// The operation the prerequisite checks judge.
    pub fn operation(&self) -> facts::Operation {
        match self {
            Change::Connect { to } => facts::Operation::Connect {
                destination: to.id.to_string(),
            },
            Change::ChangeTenant { from, to } => facts::Operation::ChangeTenant {
                from: from.id.to_string(),
                to: to.id.to_string(),
            },
            Change::Disconnect { .. } => facts::Operation::Disconnect,
        }
    }

    /// One line for people: "connect 'org' to Fabrikam (…)".
    pub fn describe(&self, org: &str) -> String {
        match self {
            Change::Connect { to } => format!("connect '{org}' to {}", to.label()),
            Change::ChangeTenant { from, to } => {
                format!("move '{org}' from {} to {}", from.label(), to.label())
            }
            Change::Disconnect { from } => format!(
                "disconnect '{org}' from {} (back to personal Microsoft accounts)",
                from.label()
            ),
        }
    }

    /// One line in the past tense, for the summary once it landed.
    pub fn done(&self, org: &str) -> String {
        match self {
            Change::Connect { to } => format!("Connected '{org}' to {}.", to.label()),
            Change::ChangeTenant { from, to } => {
                format!("Moved '{org}' from {} to {}.", from.label(), to.label())
            }
            Change::Disconnect { from } => format!(
                "Disconnected '{org}' from {}; it now uses personal Microsoft accounts.",
                from.label()
            ),
        }
    }
}

/// A directory change whose journal has a beginning but no end: it was
/// interrupted, and Azure may or may not have taken it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// The journal file.
    pub journal: PathBuf,
    /// Its operation name (`connect`, `change-tenant`, `disconnect`).
    pub op: String,
    /// Where it was taking the organization.
    pub target: Target,
    /// When it began.
    pub started: DateTime<Utc>,
    /// Checks whose failure the person accepted for that run.
    pub accepted_risks: Vec<String>,
}

/// Why there is nothing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlreadyThere {
    /// Connect to the tenant the organization is connected to.
    Connected {
        /// That tenant.
        directory: Directory,
    },
    /// Disconnect an organization of personal accounts.
    Personal,
}

/// Why a request is refused before any check runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    /// Change the tenant to the one the organization is already in.
    SameTenant {
        /// That tenant.
        directory: Directory,
    },
    /// Another directory change was interrupted and is not finished.
    OtherUnfinished {
        /// The interrupted change.
        pending: Pending,
    },
}

/// What to do, decided from the organization's real state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// The organization is already where it was asked to go.
    NothingToDo {
        /// Where it is.
        already: AlreadyThere,
    },
    /// The operation does not fit the organization: offer this one instead.
    WrongFlow {
        /// What would do what the person wants.
        suggested: Asked,
    },
    /// Refused, with the reason.
    Refused {
        /// Why.
        refusal: Refusal,
    },
    /// An interrupted run of this very change had landed in Azure: record it
    /// and verify; nothing is sent again.
    AlreadyLanded {
        /// The interrupted run.
        pending: Pending,
        /// Where the organization is now (where that run was taking it).
        now: Backing,
    },
    /// Make the change: checks, plan, confirm, apply. `resume` is the
    /// interrupted run of the same change (which had not landed) to continue.
    Proceed {
        /// The change.
        change: Change,
        /// The interrupted run it continues, if any.
        resume: Option<Pending>,
    },
}

impl Decision {
    /// The change to make, if any.
    pub fn change(&self) -> Option<&Change> {
        match self {
            Decision::Proceed { change, .. } => Some(change),
            _ => None,
        }
    }

    /// One line for people about a decision that changes nothing.
    pub fn explain(&self, org: &str) -> String {
        match self {
            Decision::NothingToDo {
                already: AlreadyThere::Connected { directory },
            } => format!(
                "'{org}' is already connected to {}: nothing to do.",
                directory.label()
            ),
            Decision::NothingToDo {
                already: AlreadyThere::Personal,
            } => format!(
                "'{org}' is not connected to any directory (it uses personal Microsoft accounts): nothing to disconnect."
            ),
            Decision::WrongFlow { suggested } => match suggested.destination() {
                Some(to) => format!(
                    "'{org}' is not connected to any directory, so there is no tenant to change: moving it to {} is a connect.",
                    to.label()
                ),
                None => format!(
                    "'{org}' needs a different operation: {}.",
                    suggested.command()
                ),
            },
            Decision::Refused {
                refusal: Refusal::SameTenant { directory },
            } => format!(
                "'{org}' is already connected to {}; changing to the same tenant would do nothing.",
                directory.label()
            ),
            Decision::Refused {
                refusal: Refusal::OtherUnfinished { pending },
            } => format!(
                "An earlier {} of '{org}' (to {}, started {}) did not finish; finish or discard it before starting another change.",
                pending.op,
                pending.target,
                pending.started.format("%Y-%m-%d %H:%M UTC")
            ),
            Decision::AlreadyLanded { pending, now } => format!(
                "The interrupted {} of '{org}' (started {}) had already landed: it now uses {}.",
                pending.op,
                pending.started.format("%Y-%m-%d %H:%M UTC"),
                now.label()
            ),
            Decision::Proceed { change, .. } => format!("Will {}.", change.describe(org)),
        }
    }
}

/// The one decision table (see the module docs).
///
/// A journal is read before anything else: an unfinished run of the same
/// target is resumed (recorded as landed when Azure shows it, continued
/// otherwise), an unfinished run of another target refuses. Then the asked
/// operation is compared with the organization's backing, by tenant id.
pub fn decide(backing: &Backing, asked: &Asked, pending: Option<Pending>) -> Decision {
    let target = asked.target();
    let resume = match pending {
        Some(p) if p.target != target => {
            return Decision::Refused {
                refusal: Refusal::OtherUnfinished { pending: p },
            };
        }
        Some(p) => Some(p),
        None => None,
    };
    let change = match (asked, backing) {
        (Asked::Connect { to }, Backing::Personal) => Change::Connect { to: to.clone() },
        (Asked::ChangeTenant { to }, Backing::Personal) => {
            if resume.is_none() {
                return Decision::WrongFlow {
                    suggested: Asked::Connect { to: to.clone() },
                };
            }
            // An interrupted change to this tenant: finish it as what it is.
            Change::Connect { to: to.clone() }
        }
        (Asked::Connect { to } | Asked::ChangeTenant { to }, Backing::Tenant { directory })
            if directory.id == to.id =>
        {
            let mut to = to.clone();
            to.merge(directory);
            match (resume, asked) {
                (Some(pending), _) => {
                    return Decision::AlreadyLanded {
                        pending,
                        now: Backing::Tenant { directory: to },
                    };
                }
                (None, Asked::Connect { .. }) => {
                    return Decision::NothingToDo {
                        already: AlreadyThere::Connected { directory: to },
                    };
                }
                (None, _) => {
                    return Decision::Refused {
                        refusal: Refusal::SameTenant { directory: to },
                    };
                }
            }
        }
        (Asked::Connect { to } | Asked::ChangeTenant { to }, Backing::Tenant { directory }) => {
            Change::ChangeTenant {
                from: directory.clone(),
                to: to.clone(),
            }
        }
        (Asked::Disconnect, Backing::Personal) => {
            return match resume {
                Some(pending) => Decision::AlreadyLanded {
                    pending,
                    now: Backing::Personal,
                },
                None => Decision::NothingToDo {
                    already: AlreadyThere::Personal,
                },
            };
        }
        (Asked::Disconnect, Backing::Tenant { directory }) => Change::Disconnect {
            from: directory.clone(),
        },
    };
    Decision::Proceed { change, resume }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T1: &str = "afade585-7c99-42c7-887f-5b2884f98736";
    const T2: &str = "3c1d2e4f-0000-4000-8000-00000000c0de";

    fn dir(id: &str, name: &str) -> Directory {
        Directory {
            id: TenantId::parse(id).unwrap(),
            display_name: name.into(),
            domain: format!("{}.onmicrosoft.com", name.to_lowercase()),
        }
    }

    fn tenant(id: &str) -> Backing {
        Backing::Tenant {
            directory: dir(id, "Now"),
        }
    }

    fn pending(target: Target) -> Pending {
        Pending {
            journal: PathBuf::from("/j/x.jsonl"),
            op: "connect".into(),
            target,
            started: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            accepted_risks: vec![],
        }
    }

    fn t(id: &str) -> Target {
        Target::Tenant(TenantId::parse(id).unwrap())
    }

    #[test]
    fn tenant_ids_read_every_spelling_and_compare_by_value() {
        let a = TenantId::parse(T1).unwrap();
        for s in [
            "AFADE585-7C99-42C7-887F-5B2884F98736",
            "{afade585-7c99-42c7-887f-5b2884f98736}",
            " {AFADE585-7c99-42c7-887f-5b2884f98736} ",
        ] {
            assert_eq!(TenantId::parse(s).as_ref(), Some(&a), "{s}");
        }
        for bad in [
            "",
            "fabrikam.onmicrosoft.com",
            "{afade585-7c99-42c7-887f-5b2884f98736",
            "afade5857c9942c7887f5b2884f98736",
            PERSONAL_TENANT,
            "afade585-7c99-42c7-887f-5b2884f9873",
        ] {
            assert_eq!(TenantId::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Target::from_tenant_value(PERSONAL_TENANT),
            Some(Target::Personal)
        );
        assert_eq!(Target::from_tenant_value(&T1.to_uppercase()), Some(t(T1)));
        assert_eq!(Target::from_tenant_value("contoso.com"), None);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{T1}\""));
        assert!(serde_json::from_str::<TenantId>("\"nope\"").is_err());
    }

    #[test]
    fn labels_name_the_tenant_and_keep_its_id() {
        let d = dir(T1, "Fabrikam");
        assert_eq!(
            d.label(),
            format!("Fabrikam (fabrikam.onmicrosoft.com, {T1})")
        );
        assert_eq!(d.name(), "Fabrikam");
        let bare = Directory::bare(TenantId::parse(T1).unwrap());
        assert_eq!(bare.label(), T1);
        let mut named = bare.clone();
        named.merge(&d);
        assert_eq!(named, d);
    }

    #[test]
    fn connect_follows_the_decision_table() {
        let to = dir(T1, "Fabrikam");
        let asked = Asked::Connect { to: to.clone() };
        assert_eq!(
            decide(&Backing::Personal, &asked, None),
            Decision::Proceed {
                change: Change::Connect { to: to.clone() },
                resume: None
            }
        );
        // Already connected to it, whatever names the person used.
        let d = decide(&tenant(T1), &asked, None);
        assert!(
            matches!(&d, Decision::NothingToDo { already: AlreadyThere::Connected { directory } } if directory.id == to.id),
            "{d:?}"
        );
        // Connected elsewhere: a change of directory.
        let d = decide(&tenant(T2), &asked, None);
        assert!(
            matches!(&d, Decision::Proceed { change: Change::ChangeTenant { from, to: dest }, resume: None }
                if from.id.as_str() == T2 && dest.id.as_str() == T1),
            "{d:?}"
        );
    }

    #[test]
    fn change_tenant_and_disconnect_follow_the_decision_table() {
        let to = dir(T1, "Fabrikam");
        let asked = Asked::ChangeTenant { to: to.clone() };
        assert_eq!(
            decide(&Backing::Personal, &asked, None),
            Decision::WrongFlow {
                suggested: Asked::Connect { to: to.clone() }
            }
        );
        assert!(matches!(
            decide(&tenant(T1), &asked, None),
            Decision::Refused {
                refusal: Refusal::SameTenant { .. }
            }
        ));
        assert!(matches!(
            decide(&tenant(T2), &asked, None),
            Decision::Proceed {
                change: Change::ChangeTenant { .. },
                ..
            }
        ));
        assert_eq!(
            decide(&Backing::Personal, &Asked::Disconnect, None),
            Decision::NothingToDo {
                already: AlreadyThere::Personal
            }
        );
        assert!(matches!(
            decide(&tenant(T2), &Asked::Disconnect, None),
            Decision::Proceed {
                change: Change::Disconnect { .. },
                resume: None
            }
        ));
    }

    #[test]
    fn an_unfinished_journal_is_read_before_the_state() {
        let to = dir(T1, "Fabrikam");
        let asked = Asked::Connect { to: to.clone() };
        // Same target, landed: recorded, never "nothing to do".
        let d = decide(&tenant(T1), &asked, Some(pending(t(T1))));
        assert!(
            matches!(
                &d,
                Decision::AlreadyLanded {
                    now: Backing::Tenant { .. },
                    ..
                }
            ),
            "{d:?}"
        );
        // Same target, not landed: continued, with the checks again.
        let d = decide(&Backing::Personal, &asked, Some(pending(t(T1))));
        assert!(
            matches!(
                &d,
                Decision::Proceed {
                    resume: Some(_),
                    ..
                }
            ),
            "{d:?}"
        );
        // Another target: refused, whatever the state.
        for b in [Backing::Personal, tenant(T1), tenant(T2)] {
            let d = decide(&b, &asked, Some(pending(t(T2))));
            assert!(
                matches!(
                    &d,
                    Decision::Refused {
                        refusal: Refusal::OtherUnfinished { .. }
                    }
                ),
                "{d:?}"
            );
            let d = decide(&b, &Asked::Disconnect, Some(pending(t(T1))));
            assert!(
                matches!(
                    &d,
                    Decision::Refused {
                        refusal: Refusal::OtherUnfinished { .. }
                    }
                ),
                "{d:?}"
            );
        }
        // A disconnect that landed.
        let d = decide(
            &Backing::Personal,
            &Asked::Disconnect,
            Some(pending(Target::Personal)),
        );
        assert!(matches!(&d, Decision::AlreadyLanded { .. }), "{d:?}");
    }

    #[test]
    fn every_decision_explains_itself_with_names() {
        let to = dir(T1, "Fabrikam");
        let d = decide(&tenant(T1), &Asked::Connect { to: to.clone() }, None);
        let line = d.explain("fab");
        assert!(line.contains("already connected to Fabrikam"), "{line}");
        assert!(line.contains(T1), "{line}");
        let d = decide(&Backing::Personal, &Asked::ChangeTenant { to }, None);
        assert!(d.explain("fab").contains("is a connect"));
    }
}
