"""The storage port: one small Protocol per repository and the ``Store`` aggregate.

Rules every backend follows (the contract suite in tests/storage checks them):

* Every read and write takes the tenant id; a row of another tenant is ``NotFound``, exactly
  like a missing row. The one exception is ``KeyRepo.lookup`` (by secret hash): it is how the
  tenant of a request is found.
* Lists are keyset-paginated, newest first (ids are time-ordered ULIDs); ``limit`` defaults
  to 50 and must be 1..200; cursors are opaque and bound to tenant, list and filters.
* Errors are the stable ones of ``renlayer_core.errors``: ``NotFound``, ``Conflict`` (with
  ``existing_id``), ``Unavailable`` (store down), ``InvalidCursor``, ``InvalidInput``.
* The API is synchronous. SQLite and psycopg's pool are synchronous, and the ASGI layer calls
  the store from a thread pool (``anyio.to_thread``), which keeps one code path for the
  embedded and the server deployments.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from renlayer_core.models import (
    Agent,
    AllowList,
    ApiKey,
    Approval,
    AuditDraft,
    AuditEvent,
    DeliveryAttempt,
    Detector,
    KeyLookup,
    Pattern,
    Policy,
    Session,
    Tenant,
    TraceRecord,
    Upstream,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from renlayer_core.models.webhooks import DeliveryStatus
from renlayer_core.storage.filters import (
    AgentFilter,
    ApprovalFilter,
    AuditFilter,
    PolicyFilter,
    SessionFilter,
    TraceFilter,
)
from renlayer_core.storage.page import Page

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do, as data (Django's ``features`` habit)."""

    name: str
    # Key-cache invalidations reach other instances (PostgreSQL LISTEN/NOTIFY).
    supports_notify: bool
    # Several processes may share the store.
    multi_process: bool
    # Data survives a restart.
    durable: bool


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    # The first seq whose event is missing, altered or out of place; None when ok.
    first_broken_seq: int | None
    checked: int


class TenantRepo(Protocol):
    def create(self, tenant: Tenant) -> Tenant: ...
    def get(self, tenant_id: str) -> Tenant: ...
    def update(self, tenant: Tenant) -> Tenant: ...


class CrudRepo(Protocol[R]):
    """The shape shared by plain tenant-scoped resources."""

    def create(self, tenant_id: str, record: R) -> R: ...
    def get(self, tenant_id: str, record_id: str) -> R: ...
    def update(self, tenant_id: str, record: R) -> R: ...
    def delete(self, tenant_id: str, record_id: str) -> None: ...


class UserRepo(CrudRepo[User], Protocol):
    def get_by_email(self, tenant_id: str, email: str) -> User: ...
    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[User]: ...


class AgentRepo(CrudRepo[Agent], Protocol):
    def list(
        self,
        tenant_id: str,
        filters: AgentFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Agent]: ...


class KeyRepo(Protocol):
    def create(self, tenant_id: str, key: ApiKey) -> ApiKey: ...
    def get(self, tenant_id: str, key_id: str) -> ApiKey: ...
    def list_for_agent(
        self, tenant_id: str, agent_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ApiKey]: ...
    def revoke(self, tenant_id: str, key_id: str, at_ms: int) -> ApiKey: ...
    def rotate(self, tenant_id: str, key_id: str, new_key: ApiKey, grace_until: int) -> ApiKey:
        """Store ``new_key`` and make the old key expire at ``grace_until`` (or sooner if it
        already expires sooner). Returns the old key as updated."""
        ...

    def touch(self, tenant_id: str, key_id: str, at_ms: int) -> None: ...
    def lookup(self, secret_hash: str) -> KeyLookup:
        """The only tenant-less read: by unique secret hash, through the key cache."""
        ...


class PolicyRepo(CrudRepo[Policy], Protocol):
    def list(
        self,
        tenant_id: str,
        filters: PolicyFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Policy]: ...
    def all_enabled(self, tenant_id: str) -> builtins.list[Policy]:
        """Every enabled policy, ordered by (priority, id): the compiler's input."""
        ...


class DocRepo(CrudRepo[R], Protocol):
    """Detectors, patterns and allow lists: CRUD, a list, and all rows for the scan plan."""

    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[R]: ...
    def all(self, tenant_id: str) -> builtins.list[R]: ...


class UpstreamRepo(CrudRepo[Upstream], Protocol):
    def get_by_name(self, tenant_id: str, name: str) -> Upstream: ...
    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Upstream]: ...


