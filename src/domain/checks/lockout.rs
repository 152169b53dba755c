//! The lockout proof: nobody who administers the organization loses access.
//!
//! The failure this guards against (the Microsoft Q&A thread "Azure DevOps
//! organization became inaccessible immediately after connecting the
//! organization to Microsoft Entra ID"): the sole owner signed in
//! with a personal address that was not the UPN of any account in the
//! tenant; after connecting, every organization URL answered 401/403 while
//! the profile still worked. The fixes its answers list, to apply *before*
//! connecting: make the owner a member of the tenant (an account whose UPN
//! is their sign-in address), or hand ownership to someone who already is.
//! (It also mentions inviting the personal address as a guest; a guest's UPN
//! is rewritten to `…#EXT#@…` and does not map by UPN, so the proof does not
//! accept it.) After the fact, the owner's recovery page is
//! [`RECOVERY_URL`], from which the organization can be disconnected.
//!
//! The proof: for a connect or tenant change, the owner and every Project
//! Collection Administrator must map by UPN to an enabled Member of the
//! destination tenant. For a disconnect, each of them needs a personal
//! Microsoft account with the same address.
//!
//! [`predict`] says, for everybody, who keeps access, who is disconnected
//! (and can be mapped later), who is locked out (an administrator who would
//! lose access), and whom it could not judge.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Serialize;

use super::email::{Classification, MatchKind, classify, classify_parts};
use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Facts, Operation, OrgUser, Origin};
use crate::domain::text::normalize_key;

pub use crate::azure::RECOVERY_URL;

/// An administrative role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The organization owner.
    Owner,
    /// A Project Collection Administrator.
    Pca,
}

/// One person in a [`Prediction`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PredictedUser {
    /// Descriptor, when the person is in the user list.
    pub descriptor: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Normalised sign-in address.
    pub email: Option<String>,
    /// Administrative roles held.
    pub roles: Vec<Role>,
    /// UPN (or personal address, for a disconnect) access is kept through.
    pub maps_to: Option<String>,
    /// Why the person is in this list.
    pub reason: String,
}

impl PredictedUser {
    /// Whether the person is the owner or a Project Collection Administrator.
    pub fn is_privileged(&self) -> bool {
        !self.roles.is_empty()
    }

    fn label(&self) -> String {
        let roles: Vec<&str> = self
            .roles
            .iter()
            .map(|r| match r {
                Role::Owner => "owner",
                Role::Pca => "Project Collection Administrator",
            })
            .collect();
        let who = match (&self.email, self.display_name.trim()) {
            (Some(e), "") => e.clone(),
            (Some(e), n) => format!("{n} <{e}>"),
            (None, "") => self.descriptor.clone().unwrap_or_default(),
            (None, n) => n.to_string(),
        };
        if roles.is_empty() {
            who
        } else {
            format!("{who} ({})", roles.join(", "))
        }
    }
}

impl From<&PredictedUser> for crate::domain::matching::DisconnectedUser {
    /// Feeds a disconnected (or locked-out) person to the match engine.
    fn from(p: &PredictedUser) -> Self {
        crate::domain::matching::DisconnectedUser {
            descriptor: p.descriptor.clone().unwrap_or_default(),
            display_name: p.display_name.clone(),
            email: p.email.clone(),
        }
    }
}

/// Who keeps access after the operation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Prediction {
    /// Keep access.
    pub keep: Vec<PredictedUser>,
    /// Lose access but can be mapped or re-added afterwards.
    pub disconnected: Vec<PredictedUser>,
    /// The owner or administrators who would lose access.
    pub locked_out: Vec<PredictedUser>,
    /// Could not be judged because a fact is missing.
    pub unverified: Vec<PredictedUser>,
}

impl Prediction {
    /// Everyone judged.
    pub fn total(&self) -> usize {
        self.keep.len() + self.disconnected.len() + self.locked_out.len() + self.unverified.len()
    }

