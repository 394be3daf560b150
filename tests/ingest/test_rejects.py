"""A record the store refuses for good (issue #4): kept aside, never retried forever, never
blocking the others. Against real backends: memory, a SQLite file, and PostgreSQL.

The unstorable record is a trace whose timestamp is 2^63: it encodes (msgpack goes to 2^64)
and reaches the store, where the session's ``first_seen``/``last_seen`` integer columns cannot
hold it; SQLite and PostgreSQL refuse the batch with ``InvalidInput``. The memory backend keeps
any Python int, so there the same record is simply stored: the writer must not reject what the
store accepts.

Each sink below is the store's own ``append_traces`` with an observer that notes, after the
store returned, which ids it took and in which order; it changes nothing.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.errors import InvalidInput, Unavailable
from renlayer_core.ingest import WriteBehindWriter, WriterConfig
from renlayer_core.ingest.errors import is_outage
from renlayer_core.ingest.spill import SpillFile, read_frames
from renlayer_core.ingest.traces import decode_trace, encode_trace, trace_writer
from renlayer_core.models import TraceRecord
from storage_backends import open_store
from tests.ingest.helpers import (
    SwitchableLog,
    make_trace,
    open_sqlite_store,
    sqlite_outage,
    stored_in_order,
)
from tests.storage.conftest import (  # the session fixture finishes Backend's schema drops
    BACKENDS,
    SQL_BACKENDS,
    Backend,
    _drop_schemas_at_exit,  # noqa: F401
)

CFG = WriterConfig(
    batch_size=64, max_delay=0.01, max_queue_records=100, retry_initial=0.01, retry_max=0.05
)
# Far more than a correct writer needs (well under a second), far less than "forever".
BOUND_S = 10.0


def unstorable(i: int) -> TraceRecord:
    return msgspec.structs.replace(make_trace(i, session="s"), timestamp=2**63)


class Observed:
    """A real store, and the ids it accepted in the order it accepted them. The store comes
    from the contract suite's ``Backend`` (a fresh PostgreSQL schema, dropped afterwards;
    PostgreSQL unreachable fails the test when ``RENLAYER_TEST_PG_REQUIRED=1``)."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self._backend = Backend(kind, tmp_path)
        # SQLite with a short busy timeout, so a held lock fails fast.
        options: dict[str, Any] = {"busy_timeout_ms": 20} if kind == "sqlite" else {}
        self.store: Any = self._backend.open(**options)
        self.db = Path(self._backend.url.removeprefix("sqlite:///"))
        self.accepted: list[str] = []
        self.calls = 0

    def sink(self, batch: Sequence[TraceRecord]) -> None:
        self.calls += 1
        self.store.traces.append_traces(batch)
        self.accepted.extend(r.id for r in batch)

    @property
    def refuses_2_63(self) -> bool:
        return self.kind != "memory"

    def stored(self, tenant: str) -> set[str]:
        from renlayer_core.storage import TraceFilter

        return {t.id for t in self.store.traces.iter_traces(tenant, TraceFilter())}

    def close(self) -> None:
        self._backend.close()


def _observed(kind: str, tmp_path: Path) -> Iterator[Observed]:
    b = Observed(kind, tmp_path)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Observed]:
    yield from _observed(request.param, tmp_path)


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Observed]:
    yield from _observed(request.param, tmp_path)


def rejected_ids(spill: Path) -> list[str]:
    """Read the rejected file back and decode every record in it."""
    path = Path(f"{spill}.rejected")
    if not path.exists():
        return []
    with open(path, "rb") as fh:
        return [decode_trace(p).id for p in read_frames(fh, None).payloads]


