//! Command-line interface: parsing and the headless commands.
//!
//! Each command family lives in its own sub-module; this file holds the global
//! options, the subcommand enum, the dispatch and the exit-code convention:
//! 0 success, 1 error (network, auth, bad input), 2 usage, 3 a check failed.

/// A line for people on stderr: progress, warnings, prompts. Whatever the
/// line carries from servers (names, addresses, error text) goes through the
/// one sanitiser, [`crate::domain::text::printable_lines`], so no escape
/// sequence or bidirectional override reaches the terminal. (What a command
/// answers on stdout is a [`Report`], printed by [`emit`] the same way;
/// `--json` documents are printed as they are: JSON escapes control
/// characters itself.)
macro_rules! tell {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::domain::text::printable_lines(&format!($($arg)*)))
    };
}

mod audit;
mod change;
mod check;
mod completions;
mod explain;
mod journal;
mod orgs;
mod recover;
mod resolve;
mod tui_cmds;
mod verify;

pub mod auth_cmds;
mod login;
mod whoami;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const CHECK_FAILED: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "ado-entra",
    version,
    about = "Connect an Azure DevOps organization to Microsoft Entra ID without locking anyone out",
    long_about = "Connect an Azure DevOps organization to Microsoft Entra ID without locking anyone out.\n\n\
        With no command, opens the wizard against Azure. `ado-entra demo` runs the same wizard \
        against an embedded emulator, offline.",
    propagate_version = true
)]
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
    /// Run the wizard offline against an embedded emulator (scenario `messy` by default).
    ///
    /// With --emulator-url, the demo runs against an emulator you started
    /// instead, for example `ado-entra emulator --users 10000 --tenant-users
    /// 200000 --auto-approve owner@contoso.example` (auto-approve as the
    /// scenario's owner, since the demo opens no browser).
    Demo(tui_cmds::DemoArgs),
    /// Run the wizard (against Azure, or an emulator with --emulator-url).
    Wizard(tui_cmds::WizardArgs),
    /// Check every prerequisite and prove who keeps access (changes nothing).
    Check(check::CheckArgs),
    /// Connect the organization to a directory (checks first; journaled).
    Connect(change::ChangeArgs),
    /// Move a connected organization to another directory (checks first; journaled).
    ChangeTenant(change::ChangeArgs),
    /// Disconnect the organization from its directory (checks first; journaled).
    Disconnect(change::ChangeArgs),
    /// Interrupted changes: list them, or close one after checking Azure.
    Journal(journal::JournalArgs),
    /// Prove the organization answers the current sign-in; diagnose a refusal.
    Verify(verify::VerifyArgs),
    /// Resolve disconnected users: suggestions, CSV export/import, invitations, mapping (journaled).
    Resolve(resolve::ResolveArgs),
    /// The fleet: every organization you belong to (or connected to --tenant), with --check --to T its readiness.
    Orgs(orgs::OrgsArgs),
    /// Locked out? Find out why from every sign-in you can still make, and take the ways back in.
    Recover(recover::RecoverArgs),
    /// Audit what a directory change breaks: service connections, PATs, policies.
    Audit(audit::AuditArgs),
    /// Explain an error message or code: cause and fix, from the built-in knowledge base.
    Explain(explain::ExplainArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man,
    /// Run a local emulator of Azure DevOps, Entra sign-in and Microsoft Graph.
    Emulator(crate::emulator::EmulatorArgs),
    /// Sign in: as a person (device code, browser, PAT, Azure CLI) or unattended (service principal, workload or managed identity, --auto).
    Login(login::LoginArgs),
    /// Sign out: delete the token cache.
    Logout,
    /// Show who is signed in, the tenant, and which tokens are held.
    Whoami(whoami::WhoamiArgs),
}

/// What a command prints when it succeeds: one typed value, as text for
/// people (`Display`, names already made printable) or as one JSON document
/// for scripts (`Serialize`), and the exit code it stands for.
pub trait Report: serde::Serialize + std::fmt::Display {
    fn exit_code(&self) -> u8 {
        exit::OK
    }
    /// Whether the text carries colours: then its pieces from servers were
    /// made printable before they were painted, and `emit` prints it as it is.
    fn painted(&self) -> bool {
        false
    }
    /// Whether the text goes to stderr, as an error's does: a refusal that
    /// changed nothing (the JSON document is on stdout all the same).
    fn text_on_stderr(&self) -> bool {
        false
    }
}

/// Print a report the way `--json` decided; returns its exit code.
pub fn emit<R: Report>(report: &R, json: bool) -> u8 {
    if json {
        match serde_json::to_string(report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                report_error(
                    &CliError::error(format!("cannot write the report as JSON: {e}")).json(true),
                );
                return exit::ERROR;
            }
        }
    } else if report.text_on_stderr() {
        eprint!(
            "{}",
            crate::domain::text::printable_lines(&report.to_string())
        );
    } else if report.painted() {
        print!("{report}");
    } else {
        print!(
            "{}",
            crate::domain::text::printable_lines(&report.to_string())
        );
    }
    report.exit_code()
}

