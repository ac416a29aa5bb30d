#!/usr/bin/env bash
# POST /v1/chat throughput and p99 of `plugctl serve` (release build, echo backend, redaction and
# trimming on, a new session stored per request) with each store setting, against the classic
# Flask skeleton under gunicorn (2 gthread workers x 4 threads) and one nginx worker serving a
# static file (the ceiling of this machine), all on loopback, measured with wrk in interleaved
# rounds whose order rotates. Prints one line per run, then medians and ratios.
#
# Targets: plugctl with the embedded store and `--durability fsync` (acknowledged after fsync)
# and `--durability os` (acknowledged once written to the OS), plugctl with `--store redis://`
# when redis-server is installed (its own instance, no persistence), Flask, nginx.
#
# usage: scripts/bench/serve.sh [ROUNDS] [DURATION] [CONNECTIONS]   (defaults 5 10s 50)
# Needs: wrk, nginx, python3 with flask and gunicorn (installed with pip when missing),
# optionally redis-server. Debian: apt-get install -y wrk nginx redis-server
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=${1:-5}
duration=${2:-10s}
conns=${3:-50}

command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || { echo "install nginx (apt-get install nginx)" >&2; exit 1; }
REDIS=${REDIS:-$(command -v redis-server || echo /usr/bin/redis-server)}
python3 -c 'import flask, gunicorn' 2>/dev/null || python3 -m pip install -q flask gunicorn
cargo build --release --locked -q
plugctl=${CARGO_TARGET_DIR:-target}/release/plugctl

# shellcheck source=lib/nginx_static.sh
source scripts/bench/lib/nginx_static.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

names=() urls=() scripts=()
add() { names+=("$1"); urls+=("$2"); scripts+=("$3"); }
chat_lua=scripts/bench/serve/post_chat.lua

for mode in fsync os; do
  port=$(free_port)
  "$plugctl" --no-config serve --bind "127.0.0.1:$port" --data-dir "$work/data-$mode" \
    --durability "$mode" --rate-limit off 2>"$work/plugctl-$mode.log" &
  pids+=($!)
  add "plugctl-$mode" "http://127.0.0.1:$port/v1/chat" "$chat_lua"
done

if [ -x "$REDIS" ]; then
  redis_port=$(free_port)
  "$REDIS" --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$work" \
    --loglevel warning >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.1; done
  port=$(free_port)
  "$plugctl" --no-config serve --bind "127.0.0.1:$port" \
    --store "redis://127.0.0.1:$redis_port/" --rate-limit off 2>"$work/plugctl-redis.log" &
  pids+=($!)
  add plugctl-redis "http://127.0.0.1:$port/v1/chat" "$chat_lua"
else
  echo "redis-server not found: the redis store is not measured" >&2
fi

port=$(free_port)
(cd scripts/bench/serve && exec python3 -m gunicorn --log-level warning -w 2 -k gthread \
  --threads 4 -b "127.0.0.1:$port" flask_skeleton:app) &
pids+=($!)
add flask "http://127.0.0.1:$port/v1/chat" "$chat_lua"

# One nginx worker serving a small JSON file with keep-alive: what this machine can answer at
# best over HTTP/1.1 on loopback.
port=$(free_port)
mkdir -p "$work/www"
printf '{"session_id":"3f2a9c","reply":"echo: Hello!","usage":{"prompt_tokens":9,"completion_tokens":4},"compressed":false,"redactions":0}\n' \
  >"$work/www/chat.json"
nginx_static "$NGINX" "$work" "$port"
add nginx "http://127.0.0.1:$port/chat.json" ""

for url in "${urls[@]}"; do # wait until every target answers
  base=${url%/*}
  for _ in $(seq 100); do curl -s -o /dev/null "$base/" && break; sleep 0.1; done
done

run() { # url script -> "req/s p99_ms"
  local args=(-t1 -c"$conns" -d"$duration" --latency)
  [ -n "$2" ] && args+=(-s "$2")
  wrk "${args[@]}" "$1" | awk '/Requests\/sec/ {rps=$2} /^ *99%/ {p=$2}
    /Non-2xx/ {bad=$NF} END {
      if (p ~ /ms$/) {sub(/ms/,"",p)} else if (p ~ /us$/) {sub(/us/,"",p); p=p/1000}
      else if (p ~ /s$/) {sub(/s/,"",p); p=p*1000}
      if (bad > 0) {rps = 0}  # errors do not count as throughput
      print rps, p }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rps p99
n=${#names[@]}
for i in $(seq "$rounds"); do
  # The order rotates every round: a target measured right after a plugctl server has that
  # server's checkpoint writing to the same disk, which shows in its p99.
  for j in $(seq 0 $((n - 1))); do
    k=$(((i - 1 + j) % n))
    # Each target starts on a quiet disk: what the previous one left dirty in the page cache
    # (the `os` server's log, hundreds of MB a run) is written back now, not during this run.
    sync
    read -r r p < <(run "${urls[$k]}" "${scripts[$k]}")
    printf 'round %d %-14s %9.0f req/s  p99 %7.2f ms\n' "$i" "${names[$k]}" "$r" "$p"
    rps[${names[$k]}]+="$r "
    p99[${names[$k]}]+="$p "
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A m
echo
printf '%-14s %12s %12s\n' target "median req/s" "median p99"
for name in "${names[@]}"; do
  m[$name]=$(median <<<"${rps[$name]}")
  printf '%-14s %12.0f %9.2f ms\n' "$name" "${m[$name]}" "$(median <<<"${p99[$name]}")"
done
echo
for name in "${names[@]}"; do
  case $name in plugctl-*)
    printf '%-14s %.2fx flask, %.2fx nginx\n' "$name" \
      "$(awk -v a="${m[$name]}" -v b="${m[flask]}" 'BEGIN {print a/b}')" \
      "$(awk -v a="${m[$name]}" -v b="${m[nginx]}" 'BEGIN {print a/b}')"
  esac
done
