"""The SQLite ingest fast path: rows built directly, new ids told by RETURNING, and the
partial policy index still serving its filter."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.ids import new_id
from renlayer_core.models import Tenant, TraceRecord, now_ms
from renlayer_core.policy.decision import ALLOWED
from renlayer_core.storage.filters import SessionFilter, TraceFilter
from storage_backends import GenericStore, _migrations, open_store
from storage_backends._sql import row_values
from storage_backends._tables import TRACES, Cond, Table
from storage_backends._traces import session_deltas
from storage_backends.sqlite import (
    SqliteDialect,
    SqliteTx,
    _session_totals,
    split_statements,
    trace_row,
)
from tests.storage import records
from tests.storage.conftest import CURSOR_KEY


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


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ten_a", "ten_b"]),
            st.sampled_from([None, "s1", "s2", "s3"]),
            st.integers(0, 2**40),
            st.sampled_from(["allow", "deny", "require_approval"]),
            st.sampled_from([None, "agent_1", "agent_2"]),
        ),
        max_size=30,
    )
)
def test_session_totals_match_session_deltas(
    specs: list[tuple[str, str | None, int, str, str | None]],
) -> None:
    """The SQLite one-loop session totals and the generic ``session_deltas`` (its naive
    twin) agree on every batch: same sessions, agent of the first trace, bounds, counts."""
    batch = [
        records.trace(tenant, ms=ms, session_external_id=ext, effect=effect, agent_id=agent)
        for tenant, ext, ms, effect, agent in specs
    ]
    expected = {
        k: (d.agent_id, d.first_seen, d.last_seen, d.traces, d.denies)
        for k, d in session_deltas(batch).items()
    }
    assert _session_totals(batch) == expected


def test_the_wal_is_checkpointed_beside_the_writer(tmp_path: Path) -> None:
    """Committed pages reach the database file without the writer checkpointing: the
    writer's own threshold (16,384 pages) is far above what is written here, so only the
    background checkpointer can have copied them."""
    path = tmp_path / "ckpt.db"
    store = open_store(f"sqlite:///{path}", cursor_key=CURSOR_KEY)
    try:
        tenant = new_id("ten")  # trace tables carry no foreign key: no tenant row needed
        before = path.stat().st_size
        for _ in range(4):
            store.traces.append_traces([records.trace(tenant) for _ in range(250)])
        deadline = time.monotonic() + 10
        while path.stat().st_size < before + 500_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= before + 500_000
        assert len(store.traces.list(tenant, TraceFilter(), limit=200).data) == 200
    finally:
        store.close()


def test_effect_and_code_filters_use_their_partial_indexes() -> None:
    db = sqlite3.connect(":memory:")
    for migration in _migrations.load("sqlite"):
        for statement in split_statements(migration.sql):
            db.execute(statement)
    tx = SqliteTx(db, SqliteDialect())

    def plan(column: str, value: str) -> str:
        where, params = tx._where(TRACES, [Cond(column, "=", value)])
        rows = db.execute(
            f"EXPLAIN QUERY PLAN SELECT doc FROM traces WHERE tenant_id = ?{where} "
            "ORDER BY id DESC LIMIT 50",
            ["t", *params],
        ).fetchall()
        return " ".join(r[3] for r in rows)

    assert "traces_effect_ix" in plan("effect", "deny")
    assert "traces_code_ix" in plan("code", "dlp_blocked")
    # The left-out values cannot use them (they are not in the index): the primary key,
    # already in id order, serves those pages.
    assert "traces_effect_ix" not in plan("effect", "allow")
    assert "traces_code_ix" not in plan("code", "allowed")
    assert TRACES.partial == {"effect": "allow", "code": ALLOWED}


def test_a_partial_index_value_must_be_a_plain_word() -> None:
    # The left-out value is written into the SQL as a literal (see Table.partial).
    for value in ("it's", "a' OR '1'='1", "", "a b", "x--", "é"):
        with pytest.raises(ValueError, match="not a word"):
            Table("t", TraceRecord, partial={"code": value})
    assert Table("t", TraceRecord, partial={"code": "policy_denied2"}).partial
