//! `ado-entra [wizard]` and `ado-entra demo`: the commands that open the TUI.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Args;

use super::{CliError, GlobalArgs};
use crate::app::{Environment, Target, TenantInfo};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::ops::Session;
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
    /// The directory the organization picker judges each organization's
    /// readiness against (tenant id or a verified domain).
    #[arg(long = "to", value_name = "TENANT")]
    pub to: Option<String>,
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
    let mut env = match &global.emulator_url {
        Some(url) => Environment {
            target: Target::Emulator {
                base_url: url.clone(),
                scenario: None,
            },
            ..Environment::azure()
        },
        None => Environment::azure(),
    };
    if let Some(to) = &args.to {
        crate::domain::validate::parse_tenant(to).map_err(|e| CliError::usage(e.to_string()))?;
        env.destination = Some(to.clone());
    }
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let services = Arc::new(Session::new(super::auth_cmds::settings(global), paths));
    let left = runtime::run_tui(
        env,
        TuiOptions {
            mouse: args.mouse,
            no_browser: args.no_browser,
        },
        services,
    )
    .await
    .map_err(|e| CliError::error(format!("terminal error: {e}")))?;
    Ok(report_exit(left))
}

/// Say what is left to finish (on stderr, the terminal restored) and
/// return the exit code.
fn report_exit(left: crate::app::exit::Exit) -> u8 {
    if let Some(note) = &left.note {
        tell!("{note}");
    }
    left.code
}

pub async fn demo(global: &GlobalArgs, args: DemoArgs) -> Result<u8, CliError> {
    // With --emulator-url the demo runs against an emulator already serving
    // (say a generated 10,000-user organization); otherwise it starts its own.
    // An emulator that is not there is said first, terminal or not.
    let external = match &global.emulator_url {
        Some(url) => Some((
            url.trim_end_matches('/').to_string(),
            external_summary(url).await?,
        )),
        None => None,
    };
    require_tty()?;
    let _log = start_logging()?;
    let (emulator, base_url, summary) = match external {
        Some((url, summary)) => (None, url, summary),
        None => {
            let emulator = Emulator::start(EmulatorConfig {
                // Nobody can open a browser in an offline demo: approve as the
                // scenario's owner.
                auto_approve_default: true,
                ..EmulatorConfig::scenario(&args.scenario)
            })
            .await
            .map_err(|e| CliError::error(format!("cannot start the demo emulator: {e}")))?;
            tracing::info!(base_url = emulator.base_url(), "demo emulator started");
            let summary = serde_json::to_value(emulator.summary()).unwrap_or_default();
            let url = emulator.base_url().to_string();
            (Some(emulator), url, summary)
        }
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let scenario = match &emulator {
        Some(_) => args.scenario.clone(),
        None => text(&summary["scenario"]),
    };
    let env = Environment {
        target: Target::Emulator {
            base_url: base_url.clone(),
            scenario: Some(scenario),
        },
        org: Some(text(&summary["org"])).filter(|o| !o.is_empty()),
        owner: Some(text(&summary["owner"])).filter(|o| !o.is_empty()),
        tenants: summary["tenants"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| TenantInfo {
                id: text(&t["id"]),
                display_name: text(&t["displayName"]),
                domain: text(&t["domain"]),
            })
            .collect(),
        destination: None,
    };
    // The demo judges readiness against its first directory (the one it
    // is about: Fabrikam in `messy`, the new Contoso in a fleet).
    let env = Environment {
        destination: env.tenants.first().map(|t| t.id.clone()),
        ..env
    };
    // The demo keeps its tokens and journals apart from real ones.
    let paths = StatePaths::resolve().map_err(|e| CliError::error(e.to_string()))?;
    let demo_paths = StatePaths::at(paths.root().join("demo"));
    let settings = crate::client::ClientSettings {
        emulator_url: Some(base_url),
        client_id: None,
        tenant: None,
    };
    let services = Arc::new(Session::new(settings, demo_paths));
    let result = runtime::run_tui(
        env,
        TuiOptions {
            mouse: args.mouse,
            no_browser: true,
        },
        services,
    )
    .await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    let left = result.map_err(|e| CliError::error(format!("terminal error: {e}")))?;
    Ok(report_exit(left))
}

/// What an emulator already serving at `url` holds (`GET /_emulator/scenario`).
async fn external_summary(url: &str) -> Result<serde_json::Value, CliError> {
    let endpoint = format!("{}/_emulator/scenario", url.trim_end_matches('/'));
    let answer = async {
        reqwest::Client::new()
            .get(&endpoint)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await?
            .error_for_status()?
            .json::<serde_json::Value>()
            .await
    };
    answer.await.map_err(|e| {
        CliError::error(format!(
            "no ado-entra emulator answers at {url} ({}). Start one with `ado-entra emulator \
             --auto-approve OWNER` and pass the URL it prints, or run `ado-entra demo` \
             without --emulator-url to use a built-in one.",
            if e.is_connect() {
                "connection refused".to_string()
            } else if e.is_decode() {
                "its answer is not an emulator summary".to_string()
            } else {
                e.without_url().to_string()
            }
        ))
    })
}
