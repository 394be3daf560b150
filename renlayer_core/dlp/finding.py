"""A finding: what was found, where and how sure — never the value itself."""

from __future__ import annotations

import msgspec

from renlayer_core.dlp.spec import Action, Category

_PREVIEW_STARS = 12


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One detected value. `start`/`end` are character offsets in the scanned string (the
    JSON string value when `path` is set); `preview` and `fingerprint` stand in for the value."""

    detector: str
    category: Category
    start: int
    end: int
    confidence: float
    action: Action
    preview: str
    fingerprint: str
    # JSON path of the string (or number) the offsets refer to; None for plain text.
    path: str | None = None
    # True when the value was found in a JSON object key rather than in a value.
    in_key: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = msgspec.to_builtins(self)
        return out


def masked_preview(value: str) -> str:
    """`AKIAIOSFODNN7EXAMPLE` → `AKIA************MPLE`.

    Long values keep 4 chars each side, medium ones 2, short ones (< 8) nothing; the middle
    becomes at most 12 stars, so a preview does not tell a 3 kB key's exact length either."""
    n = len(value)
    keep = 4 if n >= 16 else 2 if n >= 8 else 0
    stars = "*" * min(n - 2 * keep, _PREVIEW_STARS) if keep else "*" * min(n, _PREVIEW_STARS)
    if not keep:
        return stars
    return _printable(value[:keep]) + stars + _printable(value[-keep:])


def _printable(part: str) -> str:
    # A preview lands in one-line logs and terminals: no control characters.
    return "".join(ch if ch.isprintable() else "?" for ch in part)
