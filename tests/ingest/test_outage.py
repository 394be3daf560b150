"""Store outages at the real layer: the SQLite backend's file held by another connection."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from renlayer_core.ingest import FlushOutcome, WriterConfig
from renlayer_core.ingest.traces import trace_writer
from tests.ingest.helpers import (
    TENANT,
    make_trace,
    open_sqlite_store,
    sqlite_outage,
    stored_in_order,
    wait_for,
)

CFG = WriterConfig(
    batch_size=20, max_delay=0.005, max_queue_records=50, retry_initial=0.01, retry_max=0.05
)


def test_outage_spills_then_replays_everything_once_in_order(tmp_path: Path) -> None:
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    before = [make_trace(i, session="s") for i in range(30)]
    for t in before:
        writer.submit(t)
    assert writer.flush(timeout=5) is FlushOutcome.WRITTEN
    during = [make_trace(100 + i, session="s") for i in range(400)]
    with sqlite_outage(db):
        sizes = []
        for t in during:
            writer.submit(t)
            sizes.append(spill.stat().st_size if spill.exists() else 0)
        assert wait_for(lambda: writer.metrics().retries > 0)
        m = writer.metrics()
        assert not m.store_up and "unavailable" in (m.last_error or "")
        assert m.queued <= CFG.max_queue_records
        # The spill file grew while the store was down, and only grew.
        assert sizes[-1] > 0 and sizes == sorted(sizes)
        assert writer.flush(timeout=0.05) is FlushOutcome.SPILLED
    after = [make_trace(1000 + i, session="s") for i in range(30)]
    for t in after:
        writer.submit(t)
    assert writer.close(timeout=20).clean
    everything = [t.id for t in before + during + after]
    assert stored_in_order(db) == everything
    assert not spill.exists()
    session = store.traces.list_sessions(TENANT).data[0]
    assert session.trace_count == len(everything)
    store.close()


def test_close_with_the_store_down_keeps_everything_in_the_spill_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    traces = [make_trace(i) for i in range(120)]
    with sqlite_outage(db):
        writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
        for t in traces:
            writer.submit(t)
        with caplog.at_level(logging.WARNING, logger="renlayer.ingest"):
            report = writer.close(timeout=0.3)
        assert not report.clean and report.lost == 0
        assert report.left_in_spill == len(traces)
        assert report.spill_path == str(spill) and spill.exists()
        assert "store unreachable" in caplog.text
    # The sink call in flight at the deadline is abandoned, not cancelled (docs/ingest.md):
    # it may still commit its batch once the file is released. So the store holds nothing,
    # or that first batch: a prefix, in order, which the replay below then collapses by id.
    stored = stored_in_order(db)
    assert len(stored) <= CFG.batch_size and stored == [t.id for t in traces[: len(stored)]]
    # The next start replays the file first, then whatever is submitted.
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    later = make_trace(999)
    writer.submit(later)
    assert writer.close(timeout=20).clean
    assert stored_in_order(db) == [t.id for t in [*traces, later]]
    assert not spill.exists()
    store.close()


def test_batch_in_flight_during_the_first_spill_keeps_its_place(tmp_path: Path) -> None:
    """The batch being retried when memory overflows is older than everything spilled: it is
    mirrored to the head of the file, and skipped there once the store takes it."""
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    traces = [make_trace(i) for i in range(200)]
    with sqlite_outage(db):
        writer.submit(traces[0])
        assert wait_for(lambda: writer.metrics().inflight == 1 and writer.metrics().retries > 0)
        for t in traces[1:]:
            writer.submit(t)
        m = writer.metrics()
        assert m.spill_pending >= 1 + CFG.max_queue_records
    assert wait_for(lambda: writer.metrics().spill_pending == 0, timeout=20)
    assert writer.close(timeout=20).clean
    assert stored_in_order(db) == [t.id for t in traces]
    # The mirror was skipped, not written twice: written counts each record once here.
    assert writer.metrics().written == len(traces)
    store.close()


def test_replay_of_a_spill_left_by_an_earlier_run_goes_first(tmp_path: Path) -> None:
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    old = [make_trace(i) for i in range(75)]
    with sqlite_outage(db):
        writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
        for t in old:
            writer.submit(t)
        assert not writer.close(timeout=0.1).clean
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    new = [make_trace(100 + i) for i in range(75)]
    for t in new:
        writer.submit(t)
    assert writer.close(timeout=20).clean
    assert stored_in_order(db) == [t.id for t in old + new]
    store.close()


def test_an_undecodable_spilled_record_goes_to_the_rejected_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A whole frame whose payload is not a trace (e.g. written by a future version): the
    others are replayed, this one is kept aside with an error, nothing crashes."""
    from renlayer_core.ingest.spill import MAGIC, frame
    from renlayer_core.ingest.traces import encode_trace

    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    good = [make_trace(i) for i in range(3)]
    spill.write_bytes(
        MAGIC
        + frame(encode_trace(good[0]))
        + frame(b"\x93not a trace")
        + b"".join(frame(encode_trace(t)) for t in good[1:])
    )
    with caplog.at_level(logging.ERROR, logger="renlayer.ingest"):
        writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
        assert writer.close(timeout=10).clean
    assert stored_in_order(db) == [t.id for t in good]
    assert writer.metrics().rejected == 1
    assert "undecodable record" in caplog.text
    assert (tmp_path / "t.spill.rejected").stat().st_size > 0
    store.close()


def test_a_spill_file_removed_behind_the_writers_back_is_reported_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, spill = tmp_path / "r.db", tmp_path / "t.spill"
    store = open_sqlite_store(db)
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=CFG)
    with caplog.at_level(logging.ERROR, logger="renlayer.ingest"):
        with sqlite_outage(db):
            for i in range(120):
                writer.submit(make_trace(i))
            spill.unlink()
        assert wait_for(lambda: "removed by someone else" in caplog.text)
        later = [make_trace(1000 + i) for i in range(10)]
        for t in later:
            writer.submit(t)
        assert writer.close(timeout=10).clean
    stored = stored_in_order(db)
    assert stored[-10:] == [t.id for t in later]
    # The records that were only in the removed file are lost, and the writer says so.
    assert (writer.metrics().last_error or "").startswith("spill_removed")
    assert len(stored) < 120 + 10
    store.close()
