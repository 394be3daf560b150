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


def _luhn_complete(partial: str) -> str:
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
    return _luhn_complete(prefix + rand("0123456789", length - len(prefix) - 1))


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
    at("net.ipv4", "ip=", "255.255.255.255", "."),
    no("net.ipv4", "release v1.2.3.4 and version 1.2.3.4", "version strings"),
    no("net.ipv4", "256.1.1.1 and 1.2.3.999", "octets over 255"),
    no("net.ipv4", "192.168.01.1", "leading zero"),
    no("net.ipv4", "oid 1.3.6.1.4.1.311 and 1.2.3.4.5", "more than four parts"),
)
CASES: tuple[Case, ...] = CORE_CASES