def test_one_unstorable_record_is_kept_aside_and_the_batch_is_stored_in_order(
    backend: Observed, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spill = tmp_path / "t.spill"
    traces = [make_trace(i, session="s") for i in range(40)]
    bad = traces[17] = unstorable(17)
    writer = trace_writer(backend.sink, spill_path=spill, config=CFG)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="renlayer.ingest"):
        for t in traces:
            writer.submit(t)
        report = writer.close(timeout=BOUND_S)
    elapsed = time.monotonic() - started
    m = writer.metrics()
    assert report.clean and report.lost == 0 and elapsed < BOUND_S
    assert m.retries == 0 and m.store_up and m.spilled == 0
    good = [t.id for t in traces if t is not bad]
    if not backend.refuses_2_63:
        # Memory holds the value: nothing to reject, everything stored in one call.
        assert backend.accepted == [t.id for t in traces] and backend.calls == 1
        assert m.rejected == 0 and rejected_ids(spill) == [] and caplog.text == ""
        return
    assert backend.accepted == good
    assert backend.stored(bad.tenant_id) == set(good)
    if backend.kind == "sqlite":
        assert stored_in_order(backend.db) == good
    assert m.rejected == 1 and m.written == len(good)
    assert rejected_ids(spill) == [bad.id]
    # Bisection, not one call per record: 1 + 2 per halving level at most.
    assert backend.calls <= 1 + 2 * math.ceil(math.log2(len(traces)))
    # The log names the record by its ids and the error code, never its content.
    assert f"refused trace {bad.id!r} of tenant {bad.tenant_id!r}" in caplog.text
    assert "invalid_input" in caplog.text and str(2**63) not in caplog.text
    assert "trace number 17" not in caplog.text
    assert (m.last_error or "").startswith("invalid_input: the store refused trace")


def test_several_unstorable_records_in_one_batch_are_each_kept_aside(
    sql_backend: Observed, tmp_path: Path
) -> None:
    spill = tmp_path / "t.spill"
    traces = [make_trace(i, session="s") for i in range(64)]
    for i in (0, 31, 32, 63):
        traces[i] = unstorable(i)
    bad = [t.id for t in traces if t.timestamp == 2**63]
    writer = trace_writer(sql_backend.sink, spill_path=spill, config=CFG)
    for t in traces:
        writer.submit(t)
    assert writer.close(timeout=BOUND_S).clean
    good = [t.id for t in traces if t.id not in bad]
    assert sql_backend.accepted == good
    assert writer.metrics().rejected == 4
    assert rejected_ids(spill) == bad


def test_replay_from_the_spill_file_keeps_an_unstorable_record_aside(
    backend: Observed, tmp_path: Path
) -> None:
    """A spill file left by an earlier run (written with the spill file's own API) holding
    one unstorable record: the next start replays the others in order, rejects that one."""
    spill = tmp_path / "t.spill"
    old = [make_trace(i, session="s") for i in range(150)]
    bad = old[70] = unstorable(70)
    left = SpillFile(spill)
    left.append([encode_trace(t) for t in old])
    left.close()
    writer = trace_writer(backend.sink, spill_path=spill, config=CFG)
    new = [make_trace(1000 + i, session="s") for i in range(10)]
    for t in new:
        writer.submit(t)
    started = time.monotonic()
    assert writer.close(timeout=BOUND_S).clean
    assert time.monotonic() - started < BOUND_S
    assert not spill.exists()
    everything = [t.id for t in old + new]
    if not backend.refuses_2_63:
        assert backend.accepted == everything and writer.metrics().rejected == 0
        return
    assert backend.accepted == [i for i in everything if i != bad.id]
    assert writer.metrics().rejected == 1
    assert rejected_ids(spill) == [bad.id]


