//! The logic users trust: validation, prerequisite checks, the lockout proof,
//! matching, plans and the journal. Pure: no IO, no clocks.
pub mod diagnose;
pub mod journal;
