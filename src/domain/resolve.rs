//! Resolve: the reviewer's decisions for disconnected users, as a plan.
//!
//! After a connect or a tenant change, every user whose sign-in address is not
//! a UPN of the new directory is disconnected (the connect guide's "resolve disconnected
//! users" step). A [`Plan`] holds one [`Row`] per such user: the match engine's
//! suggestions and the reviewer's [`Decision`] (map to an Entra account,
//! invite as a guest, skip, or still undecided). The plan becomes [`Job`]s for
//! the apply step, and round-trips through a CSV file an admin can edit in a
//! spreadsheet ([`to_csv`], [`parse_csv`]); every row of an imported file is
//! validated and all problems are reported with line numbers before anything
//! is applied (the CSV export and import live in `csv_file`).
//!
//! Pure: no IO, no clock.

mod csv_file;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

pub use csv_file::{
    CSV_COLUMNS, CsvErrors, CsvProblem, Imported, MAX_CSV_BYTES, MAX_PROBLEMS, import_csv,
    parse_csv, to_csv,
};

use crate::domain::facts::TenantUser;
use crate::domain::matching::{Confidence, DisconnectedUser, MatchFlag, Suggestion, UserMatches};

/// What to do with one disconnected user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Not decided yet: nothing is applied for this user.
    #[default]
    Undecided,
    /// Move the user's rights to this Entra account.
    Map {
        /// Entra object id.
        target_id: String,
        /// The account's UPN (for people; the id is what is sent).
        target_upn: String,
    },
    /// Invite this address as a guest, then map the user to the new guest.
    Invite {
        /// The address to invite.
        email: String,
    },
    /// Leave the user disconnected.
    Skip,
}

impl Decision {
    /// The CSV `action` word.
    pub fn action(&self) -> &'static str {
        match self {
            Decision::Undecided => "review",
            Decision::Map { .. } => "map",
            Decision::Invite { .. } => "invite",
            Decision::Skip => "skip",
        }
    }
}

/// One disconnected user, the engine's suggestions and the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Azure DevOps descriptor (what the mapping call is addressed to).
    pub descriptor: String,
    /// Display name.
    pub display_name: String,
    /// Normalised sign-in address, when the user has a valid one.
    pub email: Option<String>,
    /// Suggestions, best first.
    pub suggestions: Vec<Suggestion>,
    /// Flags from the engine.
    pub flags: Vec<MatchFlag>,
    /// The reviewer's decision.
    pub decision: Decision,
    /// Suggestions the reviewer turned down (object ids), so "accept all
    /// exact" never brings them back.
    #[serde(default)]
    pub rejected: Vec<String>,
}

impl Row {
    /// The best suggestion the reviewer has not rejected.
    pub fn best(&self) -> Option<&Suggestion> {
        self.suggestions
            .iter()
            .find(|s| !self.rejected.contains(&s.tenant_user_id))
    }

    /// Whether this row may be mapped without a person looking at it: the
    /// suggestion shown first says "exact" (the engine gives that word only
    /// to one enabled member person account, matched by UPN or primary mail,
    /// whose name agrees, with nobody else claiming the address or name) and
    /// the row carries no flag. What the reviewer sees is what decides.
    pub fn is_exact(&self) -> bool {
        self.flags.is_empty()
            && self
                .best()
                .is_some_and(|b| b.confidence == Confidence::Exact)
    }

    /// Does `text` (already lowercased) occur in the name, address, or chosen target?
    pub fn matches_filter(&self, text: &str) -> bool {
        if text.is_empty() {
            return true;
        }
        let hit = |s: &str| s.to_lowercase().contains(text);
        hit(&self.display_name)
            || self.email.as_deref().is_some_and(hit)
            || self.decision.action() == text
            || match &self.decision {
                Decision::Map { target_upn, .. } => hit(target_upn),
                Decision::Invite { email } => hit(email),
                _ => false,
            }
            || self.best().is_some_and(|b| hit(&b.upn))
    }
}

/// Counts for the summary bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Rows to map to an existing account.
    pub mapped: usize,
    /// Rows to invite as guests (then map).
    pub to_invite: usize,
    /// Rows the reviewer skipped.
    pub skipped: usize,
    /// Rows not decided yet.
    pub left: usize,
}

