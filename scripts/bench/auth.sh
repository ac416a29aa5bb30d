#!/usr/bin/env bash
# `plugctl auth token` with a fresh token in the keyring against the floor of reading the same
# keyring entry with `secret-tool lookup` (libsecret, C): both do one Secret Service round trip,
# plugctl also starts its runtime, reads the configuration and checks the expiry. No network
# call is made (the token is fresh). Interleaved runs, medians and the ratio are printed.
#
# Runs inside its own D-Bus session with a throw-away gnome-keyring (as tests/run.sh does).
# Usage: scripts/bench/auth.sh [ROUNDS]        ROUNDS=200 by default
#        PLUGCTL_BIN=path/to/plugctl to time another build (default: a release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-200}
if [ -z "${PLUGCTL_BIN:-}" ]; then
  cargo build --release --quiet
  PLUGCTL_BIN="${CARGO_TARGET_DIR:-target}/release/plugctl"
fi
export PLUGCTL_BIN rounds
exec dbus-run-session -- "$PWD/tests/run.sh" --with-keyring python3 - <<'PY'
import json, os, statistics, subprocess, tempfile, time

bin_, rounds = os.environ["PLUGCTL_BIN"], int(os.environ["rounds"])
service, profile = "plugctl-bench", "default"
tokens = {"issuer": "https://id.example", "client_id": "bench", "access_token": "a" * 43,
          "expires_at": int(time.time()) + 86400, "scopes": ["openid"], "subject": "bench"}
subprocess.run(["secret-tool", "store", "--label=plugctl bench", "service", service,
                "username", profile], input=json.dumps(tokens).encode(), check=True)
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home,
           PLUGCTL_KEYRING_SERVICE=service)
plugctl = [bin_, "--no-config", "auth", "token"]
floor = ["secret-tool", "lookup", "service", service, "username", profile]
assert subprocess.run(plugctl, env=env, capture_output=True, check=True).stdout.strip() == b"a" * 43

def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000

ours, theirs = [], []
for _ in range(rounds):
    ours.append(once(plugctl))
    theirs.append(once(floor))
subprocess.run(["secret-tool", "clear", "service", service, "username", profile], check=True)
mo, mt = statistics.median(ours), statistics.median(theirs)
print(f"| command | median ms | p90 ms |\n|---|---|---|")
for name, xs in [("plugctl auth token", ours), ("secret-tool lookup", theirs)]:
    print(f"| {name} | {statistics.median(xs):.2f} | {statistics.quantiles(xs, n=10)[-1]:.2f} |")
print(f"\nratio plugctl / secret-tool: {mo / mt:.2f}x over {rounds} interleaved rounds")
PY