/// `--org`: an organization name or its URL, checked before anything runs
/// and given to the command as the bare name.
pub fn org_arg(s: &str) -> Result<String, String> {
    crate::domain::validate::parse_org_name(s).map_err(|e| e.to_string())
}

/// `--to` (and other tenants): a tenant id or domain, checked before
/// anything runs.
pub fn tenant_arg(s: &str) -> Result<String, String> {
    crate::domain::validate::parse_tenant(s)
        .map(|_| s.trim().to_string())
        .map_err(|e| e.to_string())
}

/// A command's failure: what went wrong, what to do next, and the exit code
/// it maps to.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
    /// The next step (from the one advice function), when there is one.
    pub next_step: Option<String>,
    /// The knowledge base entry that explains it (`ado-entra explain ID`).
    pub kb_id: Option<String>,
    /// Print as `{"error": {...}}` on stdout (the command ran with `--json`).
    pub json: bool,
}

impl CliError {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            next_step: None,
            kb_id: None,
            json: false,
        }
    }
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(exit::ERROR, message)
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(exit::USAGE, message)
    }
    /// Refused: the organization's state or a check forbids it (exit 3).
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(exit::CHECK_FAILED, message)
    }
    /// A failure as the advice pipeline describes it (exit 1).
    pub fn problem(p: crate::ops::model::Problem) -> Self {
        Self {
            next_step: p.next_step,
            kb_id: p.kb_id,
            ..Self::error(p.message)
        }
    }
    /// With this exit code instead.
    pub fn with_code(mut self, code: u8) -> Self {
        self.code = code;
        self
    }
    /// Report this error as JSON on stdout when `on`.
    pub fn json(mut self, on: bool) -> Self {
        self.json = on;
        self
    }

    /// The error as a JSON document:
    /// `{"error": {code, message, details, next_step, kb_id}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut lines = self.message.lines();
        let message = lines.next().unwrap_or_default().trim().to_string();
        let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
        let next = self.next_step.clone().or_else(|| {
            rest.iter()
                .find_map(|l| l.strip_prefix("next:").map(str::trim))
                .map(str::to_string)
        });
        serde_json::json!({"error": {
            "code": self.code,
            "message": message,
            "details": rest,
            "next_step": next,
            "kb_id": self.kb_id,
        }})
    }

    /// The error as text: the message, then `next:` and `see:` lines.
    pub fn to_text(&self) -> String {
        let mut s = format!("error: {}", self.message);
        if let Some(n) = &self.next_step {
            s.push_str(&format!("\n  next: {n}"));
        }
        if let Some(id) = &self.kb_id {
            s.push_str(&format!("\n  see: ado-entra explain {id}"));
        }
        s
    }
}

/// `s` as one word for a POSIX shell: as it is when it is plain, else in
/// single quotes, so a command printed with the user's values runs as shown.
pub(crate) fn shell_word(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        s.into()
    } else {
        format!("'{}'", s.replace('\'', r"'\''")).into()
    }
}

/// Print a command's failure: JSON on stdout for `--json`, else text on stderr.
fn report_error(e: &CliError) {
    if e.json {
        println!("{}", e.to_json());
    } else {
        tell!("{}", e.to_text());
    }
}

pub fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // The auth commands own their runtime, so they run before (not inside) `rt`.
    match cli.command {
        Some(Command::Login(args)) => return login::login(&cli.global, args),
        Some(Command::Logout) => return whoami::logout(&cli.global),
        Some(Command::Whoami(args)) => return whoami::whoami(&cli.global, args),
        _ => {}
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    // The wizard always logs to its file; a headless command only when a
    // filter is asked for (`ADO_ENTRA_LOG=ado_entra=debug`): every request,
    // its attempt and timing, never a secret.
    let _log = match cli.command {
        None | Some(Command::Wizard(_) | Command::Demo(_)) => None,
        _ if std::env::var_os(crate::runtime::LOG_ENV).is_some() => {
            crate::paths::StatePaths::resolve()
                .ok()
                .and_then(|p| crate::runtime::init_file_logging(&p).ok())
        }
        _ => None,
    };
    let finish = cli.command.as_ref().and_then(Command::finish_hint);
    // Decided once: every failure of a `--json` run, whichever command and
    // however it fails (a signal included), is one JSON document on stdout.
    let json = cli.command.as_ref().is_some_and(Command::json);
    // The wizard (it owns the terminal) and the emulator (it removes its
    // certificate files) handle signals themselves.
    let own_signals = matches!(
        cli.command,
        None | Some(Command::Wizard(_) | Command::Demo(_) | Command::Emulator(_))
    );
    let result = rt.block_on(async {
        if own_signals {
            return dispatch(cli).await;
        }
        tokio::select! {
            r = dispatch(cli) => r,
            code = signalled() => Err(interrupted(code, finish, json)),
        }
    });
    // Don't wait for lingering background tasks (e.g. a blocked stdin reader).
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let e = if json { e.json(true) } else { e };
            report_error(&e);
            ExitCode::from(e.code)
        }
    }
}

