#!/usr/bin/env python3
"""Benchmark: `plugctl tokens count` against Python tiktoken and ttok, in one run.

Whole process against whole process on the same ~64 MB mixed corpus, interleaved (the order
rotates every round) and repeated; prints the median wall time, throughput, CPU time and peak
memory of each tool, and plugctl's speed-up over each peer. Counts must be identical.

usage: scripts/bench/tokens.sh [--rounds N] [--megabytes M] [--big]
  --big  also counts a 1 GiB file with plugctl and reports its peak memory.
Run it through tokens.sh, which builds plugctl and installs the peers.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "bench-data")
PLUGCTL = os.path.join(ROOT, "target", "release", "plugctl")


def run(argv, stdin_path=None):
    """Runs argv to completion; returns (stdout, wall seconds, cpu seconds, peak RSS in MiB)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return out.decode().strip(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--megabytes", type=float, default=64)
    ap.add_argument("--big", action="store_true")
    args = ap.parse_args()

    corpus = os.path.join(DATA, f"corpus-{args.megabytes:g}mb.txt")
    if not os.path.exists(corpus):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), corpus, str(args.megabytes)], check=True)
    size_mb = os.path.getsize(corpus) / 1e6

    tools = {
        "plugctl": ([PLUGCTL, "--no-config", "-q", "tokens", "count", "--output", "json", corpus], None),
        "tiktoken (python, batch)": ([sys.executable, os.path.join(HERE, "tiktoken_count.py"), corpus, "o200k_base"], None),
        "ttok": (["ttok", "-m", "gpt-4o"], corpus),
    }

    def count_of(name, out):
        if name == "plugctl":
            import json
            return json.loads(out)["total"]
        return int(out.split()[-1])

    results = {name: [] for name in tools}
    counts = {}
    names = list(tools)
    for r in range(args.rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            argv, stdin = tools[name]
            out, wall, cpu, rss = run(argv, stdin)
            counts.setdefault(name, set()).add(count_of(name, out))
            results[name].append((wall, cpu, rss))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    distinct = set().union(*counts.values())
    print(f"corpus: {size_mb:.1f} MB, encoding o200k_base, {args.rounds} interleaved rounds, {os.cpu_count()} cores")
    print(f"token counts: {', '.join(f'{n}={sorted(c)}' for n, c in counts.items())}"
          f" -> {'identical' if len(distinct) == 1 else 'DIFFERENT'}")
    med = {n: statistics.median(w for w, _, _ in rs) for n, rs in results.items()}
    print()
    # Wall time is what a user waits; CPU time is steadier when the machine is shared.
    med_cpu = {n: statistics.median(c for _, c, _ in rs) for n, rs in results.items()}
    print("| tool | median wall s | MB/s | median CPU s | MB per CPU s | peak RSS MiB | plugctl speed-up (wall) | (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rs in results.items():
        wall, cpu = med[name], med_cpu[name]
        rss = max(m for _, _, m in rs)
        print(f"| {name} | {wall:.2f} | {size_mb / wall:.1f} | {cpu:.2f} | {size_mb / cpu:.1f} | {rss:.0f} "
              f"| {wall / med['plugctl']:.2f}x | {cpu / med_cpu['plugctl']:.2f}x |")

    if args.big:
        big = os.path.join(DATA, "corpus-1gib.txt")
        if not os.path.exists(big):
            with open(corpus, "rb") as src:
                block = src.read()
            with open(big, "wb") as dst:
                while dst.tell() < 1 << 30:
                    dst.write(block)
        out, wall, cpu, rss = run([PLUGCTL, "--no-config", "-q", "tokens", "count", "--output", "json", big])
        gb = os.path.getsize(big) / 1e9
        print(f"\n1 GiB file: plugctl {wall:.1f} s ({gb * 1000 / wall:.1f} MB/s), peak RSS {rss:.0f} MiB")
    if len(distinct) != 1:
        sys.exit("token counts differ")


if __name__ == "__main__":
    main()
