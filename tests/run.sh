#!/usr/bin/env bash
# plugctl's whole test suite, from a fresh Debian/Ubuntu machine: installs what is missing,
# starts what the tests need, then runs the formatting and lint gates and every test.
# CI runs exactly this script (.ci/run). Under CI=true a missing prerequisite is a failure,
# never a skipped test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'tests/run.sh: %s\n' "$*" >&2; exit 1; }

# Root installs directly; everyone else through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=false
apt_install() {
  command -v apt-get >/dev/null || die "missing $*, and this is not a Debian/Ubuntu machine: install it by hand"
  if [ "$apt_updated" = false ]; then as_root apt-get update -qq; apt_updated=true; fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Toolchain -------------------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs), then rerun"
command -v cc >/dev/null || apt_install build-essential
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  command -v rustup >/dev/null || die "cargo fmt/clippy missing and no rustup to add them"
  rustup component add rustfmt clippy
fi

# --- Redis (session store tests) ---------------------------------------------------------------
# The store tests start their own redis-server on 127.0.0.1 and a free port, without persistence;
# only the binary is needed. The package's system-wide service is not started here.
if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
  apt_install redis-server
  # Debian starts the service on install where systemd runs; the tests do not use it.
fi

# --- Gates -----------------------------------------------------------------------------------
say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

# --- Tests -----------------------------------------------------------------------------------
say "cargo test"
cargo test --locked "$@"
