"""Write-behind ingest: traces leave the request path through a bounded queue, reach the store
in batches from a background thread, wait on local disk while the store is down, and are
replayed in order once it is back. See docs/ingest.md for the guarantees."""

from __future__ import annotations

from renlayer_core.ingest.config import WriterConfig
from renlayer_core.ingest.metrics import CloseReport, FlushOutcome, WriterMetrics
from renlayer_core.ingest.writer import WriteBehindWriter

__all__ = ["CloseReport", "FlushOutcome", "WriteBehindWriter", "WriterConfig", "WriterMetrics"]
