//! Comparing the organization's addresses with the destination tenant.
//!
//! Azure DevOps carries a user across only when the address they sign in
//! with is the UPN of an account in the tenant (the lockout in the Microsoft Q&A thread "Azure DevOps organization became inaccessible immediately after connecting"; the api
//! notes: "Mapping is by UPN; alternate emails are not used"). So every user
//! is put in one of four classes:
//!
//! - [`MatchKind::MapsByUpn`]: sign-in address equals a UPN (case and
//!   surrounding whitespace ignored). Keeps access.
//! - [`MatchKind::MatchesByMailOnly`]: the address is only some account's
//!   `mail`, `otherMails` or `smtp:` proxy address. Will be disconnected; the
//!   Resolve step can map them afterwards. A guest's `…#EXT#@…` UPN is never
//!   the guest's address, but the guest's `mail` does count here.
//! - [`MatchKind::MatchesByNameOnly`]: only an account with the same display
//!   name exists. Weak evidence.
//! - [`MatchKind::NoMatch`]: needs an account in the tenant or a guest
//!   invitation (the connect guide).
//!
//! Several accounts with the same key make a classification ambiguous.
//!
//! `guest-access-policy` then checks that invited guests would be allowed in:
//! with `Policy.DisallowAadGuestUserAccess` on, they would not be.

use serde::Serialize;

use super::{CheckResult, Ctx, Status};
use crate::domain::facts::{Facts, OrgUser, UserType};
use crate::domain::matching::TenantIndex;
use crate::domain::text::is_guest_ext_upn;
use crate::domain::validate::normalize_email;

/// How an organization user relates to the destination tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The sign-in address is an account's UPN: access is kept.
    MapsByUpn,
    /// Only a mail, other mail or proxy address matches: disconnected,
    /// fixable with Resolve.
    MatchesByMailOnly,
    /// Only the display name matches: weak.
    MatchesByNameOnly,
    /// Nothing matches: needs an account or a guest invitation.
    NoMatch,
}

/// Which attribute of the account matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// `userPrincipalName`.
    Upn,
    /// `mail`.
    Mail,
    /// `otherMails`.
    OtherMail,
    /// `proxyAddresses`.
    ProxyAddress,
    /// `displayName`.
    DisplayName,
}

impl Via {
    pub(crate) fn words(self) -> &'static str {
        match self {
            Via::Upn => "UPN",
            Via::Mail => "mail",
            Via::OtherMail => "other mail",
            Via::ProxyAddress => "proxy address",
            Via::DisplayName => "display name",
        }
    }
}

/// An account that matched, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Entra object id.
    pub tenant_user_id: String,
    /// UPN.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// Member or guest.
    pub user_type: UserType,
    /// Whether the account can sign in.
    pub account_enabled: bool,
    /// What matched.
    pub via: Via,
}

impl Candidate {
    /// `upn (Member)`, `upn (Guest, disabled)`.
    fn describe(&self) -> String {
        described(std::slice::from_ref(self))
    }
}

/// The candidates [`Candidate::describe`]d, joined by commas (written
/// straight into one string: a large organization has one or two per user).
fn described(list: &[Candidate]) -> String {
    let mut out = String::with_capacity(list.iter().map(|c| c.upn.len() + 20).sum());
    for (i, c) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&c.upn);
        out.push_str(match (c.user_type, c.account_enabled) {
            (UserType::Member, true) => " (Member)",
            (UserType::Member, false) => " (Member, disabled)",
            (UserType::Guest, true) => " (Guest)",
            (UserType::Guest, false) => " (Guest, disabled)",
        });
    }
    out
}

/// `a` then `b`, in one allocation.
fn concat(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// The class of one organization user, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// The user's descriptor.
    pub descriptor: String,
    /// The user's display name.
    pub display_name: String,
    /// The normalised sign-in address, if the user has a valid one.
    pub email: Option<String>,
    /// The class.
    pub kind: MatchKind,
    /// Matching accounts (all of the winning kind of evidence).
    pub candidates: Vec<Candidate>,
    /// More than one account matched the same way.
    pub ambiguous: bool,
    /// Plain-words explanation.
    pub evidence: Vec<String>,
}

