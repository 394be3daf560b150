"""Traces and sessions: batch ingest, lists, streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from renlayer_core.models import (
    Session,
    TraceRecord,
)
from renlayer_core.storage.filters import (
    SessionFilter,
    TraceFilter,
)
from renlayer_core.storage.page import Page
from storage_backends import _tables as t
from storage_backends._tables import Cond
from storage_backends.repos._shared import (
    Shared,
    eq,
    id_range,
)


class TraceRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        if not batch:
            return
        with self._s.engine.write() as tx:
            # Each backend scrubs and checks the text (storage_backends._scrub).
            tx.append_traces(batch)

    def get(self, tenant_id: str, trace_id: str) -> TraceRecord:
        row: TraceRecord = self._s.fetch(t.TRACES, tenant_id, trace_id, "trace")
        return row

    @staticmethod
    def _conds(f: TraceFilter) -> list[Cond]:
        conds = eq(
            agent_id=f.agent_id,
            session_id=f.session_id,
            effect=f.decision,
            code=f.code,
            policy_id=f.policy_id,
            upstream=f.upstream,
        )
        if f.detector is not None:
            conds.append(Cond("detector", "has", f.detector))
        return conds + id_range("trace", f.from_ms, f.to_ms)

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
        row: Session = self._s.fetch(t.SESSIONS, tenant_id, session_id, "session")
        return row

    def list_sessions(
        self,
        tenant_id: str,
        filters: SessionFilter = SessionFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Session]:
        conds = eq(agent_id=filters.agent_id)
        if filters.from_ms is not None:
            conds.append(Cond("last_seen", ">=", filters.from_ms))
        if filters.to_ms is not None:
            conds.append(Cond("first_seen", "<", filters.to_ms))
        return self._s.page(
            t.SESSIONS, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )
