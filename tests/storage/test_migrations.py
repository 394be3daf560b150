"""Schema migrations: recorded in a version table, safe to repeat, safe from two processes."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from renlayer_core.errors import InvalidInput, Unavailable
from renlayer_core.models import now_ms
from renlayer_core.storage.filters import TraceFilter
from storage_backends import _migrations, open_store
from storage_backends.sqlite import split_statements
from tests.storage import records
from tests.storage.conftest import CURSOR_KEY, Backend, make_tenant

LATEST = _migrations.latest("sqlite")


def _versions(b: Backend) -> list[int]:
    return [r[0] for r in b.sql("SELECT version FROM renlayer_schema ORDER BY version")]


def test_both_dialects_have_the_same_migrations() -> None:
    assert [m.version for m in _migrations.load("sqlite")] == [
        m.version for m in _migrations.load("postgresql")
    ]


def test_migrate_is_idempotent(sql_backend: Backend) -> None:
    store = sql_backend.open()
    assert store.migrate() == LATEST
    assert store.migrate() == LATEST
    sql_backend.open().close()  # opening migrates again
    assert _versions(sql_backend) == list(range(1, LATEST + 1))


_CHILD = """
import sys
from storage_backends import open_store
kw = {{"schema": sys.argv[2]}} if sys.argv[2] != "-" else {{}}
store = open_store(sys.argv[1], cursor_key=b"k" * 32, **kw)
print(store.migrate())
store.close()
"""


def test_concurrent_processes_migrate_once(sql_backend: Backend) -> None:
    url = sql_backend.url
    schema = sql_backend.schema or "-"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD.format(), url, schema],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    assert [out.strip() for out, _ in outputs] == [str(LATEST)] * 3
    assert _versions(sql_backend) == list(range(1, LATEST + 1))


def test_a_newer_schema_is_refused(sql_backend: Backend) -> None:
    sql_backend.open()
    sql_backend.sql("INSERT INTO renlayer_schema (version, applied_at) VALUES (999, 0)")
    with pytest.raises(Unavailable, match="newer"):
        sql_backend.open()


def test_unknown_or_malformed_urls(tmp_path: Path) -> None:
    for url in ("redis://x", "nonsense", "sqlite://relative.db", "sqlite:///:memory:"):
        with pytest.raises(InvalidInput):
            open_store(url, cursor_key=CURSOR_KEY)


def test_unreachable_postgres_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        open_store(
            "postgresql://postgres@127.0.0.1:1/none", cursor_key=CURSOR_KEY, connect_timeout=1
        )


def test_sqlite_script_splitting_keeps_trigger_bodies() -> None:
    script = (
        "CREATE TABLE a (x);\n-- c\nCREATE TRIGGER t BEFORE DELETE ON a\nBEGIN\n  SELECT 1;\nEND;\n"
    )
    assert split_statements(script) == [
        "CREATE TABLE a (x);",
        "-- c\nCREATE TRIGGER t BEFORE DELETE ON a\nBEGIN\n  SELECT 1;\nEND;",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE b (x)")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:hunter2@[::1/db",
        "postgresql://app:hunter2@127.0.0.1:1/db?nonsense=1",
        "postgres://app:hunter2@127.0.0.1:1/db?password=hunter2&bogus=x",
    ],
)
def test_a_malformed_postgresql_url_is_invalid_input_without_its_password(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # It used to wait for the pool's timeout (Unavailable) while the pool logged the whole URL,
    # password included, on every attempt.
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InvalidInput) as info:
        open_store(url, cursor_key=CURSOR_KEY, connect_timeout=1)
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in caplog.text


def test_a_populated_store_migrates_and_keeps_answering_alike(
    sql_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written by a release that stopped at v1 (full effect/code indexes) is opened
    by this one: the migrations after v1 run over its data, which stays whole, and the
    filters their indexes serve still find exactly their traces, old and new."""
    every = _migrations.load
    monkeypatch.setattr(_migrations, "load", lambda backend: every(backend)[:1])
    old = sql_backend.open()
    tenant = make_tenant(old)
    base = now_ms() - 60_000
    kinds = [
        ("allow", "allowed"),
        ("deny", "policy_denied"),
        ("require_approval", "approval_required"),
        ("deny", "allowed"),
    ]
    batch = [
        records.trace(tenant.id, ms=base + i, effect=e, code=c, session_external_id="s")
        for i, (e, c) in enumerate(kinds * 4)
    ]
    old.traces.append_traces(batch)
    old.close()
    sql_backend.stores.remove(old)
    assert _versions(sql_backend) == [1]
    monkeypatch.setattr(_migrations, "load", every)

    store = sql_backend.open()
    assert _versions(sql_backend) == list(range(1, LATEST + 1))
    later = [records.trace(tenant.id, effect=e, code=c, session_external_id="s") for e, c in kinds]
    store.traces.append_traces([*batch[:2], *later])  # two replays, four new
    traces = batch + later
    for f in (
        TraceFilter(decision="deny"),
        TraceFilter(decision="allow"),
        TraceFilter(code="allowed"),
        TraceFilter(code="policy_denied", from_ms=base + 4),
        TraceFilter(decision="require_approval", code="approval_required"),
    ):
        want = sorted(
            (
                r.id
                for r in traces
                if f.decision in (None, r.decision.effect)
                and f.code in (None, r.decision.code)
                and (f.from_ms is None or r.timestamp >= f.from_ms)
            ),
            reverse=True,
        )
        got, cursor = [], None
        while True:
            page = store.traces.list(tenant.id, f, limit=3, cursor=cursor)
            got += [r.id for r in page.data]
            if (cursor := page.next_cursor) is None:
                break
        assert got == want, f
    (session,) = store.traces.list_sessions(tenant.id).data
    assert (session.trace_count, session.deny_count) == (len(traces), 8 + 2)
