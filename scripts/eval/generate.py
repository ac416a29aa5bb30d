#!/usr/bin/env python3
"""Generate labeled chat transcripts and logs for evaluating `plugctl redact`.

Each record is a short chat transcript or a block of log lines. Positives (cards of every brand
and format, SSNs, e-mails, IPs, phones, Authorization headers, bearer tokens, JWTs, vendor keys,
PEM keys, passwords) are placed among Faker prose in several languages, next to negatives that
naive patterns get wrong (order numbers that fail Luhn, timestamps, dates, UUIDs, version and
user-agent strings, git SHAs, prices, CJK text glued to numbers).

Output:
  <out>.txt     the text, records separated by blank lines
  <out>.labels.jsonl   one line per positive: {"start", "end", "category", "text"}
                       with byte offsets into <out>.txt

The seed is fixed, so the same command gives the same files. With --size the generator keeps
going until the text has that many bytes (the benchmark corpus); Faker is slow (about 5 MB a
minute), so after --unique bytes (default 8M) the records generated so far are written again,
in a shuffled order, until the size is reached.

Usage:
  pip install faker
  python3 scripts/eval/generate.py --records 2000 --out scripts/eval/data/sample
  python3 scripts/eval/generate.py --size 64M --out /tmp/corpus --no-labels
"""

import argparse
import base64
import json
import random
import string
import sys

try:
    from faker import Faker
except ImportError:  # pragma: no cover
    sys.exit("this script needs Faker: pip install faker")

SEED = 20260301


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number):
    return luhn_digit(number[:-1]) == number[-1]


