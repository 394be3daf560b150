"""`import renlayer_core` must not pull in any server, database or HTTP library."""

import subprocess
import sys

FORBIDDEN = (
    "starlette",
    "uvicorn",
    "httpx",
    "httpcore",
    "aiohttp",
    "psycopg",
    "psycopg_pool",
    "sqlite3",
    "redis",
    "anyio",
    "jwt",
    "requests",
    "urllib3",
)


def test_import_pulls_no_io_library() -> None:
    code = (
        "import sys, renlayer_core, renlayer_core.ids, renlayer_core.errors;"
        f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