    /// Everyone who would lose access (disconnected or locked out): the one
    /// number the check, the plan and the lockout table all give.
    pub fn lost(&self) -> usize {
        self.disconnected.len() + self.locked_out.len()
    }
}

/// One person to predict for, borrowing from the facts (the owner's
/// address may be worked out, hence `Cow`).
struct Person<'a> {
    user: Option<&'a OrgUser>,
    /// Where `user` is in `facts.org.users`.
    pos: Option<usize>,
    display_name: &'a str,
    email: Option<Cow<'a, str>>,
    roles: Vec<Role>,
}

fn people<'a>(facts: &'a Facts, emails: &'a [Option<String>]) -> Vec<Person<'a>> {
    let owner = facts.owner_user().map(|u| u.descriptor.clone());
    let mut out: Vec<Person<'_>> = facts
        .org
        .users
        .iter()
        .flatten()
        .zip(emails)
        .enumerate()
        .map(|(pos, (u, email))| {
            let mut roles = Vec::new();
            if owner.as_deref() == Some(u.descriptor.as_str()) {
                roles.push(Role::Owner);
            }
            if facts.is_pca(u) == Some(true) {
                roles.push(Role::Pca);
            }
            Person {
                user: Some(u),
                pos: Some(pos),
                display_name: &u.display_name,
                email: email.as_deref().map(Cow::Borrowed),
                roles,
            }
        })
        .collect();
    // The owner may be known without appearing in the user list.
    if owner.is_none()
        && let Some(o) = &facts.org.owner
    {
        out.insert(
            0,
            Person {
                user: None,
                pos: None,
                display_name: &o.display_name,
                email: facts.owner_email().map(Cow::Owned),
                roles: vec![Role::Owner],
            },
        );
    }
    out
}

/// Why an administrator would not keep access, in plain words.
fn admin_reason(c: &Classification) -> String {
    let Some(email) = c.email.as_deref() else {
        return "has no sign-in address that could map by UPN".into();
    };
    let first = c.candidates.first();
    match (c.kind, first) {
        (MatchKind::MapsByUpn, _) if c.ambiguous => {
            format!("several accounts have the UPN {email}, so the mapping is ambiguous")
        }
        (MatchKind::MapsByUpn, Some(m)) if !m.account_enabled => {
            format!("the account {} is disabled", m.upn)
        }
        (MatchKind::MapsByUpn, Some(m)) => format!(
            "the account {} is a Guest; an administrator needs a Member account",
            m.upn
        ),
        (MatchKind::MatchesByMailOnly, Some(m)) => {
            let guest = if crate::domain::text::is_guest_ext_upn(&m.upn) {
                " (a guest's UPN is not the guest's own address)"
            } else {
                ""
            };
            format!(
                "no account has {email} as its UPN; {} only has it as {}{guest}",
                m.upn,
                m.via.words()
            )
        }
        (MatchKind::MatchesByNameOnly, Some(m)) => format!(
            "no account has {email} as its UPN (only {} has the same name)",
            m.upn
        ),
        _ => format!("no account in the destination tenant has {email} as its UPN"),
    }
}

fn predicted(p: &Person<'_>, maps_to: Option<String>, reason: String) -> PredictedUser {
    PredictedUser {
        descriptor: p.user.map(|u| u.descriptor.clone()),
        display_name: p.display_name.to_string(),
        email: p.email.as_deref().map(str::to_string),
        roles: p.roles.clone(),
        maps_to,
        reason,
    }
}

/// Predicts who keeps access after the operation in `facts`.
pub fn predict(facts: &Facts) -> Prediction {
    compute_prediction(&Ctx::new(facts))
}

