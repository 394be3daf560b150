"""What one unstorable trace costs the write-behind writer (issue #4).

A batch of ``--batch`` traces with ``--bad`` unstorable ones (timestamp 2^63, refused by the
SQL backends with ``invalid_input``) goes through ``trace_writer`` into a real store; we time
submit-to-``close()`` and count sink calls (each one a transaction), median of ``--repeat``.

    python -m benchmarks.bench_ingest_reject                      # SQLite file
    python -m benchmarks.bench_ingest_reject --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import logging
import secrets
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from renlayer_core.ingest import WriterConfig
from renlayer_core.ingest.traces import trace_writer
from renlayer_core.models import TraceRecord
from storage_backends import open_store
from tests.ingest.helpers import make_trace


def one_run(store: Any, spill: Path, batch: int, bad: int) -> tuple[float, int, int]:
    calls = 0

    def sink(records: Sequence[TraceRecord]) -> None:
        nonlocal calls
        calls += 1
        store.traces.append_traces(records)

    traces = [make_trace(i, session="s") for i in range(batch)]
    for k in range(bad):
        i = (k + 1) * batch // (bad + 1)
        traces[i] = msgspec.structs.replace(traces[i], timestamp=2**63)
    cfg = WriterConfig(batch_size=batch, max_delay=60.0, retry_initial=0.01, retry_max=0.05)
    writer = trace_writer(sink, spill_path=spill, config=cfg)
    started = time.perf_counter()
    for t in traces:
        writer.submit(t)
    report = writer.close(timeout=120)
    spent = time.perf_counter() - started
    assert report.clean
    rejected = writer.metrics().rejected
    Path(f"{spill}.rejected").unlink(missing_ok=True)
    return spent, calls, rejected


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--bad", type=int, nargs="+", default=[0, 1, 5])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg", default=None, help="a PostgreSQL URL (a scratch schema is used)")
    args = ap.parse_args()
    # One error line per refused trace is the point in production, noise here.
    logging.getLogger("renlayer.ingest").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if args.pg:
            import psycopg

            schema = "bench_" + secrets.token_hex(6)
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            store = open_store(args.pg, cursor_key=b"k" * 32, schema=schema)
        else:
            store = open_store(f"sqlite:///{tmp}/b.db", cursor_key=b"k" * 32)
        try:
            for bad in args.bad:
                runs = [
                    one_run(store, Path(tmp) / "t.spill", args.batch, bad)
                    for _ in range(args.repeat)
                ]
                ms = statistics.median(r[0] for r in runs) * 1000
                print(
                    f"{'postgresql' if args.pg else 'sqlite'} batch={args.batch} bad={bad}: "
                    f"median {ms:.1f} ms, sink calls {runs[0][1]}, rejected {runs[0][2]}"
                )
        finally:
            store.close()
            if schema is not None:
                import psycopg

                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
