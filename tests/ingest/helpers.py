"""Real parts for the ingest tests: traces, and a small SQLite trace table used as a sink.

``SqliteTraceTable`` is a real store (a file, real locks, real durability), kept tiny so the
writer's behaviour is visible: rowid order is the order in which the store first saw each id,
and ``INSERT OR IGNORE`` on the primary key is the same idempotence ``append_traces`` promises.
An outage is made the way it happens in production: another connection holds the file with
``BEGIN EXCLUSIVE``, so writes fail with "database is locked".
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from renlayer_core.errors import InvalidInput, Unavailable
from renlayer_core.ids import new_id
from renlayer_core.models import TraceAction, TraceDecision, TraceRecord

# Fixed, so that a child process writes under the same tenant as the test that reads.
TENANT = "ten_01JDQ00000000000000000TEST"
AGENT = "agent_01JDQ00000000000000000TEST"


def make_trace(i: int, *, tenant: str = TENANT, session: str | None = None) -> TraceRecord:
    deny = i % 7 == 0
    return TraceRecord(
        id=new_id("trace"),
        tenant_id=tenant,
        agent_id=AGENT,
        key_id=None,
        session_external_id=session,
        timestamp=1_700_000_000_000 + i,
        action=TraceAction(kind="tool", upstream="prod-db", tool="db.query", method="POST"),
        decision=TraceDecision(
            effect="deny" if deny else "allow",
            code="policy_denied" if deny else "allowed",
            reason=f"trace number {i}",
        ),
        request_bytes=100 + i % 50,
        enforcement_us=40,
    )


class SqliteTraceTable:
    def __init__(self, path: Path, *, busy_timeout: float = 0.02) -> None:
        self.path = path
        self._timeout = busy_timeout
        with contextlib.closing(self._connect()) as db, db:
            db.execute("pragma journal_mode=wal")
            db.execute(
                "create table if not exists traces"
                " (n integer primary key autoincrement, id text unique not null, reason text)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        with contextlib.closing(self._connect()) as db, db:
            db.executemany(
                "insert or ignore into traces (id, reason) values (?, ?)",
                [(r.id, r.decision.reason) for r in batch],
            )

    def ids(self) -> list[str]:
        """Every stored id, in the order the store first accepted it."""
        # A generous timeout: the short one is for the writer's sink (an outage must fail
        # fast); a reader racing the last writer connection's WAL checkpoint must just wait.
        with contextlib.closing(sqlite3.connect(self.path, timeout=5)) as db:
            return [row[0] for row in db.execute("select id from traces order by n")]

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        """Hold the database with an exclusive transaction: every write elsewhere fails."""
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            db.execute("begin exclusive")
            yield
            db.execute("rollback")
        finally:
            db.close()


def wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def open_sqlite_store(path: Path, *, busy_timeout_ms: int = 20, migrate: bool = True) -> Any:
    """The real SQLite backend, with a short busy timeout so a held lock fails fast."""
    from storage_backends import open_store

    return open_store(
        f"sqlite:///{path}", cursor_key=b"k" * 32, busy_timeout_ms=busy_timeout_ms, migrate=migrate
    )


def stored_in_order(path: Path) -> list[str]:
    """Trace ids in the order the SQLite backend first inserted them (rowid order)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("select id from traces order by rowid")]


@contextlib.contextmanager
def sqlite_outage(path: Path) -> Iterator[None]:
    """Another connection holds the file with ``BEGIN EXCLUSIVE``: writes elsewhere fail."""
    db = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        db.execute("begin exclusive")
        yield
        db.execute("rollback")
    finally:
        db.close()


class SwitchableLog:
    """The naive store twin for writer properties: an idempotent log (first write of an id
    wins) that can be switched down (``Unavailable``) and refuses a whole batch holding one of
    ``bad`` (``InvalidInput``), as a SQL transaction does."""

    def __init__(self, bad: frozenset[int] = frozenset()) -> None:
        self.order: dict[int, None] = {}
        self.bad = bad
        self.down = False
        self._lock = threading.Lock()

    def append(self, batch: Sequence[int]) -> None:
        with self._lock:
            if self.down:
                raise Unavailable("the store is down")
            if self.bad.intersection(batch):
                raise InvalidInput("the store cannot hold a value")
            for n in batch:
                self.order.setdefault(n, None)
