#!/usr/bin/env bash
# Efficiency of `plugctl bench` against wrk -t1 (and oha when installed), on one machine.
#
# Starts one nginx worker on 127.0.0.1 (a free high port) serving a ~120-byte JSON file with
# keep-alive, then runs the generators in turn, interleaved, for several rounds: c=50, 10 s each.
# For every run it takes the generator's user+sys CPU time from /usr/bin/time and divides it by
# the requests the generator completed. Prints the medians and plugctl's ratios to wrk.
#
# Needs: nginx, wrk, /usr/bin/time (Debian: apt-get install -y nginx wrk time), python3, and a
# release build (cargo build --release). Optional: oha on PATH or OHA=/path/to/oha.
#
# Usage: scripts/bench/bench.sh            ROUNDS=5 DURATION=10 CONNECTIONS=50 by default
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
PLUGCTL=${PLUGCTL:-${CARGO_TARGET_DIR:-$root/target}/release/plugctl}
OHA=${OHA:-$(command -v oha || true)}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

# shellcheck source=lib/nginx_static.sh
source "$root/scripts/bench/lib/nginx_static.sh"

work=$(mktemp -d)
cleanup() {
    if [[ -f $work/nginx.pid ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/www"
printf '{"response":"success","session":"3f2a9c","tokens":{"prompt":12,"completion":7},"model":"dev","ok":true}\n' >"$work/www/chat.json"
nginx_static "$NGINX" "$work" "$port"
url="http://127.0.0.1:$port/chat.json"
echo "nginx: 1 worker on 127.0.0.1:$port, body $(wc -c <"$work/www/chat.json") bytes" >&2

results=$work/results.tsv
measure() { # name, command...
    local name=$1; shift
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
    local cpu requests
    cpu=$(awk '{print $1 + $2}' "$work/time" | tail -1)
    case $name in
        plugctl) requests=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$work/out") ;;
        wrk) requests=$(awk '/requests in/ {print $1}' "$work/out") ;;
        oha) requests=$(python3 -c 'import json,sys; print(sum(json.load(open(sys.argv[1]))["statusCodeDistribution"].values()))' "$work/out") ;;
    esac
    python3 - "$name" "$cpu" "$requests" "$DURATION" >>"$results" <<'PY'
import sys
name, cpu, n, d = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print(f"{name}\t{cpu * 1e6 / n:.2f}\t{n / d:.0f}\t{n}")
PY
    tail -1 "$results" >&2
}

for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    measure plugctl "$PLUGCTL" --output json bench "$url" -c "$CONNECTIONS" -d "${DURATION}s"
    measure wrk wrk -t1 -c "$CONNECTIONS" -d "${DURATION}s" "$url"
    if [[ -n $OHA ]]; then
        measure oha "$OHA" --no-tui --output-format json -c "$CONNECTIONS" -z "${DURATION}s" "$url"
    fi
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
by = {}
for name, us, rps, n in rows:
    by.setdefault(name, []).append((float(us), float(rps)))
med = {k: (statistics.median(u for u, _ in v), statistics.median(r for _, r in v), len(v)) for k, v in by.items()}
print("| generator | CPU µs/request (median) | req/s (median) | rounds |")
print("| --- | ---: | ---: | ---: |")
for k, (us, rps, n) in med.items():
    print(f"| {k} | {us:.1f} | {rps:,.0f} | {n} |")
if "wrk" in med and "plugctl" in med:
    print()
    print(f"plugctl / wrk: CPU per request {med['plugctl'][0] / med['wrk'][0]:.2f}x, "
          f"req/s {med['plugctl'][1] / med['wrk'][1]:.2f}x")
if "oha" in med and "plugctl" in med:
    print(f"plugctl / oha: CPU per request {med['plugctl'][0] / med['oha'][0]:.2f}x, "
          f"req/s {med['plugctl'][1] / med['oha'][1]:.2f}x")
PY
