"""Fingerprints: a keyed hash of a finding's value, to correlate findings (and allow-list a
known value) without storing it. HMAC-SHA256 keyed per deployment, so a fingerprint cannot be
brute-forced offline by someone who only sees traces."""

from __future__ import annotations

import hashlib
import hmac

# 32 hex chars = 128 bits: collisions are not a practical concern for correlation.
FINGERPRINT_HEX = 32


def fingerprint(key: bytes, value: str) -> str:
    """Hex HMAC-SHA256 of the value's UTF-8 bytes, truncated to FINGERPRINT_HEX chars."""
    data = value.encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:FINGERPRINT_HEX]
