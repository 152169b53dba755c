//! Carrying out the ways back, each as far as the API allows, then a fresh
//! sign-in that proves who is back in. Changes to Azure (an invitation, a
//! disconnect) are journaled (operation `recover`) under the organization's
//! lock; waiting (for an invitation to be accepted, a page to be used, Azure
//! DevOps to see an Entra change) polls with a countdown reported as
//! [`Progress::Waiting`].

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

pub use crate::ops::model::RecoveryProgress as Progress;
use serde_json::json;

use super::{Report, clients_in_tenant, diagnose, record};
use crate::client::models::ado::OrgTenant;
use crate::client::{ClientError, Clients};
use crate::domain::journal::{JournalWriter, Record as JournalRecord};
use crate::domain::recover::{
    self as domain, Identity, Invitation, Kind, PROPAGATION_NOTE, Tried, WayId, WayStatus,
};
use crate::domain::verify::Access;
use crate::ops::model::{Event, Events, Problem, VerifyReport};
use crate::ops::session::Session;
use crate::ops::{advice, change, verify};

/// What to carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// One of the ways back.
    Way {
        /// Which.
        way: WayId,
    },
    /// Sign in afresh (as the owner) and verify, checking again until the
    /// organization answers or the wait is over.
    VerifyOwner {
        /// Where to sign in (`None`: the organization's directory).
        tenant: Option<String>,
    },
    /// Sign in with another of the person's accounts and diagnose again
    /// (the earlier sign-ins stay remembered).
    SignIn {
        /// Where (`None`: any work or personal account).
        tenant: Option<String>,
    },
}

impl Action {
    /// "back-door", "verify-owner".
    pub fn name(&self) -> &'static str {
        match self {
            Action::Way { way } => way.name(),
            Action::VerifyOwner { .. } => "verify-owner",
            Action::SignIn { .. } => "sign-in-another",
        }
    }
}

/// How long to keep checking, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WayOptions {
    /// Stop checking after this long (zero: check once).
    pub wait: Duration,
    /// Between checks (at least a second).
    pub every: Duration,
}

impl Default for WayOptions {
    fn default() -> Self {
        Self {
            wait: Duration::ZERO,
            every: Duration::from_secs(30),
        }
    }
}

/// What carrying out an action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// What was carried out.
    pub action: Action,
    /// It worked (for a way: the person is back in, or the step is done).
    pub ok: bool,
    /// Where the way stands now.
    pub status: WayStatus,
    /// One line for people.
    pub summary: String,
    /// What to do next, in order.
    pub next: Vec<String>,
    /// A file written (the support package, the message to send).
    pub file: Option<String>,
    /// A message for someone else to act on.
    pub message: Option<String>,
    /// The fresh sign-in's verification, when one was made.
    pub verified: Option<VerifyReport>,
    /// The diagnosis afterwards.
    pub report: Report,
}

fn say(events: &Events, text: impl Into<String>) {
    events(Event::Recovering(Progress::Step { text: text.into() }));
}

/// Check with `check` until it gives a value or `opts.wait` is over,
/// counting down to each next check.
async fn poll<T, F, Fut>(
    what: &str,
    opts: &WayOptions,
    events: &Events,
    mut check: F,
) -> Result<Option<T>, Problem>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, Problem>>,
{
    let start = std::time::Instant::now();
    let every = opts.every.max(Duration::from_secs(1));
    loop {
        if let Some(t) = check().await? {
            return Ok(Some(t));
        }
        let waited = start.elapsed();
        if waited >= opts.wait {
            return Ok(None);
        }
        let next = every.min(opts.wait - waited);
        let deadline = std::time::Instant::now() + next;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            events(Event::Recovering(Progress::Waiting {
                what: what.to_string(),
                next_check_secs: left.as_secs_f64().ceil() as u64,
                waited_secs: start.elapsed().as_secs(),
                limit_secs: opts.wait.as_secs(),
            }));
            tokio::time::sleep(left.min(Duration::from_secs(1))).await;
        }
    }
}

