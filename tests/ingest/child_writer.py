"""Run by test_killed_process in a child process: submit traces until killed.

Prints ``SUB <id>`` after each submit and ``ACK <n> <outcome>`` after each ``flush``
checkpoint: the first ``n`` submitted traces are then durable (in the store or fsynced in the
spill file). The parent kills this process with SIGKILL at a moment of its choosing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from renlayer_core.ingest import WriterConfig
from renlayer_core.ingest.traces import trace_writer
from tests.ingest.helpers import make_trace, open_sqlite_store


def main(db: str, spill: str, every: int) -> None:
    # Migrated by the parent; opening must not need the (possibly locked) file for writing.
    store = open_sqlite_store(Path(db), migrate=False)
    cfg = WriterConfig(
        batch_size=20, max_delay=0.005, max_queue_records=40, retry_initial=0.01, retry_max=0.05
    )
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=cfg)
    i = 0
    while True:
        trace = make_trace(i, session="killed")
        writer.submit(trace)
        i += 1
        print("SUB", trace.id, flush=True)
        if i % every == 0:
            outcome = writer.flush(timeout=0.02)
            print("ACK", i, outcome.value, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