/// Why a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No such row.
    #[error("there is no row {0}")]
    NoRow(usize),
    /// No such suggestion.
    #[error("this user has no suggestion {0}")]
    NoSuggestion(usize),
    /// Another row already maps to that account.
    #[error(
        "{upn} is already the choice for {other}; one Entra account can stand for one user only"
    )]
    TargetTaken {
        /// The account.
        upn: String,
        /// The other user's display name.
        other: String,
    },
    /// The address cannot be invited.
    #[error("cannot invite {value:?}: {reason}")]
    BadEmail {
        /// What was given.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}

/// A whole Resolve plan for one organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Organization name.
    pub org: String,
    /// The directory the organization is connected to (tenant id).
    pub tenant: String,
    /// One row per disconnected user.
    pub rows: Vec<Row>,
}

impl Plan {
    /// Rows in the order the users were given, undecided.
    pub fn new(
        org: &str,
        tenant: &str,
        users: &[DisconnectedUser],
        matches: Vec<UserMatches>,
    ) -> Self {
        let by_descriptor: HashMap<&str, &DisconnectedUser> =
            users.iter().map(|u| (u.descriptor.as_str(), u)).collect();
        let rows = matches
            .into_iter()
            .map(|m| Row {
                display_name: by_descriptor
                    .get(m.descriptor.as_str())
                    .map(|u| u.display_name.clone())
                    .unwrap_or(m.display_name),
                descriptor: m.descriptor,
                email: m.email,
                suggestions: m.suggestions,
                flags: m.flags,
                decision: Decision::Undecided,
                rejected: Vec::new(),
            })
            .collect();
        Plan {
            org: org.to_string(),
            tenant: tenant.to_string(),
            rows,
        }
    }

    /// Counts per decision.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in &self.rows {
            match r.decision {
                Decision::Undecided => s.left += 1,
                Decision::Map { .. } => s.mapped += 1,
                Decision::Invite { .. } => s.to_invite += 1,
                Decision::Skip => s.skipped += 1,
            }
        }
        s
    }

    fn owner_of_target(&self, target_id: &str, except: usize) -> Option<&Row> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| match &r.decision {
                Decision::Map { target_id: t, .. } if i != except && t == target_id => Some(r),
                _ => None,
            })
    }

    fn row_mut(&mut self, row: usize) -> Result<&mut Row, DecisionError> {
        self.rows.get_mut(row).ok_or(DecisionError::NoRow(row))
    }

    /// Map `row` to an account (a suggestion or a search result).
    pub fn map_to(
        &mut self,
        row: usize,
        target_id: &str,
        target_upn: &str,
    ) -> Result<(), DecisionError> {
        if row >= self.rows.len() {
            return Err(DecisionError::NoRow(row));
        }
        if let Some(other) = self.owner_of_target(target_id, row) {
            return Err(DecisionError::TargetTaken {
                upn: target_upn.to_string(),
                other: other.display_name.clone(),
            });
        }
        let r = self.row_mut(row)?;
        r.rejected.retain(|id| id != target_id);
        r.decision = Decision::Map {
            target_id: target_id.to_string(),
            target_upn: target_upn.to_string(),
        };
        Ok(())
    }

    /// Accept suggestion `index` of `row` (0 = the best one not rejected).
    pub fn accept(&mut self, row: usize, index: usize) -> Result<(), DecisionError> {
        let r = self.rows.get(row).ok_or(DecisionError::NoRow(row))?;
        let s = r
            .suggestions
            .iter()
            .filter(|s| !r.rejected.contains(&s.tenant_user_id))
            .nth(index)
            .ok_or(DecisionError::NoSuggestion(index))?;
        let (id, upn) = (s.tenant_user_id.clone(), s.upn.clone());
        self.map_to(row, &id, &upn)
    }

    /// Turn down the current choice (or the best suggestion when undecided).
    pub fn reject(&mut self, row: usize) -> Result<(), DecisionError> {
        let r = self.row_mut(row)?;
        let id = match &r.decision {
            Decision::Map { target_id, .. } => Some(target_id.clone()),
            _ => r.best().map(|b| b.tenant_user_id.clone()),
        };
        if let Some(id) = id
            && !r.rejected.contains(&id)
        {
            r.rejected.push(id);
        }
        r.decision = Decision::Undecided;
        Ok(())
    }

    /// Invite the user's own address as a guest.
    pub fn invite(&mut self, row: usize) -> Result<(), DecisionError> {
        let r = self.row_mut(row)?;
        let Some(email) = r.email.clone() else {
            return Err(DecisionError::BadEmail {
                value: r.display_name.clone(),
                reason: "the user has no valid email address; map them to an account instead"
                    .into(),
            });
        };
        r.decision = Decision::Invite { email };
        Ok(())
    }

    /// Leave the user disconnected.
    pub fn skip(&mut self, row: usize) -> Result<(), DecisionError> {
        self.row_mut(row)?.decision = Decision::Skip;
        Ok(())
    }

    /// Back to undecided.
    pub fn clear(&mut self, row: usize) -> Result<(), DecisionError> {
        self.row_mut(row)?.decision = Decision::Undecided;
        Ok(())
    }

    /// Map every undecided row whose evidence is exact and unambiguous
    /// ([`Row::is_exact`]); returns how many were accepted.
    pub fn accept_all_exact(&mut self) -> usize {
        let mut taken: HashSet<String> = self
            .rows
            .iter()
            .filter_map(|r| match &r.decision {
                Decision::Map { target_id, .. } => Some(target_id.clone()),
                _ => None,
            })
            .collect();
        let mut n = 0;
        for r in &mut self.rows {
            if r.decision != Decision::Undecided || !r.is_exact() {
                continue;
            }
            let Some(best) = r.best() else { continue };
            if !taken.insert(best.tenant_user_id.clone()) {
                continue;
            }
            r.decision = Decision::Map {
                target_id: best.tenant_user_id.clone(),
                target_upn: best.upn.clone(),
            };
            n += 1;
        }
        n
    }

    /// What the apply step does, in row order (undecided and skipped rows
    /// do nothing).
    pub fn jobs(&self) -> Vec<Job> {
        self.rows
            .iter()
            .filter_map(|r| {
                let kind = match &r.decision {
                    Decision::Map {
                        target_id,
                        target_upn,
                    } => JobKind::Map {
                        target_id: target_id.clone(),
                        target_upn: target_upn.clone(),
                    },
                    Decision::Invite { email } => JobKind::Invite {
                        email: email.clone(),
                    },
                    Decision::Undecided | Decision::Skip => return None,
                };
                Some(Job {
                    descriptor: r.descriptor.clone(),
                    display_name: r.display_name.clone(),
                    kind,
                })
            })
            .collect()
    }

    /// Index of the row for `descriptor`.
    pub fn position(&self, descriptor: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.descriptor == descriptor)
    }
}