/// Remember that `way` was tried.
fn note(s: &Session, org: &str, way: WayId, ok: bool, outcome: &str) {
    let mut r = record::load(s.state_paths(), org);
    r.tried.push(Tried {
        way,
        at: Utc::now(),
        ok,
        outcome: outcome.to_string(),
    });
    if let Err(e) = record::save(s.state_paths(), &r) {
        tracing::warn!(error = %e, "recovery record not saved");
    }
}

/// The organization's directory, or why there is nothing to recover from.
fn tenant_of(r: &Report) -> Result<String, Box<Problem>> {
    r.facts
        .tenant
        .as_ref()
        .map(|t| t.id.clone())
        .ok_or_else(|| {
            Box::new(Problem::msg(format!(
                "'{}' is not connected to a directory: there is nothing to recover from. Run `ado-entra verify --org {}`.",
                r.org, r.org
            )))
        })
}

fn journal(
    s: &Session,
    org: &str,
    plan: serde_json::Value,
) -> Result<JournalWriter, crate::domain::journal::JournalError> {
    JournalWriter::create(
        &s.state_paths().journal_dir(),
        "recover",
        org,
        plan,
        Utc::now(),
    )
}

fn jerr(e: crate::domain::journal::JournalError) -> Problem {
    Problem::msg(format!("journal: {e}"))
}

/// Carry out `action` on `org`.
pub async fn run(
    s: &Session,
    org: &str,
    action: Action,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    match &action {
        Action::Way { way } => match way {
            WayId::SignIn => sign_in(s, org, events).await,
            WayId::InviteOwner => invite(s, org, opts, events).await,
            WayId::BackDoor => back_door(s, org, opts, events).await,
            WayId::ClaimOwnership => claim(s, org, opts, events).await,
            WayId::Support => support(s, org, events).await,
        },
        Action::VerifyOwner { tenant } => verify_owner(s, org, tenant.clone(), opts, events).await,
        Action::SignIn { tenant } => {
            let identity = s.sign_in(tenant.as_deref(), events).await?;
            let report = after(s, org, events).await?;
            Ok(Outcome {
                action: action.clone(),
                ok: true,
                status: WayStatus::Available,
                summary: format!(
                    "Signed in as {}; the diagnosis now uses it with your earlier sign-ins.",
                    identity.upn
                ),
                next: Vec::new(),
                file: None,
                message: None,
                verified: None,
                report,
            })
        }
    }
}

async fn current(s: &Session, org: &str, events: &Events) -> Result<(Clients, Report), Problem> {
    let c = s.clients(events).await?;
    let r = diagnose(&c, org, s.state_paths()).await?;
    Ok((c, r))
}

/// What a way that changes or watches the directory starts from.
struct Start {
    c: Clients,
    before: Report,
    /// The organization's directory: its id and its name for people.
    tenant: String,
    tname: String,
    /// The sign-in in use.
    me: Identity,
}

async fn begin(s: &Session, org: &str, events: &Events) -> Result<Start, Problem> {
    let (c, before) = current(s, org, events).await?;
    let tenant = tenant_of(&before).map_err(|p| *p)?;
    let tname = before.facts.tenant_name();
    let me = before
        .current()
        .cloned()
        .ok_or_else(|| Problem::msg("Not signed in."))?;
    Ok(Start {
        c,
        before,
        tenant,
        tname,
        me,
    })
}

async fn after(s: &Session, org: &str, events: &Events) -> Result<Report, Problem> {
    current(s, org, events).await.map(|(_, r)| r)
}

