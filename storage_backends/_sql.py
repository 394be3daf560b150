"""Table operations in SQL, shared by SQLite and PostgreSQL.

Statements are written with ``?`` placeholders; the dialect rewrites them (``%s`` for
psycopg). Identifiers come only from the table descriptions in ``_tables`` (never from user
input), so composing them into SQL text is safe.
"""

# ruff: noqa: S608 - identifiers come from _tables only; values always go as parameters.

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import msgspec

from renlayer_core.errors import InvalidInput
from renlayer_core.models import Agent, ApiKey, KeyLookup, TraceRecord
from renlayer_core.models.audit import GENESIS_HASH
from storage_backends._engine import Duplicate
from storage_backends._scrub import scrub_batch
from storage_backends._tables import Cond, Table
from storage_backends._traces import append_traces_generic

_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}
_SQL_OPS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_nul(values: Sequence[object]) -> bool:
    """True if a text value holds U+0000 (which PostgreSQL cannot store) or a lone surrogate
    (which is not UTF-8): no stored row can hold either.

    Such a read answers "nothing" on every backend without asking the database (the driver
    would raise an error rather than match nothing).
    """
    for v in values:
        if isinstance(v, str) and _unstorable(v):
            return True
        if isinstance(v, list | tuple | set | frozenset) and _has_nul(list(v)):
            return True
    return False


def decode(table: Table, doc: str | bytes) -> Any:
    decoder = _DECODERS.get(table.name)
    if decoder is None:
        decoder = _DECODERS[table.name] = msgspec.json.Decoder(table.record)
    return decoder.decode(doc)


def encode(record: Any) -> str:
    return msgspec.json.encode(record).decode("utf-8")


def insert_sql(table: Table) -> str:
    columns = ["tenant_id", "id", *table.columns, "doc"]
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"


def row_values(table: Table, record: Any) -> tuple[object, ...]:
    return (table.tenant_of(record), record.id, *table.values(record).values(), encode(record))


@contextmanager
def input_errors() -> Iterator[None]:
    """Values the database cannot hold are the caller's input, refused as a whole."""
    try:
        yield
    except UnicodeEncodeError:
        raise InvalidInput("text must be valid unicode (found a lone surrogate)") from None
    except OverflowError:
        raise InvalidInput("an integer is out of range (at most 2^63 - 1)") from None


class Dialect(Protocol):
    # Appended to the audit head read when appending (row lock on PostgreSQL).
    for_update: str

    def sql(self, text: str) -> str: ...
    def duplicate_column(self, table: Table, exc: BaseException) -> str | None:
        """The clashing column if ``exc`` is a unique violation, else None."""
        ...

    def savepoint(self, conn: Any) -> AbstractContextManager[Any]: ...
    def notify(self, tx: SqlTx, message: str) -> None: ...


