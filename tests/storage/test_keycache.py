"""The key cache: TTL ≤ 1 s, invalidation by key and agent, and no stale re-insertion."""

from __future__ import annotations

import pytest

from renlayer_core.models import ApiKey, KeyLookup
from renlayer_core.storage.keycache import KeyCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _lookup(key_id: str, agent_id: str = "agent_A") -> KeyLookup:
    key = ApiKey(
        id=key_id,
        tenant_id="ten_A",
        agent_id=agent_id,
        secret_hash=key_id * 2,
        last4="abcd",
        created_at=0,
    )
    return KeyLookup(key=key, agent_status="active")


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = KeyCache(ttl=1.0, timer=clock)
    cache.put("h", _lookup("key_1"), cache.generation)
    assert cache.get("h") is not None
    clock.now = 1.01
    assert cache.get("h") is None


def test_ttl_above_one_second_is_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        KeyCache(ttl=5)


def test_invalidation_by_key_and_by_agent() -> None:
    cache = KeyCache(timer=Clock())
    g = cache.generation
    cache.put("h1", _lookup("key_1"), g)
    cache.put("h2", _lookup("key_2"), g)
    cache.put("h3", _lookup("key_3", agent_id="agent_B"), g)
    cache.invalidate_key("key_1")
    assert (cache.get("h1"), cache.get("h2") is not None) == (None, True)
    cache.apply("agent:agent_A")
    assert cache.get("h2") is None and cache.get("h3") is not None
    cache.apply("garbled")
    assert cache.get("h3") is None


def test_a_lookup_started_before_an_invalidation_is_not_cached() -> None:
    cache = KeyCache(timer=Clock())
    generation = cache.generation  # the lookup starts, reads the old row …
    cache.invalidate_key("key_1")  # … a revocation commits meanwhile …
    cache.put("h1", _lookup("key_1"), generation)  # … and the stale answer is dropped.
    assert cache.get("h1") is None


def test_zero_ttl_disables_caching() -> None:
    cache = KeyCache(ttl=0)
    cache.put("h", _lookup("key_1"), cache.generation)
    assert cache.get("h") is None