impl Classification {
    /// The account this user keeps access through: the single, enabled
    /// Member whose UPN is the user's address.
    pub fn upn_member(&self) -> Option<&Candidate> {
        match (self.kind, self.ambiguous, self.candidates.as_slice()) {
            (MatchKind::MapsByUpn, false, [c])
                if c.account_enabled && c.user_type == UserType::Member =>
            {
                Some(c)
            }
            _ => None,
        }
    }

    /// Whether this user would have to come in as a guest (no member
    /// account maps by UPN, and the user has an address to invite).
    pub fn needs_guest(&self) -> bool {
        self.email.is_some()
            && match self.kind {
                MatchKind::NoMatch => true,
                _ => {
                    self.upn_member().is_none()
                        && self
                            .candidates
                            .iter()
                            .all(|c| c.user_type == UserType::Guest || c.via == Via::DisplayName)
                }
            }
    }
}

fn candidates(index: &TenantIndex<'_>, ids: &[u32], via: Via, out: &mut Vec<Candidate>) {
    for &id in ids {
        let Some(t) = index.user(id) else { continue };
        if out.iter().any(|c| c.tenant_user_id == t.id) {
            continue;
        }
        out.push(Candidate {
            tenant_user_id: t.id.clone(),
            upn: t.user_principal_name.clone(),
            display_name: t.display_name.clone(),
            user_type: t.user_type,
            account_enabled: t.account_enabled,
            via,
        });
    }
}

/// Classifies one organization user against the destination tenant.
pub fn classify(user: &OrgUser, index: &TenantIndex<'_>) -> Classification {
    classify_with(user, user.sign_in_email(), index)
}

/// [`classify`] with the user's sign-in address already worked out.
pub(crate) fn classify_with(
    user: &OrgUser,
    email: Option<String>,
    index: &TenantIndex<'_>,
) -> Classification {
    // The mail on record is nearly always the sign-in address itself, which
    // adds nothing to look up (and normalising it is a tenth of the work).
    let other_mail = user
        .mail
        .as_deref()
        .filter(|m| !m.trim().eq_ignore_ascii_case(user.principal_name.trim()))
        .and_then(|m| normalize_email(m).ok());
    let label = user.label_for(email.as_deref());
    classify_parts(
        &user.descriptor,
        &user.display_name,
        email,
        other_mail,
        &label,
        index,
    )
}

