"""Typed identifiers: ``<prefix>_<ULID>``.

A ULID is 48 bits of millisecond time and 80 random bits, written as 26 Crockford base32
characters (https://github.com/ulid/spec). Generation is monotonic within a millisecond in
one process: a second id in the same millisecond increments the random part, so ids sort in
creation order, which keyset pagination relies on.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Final, Literal

from renlayer_core.errors import InvalidId

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE: Final[dict[str, int]] = {c: i for i, c in enumerate(ALPHABET)}
# Crockford lets readers type I/L as 1 and O as 0; lower case is accepted too.
_DECODE.update({c.lower(): i for c, i in list(_DECODE.items())})
_DECODE.update({"I": 1, "i": 1, "L": 1, "l": 1, "O": 0, "o": 0})

ULID_LEN: Final = 26
MAX_ULID: Final = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
_MAX_TIME: Final = (1 << 48) - 1
_MAX_RANDOM: Final = (1 << 80) - 1

Prefix = Literal[
    "ten",
    "usr",
    "agent",
    "key",
    "pol",
    "det",
    "pat",
    "allow",
    "ups",
    "trace",
    "sess",
    "audit",
    "whk",
    "evt",
    "appr",
]
PREFIXES: Final[frozenset[str]] = frozenset(Prefix.__args__)  # type: ignore[attr-defined]


def encode_int(value: int) -> str:
    """128-bit integer → 26-char Crockford base32 (the top char carries only 3 bits)."""
    if not 0 <= value < (1 << 128):
        raise InvalidId("ulid value out of range")
    chars = []
    for _ in range(ULID_LEN):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode_int(text: str) -> int:
    """26-char Crockford base32 → 128-bit integer, rejecting bad characters and overflow."""
    if len(text) != ULID_LEN:
        raise InvalidId(f"a ulid has 26 characters, found {len(text)} in {text!r}")
    value = 0
    for ch in text:
        digit = _DECODE.get(ch)
        if digit is None:
            raise InvalidId(f"{ch!r} is not a Crockford base32 character in {text!r}")
        value = (value << 5) | digit
    if value >> 128:
        raise InvalidId(f"{text!r} is above the largest ulid {MAX_ULID}")
    return value


def encode_time(ms: int) -> str:
    """The 10-character time part alone (used for range bounds and tests)."""
    if not 0 <= ms <= _MAX_TIME:
        raise InvalidId(f"time {ms} does not fit in 48 bits")
    return encode_int(ms << 80)[:10]


class UlidGenerator:
    """Monotonic ULID source; a lock keeps it monotonic across threads too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def next(self, now_ms: int | None = None) -> int:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        with self._lock:
            if ms <= self._last_ms:
                # Same (or an earlier, clock stepped back) millisecond: keep the order.
                ms = self._last_ms
                rand = self._last_rand + 1
                if rand > _MAX_RANDOM:
                    # 2^80 ids in one ms cannot happen by accident; borrow the next ms.
                    ms, rand = ms + 1, int.from_bytes(os.urandom(10), "big") >> 1
            else:
                # Start the random part below 2^79 so increments cannot overflow it.
                rand = int.from_bytes(os.urandom(10), "big") >> 1
            self._last_ms, self._last_rand = ms, rand
        return (ms << 80) | rand


_GENERATOR = UlidGenerator()


def new_ulid(now_ms: int | None = None) -> str:
    return encode_int(_GENERATOR.next(now_ms))


def new_id(prefix: Prefix, now_ms: int | None = None) -> str:
    """A fresh typed id such as ``agent_01HX…``."""
    return f"{prefix}_{new_ulid(now_ms)}"


def parse_id(value: object, prefix: Prefix) -> str:
    """Validate ``value`` as an id of kind ``prefix``; returns its canonical (upper-case) form."""
    if not isinstance(value, str):
        raise InvalidId(f"expected a {prefix}_… id, found {type(value).__name__}")
    head, sep, tail = value.partition("_")
    if not sep or head != prefix:
        shown = value if len(value) <= 64 else value[:61] + "..."
        raise InvalidId(f"expected an id starting with '{prefix}_', found {shown!r}")
    decode_int(tail)
    return f"{prefix}_{_canonical(tail)}"


def _canonical(text: str) -> str:
    return encode_int(decode_int(text))


def id_time_ms(value: str) -> int:
    """The creation time (unix ms) carried by an id."""
    return decode_int(value.rpartition("_")[2]) >> 80


def ulid_to_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(int=decode_int(text))


def uuid_to_ulid(value: uuid.UUID) -> str:
    return encode_int(value.int)
