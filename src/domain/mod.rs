//! The logic users trust: input validation, prerequisite checks with the
//! lockout proof, the match engine, the journal and the troubleshooting
//! knowledge base. Pure except for the journal's file store: no network, no
//! clocks (the current time is a field of [`facts::Facts`] or a parameter).
//!
//! - [`validate`]: organization, connector, tenant and email inputs.
//! - [`facts`]: plain, serialisable facts a gatherer fills in.
//! - [`checks`]: prerequisite checks, [`checks::predict`] and the verdict.
//! - [`matching`]: ranked suggestions for disconnected users, indexed.
//! - [`text`]: normalisation shared by the above.
//! - [`journal`]: intent/outcome records and their replay (resume after a crash).
//! - [`diagnose`]: error text or code -> cause -> fix.
//! - [`recover`]: a locked-out owner's state and ways back.

#![warn(missing_docs)]

pub mod advice;
pub mod checks;
pub mod diagnose;
pub mod directory;
pub mod facts;
pub mod identity;
pub mod journal;
pub mod matching;
pub mod recover;
pub mod resolve;
pub mod text;
pub mod validate;
pub mod verify;

pub use checks::{CheckResult, Status, Verdict, run_all, verdict};
pub use facts::Facts;
pub use matching::TenantIndex;
