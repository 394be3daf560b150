"""The SQLite ingest fast path: rows built directly, new ids told by RETURNING, and the
partial policy index still serving its filter."""

from __future__ import annotations

import sqlite3

import msgspec

from renlayer_core.models import Tenant, now_ms
from renlayer_core.storage.filters import SessionFilter, TraceFilter
from storage_backends import GenericStore, _migrations
from storage_backends._sql import row_values
from storage_backends._tables import TRACES
from storage_backends.sqlite import split_statements, trace_row
from tests.storage import records


def test_trace_row_matches_the_table_description() -> None:
    base = records.trace("ten_x", policy_id="pol_1", upstream="up", detectors=("secret.a",))
    for rec in (base, msgspec.structs.replace(base, session_id="sess_1", agent_id=None)):
        assert trace_row(rec) == row_values(TRACES, rec)


def test_resent_trace_under_another_session_creates_no_session(
    store: GenericStore, tenant: Tenant
) -> None:
    ms = now_ms()
    first = records.trace(tenant.id, ms=ms, session_external_id="a")
    store.traces.append_traces([first])
    # The same trace id again, now claiming session "b", beside one genuinely new trace.
    resent = msgspec.structs.replace(first, session_external_id="b")
    other = records.trace(tenant.id, ms=ms + 1, session_external_id="a")
    store.traces.append_traces([resent, other, other])
    sessions = store.traces.list_sessions(tenant.id, SessionFilter()).data
    assert [(s.external_id, s.trace_count) for s in sessions] == [("a", 2)]
    stored = store.traces.list(tenant.id, TraceFilter()).data
    assert sorted(t.id for t in stored) == sorted([first.id, other.id])
    assert {t.session_id for t in stored} == {sessions[0].id}


def test_policy_filter_uses_the_partial_index() -> None:
    db = sqlite3.connect(":memory:")
    for statement in split_statements(_migrations.load("sqlite")[0].sql):
        db.execute(statement)
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT doc FROM traces WHERE tenant_id = ? AND policy_id = ? "
        "AND id < ? ORDER BY id DESC LIMIT 50",
        ("t", "p", "i"),
    ).fetchall()
    assert "traces_policy_id_ix" in plan[0][3]