/// Way 1: sign in again where the organization lets the person in, and verify.
async fn sign_in(s: &Session, org: &str, events: &Events) -> Result<Outcome, Problem> {
    let (_, before) = current(s, org, events).await?;
    let Access::WrongSignIn { needs } = &before.assessment.state else {
        return Err(Problem::msg(format!(
            "Signing in again is not the way back here: {}",
            before.assessment.headline
        )));
    };
    let tenant = needs
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "consumers".into());
    say(
        events,
        format!("Signing in afresh in {tenant}, then verifying."),
    );
    let report = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    let ok = report.ok();
    let summary = if ok {
        format!("Verified: '{org}' answers {}.", report.identity.upn)
    } else {
        format!(
            "'{org}' still refuses {} ({}).",
            report.identity.upn,
            report.access.name()
        )
    };
    note(s, org, WayId::SignIn, ok, &summary);
    let report_after = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way { way: WayId::SignIn },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Failed
        },
        next: if ok {
            domain::handover_after(&report_after.facts, WayId::SignIn)
        } else {
            vec![format!(
                "Run `ado-entra recover --org {org}` again to see the other ways."
            )]
        },
        summary,
        file: None,
        message: None,
        verified: Some(report),
        report: report_after,
    })
}

/// Way 2: invite the owner's address as a guest (once), and wait for the
/// invitation to be accepted.
async fn invite(
    s: &Session,
    org: &str,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let Start {
        c,
        before,
        tenant,
        tname,
        me,
    } = begin(s, org, events).await?;
    let owner = before.facts.owner_address().map(str::to_string).ok_or_else(|| {
        Problem::msg(format!(
            "The owner of '{org}' could not be read: sign in with an identity of {tname} (`ado-entra login --tenant {tenant}`) and run `ado-entra recover --org {org}` first."
        ))
    })?;
    if !me.member() {
        return Err(Problem {
            next_step: Some(format!(
                "Sign in with a Member of {tname} (`ado-entra login --tenant {tenant}`), or ask an administrator of {tname} to invite {owner} (Users > New user > Invite external user)."
            )),
            ..Problem::msg(format!(
                "{} is not a Member of {tname}, so it may not invite guests there.",
                me.address
            ))
        });
    }
    let ct = if me.home_tenant.as_deref() == Some(tenant.as_str()) {
        c.clone()
    } else {
        clients_in_tenant(&c, &tenant)
            .await
            .map_err(|e| advice::client(&e))?
    };
    let lock = change::lock(
        &s.state_paths().lock_dir(),
        org,
        &format!("ado-entra recover (invite-owner '{org}')"),
    )
    .map_err(|e| advice::change(&e))?;
    // Exactly once: an account already there is never invited again.
    let existing = ct
        .graph
        .find_users_by_email(&owner)
        .await
        .map_err(|e| advice::client(&e))?;
    let user_id = match existing.into_iter().next() {
        Some(u)
            if !u
                .user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("guest")) =>
        {
            drop(lock);
            return Err(Problem::msg(format!(
                "{owner} is already a Member of {tname} ({}): there is nothing to invite.",
                u.user_principal_name.unwrap_or_default()
            )));
        }
        Some(u) => {
            say(
                events,
                format!("{owner} is already invited to {tname}; not sending it again."),
            );
            u.id
        }
        None => {
            let step = format!("invite:{}", owner.to_ascii_lowercase());
            let mut j = journal(
                s,
                org,
                json!({"way": WayId::InviteOwner.name(), "address": owner, "tenant": tenant, "by": me.address}),
            )
            .map_err(jerr)?;
            j.intent(&step, json!({"address": owner}), Utc::now())
                .map_err(jerr)?;
            say(events, format!("Inviting {owner} as a guest of {tname}…"));
            let sent = ct
                .graph
                .invite(&owner, None, &before.facts.urls.org, true)
                .await;
            j.outcome(
                &step,
                sent.as_ref().map(|_| ()).map_err(|e| e.to_string()),
                Utc::now(),
            )
            .map_err(jerr)?;
            let summary = match &sent {
                Ok(_) => format!("invited {owner} to {tname}"),
                Err(e) => format!("the invitation of {owner} failed: {e}"),
            };
            j.append(&JournalRecord::End {
                at: Utc::now(),
                summary,
            })
            .map_err(jerr)?;
            let inv = sent.map_err(|e| advice::client(&e))?;
            inv.invited_user.map(|u| u.id).unwrap_or_default()
        }
    };
    drop(lock);
    let mut rec = record::load(s.state_paths(), org);
    rec.invitation = Some(Invitation {
        address: owner.clone(),
        user_id: user_id.clone(),
        tenant: tenant.clone(),
        by: me.address.clone(),
        at: Utc::now(),
        accepted: Some(false),
    });
    record::save(s.state_paths(), &rec).map_err(Problem::msg)?;
    note(
        s,
        org,
        WayId::InviteOwner,
        true,
        &format!("invited {owner} as a guest of {tname} with {}", me.address),
    );
    say(
        events,
        format!("{owner} accepts it by signing in to {tname} (or from the invitation mail)."),
    );
    let accepted = poll(
        &format!("{owner} to accept the invitation"),
        opts,
        events,
        || {
            let (g, id) = (ct.graph.clone(), user_id.clone());
            async move {
                g.guest_state(&id)
                    .await
                    .map(|st| st.accepted().then_some(()))
                    .map_err(|e| advice::client(&e))
            }
        },
    )
    .await?
    .is_some();
    let mut rec = record::load(s.state_paths(), org);
    if let Some(i) = rec.invitation.as_mut() {
        i.accepted = Some(accepted);
    }
    record::save(s.state_paths(), &rec).map_err(Problem::msg)?;
    let report = after(s, org, events).await?;
    let verify_cmd = format!("ado-entra recover --org {org} --verify-owner --wait 3600");
    Ok(Outcome {
        action: Action::Way {
            way: WayId::InviteOwner,
        },
        ok: true,
        status: WayStatus::Waiting,
        summary: if accepted {
            format!(
                "{owner} accepted the invitation. Now sign in as {owner} and verify; {PROPAGATION_NOTE}."
            )
        } else {
            format!("The invitation to {owner} is sent; it is not accepted yet.")
        },
        next: vec![
            format!(
                "Sign in as {owner} and verify (signing in accepts the invitation): {verify_cmd}"
            ),
            format!("{PROPAGATION_NOTE}: --wait keeps checking."),
        ],
        file: None,
        message: None,
        verified: None,
        report,
    })
}

