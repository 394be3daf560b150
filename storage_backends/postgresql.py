"""``postgresql://user@host/db``: multi-instance deployments (psycopg 3 + psycopg_pool).

* Migrations run under ``pg_advisory_lock`` keyed by the schema, so instances starting at
  once apply them exactly once.
* Audit appends lock the tenant's row in ``audit_heads`` (``SELECT … FOR UPDATE``): appenders
  of one tenant queue, so the chain never forks; other tenants are not blocked.
* Trace batches are first written as all-new: sessions locked, then inserted or updated with
  their final counts, traces by binary ``COPY`` straight into ``traces``. A replayed trace
  (or a racing batch) trips a unique index; the batch is then rolled back and redone through
  ``COPY`` into a temporary table and ``INSERT … ON CONFLICT DO NOTHING RETURNING``: only the
  rows really inserted count in their sessions, so a replay is idempotent even when it races
  the original.
* Key-cache invalidations are sent with ``NOTIFY`` inside the writing transaction (delivered
  on commit) and received by a listener thread on a dedicated connection.

``schema=`` (or ``options=-csearch_path=…`` in the URL) selects a schema; tests use a fresh
one each.
"""

# ruff: noqa: S608 - identifiers come from _tables only; values always go as parameters.

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import msgspec
import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolTimeout

from renlayer_core.errors import InvalidInput, NotFound, Unavailable
from renlayer_core.ids import new_id
from renlayer_core.models import Session, TraceRecord
from renlayer_core.storage.ports import Capabilities
from renlayer_core.storage.urls import redact_url
from storage_backends import _migrations
from storage_backends._pg_analyze import Analyzer
from storage_backends._scrub import scrub_batch
from storage_backends._sql import SqlTx, decode, encode, input_errors
from storage_backends._tables import SESSIONS, TRACES, Table
from storage_backends._traces import merge_session, session_deltas, unique_batch

log = logging.getLogger("renlayer.storage.postgresql")

_TRACE_COLUMNS = ("tenant_id", "id", *TRACES.columns, "doc")


class PgDialect:
    for_update = " FOR UPDATE"

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def duplicate_column(self, table: Table, exc: BaseException) -> str | None:
        if isinstance(exc, psycopg.errors.ForeignKeyViolation):
            raise NotFound("a record this one refers to was not found") from None
        if not isinstance(exc, psycopg.errors.UniqueViolation):
            return None
        name = exc.diag.constraint_name or ""
        if name.endswith("_pkey"):
            return "id"
        return name.removeprefix(table.name + "_").removesuffix("_uq") or "id"

    def savepoint(self, conn: Any) -> AbstractContextManager[Any]:
        # A failed statement aborts a PostgreSQL transaction; a savepoint keeps it usable
        # (the repositories look up the clashing row after a unique violation).
        return conn.transaction()  # type: ignore[no-any-return]

    def notify(self, tx: SqlTx, message: str) -> None:
        tx.execute("SELECT pg_notify(?, ?)", (self.channel, message))


