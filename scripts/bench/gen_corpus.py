#!/usr/bin/env python3
"""Writes a deterministic mixed-script corpus for the token-counting benchmark.

English prose and code, CJK, Cyrillic, Arabic, emoji, and long whitespace and digit runs, in
paragraphs drawn with a fixed seed, so every machine benchmarks the same bytes.

usage: gen_corpus.py OUT [MEGABYTES]
"""
import random
import sys

PROSE = [
    "The plugin receives a chat message, looks up the user's order and answers within a second.",
    "Rate limits on the model API are the first thing a production plugin runs into.",
    "If the session expired, the history is restored from the archive before the next turn.",
    "Tokens are not words: a long URL or a base64 blob can cost hundreds of them.",
    "We measured p99 latency under load, not just the mean, because users feel the tail.",
]
CODE = [
    "fn main() {\n    let total: u64 = items.iter().map(|i| i.price * i.qty).sum();\n    println!(\"{total}\");\n}\n",
    "def handler(event, context):\n    body = json.loads(event['body'])\n    return {'statusCode': 200, 'body': body['message'][::-1]}\n",
    "SELECT user_id, COUNT(*) AS n FROM messages WHERE created_at > NOW() - INTERVAL '1 day' GROUP BY 1;\n",
    "curl -sS -X POST http://127.0.0.1:8787/v1/chat -H 'Content-Type: application/json' -d '{\"message\":\"hi\"}'\n",
    "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"function\": {\"name\": \"lookup\"}}]}\n",
]
CJK = [
    "这个插件会在一秒钟内回答用户的问题。",
    "東京の天気は晴れ、最高気温は二十五度です。",
    "대화 기록은 삼십 분 동안 유지됩니다。",
]
CYRILLIC = [
    "Плагин получает сообщение, ищет заказ пользователя и отвечает за секунду.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
]
ARABIC = [
    "يتلقى المكون الإضافي رسالة الدردشة ويجيب خلال ثانية واحدة.",
    "مرحبا بالعالم، كيف حالك اليوم؟",
]
EMOJI = ["🚀🔥👍🏽", "👨‍👩‍👧 family", "🇺🇸🇯🇵🇩🇪", "✅ done ❌ failed ⚠️ warn"]


def paragraph(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.40:
        return " ".join(rng.choice(PROSE) for _ in range(rng.randint(1, 6)))
    if kind < 0.60:
        return "".join(rng.choice(CODE) for _ in range(rng.randint(1, 3)))
    if kind < 0.70:
        return "".join(rng.choice(CJK) for _ in range(rng.randint(1, 5)))
    if kind < 0.78:
        return " ".join(rng.choice(CYRILLIC) for _ in range(rng.randint(1, 4)))
    if kind < 0.84:
        return " ".join(rng.choice(ARABIC) for _ in range(rng.randint(1, 4)))
    if kind < 0.90:
        return " ".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 6)))
    if kind < 0.95:
        return rng.choice([" ", "\t", "  \n"]) * rng.randint(8, 400) + "x"
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(16, 600)))


def main() -> None:
    out = sys.argv[1]
    megabytes = float(sys.argv[2]) if len(sys.argv) > 2 else 64
    target = int(megabytes * 1024 * 1024)
    rng = random.Random(20261126)
    # A pool of paragraphs drawn once, then sampled: fast, deterministic and still varied.
    pool = [paragraph(rng) for _ in range(20000)]
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        while written < target:
            p = rng.choice(pool) + rng.choice(["\n", "\n\n", " "])
            f.write(p)
            written += len(p.encode("utf-8"))


if __name__ == "__main__":
    main()