/// Whether the anonymous probe shows `org` disconnected.
async fn disconnected(c: &Clients, org: &str) -> Result<bool, ClientError> {
    Ok(matches!(
        c.ado.probe_tenant(org).await?.tenant,
        OrgTenant::Msa
    ))
}

/// Way 3: the original owner's personal account disconnects the directory,
/// through the API when it accepts that sign-in, else on the page while
/// the organization is watched.
async fn back_door(
    s: &Session,
    org: &str,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let Start {
        c,
        before,
        tenant,
        tname,
        me,
    } = begin(s, org, events).await?;
    if me.kind != Kind::Personal {
        return Err(Problem {
            next_step: Some(
                "Sign in with the owner's personal Microsoft account: `ado-entra login --tenant consumers`, then run this again.".into(),
            ),
            ..Problem::msg(format!(
                "The back door takes the personal Microsoft account the organization was created with; {} is a work account.",
                me.address
            ))
        });
    }
    let lock = change::lock(
        &s.state_paths().lock_dir(),
        org,
        &format!("ado-entra recover (back-door '{org}')"),
    )
    .map_err(|e| advice::change(&e))?;
    let mut j = journal(
        s,
        org,
        json!({"way": WayId::BackDoor.name(), "as": me.address, "from": tenant}),
    )
    .map_err(jerr)?;
    j.intent(
        "disconnect",
        json!({"tenant": "00000000-0000-0000-0000-000000000000"}),
        Utc::now(),
    )
    .map_err(jerr)?;
    say(
        events,
        format!(
            "Asking Azure DevOps to disconnect '{org}' as {}…",
            me.address
        ),
    );
    let sent = c.ado.disconnect_tenant(org).await;
    j.outcome(
        "disconnect",
        sent.as_ref().map(|_| ()).map_err(|e| e.to_string()),
        Utc::now(),
    )
    .map_err(jerr)?;
    let by_api = sent.is_ok()
        && disconnected(&c, org)
            .await
            .map_err(|e| advice::client(&e))?;
    let landed = if by_api {
        true
    } else {
        if let Err(e) = &sent {
            say(
                events,
                format!(
                    "The API refused {} ({}). Do it on the page instead:",
                    me.address,
                    e.code().unwrap_or("refused")
                ),
            );
        }
        if let Some(w) = before.way(WayId::BackDoor) {
            for (i, step) in w.steps.iter().enumerate() {
                say(events, format!("  {}. {step}", i + 1));
            }
        }
        poll(
            &format!("'{org}' to be disconnected from {tname}"),
            opts,
            events,
            || async {
                disconnected(&c, org)
                    .await
                    .map(|d| d.then_some(()))
                    .map_err(|e| advice::client(&e))
            },
        )
        .await?
        .is_some()
    };
    j.append(&JournalRecord::Verified {
        step: "disconnect".into(),
        at: Utc::now(),
        landed,
    })
    .map_err(jerr)?;
    let summary = match (landed, by_api) {
        (true, true) => format!(
            "'{org}' is disconnected from {tname} (the API accepted {}).",
            me.address
        ),
        (true, false) => format!("'{org}' is disconnected from {tname} (on the page)."),
        (false, _) => format!(
            "'{org}' is still connected to {tname}: the API refused {}{} and the page did not disconnect it{}.",
            me.address,
            sent.as_ref()
                .err()
                .and_then(|e| e.code())
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            if opts.wait.is_zero() {
                String::new()
            } else {
                format!(" within {} min", opts.wait.as_secs().div_ceil(60))
            }
        ),
    };
    j.append(&JournalRecord::End {
        at: Utc::now(),
        summary: summary.clone(),
    })
    .map_err(jerr)?;
    drop(lock);
    note(s, org, WayId::BackDoor, landed, &summary);
    if !landed {
        let report = after(s, org, events).await?;
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::BackDoor,
            },
            ok: false,
            status: WayStatus::Failed,
            summary,
            next: vec![
                format!(
                    "If the page did not offer it, go on: `ado-entra recover --org {org}` shows ways 4 and 5."
                ),
                format!(
                    "Or try again and keep watching longer: ado-entra recover --org {org} --way back-door --wait 900"
                ),
            ],
            file: None,
            message: None,
            verified: None,
            report,
        });
    }
    say(
        events,
        format!(
            "{summary} Now sign in afresh with {} to verify.",
            me.address
        ),
    );
    let verified = s
        .sign_out_and_verify(org, Some("consumers"), events)
        .await?;
    let report = after(s, org, events).await?;
    let ok = verified.ok();
    Ok(Outcome {
        action: Action::Way {
            way: WayId::BackDoor,
        },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Waiting
        },
        next: domain::handover_after(&before.facts, WayId::BackDoor),
        summary: if ok {
            format!(
                "{summary} Verified: '{org}' answers {}.",
                verified.identity.upn
            )
        } else {
            format!(
                "{summary} The fresh sign-in as {} is still refused ({}); run `ado-entra recover --org {org} --verify-owner --tenant consumers` again in a moment.",
                verified.identity.upn,
                verified.access.name()
            )
        },
        file: None,
        message: None,
        verified: Some(verified),
        report,
    })
}

