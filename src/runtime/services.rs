//! What the wizard needs from the outside world, as one trait.
//!
//! The runtime turns each [`Effect`](crate::app::Effect) into a call here and
//! each result into a [`Msg`]. The live implementation (`crate::ops::Live`)
//! talks to Azure (or an emulator) through the client layer; tests can supply
//! their own. Progress, device-code prompts and throttling waits are sent on
//! the `out` channel as they happen.

use std::future::Future;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{
    ApplyReport, Candidate, CheckRow, ChecksReport, ErrorView, Identity, Msg, Operation,
    ResolveLoad, ResolveSummary, TenantInfo, VerifyReport,
};
use crate::domain::resolve::Job;

/// Channel for progress messages (prompts, progress, throttling) while a call runs.
pub type Outbox = UnboundedSender<Msg>;

pub trait Services: Send + Sync + 'static {
    /// Device-code sign-in; send `Msg::SignInPrompt` when the code is known.
    fn sign_in(
        &self,
        tenant: Option<String>,
        out: Outbox,
    ) -> impl Future<Output = Result<Identity, ErrorView>> + Send;

    /// Organizations the signed-in identity belongs to.
    fn list_orgs(&self, out: Outbox)
    -> impl Future<Output = Result<Vec<String>, ErrorView>> + Send;

    /// Directories the signed-in identity can connect `org` to.
    fn list_tenants(
        &self,
        org: String,
        out: Outbox,
    ) -> impl Future<Output = Result<Vec<TenantInfo>, ErrorView>> + Send;

    /// Gather facts and run every prerequisite check; send `Msg::ChecksProgress`.
    fn run_checks(
        &self,
        op: Operation,
        org: String,
        tenant: Option<String>,
        out: Outbox,
    ) -> impl Future<Output = Result<ChecksReport, ErrorView>> + Send;

    /// Make the change, journaled, with the failed checks the person
    /// accepted; send `Msg::ApplyProgress`.
    fn apply(
        &self,
        op: Operation,
        org: String,
        tenant: Option<String>,
        accepted: Vec<String>,
        out: Outbox,
    ) -> impl Future<Output = Result<ApplyReport, ErrorView>> + Send;

    /// Drop every token, sign in afresh (against `tenant`), and probe the organization.
    fn sign_out_and_verify(
        &self,
        org: String,
        tenant: Option<String>,
        out: Outbox,
    ) -> impl Future<Output = Result<VerifyReport, ErrorView>> + Send;

    /// Audit findings for `org` as it is now (service connections, PATs, policies).
    fn audit(
        &self,
        org: String,
        out: Outbox,
    ) -> impl Future<Output = Result<Vec<CheckRow>, ErrorView>> + Send;

    /// Write the user checklist; returns where.
    fn export_checklist(
        &self,
        markdown: String,
    ) -> impl Future<Output = Result<String, ErrorView>> + Send;

    /// Disconnected users of `org` with suggestions, and any interrupted run.
    fn load_resolve(
        &self,
        org: String,
        out: Outbox,
    ) -> impl Future<Output = Result<ResolveLoad, ErrorView>> + Send;

    /// Search the organization's directory by name, UPN or mail prefix.
    fn search_directory(
        &self,
        org: String,
        query: String,
        out: Outbox,
    ) -> impl Future<Output = Result<Vec<Candidate>, ErrorView>> + Send;

    /// Apply Resolve jobs, journaled (`None`: resume the interrupted run);
    /// send `Msg::ResolveProgress`.
    fn apply_resolve(
        &self,
        org: String,
        jobs: Option<Vec<Job>>,
        out: Outbox,
    ) -> impl Future<Output = Result<ResolveSummary, ErrorView>> + Send;

    /// Write the Resolve plan CSV; returns where.
    fn export_resolve(
        &self,
        org: String,
        csv: String,
    ) -> impl Future<Output = Result<String, ErrorView>> + Send;
}
