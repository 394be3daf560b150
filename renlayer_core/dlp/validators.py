"""Validators: cheap, pure checks that turn a regex candidate into a finding or drop it.

Each public check takes the candidate value (the `value` group of a detector's pattern, or the
whole match) and returns True to keep it. Checksums come first because they are exact; the
look-alike guards (repeated or sequential digits, placeholders, documented example keys) keep
the structurally-valid-but-meaningless values out of the findings.

Custom patterns name their validator as text (``luhn``, ``mod97``, ``entropy>=3.5``):
`named()` resolves that text to a check, and rejects anything else with a clear error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Final

from renlayer_core import apikeys
from renlayer_core.errors import FieldError, PatternInvalid

Validator = Callable[[str], bool]

_DIGITS: Final = frozenset("0123456789")

# ---------------------------------------------------------------------------------------------
# Checksums
# ---------------------------------------------------------------------------------------------


def digits_of(value: str) -> str:
    """The digits of ``value`` in order (separators such as spaces and dashes dropped)."""
    return (
        value
        if value.isascii() and value.isdigit()
        else "".join(ch for ch in value if ch in _DIGITS)
    )


def luhn(value: str) -> bool:
    """Luhn mod-10 over the digits of ``value`` (separators ignored); needs 2+ digits."""
    digits = digits_of(value)
    if len(digits) < 2:
        return False
    # Every second digit from the right is doubled (minus 9 past 9): a translation table.
    # Digits are summed as their ASCII bytes minus b"0" — C loops, not a Python generator
    # (2.0 → 0.5 µs: this runs on every card-shaped digit run of a text).
    kept = digits[-1::-2].encode("ascii")
    doubled = digits[-2::-2].translate(_LUHN_DOUBLE).encode("ascii")
    total = sum(kept) + sum(doubled) - 48 * (len(kept) + len(doubled))
    return total % 10 == 0


_LUHN_DOUBLE: Final = str.maketrans("0123456789", "0246813579")


# Per-country IBAN lengths (SWIFT IBAN registry). A country missing here is rejected: an
# unknown country code is far more often a look-alike than a real account.
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def mod97(value: str) -> bool:
    """ISO 7064 mod 97-10 as IBANs use it: move the first 4 chars to the end, letters → 10..35,
    the number mod 97 must be 1. Spaces are ignored; any other non-alphanumeric fails."""
    compact = value.replace(" ", "").upper()
    if len(compact) < 5 or not compact.isascii() or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def iban(value: str) -> bool:
    """A known country, that country's length, check digits 02..98, and mod-97."""
    compact = value.replace(" ", "").upper()
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is None or len(compact) != expected:
        return False
    if not compact[2:4].isdigit() or compact[2:4] in ("00", "01", "99"):
        return False
    return mod97(compact)


def aba_routing(value: str) -> bool:
    """US ABA routing number: 9 digits, a prefix below 81, the 3-7-1 weighted checksum.

    The finer Federal Reserve prefix table (00-12, 21-32, 61-72, 80) is not enforced: the
    catalog only looks at numbers labelled "routing"/"ABA", where the checksum already leaves
    one look-alike in ten, and generated test data rarely follows the table."""
    digits = digits_of(value)
    if len(digits) != 9 or len(value) != 9 or repeated(digits) or int(digits[:2]) > 80:
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def npi(value: str) -> bool:
    """US National Provider Identifier: 10 digits starting 1 or 2, Luhn over "80840" + the
    number (the ISO 7812 health-industry prefix)."""
    return len(value) == 10 and value.isdigit() and value[0] in "12" and luhn("80840" + value)


def github_classic_token(value: str) -> bool:
    """``gh?_`` + 30 base62 chars + 6-char base62 CRC32 of those 30 (GitHub's 2021 format,
    the same scheme as our ``rlk_`` keys)."""
    if len(value) != 40 or value[3] != "_":
        return False
    body, check = value[4:34], value[34:]
    if not (body.isascii() and body.isalnum() and check.isascii() and check.isalnum()):
        return False
    return apikeys.checksum(body) == check


def rlk_key(value: str) -> bool:
    """A RenLayer API key with a valid checksum."""
    return apikeys.is_well_formed(value)


