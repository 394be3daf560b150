"""Read-modify-writes racing each other: exactly one wins, none is lost.

On PostgreSQL (READ COMMITTED) these used to read the row unlocked, so two racing writers both
saw the old state and both wrote: an approval consumed twice, an approve and a deny both
"succeeding", two active successors of one rotated key, a revocation undone by a concurrent
rotation, two policy updates with the same revision. The tests widen the race window by
pausing every write just before it replaces the row it read.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from renlayer_core.errors import Conflict
from renlayer_core.ids import new_id
from renlayer_core.models import ApiKey, Tenant, now_ms
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import make_agent, make_key

PAUSE = 0.2


@pytest.fixture
def slow_writes(store: GenericStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause each row replacement, so a racing transaction reads before this one writes."""
    with store.engine.write() as tx:
        cls = type(tx)
    original = cls.replace

    def replace(self: Any, table: Any, record: Any) -> bool:
        time.sleep(PAUSE)
        return original(self, table, record)  # type: ignore[no-any-return]

    monkeypatch.setattr(cls, "replace", replace)


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` at once; each result is its return value or the exception raised."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    return results


def _won(results: list[object]) -> list[object]:
    for r in results:
        assert r is None or not isinstance(r, Exception) or isinstance(r, Conflict), r
    return [r for r in results if not isinstance(r, Exception)]


@pytest.mark.usefixtures("slow_writes")
def test_an_approval_is_consumed_once(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    a = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    store.approvals.decide(tenant.id, a.id, approve=True, decided_by="usr_x", at_ms=now_ms())

    def consume() -> object:
        return store.approvals.consume(tenant.id, a.id, digest=a.digest, at_ms=now_ms())

    assert len(_won(_race(consume, consume))) == 1
    assert store.approvals.get(tenant.id, a.id).status == "used"


@pytest.mark.usefixtures("slow_writes")
def test_an_approve_and_a_deny_cannot_both_succeed(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    a = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    results = _race(
        lambda: store.approvals.decide(
            tenant.id, a.id, approve=True, decided_by="usr_a", at_ms=now_ms()
        ),
        lambda: store.approvals.decide(
            tenant.id, a.id, approve=False, decided_by="usr_d", at_ms=now_ms()
        ),
    )
    (winner,) = _won(results)
    assert store.approvals.get(tenant.id, a.id).status == winner.status  # type: ignore[attr-defined]


def _successor(key: ApiKey) -> ApiKey:
    return msgspec.structs.replace(key, id=new_id("key"), secret_hash=secrets.token_hex(32))


@pytest.mark.usefixtures("slow_writes")
def test_a_key_is_rotated_once(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    grace = now_ms() + 60_000
    a, b = _successor(key), _successor(key)
    results = _race(
        lambda: store.keys.rotate(tenant.id, key.id, a, grace),
        lambda: store.keys.rotate(tenant.id, key.id, b, grace),
    )
    (old,) = _won(results)
    successors = {k.id for k in store.keys.list_for_agent(tenant.id, agent.id).data} - {key.id}
    assert successors == {old.replaced_by}  # type: ignore[attr-defined]


@pytest.mark.usefixtures("slow_writes")
def test_a_revocation_is_never_undone_by_a_racing_rotation(
    store: GenericStore, tenant: Tenant
) -> None:
    agent = make_agent(store, tenant.id)
    key = make_key(store, tenant.id, agent.id)
    successor = _successor(key)

    def rotate_a_little_later() -> object:
        # Reads before the revocation writes, writes after it: the lost-update order.
        time.sleep(PAUSE / 4)
        return store.keys.rotate(tenant.id, key.id, successor, now_ms() + 60_000)

    results = _race(lambda: store.keys.revoke(tenant.id, key.id, now_ms()), rotate_a_little_later)
    assert not isinstance(results[0], Exception)  # a revocation always succeeds
    assert store.keys.get(tenant.id, key.id).status == "revoked"
    assert store.keys.lookup(key.secret_hash).key.status == "revoked"


@pytest.mark.usefixtures("slow_writes")
def test_racing_policy_updates_get_distinct_revisions(store: GenericStore, tenant: Tenant) -> None:
    p = store.policies.create(tenant.id, records.policy(tenant.id))
    results = _race(
        lambda: store.policies.update(tenant.id, msgspec.structs.replace(p, name="a")),
        lambda: store.policies.update(tenant.id, msgspec.structs.replace(p, name="b")),
    )
    revisions = sorted(r.revision for r in _won(results))  # type: ignore[attr-defined]
    assert revisions == [2, 3]
    assert store.policies.get(tenant.id, p.id).revision == 3
