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

# --- serve: a real browser (Chromium + playwright-core) and schemathesis ---------------------
# tests/it/serve_browser.rs drives Debian's chromium through playwright-core (never a browser of
# its own), tests/it/serve_schema.rs runs schemathesis; their packages live in git-ignored folders
# (tests/browser/node_modules, tests/schema/.venv). Under CI a failed install fails the run; on a
# developer's machine the tests that need it are skipped with a loud message instead.
web_setup() {
  # set -e does not reach into a function called with ||, hence the explicit returns.
  command -v chromium >/dev/null || apt_install chromium || return 1
  { command -v node >/dev/null && command -v npm >/dev/null; } || apt_install nodejs npm || return 1
  if [ ! -f tests/browser/node_modules/playwright-core/package.json ] \
    || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    say "installing tests/browser node packages"
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) || return 1
  fi
  command -v python3 >/dev/null || apt_install python3 || return 1
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv || return 1
  if [ ! -x tests/schema/.venv/bin/schemathesis ] \
    || [ tests/schema/requirements.txt -nt tests/schema/.venv/bin/schemathesis ]; then
    say "installing schemathesis into tests/schema/.venv"
    rm -rf tests/schema/.venv
    python3 -m venv tests/schema/.venv || return 1
    tests/schema/.venv/bin/pip install --quiet --disable-pip-version-check -r tests/schema/requirements.txt \
      || return 1
  fi
}
if [ "${CI:-}" = true ]; then
  web_setup
else
  (web_setup) || say "WARNING: chromium, node or schemathesis could not be installed; the browser and schemathesis tests will be SKIPPED"
fi

# --- Login: a real OpenID provider and a real keyring (plugctl login / auth) ------------------
# npm's oidc-provider (tests/oidc, pinned in its package-lock.json, installed into the ignored
# tests/oidc/node_modules) plays the provider; gnome-keyring's Secret Service, in a private D-Bus
# session started below around `cargo test`, plays the OS keyring.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
for tool in dbus-run-session gnome-keyring-daemon secret-tool dbus-send; do
  command -v "$tool" >/dev/null || { apt_install dbus gnome-keyring libsecret-tools dbus-x11; break; }
done
if [ ! -d tests/oidc/node_modules/oidc-provider ]; then
  say "npm ci (tests/oidc)"
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi

# Runs "$@" with an unlocked gnome-keyring on the current session bus, with its data in a
# temporary directory so that no real keyring is ever touched. Called inside dbus-run-session.
with_keyring() {
  local tmp rc=0 pid="" i
  tmp=$(mktemp -d)
  export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  printf 'plugctl-test-only' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Wait for the daemon to own its bus name; a client call before would start a second one.
  for i in $(seq 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q 'boolean true' && break
    sleep 0.1
  done
  pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
    | awk '/uint32/ {print $2}')
  # --unlock exits 0 even when unlocking failed: prove the collection works with a round trip.
  if printf 'probe' | secret-tool store --label='plugctl test probe' service plugctl-run-sh account probe \
    && [ "$(secret-tool lookup service plugctl-run-sh account probe)" = probe ]; then
    secret-tool clear service plugctl-run-sh account probe
    export PLUGCTL_TEST_KEYRING=1
  elif [ "${CI:-}" = true ]; then
    die "gnome-keyring did not start unlocked"
  else
    say "WARNING: no working keyring; the keyring tests will be SKIPPED"
  fi
  "$@" || rc=$?
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  return "$rc"
}
if [ "${1:-}" = "--with-keyring" ]; then
  shift
  with_keyring "$@"
  exit $?
fi

# --- Gates -----------------------------------------------------------------------------------
# A CI run builds once from a clean clone: incremental state (a gigabyte) would only fill its disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

# --- Tests -----------------------------------------------------------------------------------
say "cargo test (in a private D-Bus session with gnome-keyring)"
dbus-run-session -- "$PWD/tests/run.sh" --with-keyring cargo test --locked "$@"
