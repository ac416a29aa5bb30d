#!/usr/bin/env bash
# Accuracy of `plugctl bench --rate` against loopback targets whose latency is known:
# 2% of requests delayed 20 ms (true p99 = 20 ms), and a server that freezes for 300 ms once a
# second (at 200 req/s the true p90 ≈ 200 ms and p99 ≈ 290 ms), with 50 connections and with one.
# The targets are the test servers of tests/it/support/servers.rs; the run is the ignored
# `accuracy_figures` test, built in release mode. Prints a Markdown table.
#
# Usage: scripts/bench/accuracy.sh            ACCURACY_SECONDS=10 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --release --test it accuracy_figures -- --ignored --nocapture --test-threads 1 2>/dev/null \
    | grep '^|'
