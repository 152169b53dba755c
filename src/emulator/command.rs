//! `ado-entra emulator`: its arguments, and serving until Ctrl-C or SIGTERM.

use std::time::Duration;

use super::{Emulator, EmulatorConfig, EmulatorError, Generate, Source, ratelimit, scenario};

/// Arguments of `ado-entra emulator`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  ado-entra emulator --scenario lockout\n  ado-entra emulator --scenario messy --auto-approve owner@fabrikam.com --fault 429:every=5,retry-after=2\n  ado-entra emulator --users 10000 --tenant-users 200000 --seed 1 --latency-ms 50\n  ado-entra emulator --orgs 50 --users 1000 --latency-ms 50"
)]
pub struct EmulatorArgs {
    /// Scenario name (ready, lockout, locked-out, locked-out-uninvited, guest-admin, over-100, messy, disconnected, two-tenants, unattended, resolve-traps, moving, fleet) or a path to a scenario file.
    #[arg(long, default_value = "ready")]
    pub scenario: String,
    /// Port to listen on, on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Delay every response by this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Approve every device code and authorization request as this identity (UPN or personal email).
    #[arg(long, value_name = "UPN")]
    pub auto_approve: Option<String>,
    /// Inject faults, e.g. `429:every=5,retry-after=2`, `503:burst=3`, `malformed:path=/graph`, `drop:every=7` (repeatable).
    #[arg(long = "fault", value_name = "SPEC")]
    pub faults: Vec<String>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub token_lifetime: u64,
    /// Generate a large organization with this many users instead of loading a scenario.
    #[arg(long)]
    pub users: Option<usize>,
    /// With --users: how many users the destination tenant has (with
    /// --orgs: the new directory, default 1000).
    #[arg(long)]
    pub tenant_users: Option<usize>,
    /// With --users or --orgs: the generator's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// With --users: start already connected to the tenant ("by support"),
    /// with every user whose address is not a UPN there disconnected.
    #[arg(long, requires = "users")]
    pub connected: bool,
    /// With --users: percent of the users licensed as Visual Studio
    /// subscribers (no account licence filter finds them).
    #[arg(long, requires = "users", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub subscribers: u8,
    /// Host a generated fleet of this many organizations instead: on
    /// personal accounts, on an old directory (Fabrikam) and on a new one
    /// (Contoso), of mixed sizes (--users the largest, default 100) and
    /// owners; sign in as admin@contoso.example.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=5000), conflicts_with_all = ["connected", "subscribers"])]
    pub orgs: Option<u16>,
    /// Serve https with a certificate authority generated at start; its PEM
    /// path is `ca_cert` in the first line (trust it, e.g. SSL_CERT_FILE).
    #[arg(long)]
    pub tls: bool,
    /// Azure DevOps rate limit: TSTUs each identity may use per window
    /// before it is delayed (blocked with 429 at twice that); 0 turns it off.
    #[arg(long, default_value_t = 200.0, value_name = "TSTU")]
    pub rate_limit: f64,
    /// The rate limit's sliding window.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub rate_window: u64,
}

/// `ado-entra emulator`: print the summary line, serve until Ctrl-C.
pub async fn run_cli(args: EmulatorArgs) -> Result<(), EmulatorError> {
    let source = match (args.orgs, args.users, args.tenant_users) {
        (Some(orgs), users, tenant_users) => Source::Fleet(scenario::Fleet {
            orgs: usize::from(orgs),
            users: users.unwrap_or(100),
            tenant_users: tenant_users.unwrap_or(1000),
            seed: args.seed,
            uniform: false,
        }),
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err(EmulatorError::Usage(
                "--users and --tenant-users go together (or give --orgs N for a fleet), e.g. ado-entra emulator --users 10000 --tenant-users 200000".into(),
            ));
        }
        (None, Some(users), Some(tenant_users)) => Source::Generated(Generate {
            users,
            tenant_users,
            seed: args.seed,
            connected: args.connected,
            subscribers: args.subscribers,
        }),
        _ => Source::Named(args.scenario.clone()),
    };
    let emu = Emulator::start(EmulatorConfig {
        source,
        port: args.port,
        latency_ms: args.latency_ms,
        auto_approve: args.auto_approve,
        faults: args.faults,
        token_lifetime_secs: args.token_lifetime,
        tls: args.tls,
        rate_limit: (args.rate_limit > 0.0).then(|| ratelimit::Budget {
            limit: args.rate_limit,
            window: Duration::from_secs(args.rate_window.max(1)),
        }),
        ..EmulatorConfig::default()
    })
    .await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(emu.summary()).unwrap_or_default()
        );
        let _ = out.flush();
    }
    eprintln!("emulator serving {} (Ctrl-C to stop)", emu.base_url());
    wait_for_stop().await;
    emu.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