/// The prediction itself; [`Ctx::prediction`] keeps it for everyone.
pub(crate) fn compute_prediction(ctx: &Ctx<'_>) -> Prediction {
    let facts = ctx.facts;
    let mut pred = Prediction::default();
    let persons = people(facts, ctx.emails());
    match &facts.operation {
        Operation::Disconnect => {
            // After a disconnect only personal Microsoft accounts sign in
            // (Microsoft Learn, "Disconnect from Microsoft Entra ID"): users who
            // are personal accounts keep access; a work account keeps it only
            // when its address is also a personal account.
            let known: HashSet<String> = facts
                .known_msa_emails
                .iter()
                .flatten()
                .map(|e| normalize_key(e))
                .collect();
            for p in &persons {
                let personal = p.user.is_some_and(|u| u.origin == Origin::Msa);
                match &p.email {
                    Some(e) if personal => pred.keep.push(predicted(
                        p,
                        Some(e.to_string()),
                        format!("Signs in with the personal Microsoft account {e}"),
                    )),
                    Some(e) if known.contains(e.as_ref()) => pred.keep.push(predicted(
                        p,
                        Some(e.to_string()),
                        format!("{e} is also a personal Microsoft account"),
                    )),
                    Some(e) => {
                        let why = format!(
                            "signs in with the work account {e}; keeps access only if {e} is \
                             also a personal Microsoft account (could not verify)"
                        );
                        if p.roles.is_empty() {
                            pred.disconnected.push(predicted(p, None, why));
                        } else {
                            pred.unverified.push(predicted(p, None, why));
                        }
                    }
                    None => {
                        let why =
                            "has no address to match a personal Microsoft account".to_string();
                        if p.roles.is_empty() {
                            pred.disconnected.push(predicted(p, None, why));
                        } else {
                            pred.locked_out.push(predicted(p, None, why));
                        }
                    }
                }
            }
        }
        Operation::Connect { .. } | Operation::ChangeTenant { .. } => {
            let Some(index) = ctx.index.as_ref() else {
                for p in &persons {
                    pred.unverified.push(predicted(
                        p,
                        None,
                        "The destination tenant's users could not be listed".into(),
                    ));
                }
                return pred;
            };
            for p in &persons {
                let owned;
                let c: &Classification = match (p.pos, ctx.classified()) {
                    (Some(i), Some(all)) if i < all.len() => &all[i],
                    _ => {
                        owned = match p.user {
                            Some(u) => classify(u, index),
                            None => classify_parts(
                                "",
                                p.display_name,
                                p.email.as_deref().map(str::to_string),
                                None,
                                p.display_name,
                                index,
                            ),
                        };
                        &owned
                    }
                };
                let why = c.evidence.join("; ");
                if let Some(m) = c.upn_member() {
                    pred.keep.push(predicted(p, Some(m.upn.clone()), why));
                    continue;
                }
                let usable = c.kind == MatchKind::MapsByUpn
                    && !c.ambiguous
                    && c.candidates.iter().all(|x| x.account_enabled);
                if p.roles.is_empty() {
                    if usable {
                        let to = c.candidates.first().map(|x| x.upn.clone());
                        pred.keep.push(predicted(p, to, why));
                    } else {
                        pred.disconnected.push(predicted(p, None, why));
                    }
                } else {
                    pred.locked_out.push(predicted(p, None, admin_reason(c)));
                }
            }
        }
    }
    pred
}

/// `lockout-proof`: the owner keeps access (Fail naming why not, with the
/// fixes). The owner's lockout is never acceptable: there is nobody left to
/// undo it from inside the organization.
pub fn lockout_proof(facts: &Facts) -> CheckResult {
    lockout_proof_with(&Ctx::new(facts))
}

/// `admins-keep-access`: every other Project Collection Administrator keeps
/// access. A failure here can be accepted (by typing their names back in the
/// wizard, `--accept-risk admins-keep-access` headless): the owner can map
/// them afterwards.
pub fn admins_keep_access(facts: &Facts) -> CheckResult {
    admins_keep_access_with(&Ctx::new(facts))
}

