"""``memory://``: the reference backend. Everything lives in dicts behind one lock; a write
transaction keeps an undo log, so a failure half-way leaves nothing behind. Not shared
between processes, not durable."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from renlayer_core.models import ApiKey, KeyLookup, TraceRecord
from renlayer_core.models.audit import GENESIS_HASH
from renlayer_core.storage.ports import Capabilities
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends._scrub import scrub_batch
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


class MemoryState:
    """Rows per table and tenant, each tenant's ids kept sorted (keyset pages walk them with
    bisect instead of sorting), and dict indexes for unique columns and key hashes."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.order: dict[str, dict[str, list[str]]] = {}
        self.unique: dict[tuple[str, str], dict[tuple[str, object], str]] = {}
        self.hashes: dict[str, tuple[str, str]] = {}
        self.heads: dict[str, tuple[int, str]] = {}

    def tenant_rows(self, table: Table, tenant_id: str) -> dict[str, Any]:
        return self.rows.setdefault(table.name, {}).setdefault(tenant_id, {})

    def tenant_order(self, table: Table, tenant_id: str) -> list[str]:
        return self.order.setdefault(table.name, {}).setdefault(tenant_id, [])

    def index(self, table: Table, column: str) -> dict[tuple[str, object], str]:
        return self.unique.setdefault((table.name, column), {})

    def put(self, table: Table, tenant_id: str, record_id: str, record: Any | None) -> Any:
        """Store (or with None, remove) one row, keeping every index in step; returns the
        previous row."""
        rows = self.tenant_rows(table, tenant_id)
        order = self.tenant_order(table, tenant_id)
        old = rows.pop(record_id, None)
        if old is not None:
            del order[bisect.bisect_left(order, record_id)]
            self._unindex(table, tenant_id, old)
        if record is not None:
            rows[record_id] = record
            bisect.insort(order, record_id)
            self._index(table, tenant_id, record)
        return old

    def _index(self, table: Table, tenant_id: str, record: Any) -> None:
        for column in table.unique:
            self.index(table, column)[(tenant_id, table.columns[column](record))] = record.id
        if table is t.KEYS:
            self.hashes[record.secret_hash] = (tenant_id, record.id)

    def _unindex(self, table: Table, tenant_id: str, record: Any) -> None:
        for column in table.unique:
            self.index(table, column).pop((tenant_id, table.columns[column](record)), None)
        if table is t.KEYS:
            self.hashes.pop(record.secret_hash, None)


def _id_bounds(conds: Sequence[Cond]) -> tuple[str | None, str | None, list[Cond]]:
    """Split id range conditions (served by bisect) from the rest (tested row by row)."""
    low = high = None
    rest = []
    for c in conds:
        if c.column == "id" and c.op == ">=" and isinstance(c.value, str):
            low = c.value if low is None else max(low, c.value)
        elif c.column == "id" and c.op == "<" and isinstance(c.value, str):
            high = c.value if high is None else min(high, c.value)
        else:
            rest.append(c)
    return low, high, rest


class MemoryTx:
    def __init__(self, state: MemoryState):
        self._st = state
        self.undo: list[Callable[[], None]] = []

    def _set(self, table: Table, tenant_id: str, record_id: str, record: Any | None) -> None:
        old = self._st.put(table, tenant_id, record_id, record)
        self.undo.append(lambda: self._st.put(table, tenant_id, record_id, old))

    def _clash(self, table: Table, record: Any) -> str | None:
        tenant = table.tenant_of(record)
        for column in table.unique:
            value = table.columns[column](record)
            other = self.find(table, tenant, column, value)
            if other is not None and other.id != record.id:
                return column
        return None

    def insert(self, table: Table, record: Any) -> None:
        tenant = table.tenant_of(record)
        if record.id in self._st.tenant_rows(table, tenant):
            raise Duplicate("id")
        column = self._clash(table, record)
        if column is not None:
            raise Duplicate(column)
        self._set(table, tenant, record.id, record)

    def get(
        self, table: Table, tenant_id: str, record_id: str, *, lock: bool = False
    ) -> Any | None:
        # One lock serialises every transaction: nothing more to hold.
        return self._st.tenant_rows(table, tenant_id).get(record_id)

    def find(self, table: Table, tenant_id: str, column: str, value: object) -> Any | None:
        if column in table.unique:
            found = self._st.index(table, column).get((tenant_id, value))
            return None if found is None else self.get(table, tenant_id, found)
        for record in self._st.tenant_rows(table, tenant_id).values():
            if table.columns[column](record) == value:
                return record
        return None

    def replace(self, table: Table, record: Any) -> bool:
        tenant = table.tenant_of(record)
        if record.id not in self._st.tenant_rows(table, tenant):
            return False
        column = self._clash(table, record)
        if column is not None:
            raise Duplicate(column)
        self._set(table, tenant, record.id, record)
        return True

    def delete(self, table: Table, tenant_id: str, record_id: str) -> bool:
        if record_id not in self._st.tenant_rows(table, tenant_id):
            return False
        self._set(table, tenant_id, record_id, None)
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
        rows = self._st.tenant_rows(table, tenant_id)
        if order_by != "id":
            found = [r for r in rows.values() if _matches(table, r, conds)]
            found.sort(key=lambda r: (_value(table, r, order_by), r.id), reverse=descending)
            return found if limit is None else found[:limit]
        order = self._st.tenant_order(table, tenant_id)
        low, high, rest = _id_bounds(conds)
        start = 0 if low is None else bisect.bisect_left(order, low)
        stop = len(order) if high is None else bisect.bisect_left(order, high)
        ids = reversed(range(start, stop)) if descending else range(start, stop)
        out = []
        for i in ids:
            record = rows[order[i]]
            if _matches(table, record, rest):
                out.append(record)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def append_traces(self, batch: Sequence[TraceRecord]) -> None:
        append_traces_generic(self, scrub_batch(batch))

    def key_lookup(self, secret_hash: str) -> KeyLookup | None:
        where = self._st.hashes.get(secret_hash)
        if where is None:
            return None
        key: ApiKey = self._st.tenant_rows(t.KEYS, where[0])[where[1]]
        agent = self.get(t.AGENTS, key.tenant_id, key.agent_id)
        return None if agent is None else KeyLookup(key=key, agent_status=agent.status)

    def audit_head(self, tenant_id: str, *, lock: bool) -> tuple[int, str]:
        return self._st.heads.get(tenant_id, (0, GENESIS_HASH))

    def set_audit_head(self, tenant_id: str, seq: int, hash_: str) -> None:
        heads = self._st.heads
        old = heads.get(tenant_id)
        heads[tenant_id] = (seq, hash_)

        def undo() -> None:
            if old is None:
                heads.pop(tenant_id, None)
            else:
                heads[tenant_id] = old

        self.undo.append(undo)

    def notify(self, message: str) -> None:
        """One process, one cache: nothing to tell."""


class MemoryEngine:
    capabilities = Capabilities(
        name="memory", supports_notify=False, multi_process=False, durable=False
    )

    def __init__(self) -> None:
        self._state = MemoryState()
        # One re-entrant lock: reads and writes are serialised, which is the reference's
        # whole point (simple and obviously right), not its speed.
        self._lock = threading.RLock()

    @contextmanager
    def read(self) -> Iterator[MemoryTx]:
        with self._lock:
            yield MemoryTx(self._state)

    @contextmanager
    def write(self) -> Iterator[MemoryTx]:
        with self._lock:
            tx = MemoryTx(self._state)
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
