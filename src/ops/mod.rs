//! Operations shared by the wizard and the headless commands: gather facts,
//! run checks, connect / disconnect / change tenant (journaled), verify.
//!
//! INTERIM: the client layer is being merged; until then every call reports
//! that it is unavailable instead of pretending to work.

pub mod gather;
pub mod output;
pub mod report;

use crate::app::{
    ApplyReport, ChecksReport, ErrorView, Identity, Operation, TenantInfo, VerifyReport,
};
use crate::runtime::{Outbox, Services};

/// Services backed by the client layer (Azure or an emulator).
pub struct Live {
    pub emulator_url: Option<String>,
}

fn unavailable<T>() -> Result<T, ErrorView> {
    Err(ErrorView::msg(
        "This build cannot reach Azure yet: the client layer is not wired in.",
    ))
}

impl Services for Live {
    async fn sign_in(&self, _tenant: Option<String>, _out: Outbox) -> Result<Identity, ErrorView> {
        unavailable()
    }
    async fn list_orgs(&self, _out: Outbox) -> Result<Vec<String>, ErrorView> {
        unavailable()
    }
    async fn list_tenants(&self, _org: String, _out: Outbox) -> Result<Vec<TenantInfo>, ErrorView> {
        unavailable()
    }
    async fn run_checks(
        &self,
        _op: Operation,
        _org: String,
        _tenant: Option<String>,
        _out: Outbox,
    ) -> Result<ChecksReport, ErrorView> {
        unavailable()
    }
    async fn apply(
        &self,
        _op: Operation,
        _org: String,
        _tenant: Option<String>,
        _out: Outbox,
    ) -> Result<ApplyReport, ErrorView> {
        unavailable()
    }
    async fn sign_out_and_verify(
        &self,
        _org: String,
        _tenant: Option<String>,
        _out: Outbox,
    ) -> Result<VerifyReport, ErrorView> {
        unavailable()
    }
    async fn export_checklist(&self, _markdown: String) -> Result<String, ErrorView> {
        unavailable()
    }
}
