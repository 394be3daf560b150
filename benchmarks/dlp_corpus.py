"""Deterministic corpus for the DLP benchmark: agent payloads and a large clean text.

Everything comes from a seeded ``random.Random``: the same seed gives the same bytes on every
machine, so results from different runs and different tools are comparable. Nothing is
downloaded. Sensitive values are generated fakes that are structurally valid (Luhn, mod-97,
the GitHub/npm/RenLayer CRC32 checksums, ABA routing checksum, well-formed JWTs), because a
scanner that validates checksums must not be rewarded for finding a string no real system
would ever issue, nor punished for rejecting one.

Each insertion is labelled with its exact character span in the final text (after JSON
serialisation), so precision and recall can be computed for any tool that reports spans.

The noise is chosen to hurt prefilters: the words "key", "token", "api", "password", "secret"
in prose and code, UUIDs, git and SHA-256 hashes, version strings, build numbers, long digit
groups that fail Luhn, and prefixes of real token formats that are too short to be tokens.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"

# ---------------------------------------------------------------------------------------------
# Data model


@dataclass(frozen=True, slots=True)
class Label:
    """An expected finding: our detector id and the character span of the value."""

    type: str
    start: int
    end: int


@dataclass(slots=True)
class Payload:
    kind: str  # "chat" | "tool" | "text" | "log"
    text: str
    labels: list[Label] = field(default_factory=list)

    @property
    def is_json(self) -> bool:
        return self.kind in ("chat", "tool")


# ---------------------------------------------------------------------------------------------
# Structurally valid fake values


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _base62_fixed(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(BASE62[digit])
    return "".join(reversed(out))


def _crc_token(rng: random.Random, prefix: str) -> str:
    """GitHub / npm / RenLayer style: prefix + 30 base62 + 6-char base62 CRC32 of the 30."""
    body = _pick(rng, BASE62, 30)
    return prefix + body + _base62_fixed(zlib.crc32(body.encode()), 6)


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


def fake_credit_card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "53", "54", "55", "4000"])
    number = _luhn_complete(prefix + _pick(rng, string.digits, 15 - len(prefix)))
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain":
        return number
    sep = " " if style == "space" else "-"
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def fake_iban(rng: random.Random) -> str:
    country, length = rng.choice([("DE", 18), ("FR", 23), ("GB", 18), ("NL", 14)])
    if country == "GB":
        bban = _pick(rng, string.ascii_uppercase, 4) + _pick(rng, string.digits, 14)
    elif country == "NL":
        bban = _pick(rng, string.ascii_uppercase, 4) + _pick(rng, string.digits, 10)
    else:
        bban = _pick(rng, string.digits, length)
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def fake_ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def fake_routing(rng: random.Random) -> str:
    while True:
        first8 = f"{rng.choice([0, 1, 2, 3])}{_pick(rng, string.digits, 7)}"
        w = (3, 7, 1, 3, 7, 1, 3, 7)
        s = sum(int(d) * k for d, k in zip(first8, w, strict=True))
        check = (10 - s % 10) % 10
        if first8[:2] != "00":
            return first8 + str(check)


def fake_email(rng: random.Random) -> str:
    first = rng.choice(["maria", "john", "wei", "aisha", "lukas", "sofia", "ravi", "emma"])
    last = rng.choice(["garcia", "smith", "chen", "okafor", "muller", "rossi", "patel", "ng"])
    domain = rng.choice(["example.com", "acme-corp.io", "mail.example.org", "contoso.net"])
    sep = rng.choice([".", "_", ""])
    return f"{first}{sep}{last}{rng.randint(1, 99)}@{domain}"


def fake_phone(rng: random.Random) -> str:
    n = f"{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    style = rng.choice(["e164", "us", "us_dots"])
    if style == "e164":
        return "+1" + n
    if style == "us":
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"
    return f"{n[:3]}.{n[3:6]}.{n[6:]}"


def fake_ipv4(rng: random.Random) -> str:
    first = rng.choice([23, 34, 52, 81, 104, 151, 185, 203])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def fake_ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(6)]
    return "2001:db8:" + ":".join(groups)


def fake_mac(rng: random.Random) -> str:
    return ":".join(f"{rng.randint(0, 255):02X}" for _ in range(6))


def fake_aws_access_key(rng: random.Random) -> str:
    return rng.choice(["AKIA", "ASIA"]) + _pick(rng, string.ascii_uppercase + "234567", 16)


def fake_aws_secret_key(rng: random.Random) -> str:
    return _pick(rng, ALNUM + "+/", 40)


def fake_github_token(rng: random.Random) -> str:
    return _crc_token(rng, rng.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]))


def fake_gitlab_token(rng: random.Random) -> str:
    return "glpat-" + _pick(rng, ALNUM + "_-", 20)


def fake_slack_token(rng: random.Random) -> str:
    return (
        rng.choice(["xoxb-", "xoxp-"])
        + f"{rng.randint(10**10, 10**12)}-{rng.randint(10**10, 10**12)}-"
        + _pick(rng, ALNUM, 24)
    )


def fake_slack_webhook(rng: random.Random) -> str:
    return (
        "https://hooks.slack.com/services/T"
        + _pick(rng, string.ascii_uppercase + string.digits, 8)
        + "/B"
        + _pick(rng, string.ascii_uppercase + string.digits, 10)
        + "/"
        + _pick(rng, ALNUM, 24)
    )


def fake_stripe_key(rng: random.Random) -> str:
    return rng.choice(["sk_live_", "rk_live_"]) + _pick(rng, ALNUM, 24)


def fake_openai_key(rng: random.Random) -> str:
    return "sk-proj-" + _pick(rng, ALNUM + "_-", 58) + "T3BlbkFJ" + _pick(rng, ALNUM + "_-", 58)


def fake_anthropic_key(rng: random.Random) -> str:
    return "sk-ant-api03-" + _pick(rng, ALNUM + "_-", 93) + "AA"


def fake_gcp_api_key(rng: random.Random) -> str:
    return "AIza" + _pick(rng, ALNUM + "_-", 35)


def fake_twilio_key(rng: random.Random) -> str:
    return "SK" + _pick(rng, HEX, 32)


def fake_sendgrid_key(rng: random.Random) -> str:
    return "SG." + _pick(rng, ALNUM + "_-", 22) + "." + _pick(rng, ALNUM + "_-", 43)


def fake_npm_token(rng: random.Random) -> str:
    return _crc_token(rng, "npm_")


def fake_pypi_token(rng: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + _pick(rng, ALNUM + "_-", 70)


def fake_renlayer_key(rng: random.Random) -> str:
    return _crc_token(rng, "rlk_")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": f"user-{rng.randint(1000, 99999)}", "iat": 1764300000 + rng.randint(0, 10**6)}
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64url(rng.randbytes(32))
    return f"{header}.{body}.{sig}"


def fake_private_key(rng: random.Random) -> str:
    lines = [base64.b64encode(rng.randbytes(48)).decode() for _ in range(6)]
    return (
        "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"
    )


def fake_database_url(rng: random.Random) -> str:
    scheme = rng.choice(["postgres", "postgresql", "mysql", "mongodb"])
    pw = _pick(rng, ALNUM, 16)
    host = rng.choice(["db.internal.example.com", "db-replica.example.net", "prod-db"])
    return f"{scheme}://app_user:{pw}@{host}:5432/orders"


def fake_passport(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice("ACEFGHJKLMNPRSTWXZ") + _pick(rng, string.digits, 8)
    return str(rng.randint(1, 9)) + _pick(rng, string.digits, 8)


def fake_azure_storage_key(rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(64)).decode()


def fake_github_fine_grained(rng: random.Random) -> str:
    return "github_pat_" + _pick(rng, ALNUM, 22) + "_" + _pick(rng, ALNUM, 59)


def fake_huggingface_token(rng: random.Random) -> str:
    return "hf_" + _pick(rng, string.ascii_letters, 34)


def fake_webhook_secret(rng: random.Random) -> str:
    return "whsec_" + base64.b64encode(rng.randbytes(24)).decode()


def fake_twilio_sid(rng: random.Random) -> str:
    return "AC" + _pick(rng, HEX, 32)


def fake_generic_password(rng: random.Random) -> str:
    return _pick(rng, ALNUM, 8) + rng.choice("!#%&*") + _pick(rng, ALNUM, 11)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of sensitive value: how to make it and how a person would write it down.

    ``carriers`` hold ``{v}`` where the value goes; the label covers only the value.
    ``text_only`` values contain newlines and are kept out of JSON payloads (where they would
    appear JSON-escaped, a different question).
    """

    type: str
    make: Callable[[random.Random], str]
    carriers: tuple[str, ...]
    text_only: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("pii.email", fake_email, ("please reply to {v} by Friday", "contact: {v}")),
    Kind("pii.phone", fake_phone, ("call me at {v} after 5pm", "phone: {v}")),
    Kind("pii.passport", fake_passport, ("passport number {v}", "Passport No. {v}")),
    Kind("pii.us_ssn", fake_ssn, ("my SSN is {v}", "social security number {v} on file")),
    Kind("fin.credit_card", fake_credit_card, ("card number {v} exp 09/28", "visa {v}")),
    Kind("fin.iban", fake_iban, ("wire it to IBAN {v} please", "iban: {v}")),
    Kind("fin.aba_routing", fake_routing, ("routing number {v}", "ABA routing {v}, account 1234")),
    Kind("net.ipv4", fake_ipv4, ("connect from {v} was refused", "client_ip={v}")),
    Kind("net.ipv6", fake_ipv6, ("peer {v} dropped", "remote address {v}")),
    Kind("net.mac", fake_mac, ("device mac {v} joined", "hw address {v}")),
    Kind("secret.aws_access_key", fake_aws_access_key, ("AWS_ACCESS_KEY_ID={v}", "key id {v}")),
    Kind(
        "secret.aws_secret_key",
        fake_aws_secret_key,
        ("aws_secret_access_key = {v}", 'AWS_SECRET_ACCESS_KEY="{v}"'),
    ),
    Kind(
        "secret.azure_storage_key",
        fake_azure_storage_key,
        ("DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey={v};EndpointSuffix=x",),
    ),
    Kind(
        "secret.github_fine_grained_pat",
        fake_github_fine_grained,
        ("GH_PAT={v}", "fine-grained token {v}"),
    ),
    Kind("secret.huggingface_token", fake_huggingface_token, ("HF_TOKEN={v}", "hf token {v}")),
    Kind("secret.webhook_signing_secret", fake_webhook_secret, ("WEBHOOK_SECRET={v}",)),
    Kind("secret.twilio_account_sid", fake_twilio_sid, ("twilio account {v}", "TWILIO_SID={v}")),
    Kind("secret.github_token", fake_github_token, ("GITHUB_TOKEN={v}", "use token {v} for ci")),
    Kind("secret.gitlab_token", fake_gitlab_token, ("gitlab token {v}", "GL_TOKEN={v}")),
    Kind("secret.slack_token", fake_slack_token, ("SLACK_BOT_TOKEN={v}", "slack: {v}")),
    Kind("secret.slack_webhook", fake_slack_webhook, ("post to {v}", "webhook_url: {v}")),
    Kind("secret.stripe_key", fake_stripe_key, ("STRIPE_SECRET_KEY={v}", "stripe key {v}")),
    Kind("secret.openai_key", fake_openai_key, ("OPENAI_API_KEY={v}", "openai key: {v}")),
    Kind("secret.anthropic_key", fake_anthropic_key, ("ANTHROPIC_API_KEY={v}", "key {v}")),
    Kind("secret.gcp_api_key", fake_gcp_api_key, ("google api key {v}", "GOOGLE_API_KEY={v}")),
    Kind("secret.twilio_api_key", fake_twilio_key, ("twilio api key {v}", "TWILIO_API_KEY={v}")),
    Kind("secret.sendgrid_key", fake_sendgrid_key, ("SENDGRID_API_KEY={v}", "sendgrid {v}")),
    Kind("secret.npm_token", fake_npm_token, ("//registry.npmjs.org/:_authToken={v}",)),
    Kind("secret.pypi_token", fake_pypi_token, ("password = {v}", "pypi token {v}")),
    Kind("secret.renlayer_key", fake_renlayer_key, ("Authorization: Bearer {v}", "key {v}")),
    Kind("secret.jwt", fake_jwt, ("Authorization: Bearer {v}", "id_token={v}")),
    Kind("secret.database_url_password", fake_database_url, ("DATABASE_URL={v}", "dsn: {v}")),
    Kind(
        "secret.generic_assignment",
        fake_generic_password,
        ('password = "{v}"', "db_password: {v}", 'api_key="{v}"'),
    ),
    Kind("secret.private_key", fake_private_key, ("here is the key:\n{v}\n",), text_only=True),
)
KIND_TYPES: tuple[str, ...] = tuple(k.type for k in KINDS)