class SqlTx:
    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        return self.conn.execute(self.dialect.sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            cur = self.conn.cursor()
            cur.executemany(self.dialect.sql(sql), rows)

    def _guarded(self, table: Table, sql: str, params: Sequence[object]) -> Any:
        try:
            with self.dialect.savepoint(self.conn):
                return self.execute(sql, params)
        except Exception as exc:
            column = self.dialect.duplicate_column(table, exc)
            if column is None:
                raise
            raise Duplicate(column) from None

    def _insert_multi(self, table: Table, record: Any) -> None:
        tenant = table.tenant_of(record)
        for column, values in table.multi.items():
            self.executemany(
                f"INSERT INTO {table.name}_{column} (tenant_id, id, value) VALUES (?, ?, ?)",
                [(tenant, record.id, v) for v in sorted(set(values(record)))],
            )

    def _delete_multi(self, table: Table, tenant_id: str, record_id: str) -> None:
        for column in table.multi:
            self.execute(
                f"DELETE FROM {table.name}_{column} WHERE tenant_id = ? AND id = ?",
                (tenant_id, record_id),
            )

    def insert(self, table: Table, record: Any) -> None:
        self._guarded(table, insert_sql(table), row_values(table, record))
        self._insert_multi(table, record)

    def get(
        self, table: Table, tenant_id: str, record_id: str, *, lock: bool = False
    ) -> Any | None:
        if _has_nul((tenant_id, record_id)):
            return None
        # SQLite's BEGIN IMMEDIATE already serialises writers: its for_update is empty.
        suffix = self.dialect.for_update if lock else ""
        row = self.execute(
            f"SELECT doc FROM {table.name} WHERE tenant_id = ? AND id = ?{suffix}",
            (tenant_id, record_id),
        ).fetchone()
        return None if row is None else decode(table, row[0])

    def find(self, table: Table, tenant_id: str, column: str, value: object) -> Any | None:
        if column not in table.columns:
            raise ValueError(f"{table.name} has no column {column}")
        if _has_nul((tenant_id, value)):
            return None
        row = self.execute(
            f"SELECT doc FROM {table.name} WHERE tenant_id = ? AND {column} = ? LIMIT 1",
            (tenant_id, value),
        ).fetchone()
        return None if row is None else decode(table, row[0])

    def replace(self, table: Table, record: Any) -> bool:
        values = table.values(record)
        sets = ", ".join(f"{c} = ?" for c in [*values, "doc"])
        sql = f"UPDATE {table.name} SET {sets} WHERE tenant_id = ? AND id = ?"
        params = [*values.values(), encode(record), table.tenant_of(record), record.id]
        cur = self._guarded(table, sql, params)
        if cur.rowcount == 0:
            return False
        if table.multi:
            self._delete_multi(table, table.tenant_of(record), record.id)
            self._insert_multi(table, record)
        return True

    def delete(self, table: Table, tenant_id: str, record_id: str) -> bool:
        self._delete_multi(table, tenant_id, record_id)
        cur = self.execute(
            f"DELETE FROM {table.name} WHERE tenant_id = ? AND id = ?", (tenant_id, record_id)
        )
        return bool(cur.rowcount)

    def _where(self, table: Table, conds: Sequence[Cond]) -> tuple[str, list[object]]:
        parts, params = [], []
        for c in conds:
            if c.op == "has":
                parts.append(
                    f"EXISTS (SELECT 1 FROM {table.name}_{c.column} m WHERE m.tenant_id = "
                    f"{table.name}.tenant_id AND m.id = {table.name}.id AND m.value = ?)"
                )
                params.append(c.value)
            elif c.op == "in":
                values = list(c.value)  # type: ignore[call-overload]
                parts.append(f"{c.column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
            else:
                parts.append(f"{c.column} {_SQL_OPS[c.op]} ?")
                params.append(c.value)
                left_out = table.partial.get(c.column)
                if c.op == "=" and left_out is not None and c.value != left_out:
                    parts.append(f"{c.column} <> '{left_out}'")  # see Table.partial
        return "".join(f" AND {p}" for p in parts), params

    def select(
        self,
        table: Table,
        tenant_id: str,
        conds: Sequence[Cond],
        *,
        order_by: str = "id",
        descending: bool = True,
        limit: int | None = None,
    ) -> list[Any]:
        where, params = self._where(table, conds)
        if _has_nul([tenant_id, *params]):
            return []
        way = "DESC" if descending else "ASC"
        order = f"id {way}" if order_by == "id" else f"{order_by} {way}, id {way}"
        sql = f"SELECT doc FROM {table.name} WHERE tenant_id = ?{where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.execute(sql, [tenant_id, *params]).fetchall()
        return [decode(table, r[0]) for r in rows]

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        append_traces_generic(self, scrub_batch(batch))

    def key_lookup(self, secret_hash: str) -> KeyLookup | None:
        if _has_nul((secret_hash,)):
            return None
        row = self.execute(
            "SELECT k.doc, a.doc FROM api_keys k JOIN agents a "
            "ON a.tenant_id = k.tenant_id AND a.id = k.agent_id WHERE k.secret_hash = ?",
            (secret_hash,),
        ).fetchone()
        if row is None:
            return None
        key = msgspec.json.decode(row[0], type=ApiKey)
        agent = msgspec.json.decode(row[1], type=Agent)
        return KeyLookup(key=key, agent_status=agent.status)

    def audit_head(self, tenant_id: str, *, lock: bool) -> tuple[int, str]:
        if lock:
            self.execute(
                "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, 0, ?) "
                "ON CONFLICT (tenant_id) DO NOTHING",
                (tenant_id, GENESIS_HASH),
            )
        suffix = self.dialect.for_update if lock else ""
        row = self.execute(
            f"SELECT seq, hash FROM audit_heads WHERE tenant_id = ?{suffix}", (tenant_id,)
        ).fetchone()
        return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))

    def set_audit_head(self, tenant_id: str, seq: int, hash_: str) -> None:
        self.execute(
            "UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant_id = ?", (seq, hash_, tenant_id)
        )

    def notify(self, message: str) -> None:
        self.dialect.notify(self, message)
