"""Traces (one recorded action each) and sessions (traces joined by a client session id).

A trace never holds a raw finding value: findings carry a masked preview and a fingerprint.
"""

from __future__ import annotations

from typing import Literal

from renlayer_core.models.base import Record

ActionKind = Literal["http", "llm", "tool"]
Effect = Literal["allow", "deny", "require_approval"]
FindingAction = Literal["block", "redact", "log"]


class TraceAction(Record, frozen=True, kw_only=True):
    kind: ActionKind
    upstream: str | None = None
    method: str | None = None
    host: str | None = None
    path: str | None = None
    tool: str | None = None
    model: str | None = None


class TraceDecision(Record, frozen=True, kw_only=True):
    effect: Effect
    code: str
    policy_id: str | None = None
    reason: str | None = None


class MonitorHit(Record, frozen=True, kw_only=True):
    policy_id: str
    policy_name: str = ""
    effect: Effect


class TraceFinding(Record, frozen=True, kw_only=True):
    detector: str
    category: str
    # Where in the action: "request.body", "request.args", "response.body", …
    location: str
    # JSON path inside that location, when the payload was JSON.
    path: str | None = None
    start: int
    end: int
    action: FindingAction
    preview: str
    fingerprint: str
    confidence: float | None = None


class TraceRecord(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    agent_id: str | None = None
    key_id: str | None = None
    # The client's session string (X-RenLayer-Session). The store resolves it to a session
    # and fills ``session_id`` (``sess_…``); writers leave ``session_id`` empty.
    session_external_id: str | None = None
    session_id: str | None = None
    timestamp: int
    action: TraceAction
    decision: TraceDecision
    monitor: tuple[MonitorHit, ...] = ()
    findings: tuple[TraceFinding, ...] = ()
    upstream_status: int | None = None
    request_bytes: int = 0
    response_bytes: int = 0
    enforcement_us: int = 0
    upstream_ms: int | None = None
    error: str | None = None


Trace = TraceRecord


class Session(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    external_id: str
    # The agent of the session's first trace.
    agent_id: str | None = None
    first_seen: int
    last_seen: int
    trace_count: int = 0
    # Traces whose effect was "deny" (require_approval is not counted as a deny).
    deny_count: int = 0