fn is_owner(p: &PredictedUser) -> bool {
    p.roles.contains(&Role::Owner)
}

pub(crate) fn lockout_proof_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "lockout-proof";
    let facts = ctx.facts;
    let pred = ctx.prediction();
    let disconnect = facts.operation == Operation::Disconnect;
    if let Some(owner) = pred.locked_out.iter().find(|p| is_owner(p)) {
        let label = owner.label();
        let mut fix = Vec::new();
        if disconnect {
            fix.push(format!(
                "Before disconnecting, change the owner to a personal Microsoft account \
                 (Organization settings > Overview > Change owner), as Microsoft Learn's \
                 \"Disconnect from Microsoft Entra ID\" requires; {label} cannot sign in once the \
                 organization uses personal accounts."
            ));
        } else {
            fix.push(format!(
                "Before {}, either (1) add the owner {label} to the destination tenant as a \
                 member whose UPN is exactly the address they sign in with (Microsoft Entra \
                 admin center > Users > All users > New user), or (2) transfer organization \
                 ownership (Organization settings > Overview > Change owner) to someone who \
                 already maps by UPN to a member of the tenant. A guest invitation is not \
                 enough: a guest's UPN is not their address.",
                facts.operation.gerund()
            ));
        }
        fix.push(format!(
            "If it already happened, run `ado-entra recover --org {}`: it finds out why from \
             every sign-in you still have and takes the ways back in order (among them \
             {RECOVERY_URL} with the original account, and Azure DevOps support).",
            facts.org.name
        ));
        return CheckResult::new(ID, Status::Fail, "The owner would be locked out")
            .evidence([format!("{label} would lose access: {}", owner.reason)])
            .fix(fix.join(" "));
    }
    if let Some(owner) = pred.unverified.iter().find(|p| is_owner(p)) {
        let r = CheckResult::unverified(ID, "that the owner keeps access").evidence([format!(
            "{}: could not verify: {}",
            owner.label(),
            owner.reason
        )]);
        return match &facts.caller.destination_unreadable {
            Some(why) => r
                .evidence([why.clone()])
                .fix(super::access::directory_sign_in_fix(facts)),
            None => r,
        };
    }
    if facts.org.owner.is_none() {
        return CheckResult::unverified(ID, "that the owner keeps access")
            .evidence(["The organization owner could not be read".to_string()]);
    }
    match pred.keep.iter().find(|p| is_owner(p)) {
        Some(owner) => {
            CheckResult::new(ID, Status::Pass, "The owner keeps access").evidence([format!(
                "{} keeps access through {}",
                owner.label(),
                owner.maps_to.as_deref().unwrap_or("?")
            )])
        }
        None => CheckResult::unverified(ID, "that the owner keeps access")
            .evidence(["The owner was not found among the users".to_string()]),
    }
}