class PgTx(SqlTx):
    # Traces this transaction appended (replays included): the engine tells its Analyzer
    # once the transaction has committed.
    appended = 0

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        # Scrubbed up front: the session queries below bind external ids before any trace
        # document is encoded, and PostgreSQL refuses U+0000 in text.
        rows = unique_batch(scrub_batch(batch))
        self.appended += len(rows)
        # Optimistic first: a batch normally holds only new traces, so write it as such —
        # binary COPY straight into ``traces``, sessions inserted with their final counts —
        # with no existence check. Any replayed trace (or a session created meanwhile by a
        # concurrent batch) makes a unique index refuse the write; the savepoint then undoes
        # all of it and the checked path below redoes the batch, idempotently. Replays are
        # rare (a writer re-sending after an unacknowledged commit), so they pay twice.
        if self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            # The batch is the transaction's first work (as for every append through the
            # repository): the pipeline sends BEGIN with the first query, and a refusal rolls
            # back only this batch.
            try:
                self._append_new(rows)
                return
            except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
                self.conn.rollback()
        else:
            try:
                with self.conn.transaction():  # a savepoint: earlier work in the tx stays
                    self._append_new(rows)
                return
            except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
                pass
        self._append_checked(rows)

    def _append_new(self, rows: list[TraceRecord]) -> None:
        deltas = session_deltas(rows)
        # Sorted, like the traces below: concurrent batches sharing rows wait on each other in
        # one order, so they cannot deadlock (one waits, then meets the duplicate).
        detectors = sorted(
            (r.tenant_id, d, r.id) for r in rows if r.findings for d in _detectors(r)
        )
        sessions: dict[tuple[str, str], Session] = {}
        created: list[tuple[object, ...]] = []
        updated: list[tuple[object, ...]] = []
        if deltas:
            keys = sorted(deltas)
            # Lock the batch's existing sessions, in key order (two batches never deadlock
            # on them): their counts are read, added to and written back in this transaction.
            # In a pipeline, the transaction's BEGIN travels with this query.
            with self.conn.pipeline():
                found = self.conn.execute(
                    "SELECT s.doc FROM sessions s JOIN unnest(%b::text[], %b::text[]) "
                    "AS k(t, e) ON s.tenant_id = k.t AND s.external_id = k.e "
                    "ORDER BY s.tenant_id, s.external_id FOR UPDATE OF s",
                    _columns(keys, 2),
                ).fetchall()
            current: dict[tuple[str, str], Session] = {}
            for (doc,) in found:
                session = decode(SESSIONS, doc)
                current[(session.tenant_id, session.external_id)] = session
            for key in keys:
                merged = merge_session(current.get(key), key[0], key[1], deltas[key])
                sessions[key] = merged
                row = (merged.first_seen, merged.last_seen, encode(merged), key[0], merged.id)
                (updated if key in current else created).append((*row, merged.agent_id, key[1]))
        if created or updated or detectors:
            # One statement for the rest, so one round trip. New sessions go in without
            # ON CONFLICT: one that another batch created since the lock query is a unique
            # violation, and so is a detector row of a replayed trace.
            self.conn.execute(
                "WITH created AS (INSERT INTO sessions (first_seen, last_seen, doc, tenant_id, "
                "id, agent_id, external_id) SELECT * FROM unnest(%b::bigint[], %b::bigint[], "
                "%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])), "
                "updated AS (UPDATE sessions s SET first_seen = u.f, last_seen = u.l, "
                "doc = u.d FROM unnest(%b::bigint[], %b::bigint[], %b::text[], %b::text[], "
                "%b::text[]) AS u(f, l, d, t, i) WHERE s.tenant_id = u.t AND s.id = u.i) "
                "INSERT INTO traces_detector (tenant_id, value, id) "
                "SELECT * FROM unnest(%b::text[], %b::text[], %b::text[])",
                [*_columns(created, 7), *_columns(updated, 5), *_columns(detectors, 3)],
            )
        cur = self.conn.cursor()
        with cur.copy(_COPY_TRACES) as copy:
            copy.set_types(_COPY_TYPES)
            for rec in sorted(rows, key=_trace_key):
                ext = rec.session_external_id
                sid = None if ext is None else sessions[(rec.tenant_id, ext)].id
                copy.write_row(trace_row(rec, sid))

    def _append_checked(self, rows: list[TraceRecord]) -> None:
        """Every trace checked against the table (``ON CONFLICT DO NOTHING``): only the rows
        really inserted count in their sessions, so a replay is idempotent even when it races
        the original."""
        sessions, created = self._ensure_sessions(rows)
        fresh = self._copy_traces(rows, sessions)
        self._update_sessions(fresh, sessions, created)
        detectors = sorted((r.tenant_id, d, r.id) for r in fresh for d in _detectors(r))
        if detectors:
            self.execute(
                "INSERT INTO traces_detector (tenant_id, value, id) "
                "SELECT * FROM unnest(?::text[], ?::text[], ?::text[])",
                _columns(detectors, 3),
            )

    def _ensure_sessions(
        self, rows: list[TraceRecord]
    ) -> tuple[dict[tuple[str, str], Session], set[str]]:
        """Create missing sessions (zero counts) and lock every session of the batch, in key
        order so two batches cannot deadlock on them. Also returns the ids of the sessions
        this statement created (``xmax = 0``: inserted, not the conflict branch)."""
        deltas = sorted(session_deltas(rows).items())
        if not deltas:
            return {}, set()
        seeds = [merge_session(None, ten, ext, d) for (ten, ext), d in deltas]
        seeds = [msgspec.structs.replace(s, trace_count=0, deny_count=0) for s in seeds]
        # An upsert whose conflict branch rewrites nothing still locks the existing row and
        # returns it: one statement creates the missing sessions and locks and reads them all.
        found = self.execute(
            "INSERT INTO sessions (tenant_id, id, external_id, agent_id, first_seen, last_seen, "
            "doc) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], "
            "?::bigint[], ?::text[]) ON CONFLICT (tenant_id, external_id) "
            "DO UPDATE SET external_id = EXCLUDED.external_id RETURNING doc, xmax = 0",
            _columns(
                [
                    (
                        s.tenant_id,
                        s.id,
                        s.external_id,
                        s.agent_id,
                        s.first_seen,
                        s.first_seen,
                        encode(s),
                    )
                    for s in seeds
                ],
                7,
            ),
        ).fetchall()
        out, created = {}, set()
        for doc, inserted in found:
            session = decode(SESSIONS, doc)
            out[(session.tenant_id, session.external_id)] = session
            if inserted:
                created.add(session.id)
        return out, created

    def _copy_traces(
        self, rows: list[TraceRecord], sessions: dict[tuple[str, str], Session]
    ) -> list[TraceRecord]:
        self.execute(
            "CREATE TEMP TABLE IF NOT EXISTS rl_traces_in "
            "(LIKE traces INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        by_id: dict[tuple[str, str], TraceRecord] = {}
        cur = self.conn.cursor()
        with cur.copy(f"COPY rl_traces_in ({', '.join(_TRACE_COLUMNS)}) FROM STDIN") as copy:
            for original in sorted(rows, key=_trace_key):  # key order, as above
                ext = original.session_external_id
                sid = None if ext is None else sessions[(original.tenant_id, ext)].id
                rec = msgspec.structs.replace(original, session_id=sid)
                by_id[(rec.tenant_id, rec.id)] = rec
                copy.write_row((rec.tenant_id, rec.id, *TRACES.values(rec).values(), encode(rec)))
        inserted = self.execute(
            f"INSERT INTO traces ({', '.join(_TRACE_COLUMNS)}) "
            f"SELECT {', '.join(_TRACE_COLUMNS)} FROM rl_traces_in "
            "ON CONFLICT (tenant_id, id) DO NOTHING RETURNING tenant_id, id"
        ).fetchall()
        self.execute("TRUNCATE rl_traces_in")
        return [by_id[(t, i)] for t, i in inserted]

    def _update_sessions(
        self,
        fresh: list[TraceRecord],
        sessions: dict[tuple[str, str], Session],
        created: set[str],
    ) -> None:
        updates = []
        deltas = session_deltas(fresh)
        # A session seeded by this batch whose every trace was a replay holds no trace: it
        # must not appear (a re-sent trace never creates a session it was not counted in).
        empty = [
            (s.tenant_id, s.id) for k, s in sessions.items() if s.id in created and k not in deltas
        ]
        if empty:
            self.execute(
                "DELETE FROM sessions s USING unnest(?::text[], ?::text[]) AS e(t, i) "
                "WHERE s.tenant_id = e.t AND s.id = e.i",
                _columns(empty, 2),
            )
        for key, delta in sorted(deltas.items()):
            merged = merge_session(sessions[key], key[0], key[1], delta)
            updates.append(
                (merged.first_seen, merged.last_seen, encode(merged), merged.tenant_id, merged.id)
            )
        if updates:
            self.execute(
                "UPDATE sessions s SET first_seen = u.f, last_seen = u.l, doc = u.d "
                "FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[]) "
                "AS u(f, l, d, t, i) WHERE s.tenant_id = u.t AND s.id = u.i",
                _columns(updates, 5),
            )


_detectors = TRACES.multi["detector"]
_COPY_TRACES = f"COPY traces ({', '.join(_TRACE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
# The document goes as the JSON bytes msgspec made: a binary COPY field is the raw value, and
# for ``text`` the server checks it is valid UTF-8 (``bytea`` only tells psycopg to pass bytes
# through rather than encode a str).
_COPY_TYPES = ["text"] * (len(_TRACE_COLUMNS) - 1) + ["bytea"]


def _trace_key(rec: TraceRecord) -> tuple[str, str]:
    return (rec.tenant_id, rec.id)


def trace_row(rec: TraceRecord, session_id: str | None) -> tuple[object, ...]:
    """The ``traces`` row of ``rec`` filed under ``session_id``, in ``_TRACE_COLUMNS`` order
    (the column getters of ``TRACES`` written out: a test checks they agree)."""
    if rec.session_id != session_id:
        rec = msgspec.structs.replace(rec, session_id=session_id)
    d = rec.decision
    return (
        rec.tenant_id,
        rec.id,
        rec.agent_id,
        session_id,
        d.effect,
        d.code,
        d.policy_id,
        rec.action.upstream,
        msgspec.json.encode(rec),
    )


def _columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    """Rows → one list per column, to pass a whole batch as arrays to ``unnest``."""
    return [[row[i] for row in rows] for i in range(width)]


_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _channel(schema: str | None) -> str:
    """The key-invalidation channel of the store in ``schema``.

    NOTIFY channels are already scoped to one database of one server, so only the schema
    tells two stores apart there. It used to hash the whole URL too: instances reaching the
    same store through differently spelled URLs (a host name and an IP, another password
    during a rotation, their own ``application_name``) listened on different channels and
    heard no revocation, leaving only the cache TTL. A channel shared by two stores costs at
    most a cache miss (ids are unique), never a stale answer.
    """
    digest = hashlib.sha256(f"renlayer|{schema or ''}".encode()).hexdigest()[:16]
    return f"renlayer_keys_{digest}"


class PostgresEngine:
    capabilities = Capabilities(
        name="postgresql", supports_notify=True, multi_process=True, durable=True
    )

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        pool_min: int = 1,
        pool_max: int = 10,
        connect_timeout: float = 5.0,
        application_name: str = "renlayer",
        auto_analyze: bool = True,
    ) -> None:
        if schema is not None and _SCHEMA_NAME.fullmatch(schema) is None:
            # It goes unquoted into search_path: only names that stay themselves unquoted.
            raise InvalidInput(
                "a schema name is 1–63 characters of a–z, 0–9 and '_', not starting with a "
                f"digit; found {schema!r}"
            )
        _check_url(url)
        self._url = url
        self._kwargs: dict[str, Any] = {
            # No server-side prepared statements: psycopg prepares a statement after its 5th
            # run, and PostgreSQL may then switch to a generic plan costed while the tables
            # were small — a seq scan, kept until the next ANALYZE. Measured: the trace
            # batch's session-lock join grew from 2.7 to 10 ms a batch over 300k traces
            # (ingest 16k → 8k traces/s at 1M), flat without it. Custom plans cost ~0.1–1 ms
            # of planning per statement; this also keeps the store usable behind PgBouncer's
            # transaction pooling.
            "prepare_threshold": None,
            "connect_timeout": max(1, int(connect_timeout)),
            # Shown in pg_stat_activity, so operators can tell RenLayer's connections apart.
            "application_name": application_name,
        }
        if schema is not None:
            self._kwargs["options"] = f"-c search_path={schema}"
        self._schema = schema
        self._dialect = PgDialect(_channel(schema))
        self._callbacks: list[Callable[[str], None]] = []
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        try:
            self._pool = ConnectionPool(
                url,
                kwargs=self._kwargs,
                min_size=pool_min,
                max_size=pool_max,
                timeout=connect_timeout,
                open=False,
            )
            self._pool.open(wait=True, timeout=connect_timeout)
        except (PoolTimeout, psycopg.OperationalError) as exc:
            with contextlib.suppress(Exception):
                self._pool.close()
            raise Unavailable(f"cannot reach the postgresql store: {_short(exc)}") from None
        self._analyzer = Analyzer(self._pool, enabled=auto_analyze)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> PostgresEngine:
        return cls(url, **options)

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        try:
            with input_errors(), self._pool.connection() as conn:
                yield conn
        except psycopg.errors.ProgramLimitExceeded as exc:
            # An OperationalError subclass, but the server is up: a value too big for an
            # index (the repositories bound indexed text first; this is the backstop). As
            # ``Unavailable`` the ingest writer would retry the batch for ever.
            raise InvalidInput(f"the store cannot hold a value: {_short(exc)}") from None
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise Unavailable(f"the postgresql store is unavailable: {_short(exc)}") from None
        except psycopg.DataError as exc:
            # A value PostgreSQL cannot hold (a NUL in text, an integer out of range): the
            # caller's input, refused as a whole (the transaction is rolled back). The driver's
            # first line names the problem, never the value.
            raise InvalidInput(f"the store cannot hold a value: {_nul_hint(exc)}") from None

    @contextmanager
    def read(self) -> Iterator[PgTx]:
        # Reads run in autocommit: under READ COMMITTED a transaction gives a multi-statement
        # read no extra consistency, and skipping BEGIN/COMMIT saves a round trip per read.
        with self._conn() as conn:
            conn.autocommit = True
            try:
                yield PgTx(conn, self._dialect)
            finally:
                conn.autocommit = False

    @contextmanager
    def write(self) -> Iterator[PgTx]:
        # The pool's connection context commits on success and rolls back on error.
        with self._conn() as conn:
            tx = PgTx(conn, self._dialect)
            yield tx
        self._analyzer.note(tx.appended)

    def migrate(self) -> int:
        with self._conn() as conn:
            conn.commit()
            conn.autocommit = True
            try:
                key = conn.execute(
                    "SELECT hashtext('renlayer.migrate.' || current_schema())"
                ).fetchone()[0]
                conn.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    with conn.transaction():
                        return self._apply(conn)
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
            finally:
                conn.autocommit = False

    def _apply(self, conn: Any) -> int:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS renlayer_schema "
            "(version integer PRIMARY KEY, applied_at bigint NOT NULL)"
        )
        current = int(
            conn.execute("SELECT coalesce(max(version), 0) FROM renlayer_schema").fetchone()[0]
        )
        migrations = _migrations.load("postgresql")
        if current > len(migrations):
            raise Unavailable(f"the store's schema v{current} is newer than this renlayer")
        for m in migrations[current:]:
            conn.execute(m.sql)
            conn.execute(
                "INSERT INTO renlayer_schema (version, applied_at) VALUES (%s, %s)",
                (m.version, int(time.time() * 1000)),
            )
            current = m.version
        return current

    def ping(self) -> None:
        with self.read() as tx:
            tx.execute("SELECT 1").fetchone()

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._callbacks.append(callback)
        if self._listener is None:
            ready = threading.Event()
            self._listener = threading.Thread(
                target=self._listen, args=(ready,), name="renlayer-key-invalidations", daemon=True
            )
            self._listener.start()
            # Listening before the store is handed out: no invalidation sent after open is lost.
            ready.wait(timeout=5)

    def _emit(self, message: str) -> None:
        for callback in self._callbacks:
            callback(message)

    def _listen(self, ready: threading.Event) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, **self._kwargs) as conn:
                    conn.execute(f"LISTEN {self._dialect.channel}")
                    ready.set()
                    # (Re)connected: anything sent while we were away is lost, so forget all.
                    self._emit("all")
                    backoff = 0.1
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.2):
                            self._emit(note.payload)
                            if self._stop.is_set():
                                break
            except psycopg.Error as exc:
                ready.set()
                log.warning("key invalidation listener lost its connection: %s", _short(exc))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            # Wake the listener now rather than at its next poll.
            with contextlib.suppress(Unavailable, psycopg.Error), self.write() as tx:
                tx.notify("all")
            self._listener.join(timeout=5)
        self._analyzer.close()
        self._pool.close()


def _check_url(url: str) -> None:
    """Refuse a malformed URL up front: the pool would retry it until its timeout, logging the
    driver's message — which quotes the whole URL, password included — at every attempt."""
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        raise InvalidInput(f"malformed postgresql store url {redact_url(url)!r}") from None


def _nul_hint(exc: BaseException) -> str:
    text = _short(exc)
    return "text cannot contain NUL (\\x00) characters" if "NUL" in text else text


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


__all__ = ["PostgresEngine", "new_id"]
