"""A short-TTL cache in front of key lookup by secret hash.

Revocation must take effect at once on this instance and within 1 s elsewhere (SPEC §3):
* writes that change what a lookup answers (revoke, rotate, agent disable/delete) call
  ``invalidate_key`` / ``invalidate_agent`` after they commit;
* on PostgreSQL the same invalidation is sent with NOTIFY to every other instance;
* the TTL (1 s by default, and never more) bounds staleness even if a notification is lost.

A lookup that started before an invalidation must not put its (stale) answer back: each
``put`` carries the generation read before the lookup, and is dropped if any invalidation
happened since. Misses are not cached: a newly created key works at once everywhere, and
malformed secrets are refused by their checksum before reaching the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final

from cachetools import TTLCache

from renlayer_core.models import KeyLookup

MAX_TTL: Final = 1.0


class KeyCache:
    def __init__(
        self,
        ttl: float = MAX_TTL,
        maxsize: int = 100_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= ttl <= MAX_TTL:
            raise ValueError(f"the key cache ttl must be between 0 and {MAX_TTL} s")
        self._ttl = ttl
        self._cache: TTLCache[str, KeyLookup] = TTLCache(maxsize=maxsize, ttl=ttl or 1, timer=timer)
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, secret_hash: str) -> KeyLookup | None:
        if self._ttl == 0:
            return None
        with self._lock:
            return self._cache.get(secret_hash)

    def put(self, secret_hash: str, lookup: KeyLookup, generation: int) -> None:
        with self._lock:
            if self._ttl and generation == self._generation:
                self._cache[secret_hash] = lookup

    def _drop(self, matches: Callable[[KeyLookup], bool]) -> None:
        with self._lock:
            self._generation += 1
            # Revocations are rare; a scan keeps no side index that could go stale.
            for h in [h for h, v in self._cache.items() if matches(v)]:
                self._cache.pop(h, None)

    def invalidate_key(self, key_id: str) -> None:
        self._drop(lambda v: v.key.id == key_id)

    def invalidate_agent(self, agent_id: str) -> None:
        self._drop(lambda v: v.key.agent_id == agent_id)

    def invalidate_all(self) -> None:
        self._drop(lambda v: True)

    def apply(self, message: str) -> None:
        """Apply an invalidation message ``key:<id>``, ``agent:<id>`` or ``all``."""
        kind, _, ident = message.partition(":")
        if kind == "key" and ident:
            self.invalidate_key(ident)
        elif kind == "agent" and ident:
            self.invalidate_agent(ident)
        else:
            # Unknown or garbled: the safe answer is to forget everything.
            self.invalidate_all()
