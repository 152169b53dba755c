//! One state type per screen, with its title, help and key hints.

use super::model::*;
use super::welcome::{self, Welcome};

/// Something loading, loaded, or failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loadable<T> {
    #[default]
    Loading,
    Ready(T),
    Failed(ErrorView),
}

/// Sign-in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInPhase {
    /// Asked for a device code; none yet.
    Starting,
    /// Showing the code; `received_ms` is the clock when it arrived (for the countdown).
    Prompt {
        prompt: DeviceCodePrompt,
        received_ms: u64,
    },
    Failed(ErrorView),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInScreen {
    pub phase: SignInPhase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickOrg {
    pub orgs: Loadable<Vec<String>>,
    pub selected: usize,
    /// Text typed when choosing "type a name"; `Some` while the field is focused.
    pub input: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PickTenant {
    pub tenants: Loadable<Vec<TenantInfo>>,
    pub selected: usize,
    /// A tenant id or domain being typed; `Some` while the field is focused
    /// (the list cannot always be read: a locked-out organization refuses it).
    pub input: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prereqs {
    /// `None` while checks are running.
    pub report: Loadable<ChecksReport>,
    pub progress: Option<(usize, usize, String)>,
    /// Highlighted check (its evidence and fix are shown).
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanScreen {
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Confirm {
    pub typed: String,
    pub mismatch: bool,
    /// Failed checks still to accept, each by typing what it names, before
    /// the organization name is asked for.
    pub risks: Vec<AcceptRisk>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyScreen {
    Running { last: Option<String> },
    Failed(ErrorView),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyScreen {
    /// Signed out; waiting for a fresh sign-in (maybe with a device code shown).
    SigningIn {
        prompt: Option<DeviceCodePrompt>,
        received_ms: u64,
    },
    Failed(ErrorView),
}

/// Verification was refused: what happened and how to recover (seed 000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub error: ErrorView,
    pub probes: Vec<Probe>,
    pub steps: Vec<String>,
    /// What the probes mean.
    pub access: crate::domain::verify::Access,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneScreen {
    pub scroll: u16,
}

/// One variant per screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Welcome(Welcome),
    SignIn(SignInScreen),
    PickOrg(PickOrg),
    PickTenant(PickTenant),
    Prereqs(Prereqs),
    Plan(PlanScreen),
    Confirm(Confirm),
    Apply(ApplyScreen),
    Verify(VerifyScreen),
    Diagnosis(Diagnosis),
    Resolve(Box<super::resolve::ResolveScreen>),
    Done(DoneScreen),
}

impl Screen {
    /// Short name used in the header and the help overlay.
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Welcome(_) => "Welcome",
            Screen::SignIn(_) => "Sign in",
            Screen::PickOrg(_) => "Organization",
            Screen::PickTenant(_) => "Destination tenant",
            Screen::Prereqs(_) => "Prerequisites",
            Screen::Plan(_) => "Plan",
            Screen::Confirm(_) => "Confirm",
            Screen::Apply(_) => "Applying",
            Screen::Verify(_) => "Verify",
            Screen::Diagnosis(_) => "Diagnosis",
            Screen::Resolve(_) => "Resolve users",
            Screen::Done(_) => "Done",
        }
    }

    /// True when printable keys go into a text field (so `q` and `?` are text).
    pub fn takes_text(&self) -> bool {
        match self {
            Screen::Confirm(_) => true,
            Screen::PickOrg(p) => p.input.is_some(),
            Screen::PickTenant(p) => p.input.is_some(),
            Screen::Resolve(r) => r.takes_text(),
            _ => false,
        }
    }

    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            Screen::Welcome(_) => welcome::KEY_HINTS.to_vec(),
            Screen::SignIn(s) => match s.phase {
                SignInPhase::Failed(_) => vec![("Enter", "retry"), ("Esc", "back")],
                _ => vec![
                    ("Enter", "open browser"),
                    ("c", "copy code"),
                    ("Esc", "cancel"),
                ],
            },
            Screen::PickOrg(p) if p.input.is_some() => {
                vec![("Enter", "use this name"), ("Esc", "back to list")]
            }
            Screen::PickOrg(_) => vec![
                ("↑↓", "choose"),
                ("Enter", "select"),
                ("t", "type a name"),
                ("Esc", "back"),
            ],
            Screen::PickTenant(p) if p.input.is_some() => {
                vec![("Enter", "use this directory"), ("Esc", "back to list")]
            }
            Screen::PickTenant(_) => vec![
                ("↑↓", "choose"),
                ("Enter", "select"),
                ("t", "type an id or domain"),
                ("Esc", "back"),
            ],
            Screen::Prereqs(_) => vec![
                ("↑↓", "check"),
                ("Enter", "continue"),
                ("r", "re-run"),
                ("Esc", "back"),
            ],
            Screen::Plan(_) => vec![("↑↓", "scroll"), ("Enter", "continue"), ("Esc", "back")],
            Screen::Confirm(_) => vec![("Enter", "apply"), ("Esc", "back")],
            Screen::Apply(ApplyScreen::Failed(_)) => vec![("Enter", "back to plan")],
            Screen::Apply(_) => vec![],
            Screen::Verify(VerifyScreen::Failed(_)) => vec![("Enter", "retry")],
            Screen::Verify(_) => vec![("Enter", "open browser"), ("c", "copy code")],
            Screen::Diagnosis(d) => match d.access {
                crate::domain::verify::Access::OwnerLockedOut => {
                    vec![("Enter", "verify again"), ("o", "open the recovery page")]
                }
                crate::domain::verify::Access::WrongSignIn { .. } => {
                    vec![("Enter", "sign in where the organization lives")]
                }
                _ => vec![("Enter", "verify again")],
            },
            Screen::Resolve(r) => r.key_hints(),
            Screen::Done(_) => vec![
                ("↑↓", "scroll"),
                ("e", "export checklist"),
                ("Enter", "start over"),
            ],
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            Screen::Welcome(_) => welcome::HELP,
            Screen::SignIn(_) => {
                "Sign in with a device code: open the address shown in any browser (Enter opens it \
                 here), type the code, and pick your account. Nothing in the organization changes."
            }
            Screen::PickOrg(_) => {
                "Choose the Azure DevOps organization to work on, or press t to type its name \
                 (the part after dev.azure.com/)."
            }
            Screen::PickTenant(_) => {
                "Choose the Microsoft Entra directory the organization will use. Only directories \
                 your account belongs to are listed; you must be a Member (not a Guest) of it. \
                 Press t to type a tenant id or one of its domains instead (it is resolved to \
                 its id before anything else)."
            }
            Screen::Prereqs(_) => {
                "Every documented prerequisite, checked against live data. A failed check blocks \
                 the next step; its fix says what to change. The table shows who keeps access \
                 and who would not."
            }
            Screen::Plan(_) => {
                "Exactly what will change, who will be disconnected, and what users must do \
                 afterwards. Nothing has changed yet."
            }
            Screen::Confirm(_) => {
                "Type the organization name to confirm. This is the only question asked before \
                 the change is made. When a check failed that you may accept (another \
                 administrator losing access, or an owner whose work address is also a personal \
                 account), you first type the names it lists: the acceptance is recorded in the \
                 journal."
            }
            Screen::Apply(_) => {
                "The change is being made and journaled. If ado-entra is interrupted, run it \
                 again: it resumes from the journal without repeating what already landed."
            }
            Screen::Verify(_) => {
                "All tokens were dropped. Sign in afresh as a user of the new directory so \
                 ado-entra can prove the organization is reachable."
            }
            Screen::Diagnosis(_) => {
                "The organization did not answer the fresh sign-in. The steps depend on why: a \
                 sign-in in the wrong directory only needs a new sign-in; an owner locked out \
                 after a connect follows the recovery steps in order; anyone else asks an \
                 administrator to add them."
            }
            Screen::Resolve(_) => {
                "Users the directory change disconnected, each with the account they most likely \
                 are. Accept a suggestion (a), reject it (r), accept every exact match (A), invite \
                 the person as a guest (i), or skip (s); Enter shows every candidate and searches \
                 the directory. Nothing changes until you apply (p), which asks once, journals \
                 every call, and can be resumed after an interruption. x exports the plan as CSV \
                 for a spreadsheet or a support request."
            }
            Screen::Done(_) => {
                "A summary of what changed, and the checklist to send your users. Press e to \
                 export it as Markdown, a to audit service connections, PATs and policies \
                 as the organization is now."
            }
        }
    }
}
