"""Implementations of the storage port, chosen by URL (``memory://``, ``sqlite:///…``,
``postgresql://…``). Each backend imports its driver only when opened."""

from __future__ import annotations

import inspect
from typing import Any

from renlayer_core.errors import InvalidInput
from renlayer_core.storage.keycache import KeyCache
from storage_backends.repos import GenericStore

__all__ = ["GenericStore", "open_store"]


def open_store(
    url: str,
    *,
    cursor_key: bytes,
    migrate: bool = True,
    key_cache_ttl: float = 1.0,
    key_cache: KeyCache | None = None,
    **options: Any,
) -> GenericStore:
    """Open the store at ``url``; schema migrations are applied on open unless
    ``migrate=False``. Extra ``options`` go to the backend (SQLite: ``busy_timeout_ms``;
    PostgreSQL: ``schema``, ``pool_min``, ``pool_max``, ``connect_timeout``)."""
    scheme = url.partition("://")[0].lower()
    cache = key_cache or KeyCache(ttl=key_cache_ttl)
    if scheme == "memory":
        from storage_backends.memory import MemoryEngine

        _check_options(MemoryEngine, "memory", options)
        return GenericStore(MemoryEngine(), cursor_key=cursor_key, key_cache=cache)
    if scheme == "sqlite":
        from storage_backends.sqlite import SqliteEngine

        _check_options(SqliteEngine, "sqlite", options)
        engine: Any = SqliteEngine.from_url(url, **options)
    elif scheme in ("postgresql", "postgres"):
        from storage_backends.postgresql import PostgresEngine

        _check_options(PostgresEngine, "postgresql", options)
        engine = PostgresEngine.from_url(url, **options)
    else:
        shown = scheme or url
        raise InvalidInput(
            f"unknown store {shown!r}: expected memory://, sqlite:///path or postgresql://…"
        )
    try:
        if migrate:
            engine.migrate()
        return GenericStore(engine, cursor_key=cursor_key, key_cache=cache)
    except BaseException:
        engine.close()
        raise


def _check_options(engine: type, scheme: str, options: dict[str, Any]) -> None:
    """A misspelt option (``pool_mx=``) is an ``InvalidInput`` naming it and what the backend
    accepts, not a bare ``TypeError`` from deep inside the engine. The accepted names are the
    engine's keyword parameters after its path or URL (the memory engine takes neither)."""
    if not options:
        return
    params = list(inspect.signature(engine).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    named = (
        params[1:] if params and params[0].kind is not inspect.Parameter.KEYWORD_ONLY else params
    )
    accepted = sorted(p.name for p in named if p.kind in kinds)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InvalidInput(
            f"unknown option{'s' if len(unknown) > 1 else ''} for a {scheme} store: "
            f"{', '.join(unknown)} (accepted: {', '.join(accepted) or 'none'})"
        )
