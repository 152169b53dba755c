//! A local stand-in for Azure DevOps, Entra ID sign-in and Microsoft Graph.
//!
//! PUBLIC API CONTRACT (used by `cli` and `runtime`; keep these names):
//! - [`EmulatorArgs`]: clap arguments of `ado-entra emulator`.
//! - [`EmulatorConfig`] + [`Emulator::start`]: start in-process on 127.0.0.1.
//! - [`Emulator::base_url`], [`Emulator::summary`], [`Emulator::shutdown`].
//! - [`run_cli`]: the `ado-entra emulator` command (prints the summary line, serves until Ctrl-C).

use serde::Serialize;

/// Arguments of `ado-entra emulator`.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Scenario name (ready, lockout, guest-admin, over-100, messy) or a path to a scenario file.
    #[arg(long, default_value = "ready")]
    pub scenario: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

/// How to start an emulator.
#[derive(Debug, Clone, Default)]
pub struct EmulatorConfig {
    pub scenario: String,
    pub port: u16,
    pub auto_approve: Option<String>,
}

/// What the first stdout line of `ado-entra emulator` says.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSummary {
    pub base_url: String,
    pub org: String,
    pub owner: String,
    pub tenants: Vec<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("emulator is not implemented yet")]
    NotImplemented,
}

pub struct Emulator {
    summary: ScenarioSummary,
}

impl Emulator {
    pub async fn start(_cfg: EmulatorConfig) -> Result<Self, EmulatorError> {
        Err(EmulatorError::NotImplemented)
    }
    pub fn base_url(&self) -> &str {
        &self.summary.base_url
    }
    pub fn summary(&self) -> &ScenarioSummary {
        &self.summary
    }
    pub async fn shutdown(self) {}
}

pub async fn run_cli(_args: EmulatorArgs) -> Result<(), EmulatorError> {
    Err(EmulatorError::NotImplemented)
}