/// One change the apply step makes for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The disconnected user's descriptor.
    pub descriptor: String,
    /// Their display name (for progress and errors).
    pub display_name: String,
    /// Map or invite-then-map.
    pub kind: JobKind,
}

/// The kind of change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JobKind {
    /// Move the user's rights to an existing account.
    Map {
        /// Entra object id.
        target_id: String,
        /// Its UPN.
        target_upn: String,
    },
    /// Invite the address as a guest, then map the user to the guest.
    Invite {
        /// Address to invite.
        email: String,
    },
}

impl Job {
    /// Journal step id of the invitation.
    pub fn invite_step(&self) -> String {
        format!("invite:{}", self.descriptor)
    }
    /// Journal step id of the mapping.
    pub fn map_step(&self) -> String {
        format!("map:{}", self.descriptor)
    }
}

/// Accounts of the connected directory, looked up by object id or UPN.
#[derive(Debug, Default)]
pub struct Directory<'a> {
    by_id: HashMap<&'a str, &'a TenantUser>,
    by_upn: HashMap<String, &'a TenantUser>,
}

impl<'a> Directory<'a> {
    /// Index `users`.
    pub fn new(users: &'a [TenantUser]) -> Self {
        let mut d = Directory {
            by_id: HashMap::with_capacity(users.len()),
            by_upn: HashMap::with_capacity(users.len()),
        };
        for u in users {
            d.by_id.insert(u.id.as_str(), u);
            d.by_upn.insert(u.user_principal_name.to_lowercase(), u);
        }
        d
    }
    /// By object id (case-insensitive GUIDs are compared as given, lowercased).
    pub fn by_id(&self, id: &str) -> Option<&'a TenantUser> {
        self.by_id
            .get(id)
            .or_else(|| self.by_id.get(id.to_lowercase().as_str()))
            .copied()
    }
    /// By UPN, any case.
    pub fn by_upn(&self, upn: &str) -> Option<&'a TenantUser> {
        self.by_upn.get(&upn.trim().to_lowercase()).copied()
    }
}

