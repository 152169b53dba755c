//! What the wizard shows comes from the application layer's vocabulary
//! (`ops::model`) and the domain's check results; this module gathers them
//! for the screens.

pub use crate::domain::checks::{CheckResult, Status};
pub use crate::ops::change::Applied;
pub use crate::ops::model::{
    AcceptRisk, AccessOutcome, AccessRow, Candidate, ChecksReport, DeviceCodePrompt, FleetOrg,
    Identity, Operation, OrgBacking, PlanView, Problem, Readiness, ResolveLoad, SituationKind,
    SituationView, Standing, TenantInfo, Verdict, VerifyReport,
};
pub use crate::ops::resolve::{Outcome as ResolveOutcome, Progress as ResolveProgress};
pub use crate::ops::verify::Probe;
pub use crate::ops::verify::deep::{DeepProbe, DeepState};