# ---------------------------------------------------------------------------------------------
# Entropy
# ---------------------------------------------------------------------------------------------


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character of ``value`` (0.0 for the empty string)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def entropy_at_least(threshold: float) -> Validator:
    """A validator keeping values whose entropy is >= ``threshold`` bits per char."""

    def check(value: str) -> bool:
        return shannon_entropy(value) >= threshold

    check.__name__ = f"entropy_at_least_{threshold}"
    return check


# ---------------------------------------------------------------------------------------------
# Look-alike guards (True means "this is a look-alike": callers negate)
# ---------------------------------------------------------------------------------------------


def repeated(value: str) -> bool:
    """All alphanumeric characters the same (``0000 0000``, ``xxxxxxxx``)."""
    chars = {ch.lower() for ch in value if ch.isalnum()}
    return len(chars) <= 1


def sequential_digits(value: str) -> bool:
    """Digits running up or down by one throughout (``123456789``, ``98765``)."""
    digits = digits_of(value)
    if len(digits) < 4:
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


# SHA-256 of values published as examples in vendor documentation and specs (AWS, Stripe,
# Standard Webhooks, …). Stored as digests so the repository itself never contains them in a
# form secret scanners flag. They are never reported: a documented example is not a leak.
_EXAMPLE_SHA256: Final = frozenset(
    {
        # Stripe docs test secret key (sk_test_4eC39Hq…)
        "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
        # Stripe docs test publishable key (pk_test_TYooMQa…)
        "b1471f544ceeea31333bde7e1ecbaad6eac0d4a749412ad29bd66ef895b81c6b",
        # Standard Webhooks published test vector (whsec_MfKQ9r8…), also in our SPEC
        "96ad2ccd81462a766178ae09a71df55f548a3f66da11606f9cdf40b391e22dd0",
    }
)
# (AWS's documented AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/…EXAMPLEKEY say "example" outright.)

# Words that mark a value as documentation rather than a secret. Matched case-insensitively
# as substrings, so keep them long enough not to occur inside random base62.
_EXAMPLE_WORDS: Final = ("example", "sample", "dummy", "placeholder", "redacted")


