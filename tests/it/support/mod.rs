//! Shared test helpers: a sandboxed `plugctl` command and the reference data.

// Each test module uses its own subset of these helpers.
#![allow(dead_code, unreachable_pub)]

pub mod faults;
pub mod oidc;
pub mod redis;
pub mod serve_child;
pub mod servers;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A `plugctl` command that cannot see the developer's configuration: HOME and the XDG dirs
/// point into a fresh temporary directory, every `PLUGCTL_*` variable is removed, colour is off,
/// and the working directory is the sandbox.
pub(crate) struct Sandbox {
    pub(crate) dir: tempfile::TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the sandbox and returns its path.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// The sandboxed command, for assertions on its output.
    pub(crate) fn cmd(&self) -> Command {
        Command::from_std(self.command())
    }

    /// The sandboxed command as a plain `std::process::Command`, for long-running children
    /// (servers) and for watching a child while it runs.
    pub(crate) fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_plugctl"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PLUGCTL_") {
                cmd.env_remove(&key);
            }
        }
        // A developer's own key must not reach the fake upstreams of the tests.
        cmd.env_remove("OPENAI_API_KEY");
        let home = self.dir.path().join("home");
        cmd.current_dir(self.dir.path())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .env_remove("OPENAI_API_KEY");
        cmd
    }
}

/// A file of the repository's test data (tests/data/...).
pub(crate) fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs the command and returns (exit code, stdout, stderr).
pub(crate) fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run plugctl");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