# ---------------------------------------------------------------------------------------------
# Noise: prose, code and logs that look dangerous and are not


_PROSE = (
    "the agent then calls the tool with the api key from the vault and rotates the token "
    "every hour so that no password or secret ever lands in the prompt the model sees "
    "we reviewed the key management design and the access token lifetime with the security "
    "team before the release of version two of the platform the credentials are injected by "
    "the proxy and never stored in the repository please check the token budget for this run "
    "because the context window is almost full and the summary of the meeting notes should "
    "be short the customer asked whether the api rate limit applies per key or per account "
    "and whether a password reset invalidates existing sessions the deploy pipeline reads the "
    "secret name from the environment and the build cache key is derived from the lockfile "
    "hash the public key fingerprint is published in the docs and the private key stays in the "
    "hardware module the order was shipped on monday and the invoice total matches the quote"
)
_WORDS = tuple(_PROSE.split(" "))

_CODE_LINES = (
    'api_key = os.environ["API_KEY"]',
    "token = client.get_token(scope=scope)",
    "password = getpass.getpass()",
    'secret_name = f"{env}/payments/db-password"',
    "headers = {'Authorization': f'Bearer {token}'}",
    "if not key_id.startswith('AKIA'): raise ValueError('not an access key id')",
    "# GitHub tokens start with ghp_ and carry a CRC32 checksum",
    "cache_key = hashlib.sha256(lockfile.read_bytes()).hexdigest()",
    'resp = httpx.post(url, json={"query": q, "limit": 50}, timeout=10.0)',
    "for i, row in enumerate(rows):",
    "    total += row.amount * row.quantity",
    "def rotate(key: str, grace: timedelta) -> None:",
    "    store.revoke(key_id=key, after=now() + grace)",
    'logger.info("refreshed token for %s", account_id)',
    "assert len(secret_hash) == 64",
    "const apiBase = process.env.API_BASE_URL ?? 'https://api.example.com';",
    "SELECT id, status, created_at FROM orders WHERE status = 'open' LIMIT 100;",
    'password_policy = {"min_length": 12, "require_symbol": True}',
)