def known_example(value: str) -> bool:
    """A documented example value (by digest), or one that says it is an example."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    if digest in _EXAMPLE_SHA256:
        return True
    lowered = value.lower()
    return any(word in lowered for word in _EXAMPLE_WORDS)


_PLACEHOLDER_RE: Final = re.compile(
    r"""
      \$\{ | \$\( | \{\{ | \}\} | %\( | <[^>]*>                 # ${VAR} $(cmd) {{x}} <your-key>
    | ^\$[A-Za-z_] | ^%[A-Za-z_]+%$ | ^@[A-Za-z_]                   # $VAR %VAR% @var
    | ^\[[A-Za-z_\ \-]+\]$                                         # [PASSWORD]
    | x{4,} | X{4,} | \*{3,} | \.{3,} | …|-{4,} | _{4,} | \#{4,}    # masks and ellipses
    | (?:%2A){3,}                                                  # URL-encoded *** mask
    | your[_\-.] | my[_\-.]?(?:secret|pass|token|key|api)          # your-key, my_password
    | change[_\-.]?me | replace[_\-.]?me | fill[_\-.]?me
    | (?<![a-z0-9])(?:todo|fixme|tbd)(?![a-z0-9])
    | ^(?:none|null|nil|undefined|true|false|empty|n/?a|string|value|test|secret|password
        |passwd|pass|token|apikey|api[_\-]?key|key|admin|root|user|username|default|foobar
        |foo|bar|baz|qwerty|letmein|hunter2|abc123|123456|changeit|s3cr3t)$
    """,
    re.IGNORECASE | re.VERBOSE,
)


def placeholder(value: str) -> bool:
    """Template variables, masks, and the stock words people put where a secret goes."""
    return bool(_PLACEHOLDER_RE.search(value)) or known_example(value) or repeated(value)


# ---------------------------------------------------------------------------------------------
# Detector validators (compositions used by the built-in catalog)
# ---------------------------------------------------------------------------------------------

_CARD_BRANDS: Final[tuple[tuple[tuple[int, int], tuple[int, ...]], ...]] = (
    # ((lowest IIN prefix, highest IIN prefix) at 6 digits, allowed lengths)
    ((400000, 499999), (13, 16, 19)),  # Visa
    ((510000, 559999), (16,)),  # Mastercard
    ((222100, 272099), (16,)),  # Mastercard 2-series
    ((340000, 349999), (15,)),  # American Express
    ((370000, 379999), (15,)),  # American Express
    ((601100, 601199), (16, 17, 18, 19)),  # Discover
    ((644000, 659999), (16, 17, 18, 19)),  # Discover
    ((622126, 622925), (16, 17, 18, 19)),  # Discover / UnionPay co-branded
    ((620000, 629999), (16, 17, 18, 19)),  # UnionPay
    ((300000, 305999), (14, 15, 16, 17, 18, 19)),  # Diners Club International
    ((360000, 369999), (14, 15, 16, 17, 18, 19)),  # Diners Club
    ((380000, 399999), (16, 17, 18, 19)),  # Diners Club
    ((352800, 358999), (16, 17, 18, 19)),  # JCB
)


def card_number(value: str) -> bool:
    """A payment card: one kind of separator at most, a known brand's IIN range and length,
    Luhn, and not an obvious filler (all-same or sequential digits). A leading ``123.``
    (swallowed by the pattern) means the digits are a decimal fraction: rejected."""
    # Cheapest tests first: this runs on every long digit run of a text.
    if "." in value or (" " in value and "-" in value):
        return False
    digits = value.replace(" ", "").replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        return False
    n = len(digits)
    if n < 13 or (n > 16 and digits == value):  # 17-19 bare digits: an id far more often
        return False
    iin = int(digits[:6])
    if not any(lo <= iin <= hi and n in lengths for (lo, hi), lengths in _CARD_BRANDS):
        return False
    return luhn(digits) and not repeated(digits) and not sequential_digits(digits)


def us_ssn(value: str) -> bool:
    """AAA-GG-SSSS (dashes; spaces are accepted when called directly): area not 000/666/9xx,
    group not 00, serial not 0000, not one of the SSA's publicly voided numbers, and not a
    made-up filler: sequential digits (123-45-6789) or every group one repeated digit
    (111-22-3333)."""
    parts = re.split(r"[- ]", value)
    if len(parts) != 3 or [len(p) for p in parts] != [3, 2, 4]:
        return False
    area, group, serial = parts
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    if sequential_digits(area + group + serial) or all(repeated(p) for p in parts):
        return False
    return value.replace(" ", "-") not in ("078-05-1120", "219-09-9999")


_IPV4_PART: Final = re.compile(r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])")


def ipv4(value: str) -> bool:
    """Exactly four dotted decimal octets 0..255, no leading zeros, a host's first octet.
    The catalog pattern lets the value swallow a version word or a ``==`` before it and a
    fifth part after it, so ``v1.2.3.4``/``version 1.2.3.4``/``pkg==1.2.3.4``/``1.2.3.4.5``
    land here whole and are rejected."""
    parts = value.split(".")
    if len(parts) != 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return False
    # 0.x.x.x is "this network" and 255.x.x.x holds netmasks and broadcast: never a host.
    return parts[0] not in ("0", "255")


def ipv6(value: str) -> bool:
    """A valid IPv6 literal with enough substance not to be code — ``A::B``, ``std::``, the
    slice ``x[1::2]``: 5+ hex digits in all, and either 3+ groups or a group of 3+ digits
    (``fe80::1``), and a decimal digit somewhere (``dead::beef`` is a word game)."""
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    groups = [g for g in re.split(r"[:.]", value) if g]
    if sum(len(g) for g in groups) < 5 or not any(ch.isdigit() for ch in value):
        return False
    return len(groups) >= 3 or max(len(g) for g in groups) >= 3


def mac_address(value: str) -> bool:
    """Six octets (or Cisco's three 4-hex groups), one separator, not all-same; dash and
    Cisco forms must hold a hex letter."""
    compact = re.sub(r"[:.-]", "", value)
    if len(compact) != 12:
        return False
    groups = re.split(r"[:.-]", value)
    if len(groups) not in (3, 6):
        return False
    # Dash and Cisco forms need a hex letter: digit-only runs like 0100.0050.0100 or the
    # 33-22-14-14-23-37 of an SVG path are numbers. (Colon MACs such as the common test
    # address 00:11:22:33:44:55 are kept.)
    if ":" not in value and compact.isdigit():
        return False
    return not repeated(compact)


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def jwt(value: str) -> bool:
    """Three base64url segments; header and payload decode to JSON objects; the header names
    an ``alg``."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
    return (
        isinstance(header, dict)
        and isinstance(header.get("alg"), str)
        and isinstance(payload, dict)
    )


def _char_classes(value: str) -> int:
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


_IDENTIFIER_LIKE: Final = re.compile(
    r"""
      ^[a-z]+(?:[_-][a-z]+)+$            # snake_case / kebab-case words
    | ^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)+$  # snake_case with digits (standard_b64encode)
    | ^_*[A-Z][a-z]+(?:[A-Z][a-z]+)+$    # _PrivateType
    | ^[A-Z]?[a-z]+[.!?]?$               # one plain word (":param token: Tokenized …")
    | ^[a-z]+(?:[A-Z][a-z]+)+$           # camelCase words
    | ^[A-Z][a-z]+(?:[A-Z][a-z]+)+$      # PascalCase words
    | ^_*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$  # CONSTANT_CASE words (_DEFAULT_MAX_TOKENS)
    | ^_+[A-Z][A-Z0-9]*$                 # a private constant (_PASSWORD)
    | ^[a-z_]+(?:[/:][a-z_]+)+$          # words joined by / or : (configuration/refresh)
    | ^\.[A-Za-z_][\w.]*$               # an attribute or file extension (.command)
    | ^:[A-Za-z_][\w:]*$                # the rest of a C++/Rust path (AsmToken::TokenKind)
    | ^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+(?:\(.*)?$   # dotted.path / call(
    | ^[A-Za-z_][\w.]*:[A-Za-z_]\w*$    # entry point module.path:attr
    | ^[A-Za-z_]\w*\(                    # call(
    | ://                                # a URL, not a secret
    | ^(?:/|\./|\.\./|~/)[\w./-]*$       # a file path
    """,
    re.VERBOSE,
)


# Values that start like a token a specific detector owns: the specific detector reports them
# (or rejects them on purpose, e.g. a failed GitHub checksum), the generic one stays out.
_OWNED_PREFIX: Final = re.compile(
    r"^(?:gh[pousr]_|github_pat_|gl[a-z]{1,6}-|xox[a-z]-|xapp-|sk_(?:live|test)_|rk_(?:live|test)_"
    r"|pk_(?:live|test)_|sk-|AKIA|ASIA|ABIA|ACCA|AIza|SG\.|npm_|pypi-|hf_|whsec_|rlk_|eyJ"
    r"|GOCSPX-|do[opr]_v1_|shp(?:at|ss|ca|pa)_|hv[sb]\.|ya29\.|gsk_|xai-|pplx-|r8_|-----BEGIN)"
)


def generic_secret(value: str) -> bool:
    """A value assigned to a password/secret/token-like name: 8+ chars, 2+ character classes
    (lower, upper, digit, symbol), entropy >= min(3.0, 0.85·log2(len)) bits/char, and no
    placeholder, identifier, path or URL shape."""
    if len(value) < 8 or placeholder(value) or _IDENTIFIER_LIKE.search(value):
        return False
    # A name followed by its own assignment sign is the next label, not a value: the quoted
    # pair `"bearer_token", "Authorization: …"` yields `Authorization:`.
    if value[-1] in ":=" and value[-2:] != "==" and _IDENTIFIER_LIKE.search(value[:-1]):
        return False
    if _OWNED_PREFIX.match(value):
        return False
    if sequential_digits(value) and value.isdigit():
        return False
    # A string of n characters has at most log2(n) bits/char, so short passwords are held to
    # 85% of their ceiling rather than a flat 3.0 that an 8-char value could barely reach.
    threshold = min(3.0, 0.85 * math.log2(len(value)))
    return _char_classes(value) >= 2 and shannon_entropy(value) >= threshold


def password_in_url(value: str) -> bool:
    """The password of a connection URL: anything but a placeholder or a template."""
    return bool(value) and not placeholder(value)


def token_value(min_entropy: float = 3.0) -> Validator:
    """For prefixed tokens: not a placeholder or documented example, and at least
    ``min_entropy`` bits per char over the whole value (the prefix barely moves it; filler
    such as ``ghp_xxxx…`` falls far below)."""

    def check(value: str) -> bool:
        return not placeholder(value) and shannon_entropy(value) >= min_entropy

    check.__name__ = f"token_value_{min_entropy}"
    return check


def slack_token(value: str) -> bool:
    """A Slack token: a prefixed token value whose last segment holds a digit, as every issued
    one does (random base62/hex) — `xoxp-1-SlackAppConfigurationTokenHere` is a placeholder."""
    tail = value.rsplit("-", 1)[-1]
    return any(ch.isdigit() for ch in tail) and token_value(3.0)(value)


def aws_access_key(value: str) -> bool:
    """AWS access key id: not the documented example, not filler."""
    return not value.endswith("EXAMPLE") and not known_example(value) and not repeated(value[4:])


def all_of(*checks: Validator) -> Validator:
    """A validator that keeps a value only when every check keeps it."""

    def check(value: str) -> bool:
        return all(c(value) for c in checks)

    check.__name__ = "all_of_" + "_".join(getattr(c, "__name__", "check") for c in checks)
    return check


def not_(guard: Validator) -> Validator:
    """Turns a look-alike guard (True = look-alike) into a validator (True = keep)."""

    def check(value: str) -> bool:
        return not guard(value)

    check.__name__ = "not_" + getattr(guard, "__name__", "guard")
    return check


def passport_number(value: str) -> bool:
    """A passport-like id: has a digit, not filler."""
    return any(c.isdigit() for c in value) and not repeated(value) and not sequential_digits(value)


_PEM_ARMOR: Final = re.compile(r"-----(?:BEGIN|END) [A-Z0-9 ]+-----")


def pem_private_key(value: str) -> bool:
    """A PEM/OpenSSH private key block with a real body: 64+ base64 characters that are not
    filler (``...``, ``xxxx``, ``AAAA…``), i.e. at least 4.5 bits per char."""
    body = _PEM_ARMOR.sub("", value).replace("\\n", "").replace("\\r", "")
    lines = [ln for ln in body.split() if ":" not in ln]  # drop Proc-Type:/DEK-Info: headers
    b64 = "".join(ch for ch in "".join(lines) if ch.isalnum() or ch in "+/=")
    return len(b64) >= 64 and shannon_entropy(b64) >= 4.5


# File extensions that are not TLDs people mail from (real ccTLDs such as .md .sh .py .rs
# stay allowed).
_NOT_TLDS: Final = frozenset(
    (
        *("png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff"),
        *("css", "js", "mjs", "ts", "tsx", "jsx", "map", "json", "txt", "html", "htm"),
        *("xml", "yml", "yaml", "toml", "ini", "cfg", "log", "rb", "java", "kt", "swift"),
        *("php", "pdf", "gz", "tar", "zip"),
        # gettext files named after a locale modifier: po/en@quot.header, sr@latin.po
        *("po", "pot", "header"),
    )
)

# A Message-ID's left part (`<54574397.4060000@host>`, `<20130226110144.GA12678@host>`,
# `<1409845851-38950-3-git-send-email-x@host>`, `<uuid@host>`): a run of 8+ hex characters,
# mostly digits (a timestamp or counter), that is followed by more or is 16+ long, or a UUID.
# A mailbox name does not look like that (`12345678@qq.com` and `deb2001-github@…` stay).
_MESSAGE_ID_RUN: Final = re.compile(r"[0-9A-Fa-f]{8,}(?=[.\-])|[0-9A-Fa-f]{16,}$")
_UUID: Final = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)


def _message_id_local(local: str) -> bool:
    run = _MESSAGE_ID_RUN.match(local)
    if run is not None and 2 * sum(ch.isdigit() for ch in run.group()) > len(run.group()):
        return True
    return _UUID.search(local) is not None


def email(value: str) -> bool:
    """A plausible address: not a URL's userinfo, no empty dot-separated parts, not a
    Message-ID, a TLD that is not a file extension (``logo@2x.png`` is an image), a domain
    that is not numbers."""
    local, _, domain = value.rpartition("@")
    if (
        "://" in local
        or ":" in domain
        or not local
        or ".." in local
        or local.startswith(".")
        or local.endswith(".")
        or _message_id_local(local)
    ):
        return False
    labels = domain.lower().split(".")
    return labels[-1] not in _NOT_TLDS and not all(lb.isdigit() for lb in labels[:-1])


_FR_PAIRS: Final = re.compile(r"0[1-9](?: [0-9]{2}){4}")
_SEPARATORS: Final = re.compile(r"[.\-/]")
_SIGNED_DATE: Final = re.compile(r"\+[0-9]{4}-[01][0-9]-[0-3][0-9]")
_SIGNED_DECIMAL: Final = re.compile(r"\+[0-9]+\.[0-9]+")  # no one writes +44.2079460958
_EXTENSION: Final = re.compile(r"\s?(?:x|ext\.?|#)\s?[0-9]{1,5}$", re.IGNORECASE)


def phone(value: str) -> bool:
    """Digit count by form — international ``+``: 8..15 (E.164); national trunk ``0``: 10..11
    (UK, DE, FR); NANP: 10, or 11 with the leading 1 (13 with 001) — balanced parentheses,
    and not filler digits. An extension (``x123``) is not counted."""
    number = _EXTENSION.sub("", value)
    digits = digits_of(number)
    lead = number.lstrip("(")
    # The digit count first: it is the cheapest test and rejects most look-alikes (digit
    # groups in logs and ids); every test below can only reject too.
    if not _phone_digit_count(lead, digits):
        return False
    if _SIGNED_DECIMAL.fullmatch(number) or _SIGNED_DATE.match(number):
        return False  # +1.12345679 and +35236450.6 are floats, +1980-02-29 a date
    if number.count("(") != number.count(")") or repeated(digits) or sequential_digits(digits):
        return False
    if not lead.startswith("+") and "(" not in number and len(set(_SEPARATORS.findall(number))) > 1:
        return False  # 252.227-7013 is a clause number: phones keep one separator
    # "01 02 03 04 05" / "08 07 06 05 04" are hex-dump bytes
    return not (_FR_PAIRS.fullmatch(number) and sum(p[0] == "0" for p in number[3:].split()) >= 3)


def _phone_digit_count(lead: str, digits: str) -> bool:
    """Digit count by form: international ``+`` 8..15 (E.164), national trunk ``0`` 10..11,
    ``001`` 13, NANP 10 or 11 with the leading 1."""
    n = len(digits)
    if lead.startswith("+"):
        return 8 <= n <= 15
    if lead.startswith("0") and not lead.startswith("001"):
        return 10 <= n <= 11
    if lead.startswith("001"):
        return n == 13
    return n == 10 or (n == 11 and digits[0] == "1")


def bearer_token(value: str) -> bool:
    """An opaque bearer token: not one a specific detector owns, not a placeholder, mixed
    characters with at least 3.5 bits per char."""
    if _OWNED_PREFIX.match(value) or placeholder(value) or _IDENTIFIER_LIKE.search(value):
        return False
    return _char_classes(value) >= 2 and shannon_entropy(value) >= 3.5


def basic_credentials(value: str) -> bool:
    """Base64 of ``user:password`` (printable, a colon, a non-placeholder password)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    if not sep or not password or not decoded.isprintable():
        return False
    return not placeholder(password) and not (user == password and len(password) < 8)


def dea_number(value: str) -> bool:
    """US DEA registration number: registrant-type letter, a letter or 9, seven digits whose
    last is (d1+d3+d5 + 2·(d2+d4+d6)) mod 10."""
    if len(value) != 9 or not value[2:].isdigit():
        return False
    d = [int(c) for c in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6] and not repeated(value[2:])


def medical_record_number(value: str) -> bool:
    """An MRN-like id: at least 4 digits, not filler."""
    digits = digits_of(value)
    return len(digits) >= 4 and not repeated(digits) and not sequential_digits(digits)


# ---------------------------------------------------------------------------------------------
# Named validators for custom patterns
# ---------------------------------------------------------------------------------------------

_NAMED: Final[dict[str, Validator]] = {"luhn": luhn, "mod97": mod97}
_ENTROPY_RE: Final = re.compile(r"entropy\s*>=\s*([0-9]+(?:\.[0-9]+)?)")


def named(name: str) -> Validator:
    """The validator a custom pattern names: ``luhn``, ``mod97`` or ``entropy>=x`` (0 < x <= 8).
    Anything else raises `PatternInvalid` with the name quoted."""
    text = name.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    m = _ENTROPY_RE.fullmatch(text)
    if m and 0.0 < float(m.group(1)) <= 8.0:
        return entropy_at_least(float(m.group(1)))
    raise PatternInvalid(
        [
            FieldError(
                path="validator",
                message=f"unknown validator {name!r}",
                expected="luhn, mod97 or entropy>=x with 0 < x <= 8",
                found=name,
            )
        ]
    )