class Doc:
    """Text under construction, with byte offsets of the labeled spans."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.labels = []

    def add(self, text):
        self.parts.append(text)
        self.size += len(text.encode("utf-8"))

    def secret(self, category, text):
        start = self.size
        self.add(text)
        self.labels.append({"start": start, "end": self.size, "category": category, "text": text})

    def text(self):
        return "".join(self.parts)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        Faker.seed(seed)
        self.fake = Faker(["en_US", "de_DE", "fr_FR", "ja_JP", "zh_CN"])
        self.en = self.fake["en_US"]

    # ---------- positives ----------

    def card_number(self):
        kind = self.r.choice(
            ["visa16", "visa13", "visa19", "mastercard", "mastercard2", "amex", "discover",
             "jcb16", "diners", "unionpay"]
        )
        r = self.r
        if kind == "mastercard2":
            prefix, length = str(r.randint(2221, 2720)), 16
        elif kind == "unionpay":
            prefix, length = "62" + str(r.randint(0, 9)), r.choice([16, 17, 18, 19])
            if prefix.startswith("622"):
                prefix = "620"
        elif kind == "visa13":
            prefix, length = "4", 13
        elif kind == "visa19":
            prefix, length = "4", 19
        else:
            faker_kind = {"jcb16": "jcb16", "diners": "diners"}.get(kind, kind)
            if kind == "visa16":
                faker_kind = "visa16"
            return kind, self.en.credit_card_number(card_type=faker_kind)
        body = prefix + "".join(r.choice(string.digits) for _ in range(length - len(prefix) - 1))
        return kind, body + luhn_digit(body)

    def card(self, doc):
        kind, number = self.card_number()
        style = self.r.choice(["plain", "plain", "spaces", "dashes"])
        if style != "plain" and len(number) in (15, 16, 14, 19):
            sep = " " if style == "spaces" else "-"
            if kind == "amex" or len(number) == 15:
                groups = [number[:4], number[4:10], number[10:]]
            elif len(number) == 14:
                groups = [number[:4], number[4:10], number[10:]]
            else:
                groups = [number[i:i + 4] for i in range(0, len(number), 4)]
            number = sep.join(groups)
        lead = self.r.choice([
            "my card is ", "card: ", "charged to ", "卡号", "カード番号は", "Kreditkarte ",
            "pay with ", "(", "card=", "number ",
        ])
        doc.add(lead)
        doc.secret("card", number)
        doc.add(self.r.choice([" please", ".", " exp 12/27", ")", "请核实", " thanks", ""]))

    def ssn(self, doc):
        value = self.en.ssn()
        if self.r.random() < 0.2:
            value = value.replace("-", " ")
        doc.add(self.r.choice(["SSN ", "ssn: ", "social security number ", "my SSN is ", "社保号"]))
        doc.secret("ssn", value)
        doc.add(self.r.choice([".", " ok", ",", ""]))

    def email(self, doc):
        value = self.r.choice([self.en.email(), self.en.free_email(), self.en.company_email(),
                               self.en.user_name() + "+" + self.en.word() + "@" + self.en.domain_name()])
        style = self.r.random()
        if style < 0.15:
            doc.add("GET /api/users?email=")
            doc.secret("email", value)
            doc.add("&page=2")
        elif style < 0.3:
            doc.add("邮箱是")
            doc.secret("email", value)
            doc.add("谢谢")
        elif style < 0.4:
            doc.add('{"msg":"hello\\n')
            doc.secret("email", value)
            doc.add('\\nbye"}')
        else:
            doc.add(self.r.choice(["contact ", "write to ", "From: ", "user=", "<"]))
            doc.secret("email", value)
            doc.add(self.r.choice([">", " today", ".", ","]))

    def ipv4(self, doc):
        value = self.r.choice([self.en.ipv4_public(), self.en.ipv4_private()])
        doc.add(self.r.choice(["client ", "ip=", "from ", "http://", "remote_addr=", "IP地址"]))
        doc.secret("ipv4", value)
        doc.add(self.r.choice([" connected", ":8080/health", " -", "/", ""]))

    def ipv6(self, doc):
        value = self.en.ipv6()
        doc.add(self.r.choice(["client ", "ip6=", "from "]))
        doc.secret("ipv6", value)
        doc.add(" ")

    def phone(self, doc):
        r = self.r
        area, mid, last = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
        value = r.choice([
            f"+1{area}{mid}{last:04d}", f"+1 {area} {mid} {last:04d}", f"({area}) {mid}-{last:04d}",
            f"{area}-{mid}-{last:04d}", f"{area}.{mid}.{last:04d}",
            f"+44 20 {r.randint(7000, 8999)} {r.randint(1000, 9999)}",
            f"+49 30 {r.randint(100000, 999999)}{r.randint(10, 99)}",
        ])
        doc.add(r.choice(["call me at ", "phone: ", "tel ", "电话"]))
        doc.secret("phone", value)
        doc.add(r.choice([" after 5pm", ".", " thanks", ""]))

    def token(self, n, alphabet=string.ascii_letters + string.digits):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def jwt_value(self):
        header = {"alg": self.r.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
        payload = {"sub": str(self.r.randint(1, 10**9)), "name": self.en.name(),
                   "iat": self.r.randint(1_600_000_000, 1_800_000_000)}

        def b64(obj):
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        sig = self.token(43, string.ascii_letters + string.digits + "-_")
        return f"{b64(header)}.{b64(payload)}.{sig}"

    def authorization(self, doc):
        r = self.r
        scheme = r.choice(["Bearer", "Basic", "Bearer", "token", "Digest"])
        if scheme == "Basic":
            cred = base64.b64encode(f"{self.en.user_name()}:{self.en.password()}".encode()).decode()
        elif scheme == "Digest":
            cred = f'username="{self.en.user_name()}", nonce="{self.token(24)}", response="{self.token(32)}"'
            cred = cred.replace('"', "")
        elif r.random() < 0.3:
            cred = self.jwt_value()
        elif r.random() < 0.3:
            cred = "ya29." + self.token(60, string.ascii_letters + string.digits + "-_")
        else:
            cred = self.token(r.randint(32, 64), string.ascii_letters + string.digits + "-._~")
        style = r.random()
        if style < 0.4:
            doc.add(f"Authorization: {scheme} ")
            doc.secret("authorization", cred)
            doc.add("\r\n" if r.random() < 0.3 else "\n")
        elif style < 0.7:
            doc.add(f"curl -H 'Authorization: {scheme} ")
            doc.secret("authorization", cred)
            doc.add("' https://api.example.com/v1/chat")
        else:
            doc.add(f'headers = {{"authorization": "{scheme} ')
            doc.secret("authorization", cred)
            doc.add('"}')

    def bearer(self, doc):
        doc.add("use the Bearer ")
        doc.secret("bearer", self.token(self.r.randint(32, 48)))
        doc.add(" for the staging API")

    def jwt(self, doc):
        doc.add(self.r.choice(["id_token=", "token: ", "the JWT is ", '"access_token": "']))
        doc.secret("jwt", self.jwt_value())
        doc.add(self.r.choice(["&state=xyz", " (expires soon)", '"', ""]))

    def vendor_key(self, doc):
        r = self.r
        alnum = string.ascii_letters + string.digits
        kind = r.choice(["openai", "openai_proj", "anthropic", "aws", "aws_pair", "github", "github_pat",
                         "google", "slack", "stripe", "stripe_rk"])
        if kind == "openai":
            value = "sk-" + self.token(48, alnum)
        elif kind == "openai_proj":
            value = "sk-proj-" + self.token(r.randint(100, 156), alnum + "-_")
        elif kind == "anthropic":
            value = "sk-ant-api03-" + self.token(93, alnum + "-_") + "AA"
        elif kind in ("aws", "aws_pair"):
            value = r.choice(["AKIA", "ASIA"]) + self.token(16, string.ascii_uppercase + string.digits)
        elif kind == "github":
            value = r.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + self.token(36, alnum)
        elif kind == "github_pat":
            value = "github_pat_" + self.token(22, alnum) + "_" + self.token(59, alnum)
        elif kind == "google":
            value = "AIza" + self.token(35, alnum + "-_")
        elif kind == "slack":
            value = f"xox{r.choice('bpa')}-{r.randint(10**9, 10**10)}-{r.randint(10**9, 10**10)}-{self.token(24, alnum)}"
        elif kind == "stripe":
            value = "sk_live_" + self.token(24, alnum)
        else:
            value = "rk_live_" + self.token(24, alnum)
        doc.add(r.choice(["export API_KEY=", "key: ", "using ", "OPENAI_API_KEY=", '"key": "', "密钥"]))
        doc.secret("vendor_key", value)
        if kind == "aws_pair":
            doc.add(r.choice([" ", "\naws_secret_access_key = ", " secret "]))
            doc.secret("vendor_key", self.token(40, alnum + "/+"))
        doc.add(r.choice(["\n", " in prod", '"', ""]))

    def private_key(self, doc):
        kind = self.r.choice(["RSA ", "EC ", "", "OPENSSH "])
        body = "\n".join(self.token(64, string.ascii_letters + string.digits + "+/")
                         for _ in range(self.r.randint(3, 12)))
        doc.add("key file:\n")
        doc.secret("private_key",
                   f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----")
        doc.add("\n")

    def password(self, doc):
        value = self.en.password(length=self.r.randint(8, 16), special_chars=False)
        style = self.r.random()
        if style < 0.5:
            doc.add("db_password=")
            doc.secret("password", value)
            doc.add(" host=db.internal")
        else:
            doc.add('{"user": "admin", "password": "')
            doc.secret("password", value)
            doc.add('"}')

    # ---------- negatives ----------

    def negative(self, doc):
        r = self.r
        kind = r.randrange(16)
        if kind == 0:
            while True:
                n = "4" + "".join(r.choice(string.digits) for _ in range(15))
                if not luhn_ok(n):
                    break
            doc.add(f"order #{n} shipped")
        elif kind == 1:
            doc.add(f"transaction {self.not_luhn(r.randint(16, 19))} settled")
        elif kind == 2:
            doc.add(f"request id {self.en.uuid4()}")
        elif kind == 3:
            doc.add(self.en.iso8601() + "Z")
        elif kind == 4:
            doc.add(f"{self.en.date()} and {self.en.date(pattern='%d.%m.%Y')}")
        elif kind == 5:
            doc.add(f"version {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 300)}.{r.randint(0, 99)}")
        elif kind == 6:
            doc.add(self.en.chrome())
        elif kind == 7:
            doc.add(f"commit {self.en.sha1()}")
        elif kind == 8:
            doc.add(f"total ${r.randint(1, 99999):,}.{r.randint(0, 99):02d} for {r.randint(2, 500)} items")
        elif kind == 9:
            doc.add(f"订单号{self.not_luhn(16)}已发货，金额{r.randint(10, 9999)}元")
        elif kind == 10:
            doc.add(f"ts={r.randint(1_600_000_000_000, 1_800_000_000_000)} epoch={r.randint(1_600_000_000, 1_800_000_000)}")
        elif kind == 11:
            doc.add(f"ref 000-{r.randint(10, 99)}-{r.randint(1000, 9999)} and 666-{r.randint(10, 99)}-{r.randint(1000, 9999)}")
        elif kind == 12:
            doc.add(f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}.{r.randint(0, 999)} release")
        elif kind == 13:
            doc.add(f"sha256 {self.en.sha256()}")
        elif kind == 14:
            doc.add(f"see @{self.en.user_name()} or user@localhost")
        else:
            doc.add(f"at {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} we sold {r.randint(1, 10**6)} units")

    def not_luhn(self, length):
        """A number that looks like a card but fails the Luhn check (an order or txn id)."""
        while True:
            n = str(self.r.randint(1, 9)) + "".join(self.r.choice(string.digits) for _ in range(length - 1))
            if not luhn_ok(n):
                return n

    def prose(self, doc):
        doc.add(self.fake.sentence(nb_words=self.r.randint(5, 14)))

    # ---------- records ----------

    POSITIVES = ["card", "ssn", "email", "ipv4", "ipv6", "phone", "authorization", "bearer", "jwt",
                 "vendor_key", "vendor_key", "private_key", "password", "card", "email"]

    def record(self, doc, positives=(1, 3)):
        r = self.r
        chat = r.random() < 0.5
        for i in range(r.randint(3, 7)):
            if chat:
                doc.add(r.choice(["user: ", "assistant: ", "tool: "]))
            else:
                doc.add(f"{self.en.iso8601()}.{r.randint(0, 999):03d}Z {r.choice(['INFO', 'WARN', 'DEBUG'])} ")
            self.prose(doc)
            doc.add(" ")
            if r.random() < 0.6:
                self.negative(doc)
                doc.add(" ")
            if r.random() < 0.5 and positives[1] > 0:
                getattr(self, r.choice(self.POSITIVES))(doc)
                doc.add(" ")
            doc.add("\n")
        doc.add("\n")


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--size", help="keep going until the text has this many bytes, e.g. 64M")
    ap.add_argument("--out", required=True, help="output path prefix")
    ap.add_argument("--unique", default="8M", help="with --size: fresh records up to this many bytes")
    ap.add_argument("--no-labels", action="store_true")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    gen = Gen(args.seed)
    limit = parse_size(args.size) if args.size else None
    unique = parse_size(args.unique)
    pool = []
    written = 0
    labels = None if args.no_labels else open(args.out + ".labels.jsonl", "w", encoding="utf-8")
    with open(args.out + ".txt", "w", encoding="utf-8", newline="") as out:
        i = 0
        while (limit is None and i < args.records) or (limit is not None and written < limit):
            if limit is not None and written >= unique and pool:
                doc = gen.r.choice(pool)
            else:
                doc = Doc()
                gen.record(doc)
                if limit is not None:
                    pool.append(doc)
            text = doc.text()
            if labels is not None:
                for label in doc.labels:
                    shifted = dict(label, start=label["start"] + written, end=label["end"] + written)
                    labels.write(json.dumps(shifted, ensure_ascii=False) + "\n")
            out.write(text)
            written += doc.size
            i += 1
    if labels is not None:
        labels.close()
    print(f"wrote {i} records, {written} bytes to {args.out}.txt", file=sys.stderr)


if __name__ == "__main__":
    main()
