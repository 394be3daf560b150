"""The repositories of the storage port, written once over an ``Engine``.

Tenancy, pagination, cursors, the audit chain and the key cache live here, so every backend
behaves the same by construction; a backend only supplies table operations (``_engine.Tx``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from renlayer_core.errors import Conflict, InvalidInput, NotFound
from renlayer_core.ids import encode_time, new_id
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
    now_ms,
)
from renlayer_core.models.audit import seal
from renlayer_core.models.webhooks import DeliveryStatus
from renlayer_core.storage.chain import verify_chain
from renlayer_core.storage.cursor import CursorCodec
from renlayer_core.storage.filters import (
    AgentFilter,
    ApprovalFilter,
    AuditFilter,
    DeliveryFilter,
    KeyFilter,
    NoFilter,
    PolicyFilter,
    SessionFilter,
    TraceFilter,
)
from renlayer_core.storage.keycache import KeyCache
from renlayer_core.storage.page import Page, check_limit
from renlayer_core.storage.ports import Capabilities, Store, VerifyResult
from storage_backends import _tables as t
from storage_backends._engine import Duplicate, Engine
from storage_backends._tables import Cond, Table

R = TypeVar("R")
FetchHook = Callable[[str, int, int], None]


class Shared:
    """What every repository of one store shares."""

    def __init__(self, engine: Engine, codec: CursorCodec, cache: KeyCache) -> None:
        self.engine = engine
        self.codec = codec
        self.cache = cache
        # Test/metrics hook: called with (table, limit, rows) after every chunked fetch.
        self.fetch_hook: FetchHook | None = None

    def page(
        self,
        table: Table,
        tenant_id: str,
        conds: list[Cond],
        digest: str,
        *,
        limit: int | None,
        cursor: str | None,
        post: Callable[[Any], Any] = lambda r: r,
    ) -> Page[Any]:
        size = check_limit(limit)
        if cursor is not None:
            last = self.codec.decode(
                cursor, resource=table.name, tenant_id=tenant_id, filter_digest=digest
            )
            conds = [*conds, Cond("id", "<", last)]
        with self.engine.read() as tx:
            rows = tx.select(table, tenant_id, conds, limit=size + 1)
        data = [post(r) for r in rows[:size]]
        more = len(rows) > size
        next_cursor = (
            self.codec.encode(
                resource=table.name, tenant_id=tenant_id, filter_digest=digest, last_key=data[-1].id
            )
            if more
            else None
        )
        return Page(data=data, next_cursor=next_cursor, has_more=more)

    def stream(
        self, table: Table, tenant_id: str, conds: list[Cond], chunk_size: int
    ) -> Iterator[Any]:
        """Keyset order, one short read transaction per chunk: memory stays at one chunk and
        no connection is held while the caller consumes rows."""
        if chunk_size < 1:
            raise InvalidInput(f"chunk size must be positive, found {chunk_size}")
        last: str | None = None
        while True:
            where = conds if last is None else [*conds, Cond("id", "<", last)]
            with self.engine.read() as tx:
                rows = tx.select(table, tenant_id, where, limit=chunk_size)
            if self.fetch_hook is not None:
                self.fetch_hook(table.name, chunk_size, len(rows))
            yield from rows
            if len(rows) < chunk_size:
                return
            last = rows[-1].id


def _check_tenant(tenant_id: str, record: Any) -> None:
    if record.tenant_id != tenant_id:
        raise InvalidInput("the record belongs to another tenant than the one addressed")


def _not_found(kind: str, ident: str) -> NotFound:
    shown = ident if len(ident) <= 64 else ident[:61] + "..."
    return NotFound(f"{kind} {shown!r} not found")


def _eq(**values: object) -> list[Cond]:
    return [Cond(k, "=", v) for k, v in values.items() if v is not None]


def _id_range(prefix: str, from_ms: int | None, to_ms: int | None) -> list[Cond]:
    """``from``/``to`` as id bounds: ids start with their creation time, so a time range is an
    id range on the primary index (``from`` inclusive, ``to`` exclusive)."""
    out = []
    if from_ms is not None:
        out.append(Cond("id", ">=", f"{prefix}_{encode_time(from_ms)}"))
    if to_ms is not None:
        out.append(Cond("id", "<", f"{prefix}_{encode_time(to_ms)}"))
    return out


class Crud(Generic[R]):
    """Plain tenant-scoped create/get/update/delete over one table."""

    kind = "record"

    def __init__(self, shared: Shared, table: Table) -> None:
        self._s = shared
        self._t = table

    def _conflict(self, tx: Any, tenant_id: str, record: Any, column: str) -> Conflict:
        if column in self._t.columns:
            value = self._t.columns[column](record)
            existing = tx.find(self._t, tenant_id, column, value)
            ident = existing.id if existing is not None else None
            return Conflict(f"a {self.kind} with this {column} already exists", existing_id=ident)
        return Conflict(
            f"a {self.kind} with id {record.id!r} already exists", existing_id=record.id
        )

    def create(self, tenant_id: str, record: R) -> R:
        _check_tenant(tenant_id, record)
        with self._s.engine.write() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise _not_found("tenant", tenant_id)
            self._before_create(tx, tenant_id, record)
            try:
                tx.insert(self._t, record)
            except Duplicate as dup:
                raise self._conflict(tx, tenant_id, record, dup.column) from None
        return record

    def _before_create(self, tx: Any, tenant_id: str, record: R) -> None:
        """Hook: check parents exist (within the same transaction)."""

    def get(self, tenant_id: str, record_id: str) -> R:
        with self._s.engine.read() as tx:
            row: R | None = tx.get(self._t, tenant_id, record_id)
        if row is None:
            raise _not_found(self.kind, record_id)
        return row

    def update(self, tenant_id: str, record: R) -> R:
        _check_tenant(tenant_id, record)
        with self._s.engine.write() as tx:
            current = tx.get(self._t, tenant_id, record.id)  # type: ignore[attr-defined]
            if current is None:
                raise _not_found(self.kind, record.id)  # type: ignore[attr-defined]
            record = self._prepare_update(current, record)
            try:
                tx.replace(self._t, record)
            except Duplicate as dup:
                raise self._conflict(tx, tenant_id, record, dup.column) from None
            self._after_update(tx, current, record)
        return record

    def _prepare_update(self, current: R, record: R) -> R:
        return msgspec.structs.replace(record, created_at=current.created_at)  # type: ignore[type-var,attr-defined]

    def _after_update(self, tx: Any, current: R, record: R) -> None:
        """Hook: side effects inside the transaction (notifications)."""

    def delete(self, tenant_id: str, record_id: str) -> None:
        with self._s.engine.write() as tx:
            self._before_delete(tx, tenant_id, record_id)
            if not tx.delete(self._t, tenant_id, record_id):
                raise _not_found(self.kind, record_id)

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        """Hook: remove children first."""

    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[R]:
        return self._s.page(self._t, tenant_id, [], NoFilter().digest(), limit=limit, cursor=cursor)

    def all(self, tenant_id: str) -> builtins.list[R]:
        with self._s.engine.read() as tx:
            rows: builtins.list[R] = tx.select(self._t, tenant_id, [], descending=False)
        return rows


class TenantRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def create(self, tenant: Tenant) -> Tenant:
        with self._s.engine.write() as tx:
            try:
                tx.insert(t.TENANTS, tenant)
            except Duplicate:
                raise Conflict(
                    f"a tenant with id {tenant.id!r} already exists", existing_id=tenant.id
                ) from None
        return tenant

    def get(self, tenant_id: str) -> Tenant:
        with self._s.engine.read() as tx:
            row: Tenant | None = tx.get(t.TENANTS, tenant_id, tenant_id)
        if row is None:
            raise _not_found("tenant", tenant_id)
        return row

    def update(self, tenant: Tenant) -> Tenant:
        with self._s.engine.write() as tx:
            current = tx.get(t.TENANTS, tenant.id, tenant.id)
            if current is None:
                raise _not_found("tenant", tenant.id)
            tenant = msgspec.structs.replace(tenant, created_at=current.created_at)
            tx.replace(t.TENANTS, tenant)
        return tenant


class UserRepo(Crud[User]):
    kind = "user"

    def get_by_email(self, tenant_id: str, email: str) -> User:
        with self._s.engine.read() as tx:
            row: User | None = tx.find(t.USERS, tenant_id, "email", email.lower())
        if row is None:
            raise _not_found("user", email)
        return row


class AgentRepo(Crud[Agent]):
    kind = "agent"

    def list(
        self,
        tenant_id: str,
        filters: AgentFilter = AgentFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Agent]:
        conds = _eq(status=filters.status)
        if filters.label is not None:
            conds.append(Cond("label", "has", filters.label))
        return self._s.page(
            t.AGENTS, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )

    def _after_update(self, tx: Any, current: Agent, record: Agent) -> None:
        if current.status != record.status:
            tx.notify(f"agent:{record.id}")

    def update(self, tenant_id: str, record: Agent) -> Agent:
        out = super().update(tenant_id, record)
        self._s.cache.invalidate_agent(out.id)
        return out

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        for key in tx.select(t.KEYS, tenant_id, _eq(agent_id=record_id)):
            tx.delete(t.KEYS, tenant_id, key.id)
        tx.notify(f"agent:{record_id}")

    def delete(self, tenant_id: str, record_id: str) -> None:
        super().delete(tenant_id, record_id)
        self._s.cache.invalidate_agent(record_id)


class KeyRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def create(self, tenant_id: str, key: ApiKey) -> ApiKey:
        _check_tenant(tenant_id, key)
        with self._s.engine.write() as tx:
            if tx.get(t.AGENTS, tenant_id, key.agent_id) is None:
                raise _not_found("agent", key.agent_id)
            try:
                tx.insert(t.KEYS, key)
            except Duplicate:
                # Never echo anything about the clashing secret.
                raise Conflict("an api key with this id or secret already exists") from None
        return key

    def get(self, tenant_id: str, key_id: str) -> ApiKey:
        with self._s.engine.read() as tx:
            row: ApiKey | None = tx.get(t.KEYS, tenant_id, key_id)
        if row is None:
            raise _not_found("api key", key_id)
        return row

    def list_for_agent(
        self, tenant_id: str, agent_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ApiKey]:
        with self._s.engine.read() as tx:
            if tx.get(t.AGENTS, tenant_id, agent_id) is None:
                raise _not_found("agent", agent_id)
        f = KeyFilter(agent_id=agent_id)
        return self._s.page(
            t.KEYS, tenant_id, _eq(agent_id=agent_id), f.digest(), limit=limit, cursor=cursor
        )

    def _change(
        self, tenant_id: str, key_id: str, change: Callable[[Any, ApiKey], ApiKey]
    ) -> ApiKey:
        with self._s.engine.write() as tx:
            current: ApiKey | None = tx.get(t.KEYS, tenant_id, key_id)
            if current is None:
                raise _not_found("api key", key_id)
            updated = change(tx, current)
            tx.replace(t.KEYS, updated)
            tx.notify(f"key:{key_id}")
        # After commit: this instance refuses the key from now on.
        self._s.cache.invalidate_key(key_id)
        return updated

    def revoke(self, tenant_id: str, key_id: str, at_ms: int) -> ApiKey:
        def change(tx: Any, key: ApiKey) -> ApiKey:
            if key.status == "revoked":
                return key  # idempotent: keep the first revocation time
            return msgspec.structs.replace(key, status="revoked", revoked_at=at_ms)

        return self._change(tenant_id, key_id, change)

    def rotate(self, tenant_id: str, key_id: str, new_key: ApiKey, grace_until: int) -> ApiKey:
        _check_tenant(tenant_id, new_key)

        def change(tx: Any, key: ApiKey) -> ApiKey:
            if key.effective_status(now_ms()) != "active" or key.replaced_by is not None:
                raise Conflict(f"api key {key_id!r} is not active and cannot be rotated")
            if new_key.agent_id != key.agent_id:
                raise InvalidInput("a rotated key must belong to the same agent")
            try:
                tx.insert(t.KEYS, new_key)
            except Duplicate:
                raise Conflict("an api key with this id or secret already exists") from None
            expires = grace_until if key.expires_at is None else min(key.expires_at, grace_until)
            return msgspec.structs.replace(key, expires_at=expires, replaced_by=new_key.id)

        return self._change(tenant_id, key_id, change)

    def touch(self, tenant_id: str, key_id: str, at_ms: int) -> None:
        with self._s.engine.write() as tx:
            current: ApiKey | None = tx.get(t.KEYS, tenant_id, key_id)
            if current is None:
                raise _not_found("api key", key_id)
            if (current.last_used_at or 0) < at_ms:
                tx.replace(t.KEYS, msgspec.structs.replace(current, last_used_at=at_ms))

    def lookup(self, secret_hash: str) -> KeyLookup:
        cached = self._s.cache.get(secret_hash)
        if cached is not None:
            return cached
        generation = self._s.cache.generation
        with self._s.engine.read() as tx:
            found = tx.key_lookup(secret_hash)
        if found is None:
            raise NotFound("api key not found")
        self._s.cache.put(secret_hash, found, generation)
        return found


class PolicyRepo(Crud[Policy]):
    kind = "policy"

    def _prepare_update(self, current: Policy, record: Policy) -> Policy:
        return msgspec.structs.replace(
            record, created_at=current.created_at, revision=current.revision + 1
        )

    def list(
        self,
        tenant_id: str,
        filters: PolicyFilter = PolicyFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Policy]:
        conds = _eq(enabled=filters.enabled, effect=filters.effect, mode=filters.mode)
        return self._s.page(
            t.POLICIES, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )

    def all_enabled(self, tenant_id: str) -> builtins.list[Policy]:
        with self._s.engine.read() as tx:
            rows: builtins.list[Policy] = tx.select(t.POLICIES, tenant_id, _eq(enabled=True))
        return sorted(rows, key=lambda p: (p.priority, p.id))


class DetectorRepo(Crud[Detector]):
    kind = "detector"


class PatternRepo(Crud[Pattern]):
    kind = "pattern"


class AllowListRepo(Crud[AllowList]):
    kind = "allow list"


class UpstreamRepo(Crud[Upstream]):
    kind = "upstream"

    def get_by_name(self, tenant_id: str, name: str) -> Upstream:
        with self._s.engine.read() as tx:
            row: Upstream | None = tx.find(t.UPSTREAMS, tenant_id, "name", name)
        if row is None:
            raise _not_found("upstream", name)
        return row


class WebhookRepo(Crud[WebhookEndpoint]):
    kind = "webhook endpoint"

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        for d in tx.select(t.DELIVERIES, tenant_id, _eq(endpoint_id=record_id)):
            tx.delete(t.DELIVERIES, tenant_id, d.id)

    def create_delivery(self, tenant_id: str, delivery: WebhookDelivery) -> WebhookDelivery:
        _check_tenant(tenant_id, delivery)
        with self._s.engine.write() as tx:
            if tx.get(t.WEBHOOKS, tenant_id, delivery.endpoint_id) is None:
                raise _not_found("webhook endpoint", delivery.endpoint_id)
            try:
                tx.insert(t.DELIVERIES, delivery)
            except Duplicate:
                raise Conflict(
                    f"a delivery with id {delivery.id!r} already exists", existing_id=delivery.id
                ) from None
        return delivery

    def get_delivery(self, tenant_id: str, delivery_id: str) -> WebhookDelivery:
        with self._s.engine.read() as tx:
            row: WebhookDelivery | None = tx.get(t.DELIVERIES, tenant_id, delivery_id)
        if row is None:
            raise _not_found("webhook delivery", delivery_id)
        return row

    def list_deliveries(
        self,
        tenant_id: str,
        endpoint_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[WebhookDelivery]:
        self.get(tenant_id, endpoint_id)
        f = DeliveryFilter(endpoint_id=endpoint_id)
        conds = _eq(endpoint_id=endpoint_id)
        return self._s.page(t.DELIVERIES, tenant_id, conds, f.digest(), limit=limit, cursor=cursor)

    def record_attempt(
        self,
        tenant_id: str,
        delivery_id: str,
        attempt: DeliveryAttempt,
        *,
        status: DeliveryStatus,
        next_attempt_at: int | None,
    ) -> WebhookDelivery:
        with self._s.engine.write() as tx:
            current: WebhookDelivery | None = tx.get(t.DELIVERIES, tenant_id, delivery_id)
            if current is None:
                raise _not_found("webhook delivery", delivery_id)
            updated = msgspec.structs.replace(
                current,
                attempts=(*current.attempts, attempt),
                status=status,
                next_attempt_at=next_attempt_at,
            )
            tx.replace(t.DELIVERIES, updated)
        return updated

    def due(self, tenant_id: str, now_ms: int, limit: int = 100) -> list[WebhookDelivery]:
        conds = [Cond("status", "=", "pending"), Cond("next_attempt_at", "<=", now_ms)]
        with self._s.engine.read() as tx:
            rows: list[WebhookDelivery] = tx.select(
                t.DELIVERIES,
                tenant_id,
                conds,
                order_by="next_attempt_at",
                descending=False,
                limit=limit,
            )
        return rows


def _effective(approval: Approval) -> Approval:
    status = approval.effective_status(now_ms())
    return (
        approval if status == approval.status else msgspec.structs.replace(approval, status=status)
    )


class ApprovalRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared
        self._crud: Crud[Approval] = Crud(shared, t.APPROVALS)
        self._crud.kind = "approval"

    def create(self, tenant_id: str, approval: Approval) -> Approval:
        return self._crud.create(tenant_id, approval)

    def get(self, tenant_id: str, approval_id: str) -> Approval:
        return _effective(self._crud.get(tenant_id, approval_id))

    def list(
        self,
        tenant_id: str,
        filters: ApprovalFilter = ApprovalFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Approval]:
        now = now_ms()
        conds: list[Cond] = []
        if filters.status in ("pending", "approved"):
            conds = [Cond("status", "=", filters.status), Cond("expires_at", ">", now)]
        elif filters.status == "expired":
            # Only pending approvals age into "expired" in a list filter; an approved one past
            # its expiry is also shown as expired.
            conds = [Cond("status", "in", ("pending", "approved")), Cond("expires_at", "<=", now)]
        elif filters.status is not None:
            conds = [Cond("status", "=", filters.status)]
        return self._s.page(
            t.APPROVALS,
            tenant_id,
            conds,
            filters.digest(),
            limit=limit,
            cursor=cursor,
            post=_effective,
        )

    def _transition(
        self, tenant_id: str, approval_id: str, change: Callable[[Approval], Approval]
    ) -> Approval:
        with self._s.engine.write() as tx:
            current: Approval | None = tx.get(t.APPROVALS, tenant_id, approval_id)
            if current is None:
                raise _not_found("approval", approval_id)
            updated = change(_effective(current))
            tx.replace(t.APPROVALS, updated)
        return updated

    def decide(
        self, tenant_id: str, approval_id: str, *, approve: bool, decided_by: str, at_ms: int
    ) -> Approval:
        def change(a: Approval) -> Approval:
            if a.status != "pending":
                raise Conflict(f"approval {approval_id!r} is {a.status}, not pending")
            status = "approved" if approve else "denied"
            return msgspec.structs.replace(
                a, status=status, decided_by=decided_by, decided_at=at_ms
            )

        return self._transition(tenant_id, approval_id, change)

    def consume(self, tenant_id: str, approval_id: str, *, digest: str, at_ms: int) -> Approval:
        def change(a: Approval) -> Approval:
            if a.status != "approved" or at_ms >= a.expires_at:
                raise Conflict(f"approval {approval_id!r} is {a.status}, not approved")
            if a.digest != digest:
                raise Conflict(f"approval {approval_id!r} was given for a different action")
            return msgspec.structs.replace(a, status="used", used_at=at_ms)

        return self._transition(tenant_id, approval_id, change)


class TraceRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        if not batch:
            return
        with self._s.engine.write() as tx:
            tx.append_traces(batch)

    def get(self, tenant_id: str, trace_id: str) -> TraceRecord:
        with self._s.engine.read() as tx:
            row: TraceRecord | None = tx.get(t.TRACES, tenant_id, trace_id)
        if row is None:
            raise _not_found("trace", trace_id)
        return row

    @staticmethod
    def _conds(f: TraceFilter) -> list[Cond]:
        conds = _eq(
            agent_id=f.agent_id,
            session_id=f.session_id,
            effect=f.decision,
            code=f.code,
            policy_id=f.policy_id,
            upstream=f.upstream,
        )
        if f.detector is not None:
            conds.append(Cond("detector", "has", f.detector))
        return conds + _id_range("trace", f.from_ms, f.to_ms)

    def list(
        self,
        tenant_id: str,
        filters: TraceFilter = TraceFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[TraceRecord]:
        conds = self._conds(filters)
        return self._s.page(
            t.TRACES, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )

    def iter_traces(
        self,
        tenant_id: str,
        filters: TraceFilter = TraceFilter(),  # noqa: B008 - frozen, immutable
        *,
        chunk_size: int = 500,
    ) -> Iterator[TraceRecord]:
        return self._s.stream(t.TRACES, tenant_id, self._conds(filters), chunk_size)

    def get_session(self, tenant_id: str, session_id: str) -> Session:
        with self._s.engine.read() as tx:
            row: Session | None = tx.get(t.SESSIONS, tenant_id, session_id)
        if row is None:
            raise _not_found("session", session_id)
        return row

    def list_sessions(
        self,
        tenant_id: str,
        filters: SessionFilter = SessionFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Session]:
        conds = _eq(agent_id=filters.agent_id)
        if filters.from_ms is not None:
            conds.append(Cond("last_seen", ">=", filters.from_ms))
        if filters.to_ms is not None:
            conds.append(Cond("first_seen", "<", filters.to_ms))
        return self._s.page(
            t.SESSIONS, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )


class AuditRepo:
    """Append-only; the chain head is locked per tenant while appending."""

    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def append(self, tenant_id: str, draft: AuditDraft) -> AuditEvent:
        with self._s.engine.write() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise _not_found("tenant", tenant_id)
            seq, prev = tx.audit_head(tenant_id, lock=True)
            event = seal(
                draft,
                id=new_id("audit"),
                tenant_id=tenant_id,
                seq=seq + 1,
                time=now_ms(),
                prev=prev,
            )
            tx.insert(t.AUDIT, event)
            tx.set_audit_head(tenant_id, event.seq, event.hash)
        return event

    def get(self, tenant_id: str, event_id: str) -> AuditEvent:
        with self._s.engine.read() as tx:
            row: AuditEvent | None = tx.get(t.AUDIT, tenant_id, event_id)
        if row is None:
            raise _not_found("audit event", event_id)
        return row

    @staticmethod
    def _conds(f: AuditFilter) -> list[Cond]:
        conds = _eq(actor=f.actor, action=f.action, resource_id=f.resource_id)
        return conds + _id_range("audit", f.from_ms, f.to_ms)

    def list(
        self,
        tenant_id: str,
        filters: AuditFilter = AuditFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[AuditEvent]:
        conds = self._conds(filters)
        return self._s.page(t.AUDIT, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor)

    def iter_audit(
        self,
        tenant_id: str,
        filters: AuditFilter = AuditFilter(),  # noqa: B008 - frozen, immutable
        *,
        chunk_size: int = 500,
    ) -> Iterator[AuditEvent]:
        return self._s.stream(t.AUDIT, tenant_id, self._conds(filters), chunk_size)

    def _by_seq(self, tenant_id: str, chunk: int, upto: int) -> Iterator[AuditEvent]:
        """Events 1..``upto`` in seq order. Rows past the head read at the start (appended
        while verifying) are left for the next verification."""
        last = 0
        while last < upto:
            with self._s.engine.read() as tx:
                rows: list[AuditEvent] = tx.select(
                    t.AUDIT,
                    tenant_id,
                    [Cond("seq", ">", last), Cond("seq", "<=", upto)],
                    order_by="seq",
                    descending=False,
                    limit=chunk,
                )
            yield from rows
            if len(rows) < chunk:
                return
            last = rows[-1].seq

    def verify(self, tenant_id: str, *, chunk_size: int = 1000) -> VerifyResult:
        with self._s.engine.read() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise _not_found("tenant", tenant_id)
            head = tx.audit_head(tenant_id, lock=False)
        return verify_chain(self._by_seq(tenant_id, chunk_size, head[0]), head)


class GenericStore:
    """A ``Store`` over any ``Engine``."""

    def __init__(self, engine: Engine, *, cursor_key: bytes, key_cache: KeyCache | None = None):
        self.capabilities: Capabilities = engine.capabilities
        self._shared = Shared(engine, CursorCodec(cursor_key), key_cache or KeyCache())
        s = self._shared
        self.tenants = TenantRepo(s)
        self.users = UserRepo(s, t.USERS)
        self.agents = AgentRepo(s, t.AGENTS)
        self.keys = KeyRepo(s)
        self.policies = PolicyRepo(s, t.POLICIES)
        self.detectors = DetectorRepo(s, t.DETECTORS)
        self.patterns = PatternRepo(s, t.PATTERNS)
        self.allow_lists = AllowListRepo(s, t.ALLOW_LISTS)
        self.upstreams = UpstreamRepo(s, t.UPSTREAMS)
        self.webhooks = WebhookRepo(s, t.WEBHOOKS)
        self.approvals = ApprovalRepo(s)
        self.traces = TraceRepo(s)
        self.audit = AuditRepo(s)
        engine.subscribe(s.cache.apply)

    @property
    def engine(self) -> Engine:
        return self._shared.engine

    @property
    def key_cache(self) -> KeyCache:
        return self._shared.cache

    def set_fetch_hook(self, hook: FetchHook | None) -> None:
        self._shared.fetch_hook = hook

    def migrate(self) -> int:
        return self._shared.engine.migrate()

    def ping(self) -> None:
        self._shared.engine.ping()

    def close(self) -> None:
        self._shared.engine.close()

    def __enter__(self) -> GenericStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["GenericStore"]


def _conforms(store: GenericStore) -> Store:
    """Static check (mypy): the generic store satisfies the port."""
    return store
