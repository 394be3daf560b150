"""CRUD of every resource, the same on every backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from renlayer_core.errors import Conflict, InvalidInput, NotFound
from renlayer_core.ids import new_id
from renlayer_core.models import Tenant, TenantSettings, now_ms
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import make_agent


@dataclass(frozen=True)
class Case:
    repo: str
    build: Callable[[str], Any]
    change: dict[str, Any]


CASES = [
    Case("users", records.user, {"role": "viewer", "name": "Ada"}),
    Case("policies", records.policy, {"priority": 5, "enabled": False, "document": {"x": 1}}),
    Case("detectors", records.detector, {"document": {"action": "redact"}, "enabled": False}),
    Case("patterns", records.pattern, {"document": {"keywords": ["a", "b"]}}),
    Case("allow_lists", records.allow_list, {"document": {"regexes": ["^test-"]}}),
    Case("upstreams", records.upstream, {"base_url": "https://other.example.com"}),
    Case("webhooks", records.webhook, {"status": "disabled", "event_types": ("dlp.blocked",)}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.repo)
def test_create_get_update_delete(store: GenericStore, tenant: Tenant, case: Case) -> None:
    repo = getattr(store, case.repo)
    record = repo.create(tenant.id, case.build(tenant.id))
    assert repo.get(tenant.id, record.id) == record
    changed = msgspec.structs.replace(record, **case.change)
    updated = repo.update(tenant.id, changed)
    got = repo.get(tenant.id, record.id)
    assert got == updated
    for field, value in case.change.items():
        assert getattr(got, field) == value
    assert repo.all(tenant.id) == [got]
    repo.delete(tenant.id, record.id)
    with pytest.raises(NotFound):
        repo.get(tenant.id, record.id)
    with pytest.raises(NotFound):
        repo.delete(tenant.id, record.id)
    with pytest.raises(NotFound):
        repo.update(tenant.id, changed)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.repo)
def test_refusals(store: GenericStore, tenant: Tenant, other: Tenant, case: Case) -> None:
    repo = getattr(store, case.repo)
    record = repo.create(tenant.id, case.build(tenant.id))
    # The same id twice is a conflict naming the existing row.
    with pytest.raises(Conflict) as info:
        repo.create(tenant.id, record)
    assert info.value.existing_id == record.id
    # A tenant that does not exist owns nothing.
    ghost = new_id("ten")
    with pytest.raises(NotFound):
        repo.create(ghost, case.build(ghost))
    # A record addressed to one tenant but owned by another is refused.
    with pytest.raises(InvalidInput):
        repo.create(tenant.id, case.build(other.id))
    assert repo.all(tenant.id) == [record]


def test_tenant_crud(store: GenericStore) -> None:
    now = now_ms()
    t = Tenant(id=new_id("ten"), name="acme", created_at=now, updated_at=now)
    store.tenants.create(t)
    assert store.tenants.get(t.id) == t
    assert t.settings == TenantSettings()
    assert (t.settings.default_effect, t.settings.fail_mode) == ("deny", "closed")
    assert t.settings.trace_payloads == "none"
    changed = msgspec.structs.replace(
        t, name="acme2", settings=TenantSettings(fail_mode="open"), created_at=0
    )
    updated = store.tenants.update(changed)
    assert updated.created_at == t.created_at  # creation time is not rewritable
    assert store.tenants.get(t.id).settings.fail_mode == "open"
    with pytest.raises(Conflict):
        store.tenants.create(t)
    with pytest.raises(NotFound):
        store.tenants.get(new_id("ten"))


def test_unique_email_detector_type_and_upstream_name(
    store: GenericStore, tenant: Tenant, other: Tenant
) -> None:
    u = store.users.create(tenant.id, records.user(tenant.id, email="ada@example.com"))
    with pytest.raises(Conflict) as info:
        store.users.create(tenant.id, records.user(tenant.id, email="ada@example.com"))
    assert info.value.existing_id == u.id
    assert store.users.get_by_email(tenant.id, "ADA@example.com") == u
    d = store.detectors.create(tenant.id, records.detector(tenant.id))
    with pytest.raises(Conflict) as info:
        store.detectors.create(tenant.id, records.detector(tenant.id))
    assert info.value.existing_id == d.id
    up = store.upstreams.create(tenant.id, records.upstream(tenant.id, name="openai"))
    with pytest.raises(Conflict) as info:
        store.upstreams.create(tenant.id, records.upstream(tenant.id, name="openai"))
    assert info.value.existing_id == up.id
    assert store.upstreams.get_by_name(tenant.id, "openai") == up
    # Uniqueness is per tenant: another tenant may use the same values.
    store.users.create(other.id, records.user(other.id, email="ada@example.com"))
    store.detectors.create(other.id, records.detector(other.id))
    store.upstreams.create(other.id, records.upstream(other.id, name="openai"))


def test_update_into_a_unique_clash_is_a_conflict(store: GenericStore, tenant: Tenant) -> None:
    a = store.upstreams.create(tenant.id, records.upstream(tenant.id, name="a"))
    b = store.upstreams.create(tenant.id, records.upstream(tenant.id, name="b"))
    with pytest.raises(Conflict) as info:
        store.upstreams.update(tenant.id, msgspec.structs.replace(b, name="a"))
    assert info.value.existing_id == a.id
    assert store.upstreams.get(tenant.id, b.id).name == "b"


def test_policy_update_bumps_revision(store: GenericStore, tenant: Tenant) -> None:
    p = store.policies.create(tenant.id, records.policy(tenant.id))
    assert p.revision == 1
    p2 = store.policies.update(tenant.id, msgspec.structs.replace(p, priority=1))
    p3 = store.policies.update(tenant.id, msgspec.structs.replace(p2, priority=2))
    assert (p2.revision, p3.revision) == (2, 3)
    assert store.policies.get(tenant.id, p.id).revision == 3


def test_all_enabled_policies_in_priority_then_id_order(
    store: GenericStore, tenant: Tenant
) -> None:
    a = store.policies.create(tenant.id, records.policy(tenant.id, priority=10))
    b = store.policies.create(tenant.id, records.policy(tenant.id, priority=5))
    c = store.policies.create(tenant.id, records.policy(tenant.id, priority=10))
    store.policies.create(tenant.id, records.policy(tenant.id, priority=1, enabled=False))
    assert [p.id for p in store.policies.all_enabled(tenant.id)] == [b.id, a.id, c.id]


def test_upstream_headers_are_stored_as_given_ciphertext(
    store: GenericStore, tenant: Tenant
) -> None:
    blob = bytes(range(256))
    up = store.upstreams.create(tenant.id, records.upstream(tenant.id, headers_ciphertext=blob))
    assert store.upstreams.get(tenant.id, up.id).headers_ciphertext == blob


def test_agent_crud_and_delete_removes_its_keys(store: GenericStore, tenant: Tenant) -> None:
    from tests.storage.conftest import make_key

    agent = make_agent(store, tenant.id, labels=("team=a", "env=prod"), description="d")
    assert store.agents.get(tenant.id, agent.id) == agent
    disabled = store.agents.update(tenant.id, msgspec.structs.replace(agent, status="disabled"))
    assert store.agents.get(tenant.id, agent.id).status == "disabled" == disabled.status
    key = make_key(store, tenant.id, agent.id)
    store.agents.delete(tenant.id, agent.id)
    with pytest.raises(NotFound):
        store.keys.get(tenant.id, key.id)
    with pytest.raises(NotFound):
        store.keys.lookup(key.secret_hash)


def test_webhook_deliveries_record_attempts(store: GenericStore, tenant: Tenant) -> None:
    from renlayer_core.models import DeliveryAttempt

    hook = store.webhooks.create(tenant.id, records.webhook(tenant.id))
    now = now_ms()
    d1 = store.webhooks.create_delivery(tenant.id, records.delivery(tenant.id, hook.id))
    d2 = store.webhooks.create_delivery(
        tenant.id, records.delivery(tenant.id, hook.id, next_attempt_at=now + 60_000)
    )
    assert [d.id for d in store.webhooks.due(tenant.id, now + 1)] == [d1.id]
    failed = store.webhooks.record_attempt(
        tenant.id,
        d1.id,
        DeliveryAttempt(at=now, status_code=500, duration_ms=12),
        status="pending",
        next_attempt_at=now + 5_000,
    )
    ok = store.webhooks.record_attempt(
        tenant.id,
        d1.id,
        DeliveryAttempt(at=now + 5_000, status_code=200, duration_ms=8),
        status="succeeded",
        next_attempt_at=None,
    )
    assert len(failed.attempts) == 1
    assert [a.status_code for a in ok.attempts] == [500, 200]
    assert store.webhooks.get_delivery(tenant.id, d1.id) == ok
    assert [d.id for d in store.webhooks.due(tenant.id, now + 120_000)] == [d2.id]
    page = store.webhooks.list_deliveries(tenant.id, hook.id)
    assert [d.id for d in page.data] == [d2.id, d1.id]
    with pytest.raises(NotFound):
        store.webhooks.create_delivery(tenant.id, records.delivery(tenant.id, new_id("whk")))
    store.webhooks.delete(tenant.id, hook.id)
    with pytest.raises(NotFound):
        store.webhooks.get_delivery(tenant.id, d1.id)


def test_approval_lifecycle(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    a = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    assert store.approvals.get(tenant.id, a.id).status == "pending"
    with pytest.raises(Conflict):
        store.approvals.consume(tenant.id, a.id, digest=a.digest, at_ms=now_ms())
    approved = store.approvals.decide(
        tenant.id, a.id, approve=True, decided_by="usr_x", at_ms=now_ms()
    )
    assert (approved.status, approved.decided_by) == ("approved", "usr_x")
    with pytest.raises(Conflict):
        store.approvals.decide(tenant.id, a.id, approve=False, decided_by="usr_y", at_ms=now_ms())
    with pytest.raises(Conflict):
        store.approvals.consume(tenant.id, a.id, digest="cd" * 32, at_ms=now_ms())
    used = store.approvals.consume(tenant.id, a.id, digest=a.digest, at_ms=now_ms())
    assert used.status == "used"
    with pytest.raises(Conflict):  # once only
        store.approvals.consume(tenant.id, a.id, digest=a.digest, at_ms=now_ms())


def test_approval_expiry(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    past = now_ms() - 1
    a = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id, expires_at=past))
    assert store.approvals.get(tenant.id, a.id).status == "expired"
    with pytest.raises(Conflict):
        store.approvals.decide(tenant.id, a.id, approve=True, decided_by="usr_x", at_ms=now_ms())
    denied = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    assert (
        store.approvals.decide(
            tenant.id, denied.id, approve=False, decided_by="usr_x", at_ms=now_ms()
        ).status
        == "denied"
    )


def test_ids_of_the_wrong_kind_or_form_are_refused(store: GenericStore, tenant: Tenant) -> None:
    from renlayer_core.errors import InvalidId

    with pytest.raises(InvalidId):
        store.users.create(tenant.id, records.user(tenant.id, id=new_id("agent")))
    with pytest.raises(InvalidId):
        store.policies.create(tenant.id, records.policy(tenant.id, id="pol_nope"))
    lower = new_id("pat").lower()
    with pytest.raises(InvalidId):
        store.patterns.create(tenant.id, records.pattern(tenant.id, id=lower))
    now = now_ms()
    with pytest.raises(InvalidId):
        store.tenants.create(Tenant(id=new_id("usr"), name="x", created_at=now, updated_at=now))
    assert store.users.list(tenant.id).data == []


def test_due_refuses_a_limit_out_of_range_alike_everywhere(
    store: GenericStore, tenant: Tenant
) -> None:
    # It used to be read three ways: -1 gave all rows but the last (memory), every row
    # (SQLite) or InvalidInput (PostgreSQL); 10**30 was a raw IntegrityError on SQLite.
    endpoint = store.webhooks.create(tenant.id, records.webhook(tenant.id))
    for i in range(3):
        store.webhooks.create_delivery(
            tenant.id, records.delivery(tenant.id, endpoint.id, next_attempt_at=1000 + i)
        )
    for bad in (-1, 0, True, 10**30):
        with pytest.raises(InvalidInput):
            store.webhooks.due(tenant.id, 10**6, bad)
    assert len(store.webhooks.due(tenant.id, 10**6, 2)) == 2
    assert len(store.webhooks.due(tenant.id, 10**6)) == 3
