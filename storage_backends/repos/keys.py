"""API keys: creation, rotation, revocation, and the cached lookup by secret hash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from renlayer_core.errors import Conflict, InvalidInput, NotFound
from renlayer_core.models import (
    ApiKey,
    KeyLookup,
    now_ms,
)
from renlayer_core.storage.filters import (
    KeyFilter,
)
from renlayer_core.storage.page import Page
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends.repos._shared import (
    Shared,
    check_id,
    check_indexed,
    check_tenant,
    eq,
    not_found,
)


class KeyRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def create(self, tenant_id: str, key: ApiKey) -> ApiKey:
        check_tenant(tenant_id, key)
        check_id(t.KEYS, key.id)
        check_indexed(t.KEYS, key)
        with self._s.engine.write() as tx:
            if tx.get(t.AGENTS, tenant_id, key.agent_id) is None:
                raise not_found("agent", key.agent_id)
            try:
                tx.insert(t.KEYS, key)
            except Duplicate:
                # Never echo anything about the clashing secret.
                raise Conflict("an api key with this id or secret already exists") from None
        return key

    def get(self, tenant_id: str, key_id: str) -> ApiKey:
        row: ApiKey = self._s.fetch(t.KEYS, tenant_id, key_id, "api key")
        return row

    def list_for_agent(
        self, tenant_id: str, agent_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ApiKey]:
        with self._s.engine.read() as tx:
            if tx.get(t.AGENTS, tenant_id, agent_id) is None:
                raise not_found("agent", agent_id)
        f = KeyFilter(agent_id=agent_id)
        return self._s.page(
            t.KEYS, tenant_id, eq(agent_id=agent_id), f.digest(), limit=limit, cursor=cursor
        )

    def _change(
        self, tenant_id: str, key_id: str, change: Callable[[Any, ApiKey], ApiKey]
    ) -> ApiKey:
        with self._s.engine.write() as tx:
            current: ApiKey | None = tx.get(t.KEYS, tenant_id, key_id, lock=True)
            if current is None:
                raise not_found("api key", key_id)
            updated = change(tx, current)
            tx.replace(t.KEYS, updated)
            tx.notify(f"key:{key_id}")
        # After commit: this instance refuses the key from now on.
        self._s.cache.invalidate_key(key_id)
        return updated

    def revoke(self, tenant_id: str, key_id: str, at_ms: int) -> ApiKey:
        def change(tx: Any, key: ApiKey) -> ApiKey:
            if key.status == "revoked":
                return key  # idempotent: keep the first revocation time
            return msgspec.structs.replace(key, status="revoked", revoked_at=at_ms)

        return self._change(tenant_id, key_id, change)

    def rotate(self, tenant_id: str, key_id: str, new_key: ApiKey, grace_until: int) -> ApiKey:
        check_tenant(tenant_id, new_key)
        check_id(t.KEYS, new_key.id)
        check_indexed(t.KEYS, new_key)

        def change(tx: Any, key: ApiKey) -> ApiKey:
            if key.effective_status(now_ms()) != "active" or key.replaced_by is not None:
                raise Conflict(f"api key {key_id!r} is not active and cannot be rotated")
            if new_key.agent_id != key.agent_id:
                raise InvalidInput("a rotated key must belong to the same agent")
            try:
                tx.insert(t.KEYS, new_key)
            except Duplicate:
                raise Conflict("an api key with this id or secret already exists") from None
            expires = grace_until if key.expires_at is None else min(key.expires_at, grace_until)
            return msgspec.structs.replace(key, expires_at=expires, replaced_by=new_key.id)

        return self._change(tenant_id, key_id, change)

    def touch(self, tenant_id: str, key_id: str, at_ms: int) -> None:
        with self._s.engine.write() as tx:
            current: ApiKey | None = tx.get(t.KEYS, tenant_id, key_id, lock=True)
            if current is None:
                raise not_found("api key", key_id)
            if (current.last_used_at or 0) < at_ms:
                tx.replace(t.KEYS, msgspec.structs.replace(current, last_used_at=at_ms))

    def lookup(self, secret_hash: str) -> KeyLookup:
        cached = self._s.cache.get(secret_hash)
        if cached is not None:
            return cached
        generation = self._s.cache.generation
        with self._s.engine.read() as tx:
            found = tx.key_lookup(secret_hash)
        if found is None:
            raise NotFound("api key not found")
        self._s.cache.put(secret_hash, found, generation)
        return found