class WebhookRepo(CrudRepo[WebhookEndpoint], Protocol):
    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookEndpoint]: ...
    def create_delivery(self, tenant_id: str, delivery: WebhookDelivery) -> WebhookDelivery: ...
    def get_delivery(self, tenant_id: str, delivery_id: str) -> WebhookDelivery: ...
    def list_deliveries(
        self,
        tenant_id: str,
        endpoint_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[WebhookDelivery]: ...
    def record_attempt(
        self,
        tenant_id: str,
        delivery_id: str,
        attempt: DeliveryAttempt,
        *,
        status: DeliveryStatus,
        next_attempt_at: int | None,
    ) -> WebhookDelivery: ...
    def due(self, tenant_id: str, now_ms: int, limit: int = 100) -> builtins.list[WebhookDelivery]:
        """Pending deliveries whose next attempt is due, oldest first."""
        ...


class ApprovalRepo(Protocol):
    def create(self, tenant_id: str, approval: Approval) -> Approval: ...
    def get(self, tenant_id: str, approval_id: str) -> Approval: ...
    def list(
        self,
        tenant_id: str,
        filters: ApprovalFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Approval]: ...
    def decide(
        self, tenant_id: str, approval_id: str, *, approve: bool, decided_by: str, at_ms: int
    ) -> Approval:
        """pending → approved/denied; ``Conflict`` if it is not pending or has expired."""
        ...

    def consume(self, tenant_id: str, approval_id: str, *, digest: str, at_ms: int) -> Approval:
        """approved → used, once, only for the same digest before expiry; else ``Conflict``."""
        ...


class TraceRepo(Protocol):
    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        """Write a batch (any tenants). Idempotent on trace id: a replayed trace is neither
        duplicated nor counted twice in its session. Sessions are upserted by (tenant,
        external session id)."""
        ...

    def get(self, tenant_id: str, trace_id: str) -> TraceRecord: ...
    def list(
        self,
        tenant_id: str,
        filters: TraceFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[TraceRecord]: ...
    def iter_traces(
        self, tenant_id: str, filters: TraceFilter = ..., *, chunk_size: int = 500
    ) -> Iterator[TraceRecord]:
        """Keyset order (newest first), fetched ``chunk_size`` rows at a time."""
        ...

    def get_session(self, tenant_id: str, session_id: str) -> Session: ...
    def list_sessions(
        self,
        tenant_id: str,
        filters: SessionFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Session]: ...


class AuditRepo(Protocol):
    """Append-only: there is no update or delete."""

    def append(self, tenant_id: str, draft: AuditDraft) -> AuditEvent: ...
    def get(self, tenant_id: str, event_id: str) -> AuditEvent: ...
    def list(
        self,
        tenant_id: str,
        filters: AuditFilter = ...,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[AuditEvent]: ...
    def iter_audit(
        self, tenant_id: str, filters: AuditFilter = ..., *, chunk_size: int = 500
    ) -> Iterator[AuditEvent]: ...
    def verify(self, tenant_id: str) -> VerifyResult: ...


class Store(Protocol):
    """The aggregate a backend returns. Members are read-only properties so an implementation
    may expose more specific repository types."""

    @property
    def capabilities(self) -> Capabilities: ...
    @property
    def tenants(self) -> TenantRepo: ...
    @property
    def users(self) -> UserRepo: ...
    @property
    def agents(self) -> AgentRepo: ...
    @property
    def keys(self) -> KeyRepo: ...
    @property
    def policies(self) -> PolicyRepo: ...
    @property
    def detectors(self) -> DocRepo[Detector]: ...
    @property
    def patterns(self) -> DocRepo[Pattern]: ...
    @property
    def allow_lists(self) -> DocRepo[AllowList]: ...
    @property
    def upstreams(self) -> UpstreamRepo: ...
    @property
    def webhooks(self) -> WebhookRepo: ...
    @property
    def approvals(self) -> ApprovalRepo: ...
    @property
    def traces(self) -> TraceRepo: ...
    @property
    def audit(self) -> AuditRepo: ...

    def migrate(self) -> int:
        """Apply pending schema migrations; returns the schema version. Safe to repeat."""
        ...

    def ping(self) -> None:
        """Raise ``Unavailable`` if the store cannot answer (readiness)."""
        ...

    def close(self) -> None: ...
