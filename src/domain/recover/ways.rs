//! One function per way back, each giving that way's status, why, steps,
//! command and message from the facts: [`sign_in`] (1), [`invite`] (2),
//! [`back_door`] (3), [`claim`] (4) and [`support`] (5, with the package it
//! writes).

mod back_door;
mod claim;
mod invite;
mod sign_in;
mod support;

pub(super) use back_door::back_door_way;
pub(super) use claim::claim_way;
pub(super) use invite::invite_way;
pub(super) use sign_in::sign_in_way;
pub use support::support_package;
pub(super) use support::support_way;
