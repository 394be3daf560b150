"""Audit events and their hash chain.

``hash = SHA-256(prev_hash ‖ canonical_json(event))`` where ``prev_hash`` is the previous
event's hash as 64 lower-case hex ASCII bytes (64 × "0" for seq 1), and the canonical JSON is
the event's fields *except* ``prev_hash`` and ``hash`` — sorted keys, no spaces, UTF-8, non
ASCII left as is. docs/storage.md gives the exact layout so anyone can verify a chain.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Final

import msgspec

from renlayer_core.errors import InvalidInput
from renlayer_core.models.base import Record

GENESIS_HASH: Final = "0" * 64

# Keys whose values never enter the audit log. A key is normalised first — camelCase split,
# "-" and spaces read as "_", lower-cased ("X-Api-Key" → "x_api_key", "clientSecret" →
# "client_secret") — then matches when it equals one of these or ends in "_" + one of them.
SECRET_KEYS: Final = (
    "secret",
    "headers",
    "secret_hash",
    "token",
    "password",
    "passphrase",
    "ciphertext",
    "authorization",
    "api_key",
    "apikey",
    "private_key",
    "cookie",
    "set_cookie",
    "credentials",
    "credential",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[-\s.]+")
REMOVED: Final = "[removed]"


class AuditDraft(Record, frozen=True, kw_only=True):
    """What a caller appends; the store assigns id, seq, time and the chain."""

    actor: str
    action: str
    resource_type: str
    resource_id: str | None = None
    before: Any = None
    after: Any = None
    request_id: str | None = None
    ip: str | None = None


class AuditEvent(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    seq: int
    time: int
    actor: str
    action: str
    resource_type: str
    resource_id: str | None = None
    before: Any = None
    after: Any = None
    request_id: str | None = None
    ip: str | None = None
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict[str, Any]:
        return event_fields(self)


def _is_secret_key(key: str) -> bool:
    low = _SEPARATORS.sub("_", _CAMEL.sub("_", key)).lower()
    return any(low == s or low.endswith("_" + s) for s in SECRET_KEYS)


def remove_secrets(value: Any) -> Any:
    """A copy of ``value`` with every secret-bearing key's value replaced by "[removed]"."""
    if isinstance(value, dict):
        return {
            k: (REMOVED if _is_secret_key(str(k)) else remove_secrets(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [remove_secrets(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "tenant_id": event.tenant_id,
        "seq": event.seq,
        "time": event.time,
        "actor": event.actor,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "ip": event.ip,
    }


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(fields)).hexdigest()


def seal(
    draft: AuditDraft, *, id: str, tenant_id: str, seq: int, time: int, prev: str
) -> AuditEvent:
    """Build the next event of a chain from a draft (secrets removed, hash computed)."""
    unsealed = AuditEvent(
        id=id,
        tenant_id=tenant_id,
        seq=seq,
        time=time,
        actor=draft.actor,
        action=draft.action,
        resource_type=draft.resource_type,
        resource_id=draft.resource_id,
        before=remove_secrets(draft.before),
        after=remove_secrets(draft.after),
        request_id=draft.request_id,
        ip=draft.ip,
        prev_hash=prev,
        hash="",
    )
    # Round-trip before/after through JSON so what is hashed is exactly what is stored.
    try:
        fields = json.loads(canonical_json(event_fields(unsealed)))
    except (TypeError, ValueError):
        # bytes, sets, NaN/Infinity…: refused before anything is written.
        raise InvalidInput(
            "audit before/after must be JSON values (no bytes, sets, NaN or infinity)"
        ) from None
    return msgspec.structs.replace(
        unsealed,
        before=fields["before"],
        after=fields["after"],
        hash=chain_hash(prev, fields),
    )
