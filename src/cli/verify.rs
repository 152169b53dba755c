//! `ado-entra verify`: a thin adapter over `ops::verify`. Whether the
//! organization answers the current sign-in, and with `--deep` what the
//! change may have broken; one typed report, as text or `--json`.

use std::fmt;

use clap::Args;
use serde::Serialize;

use super::{CliError, GlobalArgs, exit};
use crate::client::Clients;
use crate::domain::verify::Access;
use crate::ops::verify::deep::DeepState;
use crate::ops::verify::{Probe, Verification};

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Uses the current sign-in as it is (it does not switch directories), so it shows what this identity can do.\nWith --deep, also verifies each Azure service connection (as the portal's Verify does), queries the agent pools, tries a Git fetch's first request and lists your PATs, and says for each: working, broken (with the fix) or not checkable.\nExit codes: 0 the organization answers (and, with --deep, nothing probed is broken), 3 it does not answer this sign-in (wrong sign-in, no access, or the owner locked out; the output says which and what to do) or a deep probe is broken, 1 error (including no such organization).\n\nExamples:\n  ado-entra verify --org fabrikam\n  ado-entra verify --org fabrikam --deep --json"
)]
pub struct VerifyArgs {
    /// Organization name or its dev.azure.com URL.
    #[arg(long, value_parser = super::org_arg)]
    pub org: String,
    /// Also exercise what the change may have broken: service connections,
    /// agent pools, Git over HTTPS, PATs.
    #[arg(long)]
    pub deep: bool,
    /// Print JSON on stdout (errors too).
    #[arg(long)]
    pub json: bool,
}

/// `verify`.
pub async fn verify(global: &GlobalArgs, args: VerifyArgs) -> Result<u8, CliError> {
    let json_out = args.json;
    let report = run_verify(global, &args)
        .await
        .map_err(|e| e.json(json_out))?;
    Ok(super::emit(&report, json_out))
}

async fn run_verify(global: &GlobalArgs, args: &VerifyArgs) -> Result<Verified, CliError> {
    let org = args.org.clone(); // parsed by clap (`org_arg`)
    let paths = super::change::paths()?;
    let c: Clients = super::auth_cmds::signed_in(global).await?;
    let Some(who) = crate::ops::verify::signed_in(&c).await else {
        return Err(super::auth_cmds::client_error(
            crate::client::ClientError::Auth(crate::client::auth::AuthError::NotSignedIn),
        ));
    };
    let mut v = crate::ops::verify::verify(&c, &org, who, &paths.journal_dir()).await;
    if args.deep && v.ok() {
        v.deep = crate::ops::verify::deep::probes(&c, &org).await;
    }
    super::auth_cmds::note_if_app(global);
    Ok(Verified {
        next_steps: verify_steps(&org, &v),
        ok: v.ok(),
        state: v.access.name(),
        org,
        verification: v,
        deep: args.deep,
    })
}

/// `verify`'s answer: whether the organization answers this sign-in, each
/// probe, the deep probes, and what to do next.
#[derive(Serialize)]
struct Verified {
    org: String,
    ok: bool,
    state: &'static str,
    verification: Verification,
    next_steps: Vec<String>,
    /// `--deep` was asked (the text says why deep probes were skipped).
    #[serde(skip)]
    deep: bool,
}

impl super::Report for Verified {
    fn exit_code(&self) -> u8 {
        let v = &self.verification;
        let broken = v.deep.iter().any(|p| p.state == DeepState::Broken);
        match v.access {
            Access::Works if broken => exit::CHECK_FAILED,
            Access::Works => exit::OK,
            Access::Missing | Access::Unknown => exit::ERROR,
            _ => exit::CHECK_FAILED,
        }
    }
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (org, v) = (&self.org, &self.verification);
        let who = match &v.signed_in {
            crate::domain::verify::SignedIn::Personal { address } => {
                format!("{address} (personal Microsoft account)")
            }
            crate::domain::verify::SignedIn::Tenant { address, tenant } => {
                format!("{address} (tenant {tenant})")
            }
            crate::domain::verify::SignedIn::Pat => "a personal access token".into(),
        };
        writeln!(f, "Verifying '{org}' as {who}:")?;
        write_probes(f, &v.probes)?;
        writeln!(f, "\n{}", headline(org, v))?;
        if let Some(e) = &v.error
            && v.access != Access::Works
            && (e.code.is_some() || e.request_id.is_some())
        {
            write!(f, "  Azure said: {}", e.code.as_deref().unwrap_or(""))?;
            if let Some(r) = &e.request_id {
                write!(f, " (request id {r})")?;
            }
            writeln!(f)?;
        }
        for (i, s) in self.next_steps.iter().enumerate() {
            writeln!(f, "  {}. {s}", i + 1)?;
        }
        if self.deep {
            write_deep(f, v)?;
        }
        Ok(())
    }
}

