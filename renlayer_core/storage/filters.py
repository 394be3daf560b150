"""List filters, one frozen dataclass per list (SPEC §6), and the ``from``/``to`` parser.

``from`` is inclusive and ``to`` exclusive, both unix milliseconds once parsed. A filter's
``digest`` binds a cursor to it: a cursor minted under other filters is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from renlayer_core.errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time(value: str | int | None) -> int | None:
    """RFC 3339 (``2026-11-28T10:00:00Z``, offsets allowed) or unix milliseconds → unix ms."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"expected an RFC 3339 time or unix milliseconds, found {value!r}")
    if isinstance(value, int):
        return _check_range(value, value)
    text = value.strip()
    # ASCII only: str.isdigit() also accepts "²" and other scripts' digits, which int() may
    # refuse with a bare ValueError; and a length bound keeps int() within its digit limit.
    if text.isascii() and text.isdigit():
        if len(text) > 16:
            raise InvalidInput(f"time {value[:40]!r} is out of range")
        return _check_range(int(text), value)
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise InvalidInput(
            f"expected an RFC 3339 time or unix milliseconds, found {value!r}"
        ) from None
    if parsed.tzinfo is None or "T" not in text.upper():
        raise InvalidInput(f"an RFC 3339 time needs a date, a time and an offset, found {value!r}")
    # Integer arithmetic: float timestamp() * 1000 loses a millisecond (".181" → 180).
    return _check_range((parsed - _EPOCH) // timedelta(milliseconds=1), value)


def _check_range(ms: int, shown: object) -> int:
    if not 0 <= ms < (1 << 48):
        raise InvalidInput(f"time {shown!r} is out of range")
    return ms


class _Filter:
    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}  # type: ignore[call-overload]

    def digest(self) -> str:
        payload = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class NoFilter(_Filter):
    pass


@dataclass(frozen=True, slots=True)
class TraceFilter(_Filter):
    agent_id: str | None = None
    session_id: str | None = None
    decision: str | None = None
    code: str | None = None
    policy_id: str | None = None
    detector: str | None = None
    upstream: str | None = None
    from_ms: int | None = None
    to_ms: int | None = None


@dataclass(frozen=True, slots=True)
class SessionFilter(_Filter):
    agent_id: str | None = None
    # A session is in range when it was active in it: last_seen >= from and first_seen < to.
    from_ms: int | None = None
    to_ms: int | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter(_Filter):
    actor: str | None = None
    action: str | None = None
    resource_id: str | None = None
    from_ms: int | None = None
    to_ms: int | None = None


@dataclass(frozen=True, slots=True)
class AgentFilter(_Filter):
    status: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class PolicyFilter(_Filter):
    enabled: bool | None = None
    effect: str | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalFilter(_Filter):
    status: str | None = None


@dataclass(frozen=True, slots=True)
class KeyFilter(_Filter):
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryFilter(_Filter):
    endpoint_id: str | None = None


Filter = (
    NoFilter
    | TraceFilter
    | SessionFilter
    | AuditFilter
    | AgentFilter
    | PolicyFilter
    | ApprovalFilter
    | KeyFilter
    | DeliveryFilter
)
