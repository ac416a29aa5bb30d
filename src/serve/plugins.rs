//! Several plugins behind one server (`serve.plugins`): each is a backend (an OpenAI-compatible
//! upstream or the built-in echo) with its own circuit breaker, timeout and concurrency limit,
//! and a routing rule.
//!
//! A chat turn goes to, in order: the plugin named by the request's `plugin` field; the plugin
//! under whose `path_prefix` the request was posted; the first plugin one of whose keywords occurs in the
//! message (whole words, any case) or whose pattern matches it; the plugin marked `default`; else the server's own backend
//! (`serve.backend`). A failing or busy plugin answers for itself only: its breaker opens and
//! its slots fill, the others are not touched.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::backend::{Backend, BackendError};
use super::breaker::{Breaker, BreakerSettings};
use super::problem::ApiError;
use super::settings::BackendSettings;

/// One configured plugin, resolved.
#[derive(Debug, Clone)]
pub struct PluginSettings {
    pub name: String,
    pub backend: BackendSettings,
    /// Most calls in flight at once; `None` for no limit.
    pub concurrency: Option<usize>,
    /// Lower-case words of the message that pick this plugin.
    pub keywords: Vec<String>,
    /// A regex that, found in the message, picks this plugin.
    pub pattern: Option<regex::Regex>,
    /// Paths of its own under `/v1/` (this one, and any below it) that take the same body as
    /// `/v1/chat`.
    pub path_prefix: Option<String>,
    /// Takes the messages no other rule picked.
    pub default: bool,
}

/// A plugin at run time.
#[derive(Debug)]
pub struct Plugin {
    pub settings: PluginSettings,
    pub backend: Arc<Backend>,
    pub breaker: Arc<Breaker>,
    slots: Option<Arc<Semaphore>>,
}

impl Plugin {
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// A slot for one call, or 503 at once when all of them are taken.
    pub fn slot(&self) -> Result<Option<OwnedSemaphorePermit>, ApiError> {
        let Some(slots) = &self.slots else {
            return Ok(None);
        };
        Arc::clone(slots)
            .try_acquire_owned()
            .map(Some)
            .map_err(|_| {
                ApiError::Busy(format!(
                    "plugin {:?} has {} calls in flight, its limit",
                    self.settings.name,
                    self.settings.concurrency.unwrap_or(0)
                ))
            })
    }
}

/// The route of every path below a prefix (as `MatchedPath` reports it).
fn below(prefix: &str) -> String {
    format!("{prefix}/{{*rest}}")
}

/// Every configured plugin.
#[derive(Debug, Default)]
pub struct Plugins {
    list: Vec<Plugin>,
}

