"""Cross-tenant probes on every read and write path: another tenant's rows answer exactly
like missing rows, and another tenant's cursors are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from renlayer_core.errors import InvalidCursor, InvalidInput, NotFound
from renlayer_core.models import AuditDraft, Tenant, now_ms
from renlayer_core.storage.filters import (
    AgentFilter,
    ApprovalFilter,
    AuditFilter,
    PolicyFilter,
    SessionFilter,
    TraceFilter,
)
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import make_agent, make_key


def _seed(store: GenericStore, t: str) -> dict[str, Any]:
    """Two of everything in tenant ``t`` (two, so lists have a next page at limit=1)."""
    out: dict[str, Any] = {}
    out["agent"] = make_agent(store, t, labels=("team=a",))
    make_agent(store, t, labels=("team=a",))
    out["key"] = make_key(store, t, out["agent"].id)
    make_key(store, t, out["agent"].id)
    out["user"] = store.users.create(t, records.user(t))
    store.users.create(t, records.user(t))
    out["policy"] = store.policies.create(t, records.policy(t))
    store.policies.create(t, records.policy(t))
    out["detector"] = store.detectors.create(t, records.detector(t))
    store.detectors.create(t, records.detector(t, type="pii.email"))
    out["pattern"] = store.patterns.create(t, records.pattern(t))
    store.patterns.create(t, records.pattern(t))
    out["allow"] = store.allow_lists.create(t, records.allow_list(t))
    store.allow_lists.create(t, records.allow_list(t))
    out["upstream"] = store.upstreams.create(t, records.upstream(t))
    store.upstreams.create(t, records.upstream(t))
    out["webhook"] = store.webhooks.create(t, records.webhook(t))
    store.webhooks.create(t, records.webhook(t))
    out["delivery"] = store.webhooks.create_delivery(t, records.delivery(t, out["webhook"].id))
    store.webhooks.create_delivery(t, records.delivery(t, out["webhook"].id))
    out["approval"] = store.approvals.create(t, records.approval(t, out["agent"].id))
    store.approvals.create(t, records.approval(t, out["agent"].id))
    traces = [records.trace(t, session_external_id=f"s{i}") for i in range(2)]
    store.traces.append_traces(traces)
    out["trace"] = store.traces.get(t, traces[0].id)
    out["session"] = store.traces.get_session(t, out["trace"].session_id)
    draft = AuditDraft(actor="usr_x", action="policy.create", resource_type="policy")
    out["audit"] = store.audit.append(t, draft)
    store.audit.append(t, draft)
    return out


Probe = Callable[[GenericStore, str, dict[str, Any]], object]

GETS: dict[str, Probe] = {
    "users.get": lambda s, t, r: s.users.get(t, r["user"].id),
    "users.get_by_email": lambda s, t, r: s.users.get_by_email(t, r["user"].email),
    "agents.get": lambda s, t, r: s.agents.get(t, r["agent"].id),
    "keys.get": lambda s, t, r: s.keys.get(t, r["key"].id),
    "keys.list_for_agent": lambda s, t, r: s.keys.list_for_agent(t, r["agent"].id),
    "policies.get": lambda s, t, r: s.policies.get(t, r["policy"].id),
    "detectors.get": lambda s, t, r: s.detectors.get(t, r["detector"].id),
    "patterns.get": lambda s, t, r: s.patterns.get(t, r["pattern"].id),
    "allow_lists.get": lambda s, t, r: s.allow_lists.get(t, r["allow"].id),
    "upstreams.get": lambda s, t, r: s.upstreams.get(t, r["upstream"].id),
    "upstreams.get_by_name": lambda s, t, r: s.upstreams.get_by_name(t, r["upstream"].name),
    "webhooks.get": lambda s, t, r: s.webhooks.get(t, r["webhook"].id),
    "webhooks.get_delivery": lambda s, t, r: s.webhooks.get_delivery(t, r["delivery"].id),
    "webhooks.list_deliveries": lambda s, t, r: s.webhooks.list_deliveries(t, r["webhook"].id),
    "approvals.get": lambda s, t, r: s.approvals.get(t, r["approval"].id),
    "traces.get": lambda s, t, r: s.traces.get(t, r["trace"].id),
    "traces.get_session": lambda s, t, r: s.traces.get_session(t, r["session"].id),
    "audit.get": lambda s, t, r: s.audit.get(t, r["audit"].id),
}

WRITES: dict[str, Probe] = {
    "users.delete": lambda s, t, r: s.users.delete(t, r["user"].id),
    "agents.delete": lambda s, t, r: s.agents.delete(t, r["agent"].id),
    "policies.delete": lambda s, t, r: s.policies.delete(t, r["policy"].id),
    "detectors.delete": lambda s, t, r: s.detectors.delete(t, r["detector"].id),
    "patterns.delete": lambda s, t, r: s.patterns.delete(t, r["pattern"].id),
    "allow_lists.delete": lambda s, t, r: s.allow_lists.delete(t, r["allow"].id),
    "upstreams.delete": lambda s, t, r: s.upstreams.delete(t, r["upstream"].id),
    "webhooks.delete": lambda s, t, r: s.webhooks.delete(t, r["webhook"].id),
    "keys.revoke": lambda s, t, r: s.keys.revoke(t, r["key"].id, now_ms()),
    "keys.touch": lambda s, t, r: s.keys.touch(t, r["key"].id, now_ms()),
    "keys.rotate": lambda s, t, r: s.keys.rotate(
        t, r["key"].id, msgspec.structs.replace(r["key"], tenant_id=t), now_ms()
    ),
    "approvals.decide": lambda s, t, r: s.approvals.decide(
        t, r["approval"].id, approve=True, decided_by="usr_x", at_ms=now_ms()
    ),
    "approvals.consume": lambda s, t, r: s.approvals.consume(
        t, r["approval"].id, digest=r["approval"].digest, at_ms=now_ms()
    ),
    "webhooks.record_attempt": lambda s, t, r: s.webhooks.record_attempt(
        t,
        r["delivery"].id,
        __import__("renlayer_core.models").models.DeliveryAttempt(at=now_ms()),
        status="failed",
        next_attempt_at=None,
    ),
    "users.update": lambda s, t, r: s.users.update(
        t, msgspec.structs.replace(r["user"], tenant_id=t)
    ),
    "agents.update": lambda s, t, r: s.agents.update(
        t, msgspec.structs.replace(r["agent"], tenant_id=t, status="disabled")
    ),
}

LISTS: dict[str, Callable[[GenericStore, str, str | None], Any]] = {
    "users": lambda s, t, c: s.users.list(t, limit=1, cursor=c),
    "agents": lambda s, t, c: s.agents.list(t, AgentFilter(), limit=1, cursor=c),
    "agents.label": lambda s, t, c: s.agents.list(
        t, AgentFilter(label="team=a"), limit=1, cursor=c
    ),
    "policies": lambda s, t, c: s.policies.list(t, PolicyFilter(), limit=1, cursor=c),
    "detectors": lambda s, t, c: s.detectors.list(t, limit=1, cursor=c),
    "patterns": lambda s, t, c: s.patterns.list(t, limit=1, cursor=c),
    "allow_lists": lambda s, t, c: s.allow_lists.list(t, limit=1, cursor=c),
    "upstreams": lambda s, t, c: s.upstreams.list(t, limit=1, cursor=c),
    "webhooks": lambda s, t, c: s.webhooks.list(t, limit=1, cursor=c),
    "approvals": lambda s, t, c: s.approvals.list(t, ApprovalFilter(), limit=1, cursor=c),
    "traces": lambda s, t, c: s.traces.list(t, TraceFilter(), limit=1, cursor=c),
    "sessions": lambda s, t, c: s.traces.list_sessions(t, SessionFilter(), limit=1, cursor=c),
    "audit": lambda s, t, c: s.audit.list(t, AuditFilter(), limit=1, cursor=c),
}


@pytest.fixture
def seeded(store: GenericStore, tenant: Tenant, other: Tenant) -> dict[str, Any]:
    _seed(store, other.id)  # the other tenant has rows too, so emptiness proves isolation
    return _seed(store, tenant.id)


def test_every_get_of_another_tenants_row_is_not_found(
    store: GenericStore, tenant: Tenant, other: Tenant, seeded: dict[str, Any]
) -> None:
    for name, probe in GETS.items():
        probe(store, tenant.id, seeded)  # the owner reads it
        with pytest.raises(NotFound):
            probe(store, other.id, seeded)
            pytest.fail(f"{name} answered another tenant")


def test_every_write_to_another_tenants_row_is_not_found(
    store: GenericStore, tenant: Tenant, other: Tenant, seeded: dict[str, Any]
) -> None:
    for name, probe in WRITES.items():
        with pytest.raises(NotFound):
            probe(store, other.id, seeded)
            pytest.fail(f"{name} wrote another tenant's row")
    # And nothing changed for the owner.
    for probe in GETS.values():
        probe(store, tenant.id, seeded)
    assert store.keys.get(tenant.id, seeded["key"].id).status == "active"
    assert store.approvals.get(tenant.id, seeded["approval"].id).status == "pending"
    assert store.agents.get(tenant.id, seeded["agent"].id).status == "active"


def test_a_record_addressed_to_one_tenant_but_owned_by_another_is_refused(
    store: GenericStore, tenant: Tenant, other: Tenant, seeded: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput):
        store.users.update(other.id, seeded["user"])
    with pytest.raises(InvalidInput):
        store.keys.create(other.id, seeded["key"])


def test_lists_hold_only_the_tenants_rows_and_refuse_its_cursors(
    store: GenericStore, tenant: Tenant, other: Tenant, seeded: dict[str, Any]
) -> None:
    for name, listing in LISTS.items():
        first = listing(store, tenant.id, None)
        assert first.has_more and first.next_cursor, name
        assert all(r.tenant_id == tenant.id for r in first.data), name
        second = listing(store, tenant.id, first.next_cursor)
        assert all(r.tenant_id == tenant.id for r in second.data), name
        theirs = listing(store, other.id, None)
        assert all(r.tenant_id == other.id for r in theirs.data), name
        with pytest.raises(InvalidCursor):
            listing(store, other.id, first.next_cursor)
            pytest.fail(f"{name} accepted another tenant's cursor")


def test_streams_and_verify_are_per_tenant(
    store: GenericStore, tenant: Tenant, other: Tenant, seeded: dict[str, Any]
) -> None:
    assert {t.tenant_id for t in store.traces.iter_traces(tenant.id)} == {tenant.id}
    assert {e.tenant_id for e in store.audit.iter_audit(other.id)} == {other.id}
    assert store.audit.verify(tenant.id).checked == 2
    assert store.audit.verify(other.id).checked == 2


def test_key_lookup_is_the_tenantless_read(
    store: GenericStore, tenant: Tenant, seeded: dict[str, Any]
) -> None:
    found = store.keys.lookup(seeded["key"].secret_hash)
    assert found.key.tenant_id == tenant.id
    assert found.agent_status == "active"


def test_an_approval_cannot_name_another_tenants_agent(
    store: GenericStore, tenant: Tenant, other: Tenant
) -> None:
    # It used to be stored: tenant A's approval bound to tenant B's agent.
    foreign = make_agent(store, other.id)
    with pytest.raises(NotFound):
        store.approvals.create(tenant.id, records.approval(tenant.id, foreign.id))
    with pytest.raises(NotFound):
        store.approvals.create(
            tenant.id, records.approval(tenant.id, "agent_01ARYZ6S41TSV4RRFFQ69G5FAV")
        )
    assert store.approvals.list(tenant.id).data == []
    own = make_agent(store, tenant.id)
    created = store.approvals.create(tenant.id, records.approval(tenant.id, own.id))
    assert store.approvals.get(tenant.id, created.id).agent_id == own.id
