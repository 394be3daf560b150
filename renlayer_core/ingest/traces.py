"""The ready-made writer for traces: msgpack-encoded ``TraceRecord`` into ``append_traces``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from renlayer_core.ingest.config import WriterConfig
from renlayer_core.ingest.writer import WriteBehindWriter
from renlayer_core.models.traces import TraceRecord

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(TraceRecord)


def encode_trace(record: TraceRecord) -> bytes:
    return _encoder.encode(record)


def decode_trace(payload: bytes) -> TraceRecord:
    return _decoder.decode(payload)


def identify_trace(record: TraceRecord) -> str:
    """How a log line names a trace: its ids, never its content (``!a`` keeps the line
    printable whatever the ids hold)."""
    return f"trace {record.id!a} of tenant {record.tenant_id!a}"


def trace_writer(
    append_traces: Callable[[Sequence[TraceRecord]], object],
    *,
    spill_path: str | Path | None,
    config: WriterConfig | None = None,
) -> WriteBehindWriter[TraceRecord]:
    """``trace_writer(store.traces.append_traces, spill_path=data_dir / "traces.spill")``.

    ``spill_path`` is explicit (``None`` opts out of spilling): a server must decide where
    its un-stored traces wait, beside its data, on a disk that survives a restart."""
    path = Path(spill_path) if spill_path is not None else None
    cfg = dataclasses.replace(config or WriterConfig(), spill_path=path)
    return WriteBehindWriter(
        append_traces,
        encode=encode_trace,
        decode=decode_trace,
        config=cfg,
        name="trace writer",
        identify=identify_trace,
    )
