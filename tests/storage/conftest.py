"""The contract suite runs every test against every backend.

PostgreSQL: ``RENLAYER_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
each test gets a fresh schema, dropped afterwards. Unreachable → skipped with the reason,
unless ``RENLAYER_TEST_PG_REQUIRED=1`` (CI), where it fails.
"""

from __future__ import annotations

import functools
import os
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from renlayer_core.ids import new_id
from renlayer_core.models import Agent, ApiKey, Tenant, now_ms
from storage_backends import GenericStore, open_store

PG_URL = os.environ.get("RENLAYER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("RENLAYER_TEST_PG_REQUIRED") == "1"
CURSOR_KEY = b"contract-suite-cursor-key-000000"
BACKENDS = ("memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))
SQL_BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))


@functools.cache
def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None (checked once per run)."""
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return None


def require_pg() -> None:
    reason = pg_unreachable()
    if reason is not None:
        message = f"postgresql at {PG_URL} is unreachable: {reason}"
        if PG_REQUIRED:
            pytest.fail(message + " (RENLAYER_TEST_PG_REQUIRED=1)")
        pytest.skip(message)


class Backend:
    """Opens stores of one kind that share the same data (same file / same schema)."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.stores: list[GenericStore] = []
        self.schema: str | None = None
        self.url = {"memory": "memory://", "sqlite": f"sqlite:///{tmp_path}/store.db"}.get(
            kind, PG_URL
        )
        if kind == "postgresql":
            require_pg()
            import psycopg

            self.schema = "t_" + secrets.token_hex(8)
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {self.schema}")

    def open(self, **options: Any) -> GenericStore:
        if self.kind == "memory" and self.stores:
            return self.stores[0]  # one process, one memory store
        if self.schema is not None:
            options.setdefault("schema", self.schema)
        store = open_store(self.url, cursor_key=CURSOR_KEY, **options)
        self.stores.append(store)
        return store

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run raw SQL on the backend's data (tamper tests). Not for memory."""
        if self.kind == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            try:
                return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(
            PG_URL, autocommit=True, options=f"-c search_path={self.schema}"
        ) as pconn:
            cur = pconn.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        for store in self.stores:
            store.close()
        if self.schema is not None:
            _DROPPER.drop(self.schema)


class _SchemaDropper:
    """Drops finished tests' schemas on a background thread: the catalog work of a DROP
    then overlaps the next test instead of adding to the run time."""

    def __init__(self) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def drop(self, schema: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self._queue.put(schema)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while (schema := self._queue.get()) is not None:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def finish(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=60)
            self._thread = None


_DROPPER = _SchemaDropper()


@pytest.fixture(scope="session", autouse=True)
def _drop_schemas_at_exit() -> Iterator[None]:
    yield
    _DROPPER.finish()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(request.param, tmp_path)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(request.param, tmp_path)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def store(backend: Backend) -> GenericStore:
    return backend.open()


def make_tenant(store: GenericStore, name: str = "acme") -> Tenant:
    now = now_ms()
    return store.tenants.create(Tenant(id=new_id("ten"), name=name, created_at=now, updated_at=now))


def make_agent(store: GenericStore, tenant_id: str, **fields: Any) -> Agent:
    now = now_ms()
    values: dict[str, Any] = {"name": "agent", "created_at": now, "updated_at": now}
    values.update(fields)
    return store.agents.create(tenant_id, Agent(id=new_id("agent"), tenant_id=tenant_id, **values))


def make_key(store: GenericStore, tenant_id: str, agent_id: str, **fields: Any) -> ApiKey:
    values: dict[str, Any] = {
        "secret_hash": secrets.token_hex(32),
        "last4": "abcd",
        "created_at": now_ms(),
    }
    values.update(fields)
    return store.keys.create(
        tenant_id, ApiKey(id=new_id("key"), tenant_id=tenant_id, agent_id=agent_id, **values)
    )


@pytest.fixture
def tenant(store: GenericStore) -> Tenant:
    return make_tenant(store, "acme")


@pytest.fixture
def other(store: GenericStore) -> Tenant:
    return make_tenant(store, "globex")


Factory = Callable[..., Any]