_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
_PATHS = ("/v1/chat/completions", "/v1/messages", "/api/orders", "/healthz", "/v1/tools/call")


def _uuid(rng: random.Random) -> str:
    h = _pick(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _version(rng: random.Random) -> str:
    return rng.choice(
        [
            f"v{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}",
            f"{rng.randint(1, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}-rc.{rng.randint(1, 5)}",
            f"10.0.{rng.randint(17000, 22999)}.{rng.randint(1000, 5000)}",
            f"build {rng.randint(2024, 2026)}.{rng.randint(1, 12)}.{rng.randint(1, 28)}",
        ]
    )


def _digits_failing_luhn(rng: random.Random) -> str:
    while True:
        d = _pick(rng, string.digits, 16)
        if _luhn_complete(d[:15]) != d:
            return " ".join(d[i : i + 4] for i in range(0, 16, 4))


def _noise_token(rng: random.Random) -> str:
    """Something that looks like an identifier or number but is not sensitive."""
    makers: tuple[Callable[[], str], ...] = (
        lambda: _uuid(rng),
        lambda: _pick(rng, HEX, 40),
        lambda: "sha256:" + _pick(rng, HEX, 64),
        lambda: _version(rng),
        lambda: f"order {_digits_failing_luhn(rng)}",
        lambda: f"ticket #{rng.randint(1000, 99999)}",
        lambda: f"{rng.randint(1, 59)}m{rng.randint(0, 59)}s",
        lambda: "ghp_" + _pick(rng, ALNUM, 8),  # a prefix, too short to be a token
        lambda: "AKIA" + _pick(rng, string.ascii_uppercase, 4),
        lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 9)} GHz",
    )
    return rng.choice(makers)()


