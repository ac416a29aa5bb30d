//! Log output (tracing) on stderr: `-v`/`-q` pick the default level, `$PLUGCTL_LOG` overrides it.

use tracing_subscriber::EnvFilter;

use crate::config::env;
use crate::output::Verbosity;

/// Installs the global subscriber. Safe to call once per process; later calls are ignored.
pub fn init(verbosity: Verbosity, verbose_count: u8, ansi: bool) {
    let default = match (verbosity, verbose_count) {
        (Verbosity::Quiet, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "plugctl=info",
        (_, 2) => "plugctl=debug",
        _ => "plugctl=trace,info",
    };
    let filter = env::var(env::LOG)
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(verbose_count > 1)
        .try_init();
}
