#!/usr/bin/env bash
# What the access log costs `plugctl serve`: POST /v1/chat throughput and p99 with no request
# lines (-q), text lines and JSON lines (each line redacted), stderr going to a file as a service
# manager would keep it. Memory store, so the store's fsync does not hide the logging cost.
# Runs are interleaved (quiet, text, json, quiet, ...) and repeated; medians and ratios at the end.
# usage: scripts/bench/serve_logs.sh [ROUNDS] [DURATION] [CONNECTIONS]
# $PLUGCTL overrides the binary (default: the release build, built here).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=${1:-3}
duration=${2:-10s}
conns=${3:-50}
target=${CARGO_TARGET_DIR:-target}
if [ -z "${PLUGCTL:-}" ]; then
  cargo build --release --locked -q
  PLUGCTL="$target/release/plugctl"
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=18797
url="http://127.0.0.1:$port/v1/chat"
body='{"message": "Hello from the benchmark, mail me at bench@example.com"}'

# One run: start the server in MODE, load it, stop it; prints "MODE req/s p99_ms log_lines".
run() {
  local mode=$1 global=() args=()
  case $mode in
    quiet) global=(-q) ;;
    text) args=(--log-format text) ;;
    json) args=(--log-format json) ;;
  esac
  "$PLUGCTL" --no-config "${global[@]}" serve --bind 127.0.0.1:$port --store memory --rate-limit off "${args[@]}" \
    2>"$work/$mode.log" &
  server_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
  done
  "$PLUGCTL" --no-config --output json bench -c "$conns" -d "$duration" --warmup 1s \
    --json "$body" "$url" >"$work/report.json"
  kill -TERM "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  python3 - "$mode" "$work/report.json" "$work/$mode.log" <<'EOF'
import json, sys
mode, report, log = sys.argv[1:]
r = json.load(open(report))
lines = sum(1 for _ in open(log))
if r["error_rate"] > 0 or r["requests"] == 0:
    sys.exit(f"{mode}: {r['requests']} requests, error rate {r['error_rate']}; see the server log")
print(f"{mode} {r['rps']:.0f} {r['latency_ms']['p99']:.2f} {lines}")
EOF
}

results=$work/results.txt
: >"$results"
for round in $(seq "$rounds"); do
  for mode in quiet text json; do
    line=$(run "$mode")
    echo "round $round: $line" >&2
    echo "$line" >>"$results"
  done
done

python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for mode in ("quiet", "text", "json"):
    rps = [float(r[1]) for r in rows if r[0] == mode]
    p99 = [float(r[2]) for r in rows if r[0] == mode]
    med[mode] = (statistics.median(rps), statistics.median(p99))
for mode, (rps, p99) in med.items():
    print(f"{mode:5}  median {rps:8.0f} req/s  p99 {p99:6.2f} ms  {rps / med['quiet'][0]:.2f}x quiet")
EOF
