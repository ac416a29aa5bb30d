#!/usr/bin/env bash
# Builds plugctl, installs the peers (Python tiktoken with its vocabulary taken from the
# tiktoken-rs crate, since there is no network to fetch it; ttok), then runs tokens.py.
# usage: scripts/bench/tokens.sh [--rounds N] [--megabytes M] [--big]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cargo build --release --locked -q
python3 -m pip install -q tiktoken ttok 2>/dev/null || python3 -m pip install tiktoken ttok

# tiktoken looks for its vocabulary under TIKTOKEN_CACHE_DIR, named by the SHA-1 of its URL.
export TIKTOKEN_CACHE_DIR="$PWD/bench-data/tiktoken-cache"
mkdir -p "$TIKTOKEN_CACHE_DIR"
assets=$(cargo metadata --format-version 1 --locked | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
pkg = next(p for p in meta["packages"] if p["name"] == "tiktoken-rs")
print(os.path.join(os.path.dirname(pkg["manifest_path"]), "assets"))')
for enc in o200k_base cl100k_base; do
  key=$(python3 -c "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())" \
    "https://openaipublic.blob.core.windows.net/encodings/$enc.tiktoken")
  cp "$assets/$enc.tiktoken" "$TIKTOKEN_CACHE_DIR/$key"
done

exec python3 scripts/bench/tokens.py "$@"
