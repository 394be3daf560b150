"""``open_store`` refuses options its backend does not know, by name, with a stable code —
a misspelt ``pool_mx=`` must not surface as a bare ``TypeError`` from inside an engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from renlayer_core.errors import InvalidInput
from storage_backends import open_store

KEY = b"k" * 32


def test_an_unknown_sqlite_option_is_invalid_input_naming_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(InvalidInput) as err:
        open_store(url, cursor_key=KEY, busy_timeout=5)
    assert err.value.code == "invalid_input"
    assert "busy_timeout" in str(err.value)
    assert "busy_timeout_ms" in str(err.value)  # what it accepts
    assert not (tmp_path / "x.db").exists()  # refused before anything was created


def test_a_known_sqlite_option_is_passed_on(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}", cursor_key=KEY, busy_timeout_ms=50)
    try:
        store.ping()
    finally:
        store.close()


def test_the_memory_store_takes_no_options() -> None:
    with pytest.raises(InvalidInput, match="unknown option for a memory store: schema"):
        open_store("memory://", cursor_key=KEY, schema="x")


def test_unknown_postgresql_options_are_listed_without_connecting() -> None:
    # Nothing listens on port 9: had the engine tried to connect, this would be Unavailable.
    url = "postgresql://postgres@127.0.0.1:9/test"
    with pytest.raises(InvalidInput) as err:
        open_store(url, cursor_key=KEY, pool_mx=3, shema="a")
    message = str(err.value)
    assert "unknown options for a postgresql store: pool_mx, shema" in message
    assert "pool_max" in message and "schema" in message


@pytest.mark.parametrize("schema", ["", "Tenants", "1st", "a-b", "a b", "café", "x" * 64, "a;b"])
def test_a_postgresql_schema_name_that_would_not_stay_itself_unquoted_is_refused(
    schema: str,
) -> None:
    # Refused before any connection is tried: the port below has no server.
    with pytest.raises(InvalidInput) as err:
        open_store("postgresql://127.0.0.1:1/none", cursor_key=KEY, schema=schema)
    assert err.value.code == "invalid_input"
    assert "schema name" in str(err.value)
