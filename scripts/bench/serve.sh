#!/usr/bin/env bash
# POST /v1/chat throughput of `plugctl serve` (release build, echo backend, embedded store with
# an fsync per write, trimming on) against the classic Flask skeleton under gunicorn
# (2 gthread workers x 4 threads), both on loopback, measured with wrk, interleaved.
# Prints one line per run and the medians and ratio at the end.
# usage: scripts/bench/serve.sh [ROUNDS] [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=${1:-3}
duration=${2:-10s}
conns=${3:-50}

command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
python3 -c 'import flask, gunicorn' 2>/dev/null || python3 -m pip install -q flask gunicorn
cargo build --release --locked -q

work=$(mktemp -d)
cleanup() {
  [ -n "${plugctl_pid:-}" ] && kill "$plugctl_pid" 2>/dev/null || true
  [ -n "${flask_pid:-}" ] && kill "$flask_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port_plugctl=18787
port_flask=18788
target=${CARGO_TARGET_DIR:-target}
"$target/release/plugctl" --no-config serve --bind 127.0.0.1:$port_plugctl \
  --data-dir "$work/data" --rate-limit off 2>"$work/plugctl.log" &
plugctl_pid=$!
(cd scripts/bench/serve && exec python3 -m gunicorn --log-level warning -w 2 -k gthread --threads 4 \
  -b 127.0.0.1:$port_flask flask_skeleton:app) &
flask_pid=$!
for port in $port_plugctl $port_flask; do # wait until both answer
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
done

run() { # name url -> "req/s p99_ms"
  wrk -t1 -c"$conns" -d"$duration" --latency -s scripts/bench/serve/post_chat.lua "$2/v1/chat" \
    | awk '/Requests\/sec/ {rps=$2} /^ *99%/ {p=$2} END {
        if (p ~ /ms$/) {sub(/ms/,"",p)} else if (p ~ /us$/) {sub(/us/,"",p); p=p/1000}
        else if (p ~ /s$/) {sub(/s/,"",p); p=p*1000}
        print rps, p }'
}

declare -a p_rps f_rps
for i in $(seq "$rounds"); do
  read -r r p < <(run plugctl "http://127.0.0.1:$port_plugctl")
  echo "round $i plugctl: $r req/s, p99 $p ms"; p_rps+=("$r")
  read -r r p < <(run flask "http://127.0.0.1:$port_flask")
  echo "round $i flask:   $r req/s, p99 $p ms"; f_rps+=("$r")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mp=$(median "${p_rps[@]}"); mf=$(median "${f_rps[@]}")
echo "median plugctl $mp req/s, flask $mf req/s, ratio $(awk -v a="$mp" -v b="$mf" 'BEGIN {printf "%.2f", a/b}')"
