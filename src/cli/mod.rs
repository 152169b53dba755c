//! Command-line interface: parsing and the headless commands.
//!
//! Each command family lives in its own sub-module; this file holds the global
//! options, the subcommand enum and the dispatch.

pub mod auth_cmds;

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
    /// Sign in (device code, browser, PAT from stdin/env, or the Azure CLI).
    Login(auth_cmds::LoginArgs),
    /// Sign out: delete the token cache.
    Logout,
    /// Show who is signed in, the tenant, and which tokens are held.
    Whoami(auth_cmds::WhoamiArgs),
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
        // The auth commands run their own runtime (not inside `rt`).
        Some(Command::Login(args)) => auth_cmds::login(&cli.global, args),
        Some(Command::Logout) => auth_cmds::logout(&cli.global),
        Some(Command::Whoami(args)) => auth_cmds::whoami(&cli.global, args),
        None => ExitCode::SUCCESS,
    }
}