pub(crate) fn admins_keep_access_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "admins-keep-access";
    let facts = ctx.facts;
    let pred = ctx.prediction();
    let disconnect = facts.operation == Operation::Disconnect;
    let others = |list: &[PredictedUser]| -> Vec<String> {
        list.iter()
            .filter(|p| p.is_privileged() && !is_owner(p))
            .map(|p| p.label())
            .collect()
    };
    let locked: Vec<&PredictedUser> = pred
        .locked_out
        .iter()
        .filter(|p| p.is_privileged() && !is_owner(p))
        .collect();
    if facts.org.pca_members.is_none() || facts.org.users.is_none() {
        return CheckResult::unverified(ID, "that the other administrators keep access").evidence(
            ["The Project Collection Administrators or the users could not be read".to_string()],
        );
    }
    if !locked.is_empty() {
        let fix = if disconnect {
            "Give each listed administrator a personal Microsoft account with the same address, \
             or remove them from Project Collection Administrators first. To go ahead anyway, \
             accept the risk: type their names in the wizard, or pass `--accept-risk \
             admins-keep-access`."
        } else {
            "Give each listed administrator a member account whose UPN is their sign-in address, \
             or remove them from Project Collection Administrators (Organization settings > \
             Permissions) and map them after connecting. To go ahead anyway (the owner keeps \
             access and can map them afterwards), accept the risk: type their names in the \
             wizard, or pass `--accept-risk admins-keep-access`."
        };
        return CheckResult::new(
            ID,
            Status::Fail,
            format!(
                "{} other administrator{} would lose access",
                locked.len(),
                if locked.len() == 1 { "" } else { "s" }
            ),
        )
        .evidence(
            locked
                .iter()
                .map(|p| format!("{} would lose access: {}", p.label(), p.reason)),
        )
        .fix(fix);
    }
    let unverified: Vec<String> = pred
        .unverified
        .iter()
        .filter(|p| p.is_privileged() && !is_owner(p))
        .map(|p| format!("{}: could not verify: {}", p.label(), p.reason))
        .collect();
    if !unverified.is_empty() {
        return CheckResult::unverified(ID, "that the other administrators keep access")
            .evidence(unverified);
    }
    let kept = others(&pred.keep);
    if kept.is_empty() {
        return CheckResult::new(ID, Status::Pass, "No other administrator to keep")
            .evidence(["The owner is the only Project Collection Administrator".to_string()]);
    }
    CheckResult::new(ID, Status::Pass, "Every other administrator keeps access").evidence(
        pred.keep
            .iter()
            .filter(|p| p.is_privileged() && !is_owner(p))
            .map(|p| {
                format!(
                    "{} keeps access through {}",
                    p.label(),
                    p.maps_to.as_deref().unwrap_or("?")
                )
            }),
    )
}

/// `owner-is-personal-account`: before a disconnect, the owner is a personal
/// Microsoft account (Microsoft Learn, "Disconnect from Microsoft Entra ID":
/// change the owner to a Microsoft account first). A work account whose
/// address is also a personal account is enough, but it cannot be verified
/// from here: the person can accept that (`--accept-risk`).
pub fn owner_is_personal_account(facts: &Facts) -> CheckResult {
    const ID: &str = "owner-is-personal-account";
    if facts.operation != Operation::Disconnect {
        return CheckResult::skip(ID, "Only applies when disconnecting");
    }
    let Some(owner) = facts.org.owner.as_ref() else {
        return CheckResult::unverified(ID, "whether the owner is a personal Microsoft account")
            .evidence(["The organization owner could not be read".to_string()]);
    };
    let label = owner.label();
    let user = facts.owner_user();
    if user.is_some_and(|u| u.origin == Origin::Msa) {
        return CheckResult::new(
            ID,
            Status::Pass,
            "The owner is a personal Microsoft account",
        )
        .evidence([format!(
            "{label} signs in with a personal Microsoft account"
        )]);
    }
    let email = facts.owner_email();
    let known = email.as_deref().is_some_and(|e| {
        facts
            .known_msa_emails
            .iter()
            .flatten()
            .any(|k| normalize_key(k) == e)
    });
    if known {
        return CheckResult::new(
            ID,
            Status::Pass,
            "The owner's address is a personal Microsoft account",
        )
        .evidence([format!(
            "{label}: the address is also a personal Microsoft account"
        )]);
    }
    let address = email.unwrap_or_else(|| label.clone());
    CheckResult::new(ID, Status::Fail, "The owner signs in with a work account")
        .evidence([format!(
            "{label} is a Microsoft Entra (work) account; after disconnecting, only personal \
             Microsoft accounts can sign in"
        )])
        .fix(format!(
            "Change the owner to a personal Microsoft account first (Organization settings > \
             Overview > Change owner), as Microsoft Learn requires before disconnecting. If \
             {address} is also a personal Microsoft account (it signs in at \
             https://account.microsoft.com), accept this: type the owner's address in the \
             wizard, or pass `--accept-risk owner-is-personal-account`."
        ))
}