pub(crate) fn classify_parts(
    descriptor: &str,
    display_name: &str,
    email: Option<String>,
    extra_mail: Option<String>,
    label: &str,
    index: &TenantIndex<'_>,
) -> Classification {
    let mut c = Classification {
        descriptor: descriptor.to_string(),
        display_name: display_name.to_string(),
        email: email.clone(),
        kind: MatchKind::NoMatch,
        candidates: Vec::new(),
        ambiguous: false,
        evidence: Vec::new(),
    };
    // Accounts of the same name count only when nothing better matches, so
    // they are looked up only then (nearly every user maps by UPN).
    let by_name = || {
        let mut out = Vec::new();
        if !display_name.trim().is_empty() {
            candidates(
                index,
                &index.by_name(display_name),
                Via::DisplayName,
                &mut out,
            );
        }
        out
    };
    let Some(e) = email else {
        c.evidence.push(concat(
            label,
            " has no email address, so nothing can map by UPN",
        ));
        let by_name = by_name();
        if !by_name.is_empty() {
            c.evidence.push(concat(
                "Accounts with the same name: ",
                &described(&by_name),
            ));
        }
        return c;
    };

    let mut upn = Vec::new();
    candidates(index, &index.by_upn(&e), Via::Upn, &mut upn);
    if !upn.is_empty() {
        c.kind = MatchKind::MapsByUpn;
        c.ambiguous = upn.len() > 1;
        let how = if c.ambiguous {
            ": several accounts have this UPN: "
        } else {
            " maps by UPN to "
        };
        let mut line = concat(label, how);
        line.push_str(&described(&upn));
        c.evidence.push(line);
        if let Some(bad) = upn.iter().find(|u| !u.account_enabled) {
            c.evidence.push(format!(
                "The account {} is disabled and cannot sign in",
                bad.upn
            ));
        }
        c.candidates = upn;
        return c;
    }

    let mut mail = Vec::new();
    let mut keys = vec![e.clone()];
    if let Some(m) = extra_mail.filter(|m| *m != e) {
        keys.push(m);
    }
    for k in &keys {
        candidates(index, &index.by_mail(k), Via::Mail, &mut mail);
        candidates(index, &index.by_other_mail(k), Via::OtherMail, &mut mail);
        candidates(index, &index.by_proxy(k), Via::ProxyAddress, &mut mail);
    }
    if !mail.is_empty() {
        c.kind = MatchKind::MatchesByMailOnly;
        c.ambiguous = mail.len() > 1;
        for m in &mail {
            c.evidence.push(format!(
                "{label} matches {} only by {}: will be disconnected; map it with Resolve",
                m.describe(),
                m.via.words()
            ));
            if is_guest_ext_upn(&m.upn) {
                c.evidence.push(format!(
                    "The guest UPN {} is not the same sign-in name as {e}",
                    m.upn
                ));
            }
        }
        if c.ambiguous {
            c.evidence
                .push("Several accounts claim this address: ambiguous".to_string());
        }
        c.candidates = mail;
        return c;
    }

    let by_name = by_name();
    if !by_name.is_empty() {
        c.kind = MatchKind::MatchesByNameOnly;
        c.ambiguous = by_name.len() > 1;
        c.evidence.push(format!(
            "{label} only shares a display name with {}: weak evidence, confirm by hand",
            described(&by_name)
        ));
        c.candidates = by_name;
        return c;
    }

    c.evidence.push(format!(
        "{label}: no account in the destination tenant has {e} as UPN, mail, other mail or \
         proxy address; create an account with that UPN or invite {e} as a guest"
    ));
    c
}

/// Classifies every organization user; `None` when the organization's
/// users or the destination tenant's users are unknown.
pub fn classify_all(facts: &Facts) -> Option<Vec<Classification>> {
    Ctx::new(facts).classified().map(<[Classification]>::to_vec)
}

/// `email-comparison`: classifies every organization user against the
/// destination tenant (Pass when everyone maps by UPN).
pub fn email_comparison(facts: &Facts) -> CheckResult {
    let mut ctx = Ctx::new(facts);
    let mut r = email_comparison_with(&ctx);
    with_user_evidence(&mut r, &mut ctx);
    r
}

/// Puts every user's evidence under `email-comparison`'s summary, moved out
/// of `ctx`'s classifications (a large organization's thousands of lines,
/// not copied) once their last reader, the prediction, has read them; call
/// it when every check has run.
pub(crate) fn with_user_evidence(r: &mut CheckResult, ctx: &mut Ctx<'_>) {
    ctx.prediction();
    let all = ctx.take_classified();
    if r.status == Status::Skip {
        return;
    }
    if let Some(all) = all {
        r.evidence
            .extend(all.into_iter().flat_map(|c| c.evidence.into_iter()));
    }
}

