"""API key secrets: ``rlk_`` + 30 base62 chars + a 6-char base62 CRC32 of those 30 chars.

The checksum lets a scanner (our own DLP catalog, or GitHub's) recognise a real key offline,
and lets the server reject a mistyped key without a store lookup. Keys are stored only as
HMAC-SHA256 under a server-side pepper, and listed as ``rlk_…last4``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib
from typing import Final

BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PREFIX: Final = "rlk_"
BODY_LEN: Final = 30
CHECK_LEN: Final = 6
KEY_LEN: Final = len(PREFIX) + BODY_LEN + CHECK_LEN
_B62: Final = frozenset(BASE62)


def base62_fixed(value: int, width: int) -> str:
    """``value`` in base62, left-padded with '0' to ``width`` characters."""
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(BASE62[digit])
    return "".join(reversed(out))


def checksum(body: str) -> str:
    """The 6-char base62 CRC32 of the 30-char body (62^6 > 2^32, so it always fits)."""
    return base62_fixed(zlib.crc32(body.encode("ascii")), CHECK_LEN)


def generate() -> str:
    body = "".join(secrets.choice(BASE62) for _ in range(BODY_LEN))
    return PREFIX + body + checksum(body)


def is_well_formed(secret: str) -> bool:
    """Shape and checksum only: a cheap offline test, no store lookup."""
    if len(secret) != KEY_LEN or not secret.startswith(PREFIX):
        return False
    rest = secret[len(PREFIX) :]
    if not _B62.issuperset(rest):
        return False
    body, check = rest[:BODY_LEN], rest[BODY_LEN:]
    return hmac.compare_digest(checksum(body), check)


def hash_secret(secret: str, pepper: bytes) -> str:
    """What the store keeps: hex HMAC-SHA256(pepper, secret)."""
    return hmac.new(pepper, secret.encode("utf-8"), hashlib.sha256).hexdigest()


def display(secret: str) -> str:
    """How a key is listed: ``rlk_…last4``."""
    return f"{PREFIX}…{secret[-4:]}"