/// Way 4: an Azure DevOps Administrator of the directory claims ownership
/// (walked through, then verified); anyone else gets the message to send.
async fn claim(
    s: &Session,
    org: &str,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let Start {
        c,
        before,
        tenant,
        tname,
        me,
    } = begin(s, org, events).await?;
    let way = before
        .way(WayId::ClaimOwnership)
        .cloned()
        .ok_or_else(|| Problem::msg("No claim-ownership way."))?;
    if !me.azure_devops_administrator {
        let file = match &way.message {
            Some(m) => Some(
                s.write_private_file(&format!("claim-message-{org}.txt"), m.clone())
                    .await?,
            ),
            None => None,
        };
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::ClaimOwnership,
            },
            ok: false,
            status: way.status,
            summary: way.why.clone(),
            next: way.steps.clone(),
            file,
            message: way.message.clone(),
            verified: None,
            report: before,
        });
    }
    let ct = if me.home_tenant.as_deref() == Some(tenant.as_str()) {
        c.clone()
    } else {
        clients_in_tenant(&c, &tenant)
            .await
            .map_err(|e| advice::client(&e))?
    };
    let who = verify::signed_in(&ct)
        .await
        .ok_or_else(|| Problem::msg("Not signed in."))?;
    let upn = who.address().unwrap_or_default().to_string();
    say(
        events,
        format!("{upn} holds the Azure DevOps Administrator role of {tname}. Claim ownership:"),
    );
    for (i, step) in way.steps.iter().enumerate() {
        say(events, format!("  {}. {step}", i + 1));
    }
    let jdir = s.state_paths().journal_dir();
    let claimed = poll(
        &format!("'{org}' to let {upn} in as its owner"),
        opts,
        events,
        || {
            let (ct, who, jdir, upn) = (ct.clone(), who.clone(), jdir.clone(), upn.clone());
            async move {
                let v = verify::verify(&ct, org, who, &jdir).await;
                if !v.ok() {
                    return Ok(None);
                }
                let owner = ct.ado.owner(org).await.ok().and_then(|o| o.email);
                Ok(owner
                    .is_some_and(|o| o.eq_ignore_ascii_case(&upn))
                    .then_some(()))
            }
        },
    )
    .await?
    .is_some();
    let summary = if claimed {
        format!("{upn} is now the owner of '{org}'.")
    } else {
        format!(
            "'{org}' does not let {upn} in as its owner yet{}; claim it on the page, then run this again.",
            if opts.wait.is_zero() {
                String::new()
            } else {
                format!(" after {} min", opts.wait.as_secs().div_ceil(60))
            }
        )
    };
    note(s, org, WayId::ClaimOwnership, claimed, &summary);
    if !claimed {
        let report = after(s, org, events).await?;
        return Ok(Outcome {
            action: Action::Way {
                way: WayId::ClaimOwnership,
            },
            ok: false,
            status: WayStatus::Waiting,
            summary,
            next: way.steps.clone(),
            file: None,
            message: way.message.clone(),
            verified: None,
            report,
        });
    }
    say(
        events,
        format!("{summary} Now sign in afresh as {upn} to verify."),
    );
    let verified = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    let ok = verified.ok()
        && verified
            .owner
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(&verified.identity.upn));
    let report = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way {
            way: WayId::ClaimOwnership,
        },
        ok,
        status: if ok {
            WayStatus::Done
        } else {
            WayStatus::Waiting
        },
        next: domain::handover_after(&before.facts, WayId::ClaimOwnership),
        summary: if ok {
            format!("{summary} Verified with a fresh sign-in.")
        } else {
            format!(
                "{summary} The fresh sign-in as {} does not show it yet ({}).",
                verified.identity.upn,
                verified.access.name()
            )
        },
        file: None,
        message: None,
        verified: Some(verified),
        report,
    })
}

