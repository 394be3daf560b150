"""The writer's bounds and timings, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from renlayer_core.errors import FieldError, ValidationFailed


@dataclass(frozen=True, slots=True)
class WriterConfig:
    # A batch goes to the sink when it holds ``batch_size`` records (or half of
    # ``max_queue_records`` if fewer) or half of ``max_queue_bytes`` (never more), or its oldest
    # record has waited ``max_delay`` seconds, whichever comes first. 2,000: a store's index
    # pages are written once per batch, so bigger batches cost less per trace (measured, 300k
    # traces: SQLite 54.9k/s at 500, 60.1k at 1,000, 66.7k at 2,000, 63.1k at 5,000;
    # PostgreSQL 41.8k → 48.3k from 500 to 2,000). By count that is far below the memory
    # bound; by bytes it is not once traces pass ~8 KiB, hence the byte cap.
    batch_size: int = 2000
    max_delay: float = 0.05
    # The in-memory bound. Past either limit, queued records move to the spill file (or, with
    # no spill file, ``submit`` refuses the record with ``Unavailable``).
    max_queue_records: int = 10_000
    max_queue_bytes: int = 16 * 1024 * 1024
    # Retry delays while the store is down: exponential from ``retry_initial`` to
    # ``retry_max`` seconds, with jitter so that many instances do not retry in step.
    retry_initial: float = 0.05
    retry_max: float = 5.0
    spill_path: Path | None = None

    def __post_init__(self) -> None:
        errors = [
            FieldError(name, f"must be greater than 0, found {getattr(self, name)!r}")
            for name in (
                "batch_size",
                "max_delay",
                "max_queue_records",
                "max_queue_bytes",
                "retry_initial",
                "retry_max",
            )
            if not getattr(self, name) > 0
        ]
        if errors:
            raise ValidationFailed(errors)
