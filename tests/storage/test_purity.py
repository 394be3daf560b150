"""The port, the models and ``storage_backends`` itself import no database driver: a
backend's driver is imported when that backend is opened, and only then."""

from __future__ import annotations

import subprocess
import sys

DRIVERS = ("sqlite3", "psycopg", "psycopg_pool")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}; import sys; print(','.join(m for m in {DRIVERS!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    return set(filter(None, out.split(",")))


def test_port_models_and_package_import_no_driver() -> None:
    code = (
        "import renlayer_core.storage, renlayer_core.models, renlayer_core.storage.keycache,"
        " renlayer_core.storage.chain, storage_backends"
    )
    assert _loaded_after(code) == set()


def test_memory_backend_imports_no_driver() -> None:
    code = "from storage_backends import open_store; open_store('memory://', cursor_key=b'k' * 32)"
    assert _loaded_after(code) == set()


def test_sqlite_backend_imports_only_sqlite(tmp_path: object) -> None:
    code = (
        "from storage_backends import open_store;"
        f" open_store('sqlite:///{tmp_path}/p.db', cursor_key=b'k' * 32).close()"
    )
    assert _loaded_after(code) == {"sqlite3"}