/// What the verification found, in one sentence.
fn headline(org: &str, v: &Verification) -> String {
    match &v.access {
        Access::Works => "The organization answers this sign-in.".to_string(),
        Access::WrongSignIn { needs: Some(t) } => format!(
            "You are signed in to a different directory: '{org}' is connected to {}. Sign in there; nothing else is wrong.",
            match &v.backing {
                Some(crate::domain::directory::Backing::Tenant { directory })
                    if &directory.id == t =>
                    directory.label(),
                _ => format!("the directory {t}"),
            }
        ),
        Access::WrongSignIn { needs: None } => format!(
            "'{org}' uses personal Microsoft accounts, and you are signed in with a work account. Sign in with your personal account; nothing else is wrong."
        ),
        Access::OwnerLockedOut => format!(
            "The owner is locked out: the profile answers but '{org}' refuses every request. This is the lockout after a connect; recover as below."
        ),
        Access::NoAccess => format!(
            "'{org}' does not let this identity in{}.",
            v.owner
                .as_deref()
                .map(|o| format!(
                    "; ask the owner ({o}) or a Project Collection Administrator to add you"
                ))
                .unwrap_or_else(|| {
                    "; ask its owner or a Project Collection Administrator to add you".into()
                })
        ),
        Access::Missing => format!("There is no organization named '{org}': check the spelling."),
        Access::Unknown => {
            "Could not tell: the organization answered with an error (see above); try again."
                .to_string()
        }
    }
}

/// Each probe of a verification, one line each.
pub(super) struct Probes<'a>(pub &'a [Probe]);

impl fmt::Display for Probes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_probes(f, self.0)
    }
}

fn write_probes(f: &mut fmt::Formatter<'_>, probes: &[Probe]) -> fmt::Result {
    for p in probes {
        writeln!(
            f,
            "  {} {}: {}",
            if p.ok { "✔" } else { "✘" },
            p.what,
            p.detail
        )?;
    }
    Ok(())
}

/// `verify --deep`'s probes, one line each, with the fix under a broken one.
fn write_deep(f: &mut fmt::Formatter<'_>, v: &Verification) -> fmt::Result {
    if !v.ok() {
        return writeln!(
            f,
            "\nDeep probes skipped: the organization does not answer this sign-in."
        );
    }
    writeln!(f, "\nWhat the change may have broken:")?;
    for p in &v.deep {
        writeln!(f, "  {} {}: {}", p.state.symbol(), p.what, p.detail)?;
        if let Some(id) = &p.known_as {
            writeln!(f, "      known problem: {id} (`ado-entra explain {id}`)")?;
        }
        for (i, fix) in p.fix.iter().enumerate() {
            writeln!(f, "      {}. {fix}", i + 1)?;
        }
    }
    Ok(())
}

/// What to do after a verification, one step per line.
fn verify_steps(org: &str, v: &Verification) -> Vec<String> {
    match &v.access {
        Access::WrongSignIn { .. } => vec![format!(
            "{} then `ado-entra verify --org {org}`",
            v.access
                .sign_in_command()
                .map(|c| format!("`ado-entra logout`, `{c}`,"))
                .unwrap_or_default()
        )],
        Access::OwnerLockedOut => crate::domain::diagnose::KnowledgeBase::builtin()
            .get("lockout-after-connect")
            .map(|e| {
                // The organization is known here: the commands name it.
                e.fix
                    .iter()
                    .map(|s| s.replace("--org ORG", &format!("--org {org}")))
                    .collect()
            })
            .unwrap_or_default(),
        Access::NoAccess => vec![format!(
            "Have an administrator add you in Organization settings > Users, then sign in again and run `ado-entra verify --org {org}`."
        )],
        Access::Missing => vec![format!(
            "Check the name: it is the part after dev.azure.com/ (ado-entra orgs lists yours)."
        )],
        _ => vec![],
    }
}
