"""Trace ingest written against the generic ``Tx`` operations (memory and SQLite use it;
PostgreSQL has a COPY-based twin, and the contract suite checks they agree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from renlayer_core.ids import new_id
from renlayer_core.models import Session, TraceRecord
from storage_backends._engine import Tx
from storage_backends._tables import SESSIONS, TRACES


@dataclass(slots=True)
class SessionDelta:
    """What one batch adds to one session."""

    agent_id: str | None
    first_seen: int
    last_seen: int
    traces: int = 0
    denies: int = 0
    trace_ids: list[str] = field(default_factory=list)

    def add(self, rec: TraceRecord) -> None:
        self.first_seen = min(self.first_seen, rec.timestamp)
        self.last_seen = max(self.last_seen, rec.timestamp)
        self.traces += 1
        self.denies += rec.decision.effect == "deny"
        self.trace_ids.append(rec.id)


def unique_batch(batch: Sequence[TraceRecord]) -> list[TraceRecord]:
    """The batch without repeats of a (tenant, id) pair, first occurrence kept."""
    seen: set[tuple[str, str]] = set()
    out = []
    for rec in batch:
        key = (rec.tenant_id, rec.id)
        if key not in seen:
            seen.add(key)
            out.append(rec)
    return out


def session_deltas(fresh: Sequence[TraceRecord]) -> dict[tuple[str, str], SessionDelta]:
    deltas: dict[tuple[str, str], SessionDelta] = {}
    for rec in fresh:
        if rec.session_external_id is None:
            continue
        key = (rec.tenant_id, rec.session_external_id)
        delta = deltas.get(key)
        if delta is None:
            delta = deltas[key] = SessionDelta(rec.agent_id, rec.timestamp, rec.timestamp)
        delta.add(rec)
    return deltas


def merge_session(current: Session | None, tenant_id: str, ext: str, d: SessionDelta) -> Session:
    if current is None:
        return Session(
            id=new_id("sess"),
            tenant_id=tenant_id,
            external_id=ext,
            agent_id=d.agent_id,
            first_seen=d.first_seen,
            last_seen=d.last_seen,
            trace_count=d.traces,
            deny_count=d.denies,
        )
    return msgspec.structs.replace(
        current,
        first_seen=min(current.first_seen, d.first_seen),
        last_seen=max(current.last_seen, d.last_seen),
        trace_count=current.trace_count + d.traces,
        deny_count=current.deny_count + d.denies,
    )


def append_traces_generic(tx: Tx, batch: Sequence[TraceRecord]) -> None:
    fresh = [r for r in unique_batch(batch) if tx.get(TRACES, r.tenant_id, r.id) is None]
    session_of: dict[tuple[str, str], str] = {}
    for (tenant_id, ext), delta in sorted(session_deltas(fresh).items()):
        current = tx.find(SESSIONS, tenant_id, "external_id", ext)
        merged = merge_session(current, tenant_id, ext, delta)
        if current is None:
            tx.insert(SESSIONS, merged)
        else:
            tx.replace(SESSIONS, merged)
        session_of[(tenant_id, ext)] = merged.id
    for rec in fresh:
        external = rec.session_external_id
        sid = None if external is None else session_of[(rec.tenant_id, external)]
        tx.insert(TRACES, msgspec.structs.replace(rec, session_id=sid))
