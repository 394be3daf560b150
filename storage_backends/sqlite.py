"""``sqlite:///path.db`` (relative) or ``sqlite:////abs/path.db``: the embedded default.

WAL journal, ``busy_timeout``, foreign keys on. One writer connection behind a lock (SQLite
allows one writer anyway; ``BEGIN IMMEDIATE`` takes the file's write lock up front, so two
processes queue instead of failing half-way) and one reader connection per thread (WAL lets
readers run beside the writer). Several processes may share the file; key-cache
invalidations do not cross processes, so there the 1 s cache TTL is the bound.
"""

# ruff: noqa: S608 - identifiers are constants; values always go as parameters.

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import msgspec

from renlayer_core.errors import InvalidInput, NotFound, Unavailable
from renlayer_core.ids import new_id
from renlayer_core.models import Session, TraceRecord
from renlayer_core.storage.ports import Capabilities
from storage_backends import _migrations
from storage_backends._scrub import NeedsScrub, scrub_batch, trace_doc
from storage_backends._sql import SqlTx, decode, encode, input_errors, insert_sql, row_values
from storage_backends._tables import SESSIONS, TRACES, Table
from storage_backends._traces import SessionDelta, merge_session, unique_batch

_detectors = TRACES.multi["detector"]


def path_from_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not sep or not rest.startswith("/") or len(rest) < 2:
        raise InvalidInput(
            f"expected sqlite:///relative/path.db or sqlite:////abs/path.db, found {url!r}"
        )
    path = rest[1:].partition("?")[0]
    if path in (":memory:", ""):
        raise InvalidInput("an in-memory sqlite store cannot be shared by threads: use memory://")
    return path


class SqliteDialect:
    for_update = ""

    def sql(self, text: str) -> str:
        return text

    def duplicate_column(self, table: Table, exc: BaseException) -> str | None:
        if not isinstance(exc, sqlite3.IntegrityError):
            return None
        msg = str(exc)
        if msg.startswith("UNIQUE constraint failed:"):
            return msg.rsplit(".", 1)[-1].strip()
        if "FOREIGN KEY" in msg:
            raise NotFound("a record this one refers to was not found") from None
        return None

    def savepoint(self, conn: Any) -> AbstractContextManager[Any]:
        # A failed statement does not abort an SQLite transaction: no savepoint needed.
        return nullcontext()

    def notify(self, tx: SqlTx, message: str) -> None:
        """No cross-process channel: the cache TTL bounds staleness."""


