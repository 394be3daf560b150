"""The seam between the shared repositories and a backend: a transaction (``Tx``) offering a
handful of table operations, and an ``Engine`` that opens them. Backends implement these
small interfaces; the repository logic (tenancy, pagination, chains, caches) is written once
in ``_repos``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from renlayer_core.models import KeyLookup, TraceRecord
from renlayer_core.storage.ports import Capabilities
from storage_backends._tables import Cond, Table


class Duplicate(Exception):
    """A unique column (within a tenant) or the id already holds a row."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


class Tx(Protocol):
    def insert(self, table: Table, record: Any) -> None:
        """Raises ``Duplicate`` on a unique or primary-key clash."""
        ...

    def get(
        self, table: Table, tenant_id: str, record_id: str, *, lock: bool = False
    ) -> Any | None:
        """One row, or None. ``lock``: in a write transaction, hold the row until commit, so a
        read-modify-write (a state transition, a revision bump) cannot lose a concurrent
        one — PostgreSQL's READ COMMITTED otherwise lets both read the old row and both write."""
        ...

    def find(self, table: Table, tenant_id: str, column: str, value: object) -> Any | None: ...
    def replace(self, table: Table, record: Any) -> bool: ...
    def delete(self, table: Table, tenant_id: str, record_id: str) -> bool: ...
    def select(
        self,
        table: Table,
        tenant_id: str,
        conds: Sequence[Cond],
        *,
        order_by: str = "id",
        descending: bool = True,
        limit: int | None = None,
    ) -> list[Any]: ...
    def append_traces(self, batch: Sequence[TraceRecord]) -> None: ...
    def key_lookup(self, secret_hash: str) -> KeyLookup | None: ...
    def audit_head(self, tenant_id: str, *, lock: bool) -> tuple[int, str]:
        """(last seq, last hash) of the tenant's chain; ``lock`` serialises appenders."""
        ...

    def set_audit_head(self, tenant_id: str, seq: int, hash_: str) -> None: ...
    def notify(self, message: str) -> None:
        """Tell other instances (on commit) to drop cached keys; a no-op without NOTIFY."""
        ...


class Engine(Protocol):
    capabilities: Capabilities

    def read(self) -> AbstractContextManager[Tx]: ...
    def write(self) -> AbstractContextManager[Tx]: ...
    def migrate(self) -> int: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...
    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` with every invalidation message other instances send."""
        ...
