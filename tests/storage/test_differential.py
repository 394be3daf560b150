"""Differential test: the memory backend is the oracle; SQLite and PostgreSQL, given the same
records (same ids), must answer every list filter with the same rows in the same order, page
by page. Values include SQL wildcards (``%``, ``_``), ``=`` inside labels and non-ASCII text,
so a filter built with LIKE or string concatenation would disagree."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.ids import new_id
from renlayer_core.models import Agent, AuditDraft, Tenant, now_ms
from renlayer_core.storage.filters import AgentFilter, AuditFilter, PolicyFilter, TraceFilter
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import Backend

LABELS = ("env=prod", "env=p%", "env=_rod", "tier=ü", "a=b=c", "env=PROD")
LABEL_PROBES = (*LABELS, "env=%", "env=pro_", "env=", "ENV=prod")
TEXT = ("usr_a", "usr_%", "usr__", "usr_A", "ü")
CODES = ("policy_denied", "policy_%", "allowed", "dlp_blocked")

_agent = st.tuples(st.sampled_from(["active", "disabled"]), st.sets(st.sampled_from(LABELS)))
_policy = st.tuples(
    st.booleans(),
    st.sampled_from(["allow", "deny", "require_approval"]),
    st.sampled_from(["enforce", "monitor"]),
)
_event = st.tuples(st.sampled_from(TEXT), st.sampled_from(TEXT), st.sampled_from((*TEXT, None)))
_trace = st.tuples(
    st.sampled_from(CODES), st.sampled_from(["pol_1", "pol_%", None]), st.integers(0, 40)
)


def _pages(list_page: Callable[..., Any], limit: int) -> list[object]:
    # Audit ids are minted by each store; an event is known by its seq instead.
    ids: list[object] = []
    cursor = None
    while True:
        page = list_page(limit=limit, cursor=cursor)
        ids.extend(r.seq if r.id.startswith("audit_") else r.id for r in page.data)
        if not page.has_more:
            return ids
        cursor = page.next_cursor


@pytest.fixture
def oracle(tmp_path: Path) -> Iterator[GenericStore]:
    b = Backend("memory", tmp_path)
    try:
        yield b.open()
    finally:
        b.close()


def _both(stores: list[GenericStore], fn: Callable[[GenericStore], Any]) -> None:
    for s in stores:
        fn(s)


@settings(
    max_examples=100 if os.environ.get("RENLAYER_TEST_HEAVY") == "1" else 8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    agents=st.lists(_agent, max_size=8),
    policies=st.lists(_policy, max_size=8),
    events=st.lists(_event, max_size=8),
    traces=st.lists(_trace, max_size=10),
    label=st.sampled_from(LABEL_PROBES),
    status=st.sampled_from([None, "active", "disabled"]),
    pf=st.tuples(
        st.sampled_from([None, True, False]),
        st.sampled_from([None, "allow", "deny", "require_approval"]),
        st.sampled_from([None, "enforce", "monitor"]),
    ),
    af=st.tuples(*(st.sampled_from((None, *TEXT)) for _ in range(3))),
    tf=st.tuples(
        st.sampled_from((None, *CODES)),
        st.sampled_from([None, "pol_1", "pol_%"]),
        st.one_of(st.none(), st.integers(0, 40)),
    ),
    limit=st.integers(1, 4),
)
def test_sql_backends_answer_every_filter_like_the_memory_oracle(
    sql_backend: Backend,
    oracle: GenericStore,
    agents: list[Any],
    policies: list[Any],
    events: list[Any],
    traces: list[Any],
    label: str,
    status: str | None,
    pf: tuple[Any, Any, Any],
    af: tuple[Any, Any, Any],
    tf: tuple[Any, Any, Any],
    limit: int,
) -> None:
    store = sql_backend.stores[0] if sql_backend.stores else sql_backend.open()
    stores = [oracle, store]
    now = now_ms()
    tenant = Tenant(id=new_id("ten"), name="t", created_at=now, updated_at=now)
    _both(stores, lambda s: s.tenants.create(tenant))
    for st_, labels in agents:
        a = Agent(
            id=new_id("agent"),
            tenant_id=tenant.id,
            name="a",
            status=st_,
            labels=tuple(sorted(labels)),
            created_at=now,
            updated_at=now,
        )
        for s in stores:
            s.agents.create(tenant.id, a)
    for enabled, effect, mode in policies:
        p = records.policy(tenant.id, enabled=enabled, effect=effect, mode=mode)
        for s in stores:
            s.policies.create(tenant.id, p)
    for actor, action, rid in events:
        d = AuditDraft(actor=actor, action=action, resource_type="r", resource_id=rid)
        for s in stores:
            s.audit.append(tenant.id, d)
    base = now - 100
    batch = [
        records.trace(tenant.id, ms=base + ms, code=code, policy_id=pol, effect="deny")
        for code, pol, ms in traces
    ]
    _both(stores, lambda s: s.traces.append_traces(batch))

    queries: list[Callable[[GenericStore], Callable[..., Any]]] = [
        lambda s: (
            lambda **kw: s.agents.list(tenant.id, AgentFilter(status=status, label=label), **kw)
        ),
        lambda s: lambda **kw: s.agents.list(tenant.id, AgentFilter(status=status), **kw),
        lambda s: (
            lambda **kw: s.policies.list(
                tenant.id, PolicyFilter(enabled=pf[0], effect=pf[1], mode=pf[2]), **kw
            )
        ),
        lambda s: (
            lambda **kw: s.audit.list(
                tenant.id, AuditFilter(actor=af[0], action=af[1], resource_id=af[2]), **kw
            )
        ),
        lambda s: (
            lambda **kw: s.traces.list(
                tenant.id,
                TraceFilter(
                    code=tf[0], policy_id=tf[1], from_ms=None if tf[2] is None else base + tf[2]
                ),
                **kw,
            )
        ),
    ]
    for q in queries:
        assert _pages(q(store), limit) == _pages(q(oracle), limit)