/// A small plan for tests of the screens that show one.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::checks::fixtures::member as tu;
    use crate::domain::matching::{MatchConfig, match_users};

    fn du(d: &str, name: &str, email: &str) -> DisconnectedUser {
        DisconnectedUser {
            descriptor: d.into(),
            display_name: name.into(),
            email: (!email.is_empty()).then(|| email.into()),
        }
    }

    /// Ann (exact UPN), Carl (other mail), Erik (name), Frank (nothing), a user without an address.
    pub fn tenant() -> Vec<TenantUser> {
        let mut carl = tu("id-carl", "carl@fabrikam.com", "Carl Dahl");
        carl.other_mails = vec!["carl.personal@outlook.com".into()];
        vec![
            tu("id-ann", "ann@fabrikam.com", "Ann Berg"),
            carl,
            tu("id-erik", "erik@fabrikam.com", "Erik Lund"),
            tu("id-ivy1", "ivy@fabrikam.com", "Ivy Jones"),
            tu("id-gina", "gina@fabrikam.com", "Gina Holt"),
        ]
    }

    pub fn users() -> Vec<DisconnectedUser> {
        vec![
            du("msa.ann", "Ann Berg", "ann@fabrikam.com"),
            du("msa.carl", "Carl Dahl", "carl.personal@outlook.com"),
            du("msa.erik", "Erik Lund", "erik.l@gmail.com"),
            du("msa.frank", "Frank Gray", "frank@gmail.com"),
            du("msa.noone", "=HYPERLINK(\"x\")", ""),
        ]
    }

    pub fn plan() -> Plan {
        let t = tenant();
        let u = users();
        let m = match_users(&u, &t, &["fabrikam.com".into()], &MatchConfig::default());
        Plan::new("fabrikam-messy", "tid", &u, m)
    }

    /// A directory with the traps of account kind and disagreeing evidence:
    /// Ann (exact), Anna (a guest copy of her member account), Bob (his
    /// alias reassigned to Bob Bradley, his own account disabled), Dana
    /// (only a disabled account), Erik (his separate admin account registered
    /// with his address), Kim (an address whose account's name disagrees).
    pub fn trap_tenant() -> Vec<TenantUser> {
        use crate::domain::checks::fixtures::guest;
        let mut bradley = tu("id-bradley", "bob.bradley@fabrikam.com", "Bob Bradley");
        bradley.proxy_addresses = vec!["smtp:bob@fabrikam.com".into()];
        let mut brown = tu("id-brown", "robert.brown@fabrikam.com", "Bob Brown");
        brown.account_enabled = false;
        let mut dana = tu("id-dana", "dana@fabrikam.com", "Dana Scully");
        dana.account_enabled = false;
        let mut admin = tu("id-erik-adm", "adm-erik@fabrikam.com", "Erik Lund (Admin)");
        admin.other_mails = vec!["erik.l@gmail.com".into()];
        vec![
            tu("id-ann", "ann@fabrikam.com", "Ann Berg"),
            tu("id-anna", "anna.lindberg@fabrikam.com", "Anna Lindberg"),
            guest("id-anna-guest", "anna@outlook.com", "Anna Lindberg"),
            bradley,
            brown,
            dana,
            admin,
            tu("id-erik", "erik@fabrikam.com", "Erik Lund"),
            tu("id-kim", "kim@fabrikam.com", "Kim Park"),
        ]
    }

    pub fn trap_users() -> Vec<DisconnectedUser> {
        vec![
            du("msa.ann", "Ann Berg", "ann@fabrikam.com"),
            du("msa.anna", "Anna Lindberg", "anna@outlook.com"),
            du("msa.bob", "Bob Brown", "bob@fabrikam.com"),
            du("msa.dana", "Dana Scully", "dana@fabrikam.com"),
            du("msa.erik", "Erik Lund", "erik.l@gmail.com"),
            du("msa.kim", "Kim Lee", "kim@fabrikam.com"),
        ]
    }

    pub fn trap_plan() -> Plan {
        let t = trap_tenant();
        let u = trap_users();
        let m = match_users(&u, &t, &["fabrikam.com".into()], &MatchConfig::default());
        Plan::new("fabrikam-traps", "tid", &u, m)
    }
}

#[cfg(test)]
mod tests;