impl Plugins {
    pub fn new(
        settings: &[PluginSettings],
        breaker: BreakerSettings,
    ) -> Result<Self, BackendError> {
        let list = settings
            .iter()
            .map(|s| {
                Ok(Plugin {
                    backend: Arc::new(Backend::new(&s.backend)?),
                    breaker: Arc::new(Breaker::new(&s.name, breaker)),
                    slots: s.concurrency.map(|n| Arc::new(Semaphore::new(n))),
                    settings: s.clone(),
                })
            })
            .collect::<Result<_, BackendError>>()?;
        Ok(Self { list })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Plugin> {
        self.list.iter()
    }

    /// The routes of the plugins' path prefixes: each prefix, and everything below it.
    pub fn routes(settings: &[PluginSettings]) -> impl Iterator<Item = String> {
        settings
            .iter()
            .filter_map(|s| s.path_prefix.as_deref())
            .flat_map(|p| [p.to_string(), below(p)])
    }

    /// The plugin for a turn; `None` means the server's own backend. `main` is that backend's
    /// name, which an explicit `plugin` field may also give.
    pub fn route(
        &self,
        explicit: Option<&str>,
        path: &str,
        message: &str,
        main: &str,
    ) -> Result<Option<&Plugin>, ApiError> {
        if let Some(name) = explicit {
            if let Some(p) = self.list.iter().find(|p| p.name() == name) {
                return Ok(Some(p));
            }
            if name == main {
                return Ok(None);
            }
            let known: Vec<&str> = self.list.iter().map(Plugin::name).chain([main]).collect();
            return Err(ApiError::Unprocessable(format!(
                "no plugin named {name:?}; this server has {}",
                known.join(", ")
            )));
        }
        if let Some(p) = self.list.iter().find(|p| {
            p.settings
                .path_prefix
                .as_deref()
                .is_some_and(|prefix| path == prefix || path == below(prefix))
        }) {
            return Ok(Some(p));
        }
        let words: Vec<String> = message
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if let Some(p) = self.list.iter().find(|p| {
            p.settings.keywords.iter().any(|k| words.contains(k))
                || p.settings
                    .pattern
                    .as_ref()
                    .is_some_and(|re| re.is_match(message))
        }) {
            return Ok(Some(p));
        }
        Ok(self.list.iter().find(|p| p.settings.default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(name: &str, keywords: &[&str], path: Option<&str>, default: bool) -> PluginSettings {
        PluginSettings {
            name: name.into(),
            backend: BackendSettings::Echo,
            concurrency: Some(1),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            pattern: None,
            path_prefix: path.map(str::to_string),
            default,
        }
    }

    fn names(plugins: &Plugins, explicit: Option<&str>, path: &str, message: &str) -> String {
        match plugins.route(explicit, path, message, "echo") {
            Ok(Some(p)) => p.name().to_string(),
            Ok(None) => "main".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn explicit_then_path_then_keywords_then_default() {
        let plugins = Plugins::new(
            &[
                plugin("weather", &["weather", "forecast"], None, false),
                plugin("news", &["news"], Some("/v1/news"), false),
            ],
            BreakerSettings::default(),
        )
        .unwrap();
        assert_eq!(
            names(&plugins, Some("news"), "/v1/chat", "weather?"),
            "news"
        );
        assert_eq!(
            names(&plugins, Some("echo"), "/v1/chat", "weather?"),
            "main"
        );
        assert!(names(&plugins, Some("sport"), "/v1/chat", "").starts_with("error: no plugin"));
        assert_eq!(names(&plugins, None, "/v1/news", "the Weather"), "news");
        assert_eq!(
            names(&plugins, None, "/v1/news/{*rest}", "the Weather"),
            "news"
        );
        assert_eq!(
            names(&plugins, None, "/v1/chat", "The FORECAST, please"),
            "weather"
        );
        // Whole words only.
        assert_eq!(names(&plugins, None, "/v1/chat", "newsletter"), "main");
        let with_default = Plugins::new(
            &[
                plugin("a", &["x"], None, false),
                plugin("b", &[], None, true),
            ],
            BreakerSettings::default(),
        )
        .unwrap();
        assert_eq!(names(&with_default, None, "/v1/chat", "hello"), "b");
        let mut stocks = plugin("stocks", &[], None, false);
        stocks.pattern = Some(regex::Regex::new(r"\$[A-Z]{1,5}\b").unwrap());
        let with_pattern = Plugins::new(&[stocks], BreakerSettings::default()).unwrap();
        assert_eq!(
            names(&with_pattern, None, "/v1/chat", "price of $ACME?"),
            "stocks"
        );
        assert_eq!(
            names(&with_pattern, None, "/v1/chat", "price of acme?"),
            "main"
        );
    }

    #[test]
    fn a_full_plugin_is_busy_and_frees_its_slot() {
        let plugins =
            Plugins::new(&[plugin("a", &[], None, false)], BreakerSettings::default()).unwrap();
        let a = plugins.iter().next().unwrap();
        let slot = a.slot().unwrap();
        assert!(matches!(a.slot(), Err(ApiError::Busy(_))));
        drop(slot);
        assert!(a.slot().is_ok());
    }
}
