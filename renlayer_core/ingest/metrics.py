"""What the writer reports, as data: a metrics snapshot and the outcome of flush/close."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class WriterMetrics:
    submitted: int
    # In memory now (records and encoded bytes), and in the sink call under way.
    queued: int
    queued_bytes: int
    inflight: int
    # Written to the spill file since start, and still waiting there for the store.
    spilled: int
    spill_pending: int
    # Acknowledged by the sink (a replayed duplicate counts again: delivery is at least once).
    written: int
    batches: int
    retries: int
    # Records the store refused for good (not an outage), kept in the rejected file.
    rejected: int
    # Bytes of a torn spill tail ignored at start (a crash in the middle of an append).
    torn_bytes: int
    store_up: bool
    last_error: str | None


class FlushOutcome(Enum):
    # Everything submitted before the call is in the store.
    WRITTEN = "written"
    # The store did not take it in time; it is fsynced in the spill file instead.
    SPILLED = "spilled"
    # Neither in time, and there is no spill file: it is still only in memory.
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class CloseReport:
    # True when everything reached the store and the spill file is gone.
    clean: bool
    written: int
    # Records left in the spill file for the next start (0 when clean).
    left_in_spill: int
    # Records that exist nowhere durable: only possible without a spill file.
    lost: int
    spill_path: str | None
    last_error: str | None
