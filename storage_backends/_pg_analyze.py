"""Planner statistics for the trace tables, kept fresh by the store itself.

A list page that filters on two columns (``agent_id`` and ``code``) is 1 ms with statistics
and 150 ms without: with none, PostgreSQL reads every row of the agent and sorts them
instead of walking the agent's index backwards (measured at 1M traces). Autovacuum's
auto-analyze normally provides them, but runs on its own schedule and may be off (it is off
on the development server); a bulk ingest also outruns it. So the store counts the traces it
has committed and runs ``ANALYZE traces, sessions`` on a background thread once they reach a
tenth of the table (at least 10,000, at most 200,000 traces) — ANALYZE samples a fixed
number of rows, ~0.1–0.3 s whatever the table's size. At most one runs at a time; a failure
is logged (no values), a table locked by another session is skipped (``SKIP_LOCKED``), and
the next threshold tries again. ``auto_analyze=False`` turns it
off for operators who schedule statistics themselves.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("renlayer.storage.postgresql")

MIN_EVERY = 10_000
MAX_EVERY = 200_000


class Analyzer:
    def __init__(self, pool: Any, *, enabled: bool) -> None:
        self._pool = pool
        self._enabled = enabled
        self._lock = threading.Lock()
        self._pending = 0
        self._every = MIN_EVERY
        self._thread: threading.Thread | None = None
        self._closed = False

    def note(self, committed: int) -> None:
        """``committed`` traces were just committed by this store."""
        if not self._enabled or committed <= 0:
            return
        with self._lock:
            self._pending += committed
            if self._closed or self._pending < self._every:
                return
            if self._thread is not None and self._thread.is_alive():
                return
            self._pending = 0
            self._thread = threading.Thread(
                target=self._run, name="renlayer-pg-analyze", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                try:
                    # SKIP_LOCKED: a table another session holds a conflicting lock on (a
                    # VACUUM, another instance's ANALYZE, an index build) is skipped, with a
                    # server warning, rather than waited for while this holds a pool
                    # connection: with a small pool, requests timed out behind it.
                    conn.execute("ANALYZE (SKIP_LOCKED) traces, sessions")
                    row = conn.execute(
                        "SELECT reltuples FROM pg_class WHERE oid = 'traces'::regclass"
                    ).fetchone()
                finally:
                    conn.autocommit = False
        except Exception as exc:  # a background job logs and gives up; the next one retries
            log.warning("analyze of the trace tables failed: %s", type(exc).__name__)
            return
        rows = int(row[0]) if row and row[0] and row[0] > 0 else 0
        with self._lock:
            self._every = min(MAX_EVERY, max(MIN_EVERY, rows // 10))

    def close(self, timeout: float = 10.0) -> None:
        """Wait for a running ANALYZE (it holds a pool connection) before the pool closes."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
