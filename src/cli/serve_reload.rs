//! Hot reload of `plugctl serve`'s configuration: on SIGHUP, and when plugctl.yaml changes.
//!
//! The file is polled once a second (its contents, not its mtime, which has a coarse granularity
//! on some filesystems) rather than watched with inotify: editors and deploy tools replace a file
//! by renaming a new one over it, which ends a watch on the file itself; polling one small file
//! costs nothing and needs no dependency, and a second is fast enough for a configuration.
//!
//! The new file goes through exactly the resolution of the start (flags still win over it), so
//! an invalid file is refused with one log line and the running configuration keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{ServeArgs, resolve_with};
use crate::config::file;
use crate::error::CliError;
use crate::serve::reload::Reloader;

const POLL_EVERY: Duration = Duration::from_secs(1);

/// A short hash of the file, as `/readyz` shows it.
fn short_hash(text: &[u8]) -> String {
    Sha256::digest(text)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serves a new configuration whenever SIGHUP arrives or `path` changes; runs until the process
/// ends. Without a file, SIGHUP is logged and ignored (rather than ending the process).
pub(super) async fn watch(args: ServeArgs, path: Option<PathBuf>, reloader: Arc<Reloader>) {
    let mut seen = path.as_deref().and_then(|p| std::fs::read(p).ok());
    if let Some(text) = &seen {
        reloader.set_source(&short_hash(text));
    }
    let mut hangup = Hangup::new();
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let forced = tokio::select! {
            () = hangup.recv() => true,
            _ = tick.tick() => false,
        };
        let Some(path) = path.as_deref() else {
            if forced {
                tracing::warn!("SIGHUP: no configuration file to reload");
            }
            continue;
        };
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) => {
                if forced || seen.is_some() {
                    tracing::error!(
                        path = %path.display(),
                        error = %e,
                        "cannot read the configuration file; the running configuration stays"
                    );
                }
                seen = None;
                continue;
            }
        };
        if !forced && seen.as_ref() == Some(&text) {
            continue;
        }
        seen = Some(text.clone());
        reload(&args, path, &text, &reloader).await;
    }
}

async fn reload(args: &ServeArgs, path: &Path, text: &[u8], reloader: &Reloader) {
    let running = reloader.current().config.number;
    let hash = short_hash(text);
    let resolved = std::str::from_utf8(text)
        .map_err(|e| CliError::usage(anyhow::anyhow!("{}: not UTF-8: {e}", path.display())))
        .and_then(|text| file::parse(path, text).map_err(CliError::from))
        .and_then(|file| resolve_with(args, &file.serve));
    let applied = match resolved {
        Ok(settings) => reloader
            .apply(settings, &hash)
            .await
            .map_err(|e| format!("{:#}", anyhow::Error::new(e))),
        Err(e) => Err(format!("{:#}", e.error)),
    };
    match applied {
        Ok(version) => tracing::info!(
            path = %path.display(),
            version,
            hash,
            "configuration reloaded"
        ),
        Err(error) => tracing::error!(
            "configuration {} refused, still serving version {running}: {error}",
            path.display()
        ),
    }
}

/// SIGHUP, where there is such a thing.
struct Hangup {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangup {
    fn new() -> Self {
        Self {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok(),
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    }
}
