#!/usr/bin/env python3
"""Benchmark `plugctl redact` against the classic two-regex sanitizers, in one interleaved run.

Peers, all reading the same ~64 MB corpus of chat transcripts and logs (made by
scripts/eval/generate.py, fixed seed) and writing to /dev/null:

  plugctl   `plugctl --no-config redact -q FILE` (release build, every default rule on)
  plugctl-2 the same with `--disable all --enable card,ssn` (the peers' job)
  python    the classic sanitizer: re.sub of
            \\b(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14})\\b and \\b\\d{3}-\\d{2}-\\d{4}\\b
            with [REDACTED], over the whole file
  sed-C     GNU `sed -E` with the same two patterns, LC_ALL=C (bytes)
  sed-utf8  the same under LC_ALL=C.UTF-8 (what most servers run)

Each round runs every peer once, in a rotating order; the report gives the median wall time,
MB/s and plugctl's speed as a multiple of each peer's. Nothing here is a pass/fail test.

Usage:
  python3 scripts/bench/redact.py [--rounds 5] [--size 64M] [--plugctl PATH] [--markdown FILE]
The corpus and the built binary are kept in scripts/bench/out/ (git-ignored).
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "scripts" / "bench" / "out"

CARD = r"\b(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14})\b"
SSN = r"\b\d{3}-\d{2}-\d{4}\b"

PYTHON_SANITIZER = f'''import re, sys
CARD = re.compile(r"{CARD}")
SSN = re.compile(r"{SSN}")
text = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
text = SSN.sub("[REDACTED]", CARD.sub("[REDACTED]", text))
sys.stdout.write(text)
'''

# sed -E has no \\d: the same patterns with [0-9]; \\b is a GNU extension.
SED_SCRIPT = (
    r"s/\b(4[0-9]{12}([0-9]{3})?|5[1-5][0-9]{14})\b/[REDACTED]/g;"
    r"s/\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b/[REDACTED]/g"
)


def build_plugctl():
    env = dict(os.environ)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True, env=env)
    target = Path(env.get("CARGO_TARGET_DIR", ROOT / "target"))
    built = target / "release" / "plugctl"
    # Copy it: a shared target directory may be rebuilt by someone else mid-benchmark.
    copy = OUT / "plugctl"
    shutil.copy2(built, copy)
    return copy


def make_corpus(size):
    corpus = OUT / f"corpus-{size}.txt"
    if not corpus.exists():
        prefix = OUT / f"corpus-{size}"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/eval/generate.py"), "--size", size, "--no-labels",
             "--out", str(prefix)],
            check=True,
        )
    return corpus


def cpu_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, env=None):
    """Wall time and CPU time (user + system) of one run."""
    cpu0 = cpu_children()
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.run(cmd, stdout=null, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, cpu_children() - cpu0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--size", default="64M")
    ap.add_argument("--plugctl", help="use this binary instead of building one")
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    sed = shutil.which("sed")
    version = subprocess.run([sed, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    if "GNU" not in version:
        sys.exit("this benchmark needs GNU sed")
    plugctl = Path(args.plugctl) if args.plugctl else build_plugctl()
    corpus = make_corpus(args.size)
    sanitizer = OUT / "classic_sanitizer.py"
    sanitizer.write_text(PYTHON_SANITIZER)
    mb = corpus.stat().st_size / 1e6

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGCTL_")}
    peers = {
        "plugctl": ([str(plugctl), "--no-config", "redact", "-q", str(corpus)], base_env),
        "plugctl-2": ([str(plugctl), "--no-config", "redact", "-q", "--disable", "all", "--enable",
                       "card,ssn", str(corpus)], base_env),
        "python": ([sys.executable, str(sanitizer), str(corpus)], base_env),
        "sed-C": ([sed, "-E", SED_SCRIPT, str(corpus)], {**base_env, "LC_ALL": "C"}),
        "sed-utf8": ([sed, "-E", SED_SCRIPT, str(corpus)], {**base_env, "LC_ALL": "C.UTF-8"}),
    }
    names = list(peers)
    times = {n: [] for n in names}
    cpus = {n: [] for n in names}
    for rnd in range(args.rounds):
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            cmd, env = peers[name]
            wall, cpu = timed(cmd, env)
            times[name].append(wall)
            cpus[name].append(cpu)
        print(f"round {rnd + 1}/{args.rounds}: " + ", ".join(f"{n} {times[n][-1]:.2f}s" for n in names),
              file=sys.stderr)

    med = {n: statistics.median(t) for n, t in times.items()}
    med_cpu = {n: statistics.median(t) for n, t in cpus.items()}
    load = os.getloadavg()[0]
    lines = [
        f"Corpus: {mb:.1f} MB of generated chat transcripts and logs (scripts/eval/generate.py, "
        f"fixed seed); {args.rounds} interleaved rounds; median wall time; output to /dev/null.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"{version}; Python {platform.python_version()}; load average {load:.1f} at the end.",
        "",
        "| tool | what it does | median wall s | MB/s (wall) | median CPU s | plugctl is × faster (wall) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    what = {
        "plugctl": "all default rules (cards+Luhn, SSN, e-mail, IPs, phones, secrets, ...)",
        "plugctl-2": "only the card and ssn rules (the peers' job, with Luhn and ranges)",
        "python": "2 regexes (Visa/MC, SSN), re.sub",
        "sed-C": "same 2 regexes, GNU sed -E, LC_ALL=C",
        "sed-utf8": "same 2 regexes, GNU sed -E, LC_ALL=C.UTF-8",
    }
    for n in names:
        ratio = med[n] / med["plugctl"]
        lines.append(f"| {n} | {what[n]} | {med[n]:.2f} | {mb / med[n]:.1f} | {med_cpu[n]:.2f} | {ratio:.1f} |")
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


if __name__ == "__main__":
    main()
