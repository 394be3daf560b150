"""The write-behind writer: ``submit`` queues, a background thread writes batches to a sink.

Order is kept end to end. At any moment the pending records form one sequence, oldest first::

    the batch in the sink call  <  the spill file (from its read offset)  <  the memory queue

The drainer takes its next batch from the spill file while the file has pending records, and
from memory only once it is empty. When memory passes its bound, the whole queue moves to the
end of the spill file; if that is the first spill, the batch being retried is copied to the
head of the file first (a *mirror*), so that the file alone holds everything in order. When the
mirrored batch is then accepted by the sink, the read offset skips its copy.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Generic, TypeVar

from renlayer_core.errors import InvalidInput, Unavailable
from renlayer_core.ingest.config import WriterConfig
from renlayer_core.ingest.errors import describe, is_outage, refusal_code
from renlayer_core.ingest.metrics import CloseReport, FlushOutcome, WriterMetrics
from renlayer_core.ingest.rejected import RejectedFile
from renlayer_core.ingest.spill import FRAME_OVERHEAD, MAGIC, SpillFile

T = TypeVar("T")
log = logging.getLogger("renlayer.ingest")


class _Stopped(Enum):
    # What ``_send`` returns when the writer closed while it waited out an outage.
    STOPPED = "stopped"


_STOPPED = _Stopped.STOPPED


@dataclass(slots=True)
class _Item(Generic[T]):
    seq: int
    record: T
    payload: bytes


@dataclass(slots=True)
class _Batch(Generic[T]):
    items: list[_Item[T]]
    # Set when the batch was read from the spill file: the offset just after it, and how
    # many frames it covers (undecodable ones included, which went to the rejected file).
    spill_end: int | None = None
    spill_frames: int = 0


class WriteBehindWriter(Generic[T]):
    """Queue records on the request path; write them to ``sink`` in batches from a thread.

    ``sink(batch)`` must be idempotent on the record's identity (``append_traces`` is, on
    trace id): delivery is at least once, and duplicates collapse in the store.
    """

    def __init__(
        self,
        sink: Callable[[Sequence[T]], object],
        *,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        config: WriterConfig | None = None,
        name: str = "trace writer",
        identify: Callable[[T], str] | None = None,
    ) -> None:
        self._sink, self._encode, self._decode = sink, encode, decode
        # Names a record in logs by its ids only (never its content), e.g. "trace 'trace_…'".
        self._identify = identify
        self._cfg = config or WriterConfig()
        # A batch is also due once it holds half the byte bound, and never holds more (from
        # memory or from the spill file): with big records, ``batch_size`` of them may pass
        # the bound, and the queue would overflow to the spill file before a batch was due.
        self._batch_bytes = max(1, self._cfg.max_queue_bytes // 2)
        # Likewise by count, for a bound below twice ``batch_size``.
        self._due_records = max(1, min(self._cfg.batch_size, self._cfg.max_queue_records // 2))
        self._name = name
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._progress = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._mem: deque[_Item[T]] = deque()
        self._mem_bytes = 0
        self._oldest_at = 0.0
        self._inflight: _Batch[T] | None = None
        self._mirrored = 0
        self._mirror_end = 0
        self._seq = self._written_seq = self._durable_seq = 0
        self._spilled_upto = 0
        self._urgent = 0
        self._closing = self._closed = False
        self._n_written = self._n_batches = self._n_retries = self._n_spilled = 0
        self._n_rejected = 0
        self._store_up = True
        self._last_error: str | None = None
        path = self._cfg.spill_path
        self._spill = SpillFile(path) if path is not None else None
        self._rejected = RejectedFile(Path(f"{path}.rejected")) if path is not None else None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # -- the request path ---------------------------------------------------------------

    def submit(self, record: T) -> None:
        """Queue ``record``. Returns at once unless the store is down and the memory bound is
        reached: then the queue is written to the spill file (one fsync) before returning.
        Raises ``Unavailable`` when the record cannot be kept: the writer is closed, or the
        bound is reached with no spill file, or the spill file cannot be written.
        Raises ``InvalidInput`` when ``encode`` cannot encode the record (e.g. a lone
        surrogate in a string, an integer past 2^64): no store could hold it either."""
        try:
            payload = self._encode(record)
        except (UnicodeError, OverflowError) as exc:
            raise InvalidInput(f"the record cannot be encoded: {refusal_code(exc)}") from None
        with self._lock:
            if self._closed:
                raise Unavailable(f"the {self._name} is closed")
            self._seq += 1
            self._mem.append(_Item(self._seq, record, payload))
            self._mem_bytes += len(payload)
            size = len(self._mem)
            if size > self._cfg.max_queue_records or self._mem_bytes > self._cfg.max_queue_bytes:
                self._overflow_locked()
            elif size == 1:
                self._oldest_at = time.monotonic()
                self._wake.notify()
            elif size == self._due_records or self._mem_bytes >= self._batch_bytes:
                self._wake.notify()

    def _overflow_locked(self) -> None:
        try:
            if self._spill is None:
                raise Unavailable(
                    f"the {self._name} queue is full ({len(self._mem)} records) and no spill "
                    "file is configured"
                )
            self._spill_all_locked()
        except Unavailable:
            # Refuse this record loudly; the ones queued before it stay queued.
            item = self._mem.pop()
            self._mem_bytes -= len(item.payload)
            self._seq -= 1
            raise

    def _spill_all_locked(self) -> None:
        """Move memory (and, on a first spill, a copy of the batch in flight) to the file."""
        spill = self._spill
        assert spill is not None
        inflight = self._inflight
        mirror: list[bytes] = []
        if inflight is not None and inflight.spill_end is None and not self._mirrored:
            mirror = [item.payload for item in inflight.items]
        start = spill.size
        spill.append(mirror + [item.payload for item in self._mem])
        if mirror:
            # The mirror is at the head of an empty file: skip it once the sink takes it.
            self._mirrored = len(mirror)
            self._mirror_end = max(start, len(MAGIC)) + sum(FRAME_OVERHEAD + len(p) for p in mirror)
        self._n_spilled += len(mirror) + len(self._mem)
        self._spilled_upto = self._durable_seq = self._seq
        self._mem.clear()
        self._mem_bytes = 0
        self._progress.notify_all()

    # -- checkpoints and shutdown -------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> FlushOutcome:
        """Make everything submitted so far durable: in the store if it answers within
        ``timeout`` seconds, else fsynced in the spill file."""
        deadline = time.monotonic() + timeout
        with self._lock:
            target = self._seq
            self._urgent += 1
            self._wake.notify()
            try:
                if self._wait_locked(lambda: self._written_seq >= target, deadline):
                    return FlushOutcome.WRITTEN
                if self._durable_seq >= target:
                    return FlushOutcome.SPILLED
                if self._spill is None or self._closed:
                    return FlushOutcome.PENDING
                self._spill_all_locked()
                return FlushOutcome.SPILLED
            finally:
                self._urgent -= 1

    def close(self, timeout: float = 10.0) -> CloseReport:
        """Write everything to the store, or at ``timeout`` leave the rest in the spill file.
        Nothing acknowledged is lost either way; the report says which happened."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._closing = True
            self._wake.notify()
            clean = self._wait_locked(self._idle_locked, deadline)
            lost = 0
            if not clean and self._spill is not None and not self._closed:
                try:
                    self._spill_all_locked()
                except Unavailable as exc:
                    self._last_error = describe(exc)
            if not clean:
                lost = len(self._mem) + (
                    len(self._inflight.items)
                    if self._inflight is not None
                    and self._inflight.spill_end is None
                    and not self._mirrored
                    else 0
                )
            self._closed = True
            self._stop.set()
            self._wake.notify_all()
            report = self._report_locked(clean, lost)
        self._thread.join(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
        if self._spill is not None:
            self._spill.close()
        if not clean:
            log.warning(
                "%s closed with the store unreachable: %d records left in spill file '%s', "
                "%d lost; last error: %s",
                self._name,
                report.left_in_spill,
                report.spill_path,
                report.lost,
                report.last_error,
            )
        return report

    def _report_locked(self, clean: bool, lost: int) -> CloseReport:
        spill = self._spill
        return CloseReport(
            clean=clean,
            written=self._n_written,
            left_in_spill=spill.pending if spill is not None and not clean else 0,
            lost=lost,
            spill_path=str(spill.path) if spill is not None else None,
            last_error=self._last_error,
        )

    def _idle_locked(self) -> bool:
        pending = self._spill.pending if self._spill is not None else 0
        return not self._mem and self._inflight is None and pending == 0

    def _wait_locked(self, done: Callable[[], bool], deadline: float) -> bool:
        while not done():
            left = deadline - time.monotonic()
            if left <= 0 or self._closed:
                return done()
            self._progress.wait(left)
        return True

    def __enter__(self) -> WriteBehindWriter[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def metrics(self) -> WriterMetrics:
        with self._lock:
            spill = self._spill
            return WriterMetrics(
                submitted=self._seq,
                queued=len(self._mem),
                queued_bytes=self._mem_bytes,
                inflight=len(self._inflight.items) if self._inflight is not None else 0,
                spilled=self._n_spilled,
                spill_pending=spill.pending if spill is not None else 0,
                written=self._n_written,
                batches=self._n_batches,
                retries=self._n_retries,
                rejected=self._n_rejected,
                torn_bytes=spill.torn_bytes if spill is not None else 0,
                store_up=self._store_up,
                last_error=self._last_error,
            )

    # -- the drainer thread -------------------------------------------------------------

    def _run(self) -> None:
        delay = self._cfg.retry_initial
        while True:
            try:
                with self._lock:
                    batch = self._next_batch_locked()
                    if batch is None:
                        return
                    self._inflight = batch
                self._deliver(batch)
                delay = self._cfg.retry_initial
            except Exception as exc:
                # The drainer must outlive any surprise (a spill read error, a decoder bug):
                # if it died, records would pile up unseen. Log, back off, go on.
                log.exception("%s: the background writer hit an error; retrying", self._name)
                with self._lock:
                    self._last_error = describe(exc)
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self._cfg.retry_max)

    def _next_batch_locked(self) -> _Batch[T] | None:
        while not self._closed:
            spill = self._spill
            if spill is not None and spill.pending > 0:
                batch = self._read_spill_locked(spill)
                if batch is not None:
                    return batch
                continue
            if self._mem and self._batch_due_locked():
                return self._take_memory_locked()
            self._wake.wait(self._wait_time_locked())
        return None

    def _batch_due_locked(self) -> bool:
        return (
            len(self._mem) >= self._due_records
            or self._mem_bytes >= self._batch_bytes
            or self._urgent > 0
            or self._closing
            or time.monotonic() - self._oldest_at >= self._cfg.max_delay
        )

    def _wait_time_locked(self) -> float | None:
        if not self._mem:
            return None
        return max(0.0, self._cfg.max_delay - (time.monotonic() - self._oldest_at))

    def _take_memory_locked(self) -> _Batch[T]:
        items = [self._mem.popleft()]
        size = len(items[0].payload)
        while self._mem and len(items) < self._cfg.batch_size:
            nxt = len(self._mem[0].payload)
            if size + nxt > self._batch_bytes:
                break
            items.append(self._mem.popleft())
            size += nxt
        self._mem_bytes -= size
        self._oldest_at = time.monotonic()
        return _Batch(items)

    def _read_spill_locked(self, spill: SpillFile) -> _Batch[T] | None:
        try:
            run = spill.read(self._cfg.batch_size, max_bytes=self._batch_bytes)
        except FileNotFoundError:
            log.error(
                "spill file '%s' was removed by someone else: %d records in it are lost",
                spill.path,
                spill.pending,
            )
            self._last_error = "spill_removed: the spill file was removed while in use"
            spill.remove()
            return None
        if run.count == 0:
            # The file ends before its count says: it was damaged while we ran. Keep what
            # was read so far; say so loudly rather than spin.
            log.error("spill file '%s' is shorter than expected; resetting it", spill.path)
            self._last_error = "spill_damaged: the spill file ended early"
            spill.remove()
            return None
        items: list[_Item[T]] = []
        for payload in run.payloads:
            try:
                items.append(_Item(0, self._decode(payload), payload))
            except Exception as exc:
                # The decoder's message may quote the payload: name the error type only.
                label = f"an undecodable record ({len(payload)} bytes)"
                self._reject_locked(payload, label, refusal_code(exc))
        if not items:
            spill.advance(run.count, run.end)
            return None
        return _Batch(items, spill_end=run.end, spill_frames=run.count)

    def _deliver(self, batch: _Batch[T]) -> None:
        if not self._isolate(batch.items):
            return  # closed while retrying an outage: close() accounted for the batch
        with self._lock:
            if not self._closed:
                self._done_locked(batch)

    def _isolate(self, items: list[_Item[T]]) -> bool:
        """Deliver ``items`` in order, keeping aside only the records the store refuses.

        A refused run is split in halves, left half first, until each refused record is
        alone: one bad record in a batch of n costs about 2·log2(n) sink calls, not n (each
        call is a transaction, with its fsync). Halves the store takes are written in order,
        so the good records keep their order. Returns False if the writer closed meanwhile.
        """
        todo = [items]
        while todo:
            part = todo.pop()
            outcome = self._send([item.record for item in part])
            if outcome is _STOPPED:
                return False
            if outcome is None:
                continue
            if len(part) == 1:
                label = self._label(part[0])
                kept = self._keep_rejected(part[0].payload)
                with self._lock:
                    self._rejected_locked(label, outcome, kept)
                continue
            mid = len(part) // 2
            todo.append(part[mid:])
            todo.append(part[:mid])
        return True

    def _label(self, item: _Item[T]) -> str:
        if self._identify is None:
            return "a record"
        try:
            return self._identify(item.record)
        except Exception:
            return "a record"

    def _send(self, records: list[T]) -> str | _Stopped | None:
        """Retry outages until the sink takes ``records`` (None). A refusal is returned as its
        error code alone: a store message may quote the refused value, which may be secret."""
        delay = self._cfg.retry_initial
        while True:
            try:
                self._sink(records)
            except Exception as exc:
                with self._lock:
                    if not is_outage(exc):
                        # The store answered: it is up, it just will not hold these records.
                        self._store_up = True
                        return refusal_code(exc)
                    self._last_error = describe(exc)
                    self._store_up = False
                    self._n_retries += 1
                if self._stop.wait(random.uniform(delay / 2, delay)):  # noqa: S311
                    return _STOPPED
                delay = min(delay * 2, self._cfg.retry_max)
            else:
                with self._lock:
                    self._store_up = True
                    self._n_written += len(records)
                return None

    def _done_locked(self, batch: _Batch[T]) -> None:
        spill = self._spill
        self._n_batches += 1
        if batch.spill_end is not None and spill is not None:
            spill.advance(batch.spill_frames, batch.spill_end)
            if spill.pending == 0:
                self._written_seq = max(self._written_seq, self._spilled_upto)
        else:
            self._written_seq = max(self._written_seq, batch.items[-1].seq)
            if self._mirrored and spill is not None:
                spill.advance(self._mirrored, self._mirror_end)
                self._mirrored = 0
                if spill.pending == 0:
                    self._written_seq = max(self._written_seq, self._spilled_upto)
        self._durable_seq = max(self._durable_seq, self._written_seq)
        self._inflight = None
        self._progress.notify_all()

    def _keep_rejected(self, payload: bytes) -> bool:
        """Append a refused record to the rejected file (an fsync: callers on the drainer's
        delivery path call it without the lock, so that ``submit`` never waits on it)."""
        return self._rejected.append(payload) if self._rejected is not None else False

    def _reject_locked(self, payload: bytes, label: str, reason: str) -> None:
        self._rejected_locked(label, reason, self._keep_rejected(payload))

    def _rejected_locked(self, label: str, reason: str, kept: bool) -> None:
        """Count a refused record and say so, naming it by its ids only."""
        self._n_rejected += 1
        self._last_error = f"{reason}: the store refused {label}"
        log.error(
            "%s: the store refused %s for good (%s); %s; %d rejected so far",
            self._name,
            label,
            reason,
            f"kept in '{self._rejected.path}'" if kept and self._rejected else "NOT KEPT",
            self._n_rejected,
        )