def prose_sentence(rng: random.Random) -> str:
    n = rng.randint(8, 22)
    start = rng.randrange(len(_WORDS) - n)
    words = list(_WORDS[start : start + n])
    if rng.random() < 0.4:
        words = [*words[: n // 2], _noise_token(rng), *words[n // 2 :]]
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def code_line(rng: random.Random) -> str:
    return rng.choice(_CODE_LINES)


def log_line(rng: random.Random, t: int) -> str:
    ts = f"2026-11-28T{(t // 3600) % 24:02d}:{(t // 60) % 60:02d}:{t % 60:02d}.{t % 1000:03d}Z"
    return (
        f"{ts} {rng.choice(_LEVELS)} request_id={_uuid(rng)} method=POST "
        f"path={rng.choice(_PATHS)} status={rng.choice([200, 200, 201, 403, 429, 502])} "
        f"duration_ms={rng.randint(1, 900)} upstream=api-{rng.randint(1, 9)}.internal "
        f"commit={_pick(rng, HEX, 12)} version={_version(rng)}"
    )


# ---------------------------------------------------------------------------------------------
# Payloads

_MARK = "\x00INSERT\x00"


def _carrier(rng: random.Random, kind: Kind) -> tuple[str, str]:
    """Returns (text with _MARK where the value goes, the value)."""
    template = rng.choice(kind.carriers)
    return template.replace("{v}", _MARK), kind.make(rng)


def _text_body(rng: random.Random, size: int, flavour: str) -> list[str]:
    parts: list[str] = []
    total = 0
    t = rng.randint(0, 80000)
    while total < size:
        if flavour == "log":
            t += rng.randint(1, 5)
            part = log_line(rng, t)
        elif rng.random() < 0.25:
            part = "\n".join(code_line(rng) for _ in range(rng.randint(2, 6)))
        else:
            part = " ".join(prose_sentence(rng) for _ in range(rng.randint(1, 4)))
        parts.append(part)
        total += len(part) + 1
    return parts


def _chat(rng: random.Random, parts: list[str]) -> object:
    messages: list[dict[str, str]] = [{"role": "system", "content": "You are a careful agent."}]
    for i, part in enumerate(parts):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": part})
    return {"model": "gpt-4o-mini", "temperature": 0.2, "messages": messages}


def _tool(rng: random.Random, parts: list[str]) -> object:
    return {
        "tool": rng.choice(["db.query", "http.request", "files.write", "ticket.create"]),
        "call_id": _uuid(rng),
        "arguments": {
            "title": parts[0][:60],
            "notes": parts[1:],
            "limit": rng.randint(1, 500),
            "dry_run": rng.random() < 0.5,
        },
    }


def _render(kind: str, rng: random.Random, parts: list[str]) -> str:
    if kind == "chat":
        return json.dumps(_chat(rng, parts), ensure_ascii=False)
    if kind == "tool":
        return json.dumps(_tool(rng, parts), ensure_ascii=False)
    return "\n".join(parts)


def _substitute(text: str, type_: str, value: str, is_json: bool) -> tuple[str, Label]:
    """Replace the one _MARK with ``value``; the label is the value's span in the result."""
    mark = json.dumps(_MARK)[1:-1] if is_json else _MARK
    idx = text.index(mark)
    return text[:idx] + value + text[idx + len(mark) :], Label(type_, idx, idx + len(value))


def make_payload(rng: random.Random, insert: Kind | None = None) -> Payload:
    """One agent payload of 4–5 KB, with ``insert``'s value placed somewhere in it."""
    text_only = insert is not None and insert.text_only
    choices = ("text", "log") if text_only else ("chat", "chat", "tool", "text", "log")
    kind = rng.choice(choices)
    size = rng.randint(4400, 4900)
    parts = _text_body(rng, size, "log" if kind == "log" else "text")
    value = ""
    at = -1
    if insert is not None:
        piece, value = _carrier(rng, insert)
        at = rng.randint(1, len(parts))
        parts.insert(at, piece)
    text = _render(kind, rng, parts)
    # JSON escaping grows the text: drop filler (never the carrier) until it fits again.
    while len(text) > size + len(value) and len(parts) > 3:
        drop = len(parts) - 1 if at != len(parts) - 1 else len(parts) - 2
        del parts[drop]
        at -= 1 if drop < at else 0
        text = _render(kind, rng, parts)
    if insert is None:
        return Payload(kind, text)
    text, label = _substitute(text, insert.type, value, kind in ("chat", "tool"))
    return Payload(kind, text, [label])


def payloads(seed: int, n: int, rate: float = 0.01) -> list[Payload]:
    """``n`` payloads, about ``rate`` of them with one sensitive value (round-robin over kinds,
    so every kind appears once ``n * rate`` exceeds the number of kinds)."""
    rng = random.Random(seed)
    out: list[Payload] = []
    next_kind = 0
    for _ in range(n):
        if rng.random() < rate:
            kind = KINDS[next_kind % len(KINDS)]
            next_kind += 1
            out.append(make_payload(rng, kind))
        else:
            out.append(make_payload(rng))
    return out


def dense_payloads(seed: int, per_kind: int) -> list[Payload]:
    """Payloads that each carry one sensitive value: ``per_kind`` of every kind (for recall)."""
    rng = random.Random(seed)
    return [make_payload(rng, k) for _ in range(per_kind) for k in KINDS]


def clean_text(seed: int, size: int = 1 << 20) -> str:
    """About ``size`` characters of prose, code and logs with no sensitive value in it."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    t = 0
    while total < size:
        r = rng.random()
        if r < 0.3:
            block = [log_line(rng, t + i) for i in range(rng.randint(3, 12))]
            t += 20
        elif r < 0.55:
            block = [code_line(rng) for _ in range(rng.randint(3, 10))]
        else:
            block = [" ".join(prose_sentence(rng) for _ in range(rng.randint(2, 6)))]
        chunk = "\n".join(block) + "\n"
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)[:size]


def sse_chunks(rng: random.Random, text: str, lo: int = 20, hi: int = 200) -> list[str]:
    """Split ``text`` the way an LLM stream would arrive: SSE deltas of ``lo``–``hi`` chars."""
    out: list[str] = []
    i = 0
    while i < len(text):
        n = rng.randint(lo, hi)
        out.append(text[i : i + n])
        i += n
    return out