/// A command line clap refused. Help and version print as usual; a usage
/// error is a JSON error on stdout when `--json` was asked for (a script
/// reading stdout gets JSON whatever went wrong), else clap's own message.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let wants_json = std::env::args_os().any(|a| a == "--json");
    if !wants_json
        || matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        e.exit();
    }
    // clap's text without its usage and "for more information" lines; a
    // message ending in ':' continues on the next lines (the missing arguments).
    let text = e.render().to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let message = lines.join(" ").trim_start_matches("error: ").to_string();
    let mut err = CliError::usage(message).json(true);
    err.next_step = Some("Run the command with --help to see its options and examples.".into());
    report_error(&err);
    ExitCode::from(exit::USAGE)
}

/// `ado-entra man | head` ends quietly, as `ls | head` does: output to a
/// closed pipe ends the process with SIGPIPE instead of a panic about a
/// broken pipe. (Sockets are unaffected: the standard library sends on them
/// with MSG_NOSIGNAL, or SO_NOSIGPIPE on macOS.)
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread is started;
    // restores the default disposition of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

impl Command {
    /// Whether the command was asked for JSON (`--json`).
    fn json(&self) -> bool {
        match self {
            Command::Check(a) => a.json,
            Command::Connect(a) | Command::ChangeTenant(a) | Command::Disconnect(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Resolve(a) => a.json,
            Command::Recover(a) => a.json,
            Command::Orgs(a) => a.json,
            Command::Audit(a) => a.json,
            Command::Explain(a) => a.json,
            Command::Login(a) => a.json,
            Command::Whoami(a) => a.json,
            Command::Journal(a) => a.json(),
            Command::Demo(_)
            | Command::Wizard(_)
            | Command::Completions(_)
            | Command::Man
            | Command::Emulator(_)
            | Command::Logout => false,
        }
    }

    /// For a command that changes Azure, the command that finishes it after
    /// an interruption (each reads the journal and Azure first, so nothing
    /// is sent twice).
    fn finish_hint(&self) -> Option<String> {
        Some(match self {
            Command::Connect(a) | Command::ChangeTenant(a) | Command::Disconnect(a) => {
                let verb = match self {
                    Command::Connect(_) => "connect",
                    Command::ChangeTenant(_) => "change-tenant",
                    _ => "disconnect",
                };
                let to =
                    a.to.as_deref()
                        .map(|t| format!(" --to {t}"))
                        .unwrap_or_default();
                format!("ado-entra {verb} --org {}{to}", a.org)
            }
            Command::Resolve(a) if !a.dry_run && a.export.is_none() => {
                format!("ado-entra resolve --org {} --resume", a.org)
            }
            _ => return None,
        })
    }
}

/// The first of SIGINT, SIGTERM, SIGHUP, as an exit code (128 + its number).
async fn signalled() -> u8 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => 130,
            _ = term.recv() => 143,
            _ = hup.recv() => 129,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        130
    }
}

/// The error of a run stopped by a signal: what to run to finish it.
fn interrupted(code: u8, finish: Option<String>, json: bool) -> CliError {
    let mut e = CliError::new(
        code,
        match &finish {
            Some(_) => "interrupted; whatever was sent to Azure is in the journal",
            None => "interrupted; nothing was changed",
        },
    );
    e.json = json;
    e.next_step = finish.map(|f| {
        format!("Run `{f}` to finish: it reads the journal and Azure first and never sends a change twice.")
    });
    e
}

async fn dispatch(cli: Cli) -> Result<u8, CliError> {
    let global = cli.global;
    match cli.command {
        None => tui_cmds::wizard(&global, tui_cmds::WizardArgs::default()).await,
        Some(Command::Wizard(args)) => tui_cmds::wizard(&global, args).await,
        Some(Command::Demo(args)) => tui_cmds::demo(&global, args).await,
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Check(args)) => check::run(&global, args).await,
        Some(Command::Connect(args)) => {
            change::change(&global, args, change::Command::Connect).await
        }
        Some(Command::ChangeTenant(args)) => {
            change::change(&global, args, change::Command::ChangeTenant).await
        }
        Some(Command::Disconnect(args)) => {
            change::change(&global, args, change::Command::Disconnect).await
        }
        Some(Command::Journal(args)) => journal::run(&global, args).await,
        Some(Command::Verify(args)) => verify::verify(&global, args).await,
        Some(Command::Resolve(args)) => resolve::run(&global, args).await,
        Some(Command::Orgs(args)) => orgs::orgs(&global, args).await,
        Some(Command::Recover(args)) => recover::run(&global, args).await,
        Some(Command::Audit(args)) => audit::audit(&global, args).await,
        Some(Command::Completions(args)) => completions::completions(args),
        Some(Command::Man) => completions::man(),
        Some(Command::Emulator(args)) => crate::emulator::run_cli(args)
            .await
            .map(|()| exit::OK)
            .map_err(|e| match e {
                crate::emulator::EmulatorError::Usage(m) => CliError::usage(m),
                e => CliError::error(e.to_string()),
            }),
        // Handled in `main` before the runtime starts.
        Some(Command::Login(_) | Command::Logout | Command::Whoami(_)) => Ok(exit::OK),
    }
}