pub(crate) fn email_comparison_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "email-comparison";
    if ctx.facts.operation.destination().is_none() {
        return CheckResult::skip(
            ID,
            "Disconnecting maps users to personal accounts; see lockout-proof",
        );
    }
    let Some(all) = ctx.classified() else {
        return CheckResult::unverified(ID, "how users' addresses compare with the tenant")
            .evidence([
                "The organization's users or the destination tenant's users could not be listed"
                    .to_string(),
            ]);
    };
    let count = |k: MatchKind| all.iter().filter(|c| c.kind == k).count();
    let (upn, mail, name, none) = (
        count(MatchKind::MapsByUpn),
        count(MatchKind::MatchesByMailOnly),
        count(MatchKind::MatchesByNameOnly),
        count(MatchKind::NoMatch),
    );
    let ambiguous = all.iter().filter(|c| c.ambiguous).count();
    // Each user's own lines follow, added by `with_user_evidence`.
    let evidence = vec![format!(
        "{upn} map by UPN, {mail} match by mail only, {name} by name only, {none} no match, {ambiguous} ambiguous"
    )];
    let clean = all
        .iter()
        .all(|c| c.kind == MatchKind::MapsByUpn && !c.ambiguous);
    // The count comes from the prediction the lockout table and the plan
    // read, so the three never disagree (an account that maps by UPN but is
    // disabled still loses access).
    let pred = ctx.prediction();
    if clean && pred.lost() == 0 {
        CheckResult::new(ID, Status::Pass, format!("All {upn} users map by UPN")).evidence(evidence)
    } else {
        CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} of {} users would be disconnected",
                pred.lost(),
                pred.total()
            ),
        )
        .evidence(evidence)
        .fix(
            "For each user who does not map by UPN, create an account whose UPN is their sign-in \
             address (Microsoft Entra admin center > Users > All users > New user) or invite them \
             as a guest (Users > Invite external user); or map them after connecting with \
             `ado-entra resolve` (Organization settings > Microsoft Entra > Resolve).",
        )
    }
}

/// `guest-access-policy`: if anyone would need a guest invitation,
/// `Policy.DisallowAadGuestUserAccess` must be off.
pub fn guest_access_policy(facts: &Facts) -> CheckResult {
    guest_access_policy_with(&Ctx::new(facts))
}

pub(crate) fn guest_access_policy_with(ctx: &Ctx<'_>) -> CheckResult {
    const ID: &str = "guest-access-policy";
    if ctx.facts.operation.destination().is_none() {
        return CheckResult::skip(ID, "No guests are invited when disconnecting");
    }
    let Some(all) = ctx.classified() else {
        return CheckResult::unverified(ID, "whether anyone needs a guest invitation").evidence([
            "The organization's users or the destination tenant's users could not be listed"
                .to_string(),
        ]);
    };
    let guests: Vec<String> = all
        .iter()
        .filter(|c| c.needs_guest())
        .map(|c| {
            format!(
                "{} would come in as a guest",
                c.email.as_deref().unwrap_or(&c.display_name)
            )
        })
        .collect();
    let fix = "Turn off the policy in Organization settings > Policies > External guest access \
               (Policy.DisallowAadGuestUserAccess), or give these people member accounts.";
    match (
        guests.is_empty(),
        ctx.facts.org.policies.disallow_aad_guest_user_access,
    ) {
        (true, _) => CheckResult::new(ID, Status::Pass, "Nobody needs a guest invitation"),
        (false, Some(false)) => CheckResult::new(
            ID,
            Status::Pass,
            format!(
                "{} needed; guest access is allowed",
                crate::domain::text::plural(guests.len(), "guest", "guests")
            ),
        )
        .evidence(guests),
        (false, Some(true)) => CheckResult::new(
            ID,
            Status::Warn,
            format!(
                "{} guest access, but the organization blocks Entra guests",
                crate::domain::text::plural(guests.len(), "user needs", "users need")
            ),
        )
        .evidence(
            std::iter::once("Policy.DisallowAadGuestUserAccess is on".to_string()).chain(guests),
        )
        .fix(fix),
        (false, None) => {
            CheckResult::unverified(ID, "whether guests are allowed in the organization")
                .evidence(guests)
                .fix(fix)
        }
    }
}
