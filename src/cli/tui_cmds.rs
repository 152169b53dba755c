//! `ado-entra [wizard]` and `ado-entra demo`: the commands that open the TUI.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Args;

use super::{CliError, GlobalArgs, exit};
use crate::app::{Environment, Target, TenantInfo};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::ops::Live;
use crate::paths::StatePaths;
use crate::runtime::{self, TuiOptions};

#[derive(Debug, Clone, Args, Default)]
pub struct WizardArgs {
    /// Capture the mouse (off by default so you can select text in the terminal).
    #[arg(long)]
    pub mouse: bool,
    /// Never open a browser; show the sign-in address to open by hand.
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Emulator scenario to run against (ready, lockout, guest-admin, over-100, messy, disconnected) or a file.
    #[arg(long, default_value = "messy")]
    pub scenario: String,
    /// Capture the mouse.
    #[arg(long)]
    pub mouse: bool,
}

fn require_tty() -> Result<(), CliError> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CliError::error(
            "the wizard needs an interactive terminal; for scripts use the headless commands (see `ado-entra --help`)",
        ))
    }
}

fn start_logging() -> Result<tracing_appender::non_blocking::WorkerGuard, CliError> {
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    runtime::init_file_logging(&paths).map_err(|e| {
        CliError::error(format!(
            "cannot write logs under {}: {e}",
            paths.root().display()
        ))
    })
}

pub async fn wizard(global: &GlobalArgs, args: WizardArgs) -> Result<u8, CliError> {
    require_tty()?;
    let _log = start_logging()?;
    let env = match &global.emulator_url {
        Some(url) => Environment {
            target: Target::Emulator {
                base_url: url.clone(),
                scenario: None,
            },
            ..Environment::azure()
        },
        None => Environment::azure(),
    };
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let services = Arc::new(Live::new(super::auth_cmds::settings(global), paths));
    runtime::run_tui(
        env,
        TuiOptions {
            mouse: args.mouse,
            no_browser: args.no_browser,
        },
        services,
    )
    .await
    .map_err(|e| CliError::error(format!("terminal error: {e}")))?;
    Ok(exit::OK)
}

pub async fn demo(_global: &GlobalArgs, args: DemoArgs) -> Result<u8, CliError> {
    require_tty()?;
    let _log = start_logging()?;
    let emulator = Emulator::start(EmulatorConfig {
        // Nobody can open a browser in an offline demo: approve as the scenario's owner.
        auto_approve_default: true,
        ..EmulatorConfig::scenario(&args.scenario)
    })
    .await
    .map_err(|e| CliError::error(format!("cannot start the demo emulator: {e}")))?;
    tracing::info!(base_url = emulator.base_url(), "demo emulator started");
    let summary = emulator.summary();
    let env = Environment {
        target: Target::Emulator {
            base_url: emulator.base_url().to_string(),
            scenario: Some(args.scenario.clone()),
        },
        org: Some(summary.org.clone()),
        owner: Some(summary.owner.clone()),
        tenants: summary
            .tenants
            .iter()
            .map(|t| TenantInfo {
                id: t["id"].as_str().unwrap_or_default().to_string(),
                display_name: t["displayName"].as_str().unwrap_or_default().to_string(),
                domain: t["domain"].as_str().unwrap_or_default().to_string(),
            })
            .collect(),
    };
    // The demo keeps its tokens and journals apart from real ones.
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let demo_paths = StatePaths::at(paths.root().join("demo"));
    let settings = crate::client::ClientSettings {
        emulator_url: Some(emulator.base_url().to_string()),
        client_id: None,
        tenant: None,
    };
    let services = Arc::new(Live::new(settings, demo_paths));
    let result = runtime::run_tui(
        env,
        TuiOptions {
            mouse: args.mouse,
            no_browser: true,
        },
        services,
    )
    .await;
    emulator.shutdown().await;
    result.map_err(|e| CliError::error(format!("terminal error: {e}")))?;
    Ok(exit::OK)
}