_CHUNK = 500  # ids per IN (…) list: far below SQLite's 32766 parameters
_TRACE_INSERT = (
    "INSERT INTO traces (tenant_id, id, agent_id, session_id, effect, code, policy_id, "
    "upstream, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


def trace_row(r: TraceRecord) -> tuple[object, ...]:
    """The ``traces`` row of a record, built directly (this is the per-row hot path; the
    contract suite checks it matches ``TRACES.columns`` through every list filter). Its
    document is checked by ``trace_doc``: a NUL raises ``NeedsScrub``."""
    d = r.decision
    doc = trace_doc(r).decode("utf-8")
    return (
        r.tenant_id,
        r.id,
        r.agent_id,
        r.session_id,
        d.effect,
        d.code,
        d.policy_id,
        r.action.upstream,
        doc,
    )


def _session_totals(
    fresh: Sequence[TraceRecord],
) -> dict[tuple[str, str], tuple[str | None, int, int, int, int]]:
    """Per (tenant, external session id): agent of its first trace, first and last
    timestamp, trace count, deny count — what ``session_deltas`` computes, in one loop
    without a method call per trace (this runs for every ingested trace; the generic path
    and the contract suite's differential tests keep ``session_deltas`` as its twin)."""
    acc: dict[tuple[str, str], list[Any]] = {}
    for r in fresh:
        ext = r.session_external_id
        if ext is None:
            continue
        ts = r.timestamp
        deny = r.decision.effect == "deny"
        a = acc.get((r.tenant_id, ext))
        if a is None:
            acc[(r.tenant_id, ext)] = [r.agent_id, ts, ts, 1, int(deny)]
            continue
        if ts < a[1]:
            a[1] = ts
        elif ts > a[2]:
            a[2] = ts
        a[3] += 1
        a[4] += deny
    return {k: (a[0], a[1], a[2], a[3], a[4]) for k, a in acc.items()}


class SqliteTx(SqlTx):
    """Batch ingest without a statement per trace. Sessions of the batch are read once per
    500 keys; the traces go in with one ``executemany`` of ``INSERT … ON CONFLICT DO
    NOTHING``, and the rowids tell which were new (see ``_insert_new_traces``): only those
    count in their sessions. Correct because the whole batch runs under ``BEGIN
    IMMEDIATE``: no other writer can interleave."""

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        try:
            self._append(batch)
        except NeedsScrub:
            # Raised while the trace rows are encoded, before anything is written (sessions
            # are only read by then): the batch is redone scrubbed in the same transaction.
            self._append(scrub_batch(batch))

    def _append(self, batch: Sequence[TraceRecord]) -> None:
        rows = unique_batch(batch)
        if len(rows) < len(batch):
            # Repeats of a trace id are dropped, but checked like the rows kept (the other
            # backends scrub the whole batch first): one the store could not hold refuses the
            # batch, one with a NUL redoes it scrubbed.
            kept = {id(r) for r in rows}
            for r in batch:
                if id(r) not in kept:
                    trace_doc(r)
        if not rows:
            return
        # A dict, not a set: new session ids are drawn in first-seen order (ids sort by time).
        keys = {
            (r.tenant_id, r.session_external_id): None
            for r in rows
            if r.session_external_id is not None
        }
        current = self._sessions(list(keys))
        # Ids for sessions not stored yet are drawn up front (the trace rows carry them);
        # a session none of whose traces turns out new is simply never written.
        sid = {k: current[k].id if k in current else new_id("sess") for k in keys}
        stored = []
        for r in rows:
            if r.session_external_id is None:
                stored.append(r)
                continue
            if r.session_id is not None:
                # Replaced below, but checked as given, like the other backends check it.
                trace_doc(r)
            stored.append(
                msgspec.structs.replace(r, session_id=sid[(r.tenant_id, r.session_external_id)])
            )
        fresh = self._insert_new_traces(stored)
        if not fresh:
            return
        new: list[Session] = []
        updated: list[Session] = []
        for k, (agent, first, last, count, denies) in _session_totals(fresh).items():
            old = current.get(k)
            if old is None:
                # Built here rather than by merge_session(None, …), which would draw an id
                # only to have it replaced by the one the trace rows already carry.
                new.append(
                    Session(
                        id=sid[k],
                        tenant_id=k[0],
                        external_id=k[1],
                        agent_id=agent,
                        first_seen=first,
                        last_seen=last,
                        trace_count=count,
                        deny_count=denies,
                    )
                )
            else:
                delta = SessionDelta(agent, first, last, count, denies)
                updated.append(merge_session(old, k[0], k[1], delta))
        self.executemany(insert_sql(SESSIONS), [row_values(SESSIONS, m) for m in new])
        self.executemany(
            "UPDATE sessions SET first_seen = ?, last_seen = ?, doc = ? "
            "WHERE tenant_id = ? AND id = ?",
            [(m.first_seen, m.last_seen, encode(m), m.tenant_id, m.id) for m in updated],
        )
        self.executemany(
            "INSERT INTO traces_detector (tenant_id, id, value) VALUES (?, ?, ?)",
            [(r.tenant_id, r.id, d) for r in fresh if r.findings for d in _detectors(r)],
        )

    def _insert_new_traces(self, rows: Sequence[TraceRecord]) -> Sequence[TraceRecord]:
        """Insert the rows whose (tenant, id) is not stored yet; return those rows.

        One ``executemany`` (measured faster than a multi-row ``INSERT … RETURNING``, which
        needs a 4,500-parameter list built in Python). Which rows were new: if the change
        count equals the row count (the usual case), all of them; otherwise exactly the rows
        whose rowid is above the largest rowid before the insert (under ``BEGIN IMMEDIATE``
        only this statement added rows; a rowid table with no AUTOINCREMENT hands out
        ``max(rowid) + 1``, so the new rows are a rowid range — SQLite would pick random
        rowids only past 2^63 − 1, and nothing here ever sets a rowid explicitly).
        """
        (before,) = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM traces").fetchone()
        changes = self.conn.total_changes
        self.conn.executemany(_TRACE_INSERT, [trace_row(r) for r in rows])
        if self.conn.total_changes - changes == len(rows):
            return rows
        inserted = set(
            self.conn.execute(
                "SELECT tenant_id, id FROM traces WHERE rowid > ?", (before,)
            ).fetchall()
        )
        return [r for r in rows if (r.tenant_id, r.id) in inserted]

    def _by_tenant_chunks(
        self, pairs: Sequence[tuple[str, str]]
    ) -> Iterator[tuple[str, list[str]]]:
        by_tenant: dict[str, list[str]] = {}
        for tenant, value in pairs:
            by_tenant.setdefault(tenant, []).append(value)
        for tenant, values in by_tenant.items():
            for i in range(0, len(values), _CHUNK):
                yield tenant, values[i : i + _CHUNK]

    def _sessions(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Session]:
        out: dict[tuple[str, str], Session] = {}
        for tenant, externals in self._by_tenant_chunks(keys):
            marks = ", ".join("?" for _ in externals)
            sql = f"SELECT doc FROM sessions WHERE tenant_id = ? AND external_id IN ({marks})"
            for (doc,) in self.execute(sql, [tenant, *externals]).fetchall():
                session: Session = decode(SESSIONS, doc)
                out[(tenant, session.external_id)] = session
        return out


# The writer's own checkpoint threshold, in pages: a backstop. Under a steady stream of
# commits the WAL still grows to it (SQLite restarts the WAL only when a write begins with
# every frame already copied, which a checkpoint running beside the writer rarely sees), but
# by then the background checkpointer (below) has copied nearly every frame: the writer's
# checkpoint is little more than its fsyncs, once per ~64 MB, and lets the WAL restart.
_WAL_BACKSTOP_PAGES = 16_384
# After a WAL reset the file is truncated to this size, so a burst does not leave a huge WAL.
_WAL_SIZE_LIMIT = 64 * 1024 * 1024
# At most one background checkpoint per this many seconds (each costs two fsyncs).
_CHECKPOINT_EVERY_S = 0.05


class _Checkpointer:
    """Copies committed WAL frames into the database file on its own thread and connection.

    Why: with ``synchronous=NORMAL`` a commit writes the WAL without fsync, but the automatic
    checkpoint that SQLite runs inside ``COMMIT`` every 1,000 pages writes the pages again
    into the database file and fsyncs both files — measured at 40 % of the ingest time. A
    PASSIVE checkpoint from another connection does the same work beside the writer (it
    never blocks the writer or the readers; SQLite releases the GIL while it runs), and the
    writer's own autocheckpoint, raised to ``_WAL_BACKSTOP_PAGES``, still bounds the WAL if
    this thread falls behind. Durability is unchanged: a commit is in the WAL either way.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="renlayer-sqlite-checkpoint", daemon=True
        )
        self._thread.start()

    def kick(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            self._wake.wait()
            if self._stop.is_set():
                break
            self._wake.clear()
            try:
                if conn is None:
                    conn = self._connect()
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except (sqlite3.Error, Unavailable):
                # Busy, or the file is gone: nothing lost, the writer's backstop checkpoint
                # (or the next kick) does the work. Retry on a fresh connection.
                if conn is not None:
                    conn.close()
                    conn = None
            if self._stop.wait(_CHECKPOINT_EVERY_S):
                break
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()


class SqliteEngine:
    capabilities = Capabilities(
        name="sqlite", supports_notify=False, multi_process=True, durable=True
    )

    def __init__(self, path: str, *, busy_timeout_ms: int = 10_000) -> None:
        self._path = path
        self._busy = busy_timeout_ms
        self._dialect = SqliteDialect()
        self._wlock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._rlock = threading.Lock()
        self._closed = False
        self._writer = self._connect()
        with self._guard():
            try:
                self._writer.execute("PRAGMA journal_mode=WAL")
                # A bigger page cache for the writer: index pages of large trace tables stay hot.
                self._writer.execute("PRAGMA cache_size=-65536")
                self._writer.execute(f"PRAGMA wal_autocheckpoint={_WAL_BACKSTOP_PAGES}")
                self._writer.execute(f"PRAGMA journal_size_limit={_WAL_SIZE_LIMIT}")
            except BaseException:
                self._writer.close()
                raise
        self._checkpointer = _Checkpointer(self._connect)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SqliteEngine:
        return cls(path_from_url(url), **options)

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=self._busy / 1000
            )
            conn.execute(f"PRAGMA busy_timeout={int(self._busy)}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise Unavailable(f"cannot open the sqlite store {self._path!r}: {exc}") from None
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._rlock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._closed:
            raise Unavailable("the store is closed")
        try:
            with input_errors():
                yield
        except sqlite3.OperationalError as exc:
            raise Unavailable(f"the sqlite store is unavailable: {exc}") from None
        except sqlite3.DatabaseError as exc:
            # Exactly DatabaseError: a file that is not (or no longer) a SQLite database. Its
            # subclasses (integrity, programming errors) are not an outage and pass through.
            if type(exc) is not sqlite3.DatabaseError:
                raise
            raise Unavailable(f"the sqlite store is unreadable: {exc}") from None

    @contextmanager
    def read(self) -> Iterator[SqlTx]:
        with self._guard():
            conn = self._reader()
            conn.execute("BEGIN")
            try:
                yield SqliteTx(conn, self._dialect)
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[SqlTx]:
        with self._guard(), self._wlock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTx(conn, self._dialect)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        self._checkpointer.kick()

    def migrate(self) -> int:
        with self._guard(), self._wlock:
            conn = self._writer
            # BEGIN IMMEDIATE: a second process migrating at the same time waits here, then
            # finds the work done.
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self._apply(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return version

    def _apply(self, conn: sqlite3.Connection) -> int:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS renlayer_schema "
            "(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
        )
        row = conn.execute("SELECT coalesce(max(version), 0) FROM renlayer_schema").fetchone()
        current = int(row[0])
        migrations = _migrations.load("sqlite")
        if current > len(migrations):
            raise Unavailable(f"the store's schema v{current} is newer than this renlayer")
        for m in migrations[current:]:
            for statement in split_statements(m.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO renlayer_schema (version, applied_at) VALUES (?, ?)",
                (m.version, int(time.time() * 1000)),
            )
            current = m.version
        return current

    def ping(self) -> None:
        with self.read() as tx:
            tx.execute("SELECT 1").fetchone()

    def close(self) -> None:
        self._closed = True
        self._checkpointer.close()
        with self._wlock:
            self._writer.close()
        with self._rlock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """No cross-process channel: the cache TTL bounds staleness."""


def split_statements(script: str) -> list[str]:
    """Split a script into statements (trigger bodies contain ';', hence complete_statement)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise ValueError("a migration ends with an incomplete statement")
    return out
