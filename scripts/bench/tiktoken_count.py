#!/usr/bin/env python3
"""The peer: count a file's tokens with OpenAI's Python tiktoken on every core.

The text is cut at the same exact cut points plugctl uses (after a newline that follows a
non-whitespace character, when the next character is neither whitespace nor '/'), and the chunks
go through encode_ordinary_batch, so the count is exact and both cores work.

usage: tiktoken_count.py FILE [ENCODING]
"""
import os
import re
import sys

import tiktoken

CUT = re.compile(r"(?<=\S\n)(?=[^\s/])")


def chunks(text: str, size: int = 1 << 20):
    start = 0
    while start < len(text):
        m = CUT.search(text, start + size)
        end = m.start() if m else len(text)
        yield text[start:end]
        start = end


def main() -> None:
    path = sys.argv[1]
    enc = tiktoken.get_encoding(sys.argv[2] if len(sys.argv) > 2 else "o200k_base")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    counts = enc.encode_ordinary_batch(list(chunks(text)), num_threads=os.cpu_count() or 2)
    print(sum(len(c) for c in counts))


if __name__ == "__main__":
    main()
