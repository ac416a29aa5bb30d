//! What every handler shares: settings, the store, the backend, the clock, the redaction seam,
//! the token counter and the metrics. Cloned by every middleware layer of every request, so a
//! clone is one reference count: [`AppState`] is an `Arc` of [`StateParts`].

use std::sync::Arc;

use super::auth::{self, Authenticator};
use super::backend::Backend;
use super::breaker::Breaker;
use super::limit::Limits;
use super::metrics::Metrics;
use super::plugins::Plugins;
use super::problem::ApiError;
use super::redaction::{NoRedaction, Redactor};
use super::sessions::{Clock, SessionStore, StoreError, SystemClock, UpdateFn, UpdateResult};
use super::settings::Settings;
use crate::tokens::Counter;
use crate::tokens::chat::ChatFormula;

/// The state of one server: reads go through `Deref`; a change (`state.redactor = ...`, at
/// start-up, in tests or when building a reloaded state) copies the parts first if they are
/// shared, so requests in flight keep the state they started with.
#[derive(Debug, Clone)]
pub struct AppState(Arc<StateParts>);

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut StateParts {
        Arc::make_mut(&mut self.0)
    }
}

impl From<StateParts> for AppState {
    fn from(parts: StateParts) -> Self {
        Self(Arc::new(parts))
    }
}

/// What [`AppState`] holds.
#[derive(Debug, Clone)]
pub struct StateParts {
    pub settings: Arc<Settings>,
    pub store: Arc<dyn SessionStore>,
    pub backend: Arc<Backend>,
    pub clock: Arc<dyn Clock>,
    /// Applied to every incoming message before it is stored (see `redaction.rs`).
    pub redactor: Arc<dyn Redactor>,
    pub metrics: Arc<Metrics>,
    pub counter: Counter,
    pub formula: ChatFormula,
    /// Rate limiters of `/v1/*` (replaceable by cluster-wide ones).
    pub limits: Limits,
    /// Checks the credentials of `/v1/*` requests.
    pub auth: Arc<dyn Authenticator>,
    /// The backend's circuit breaker.
    pub breaker: Arc<Breaker>,
    /// Further backends, each with its own breaker (none unless configured).
    pub plugins: Arc<Plugins>,
    /// Which configuration this state serves (see `reload.rs`).
    pub config: ConfigVersion,
}

/// The version of the configuration being served: 1 at start, one more on every reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigVersion {
    pub number: u64,
    /// A short hash of the configuration file ("" without one).
    pub hash: String,
}

impl Default for ConfigVersion {
    fn default() -> Self {
        Self {
            number: 1,
            hash: String::new(),
        }
    }
}

impl AppState {
    /// State with the wall clock and no redaction; replace fields for tests or to plug in the
    /// redact engine.
    pub fn new(settings: Settings, store: Arc<dyn SessionStore>, backend: Backend) -> Self {
        let encoding = settings.context.encoding;
        let formula = ChatFormula::new(encoding, settings.context.model.as_deref());
        let limits = Limits::local(&settings.rate_limit);
        let auth = auth::from_settings(&settings.auth);
        let breaker = Arc::new(Breaker::new(settings.backend.name(), settings.breaker));
        Self::from(StateParts {
            settings: Arc::new(settings),
            store,
            backend: Arc::new(backend),
            clock: Arc::new(SystemClock),
            redactor: Arc::new(NoRedaction),
            metrics: Arc::new(Metrics::default()),
            counter: Counter::new(encoding),
            formula,
            limits,
            auth,
            breaker,
            plugins: Arc::new(Plugins::default()),
            config: ConfigVersion::default(),
        })
    }

    /// Updates a session: straight to the store's writer when it has one (no hop through the
    /// blocking pool), else on the blocking pool. Counted in the metrics as `update`.
    pub async fn store_update(&self, id: &str, f: UpdateFn) -> Result<UpdateResult, ApiError> {
        let result = match self.store.submit_update(id, f) {
            Ok(pending) => pending.await,
            Err(f) => {
                let store = Arc::clone(&self.store);
                let id = id.to_string();
                tokio::task::spawn_blocking(move || store.update_dyn(&id, f))
                    .await
                    .unwrap_or_else(|e| Err(StoreError::Backend(format!("store task failed: {e}"))))
            }
        };
        self.metrics.store_op("update", result.is_ok());
        result.map_err(ApiError::from)
    }

    /// Runs a store call on the blocking pool (a commit may fsync) and counts it in the metrics.
    pub async fn store_call<T, F>(&self, op: &'static str, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SessionStore) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let result = tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .unwrap_or_else(|e| Err(StoreError::Backend(format!("store task failed: {e}"))));
        self.metrics.store_op(op, result.is_ok());
        result.map_err(ApiError::from)
    }

    /// Every circuit breaker: the backend's, then each plugin's.
    pub fn breakers(&self) -> Vec<&Breaker> {
        std::iter::once(self.breaker.as_ref())
            .chain(self.plugins.iter().map(|p| p.breaker.as_ref()))
            .collect()
    }
}
