"""The tables every backend stores, described once as data.

Each row is ``(tenant_id, id, <indexed columns…>, doc)`` where ``doc`` is the msgspec JSON of
the whole record: columns exist only to filter, order and enforce uniqueness; the record is
always decoded from ``doc``. Multi-valued filters (agent labels, trace detectors) live in side
tables ``<table>_<column>(tenant_id, id, value)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from renlayer_core import models as m
from renlayer_core.ids import Prefix

Op = Literal["=", "<", "<=", ">", ">=", "has", "in"]


@dataclass(frozen=True, slots=True)
class Cond:
    column: str
    op: Op
    value: object


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    record: type[Any]
    columns: dict[str, Callable[[Any], object]] = field(default_factory=dict)
    multi: dict[str, Callable[[Any], Iterable[str]]] = field(default_factory=dict)
    # Columns unique within a tenant; a duplicate is a Conflict carrying the existing id.
    unique: tuple[str, ...] = ()
    # Cursor resource name and the id prefix of its rows (for ``from``/``to`` id bounds).
    prefix: str = ""
    # Columns whose SQL index leaves out one value (``WHERE column <> 'value'``): an equality
    # filter on any other value also names that term, which SQLite needs to use the index.
    partial: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The excluded values are written into SQL as literals: plain words only.
        for value in self.partial.values():
            if not (value.isascii() and value.replace("_", "").isalnum()):
                raise ValueError(f"{self.name}: partial-index value {value!r} is not a word")

    def tenant_of(self, record: Any) -> str:
        return str(record.id if self.name == "tenants" else record.tenant_id)

    def values(self, record: Any) -> dict[str, object]:
        return {c: f(record) for c, f in self.columns.items()}


TENANTS = Table("tenants", m.Tenant)
USERS = Table("users", m.User, {"email": lambda r: r.email}, unique=("email",))
AGENTS = Table(
    "agents",
    m.Agent,
    {"status": lambda r: r.status},
    multi={"label": lambda r: r.labels},
)
KEYS = Table(
    "api_keys",
    m.ApiKey,
    {"agent_id": lambda r: r.agent_id, "secret_hash": lambda r: r.secret_hash},
    unique=("secret_hash",),
)
POLICIES = Table(
    "policies",
    m.Policy,
    {
        "enabled": lambda r: r.enabled,
        "effect": lambda r: r.effect,
        "mode": lambda r: r.mode,
    },
)
DETECTORS = Table("detectors", m.Detector, {"type": lambda r: r.type}, unique=("type",))
PATTERNS = Table("patterns", m.Pattern)
ALLOW_LISTS = Table("allow_lists", m.AllowList)
UPSTREAMS = Table("upstreams", m.Upstream, {"name": lambda r: r.name}, unique=("name",))
WEBHOOKS = Table("webhooks", m.WebhookEndpoint)
DELIVERIES = Table(
    "webhook_deliveries",
    m.WebhookDelivery,
    {
        "endpoint_id": lambda r: r.endpoint_id,
        "status": lambda r: r.status,
        "next_attempt_at": lambda r: r.next_attempt_at,
    },
)
APPROVALS = Table(
    "approvals",
    m.Approval,
    {"status": lambda r: r.status, "expires_at": lambda r: r.expires_at},
)
SESSIONS = Table(
    "sessions",
    m.Session,
    {
        "external_id": lambda r: r.external_id,
        "agent_id": lambda r: r.agent_id,
        "first_seen": lambda r: r.first_seen,
        "last_seen": lambda r: r.last_seen,
    },
    unique=("external_id",),
)
TRACES = Table(
    "traces",
    m.TraceRecord,
    {
        "agent_id": lambda r: r.agent_id,
        "session_id": lambda r: r.session_id,
        "effect": lambda r: r.decision.effect,
        "code": lambda r: r.decision.code,
        "policy_id": lambda r: r.decision.policy_id,
        "upstream": lambda r: r.action.upstream,
    },
    multi={"detector": lambda r: sorted({f.detector for f in r.findings})},
    prefix="trace",
    # Migration 0002: most traces are allowed, and their effect/code is not indexed
    # ("allowed" is renlayer_core.policy.decision.ALLOWED; a test checks they agree).
    partial={"effect": "allow", "code": "allowed"},
)
AUDIT = Table(
    "audit_events",
    m.AuditEvent,
    {
        "seq": lambda r: r.seq,
        "actor": lambda r: r.actor,
        "action": lambda r: r.action,
        "resource_id": lambda r: r.resource_id,
    },
    unique=("seq",),
    prefix="audit",
)

ALL_TABLES = (
    USERS,
    AGENTS,
    KEYS,
    POLICIES,
    DETECTORS,
    PATTERNS,
    ALLOW_LISTS,
    UPSTREAMS,
    WEBHOOKS,
    DELIVERIES,
    APPROVALS,
    SESSIONS,
    TRACES,
    AUDIT,
)

# The id prefix (renlayer_core.ids) of each table's rows, checked on create.
ID_PREFIX: dict[str, Prefix] = {
    TENANTS.name: "ten",
    USERS.name: "usr",
    AGENTS.name: "agent",
    KEYS.name: "key",
    POLICIES.name: "pol",
    DETECTORS.name: "det",
    PATTERNS.name: "pat",
    ALLOW_LISTS.name: "allow",
    UPSTREAMS.name: "ups",
    WEBHOOKS.name: "whk",
    DELIVERIES.name: "evt",
    APPROVALS.name: "appr",
    SESSIONS.name: "sess",
    TRACES.name: "trace",
    AUDIT.name: "audit",
}
