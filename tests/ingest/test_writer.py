"""The writer against the memory backend (a real backend) and a real SQLite file."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import msgspec
import pytest

from renlayer_core.errors import InvalidInput, Unavailable, ValidationFailed
from renlayer_core.ingest import FlushOutcome, WriterConfig
from renlayer_core.ingest.spill import SpillFile, read_frames
from renlayer_core.ingest.traces import decode_trace, encode_trace, trace_writer
from renlayer_core.models import TraceRecord
from renlayer_core.storage import TraceFilter
from storage_backends import open_store
from tests.ingest.helpers import TENANT, SqliteTraceTable, make_trace, wait_for

FAST = WriterConfig(batch_size=50, max_delay=0.01, retry_initial=0.01, retry_max=0.05)


def _stored_ids(store: object) -> list[str]:
    traces = store.traces  # type: ignore[attr-defined]
    return [t.id for t in traces.iter_traces(TENANT, TraceFilter())]


def test_everything_submitted_reaches_the_memory_backend_once(tmp_path: Path) -> None:
    store = open_store("memory://", cursor_key=b"k" * 32)
    writer = trace_writer(store.traces.append_traces, spill_path=tmp_path / "t.spill", config=FAST)
    traces = [make_trace(i, session="s-1") for i in range(1234)]
    for t in traces:
        writer.submit(t)
    report = writer.close(timeout=10)
    assert report.clean and report.left_in_spill == 0 and report.lost == 0
    assert sorted(_stored_ids(store)) == sorted(t.id for t in traces)
    session = store.traces.list_sessions(TENANT).data[0]
    assert session.trace_count == 1234
    assert not (tmp_path / "t.spill").exists()


def test_batches_are_cut_by_size(tmp_path: Path) -> None:
    seen: list[int] = []
    table = SqliteTraceTable(tmp_path / "s.db")

    def sink(batch: Sequence[TraceRecord]) -> None:
        seen.append(len(batch))
        table.append_traces(batch)

    cfg = WriterConfig(batch_size=100, max_delay=30.0)
    writer = trace_writer(sink, spill_path=None, config=cfg)
    for i in range(250):
        writer.submit(make_trace(i))
    # Two full batches go without waiting for the (long) timer; the rest waits for it.
    assert wait_for(lambda: len(table.ids()) == 200, timeout=5)
    assert writer.metrics().queued == 50
    assert writer.close(timeout=5).clean
    assert seen == [100, 100, 50]


def test_a_partial_batch_goes_after_max_delay(tmp_path: Path) -> None:
    table = SqliteTraceTable(tmp_path / "s.db")
    cfg = WriterConfig(batch_size=1000, max_delay=0.05)
    writer = trace_writer(table.append_traces, spill_path=None, config=cfg)
    for i in range(7):
        writer.submit(make_trace(i))
    # batch_size is never reached and nobody flushes: only the timer can have sent them.
    assert wait_for(lambda: len(table.ids()) == 7, timeout=5)
    writer.close()


def test_flush_reports_written_when_the_store_answers(tmp_path: Path) -> None:
    table = SqliteTraceTable(tmp_path / "s.db")
    writer = trace_writer(
        table.append_traces, spill_path=tmp_path / "t.spill", config=WriterConfig(max_delay=60)
    )
    traces = [make_trace(i) for i in range(10)]
    for t in traces:
        writer.submit(t)
    assert writer.flush(timeout=5) is FlushOutcome.WRITTEN
    assert table.ids() == [t.id for t in traces]
    writer.close()


def test_without_a_spill_file_a_full_queue_refuses_loudly(tmp_path: Path) -> None:
    table = SqliteTraceTable(tmp_path / "s.db")
    cfg = WriterConfig(max_queue_records=20, batch_size=5, retry_initial=0.01, retry_max=0.02)
    writer = trace_writer(table.append_traces, spill_path=None, config=cfg)
    kept = []
    with table.outage():
        refused = 0
        for i in range(40):
            t = make_trace(i)
            try:
                writer.submit(t)
                kept.append(t)
            except Unavailable as exc:
                assert "no spill file is configured" in str(exc)
                refused += 1
        assert refused > 0
        assert writer.flush(timeout=0.1) is FlushOutcome.PENDING
    report = writer.close(timeout=10)
    assert report.clean
    assert table.ids() == [t.id for t in kept]


def test_a_refused_record_is_kept_aside_and_does_not_block_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store("memory://", cursor_key=b"k" * 32)
    bad = make_trace(3)

    def strict_sink(batch: Sequence[TraceRecord]) -> None:
        # A store that refuses one record for good (as a store refuses invalid input).
        if any(r.id == bad.id for r in batch):
            raise InvalidInput(f"trace {bad.id!r} is refused")
        store.traces.append_traces(batch)

    writer = trace_writer(strict_sink, spill_path=tmp_path / "t.spill", config=FAST)
    traces = [make_trace(i) for i in range(10)]
    traces[3] = bad
    with caplog.at_level(logging.ERROR, logger="renlayer.ingest"):
        for t in traces:
            writer.submit(t)
        assert writer.close(timeout=10).clean
    assert sorted(_stored_ids(store)) == sorted(t.id for t in traces if t is not bad)
    assert writer.metrics().rejected == 1
    assert f"refused trace {bad.id!r}" in caplog.text
    with open(tmp_path / "t.spill.rejected", "rb") as fh:
        kept = read_frames(fh, None).payloads
    assert [decode_trace(p).id for p in kept] == [bad.id]


def test_submit_after_close_is_refused(tmp_path: Path) -> None:
    table = SqliteTraceTable(tmp_path / "s.db")
    writer = trace_writer(table.append_traces, spill_path=None)
    writer.close()
    with pytest.raises(Unavailable, match="closed"):
        writer.submit(make_trace(0))


def test_bad_config_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as info:
        WriterConfig(batch_size=0, max_delay=-1)
    assert [e.path for e in info.value.errors] == ["batch_size", "max_delay"]


def test_the_byte_bound_also_triggers_spilling(tmp_path: Path) -> None:
    table = SqliteTraceTable(tmp_path / "s.db")
    size = len(encode_trace(make_trace(0)))
    cfg = WriterConfig(max_queue_bytes=size * 10, batch_size=5, retry_initial=0.01)
    writer = trace_writer(table.append_traces, spill_path=tmp_path / "t.spill", config=cfg)
    with table.outage():
        for i in range(30):
            writer.submit(make_trace(i))
        m = writer.metrics()
        assert m.spilled > 0 and m.queued_bytes <= size * 10
    assert writer.close(timeout=10).clean
    assert len(table.ids()) == 30


def test_many_threads_submitting_lose_nothing(tmp_path: Path) -> None:
    store = open_store("memory://", cursor_key=b"k" * 32)
    cfg = WriterConfig(batch_size=64, max_delay=0.005, max_queue_records=300)
    writer = trace_writer(store.traces.append_traces, spill_path=tmp_path / "t.spill", config=cfg)
    per_thread = [[make_trace(i) for i in range(500)] for _ in range(4)]

    def work(traces: list[TraceRecord]) -> None:
        for t in traces:
            writer.submit(t)

    threads = [threading.Thread(target=work, args=(ts,)) for ts in per_thread]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert writer.close(timeout=20).clean
    assert sorted(_stored_ids(store)) == sorted(t.id for ts in per_thread for t in ts)


def test_metrics_describe_the_last_error_without_credentials() -> None:
    from renlayer_core.ingest.errors import describe, is_outage

    exc = RuntimeError('connection to "postgresql://app:hunter2@db:5432/x" failed password=s3cr3t')
    text = describe(exc)
    assert "hunter2" not in text and "s3cr3t" not in text
    assert text.startswith("RuntimeError: ")
    assert is_outage(exc) and is_outage(Unavailable("down")) and not is_outage(InvalidInput("x"))


def test_spill_file_in_use_by_another_writer(tmp_path: Path) -> None:
    holder = SpillFile(tmp_path / "t.spill")
    with pytest.raises(Unavailable, match="in use"):
        trace_writer(lambda b: None, spill_path=tmp_path / "t.spill")
    holder.close()


def _large(i: int) -> TraceRecord:
    """A trace of ~10 KiB encoded (a payload with many findings is this big or bigger)."""
    return msgspec.structs.replace(make_trace(i), error="x" * 10_000)


def test_large_traces_make_a_batch_due_before_the_byte_bound(tmp_path: Path) -> None:
    # Default bounds: 2,000 traces of 10 KiB are more than the 16 MiB byte bound, so a batch
    # by count was never due before the queue overflowed — with the store up and idle, every
    # burst went through the spill file (an fsync on the submitting thread) until the timer.
    # A batch is now due at half the byte bound.
    cfg = WriterConfig(max_delay=30.0)  # the timer plays no part
    size = len(encode_trace(_large(0)))
    assert cfg.batch_size * size > cfg.max_queue_bytes
    traces = [_large(i) for i in range(cfg.max_queue_bytes * 3 // 4 // size)]
    _sent_without_spilling(cfg, traces, tmp_path)


def _sent_without_spilling(cfg: WriterConfig, traces: list[TraceRecord], tmp_path: Path) -> None:
    """A burst into a healthy store goes out in batches before the timer, none to disk."""
    seen: list[TraceRecord] = []
    writer = trace_writer(seen.extend, spill_path=tmp_path / "t.spill", config=cfg)
    for t in traces:
        writer.submit(t)
    assert wait_for(lambda: len(seen) > 0, timeout=5)
    assert writer.close(timeout=10).clean
    assert writer.metrics().spilled == 0
    assert [t.id for t in seen] == [t.id for t in traces]


def test_a_replayed_batch_holds_at_most_half_the_byte_bound(tmp_path: Path) -> None:
    # A batch from the spill file was cut by count alone: at 2,000 records a replay could
    # hold many times the memory bound in memory (a trace may carry thousands of findings).
    size = len(encode_trace(_large(0)))
    cfg = WriterConfig(
        batch_size=100, max_queue_bytes=size * 10, retry_initial=0.01, retry_max=0.02
    )
    table = SqliteTraceTable(tmp_path / "s.db")
    sizes: list[int] = []

    def sink(batch: Sequence[TraceRecord]) -> None:
        table.append_traces(batch)
        sizes.append(sum(len(encode_trace(t)) for t in batch))

    writer = trace_writer(sink, spill_path=tmp_path / "t.spill", config=cfg)
    traces = [_large(i) for i in range(60)]
    with table.outage():
        for t in traces:
            writer.submit(t)
        assert writer.metrics().spill_pending >= 50
    assert writer.close(timeout=10).clean
    assert table.ids() == [t.id for t in traces]
    assert sizes and max(sizes) <= size * 5


def test_a_count_bound_below_batch_size_still_makes_a_batch_due(tmp_path: Path) -> None:
    # A deployment that bounds memory at 1,000 records and keeps the default batch_size
    # (2,000 since it was raised from 500): no batch was due by count before the queue
    # overflowed, so with the store up every burst went to the spill file until the timer.
    cfg = WriterConfig(max_queue_records=1000, max_delay=30.0)
    assert cfg.batch_size > cfg.max_queue_records
    _sent_without_spilling(cfg, [make_trace(i) for i in range(800)], tmp_path)
