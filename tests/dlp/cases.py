"""The labelled table of the built-in catalog: positives and look-alike negatives, exact spans.

``CASES`` is data: each `Case` names one detector, a text, and the exact ``(start, end)``
character offsets that detector must report in it (empty: it must report nothing). The
benchmark imports this module to compute precision and recall.

Every key-like value is FAKE and assembled at import time from a seeded generator and string
pieces (``"AK" + "IA" + …``), so no real secret lives here and the file itself does not trip
secret scanners. Checksummed formats (GitHub, ``rlk_``) get valid checksums computed for
made-up bodies.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass

from renlayer_core import apikeys


@dataclass(frozen=True, slots=True)
class Case:
    detector_id: str
    text: str
    spans: tuple[tuple[int, int], ...]
    note: str = ""


_rng = random.Random(20261128)
_B62 = apikeys.BASE62
_HEX = "0123456789abcdef"
_B64 = _B62 + "+/"
_B64URL = _B62 + "-_"
_UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def rand(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def at(detector_id: str, before: str, value: str, after: str = "", note: str = "") -> Case:
    """A positive: ``value`` embedded between ``before`` and ``after``."""
    start = len(before)
    return Case(detector_id, before + value + after, ((start, start + len(value)),), note)


def many(detector_id: str, *parts: str | tuple[str], note: str = "") -> Case:
    """Text from parts; parts given as 1-tuples are expected findings."""
    text, spans = "", []
    for part in parts:
        if isinstance(part, tuple):
            spans.append((len(text), len(text) + len(part[0])))
            text += part[0]
        else:
            text += part
    return Case(detector_id, text, tuple(spans), note)


def no(detector_id: str, text: str, note: str = "") -> Case:
    """A negative: the detector must report nothing in ``text``."""
    return Case(detector_id, text, (), note)


# ---- fake secrets ----------------------------------------------------------------------------


def github_token(prefix: str = "ghp") -> str:
    body = rand(_B62, 30)
    return prefix + "_" + body + apikeys.checksum(body)


def github_token_bad_checksum(prefix: str = "ghp") -> str:
    body = rand(_B62, 30)
    good = apikeys.checksum(body)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    return prefix + "_" + body + bad


def rlk_key() -> str:
    body = rand(_B62, 30)
    return "rl" + "k_" + body + apikeys.checksum(body)


def aws_key_id(prefix: str = "AKIA") -> str:
    return prefix + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)


def aws_secret() -> str:
    return rand(_B62 + "/+", 40)


def _b64url(obj: object) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(alg: str = "HS256", claims: dict[str, object] | None = None, sig_len: int = 43) -> str:
    header = _b64url({"alg": alg, "typ": "JWT"})
    payload = _b64url(claims or {"sub": "1234567890", "name": "Jane Roe", "iat": 1516239022})
    return header + "." + payload + "." + rand(_B64URL, sig_len)


def pem_body(lines: int = 12, crlf: bool = False) -> str:
    nl = "\r\n" if crlf else "\n"
    return nl.join(base64.b64encode(_rng.randbytes(48)).decode() for _ in range(lines))


def pem(kind: str = "RSA ", lines: int = 12) -> str:
    label = f"{kind}PRIVATE" + " KEY"
    return f"-----BEGIN {label}-----\n{pem_body(lines)}\n-----END {label}-----"


# ---- PII values ----------------------------------------------------------------------------


def luhn_complete(partial: str) -> str:
    for d in "0123456789":
        digits = partial + d
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch)
            if i % 2 == 1:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def card(prefix: str, length: int) -> str:
    return luhn_complete(prefix + rand("0123456789", length - len(prefix) - 1))


def group4(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def iban_for(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    num = int("".join(str(int(c, 36)) for c in rearranged))
    check = 98 - num % 97
    return f"{country}{check:02d}{bban}"


# ==============================================================================================
# The table
# ==============================================================================================

_GH = github_token()
_AKIA = aws_key_id()
_JWT = jwt()
_RLK = rlk_key()
_VISA = card("4", 16)
_AMEX = card("37", 15)
_MC = card("55", 16)

CORE_CASES: tuple[Case, ...] = (
    # -- secret.github_token
    at("secret.github_token", "export GITHUB_TOKEN=", _GH),
    at("secret.github_token", "token: ", github_token("gho"), " # oauth"),
    at("secret.github_token", '{"t":"', github_token("ghs"), '"}'),
    at("secret.github_token", "", github_token("ghu")),
    at("secret.github_token", "refresh=", github_token("ghr"), "\n"),
    no("secret.github_token", "GITHUB_TOKEN=" + github_token_bad_checksum(), "bad checksum"),
    no("secret.github_token", "ghp_" + rand(_B62, 20), "too short"),
    no("secret.github_token", "xghp_" + _GH[4:], "glued to a word"),
    no("secret.github_token", "ghp_" + "x" * 36, "placeholder"),
    # -- secret.aws_access_key
    at("secret.aws_access_key", "aws_access_key_id = ", _AKIA),
    at("secret.aws_access_key", "key=", aws_key_id("ASIA"), ";"),
    at("secret.aws_access_key", "é日本😀 ", aws_key_id("AKIA"), " ok", "multi-byte before"),
    no("secret.aws_access_key", "aws_access_key_id = " + "AKIA" + "IOSFODNN7" + "EXAMPLE", "doc"),
    no("secret.aws_access_key", "AKIA" + rand("ABCDEFGHIJ", 12), "too short"),
    no("secret.aws_access_key", "AKIA" + rand("ABCDEFGHIJ", 20), "too long"),
    no("secret.aws_access_key", "akia" + rand("abcdefghij", 16), "lowercase"),
    at(
        "secret.aws_access_key",
        '{"content": "keys:\\n',
        aws_key_id(),
        '\\n"}',
        "after a JSON \\n escape",
    ),
    at("secret.github_token", '{"log": "a\\t', github_token(), '"}', "after a JSON \\t escape"),
    at("pii.email", '"notes": "x\\n', "ana.lopez@example.org", '\\n"', "after a JSON \\n escape"),
    at("pii.phone", '"text": "call\\n', "(415) 555-2671", '"', "after a JSON \\n escape"),
    at("pii.us_ssn", '"t": "SSN:\\n', "536-22-8741", '"', "after a JSON \\n escape"),
    # -- secret.jwt
    at("secret.jwt", "Authorization: Bearer ", _JWT),
    at("secret.jwt", '{"id_token": "', jwt("RS256", sig_len=342), '"}'),
    no(
        "secret.jwt",
        "eyJ" + rand(_B64URL, 30) + ".eyJ" + rand(_B64URL, 30) + "." + rand(_B64URL, 43),
        "segments that do not decode to JSON",
    ),
    no(
        "secret.jwt",
        _b64url({"typ": "JWT"}) + "." + _b64url({"sub": "x"}) + "." + rand(_B64URL, 43),
        "header without alg",
    ),
    no("secret.jwt", "version eyJhbGciOi.eyJzdWIi", "truncated"),
    # -- secret.private_key
    at("secret.private_key", "key:\n", pem("RSA "), "\n"),
    at("secret.private_key", "", pem("")),
    at("secret.private_key", "id_ed25519:\n", pem("OPENSSH ", 5), "\n"),
    at("secret.private_key", "x ", pem("EC ", 4)),
    no(
        "secret.private_key",
        "-----BEGIN RSA PRIVATE" + " KEY-----\n...\n-----END RSA PRIVATE" + " KEY-----",
        "placeholder body",
    ),
    no(
        "secret.private_key",
        "-----BEGIN PUBLIC" + " KEY-----\n" + pem_body(4) + "\n-----END PUBLIC KEY-----",
        "public key",
    ),
    no(
        "secret.private_key",
        "-----BEGIN CERTIFICATE-----\n" + pem_body(8) + "\n-----END CERTIFICATE-----",
        "certificate",
    ),
    # -- secret.renlayer_key
    at("secret.renlayer_key", "Authorization: Bearer ", _RLK),
    no(
        "secret.renlayer_key",
        "Authorization: Bearer " + _RLK[:-1] + ("a" if _RLK[-1] != "a" else "b"),
        "bad checksum",
    ),
    no("secret.renlayer_key", "rlk_…" + _RLK[-4:], "display form"),
    # -- pii.email
    at("pii.email", "contact: ", "jane.roe@example.com", "."),
    at("pii.email", "<", "j.o.h.n+tag@mail.example.co.uk", ">"),
    at("pii.email", "é日本😀 ", "x_y-z%1@sub-domain.example.org"),
    many("pii.email", "to: ", ("a@b.io",), ", ", ("c.d@e.fr",)),
    no("pii.email", "logo@2x.png and icon@3x.svg", "image names"),
    no("pii.email", "pip install pkg@1.2.3; user@localhost", "versions and bare hosts"),
    no("pii.email", "john..doe@example.com", "double dot"),
    # -- fin.credit_card
    at("fin.credit_card", "card: ", _VISA),
    at("fin.credit_card", "visa ", group4(_VISA), " exp 12/27"),
    at("fin.credit_card", "", group4(_MC, "-")),
    at("fin.credit_card", "amex ", f"{_AMEX[:4]} {_AMEX[4:10]} {_AMEX[10:]}"),
    no("fin.credit_card", "card: " + _VISA[:-1] + str((int(_VISA[-1]) + 1) % 10), "Luhn fails"),
    no("fin.credit_card", "order 4111 1111-1111 1111", "mixed separators"),
    no("fin.credit_card", "0000 0000 0000 0000", "all zeros"),
    no("fin.credit_card", "id " + card("9", 16), "no brand starts with 9"),
    no("fin.credit_card", "ts 1700000000000000000", "timestamp-like digits"),
    # -- net.ipv4
    at("net.ipv4", "server at ", "10.0.0.1", ":8080"),
    many("net.ipv4", "dns ", ("8.8.8.8",), " ", ("8.8.4.4",)),
    many("net.ipv4", ("192.168.1.1",), ",", ("192.168.1.2",)),
    no("net.ipv4", "netmask 255.255.255.0 bind 0.0.0.0", "netmask and unspecified"),
    no("net.ipv4", "pip install foo==1.0.0.0", "pinned version"),
    no("net.ipv4", "release v1.2.3.4 and version 1.2.3.4", "version strings"),
    no("net.ipv4", "256.1.1.1 and 1.2.3.999", "octets over 255"),
    no("net.ipv4", "192.168.01.1", "leading zero"),
    no("net.ipv4", "oid 1.3.6.1.4.1.311 and 1.2.3.4.5", "more than four parts"),
    no(
        "net.ipv4",
        "Bump standards version to 3.7.2.0; sections 2.3.3.1 and paragraphs 1.1.1.3",
        "version words followed by to/from, plural section words",
    ),
    no("net.ipv4", "(see paragraphs B.1.1.1.3 and annex C.2.3.4.1)", "annex-lettered sections"),
    no(
        "net.ipv4",
        "(C11, 5.2.4.2.2p8), Audio Specification 7.3.3.31, Clause 7.1.2.3, Appendix 1.2.3.4",
        "standard paragraph numbers",
    ),
    no(
        "net.ipv4",
        "RelNotes/1.7.3.1.txt, engine 11.2.0.4.v3, erlang 1:24.3.4.5+dfsg-1,"
        " Breaks: x (<< 1.0.24.2-5)",
        "file names, version tags, Debian package versions",
    ),
    many(
        "net.ipv4",
        "connect to ",
        ("10.0.0.1",),
        ". Then ",
        ("10.0.0.2",),
        "+ more, range ",
        ("192.168.1.2",),
        "-",
        ("192.168.1.3",),
        "",
        note="sentence end, a + after a space, a range",
    ),
)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _pypi() -> str:
    return "pypi-" + "AgEIcHlwaS5vcmc" + rand(_B64URL, 120)


def _slack_bot() -> str:
    return (
        "xox" + "b-" + rand("0123456789", 12) + "-" + rand("0123456789", 13) + "-" + rand(_B62, 24)
    )


def _slack_user() -> str:
    digits = "-".join(rand("0123456789", 12) for _ in range(3))
    return "xox" + "p-" + digits + "-" + rand(_HEX, 32)


def _stripe(kind: str = "sk_live_", n: int = 99) -> str:
    return kind + rand(_B62, n)


def _openai_project() -> str:
    return "sk-" + "proj-" + rand(_B64URL, 58) + "T3Blbk" + "FJ" + rand(_B64URL, 58)


def _openai_legacy() -> str:
    return "sk-" + rand(_B62, 20) + "T3Blbk" + "FJ" + rand(_B62, 20)


def _anthropic() -> str:
    return "sk-" + "ant-api03-" + rand(_B64URL, 93) + "AA"


def _gcp_api_key() -> str:
    return "AI" + "za" + rand(_B64URL, 35)


def _sendgrid() -> str:
    return "SG" + "." + rand(_B64URL, 22) + "." + rand(_B64URL, 43)


def _npm() -> str:
    return "np" + "m_" + rand(_B62, 36)


def _gitlab() -> str:
    return "gl" + "pat-" + rand(_B62 + "-_", 20)


def _azure_key() -> str:
    return b64(_rng.randbytes(64))


def _sa_json(indent: bool = True) -> str:
    key = pem("", 10).replace("\n", "\\n") + "\\n"
    sep = "\n  " if indent else " "
    return (
        "{"
        + sep
        + '"type": "service_account",'
        + sep
        + '"project_id": "demo-proj-123",'
        + sep
        + '"private_key_id": "'
        + rand(_HEX, 40)
        + '",'
        + sep
        + '"private_key": "'
        + key
        + '",'
        + sep
        + '"client_email": "svc@demo-proj-123.iam.gserviceaccount.com"'
        + "\n}"
    )


def _sa_key_span(doc: str) -> tuple[int, int]:
    start = doc.index("-----BEGIN")
    end = doc.index('"', start)
    return (start, end)


_SA = _sa_json()
_SA_SPAN = _sa_key_span(_SA)
_AWS_SECRET = aws_secret()
_PW = rand(_B62, 9) + "#" + rand(_B62, 6)

SECRET_CASES: tuple[Case, ...] = (
    # -- secret.private_key (more shapes)
    at(
        "secret.private_key",
        '{"key": "',
        pem("").replace("\n", "\\n"),
        '"}',
        "JSON-escaped newlines",
    ),
    at(
        "secret.private_key",
        "",
        "-----BEGIN ENCRYPTED PRIVATE"
        + " KEY-----\r\n"
        + pem_body(8, True)
        + "\r\n-----END ENCRYPTED PRIVATE"
        + " KEY-----",
        "CRLF, encrypted PKCS#8",
    ),
    no(
        "secret.private_key",
        "-----BEGIN RSA PRIVATE"
        + " KEY-----\n"
        + "A" * 64
        + "\n"
        + "A" * 64
        + "\n-----END RSA PRIVATE"
        + " KEY-----",
        "filler body",
    ),
    no(
        "secret.private_key",
        "use -----BEGIN OPENSSH PRIVATE" + " KEY----- blocks only",
        "no body/END",
    ),
    at(
        "secret.private_key",
        "key.pem: ",
        "-----BEGIN RSA PRIVATE"
        + " KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
        + rand(_HEX, 32).upper()
        + "\n\n"
        + pem_body(8)
        + "\n-----END RSA PRIVATE"
        + " KEY-----",
        "",
        "RFC 1421 headers of an encrypted PKCS#1 key",
    ),
    at(
        "secret.private_key",
        '{"pem": "',
        "-----BEGIN RSA PRIVATE"
        + " KEY-----\\nProc-Type: 4,ENCRYPTED\\nDEK-Info: DES-EDE3-CBC,"
        + rand(_HEX, 16).upper()
        + "\\n\\n"
        + pem_body(8).replace("\n", "\\n")
        + "\\n-----END RSA PRIVATE"
        + " KEY-----",
        '"}',
        "headers and JSON-escaped newlines",
    ),
    no(
        "secret.private_key",
        ("-----BEGIN PRIVATE" + " KEY-----") * 40 + "\n" + pem_body(2),
        "BEGIN lines without a body or END",
    ),
    # -- secret.jwt (more)
    at(
        "secret.jwt",
        "id_token=",
        jwt("ES256", {"iss": "https://issuer.example", "aud": "x"}, 86),
        "&s=1",
    ),
    no("secret.jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "unsigned token, empty signature"),
    # -- secret.aws_access_key / aws_secret_key
    at("secret.aws_access_key", '"AccessKeyId": "', aws_key_id("ASIA"), '",'),
    no("secret.aws_access_key", "AKIA" + "A" * 16, "filler"),
    no("secret.aws_access_key", "id=AKIA" + rand(_UPPER_DIGITS, 16) + "X", "glued to more letters"),
    at("secret.aws_secret_key", "aws_secret_access_key = ", _AWS_SECRET, "\n"),
    at("secret.aws_secret_key", 'AWS_SECRET_ACCESS_KEY="', aws_secret(), '"'),
    at("secret.aws_secret_key", '"SecretAccessKey": "', aws_secret(), '"'),
    no(
        "secret.aws_secret_key",
        "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
        "AWS documentation example",
    ),
    no("secret.aws_secret_key", "commit " + rand(_HEX, 40) + " looks like 40 chars", "no name"),
    no("secret.aws_secret_key", "aws_secret_access_key = " + rand(_B62, 39), "too short"),
    # -- secret.gcp_api_key / service account
    at("secret.gcp_api_key", "GOOGLE_API_KEY=", _gcp_api_key()),
    at(
        "secret.gcp_api_key",
        "https://maps.googleapis.com/maps/api/js?key=",
        _gcp_api_key(),
        "&callback=x",
    ),
    no("secret.gcp_api_key", "AIza" + rand(_B62, 20), "too short"),
    Case("secret.gcp_service_account", _SA, (_SA_SPAN,)),
    no("secret.gcp_service_account", '{"type": "authorized_user", "private_key": "x"}', "not a SA"),
    no(
        "secret.gcp_service_account",
        '{"type": "service_account", "private_key": "<redacted>"}',
        "SA with the key removed",
    ),
    # -- Azure
    at(
        "secret.azure_storage_key",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=",
        _azure_key(),
        ";EndpointSuffix=core.windows.net",
    ),
    no("secret.azure_storage_key", "AccountKey=" + "A" * 86 + "==", "filler"),
    no("secret.azure_storage_key", "AccountKey=" + rand(_B62, 40) + "==", "too short"),
    at(
        "secret.azure_shared_access_key",
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=",
        b64(_rng.randbytes(32)),
        ";",
    ),
    no(
        "secret.azure_shared_access_key",
        "SharedAccessKeyName=RootManageSharedAccessKey;",
        "name only",
    ),
    # -- GitHub fine-grained, GitLab
    at(
        "secret.github_fine_grained_pat",
        "GH_PAT=",
        "github_pat_" + rand(_B62, 22) + "_" + rand(_B62, 59),
    ),
    no("secret.github_fine_grained_pat", "github_pat_" + rand(_B62, 22), "truncated"),
    at("secret.gitlab_token", "GL_TOKEN=", _gitlab()),
    at(
        "secret.gitlab_token",
        "git clone https://oauth2:",
        "gl" + "pat-" + rand(_B62, 20),
        "@gitlab.com/g/r.git",
    ),
    no("secret.gitlab_token", "glpat-" + "x" * 20, "placeholder"),
    no("secret.gitlab_token", "glpat-" + rand(_B62, 10), "too short"),
    # -- Slack
    at("secret.slack_token", "SLACK_BOT_TOKEN=", _slack_bot()),
    at("secret.slack_token", "token: ", _slack_user(), "\n"),
    no("secret.slack_token", "xoxb-your-token-here", "placeholder"),
    no("secret.slack_token", "xoxb-123-456-" + "x" * 24, "filler"),
    at(
        "secret.slack_webhook",
        "post to ",
        "https://hooks.slack.com/services/T"
        + rand(_UPPER_DIGITS, 8)
        + "/B"
        + rand(_UPPER_DIGITS, 10)
        + "/"
        + rand(_B62, 24),
        " now",
    ),
    no(
        "secret.slack_webhook",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "documentation placeholder",
    ),
    # -- Stripe
    at("secret.stripe_key", "STRIPE_SECRET_KEY=", _stripe()),
    at("secret.stripe_key", "Stripe.api_key = '", _stripe("rk_live_", 24), "'"),
    at("secret.stripe_key", "", _stripe("sk_test_", 24)),
    no("secret.stripe_key", "pk_live_" + rand(_B62, 24), "publishable keys are public"),
    no(
        "secret.stripe_key",
        "sk_test_" + "4eC39HqLyjWD" + "arjtT1zdp7dc",
        "Stripe documentation key",
    ),
    no("secret.stripe_key", "sk_live_" + "x" * 24, "placeholder"),
    # -- OpenAI / Anthropic
    at("secret.openai_key", "OPENAI_API_KEY=", _openai_project()),
    at("secret.openai_key", "openai.api_key = '", _openai_legacy(), "'"),
    at("secret.openai_key", "key: ", "sk-" + rand(_B62, 48)),
    no("secret.openai_key", "sk-proj-" + "x" * 60, "placeholder"),
    no("secret.openai_key", "a task-based, risk-free sk-learn model", "prose"),
    no("secret.openai_key", "sk-" + rand(_B62, 30), "too short"),
    at("secret.anthropic_key", "ANTHROPIC_API_KEY=", _anthropic()),
    at(
        "secret.anthropic_key",
        "x-api-key: ",
        "sk-" + "ant-admin01-" + rand(_B64URL, 93) + "AA",
        "\n",
    ),
    no("secret.anthropic_key", "sk-ant-api03-...", "elided"),
    no("secret.anthropic_key", "sk-ant-api03-" + "X" * 95, "placeholder"),
    # -- Twilio
    at("secret.twilio_api_key", "TWILIO_API_KEY=", "SK" + rand(_HEX, 32)),
    at("secret.twilio_account_sid", "twilio account ", "AC" + rand(_HEX, 32), " active"),
    no("secret.twilio_api_key", "build SK" + rand(_HEX, 32), "no Twilio context"),
    no("secret.twilio_account_sid", "AC" + rand(_HEX, 32), "no Twilio context"),
    # -- SendGrid / npm / PyPI / Hugging Face / whsec / rlk
    at("secret.sendgrid_key", "SENDGRID_API_KEY=", _sendgrid()),
    no("secret.sendgrid_key", "SG." + rand(_B62, 10) + "." + rand(_B62, 10), "too short"),
    at("secret.npm_token", "//registry.npmjs.org/:_authToken=", _npm()),
    no("secret.npm_token", "npm_" + rand(_B62, 20), "too short"),
    no("secret.npm_token", "run npm_config_cache=" + "a" * 36, "npm config variable"),
    at("secret.pypi_token", "password = ", _pypi()),
    no("secret.pypi_token", "pypi-" + rand(_B62, 60), "not a PyPI macaroon"),
    at(
        "secret.huggingface_token",
        "HF_TOKEN=",
        "hf" + "_" + rand("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 34),
    ),
    no("secret.huggingface_token", "hf_hub_download_and_cache_files_now_x", "identifier"),
    at("secret.webhook_signing_secret", "STRIPE_WEBHOOK_SECRET=", "wh" + "sec_" + rand(_B62, 32)),
    at("secret.webhook_signing_secret", "secret: ", "wh" + "sec_" + b64(_rng.randbytes(32))),
    no(
        "secret.webhook_signing_secret",
        "whsec_" + "MfKQ9r8GKYqrTwjUPD8I" + "LPZIo2LaLaSw",
        "published test vector",
    ),
    many("secret.renlayer_key", "keys ", (rlk_key(),), ",", (rlk_key(),)),
    # -- database URLs: the password only
    at(
        "secret.database_url_password", "DATABASE_URL=postgres://app:", _PW, "@db.internal:5432/app"
    ),
    at(
        "secret.database_url_password",
        "mongodb+srv://admin:",
        "pa%40ss-" + rand(_B62, 8),
        "@cluster0.abcde.mongodb.net/db",
    ),
    at("secret.database_url_password", "REDIS_URL=redis://:", rand(_B62, 16), "@cache:6379/0"),
    at(
        "secret.database_url_password",
        "url = mysql+pymysql://root:",
        rand(_B62, 12),
        "@127.0.0.1/shop",
    ),
    at("secret.database_url_password", "amqps://svc:", rand(_B62, 14), "@mq.example.net/vhost"),
    no(
        "secret.database_url_password", "postgres://user:password@localhost/db", "stock placeholder"
    ),
    no("secret.database_url_password", "postgres://app:${DB_PASSWORD}@db/app", "template"),
    no("secret.database_url_password", "mysql://root:<password>@localhost", "angle placeholder"),
    no("secret.database_url_password", "postgres://db.example.com:5432/app", "no credentials"),
    no("secret.database_url_password", "mongodb://admin:****@host", "masked"),
    # -- bearer / basic
    at("secret.bearer_token", 'curl -H "Authorization: Bearer ', rand(_B62, 40), '" https://api'),
    no("secret.bearer_token", "Authorization: Bearer " + _JWT, "a JWT: the JWT detector owns it"),
    no("secret.bearer_token", "Authorization: Bearer <token>", "placeholder"),
    no("secret.bearer_token", "Authorization: Bearer $API_TOKEN", "variable"),
    at("secret.basic_auth", "Authorization: Basic ", b64(b"deploy:" + rand(_B62, 14).encode())),
    no(
        "secret.basic_auth", "Authorization: Basic " + b64(b"user:password"), "placeholder password"
    ),
    no("secret.basic_auth", "Authorization: Basic " + b64(b"no-colon-here"), "not user:pass"),
    # -- other vendors
    at(
        "secret.google_oauth_client_secret",
        '"client_secret": "',
        "GOCSPX-" + rand(_B64URL, 28),
        '"',
    ),
    no("secret.google_oauth_client_secret", "GOCSPX-" + rand(_B62, 12), "too short"),
    at("secret.digitalocean_token", "DO_TOKEN=", "dop" + "_v1_" + rand(_HEX, 64)),
    no("secret.digitalocean_token", "dop_v1_" + rand("ghijklmnopqrstuvwxyz", 64), "not hex"),
    at("secret.shopify_token", "X-Shopify-Access-Token: ", "shp" + "at_" + rand(_HEX, 32)),
    no("secret.shopify_token", "shpat_" + "0" * 32, "filler"),
    at("secret.hashicorp_vault_token", "VAULT_TOKEN=", "hv" + "s." + rand(_B62, 90)),
    no("secret.hashicorp_vault_token", "hvs.example_token_value_here_x", "example"),
    # -- URL credentials, Telegram, Discord, Google OAuth, AI providers
    at(
        "secret.url_password",
        "git remote add origin https://deploy:",
        rand(_B62, 14),
        "@git.example.com/r.git",
    ),
    at("secret.url_password", "FTP ftp://backup:", "q7#" + rand(_B62, 9), "@files.example.net/"),
    no("secret.url_password", "https://user:password@example.com", "stock placeholder"),
    no("secret.url_password", "https://example.com:8443/path@v2", "port, not credentials"),
    no("secret.url_password", "https://jane@example.com/x", "user only"),
    at("secret.telegram_bot_token", "BOT_TOKEN=", "1234" + "56789:AA" + rand(_B64URL, 33)),
    no("secret.telegram_bot_token", "at 12:30:AA", "a time"),
    at(
        "secret.discord_webhook",
        "hook: ",
        "https://discord.com/api/webhooks/" + rand("0123456789", 18) + "/" + rand(_B64URL, 68),
    ),
    no("secret.discord_webhook", "https://discord.com/api/webhooks/123/abc", "truncated"),
    at("secret.google_oauth_token", "access_token=", "ya" + "29." + rand(_B64URL, 150), "&x=1"),
    no("secret.google_oauth_token", "ya29.xxxxxxxxxxxxxxxxxxxxxxxx", "placeholder"),
    at("secret.ai_provider_key", "GROQ_API_KEY=", "gs" + "k_" + rand(_B62, 52)),
    at("secret.ai_provider_key", "XAI_API_KEY=", "xa" + "i-" + rand(_B62, 80)),
    at("secret.ai_provider_key", "OPENROUTER_API_KEY=", "sk-" + "or-v1-" + rand(_HEX, 64)),
    no("secret.ai_provider_key", "gsk_" + rand(_B62, 20), "too short"),
    # -- command lines
    at("secret.cli_password", "curl -u admin:", "2tLKNz8vtOOT", " https://api.example.com"),
    at("secret.cli_password", "curl -s --user 'svc:", "Q9#" + rand(_B62, 10), "' https://x"),
    at("secret.cli_password", "mysql -h db -u root -p", rand(_B62, 10), " shop"),
    at("secret.cli_password", "sshpass -p ", rand(_B62, 12), " ssh deploy@host"),
    at("secret.cli_password", "docker login -u bot --password ", rand(_B62, 16), " ghcr.io"),
    no("secret.cli_password", "mysql -h db -u root -p shop", "prompted password"),
    no("secret.cli_password", "curl -u $USER:$PASS https://x", "variables"),
    no("secret.cli_password", "curl -u user:password https://x", "placeholder"),
    no("secret.cli_password", "docker login --password-stdin", "stdin"),
    # -- generic assignments
    at("secret.generic_assignment", 'password = "', _PW, '"'),
    at("secret.generic_assignment", "DB_PASSWORD=", rand(_B62, 12) + "!" + rand(_B62, 3), "\n"),
    at("secret.generic_assignment", '{"apiKey": "', rand(_B62, 32), '"}'),
    at("secret.generic_assignment", "client_secret: ", rand(_HEX, 40), "\n"),
    at(
        "secret.generic_assignment",
        'api_key=\\"',
        rand(_B62, 8) + "&" + rand(_B62, 11),
        '\\"',
        "JSON-escaped quotes, & inside",
    ),
    at(
        "secret.generic_assignment",
        "https://api.example.com/v1/items?token=",
        rand(_B62, 24),
        "&page=2",
    ),
    at("secret.generic_assignment", "SECRET_KEY_BASE=", rand(_HEX, 64)),
    at("secret.generic_assignment", 'os.environ["SERVICE_TOKEN"] = "', rand(_B62, 24), '"'),
    at("secret.generic_assignment", "x-api-key: ", rand(_B62, 32), "\r\n"),
    at(
        "secret.generic_assignment",
        "data:\n  password: ",
        b64(b"Pr0d-" + rand(_B62, 10).encode()),
        "\n",
        "Kubernetes secret (base64)",
    ),
    at("secret.generic_assignment", "$ mysql -u root --password=", "Tr0ub4dor&3x", " shop"),
    no("secret.generic_assignment", "password=changeme", "stock placeholder"),
    no("secret.generic_assignment", "token: ${GITHUB_TOKEN}", "template variable"),
    no("secret.generic_assignment", "api_key: <your-api-key>", "angle placeholder"),
    no("secret.generic_assignment", "secret = xxxxxxxxxxxx", "x filler"),
    no("secret.generic_assignment", 'password: "********"', "mask"),
    no("secret.generic_assignment", "password = os.environ['DB_PASSWORD']", "environment lookup"),
    no("secret.generic_assignment", "tokenizer = AutoTokenizer.from_pretrained(name)", "code"),
    no("secret.generic_assignment", "token_type=access_token", "identifier value"),
    no("secret.generic_assignment", "max_tokens: 4096", "numbers"),
    no("secret.generic_assignment", "the password is strong and the secret is safe", "prose"),
    no("secret.generic_assignment", "password_file=/etc/app/secret.txt", "a path"),
    no("secret.generic_assignment", "token_url = https://auth.example.com/token", "a URL"),
    no(
        "secret.generic_assignment",
        "GITHUB_TOKEN=" + github_token_bad_checksum(),
        "owned by a specific detector",
    ),
    no("secret.generic_assignment", "password: aaaaaaaaaaaa1", "low entropy"),
    no("secret.generic_assignment", "api_key = YOUR_API_KEY_HERE", "placeholder words"),
    no("secret.generic_assignment", "api_key: Optional[str] = None", "type annotation"),
    no("secret.generic_assignment", "credentials = standard_b64encode(credentials)", "call"),
    no("secret.generic_assignment", "token = b64encode(userpass)", "short call"),
    no("secret.generic_assignment", ":param tokens: Tokenized text", "docstring"),
    no("secret.generic_assignment", "password: _PasswordType | None = None", "private type"),
    no("secret.generic_assignment", "detect-secrets = detect_secrets.main:main", "entry point"),
    no("secret.generic_assignment", "PASS: ld-elf/group10\nPASS: x86/pr24322a", "test log"),
    no("secret.generic_assignment", "  * signing-key: Updated.", "changelog prose"),
    no("secret.generic_assignment", "max_tokens = _DEFAULT_MAX_TOKENS", "constant"),
    at("secret.generic_assignment", "SMTP_PASS=", rand(_B62, 14)),
)


_DISC = card("6011", 16)
_DINERS = card("36", 14)
_JCB = card("3530", 16)
_MC2 = card("2221", 16)
_IBAN_DE = iban_for("DE", rand("0123456789", 18))
_IBAN_GB = iban_for("GB", "NWBK" + rand("0123456789", 14))
_IBAN_FR = iban_for("FR", rand("0123456789", 10) + "X" + rand("0123456789", 10) + "12")
_IBAN_NL = iban_for("NL", "ABNA" + rand("0123456789", 10))


def spaced4(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _bad_iban(iban: str) -> str:
    digit = int(iban[3])
    return iban[:3] + str((digit + 1) % 10) + iban[4:]


FIN_PII_CASES: tuple[Case, ...] = (
    # -- fin.credit_card (more)
    at("fin.credit_card", "discover: ", _DISC),
    at("fin.credit_card", "diners ", _DINERS, "."),
    at("fin.credit_card", "jcb ", group4(_JCB, "-")),
    at("fin.credit_card", "mc 2-series ", _MC2),
    at("fin.credit_card", '{"pan":"', _VISA, '"}'),
    many("fin.credit_card", "cards: ", (group4(_VISA),), "; ", (group4(_MC),)),
    no("fin.credit_card", "tracking 1Z" + rand("0123456789", 16), "glued to letters"),
    no("fin.credit_card", "4111 1111 1111 111", "too short"),
    no("fin.credit_card", "1234 5678 9012 3456", "sequential"),
    no("fin.credit_card", "uuid 550e8400-e29b-41d4-a716-446655440000", "uuid"),
    no("fin.credit_card", "sum 2.4999999999999996", "decimal fraction"),
    no("fin.credit_card", "epoch_ms = 4031078400000.0", "a float whose digits pass Luhn"),
    at("fin.credit_card", "card ", _VISA, ". Thanks", "a sentence's full stop is not a decimal"),
    no("fin.credit_card", "seed 4220315081820346526", "19 bare digits"),
    no("fin.credit_card", "order " + group4(card("18", 16)), "no issuer starts with 18"),
    at(
        "fin.credit_card",
        "ref 9111 ",
        group4(_VISA),
        " end",
        "a run may start with a non-issuer group: the card after it is still found",
    ),
    # -- fin.iban
    at("fin.iban", "wire to IBAN ", _IBAN_DE, " please"),
    at("fin.iban", "iban: ", spaced4(_IBAN_GB)),
    at("fin.iban", "compte ", _IBAN_FR, "."),
    at("fin.iban", "NL: ", spaced4(_IBAN_NL), " (EUR)"),
    no("fin.iban", "IBAN " + _bad_iban(_IBAN_DE), "check digits wrong"),
    no("fin.iban", "ZZ" + _IBAN_DE[2:], "unknown country"),
    no("fin.iban", "IBAN " + _IBAN_DE[:-1], "wrong length for country"),
    no("fin.iban", "SKU AB12CDEF3456GH7890", "product code"),
    # -- fin.aba_routing
    at("fin.aba_routing", "routing number ", "021000021"),
    at("fin.aba_routing", "ABA: ", "011000015", ", account 12345678"),
    at("fin.aba_routing", "Routing No. (ABA) ", "121000358"),
    no("fin.aba_routing", "routing number 123456789", "checksum fails"),
    no("fin.aba_routing", "invoice 021000021", "no routing label"),
    no("fin.aba_routing", "the database 021000021", "'aba' inside a word"),
    # -- pii.email (more)
    at("pii.email", "mailto:", "first_last@sub.example-mail.com", "?subject=hi"),
    no("pii.email", "DATABASE_URL=postgres://app:pw1234@db.example.com/app", "URL userinfo"),
    no("pii.email", "@decorator and @user mentions", "no local part"),
    no("pii.email", "git@github.com:org/repo.git", "git SSH remote"),
    no(
        "pii.email",
        "Message-ID: <54574397.4060000@example.com> <20130226110144.GA12678@example.at>",
        "message ids: timestamp and counter",
    ),
    no(
        "pii.email",
        "<1409845851-38950-3-git-send-email-ann@example.com>"
        " <dc1605ce-a47d-34c5-8851-d9569f9ea5d3@example.st>"
        " <76a486bee62b0d200f33dc2ca08220ad@h.io>",
        "message ids: git send-email, UUID, 32 hex",
    ),
    no("pii.email", "po/en@quot.header po/sr@latin.po", "gettext locale files"),
    many(
        "pii.email",
        ("12345678@qq.example.com",),
        ", ",
        ("deb2001-github@example.de",),
        ", ",
        ("47042125+octo@users.noreply.example.com",),
        ", ",
        ("abba2019.fan@example.org",),
        note="digits in real mailbox names",
    ),
    # -- pii.phone
    at("pii.phone", "call me at ", "+1 (415) 555-2671", " after 5pm"),
    at("pii.phone", "phone: ", "(415) 555-2671"),
    at("pii.phone", "tel ", "415-555-2671", "."),
    at("pii.phone", "cell ", "415.555.2671"),
    at("pii.phone", "E.164 ", "+14155552671"),
    at("pii.phone", "UK office ", "+44 20 7946 0958"),
    at("pii.phone", "London ", "020 7946 0958"),
    at("pii.phone", "mobile ", "07700 900123"),
    at("pii.phone", "Berlin ", "+49 30 12345678"),
    at("pii.phone", "Büro ", "030 12345678"),
    at("pii.phone", "Paris ", "01 42 68 53 00"),
    at("pii.phone", "portable ", "+33 6 12 34 56 78"),
    at("pii.phone", "support ", "1-800-555-0199", " ext"),
    at("pii.phone", "desk ", "415-555-2671 x204"),
    many("pii.phone", "a ", ("415-555-2671",), ", b ", ("415-555-2672",)),
    no("pii.phone", "order 2024-01-15 ssn 123-45-6789", "date and SSN shapes"),
    no("pii.phone", "ts 1700000000 id 4155552671", "bare digit runs"),
    no("pii.phone", "version 1.2.3 build 10.0.19041.1", "versions"),
    no("pii.phone", "order 8936 4390 0847 4537", "card-like groups"),
    no("pii.phone", "555-555-5555", "repeated digits"),
    no("pii.phone", "+1 234", "too short"),
    no("pii.phone", "x = +1.12345679", "signed decimal"),
    no("pii.phone", "quantize(Decimal('+35236450.6'))", "signed decimal, long integer part"),
    at("pii.phone", "fax ", "+1.415.555.2671", "", "dotted international"),
    no("pii.phone", "as defined in Clause 252.227-7013 (c)", "mixed separators"),
    no("pii.phone", "<Buffer 08 07 06 05 04 03 02 01>", "hex dump"),
    no("pii.phone", "np.array(['+1980-02-29 01:02:03'])", "signed ISO date"),
    # -- pii.us_ssn
    at("pii.us_ssn", "my SSN is ", "536-22-8741"),
    at("pii.us_ssn", "social security number ", "536-22-8741", " on file"),
    no("pii.us_ssn", "SSN 536 22 8741 and 536228741", "spaced and bare forms are not reported"),
    at("pii.us_ssn", "", "078-05-1121"),
    no("pii.us_ssn", "SSN 000-12-3456", "area 000"),
    no("pii.us_ssn", "SSN 666-12-3456", "area 666"),
    no("pii.us_ssn", "SSN 912-12-3456", "area 9xx"),
    no("pii.us_ssn", "SSN 536-00-3456", "group 00"),
    no("pii.us_ssn", "SSN 536-22-0000", "serial 0000"),
    no("pii.us_ssn", "SSN 078-05-1120", "voided Woolworth number"),
    no("pii.us_ssn", "part 536-22-8741-01", "longer dash group"),
    no("pii.us_ssn", "phone 415-555-2671", "phone shape"),
    no("pii.us_ssn", "ssn : 111-22-3333", "repeated-digit filler"),
    no("pii.us_ssn", "SSN 123-45-6789", "sequential filler"),
    # -- pii.passport
    at("pii.passport", "Passport No: ", "K58314976"),
    at("pii.passport", "passport number ", "X61042738", "."),
    at("pii.passport", "Reisepass ", "C01X00T47"),
    at("pii.passport", "passeport n° ", "09AB73615"),
    no("pii.passport", "order number K58314976", "no passport word"),
    no("pii.passport", "passport 123456789", "sequential"),
    no("pii.passport", "passport office opens at 0900", "short number"),
)

NET_HEALTH_CASES: tuple[Case, ...] = (
    # -- net.ipv4 (more)
    at("net.ipv4", "client_ip=", "203.0.113.7"),
    at("net.ipv4", "route ", "10.0.0.0", "/8"),
    at("net.ipv4", "é日本😀 ", "198.51.100.23"),
    at("net.ipv4", "ping ", "8.8.8.8", "."),
    no("net.ipv4", "v1.2.3.4", "v-prefixed version"),
    no("net.ipv4", "Version: 10.2.0.4", "labelled version"),
    no("net.ipv4", "firmware 2.10.3.1", "firmware version"),
    no("net.ipv4", "build 10.0.19041.1", "windows build"),
    no("net.ipv4", "Chrome/120.0.6099.109", "user agent"),
    no("net.ipv4", "per RFC 5891 §4.2.3.2 a label", "section sign"),
    # -- net.ipv6
    at("net.ipv6", "peer ", "2001:db8::1", " dropped"),
    at("net.ipv6", "addr ", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    at("net.ipv6", "link ", "fe80::1ff:fe23:4567:890a", "%eth0"),
    at("net.ipv6", "[", "2001:db8:1::ab9:c0a8:102", "]:443"),
    at("net.ipv6", "mapped ", "::ffff:192.0.2.128"),
    no("net.ipv6", "at 12:30:45 the job ran", "time of day"),
    no("net.ipv6", "std::vector<int> and Foo::Bar::baz", "C++/Ruby scopes"),
    no("net.ipv6", "dead::beef", "hex words"),
    no("net.ipv6", "evens = xs[1::2]; ys[::3]", "Python slices"),
    no("net.ipv6", "1:2:3:4:5:6:7:8:9", "too many groups"),
    # -- net.mac
    at("net.mac", "device mac ", "00:1A:2B:3C:4D:5E", " joined"),
    at("net.mac", "hw ", "a4-5e-60-c2-91-0f"),
    at("net.mac", "cisco ", "001a.2b3c.4d5e"),
    no("net.mac", "00:00:00:00:00:00", "all zero"),
    no("net.mac", "ff:ff:ff:ff:ff:ff", "broadcast"),
    no("net.mac", "00:1A:2B:3C:4D:5E:6F:70", "EUI-64"),
    no("net.mac", "00:1A-2B:3C-4D:5E", "mixed separators"),
    no("net.mac", "10.0100.0050.0100.005220", "dotted decimals"),
    no("net.mac", "path d='M1-19-9-33-22-14-14-23-37-9-22'", "dash-separated numbers"),
    at("net.mac", "lab switch ", "00:11:22:33:44:55", " (test rig)"),
    # -- health.us_npi
    at("health.us_npi", "NPI: ", "1234567893"),
    at("health.us_npi", "National Provider Identifier (NPI) ", "1245319599"),
    no("health.us_npi", "NPI: 1234567890", "check digit fails"),
    no("health.us_npi", "order 1234567893", "no NPI label"),
    # -- health.icd10
    at("health.icd10", "Diagnosis: ", "E11.9", " (type 2 diabetes)"),
    many("health.icd10", "ICD-10 codes: ", ("F32.A",), ", ", ("S72.001A",)),
    no("health.icd10", "see section E11.9 of the manual", "no diagnosis word"),
    no("health.icd10", "diagnosis: U07.1", "U codes are special-purpose"),
    # -- health.us_dea_number
    at("health.us_dea_number", "DEA# ", "AB1234563"),
    at("health.us_dea_number", "prescriber DEA number: ", "FJ9876547", "."),
    no("health.us_dea_number", "DEA: AB1234567", "check digit fails"),
    no("health.us_dea_number", "id AB1234563", "no DEA label"),
    # -- health.us_mbi
    at("health.us_mbi", "Medicare ID ", "1EG4-TE5-MK73"),
    at("health.us_mbi", "MBI: ", "1EG4TE5MK73"),
    no("health.us_mbi", "ticket 1EG4-TE5-MK73", "no Medicare word"),
    no("health.us_mbi", "Medicare 1SG4-TE5-MK73", "S is not in the MBI alphabet"),
    # -- health.medical_record_number
    at("health.medical_record_number", "MRN: ", "00482913"),
    at("health.medical_record_number", "Medical Record Number ", "448201"),
    no("health.medical_record_number", "MRN: 12345678", "sequential"),
    no("health.medical_record_number", "the record number 00482913", "not a medical record label"),
)

# Shapes found missing or over-reported by a sweep against other scanners' public test corpora.
RECALL_CASES: tuple[Case, ...] = (
    # -- secret.slack_token: configuration tokens, masked tokens, placeholders
    at("secret.slack_token", '"access_token": "', "xox" + "e.xoxp-1-" + rand(_B62, 163), '"'),
    at("secret.slack_token", "refresh=", "xox" + "e-1-" + rand(_B62, 146)),
    no(
        "secret.slack_token",
        "xox" + "p-" + "-".join(rand("0123456789", 12) for _ in range(3)) + "-" + "#" * 20,
        "masked token",
    ),
    no("secret.slack_token", "xox" + "e.xoxp-1-SlackAppConfigurationAccessTokenHere", "no digit"),
    # -- secret.bearer_token: the Token / Api-Token schemes
    at("secret.bearer_token", 'curl -H "Authorization: Token ', rand(_HEX, 40), '" https://api'),
    at("secret.bearer_token", "authorization: api-token ", rand(_B62, 32), "\n"),
    no("secret.bearer_token", "Authorization: Token **********", "masked"),
    no("secret.bearer_token", "Authorization: Token {{ token }}", "template"),
    # -- secret.cli_password: continued curl lines, empty or quoted user, placeholders
    at(
        "secret.cli_password",
        "curl -k -X POST https://x/rest \\\n  -H 'Content-type: text/plain' \\\n  -u dev:",
        rand(_B62, 16),
    ),
    at("secret.cli_password", 'curl -u ":', rand(_B62, 12), '" https://localhost:9200'),
    at("secret.cli_password", "curl -X POST --user  'jo:", rand(_B62, 12), "' $URL"),
    at("secret.cli_password", 'curl --user "{acct-7}":"', rand(_B62, 14), '" https://x'),
    no("secret.cli_password", "curl -u <user:password> https://test.com/endpoint", "placeholder"),
    no("secret.cli_password", "curl --user neo4j:[PASSWORD] http://[IP]:7474/", "placeholder"),
    no("secret.cli_password", "curl -s https://x/a\n  -u dev:" + rand(_B62, 12), "new command"),
    # -- secret.generic_assignment: more assignment shapes
    at("secret.generic_assignment", "DEPLOY_TOKEN ?= ", rand(_B62, 30), "\n", "Makefile ?="),
    at("secret.generic_assignment", 'api_token ::= "', rand(_B62, 30), '"', "Makefile ::="),
    at("secret.generic_assignment", '$authToken .= "', rand(_B62, 30), '";', "PHP .="),
    at("secret.generic_assignment", 'System.setProperty("API_TOKEN", "', rand(_B62, 30), '")'),
    at("secret.generic_assignment", "<password>", "Qz" + rand(_B62, 12), "</password>"),
    at("secret.generic_assignment", 'var authToken string = "', rand(_B62, 30), '"', "Go"),
    at("secret.generic_assignment", 'val dbPassword: String = "', rand(_B62, 16), '"'),
    at("secret.generic_assignment", "some_api_token_123 = ", rand(_B62, 40), "", "index suffix"),
    no("secret.generic_assignment", 'keys = ["password", "username", "client_secret"]', "names"),
    no("secret.generic_assignment", "usage: login <user> <password> hostname1234", "synopsis"),
    no("secret.generic_assignment", 'password: str = Field(default="")', "annotation"),
    no("secret.generic_assignment", '{"token": _PASSWORD, "DB_PASSWORD": _PASSWORD}', "constant"),
    no("secret.generic_assignment", 'case("bearer_token", "Authorization: Bearer x")', "a label"),
    no("secret.generic_assignment", 'case("gitlab_token", "REGISTRATION_TOKEN=", v)', "a label"),
    no("secret.generic_assignment", "pw_name:pw_passwd:pw_uid:pw_gid:pw_dir", "field list"),
    no("secret.generic_assignment", "slack_token: configuration/refresh tokens", "prose"),
    no("secret.generic_assignment", "docs: trailer.<token>.command", "an attribute"),
    no("secret.generic_assignment", "bool parse(AsmToken::TokenKind Kind);", "C++ scope"),
    at("secret.generic_assignment", "SIGNING_KEY=", rand(_B62, 27) + "=", "\n", "padding"),
    at("secret.generic_assignment", 'set("api_token", "', rand(_B62, 20) + ":", '")', "colon"),
    # -- net.ipv6: not glued to words or longer digit runs
    many("net.ipv6", "peers ", ("2001:db8::1",), ",", ("2001:db8::2",), " up"),
    at("net.ipv6", '{"log": "conn\\n', "2001:db8:85a3::8a2e:370:7334", '"}'),
    at("net.ipv6", "host:", "2001:db8::10", " ok"),
    no("net.ipv6", "fe80::1text", "letters glued after"),
    no("net.ipv6", "text2001:db8::1", "letters glued before"),
    no("net.ipv6", "12345:db8::1", "five-digit group"),
    # -- secret.telegram_bot_token: inside Bot API URLs
    at(
        "secret.telegram_bot_token",
        "GET https://api.telegram.org/bot",
        "72138" + "08860:AA" + rand(_B64URL, 33),
        "/sendMessage",
    ),
    no("secret.telegram_bot_token", "robot72138" + "08860:AA" + rand(_B64URL, 33), "glued"),
    # -- pii.phone: spaced NANP after a parenthesized area code, upper-case extensions
    at("pii.phone", "call ", "(415) 555 2671", " now"),
    at("pii.phone", "office: ", "523-222-8888EXT623"),
    at("pii.phone", "desk ", "(523)222-8888 Ext. 12", "."),
    no("pii.phone", "ids (100) 200 300 and (12) 345 6789", "too few digits"),
    no("pii.phone", "row (415) 555 26710", "too many digits"),
    # -- secret.openai_key: early service-account keys named after their account
    at(
        "secret.openai_key",
        'OPENAI_API_KEY = "',
        "sk-" + "ci-runner-" + rand(_B62, 24) + "T3Blbk" + "FJ" + rand(_B62, 24),
        '"',
    ),
    no("secret.openai_key", "sk-ci-runner-" + rand(_B62, 24) + "T3Blbk" + "FJ", "no tail"),
    no("secret.openai_key", "task-" + rand(_B62, 24) + "T3Blbk" + "FJ" + rand(_B62, 24), "glued"),
    # -- secret.gitlab_token: routable suffix without its second dot, runner registration
    at("secret.gitlab_token", 'token = "', "gl" + "pat-" + rand(_B62, 27) + ".01" + "x7k2m9q", '"'),
    at("secret.gitlab_token", "runner: ", "gl" + "rt-t1_" + rand(_B62, 27) + ".01x7k2m9q"),
    at("secret.gitlab_token", "REGISTRATION_TOKEN=", "GR134" + "8941" + rand(_B62, 20)),
    no("secret.gitlab_token", "GR134" + "8941" + "X" * 20, "filler"),
    no("secret.gitlab_token", "GR134" + "8941" + rand(_B62, 12), "too short"),
    # -- secret.url_password: a URL-encoded mask is no password
    no("secret.url_password", "see https://svc:%2A%2A%2A%2A%2A%2A@www.example.com/x", "masked"),
    at("secret.url_password", "see https://svc:", "a%2A" + rand(_B62, 10), "@www.example.com/x"),
)

CASES: tuple[Case, ...] = (
    CORE_CASES + SECRET_CASES + FIN_PII_CASES + NET_HEALTH_CASES + RECALL_CASES
)