def test_an_outage_still_spills_and_replays_with_an_unstorable_record_among_them(
    tmp_path: Path,
) -> None:
    """An outage is not a refusal: nothing is rejected while the store is down; the records
    wait (in memory, then the spill file) and once it is back only the bad one is kept aside."""
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    traces = [make_trace(i, session="s") for i in range(300)]
    bad = traces[5] = unstorable(5)
    with sqlite_outage(db):
        for t in traces:
            writer.submit(t)
        time.sleep(0.2)  # several retries of the first batch against the held file
        m = writer.metrics()
        assert m.retries > 0 and not m.store_up and m.spilled > 0 and spill.exists()
        assert m.rejected == 0 and "unavailable" in (m.last_error or "")
    assert writer.close(timeout=BOUND_S).clean
    assert stored_in_order(db) == [t.id for t in traces if t is not bad]
    assert writer.metrics().rejected == 1 and rejected_ids(spill) == [bad.id]
    assert not spill.exists()
    store.close()


def test_a_record_that_cannot_be_encoded_is_refused_at_submit(tmp_path: Path) -> None:
    store = open_store("memory://", cursor_key=b"k" * 32)
    writer = trace_writer(store.traces.append_traces, spill_path=tmp_path / "t.spill", config=CFG)
    with pytest.raises(InvalidInput, match="cannot be encoded: UnicodeEncodeError"):
        writer.submit(msgspec.structs.replace(make_trace(0), error="\ud800"))
    with pytest.raises(InvalidInput, match="cannot be encoded: OverflowError"):
        writer.submit(msgspec.structs.replace(make_trace(1), timestamp=2**64))
    ok = make_trace(2)
    writer.submit(ok)
    assert writer.close(timeout=BOUND_S).clean
    assert writer.metrics().submitted == 1 and writer.metrics().written == 1


def test_value_errors_are_refusals_and_driver_errors_are_outages() -> None:
    assert not is_outage(InvalidInput("x"))
    assert not is_outage(OverflowError("int too big"))
    assert not is_outage(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    assert is_outage(Unavailable("down"))
    assert is_outage(sqlite3.OperationalError("database is locked"))
    assert is_outage(ConnectionResetError())
    assert is_outage(ValueError("I/O operation on closed file"))


@settings(max_examples=int(os.environ.get("RENLAYER_HYPOTHESIS_EXAMPLES", "25")), deadline=None)
@given(
    data=st.data(),
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("submit"), st.integers(1, 20)),
            st.sampled_from([("down", 0), ("up", 0), ("flush", 0)]),
        ),
        max_size=10,
    ),
)
def test_bisection_matches_the_naive_twin_under_outages(
    data: st.DataObject, ops: list[tuple[str, int]]
) -> None:
    """Whatever the refused records and the outages: the store holds exactly the others, in
    submission order (what sending every record alone, in order, would give), and the rejected
    file exactly the refused ones, in order, each once."""
    total = sum(n for op, n in ops if op == "submit")
    bad = data.draw(st.sets(st.integers(0, max(total - 1, 0))), label="bad") if total else set()
    store = SwitchableLog(frozenset(bad))
    with tempfile.TemporaryDirectory() as tmp:
        spill = Path(tmp) / "p.spill"
        cfg = WriterConfig(
            batch_size=8,
            max_delay=0.001,
            max_queue_records=10,
            retry_initial=0.001,
            retry_max=0.004,
            spill_path=spill,
        )
        writer = WriteBehindWriter(
            store.append,
            encode=lambda n: n.to_bytes(8, "big"),
            decode=lambda b: int.from_bytes(b, "big"),
            config=cfg,
            name="test writer",
            identify=lambda n: f"record {n}",
        )
        submitted = 0
        for op, n in ops:
            if op == "submit":
                for _ in range(n):
                    writer.submit(submitted)
                    submitted += 1
            elif op == "flush":
                writer.flush(timeout=0.05)
            else:
                store.down = op == "down"
        store.down = False
        assert writer.close(timeout=BOUND_S).clean
        assert list(store.order) == [i for i in range(submitted) if i not in bad]
        rejected = Path(f"{spill}.rejected")
        kept = []
        if rejected.exists():
            with open(rejected, "rb") as fh:
                kept = [int.from_bytes(p, "big") for p in read_frames(fh, None).payloads]
        assert kept == sorted(bad) and writer.metrics().rejected == len(bad)
