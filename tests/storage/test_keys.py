"""API keys: stored by hash, looked up by hash through a short-TTL cache, and refused at once
after revocation (within 1 s on another PostgreSQL instance)."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec
import pytest

from renlayer_core import apikeys
from renlayer_core.errors import Conflict, InvalidInput, NotFound
from renlayer_core.ids import new_id
from renlayer_core.models import ApiKey, Tenant, now_ms
from renlayer_core.storage.keycache import KeyCache
from storage_backends import GenericStore, open_store
from tests.storage.conftest import CURSOR_KEY, Backend, make_agent, make_key, make_tenant

PEPPER = b"test-pepper-0123456789abcdef0123"


def test_key_round_trip_and_display(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    secret = apikeys.generate()
    key = make_key(
        store,
        tenant.id,
        agent.id,
        secret_hash=apikeys.hash_secret(secret, PEPPER),
        last4=secret[-4:],
        name="ci",
    )
    assert key.display == f"rlk_…{secret[-4:]}"
    assert secret not in msgspec.json.encode(key).decode()
    found = store.keys.lookup(apikeys.hash_secret(secret, PEPPER))
    assert (found.key, found.agent_status) == (key, "active")
    with pytest.raises(NotFound):
        store.keys.lookup(apikeys.hash_secret(apikeys.generate(), PEPPER))


def test_list_keys_of_an_agent(store: GenericStore, tenant: Tenant) -> None:
    a, b = make_agent(store, tenant.id), make_agent(store, tenant.id)
    k1, k2 = make_key(store, tenant.id, a.id), make_key(store, tenant.id, a.id)
    make_key(store, tenant.id, b.id)
    assert [k.id for k in store.keys.list_for_agent(tenant.id, a.id).data] == [k2.id, k1.id]
    with pytest.raises(NotFound):
        store.keys.list_for_agent(tenant.id, new_id("agent"))
    with pytest.raises(NotFound):
        make_key(store, tenant.id, new_id("agent"))


def test_duplicate_secret_hash_is_a_conflict_without_echo(
    store: GenericStore, tenant: Tenant
) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    with pytest.raises(Conflict) as info:
        make_key(store, tenant.id, agent.id, secret_hash=key.secret_hash)
    assert key.secret_hash not in str(info.value)


def test_revocation_takes_effect_at_once(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    assert store.keys.lookup(key.secret_hash).key.status == "active"  # now cached
    at = now_ms()
    revoked = store.keys.revoke(tenant.id, key.id, at)
    assert (revoked.status, revoked.revoked_at) == ("revoked", at)
    assert store.keys.lookup(key.secret_hash).key.effective_status(now_ms()) == "revoked"
    again = store.keys.revoke(tenant.id, key.id, at + 5)
    assert again.revoked_at == at  # idempotent


def test_agent_disable_reaches_cached_lookups(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    assert store.keys.lookup(key.secret_hash).agent_status == "active"
    store.agents.update(tenant.id, msgspec.structs.replace(agent, status="disabled"))
    assert store.keys.lookup(key.secret_hash).agent_status == "disabled"


def test_rotation_keeps_the_old_key_until_the_grace_deadline(
    store: GenericStore, tenant: Tenant
) -> None:
    agent = make_agent(store, tenant.id)
    old = make_key(store, tenant.id, agent.id)
    store.keys.lookup(old.secret_hash)
    new = ApiKey(
        id=new_id("key"),
        tenant_id=tenant.id,
        agent_id=agent.id,
        secret_hash="f" * 64,
        last4="wxyz",
        created_at=now_ms(),
    )
    grace = now_ms() + 60_000
    updated = store.keys.rotate(tenant.id, old.id, new, grace)
    assert (updated.replaced_by, updated.expires_at) == (new.id, grace)
    looked = store.keys.lookup(old.secret_hash).key
    assert looked.effective_status(now_ms()) == "active"
    assert looked.effective_status(grace) == "expired"
    assert store.keys.lookup(new.secret_hash).key == new
    with pytest.raises(Conflict):  # a replaced key cannot be rotated again
        store.keys.rotate(tenant.id, old.id, msgspec.structs.replace(new, id=new_id("key")), grace)
    other_agent = make_agent(store, tenant.id)
    with pytest.raises(InvalidInput):
        store.keys.rotate(
            tenant.id,
            new.id,
            msgspec.structs.replace(
                new, id=new_id("key"), agent_id=other_agent.id, secret_hash="e" * 64
            ),
            grace,
        )
    # A failed rotation left nothing behind.
    assert len(store.keys.list_for_agent(tenant.id, agent.id).data) == 2


def test_rotation_never_extends_an_earlier_expiry(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    soon = now_ms() + 10_000
    old = make_key(store, tenant.id, agent.id, expires_at=soon)
    fresh = ApiKey(
        id=new_id("key"),
        tenant_id=tenant.id,
        agent_id=agent.id,
        secret_hash="d" * 64,
        last4="abcd",
        created_at=now_ms(),
    )
    assert store.keys.rotate(tenant.id, old.id, fresh, soon + 60_000).expires_at == soon


def test_revoked_key_cannot_be_rotated(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    old = make_key(store, tenant.id, agent.id)
    store.keys.revoke(tenant.id, old.id, now_ms())
    fresh = msgspec.structs.replace(old, id=new_id("key"), secret_hash="c" * 64)
    with pytest.raises(Conflict):
        store.keys.rotate(tenant.id, old.id, fresh, now_ms() + 1000)


def test_touch_records_last_use(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    store.keys.touch(tenant.id, key.id, 1000)
    store.keys.touch(tenant.id, key.id, 500)  # never goes back
    assert store.keys.get(tenant.id, key.id).last_used_at == 1000


@pytest.mark.postgres
def test_revocation_reaches_another_instance_within_a_second(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    b = Backend("postgresql", tmp_path)
    try:
        # The second instance's cache never expires (frozen clock): only the NOTIFY can make
        # it refuse the key.
        first = b.open()
        second = b.open(key_cache=KeyCache(ttl=1.0, timer=lambda: 0.0))
        tenant = make_tenant(first)
        agent = make_agent(first, tenant.id)
        key = make_key(first, tenant.id, agent.id)
        assert second.keys.lookup(key.secret_hash).key.status == "active"
        assert second.key_cache.get(key.secret_hash) is not None  # cached there
        first.keys.revoke(tenant.id, key.id, now_ms())
        assert _within_2s(lambda: second.keys.lookup(key.secret_hash).key.status == "revoked")
        # Agent disable travels the same way.
        other_key = make_key(first, tenant.id, agent.id)
        assert second.keys.lookup(other_key.secret_hash).agent_status == "active"
        first.agents.update(tenant.id, msgspec.structs.replace(agent, status="disabled"))
        lookup = second.keys.lookup
        assert _within_2s(lambda: lookup(other_key.secret_hash).agent_status == "disabled")
    finally:
        b.close()


@pytest.mark.postgres
def test_revocation_reaches_an_instance_that_spells_the_url_differently(
    tmp_path: object,
) -> None:
    # The invalidation channel used to be derived from the whole URL: an instance reaching
    # the same store with another spelling (here a query parameter; likewise a host alias or
    # a rotated password) never heard a revocation, only its cache TTL ended it.
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    b = Backend("postgresql", tmp_path)
    try:
        first = b.open()
        sep = "&" if "?" in b.url else "?"
        second = open_store(
            f"{b.url}{sep}application_name=renlayer-other",
            cursor_key=CURSOR_KEY,
            schema=b.schema,
            key_cache=KeyCache(ttl=1.0, timer=lambda: 0.0),  # only a NOTIFY can evict
        )
        b.stores.append(second)
        tenant = make_tenant(first)
        agent = make_agent(first, tenant.id)
        key = make_key(first, tenant.id, agent.id)
        assert second.keys.lookup(key.secret_hash).key.status == "active"
        first.keys.revoke(tenant.id, key.id, now_ms())
        assert _within_2s(lambda: second.keys.lookup(key.secret_hash).key.status == "revoked")
    finally:
        b.close()


def _within_2s(check: Callable[[], bool]) -> bool:
    """Whether `check` holds within 2 s (a NOTIFY from another instance is asynchronous)."""
    deadline = time.monotonic() + 2.0
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