/// Way 5: the support package, written to a file.
async fn support(s: &Session, org: &str, events: &Events) -> Result<Outcome, Problem> {
    let (_, before) = current(s, org, events).await?;
    let now = Utc::now();
    let text = domain::support_package(&before.facts, &before.assessment, &before.probes, now);
    let path = s
        .write_private_file(
            &format!("support-{org}-{}.txt", now.format("%Y%m%d-%H%M%S")),
            text.clone(),
        )
        .await?;
    let summary = format!("Support package written to {path}.");
    note(s, org, WayId::Support, true, &summary);
    let report = after(s, org, events).await?;
    Ok(Outcome {
        action: Action::Way {
            way: WayId::Support,
        },
        ok: true,
        status: WayStatus::Done,
        summary,
        next: vec![format!(
            "Open a request at {} and attach {path}.",
            domain::SUPPORT_URL
        )],
        file: Some(path),
        message: Some(text),
        verified: None,
        report,
    })
}

/// Sign in afresh (as the owner) and verify; keep checking while the
/// organization refuses, up to `opts.wait` (an Entra change can take up to
/// an hour to reach Azure DevOps).
async fn verify_owner(
    s: &Session,
    org: &str,
    tenant: Option<String>,
    opts: &WayOptions,
    events: &Events,
) -> Result<Outcome, Problem> {
    let c = s.clients(events).await?;
    let backing = change::backing(&c, org)
        .await
        .map_err(|e| advice::change(&e))?;
    let tenant = tenant.unwrap_or_else(|| {
        backing
            .tenant_id()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "consumers".into())
    });
    say(
        events,
        format!(
            "Sign in afresh as the owner (at {tenant}); signing in also accepts a pending invitation."
        ),
    );
    let mut verified = s.sign_out_and_verify(org, Some(&tenant), events).await?;
    if !verified.ok() && !opts.wait.is_zero() {
        let c = s.clients(events).await?;
        let who = verify::signed_in(&c)
            .await
            .ok_or_else(|| Problem::msg("Not signed in."))?;
        let jdir = s.state_paths().journal_dir();
        let identity = verified.identity.clone();
        let shown = crate::domain::text::guest_home_address(&identity.upn)
            .unwrap_or_else(|| identity.upn.clone());
        say(
            events,
            format!("{PROPAGATION_NOTE}; checking again until it does."),
        );
        if let Some(v) = poll(&format!("'{org}' to let {shown} in"), opts, events, || {
            let (c, who, jdir) = (c.clone(), who.clone(), jdir.clone());
            async move {
                let v = verify::verify(&c, org, who, &jdir).await;
                Ok(v.ok().then_some(v))
            }
        })
        .await?
        {
            verified = crate::ops::session::verify_report(identity, v);
        }
    }
    let report = after(s, org, events).await?;
    let ok = verified.ok();
    let is_owner = report.current().and_then(|i| i.is_owner) == Some(true);
    let who = crate::domain::text::guest_home_address(&verified.identity.upn)
        .map(|home| format!("{home} (as {})", verified.identity.upn))
        .unwrap_or_else(|| verified.identity.upn.clone());
    let summary = match (ok, is_owner) {
        (true, true) => format!("Verified with a fresh sign-in: '{org}' answers {who}, its owner."),
        (true, false) => format!(
            "'{org}' answers {who}, who is not its owner ({}).",
            report.facts.owner_address().unwrap_or("unknown")
        ),
        (false, _) => format!(
            "'{org}' still refuses {who} ({}). {PROPAGATION_NOTE}: run this again with --wait 3600 to keep checking.",
            verified.access.name()
        ),
    };
    let waiting = report
        .way(WayId::InviteOwner)
        .is_some_and(|w| w.status == WayStatus::Waiting);
    Ok(Outcome {
        action: Action::VerifyOwner {
            tenant: Some(tenant),
        },
        ok,
        status: match (ok, waiting) {
            (true, _) => WayStatus::Done,
            (false, true) => WayStatus::Waiting,
            (false, false) => WayStatus::Failed,
        },
        next: if ok {
            domain::handover_after(&report.facts, WayId::InviteOwner)
        } else {
            vec![format!("ado-entra recover --org {org}")]
        },
        summary,
        file: None,
        message: None,
        verified: Some(verified),
        report,
    })
}
