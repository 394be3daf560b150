"""The append-only audit log and its verification."""

from __future__ import annotations

from collections.abc import Iterator

from renlayer_core.errors import Conflict
from renlayer_core.ids import new_id
from renlayer_core.models import (
    AuditDraft,
    AuditEvent,
    now_ms,
)
from renlayer_core.models.audit import seal
from renlayer_core.storage.chain import verify_chain
from renlayer_core.storage.filters import (
    AuditFilter,
)
from renlayer_core.storage.page import Page
from renlayer_core.storage.ports import VerifyResult
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends._tables import Cond
from storage_backends.repos._shared import (
    Shared,
    check_chunk,
    check_indexed,
    eq,
    id_range,
    not_found,
)


class AuditRepo:
    """Append-only; the chain head is locked per tenant while appending."""

    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def append(self, tenant_id: str, draft: AuditDraft) -> AuditEvent:
        with self._s.engine.write() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise not_found("tenant", tenant_id)
            seq, prev = tx.audit_head(tenant_id, lock=True)
            event = seal(
                draft,
                id=new_id("audit"),
                tenant_id=tenant_id,
                seq=seq + 1,
                time=now_ms(),
                prev=prev,
            )
            check_indexed(t.AUDIT, event)  # refused inside: the transaction rolls back
            try:
                tx.insert(t.AUDIT, event)
            except Duplicate:
                # Only if the head row was removed or rewound behind the events: the log
                # has been tampered with (verify names where); never a raw internal error.
                raise Conflict(
                    "the audit log's head is behind its events; verify the chain"
                ) from None
            tx.set_audit_head(tenant_id, event.seq, event.hash)
        return event

    def get(self, tenant_id: str, event_id: str) -> AuditEvent:
        row: AuditEvent = self._s.fetch(t.AUDIT, tenant_id, event_id, "audit event")
        return row

    @staticmethod
    def _conds(f: AuditFilter) -> list[Cond]:
        conds = eq(actor=f.actor, action=f.action, resource_id=f.resource_id)
        return conds + id_range("audit", f.from_ms, f.to_ms)

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
        check_chunk(chunk_size)
        with self._s.engine.read() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise not_found("tenant", tenant_id)
            # The last stored event, read *before* the head: the head only grows, in the same
            # transaction as each insert, so honestly it is never behind this one, even with
            # appends in between (PostgreSQL reads each statement in its own snapshot).
            # Events past the head mean the head row was deleted or rewound: verify them too,
            # so the chain check reports the first event the head does not account for.
            last = tx.select(t.AUDIT, tenant_id, [], order_by="seq", descending=True, limit=1)
            head = tx.audit_head(tenant_id, lock=False)
        upto = max(head[0], last[0].seq if last else 0)
        return verify_chain(self._by_seq(tenant_id, chunk_size, upto), head)
