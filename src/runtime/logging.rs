//! Logs go to a daily file under the state directory, never to the screen.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::StatePaths;

/// Environment variable with a tracing filter (e.g. `ado_entra=debug`).
pub const LOG_ENV: &str = "ADO_ENTRA_LOG";

/// Start logging to `<state>/logs/ado-entra.log.<date>`. Keep the guard alive
/// for the life of the program; dropping it flushes the file.
pub fn init_file_logging(paths: &StatePaths) -> std::io::Result<WorkerGuard> {
    paths.ensure()?;
    // Daily files like tracing_appender's roller, but created 0600.
    let appender = crate::paths::PrivateDailyLog::new(paths.log_dir(), "ado-entra.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    // A second initialisation (tests) is not an error worth failing over.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
