//! The logic users trust: input validation, prerequisite checks with the
//! lockout proof, and the match engine. Pure: no IO, no clocks (the current
//! time is a field of [`facts::Facts`]), no network.
//!
//! - [`validate`]: organization, connector, tenant and email inputs.
//! - [`facts`]: plain, serialisable facts a gatherer fills in.
//! - [`checks`]: prerequisite checks, [`checks::predict`] and the verdict.
//! - [`matching`]: ranked suggestions for disconnected users, indexed.
//! - [`text`]: normalisation and Jaro-Winkler shared by the above.

#![warn(missing_docs)]

pub mod checks;
pub mod facts;
pub mod matching;
pub mod text;
pub mod validate;

pub use checks::{CheckResult, Status, Verdict, run_all, verdict};
pub use facts::Facts;
pub use matching::TenantIndex;
