"""What every repository shares: the engine, the cursor codec, the key cache, keyset
pages and chunked streams, and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from renlayer_core.errors import InvalidId, InvalidInput, NotFound
from renlayer_core.ids import encode_time, parse_id
from renlayer_core.storage.cursor import CursorCodec
from renlayer_core.storage.keycache import KeyCache
from renlayer_core.storage.page import Page, check_limit
from storage_backends._engine import Engine
from storage_backends._tables import ID_PREFIX, Cond, Table

R = TypeVar("R")

# The longest text an indexed column takes, in UTF-8 bytes. PostgreSQL refuses a B-tree entry
# over 2704 bytes (tenant id and row id included) with an error that used to surface as
# ``Unavailable`` — an outage the ingest writer retries for ever. One bound on every backend
# keeps their answers alike, well inside that limit.
MAX_INDEXED_BYTES = 2048
FetchHook = Callable[[str, int, int], None]


class Shared:
    """What every repository of one store shares."""

    def __init__(self, engine: Engine, codec: CursorCodec, cache: KeyCache) -> None:
        self.engine = engine
        self.codec = codec
        self.cache = cache
        # Test/metrics hook: called with (table, limit, rows) after every chunked fetch.
        self.fetch_hook: FetchHook | None = None

    def fetch(self, table: Table, tenant_id: str, record_id: str, kind: str) -> Any:
        """One row of the tenant, or ``NotFound`` — the same answer for a row that does not
        exist and for another tenant's row."""
        with self.engine.read() as tx:
            row = tx.get(table, tenant_id, record_id)
        if row is None:
            raise not_found(kind, record_id)
        return row

    def page(
        self,
        table: Table,
        tenant_id: str,
        conds: list[Cond],
        digest: str,
        *,
        limit: int | None,
        cursor: str | None,
        post: Callable[[Any], Any] = lambda r: r,
    ) -> Page[Any]:
        size = check_limit(limit)
        if cursor is not None:
            last = self.codec.decode(
                cursor, resource=table.name, tenant_id=tenant_id, filter_digest=digest
            )
            conds = [*conds, Cond("id", "<", last)]
        with self.engine.read() as tx:
            rows = tx.select(table, tenant_id, conds, limit=size + 1)
        data = [post(r) for r in rows[:size]]
        more = len(rows) > size
        next_cursor = (
            self.codec.encode(
                resource=table.name, tenant_id=tenant_id, filter_digest=digest, last_key=data[-1].id
            )
            if more
            else None
        )
        return Page(data=data, next_cursor=next_cursor, has_more=more)

    def stream(
        self, table: Table, tenant_id: str, conds: list[Cond], chunk_size: int
    ) -> Iterator[Any]:
        """Keyset order, one short read transaction per chunk: memory stays at one chunk and
        no connection is held while the caller consumes rows."""
        check_chunk(chunk_size)
        last: str | None = None
        while True:
            where = conds if last is None else [*conds, Cond("id", "<", last)]
            with self.engine.read() as tx:
                rows = tx.select(table, tenant_id, where, limit=chunk_size)
            if self.fetch_hook is not None:
                self.fetch_hook(table.name, chunk_size, len(rows))
            yield from rows
            if len(rows) < chunk_size:
                return
            last = rows[-1].id


MAX_CHUNK = 100_000


def check_chunk(chunk_size: int) -> None:
    """A stream's or verification's chunk size: an int in 1..``MAX_CHUNK``. Anything else was
    read differently by each backend — a raw driver error for a huge one on SQLite, an
    IndexError for 0 in ``verify``, and a fraction cut a SQL stream short after one chunk."""
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or not 1 <= chunk_size <= MAX_CHUNK
    ):
        raise InvalidInput(f"chunk size must be between 1 and {MAX_CHUNK}, found {chunk_size!r}")


def check_tenant(tenant_id: str, record: Any) -> None:
    if record.tenant_id != tenant_id:
        raise InvalidInput("the record belongs to another tenant than the one addressed")


def not_found(kind: str, ident: str) -> NotFound:
    shown = ident if len(ident) <= 64 else ident[:61] + "..."
    return NotFound(f"{kind} {shown!r} not found")


def eq(**values: object) -> list[Cond]:
    return [Cond(k, "=", v) for k, v in values.items() if v is not None]


def id_range(prefix: str, from_ms: int | None, to_ms: int | None) -> list[Cond]:
    """``from``/``to`` as id bounds: ids start with their creation time, so a time range is an
    id range on the primary index (``from`` inclusive, ``to`` exclusive)."""
    out = []
    if from_ms is not None:
        out.append(Cond("id", ">=", f"{prefix}_{encode_time(from_ms)}"))
    if to_ms is not None:
        out.append(Cond("id", "<", f"{prefix}_{encode_time(to_ms)}"))
    return out


def check_id(table: Table, record_id: str) -> None:
    """A created record's id must be a canonical id of the table's kind (``agent_…`` for
    agents): a wrong prefix or a malformed id is ``InvalidId``, before anything is written."""
    prefix = ID_PREFIX[table.name]
    if parse_id(record_id, prefix) != record_id:
        raise InvalidId(f"ids are stored in canonical upper-case form, found {record_id!r}")


def _too_long(value: object) -> bool:
    # len() first: it is exact for ASCII and a lower bound otherwise (UTF-8 is at most 4
    # bytes a character), so the usual short value costs no encoding.
    if not isinstance(value, str) or len(value) * 4 <= MAX_INDEXED_BYTES:
        return False
    return len(value.encode("utf-8", "surrogatepass")) > MAX_INDEXED_BYTES


def check_indexed(table: Table, record: Any) -> None:
    """Refuse (``InvalidInput``, naming the column, never the value) a record whose indexed
    text is longer than ``MAX_INDEXED_BYTES``, before anything is written. On the ingest path
    for every trace, hence the plain loops."""
    for column, get in table.columns.items():
        if _too_long(get(record)):
            raise _too_long_error(table, column)
    for column, values in table.multi.items():
        for value in values(record):
            if _too_long(value):
                raise _too_long_error(table, column)
    if table.name == "traces":
        # A trace's session is upserted by its external id, an indexed sessions column.
        if _too_long(record.session_external_id):
            raise _too_long_error(table, "session_external_id")
        # Other records' ids are checked canonical and their tenant must exist; a trace's
        # are taken as sent, and PostgreSQL's key index would refuse an over-long one that
        # the other backends keep.
        for column in ("tenant_id", "id"):
            if _too_long(getattr(record, column)):
                raise _too_long_error(table, column)


def _too_long_error(table: Table, column: str) -> InvalidInput:
    return InvalidInput(
        f"{table.name}.{column} is longer than the {MAX_INDEXED_BYTES} bytes the store indexes"
    )
