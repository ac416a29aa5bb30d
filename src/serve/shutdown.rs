//! The shutdown signal (Ctrl-C or SIGTERM) and the grace period that bounds the drain.

use std::future::Future;
use std::time::Duration;

/// Resolves on the first Ctrl-C (SIGINT) or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}

/// How a server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every in-flight request finished.
    Drained,
    /// The grace period ran out with requests still in flight; they were cut off.
    GraceExpired,
}

/// Runs `serve` (which must itself stop accepting and drain once `trigger` fires) and gives it
/// `grace` after `trigger` to finish.
pub async fn with_grace<S, T>(serve: S, trigger: T, grace: Duration) -> std::io::Result<Stopped>
where
    S: Future<Output = std::io::Result<()>>,
    T: Future<Output = ()>,
{
    tokio::pin!(serve);
    tokio::pin!(trigger);
    tokio::select! {
        r = &mut serve => return r.map(|()| Stopped::Drained),
        () = &mut trigger => {}
    }
    match tokio::time::timeout(grace, serve).await {
        Ok(r) => r.map(|()| Stopped::Drained),
        Err(_) => Ok(Stopped::GraceExpired),
    }
}
