//! Command-line interface: parsing and the headless commands.
//!
//! Each command family lives in its own sub-module; this file holds the global
//! options, the subcommand enum and the dispatch.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "ado-entra", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command understands.
#[derive(Debug, Clone, Args, Default)]
pub struct GlobalArgs {
    /// Point every Azure host at an emulator base URL (its path prefixes stand for the hosts).
    #[arg(
        long,
        global = true,
        env = "ADO_ENTRA_EMULATOR_URL",
        value_name = "URL"
    )]
    pub emulator_url: Option<String>,
    /// OAuth public client id to sign in with (defaults to the Azure CLI's public client).
    #[arg(long, global = true, env = "ADO_ENTRA_CLIENT_ID", value_name = "GUID")]
    pub client_id: Option<String>,
    /// Entra tenant to sign in to (id or domain; default `organizations`).
    #[arg(long, global = true, env = "ADO_ENTRA_TENANT", value_name = "TENANT")]
    pub tenant: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local emulator of Azure DevOps, Entra sign-in and Microsoft Graph.
    Emulator(crate::emulator::EmulatorArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match cli.command {
        Some(Command::Emulator(args)) => match rt.block_on(crate::emulator::run_cli(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        None => ExitCode::SUCCESS,
    }
}
