//! `BenchError`: what can go wrong before or around a load test (not the per-request failures,
//! which are counted as [`crate::bench::stats::ErrorKind`] outcomes and never abort a run).

use std::path::PathBuf;

/// Why a benchmark could not be planned, run, merged or checked.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("invalid URL {url:?}: {message}")]
    Url { url: String, message: String },
    #[error("cannot resolve {host}")]
    Resolve {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid header {0:?}: expected 'Name: value'")]
    Header(String),
    #[error("invalid method {0:?}")]
    Method(String),
    #[error("invalid --json body: {0}")]
    Json(String),
    #[error("{} has no request lines", .0.display())]
    EmptyBodyLines(PathBuf),
    #[error("invalid load settings: {0}")]
    Plan(String),
    #[error("invalid --fail-if expression {expr:?}: {message}")]
    FailIf { expr: String, message: String },
    #[error("invalid bench report {name}: {message}")]
    Report { name: String, message: String },
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    #[error("the benchmark threads failed: {0}")]
    Engine(String),
}

impl BenchError {
    /// Mistakes in the arguments (exit 2) as opposed to failures while running (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            BenchError::Url { .. }
                | BenchError::Tls(_)
                | BenchError::Header(_)
                | BenchError::Method(_)
                | BenchError::Json(_)
                | BenchError::EmptyBodyLines(_)
                | BenchError::Plan(_)
                | BenchError::FailIf { .. }
        )
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            BenchError::Url { .. } => {
                Some("give a full URL such as http://127.0.0.1:8080/v1/chat".into())
            }
            BenchError::Resolve { .. } => Some("check the host name in the URL".into()),
            BenchError::Header(_) => {
                Some("write headers as -H 'Content-Type: application/json'".into())
            }
            BenchError::FailIf { .. } => Some(
                "write objectives as METRIC OP VALUE, e.g. 'p99>200ms', 'error_rate>1%', 'rps<500'"
                    .into(),
            ),
            BenchError::Report { .. } => {
                Some("pass files written by `plugctl bench --output json`".into())
            }
            _ => None,
        }
    }
}
