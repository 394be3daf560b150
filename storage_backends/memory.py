"""``memory://``: the reference backend. Everything lives in dicts behind one lock; a write
transaction keeps an undo log, so a failure half-way leaves nothing behind. Not shared
between processes, not durable."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from renlayer_core.models import KeyLookup, TraceRecord
from renlayer_core.models.audit import GENESIS_HASH
from renlayer_core.storage.ports import Capabilities
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends._tables import Cond, Table
from storage_backends._traces import append_traces_generic

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a is not None and a < b,
    "<=": lambda a, b: a is not None and a <= b,
    ">": lambda a, b: a is not None and a > b,
    ">=": lambda a, b: a is not None and a >= b,
    "in": lambda a, b: a in b,
}


def _value(table: Table, record: Any, column: str) -> Any:
    if column == "id":
        return record.id
    if column in table.multi:
        return set(table.multi[column](record))
    return table.columns[column](record)


def _matches(table: Table, record: Any, conds: Sequence[Cond]) -> bool:
    for c in conds:
        value = _value(table, record, c.column)
        ok = c.value in value if c.op == "has" else _OPS[c.op](value, c.value)
        if not ok:
            return False
    return True


class MemoryTx:
    def __init__(self, data: dict[str, dict[tuple[str, str], Any]], heads: dict[str, Any]):
        self._data = data
        self._heads = heads
        self.undo: list[Callable[[], None]] = []

    def _rows(self, table: Table) -> dict[tuple[str, str], Any]:
        return self._data.setdefault(table.name, {})

    def _set(self, table: Table, key: tuple[str, str], record: Any | None) -> None:
        rows = self._rows(table)
        old = rows.get(key)
        if record is None:
            rows.pop(key, None)
        else:
            rows[key] = record
        self.undo.append(
            lambda: rows.__setitem__(key, old) if old is not None else rows.pop(key, None)
        )

    def _clash(self, table: Table, record: Any) -> str | None:
        tenant = table.tenant_of(record)
        for column in table.unique:
            value = table.columns[column](record)
            other = self.find(table, tenant, column, value)
            if other is not None and other.id != record.id:
                return column
        return None

    def insert(self, table: Table, record: Any) -> None:
        key = (table.tenant_of(record), record.id)
        if key in self._rows(table):
            raise Duplicate("id")
        column = self._clash(table, record)
        if column is not None:
            raise Duplicate(column)
        self._set(table, key, record)

    def get(self, table: Table, tenant_id: str, record_id: str) -> Any | None:
        return self._rows(table).get((tenant_id, record_id))

    def find(self, table: Table, tenant_id: str, column: str, value: object) -> Any | None:
        for (tenant, _), record in self._rows(table).items():
            if tenant == tenant_id and table.columns[column](record) == value:
                return record
        return None

    def replace(self, table: Table, record: Any) -> bool:
        key = (table.tenant_of(record), record.id)
        if key not in self._rows(table):
            return False
        column = self._clash(table, record)
        if column is not None:
            raise Duplicate(column)
        self._set(table, key, record)
        return True

    def delete(self, table: Table, tenant_id: str, record_id: str) -> bool:
        key = (tenant_id, record_id)
        if key not in self._rows(table):
            return False
        self._set(table, key, None)
        return True

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
        rows = [
            r
            for (tenant, _), r in self._rows(table).items()
            if tenant == tenant_id and _matches(table, r, conds)
        ]
        rows.sort(key=lambda r: (_value(table, r, order_by), r.id), reverse=descending)
        return rows if limit is None else rows[:limit]

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        append_traces_generic(self, batch)

    def key_lookup(self, secret_hash: str) -> KeyLookup | None:
        for key in self._rows(t.KEYS).values():
            if key.secret_hash == secret_hash:
                agent = self.get(t.AGENTS, key.tenant_id, key.agent_id)
                if agent is None:
                    return None
                return KeyLookup(key=key, agent_status=agent.status)
        return None

    def audit_head(self, tenant_id: str, *, lock: bool) -> tuple[int, str]:
        head: tuple[int, str] = self._heads.get(tenant_id, (0, GENESIS_HASH))
        return head

    def set_audit_head(self, tenant_id: str, seq: int, hash_: str) -> None:
        old = self._heads.get(tenant_id)
        self._heads[tenant_id] = (seq, hash_)
        self.undo.append(
            lambda: (
                self._heads.__setitem__(tenant_id, old)
                if old is not None
                else self._heads.pop(tenant_id)
            )
        )

    def notify(self, message: str) -> None:
        """One process, one cache: nothing to tell."""


class MemoryEngine:
    capabilities = Capabilities(
        name="memory", supports_notify=False, multi_process=False, durable=False
    )

    def __init__(self) -> None:
        self._data: dict[str, dict[tuple[str, str], Any]] = {}
        self._heads: dict[str, Any] = {}
        # One re-entrant lock: reads and writes are serialised, which is the reference's
        # whole point (simple and obviously right), not its speed.
        self._lock = threading.RLock()

    @contextmanager
    def read(self) -> Iterator[MemoryTx]:
        with self._lock:
            yield MemoryTx(self._data, self._heads)

    @contextmanager
    def write(self) -> Iterator[MemoryTx]:
        with self._lock:
            tx = MemoryTx(self._data, self._heads)
            try:
                yield tx
            except BaseException:
                for undo in reversed(tx.undo):
                    undo()
                raise

    def migrate(self) -> int:
        return 1

    def ping(self) -> None:
        """Always reachable."""

    def close(self) -> None:
        """Nothing to release."""

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """No other instance can share this store."""
