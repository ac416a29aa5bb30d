//! `plugctl serve`: a dev chat-plugin server with multi-turn sessions, context trimming,
//! a redaction seam, OpenAPI and Swagger UI.
//!
//! - [`app`] builds the router from an [`AppState`]; tests drive it with `oneshot`, no socket.
//! - [`bind`] opens the store and the listener; [`Server::run`] serves until the shutdown future
//!   resolves, then drains in-flight requests for the grace period and flushes the store.
//! - `routes/` has one module per endpoint group; `sessions/` the store trait and stores;
//!   `backend.rs` the echo and OpenAI-compatible backends; `problem.rs` the error format.
//!
//! The module never prints: the CLI (`src/cli/serve.rs`) renders what [`Server`] reports.

pub mod auth;
pub mod backend;
pub mod breaker;
pub mod cluster_limit;
pub mod fanout;
pub mod history;
pub mod limit;
pub mod metrics;
pub mod plugins;
pub mod problem;
pub mod redaction;
pub mod reload;
pub mod routes;
pub mod sessions;
pub mod settings;
pub mod shutdown;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use routes::openapi::document as openapi_document;
pub use settings::Settings;
pub use shutdown::Stopped;
pub use state::AppState;

use backend::{Backend, BackendError};
use sessions::{EmbeddedStore, MemoryStore, RedisStore, SessionStore, StoreError};
use settings::StoreKind;

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("session store")]
    Store(#[from] StoreError),
    #[error("model backend")]
    Backend(#[from] BackendError),
    #[error("serving HTTP")]
    Io(#[source] std::io::Error),
}

impl ServeError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            ServeError::Bind { addr, source } => match source.kind() {
                std::io::ErrorKind::AddrInUse => Some(format!(
                    "another process listens on port {}: stop it, or pick another address with \
                     --bind (127.0.0.1:0 picks a free port)",
                    addr.port()
                )),
                std::io::ErrorKind::PermissionDenied => {
                    Some("ports below 1024 need privileges: use a port above 1024".into())
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    Some("bind an address of this machine, e.g. 127.0.0.1".into())
                }
                _ => None,
            },
            ServeError::Store(StoreError::Locked { .. }) => Some(
                "another plugctl serve uses this data directory: stop it, or pass --data-dir"
                    .into(),
            ),
            ServeError::Store(StoreError::Unreachable { .. }) => Some(
                "start the Redis server, or check the URL given with --store (redis://HOST:PORT/)"
                    .into(),
            ),
            ServeError::Store(_) => Some("check the data directory (--data-dir)".into()),
            _ => None,
        }
    }
}

/// The router of the whole API.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Opens the configured store (a Redis store is then driven by the current tokio runtime).
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn SessionStore>, StoreError> {
    Ok(match &settings.store {
        StoreKind::Embedded => Arc::new(EmbeddedStore::open_with(
            &settings.data_dir,
            settings.durability,
        )?),
        StoreKind::Memory => Arc::new(MemoryStore::default()),
        StoreKind::Redis(url) => Arc::new(RedisStore::open(url, settings.tiers).await?),
    })
}

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    live: Arc<reload::Reloader>,
}

/// Opens the store, builds the backend and binds the listener; nothing is served yet. Every
/// incoming message goes through `redactor` first.
pub async fn bind(
    settings: Settings,
    redactor: Arc<dyn redaction::Redactor>,
) -> Result<Server, ServeError> {
    let store = open_store(&settings).await?;
    let backend = Backend::new(&settings.backend)?;
    let plugins = plugins::Plugins::new(&settings.plugins, settings.breaker)?;
    // With Redis, the rate limits are shared by every node on it.
    let cluster_limits = match &settings.store {
        StoreKind::Redis(url) => Some(cluster_limit::limits(url, &settings.rate_limit).await?),
        _ => None,
    };
    let mut state = AppState::new(settings, store, backend);
    if let Some(limits) = cluster_limits {
        state.limits = limits;
    }
    state.redactor = redactor;
    state.plugins = Arc::new(plugins);
    // Load the tokenizer now rather than on the first request, which would otherwise pay for it.
    let counter = state.counter;
    let _ = tokio::task::spawn_blocking(move || counter.count("warm up")).await;
    bind_state(state).await
}

/// Binds a server for a prepared state (tests swap the clock or the redactor this way).
pub async fn bind_state(state: AppState) -> Result<Server, ServeError> {
    let addr = state.settings.bind;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let live = Arc::new(reload::Reloader::new(state));
    Ok(Server { listener, live })
}

impl Server {
    /// The address actually bound (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.live.current().settings.bind)
    }

    /// The state new requests are served with.
    pub fn state(&self) -> Arc<AppState> {
        self.live.current()
    }

    /// Replaces the configuration while the server runs (see `reload.rs`).
    pub fn reloader(&self) -> Arc<reload::Reloader> {
        Arc::clone(&self.live)
    }

    /// Serves until `shutdown` resolves; then stops accepting, lets in-flight requests (streams
    /// included) finish within the grace period, and flushes the store.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<Stopped, ServeError> {
        let Server { listener, live } = self;
        let state = AppState::clone(&live.current());
        let sweeper = tokio::spawn(sweep(state.clone()));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut drain_rx = rx.clone();
        let mut grace_rx = rx;
        let forget = tokio::spawn(forget_idle_clients(Arc::clone(&live)));
        // With the peer address: per-client limits key by it, the access log shows it anonymized.
        let service = live
            .service()
            .into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(listener, service).with_graceful_shutdown(async move {
            let _ = drain_rx.wait_for(|stop| *stop).await;
        });
        let trigger = async move {
            let _ = grace_rx.wait_for(|stop| *stop).await;
        };
        let signal = async move {
            shutdown.await;
            let _ = tx.send(true);
            // Keep the sender alive until the server is done with it.
            std::future::pending::<()>().await;
        };
        let served = tokio::select! {
            r = shutdown::with_grace(serve.into_future(), trigger, state.settings.grace_period) => r,
            () = signal => unreachable!("the signal future never completes"),
        };
        sweeper.abort();
        forget.abort();
        let stopped = served.map_err(ServeError::Io)?;
        let store = Arc::clone(&state.store);
        tokio::task::spawn_blocking(move || store.flush())
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
        Ok(stopped)
    }
}

/// Purges sessions past the archive tier, every `sweep_interval`.
async fn sweep(state: AppState) {
    let mut tick = tokio::time::interval(state.settings.sweep_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let before = state.settings.tiers.purge_before(state.clock.now_ms());
        match state.store_call("purge", move |s| s.purge(before)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "purged sessions past the archive"),
            Err(e) => tracing::warn!(error = %e, "purging expired sessions"),
        }
    }
}

/// Keeps the per-client limiters' memory to the clients seen lately.
async fn forget_idle_clients(live: Arc<reload::Reloader>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        live.current().limits.forget_idle();
    }
}
