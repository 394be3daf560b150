"""Opaque keyset cursors.

A cursor is ``base64url(payload ‖ tag)`` without padding, where ``payload`` is compact JSON
``{"r": resource, "t": tenant id, "f": filter digest, "k": last key}`` and ``tag`` is the
first 16 bytes of HMAC-SHA256(cursor key, payload). A forged, truncated or altered cursor, one
minted for another tenant, another list or other filters, is ``InvalidCursor`` — never a
server error, never another tenant's rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Final

from renlayer_core.errors import InvalidCursor

TAG_LEN: Final = 16
MAX_CURSOR_LEN: Final = 1024


@dataclass(frozen=True, slots=True)
class CursorCodec:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise ValueError("the cursor key must be at least 16 bytes")

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()[:TAG_LEN]

    def encode(self, *, resource: str, tenant_id: str, filter_digest: str, last_key: str) -> str:
        body = {"r": resource, "t": tenant_id, "f": filter_digest, "k": last_key}
        payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(payload + self._tag(payload)).decode().rstrip("=")

    def decode(self, cursor: str, *, resource: str, tenant_id: str, filter_digest: str) -> str:
        """The last key carried by ``cursor``, if it is authentic and bound to this list."""
        raw = _unb64(cursor)
        payload, tag = raw[:-TAG_LEN], raw[-TAG_LEN:]
        if len(raw) <= TAG_LEN or not hmac.compare_digest(tag, self._tag(payload)):
            raise InvalidCursor("the cursor is not valid for this list")
        try:
            body = json.loads(payload)
        except ValueError:
            raise InvalidCursor("the cursor is not valid for this list") from None
        expected = {"r": resource, "t": tenant_id, "f": filter_digest}
        if not isinstance(body, dict) or any(body.get(k) != v for k, v in expected.items()):
            # Authentic but minted for another tenant, list or filter set.
            raise InvalidCursor("the cursor belongs to another list or other filters")
        key = body.get("k")
        if not isinstance(key, str) or not key:
            raise InvalidCursor("the cursor is not valid for this list")
        return key


def _unb64(cursor: str) -> bytes:
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LEN:
        raise InvalidCursor("the cursor is not valid for this list")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("the cursor is not valid for this list") from None
    # The decoder skips characters outside the alphabet and accepts padding, the standard
    # alphabet and stray low bits: only the one form ``encode`` makes is a cursor, so a
    # malformed one is refused rather than read as its authentic neighbour.
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != cursor:
        raise InvalidCursor("the cursor is not valid for this list")
    return raw
