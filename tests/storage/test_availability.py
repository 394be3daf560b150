"""A store that cannot answer raises ``Unavailable`` (enforcement then fails closed), never a
driver exception; and it recovers once the database is back."""

from __future__ import annotations

import pytest

from renlayer_core.errors import Unavailable
from storage_backends import GenericStore
from tests.storage.conftest import Backend, make_tenant


def test_a_closed_store_is_unavailable(sql_backend: Backend) -> None:
    backend = sql_backend
    store = backend.open()
    tenant = make_tenant(store)
    store.ping()
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(Unavailable):
        store.tenants.get(tenant.id)
    with pytest.raises(Unavailable):
        store.ping()
    backend.stores.remove(store)


@pytest.mark.postgres
def test_killed_connections_surface_as_unavailable_then_recover(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    b = Backend("postgresql", tmp_path)
    try:
        name = f"rl_{b.schema}"
        store: GenericStore = b.open(application_name=name, pool_min=2)
        tenant = make_tenant(store)
        # Kill this store's server connections only (the pool's and the listener's).
        killed = b.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
            (name,),
        )
        assert len(killed) >= 2
        outcomes = []
        for _ in range(5):
            try:
                outcomes.append(store.tenants.get(tenant.id).id)
            except Unavailable:
                outcomes.append("unavailable")
        # Only these two outcomes are allowed, and the pool has recovered by the end.
        assert set(outcomes) <= {tenant.id, "unavailable"}
        assert outcomes[-1] == tenant.id, outcomes
    finally:
        b.close()


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: object) -> None:
    # It used to escape as sqlite3.DatabaseError ("file is not a database"), a driver error.
    import pathlib

    from storage_backends import open_store
    from tests.storage.conftest import CURSOR_KEY

    assert isinstance(tmp_path, pathlib.Path)
    path = tmp_path / "not-a-db.db"
    path.write_bytes(b"garbage that is no sqlite header " * 8)
    with pytest.raises(Unavailable, match="not a database"):
        open_store(f"sqlite:///{path}", cursor_key=CURSOR_KEY)
