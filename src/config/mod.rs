//! Configuration: the file, the environment and the defaults, resolved once before a command runs.
//!
//! Precedence is the same for every setting: command-line flag, then `PLUGCTL_*` environment
//! variable, then `plugctl.yaml`, then built-in default. clap applies the first two for global flags (`env = ...`);
//! [`layer`] applies the rest. The file is found by [`file::locate`]; `--no-config` skips it.

pub mod env;
pub mod file;

use std::path::{Path, PathBuf};

pub use file::{ConfigFile, Source};

use crate::error::ExitStatus;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} not found", .0.display())]
    NotFound(PathBuf),
    #[error("reading config file {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {}{location}: {message}", .path.display())]
    Parse {
        path: PathBuf,
        location: String,
        message: String,
    },
    #[error("invalid setting {key} = {value:?} (from {origin}): {message}")]
    Invalid {
        key: &'static str,
        value: String,
        origin: Origin,
        message: String,
    },
}

impl ConfigError {
    /// A configuration mistake is a usage error; a file we could not read is a plain failure.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            ConfigError::Read { .. } => ExitStatus::Failure,
            _ => ExitStatus::Usage,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            ConfigError::NotFound(_) => Some(format!(
                "pass an existing file to --config (or ${}), or drop it to use ./{}",
                env::CONFIG,
                file::FILE_NAME
            )),
            ConfigError::Read { .. } => Some("check the file's permissions".into()),
            ConfigError::Parse { .. } => Some(
                "fix the key or value named above; the README lists every setting of plugctl.yaml"
                    .into(),
            ),
            ConfigError::Invalid { origin, .. } => Some(format!("change the value in {origin}")),
        }
    }
}

/// Which layer a resolved setting came from; shown in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(&'static str),
    File,
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => f.write_str("the command line"),
            Origin::Env(name) => write!(f, "${name}"),
            Origin::File => f.write_str(file::FILE_NAME),
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// The first layer that has a value: flag, then environment variable, then file.
pub fn layer<T>(
    flag: Option<T>,
    env_name: &'static str,
    parse_env: impl FnOnce(String) -> T,
    file: Option<T>,
) -> Option<(T, Origin)> {
    flag.map(|v| (v, Origin::Flag))
        .or_else(|| env::var(env_name).map(|v| (parse_env(v), Origin::Env(env_name))))
        .or_else(|| file.map(|v| (v, Origin::File)))
}

/// The loaded configuration file (empty when there is none) and where it came from.
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    pub file: ConfigFile,
    pub path: Option<PathBuf>,
}

/// Loads the configuration: `explicit` is `--config`/`$PLUGCTL_CONFIG`; `no_config` skips all files.
pub fn load(explicit: Option<&Path>, no_config: bool) -> Result<Loaded, ConfigError> {
    if no_config {
        return Ok(Loaded::default());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let dirs = directories::ProjectDirs::from("", "", "plugctl");
    let source = file::locate(explicit, &cwd, dirs.as_ref().map(|d| d.config_dir()));
    let Some(source) = source else {
        return Ok(Loaded::default());
    };
    let path = match source {
        Source::Explicit(p) => {
            if !p.is_file() {
                return Err(ConfigError::NotFound(p));
            }
            p
        }
        Source::Discovered(p) => p,
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let file = file::parse(&path, &text)?;
    tracing::debug!(path = %path.display(), "loaded configuration");
    Ok(Loaded {
        file,
        path: Some(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_file() {
        let got = layer(Some(1), "PLUGCTL_TEST_UNSET_VARIABLE", |_| 2, Some(3));
        assert_eq!(got, Some((1, Origin::Flag)));
    }

    #[test]
    fn file_fills_in_when_nothing_else_is_set() {
        let got = layer(None, "PLUGCTL_TEST_UNSET_VARIABLE", |_| 2, Some(3));
        assert_eq!(got, Some((3, Origin::File)));
        let none: Option<(i32, Origin)> = layer(None, "PLUGCTL_TEST_UNSET_VARIABLE", |_| 2, None);
        assert_eq!(none, None);
    }

    #[test]
    fn explicit_missing_file_is_an_error() {
        let err = load(Some(Path::new("/nonexistent/plugctl.yaml")), false).unwrap_err();
        assert!(matches!(err, ConfigError::NotFound(_)));
        assert_eq!(err.exit_status(), ExitStatus::Usage);
    }
}
