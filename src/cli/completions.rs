//! `ado-entra completions SHELL` and `ado-entra man`: generated from the clap definitions,
//! so they never drift from the real options.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, CliError, exit};

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  ado-entra completions bash > ~/.local/share/bash-completion/completions/ado-entra\n  ado-entra completions zsh > \"${fpath[1]}/_ado-entra\"\n  ado-entra completions fish > ~/.config/fish/completions/ado-entra.fish"
)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn completions(args: CompletionsArgs) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "ado-entra", &mut std::io::stdout());
    Ok(exit::OK)
}

/// Print the man page (roff) on stdout: `ado-entra man > ado-entra.1`.
pub fn man() -> Result<u8, CliError> {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd)
        .render(&mut std::io::stdout())
        .map_err(|e| CliError::error(format!("cannot write the man page: {e}")))?;
    Ok(exit::OK)
}
