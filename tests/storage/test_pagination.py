"""Keyset pagination (SPEC §6): newest first, limit rules, cursors bound to tenant, list and
filters, and stability while rows are inserted."""

from __future__ import annotations

import base64

import msgspec
import pytest

from renlayer_core.errors import InvalidCursor, InvalidInput
from renlayer_core.ids import new_id
from renlayer_core.models import AuditDraft, Tenant, now_ms
from renlayer_core.storage.filters import (
    AgentFilter,
    ApprovalFilter,
    AuditFilter,
    PolicyFilter,
    SessionFilter,
    TraceFilter,
)
from storage_backends import GenericStore, open_store
from tests.storage import records
from tests.storage.conftest import make_agent


def _all_pages(fetch, limit: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids: list[str] = []
    cursor = None
    while True:
        page = fetch(limit=limit, cursor=cursor)
        ids += [r.id for r in page.data]
        assert page.has_more == (page.next_cursor is not None)
        if not page.has_more:
            return ids
        cursor = page.next_cursor


def test_pages_are_newest_first_and_cover_every_row_once(
    store: GenericStore, tenant: Tenant
) -> None:
    agents = [make_agent(store, tenant.id, name=f"a{i}") for i in range(7)]
    expected = [a.id for a in reversed(agents)]
    for limit in (1, 2, 3, 7, 50):
        assert _all_pages(lambda **kw: store.agents.list(tenant.id, **kw), limit) == expected
    page = store.agents.list(tenant.id, limit=7)
    assert (page.has_more, page.next_cursor) == (False, None)


def test_default_limit_is_50_and_the_maximum_200(store: GenericStore, tenant: Tenant) -> None:
    store.traces.append_traces([records.trace(tenant.id) for _ in range(201)])
    assert len(store.traces.list(tenant.id).data) == 50
    assert len(store.traces.list(tenant.id, limit=200).data) == 200
    for bad in (0, -1, 201, 1000):
        with pytest.raises(InvalidInput, match="limit"):
            store.traces.list(tenant.id, limit=bad)
    with pytest.raises(InvalidInput):
        store.traces.list(tenant.id, limit=True)


def _cursor(store: GenericStore, tenant: Tenant) -> str:
    for _ in range(3):
        make_agent(store, tenant.id)
    cursor = store.agents.list(tenant.id, limit=1).next_cursor
    assert cursor is not None
    return cursor


def test_forged_and_malformed_cursors_are_refused(store: GenericStore, tenant: Tenant) -> None:
    good = _cursor(store, tenant)
    raw = base64.urlsafe_b64decode(good + "=" * (-len(good) % 4))
    flipped = bytearray(raw)
    flipped[5] ^= 1
    bad = [
        "",
        "x",
        "not base64 !!",
        "é",
        good[:-2],
        good + "AA",
        base64.urlsafe_b64encode(bytes(flipped)).decode().rstrip("="),
        base64.urlsafe_b64encode(b'{"k":"agent_0","r":"agents"}' + b"\0" * 16).decode(),
        "A" * 5000,
    ]
    for cursor in bad:
        with pytest.raises(InvalidCursor):
            store.agents.list(tenant.id, limit=1, cursor=cursor)


def test_cursor_of_another_list_or_filters_or_key_is_refused(
    store: GenericStore, tenant: Tenant
) -> None:
    good = _cursor(store, tenant)
    with pytest.raises(InvalidCursor):
        store.agents.list(tenant.id, AgentFilter(status="active"), limit=1, cursor=good)
    with pytest.raises(InvalidCursor):
        store.policies.list(tenant.id, limit=1, cursor=good)
    with pytest.raises(InvalidCursor):
        store.users.list(tenant.id, limit=1, cursor=good)
    # A store with another cursor key (another deployment) refuses it too.
    foreign = open_store("memory://", cursor_key=b"another-cursor-key-000000000000")
    with foreign, pytest.raises(InvalidCursor):
        foreign.agents.list(tenant.id, limit=1, cursor=good)


def test_paging_is_stable_while_rows_are_inserted(store: GenericStore, tenant: Tenant) -> None:
    base = now_ms() - 60_000
    original = [records.trace(tenant.id, ms=base + i) for i in range(30)]
    store.traces.append_traces(original)
    seen: list[str] = []
    cursor = None
    inserted = 0
    while True:
        page = store.traces.list(tenant.id, limit=7, cursor=cursor)
        seen += [t.id for t in page.data]
        # Inserts between pages: newer rows, and a late row older than everything.
        store.traces.append_traces(
            [records.trace(tenant.id), records.trace(tenant.id, ms=base - 1000 - inserted)]
        )
        inserted += 1
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(seen) >= {t.id for t in original}, "a row was skipped"
    assert seen[:30] == [t.id for t in reversed(original)]


def test_agent_filters(store: GenericStore, tenant: Tenant) -> None:
    a = make_agent(store, tenant.id, labels=("team=a", "env=prod"))
    b = make_agent(store, tenant.id, labels=("team=b",), status="disabled")
    c = make_agent(store, tenant.id, labels=("team=a",))

    def ids(f: AgentFilter) -> list[str]:
        return [x.id for x in store.agents.list(tenant.id, f).data]

    assert ids(AgentFilter(label="team=a")) == [c.id, a.id]
    assert ids(AgentFilter(label="env=prod")) == [a.id]
    assert ids(AgentFilter(status="disabled")) == [b.id]
    assert ids(AgentFilter(status="active", label="team=a")) == [c.id, a.id]
    assert ids(AgentFilter(label="team=zzz")) == []
    # Labels follow updates.
    store.agents.update(tenant.id, msgspec.structs.replace(a, labels=("team=b",)))
    assert ids(AgentFilter(label="team=a")) == [c.id]
    assert set(ids(AgentFilter(label="team=b"))) == {a.id, b.id}


def test_policy_filters(store: GenericStore, tenant: Tenant) -> None:
    p1 = store.policies.create(tenant.id, records.policy(tenant.id, effect="allow"))
    p2 = store.policies.create(tenant.id, records.policy(tenant.id, mode="monitor"))
    p3 = store.policies.create(tenant.id, records.policy(tenant.id, enabled=False))

    def ids(f: PolicyFilter) -> list[str]:
        return [x.id for x in store.policies.list(tenant.id, f).data]

    assert ids(PolicyFilter(enabled=False)) == [p3.id]
    assert ids(PolicyFilter(enabled=True)) == [p2.id, p1.id]
    assert ids(PolicyFilter(effect="allow")) == [p1.id]
    assert ids(PolicyFilter(mode="monitor")) == [p2.id]
    assert ids(PolicyFilter(effect="deny", mode="enforce")) == [p3.id]


def test_approval_status_filter(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    pending = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    expired = store.approvals.create(
        tenant.id, records.approval(tenant.id, agent.id, expires_at=now_ms() - 1)
    )
    approved = store.approvals.create(tenant.id, records.approval(tenant.id, agent.id))
    store.approvals.decide(tenant.id, approved.id, approve=True, decided_by="u", at_ms=now_ms())

    def ids(status: str | None) -> list[str]:
        return [x.id for x in store.approvals.list(tenant.id, ApprovalFilter(status=status)).data]

    assert ids("pending") == [pending.id]
    assert ids("expired") == [expired.id]
    assert ids("approved") == [approved.id]
    assert ids("denied") == []
    assert ids(None) == [approved.id, expired.id, pending.id]
    listed = store.approvals.list(tenant.id).data
    assert [a.status for a in listed] == ["approved", "expired", "pending"]


def test_trace_filters(store: GenericStore, tenant: Tenant) -> None:
    base = now_ms() - 10_000
    pol = new_id("pol")
    t1 = records.trace(tenant.id, ms=base, agent_id="agent_A", session_external_id="s1")
    t2 = records.trace(
        tenant.id,
        ms=base + 1000,
        agent_id="agent_B",
        effect="deny",
        policy_id=pol,
        upstream="anthropic",
        detectors=("pii.email", "secret.jwt"),
    )
    t3 = records.trace(
        tenant.id,
        ms=base + 2000,
        agent_id="agent_A",
        effect="deny",
        code="dlp_blocked",
        detectors=("secret.jwt",),
        session_external_id="s1",
    )
    store.traces.append_traces([t1, t2, t3])
    session = store.traces.list_sessions(tenant.id).data[0]

    def ids(**f: object) -> list[str]:
        return [x.id for x in store.traces.list(tenant.id, TraceFilter(**f)).data]  # type: ignore[arg-type]

    assert ids(agent_id="agent_A") == [t3.id, t1.id]
    assert ids(session_id=session.id) == [t3.id, t1.id]
    assert ids(decision="deny") == [t3.id, t2.id]
    assert ids(code="dlp_blocked") == [t3.id]
    assert ids(policy_id=pol) == [t2.id]
    assert ids(detector="secret.jwt") == [t3.id, t2.id]
    assert ids(detector="pii.email") == [t2.id]
    assert ids(upstream="anthropic") == [t2.id]
    assert ids(from_ms=base + 1000) == [t3.id, t2.id]
    assert ids(to_ms=base + 1000) == [t1.id]
    assert ids(from_ms=base + 1000, to_ms=base + 2000) == [t2.id]
    assert ids(decision="deny", agent_id="agent_A", detector="secret.jwt") == [t3.id]
    assert ids(agent_id="agent_Z") == []


def test_session_filters(store: GenericStore, tenant: Tenant) -> None:
    base = now_ms() - 100_000
    store.traces.append_traces(
        [
            records.trace(tenant.id, ms=base, agent_id="agent_A", session_external_id="early"),
            records.trace(tenant.id, ms=base + 10, agent_id="agent_A", session_external_id="early"),
            records.trace(
                tenant.id, ms=base + 50_000, agent_id="agent_B", session_external_id="late"
            ),
        ]
    )

    def names(**f: object) -> list[str]:
        page = store.traces.list_sessions(tenant.id, SessionFilter(**f))  # type: ignore[arg-type]
        return [s.external_id for s in page.data]

    assert names() == ["late", "early"]
    assert names(agent_id="agent_A") == ["early"]
    assert names(from_ms=base + 11) == ["late"]
    assert names(to_ms=base + 1) == ["early"]
    assert names(from_ms=base + 5, to_ms=base + 6) == ["early"]  # active across the range


def test_audit_filters(store: GenericStore, tenant: Tenant) -> None:
    e1 = store.audit.append(
        tenant.id,
        AuditDraft(
            actor="usr_a", action="policy.create", resource_type="policy", resource_id="pol_1"
        ),
    )
    e2 = store.audit.append(
        tenant.id,
        AuditDraft(actor="usr_b", action="key.revoke", resource_type="key", resource_id="key_1"),
    )
    e3 = store.audit.append(
        tenant.id,
        AuditDraft(actor="usr_a", action="key.revoke", resource_type="key", resource_id="key_2"),
    )

    def ids(**f: object) -> list[str]:
        return [x.id for x in store.audit.list(tenant.id, AuditFilter(**f)).data]  # type: ignore[arg-type]

    assert ids() == [e3.id, e2.id, e1.id]
    assert ids(actor="usr_a") == [e3.id, e1.id]
    assert ids(action="key.revoke") == [e3.id, e2.id]
    assert ids(resource_id="key_1") == [e2.id]
    assert ids(from_ms=e1.time - 1) == [e3.id, e2.id, e1.id]
    assert ids(to_ms=e1.time - 1) == []
