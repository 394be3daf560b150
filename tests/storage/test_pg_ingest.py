"""The PostgreSQL ingest paths: the optimistic binary ``COPY`` and the checked fallback it
hands a batch to when a unique index refuses it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from renlayer_core.models import Session, now_ms
from renlayer_core.storage.filters import SessionFilter, TraceFilter
from storage_backends._sql import encode, row_values
from storage_backends._tables import TRACES, Cond
from tests.storage import records
from tests.storage.conftest import Backend, make_tenant


def test_trace_row_matches_the_table_description() -> None:
    from storage_backends.postgresql import trace_row

    base = records.trace("ten_x", policy_id="pol_1", upstream="up", detectors=("secret.a",))
    for rec, sid in ((base, "sess_1"), (msgspec.structs.replace(base, agent_id="a"), None)):
        row = trace_row(rec, sid)
        expected = row_values(TRACES, msgspec.structs.replace(rec, session_id=sid))
        assert row[:-1] == expected[:-1]
        assert isinstance(row[-1], bytes) and row[-1].decode() == expected[-1]


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    backend = Backend("postgresql", tmp_path)
    yield backend
    backend.close()


def test_a_session_created_during_the_batch_sends_it_to_the_checked_path(pg: Backend) -> None:
    """Another transaction inserts the batch's session after the batch looked for it: the
    optimistic insert waits on the unique index, then fails, and the checked path adds the
    batch to the session the other transaction committed."""
    import psycopg

    store = pg.open()
    tenant = make_tenant(store)
    ms = now_ms()
    other = Session(
        id="sess_other",
        tenant_id=tenant.id,
        external_id="x",
        first_seen=ms - 10,
        last_seen=ms - 10,
        trace_count=5,
        deny_count=1,
    )
    batch = [records.trace(tenant.id, ms=ms + i, session_external_id="x") for i in range(3)]
    with psycopg.connect(pg.url, options=f"-c search_path={pg.schema}") as conn:
        conn.execute(
            "INSERT INTO sessions (tenant_id, id, external_id, agent_id, first_seen, last_seen, "
            "doc) VALUES (%s, %s, %s, NULL, %s, %s, %s)",
            (tenant.id, other.id, "x", other.first_seen, other.last_seen, encode(other)),
        )
        errors: list[BaseException] = []

        def run() -> None:
            try:
                store.traces.append_traces(batch)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        # Let the batch reach the unique index and wait there on this transaction.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
            ).fetchone()
            if waiting and waiting[0]:
                break
            time.sleep(0.01)
        conn.commit()
        worker.join(timeout=10)
    assert errors == []
    sessions = store.traces.list_sessions(tenant.id, SessionFilter()).data
    assert [(s.id, s.trace_count, s.deny_count, s.first_seen) for s in sessions] == [
        (other.id, 8, 1, ms - 10)
    ]
    stored = store.traces.list(tenant.id, TraceFilter()).data
    assert sorted(t.id for t in stored) == sorted(t.id for t in batch)
    assert {t.session_id for t in stored} == {other.id}


def test_a_partial_replay_stores_only_the_new_traces(pg: Backend) -> None:
    store = pg.open()
    tenant = make_tenant(store)
    ms = now_ms()
    first = [
        records.trace(tenant.id, ms=ms + i, session_external_id="s", detectors=("secret.a",))
        for i in range(4)
    ]
    store.traces.append_traces(first[:2])
    store.traces.append_traces(first)  # two replays, two new: the checked path
    store.traces.append_traces(first)  # all replays
    (session,) = store.traces.list_sessions(tenant.id, SessionFilter()).data
    assert (session.trace_count, session.first_seen, session.last_seen) == (4, ms, ms + 3)
    found = store.traces.list(tenant.id, TraceFilter(detector="secret.a")).data
    assert sorted(t.id for t in found) == sorted(t.id for t in first)
    assert pg.sql("SELECT count(*) FROM traces_detector") == [(4,)]


def test_the_store_never_prepares_statements_on_the_server(pg: Backend) -> None:
    """A prepared statement may settle on a generic plan costed while the tables were small
    and keep it until the next ANALYZE (measured: the ingest batch's session lock became a
    scan of every session). psycopg would prepare each statement on its 5th run; the store's
    connections must not, so every statement is planned for its parameters."""
    store = pg.open(pool_min=1, pool_max=1)  # one connection: the one the ingest used
    try:
        tenant = make_tenant(store)
        ms = now_ms()
        for i in range(8):
            store.traces.append_traces(
                [records.trace(tenant.id, ms=ms + i, session_external_id=f"s{i % 2}")]
            )
            assert store.traces.list(tenant.id).data
        with store.engine.read() as tx:
            (prepared,) = tx.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()
        assert prepared == 0
    finally:
        store.close()


def _last_analyze(pg: Backend) -> object:
    rows = pg.sql(
        "SELECT last_analyze FROM pg_stat_user_tables "
        "WHERE relname = 'traces' AND schemaname = current_schema()"
    )
    return rows[0][0] if rows else None


@pytest.mark.parametrize("auto", [True, False])
def test_the_store_keeps_trace_statistics_fresh(pg: Backend, auto: bool) -> None:
    """Past 10,000 committed traces the store analyzes the trace tables in the background
    (a two-filter list page is 150 ms without statistics, 1 ms with them); off, it does not.
    Only a manual ANALYZE sets last_analyze (autovacuum sets last_autoanalyze)."""
    from storage_backends import _pg_analyze

    store = pg.open(auto_analyze=auto)
    tenant = make_tenant(store)
    ms = now_ms()
    below = _pg_analyze.MIN_EVERY - 10
    store.traces.append_traces([records.trace(tenant.id, ms=ms + i) for i in range(below)])
    time.sleep(0.5)
    assert _last_analyze(pg) is None  # not yet: below the first threshold
    store.traces.append_traces([records.trace(tenant.id, ms=ms + below + i) for i in range(20)])
    deadline = time.monotonic() + 15
    while auto and _last_analyze(pg) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    store.close()  # waits for a running ANALYZE
    assert (_last_analyze(pg) is not None) is auto


def test_a_blocked_analyze_never_holds_a_pool_connection(
    pg: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something else holds a lock ANALYZE conflicts with (an operator's VACUUM, another
    instance's ANALYZE, an anti-wraparound autovacuum): the background ANALYZE must skip the
    table, not wait on it holding a pool connection. With ``pool_max=1`` a waiting ANALYZE
    made every request fail with Unavailable, and close() hung for the analyzer's join."""
    import psycopg

    from storage_backends import _pg_analyze

    monkeypatch.setattr(_pg_analyze, "MIN_EVERY", 20)
    store = pg.open(pool_max=1, connect_timeout=1)
    tenant = make_tenant(store)
    ms = now_ms()
    with psycopg.connect(pg.url, options=f"-c search_path={pg.schema}") as other:
        other.execute("LOCK TABLE traces IN SHARE UPDATE EXCLUSIVE MODE")
        store.traces.append_traces([records.trace(tenant.id, ms=ms + i) for i in range(30)])
        # Until the analyzer has finished, or is stuck waiting for the lock.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            running = any(t.name == "renlayer-pg-analyze" for t in threading.enumerate())
            waiting = other.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'traces'::regclass"
            ).fetchone()
            if not running or (waiting and waiting[0]):
                break
            time.sleep(0.05)
        store.traces.append_traces([records.trace(tenant.id, ms=ms + 100 + i) for i in range(3)])
        assert len(store.traces.list(tenant.id, TraceFilter(), limit=100).data) == 33
        started = time.monotonic()
        store.close()
        assert time.monotonic() - started < 3
        other.rollback()


def test_effect_and_code_filters_use_their_partial_indexes(pg: Backend) -> None:
    """Migration 0002 indexes effect and code only where they are not allow/allowed: a
    filter on another value must still find its index (with sequential scans off, so the
    plan does not depend on the table's size), the query builder's extra term included."""
    store = pg.open()
    tenant = make_tenant(store)
    store.traces.append_traces([records.trace(tenant.id, effect="deny") for _ in range(3)])
    with store.engine.read() as tx:
        tx.execute("SET enable_seqscan = off")
        try:
            for column, value, index in [
                ("effect", "deny", "traces_effect_ix"),
                ("effect", "require_approval", "traces_effect_ix"),
                ("code", "dlp_blocked", "traces_code_ix"),
            ]:
                where, params = tx._where(TRACES, [Cond(column, "=", value)])
                assert "<>" in where
                plan = tx.execute(
                    f"EXPLAIN SELECT doc FROM traces WHERE tenant_id = ?{where} "
                    "AND id < ? ORDER BY id DESC LIMIT 50",
                    [tenant.id, *params, "trace_Z"],
                ).fetchall()
                assert index in " ".join(r[0] for r in plan), (column, value)
        finally:
            tx.execute("RESET enable_seqscan")
