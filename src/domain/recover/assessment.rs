//! What the assessment answers: the [`Assessment`] (the state and the
//! ways back), each [`Way`] as the person sees it, its [`WayId`] and
//! [`WayStatus`].

use serde::{Deserialize, Serialize};

use crate::domain::verify::Access;

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

pub(super) fn way(id: WayId, status: WayStatus, why: impl Into<String>) -> Way {
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
