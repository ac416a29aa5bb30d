//! Hot reload: a new configuration replaces the routes, limits, plugins and auth of a running
//! server without dropping a connection or a session.
//!
//! The listener serves one small outer router whose only job is to hand each request to the
//! current application router, kept in an [`ArcSwap`]. A reload builds a complete new
//! [`AppState`] (sharing the store, backend, metrics, clock and redactor with the old one) and its
//! router, then swaps the pointer: requests that arrive afterwards, on new or already open
//! connections, see the new configuration; requests in flight (a stream that runs for minutes)
//! finish on the state they started with, which lives as long as they hold it. Sessions live in
//! the store, which is never replaced.
//!
//! Settings that need a new socket or a new store (`bind`, `store`, `data_dir`) and the main
//! backend are kept as they are; a change to them is logged as needing a restart.

use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::Request;
use tower::ServiceExt as _;

use super::plugins::Plugins;
use super::settings::{Settings, StoreKind};
use super::state::{AppState, ConfigVersion, StateParts};
use super::{ServeError, app, auth, cluster_limit, limit::Limits};

/// The configuration a running server serves, and how to replace it.
#[derive(Debug)]
pub struct Reloader {
    router: Arc<ArcSwap<Router>>,
    state: ArcSwap<AppState>,
}

impl Reloader {
    pub fn new(state: AppState) -> Self {
        Self {
            router: Arc::new(ArcSwap::from_pointee(app(state.clone()))),
            state: ArcSwap::from_pointee(state),
        }
    }

    /// The state new requests are served with.
    pub fn current(&self) -> Arc<AppState> {
        self.state.load_full()
    }

    /// The router the listener serves: every request goes to the current application router.
    pub fn service(&self) -> Router {
        let current = Arc::clone(&self.router);
        Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let router = Router::clone(&current.load());
            router.oneshot(request)
        }))
    }

    /// Records where the running configuration came from (a hash of the file), same version.
    pub fn set_source(&self, hash: &str) {
        let mut state = AppState::clone(&self.current());
        state.config = ConfigVersion {
            number: state.config.number,
            hash: hash.to_string(),
        };
        self.install(state);
    }

    /// Serves `settings` from now on (its routes, limits, plugins and auth), as the next config
    /// version; `hash` identifies the file it came from. Nothing changes when it fails.
    pub async fn apply(&self, mut settings: Settings, hash: &str) -> Result<u64, ServeError> {
        let old = self.current();
        for setting in keep_unreloadable(&mut settings, &old.settings) {
            tracing::warn!(
                setting,
                "configuration changed a setting that takes effect only after a restart"
            );
        }
        let plugins = Plugins::new(&settings.plugins, settings.breaker)?;
        // The store is the running one; so is the Redis connection of cluster-wide limits.
        let limits = match (&old.limits.cluster, &settings.store) {
            (Some(link), _) => cluster_limit::limits_on(link, &settings.rate_limit),
            (None, StoreKind::Redis(url)) => {
                cluster_limit::limits(url, &settings.rate_limit).await?
            }
            (None, _) => Limits::local(&settings.rate_limit),
        };
        let number = old.config.number + 1;
        let state = AppState::from(StateParts {
            auth: auth::from_settings(&settings.auth),
            settings: Arc::new(settings),
            limits,
            plugins: Arc::new(plugins),
            config: ConfigVersion {
                number,
                hash: hash.to_string(),
            },
            ..StateParts::clone(&old)
        });
        self.install(state);
        Ok(number)
    }

    fn install(&self, state: AppState) {
        self.router.store(Arc::new(app(state.clone())));
        self.state.store(Arc::new(state));
    }
}

/// Puts back the settings a running server cannot change; returns the names of those that
/// differed.
fn keep_unreloadable(new: &mut Settings, old: &Settings) -> Vec<&'static str> {
    let mut kept = Vec::new();
    if new.bind != old.bind {
        new.bind = old.bind;
        kept.push("serve.bind");
    }
    if new.store != old.store {
        new.store = old.store.clone();
        kept.push("serve.store");
    }
    if new.data_dir != old.data_dir {
        new.data_dir = old.data_dir.clone();
        kept.push("serve.data_dir");
    }
    if new.backend.name() != old.backend.name() {
        kept.push("serve.backend");
    }
    new.backend = old.backend.clone();
    kept
}
