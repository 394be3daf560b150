"""``renlayer migrate [--store URL]``: apply pending schema migrations (safe to repeat, and
safe from several processes at once)."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from renlayer_core.storage.urls import DEFAULT_STORE_URL, STORE_ENV, redact_url, resolve_store_url


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        help=f"store URL (default: ${STORE_ENV} or {DEFAULT_STORE_URL})",
    )


def open_cli_store(url: str | None, *, migrate: bool = True) -> Any:
    """Open a store for a one-shot command. These commands never paginate, so the cursor key
    is a throwaway random one (cursors they could mint would die with the process)."""
    from storage_backends import open_store

    return open_store(resolve_store_url(url), cursor_key=secrets.token_bytes(32), migrate=migrate)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("migrate", help="apply pending store schema migrations")
    add_store_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    url = resolve_store_url(args.store)
    store = open_cli_store(url, migrate=False)
    try:
        version = store.migrate()
    finally:
        store.close()
    print(f"store {redact_url(url)} is at schema version {version}")
    return 0
