//! Fan-out (`serve.fan_out`): one turn asked of several plugins, their answers aggregated.
//!
//! - `all`: every plugin at once; the reply combines the answers, one part per plugin.
//! - `first_success`: every plugin at once; the first answer wins, the others are cancelled.
//! - `priority`: one after another in the listed order; the first answer wins.
//!
//! Each plugin keeps its own breaker, timeout and concurrency limit: a plugin that fails (an
//! error, a timeout, an open circuit, no free slot) only marks its own part failed, with the
//! reason, and the answer as partial; the turn fails (502) only when no plugin answered.

use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::plugins::{Plugin, Plugins};
use super::problem::ApiError;

/// How the answers of a fan-out are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    All,
    FirstSuccess,
    Priority,
}

impl Mode {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "all" => Some(Mode::All),
            "first_success" => Some(Mode::FirstSuccess),
            "priority" => Some(Mode::Priority),
            _ => None,
        }
    }
}

/// One `serve.fan_out` entry: a name the request's `plugin` field gives, and its plugins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOutSettings {
    pub name: String,
    pub mode: Mode,
    pub plugins: Vec<String>,
}

/// What one plugin contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Part {
    pub plugin: String,
    /// `ok`, `failed` (see `reason`) or `skipped` (another plugin answered first).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Part {
    fn of(plugin: &str, result: Result<String, String>) -> Self {
        let (status, reply, reason) = match result {
            Ok(reply) => ("ok", Some(reply), None),
            Err(reason) => ("failed", None, Some(reason)),
        };
        Self {
            plugin: plugin.to_string(),
            status: status.into(),
            reply,
            reason,
        }
    }

    fn skipped(plugin: &str) -> Self {
        Self {
            plugin: plugin.to_string(),
            status: "skipped".into(),
            reply: None,
            reason: Some("another plugin answered first".into()),
        }
    }
}

/// The combined reply and every part; `Err` when no plugin answered.
#[derive(Debug)]
pub struct Outcome {
    pub reply: String,
    pub parts: Vec<Part>,
    /// Some plugin failed.
    pub partial: bool,
}

/// Asks the plugins of `group` as its mode says.
pub async fn run(
    plugins: &Plugins,
    group: &FanOutSettings,
    messages: &[Value],
) -> Result<Outcome, ApiError> {
    let members: Vec<&Plugin> = group
        .plugins
        .iter()
        .filter_map(|name| plugins.iter().find(|p| p.name() == name))
        .collect();
    let parts: Vec<Part> = match group.mode {
        Mode::All => {
            let calls = members.iter().map(|p| call(p, messages));
            let results = futures_util::future::join_all(calls).await;
            members
                .iter()
                .zip(results)
                .map(|(p, r)| Part::of(p.name(), r))
                .collect()
        }
        Mode::Priority => {
            let mut parts = Vec::new();
            for p in &members {
                if parts.iter().any(|part: &Part| part.status == "ok") {
                    parts.push(Part::skipped(p.name()));
                    continue;
                }
                parts.push(Part::of(p.name(), call(p, messages).await));
            }
            parts
        }
        Mode::FirstSuccess => {
            let mut results: Vec<Option<Result<String, String>>> = vec![None; members.len()];
            let mut racing: FuturesUnordered<_> = members
                .iter()
                .enumerate()
                .map(|(i, p)| async move { (i, call(p, messages).await) })
                .collect();
            while let Some((i, result)) = racing.next().await {
                let won = result.is_ok();
                results[i] = Some(result);
                if won {
                    break;
                }
            }
            // Dropping the others cancels their calls (their breakers count nothing).
            drop(racing);
            members
                .iter()
                .zip(results)
                .map(|(p, r)| match r {
                    Some(r) => Part::of(p.name(), r),
                    None => Part::skipped(p.name()),
                })
                .collect()
        }
    };
    let answers: Vec<&Part> = parts.iter().filter(|p| p.status == "ok").collect();
    if answers.is_empty() {
        let reasons: Vec<String> = parts
            .iter()
            .map(|p| format!("{}: {}", p.plugin, p.reason.as_deref().unwrap_or("failed")))
            .collect();
        return Err(ApiError::BadGateway(format!(
            "no plugin of {:?} answered ({})",
            group.name,
            reasons.join("; ")
        )));
    }
    let reply = if group.mode == Mode::All && answers.len() > 1 {
        answers
            .iter()
            .map(|p| format!("[{}] {}", p.plugin, p.reply.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\n\n")
    } else {
        answers[0].reply.clone().unwrap_or_default()
    };
    let partial = parts.iter().any(|p| p.status == "failed");
    Ok(Outcome {
        reply,
        parts,
        partial,
    })
}

/// One plugin's answer, through its concurrency limit and breaker; the reason when it fails.
async fn call(plugin: &Plugin, messages: &[Value]) -> Result<String, String> {
    let _slot = plugin.slot().map_err(|e| e.to_string())?;
    let permit = plugin
        .breaker
        .acquire()
        .map_err(|e| ApiError::from(e).to_string())?;
    match plugin.backend.complete(messages).await {
        Ok(reply) => {
            permit.success();
            Ok(reply)
        }
        Err(e) => {
            permit.failure();
            Err(e.to_string())
        }
    }
}
