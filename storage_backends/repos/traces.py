"""Traces and sessions: batch ingest, lists, streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import msgspec

from renlayer_core.errors import InvalidInput
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
    MAX_INDEXED_BYTES,
    Shared,
    check_indexed,
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
            tx.append_traces([_without_nul(r) for r in batch])

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


def _without_nul(trace: TraceRecord) -> TraceRecord:
    """``trace`` with every U+0000 in its text replaced by U+FFFD, checked for over-long
    indexed text (``InvalidInput``).

    PostgreSQL cannot store U+0000 in text and would refuse the whole batch for it, losing the
    other traces; an ingest batch is never refused for one row, so every backend stores the
    same replacement. The check is one encode and a byte search (no copy in the usual case).
    """
    try:
        raw = msgspec.json.encode(trace)
    except UnicodeEncodeError:
        # The SQL backends refuse a lone surrogate when binding it; the memory backend would
        # let this raw error out: one answer everywhere.
        raise InvalidInput("text must be valid unicode (found a lone surrogate)") from None
    if b"\\u0000" in raw:
        trace = msgspec.convert(_replace_nul(msgspec.to_builtins(trace)), TraceRecord)
    # No text of the trace is longer in UTF-8 than the whole trace's JSON (escapes only
    # lengthen it, and a NUL's \u0000 is longer than its U+FFFD), so the usual trace skips
    # the column check.
    if len(raw) > MAX_INDEXED_BYTES:
        check_indexed(t.TRACES, trace)
    return trace


def _replace_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_replace_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _replace_nul(v) for k, v in value.items()}
    return value
