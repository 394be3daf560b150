"""Keyset pages against a naive twin: for random traces and random filters, walking every
page gives exactly what filtering and sorting the whole set in Python gives."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.models import TraceRecord, now_ms
from renlayer_core.storage.filters import TraceFilter
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import make_tenant

AGENTS = ("agent_A", "agent_B", None)
DETECTORS = ("pii.email", "secret.jwt")
EFFECTS = ("allow", "deny", "require_approval")
# Effect and code are indexed only where they are not allow / allowed (migration 0002), and
# drawn independently here so a deny may carry "allowed" and an allow "dlp_blocked".
CODES = ("allowed", "policy_denied", "dlp_blocked")

_trace = st.tuples(
    st.integers(0, 50),  # ms offset
    st.sampled_from(AGENTS),
    st.sampled_from(EFFECTS),
    st.sets(st.sampled_from(DETECTORS)),
    st.sampled_from(["openai", "anthropic"]),
    st.sampled_from(CODES),
)
_filter = st.fixed_dictionaries(
    {},
    optional={
        "agent_id": st.sampled_from(AGENTS[:2]),
        "decision": st.sampled_from(EFFECTS),
        "code": st.sampled_from(CODES),
        "detector": st.sampled_from(DETECTORS),
        "upstream": st.sampled_from(["openai", "anthropic"]),
        "from_ms": st.integers(0, 50),
        "to_ms": st.integers(0, 50),
    },
)


def _naive(rows: list[TraceRecord], f: dict[str, object], base: int) -> list[str]:
    def keep(r: TraceRecord) -> bool:
        return (
            f.get("agent_id", r.agent_id) == r.agent_id
            and f.get("decision", r.decision.effect) == r.decision.effect
            and f.get("code", r.decision.code) == r.decision.code
            and ("detector" not in f or f["detector"] in {x.detector for x in r.findings})
            and f.get("upstream", r.action.upstream) == r.action.upstream
            and ("from_ms" not in f or r.timestamp >= base + int(f["from_ms"]))  # type: ignore[call-overload]
            and ("to_ms" not in f or r.timestamp < base + int(f["to_ms"]))  # type: ignore[call-overload]
        )

    return sorted((r.id for r in rows if keep(r)), reverse=True)


@settings(
    max_examples=200 if os.environ.get("RENLAYER_TEST_HEAVY") == "1" else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=st.lists(_trace, max_size=25), f=_filter, limit=st.integers(1, 7))
def test_pages_equal_the_naive_answer(
    store: GenericStore,
    spec: list[Any],
    f: dict[str, Any],
    limit: int,
) -> None:
    tenant_id = make_tenant(store).id
    base = now_ms() - 1_000_000
    rows = [
        records.trace(
            tenant_id,
            ms=base + ms,
            agent_id=agent,
            effect=effect,
            detectors=tuple(dets),
            upstream=upstream,
            code=code,
        )
        for ms, agent, effect, dets, upstream, code in spec
    ]
    store.traces.append_traces(rows)
    bounds = {k: base + int(v) for k, v in f.items() if k in ("from_ms", "to_ms")}
    filters = TraceFilter(**{**f, **bounds})
    got: list[str] = []
    cursor = None
    while True:
        page = store.traces.list(tenant_id, filters, limit=limit, cursor=cursor)
        assert len(page.data) <= limit
        got += [t.id for t in page.data]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert got == _naive(rows, f, base)
    assert [t.id for t in store.traces.iter_traces(tenant_id, filters, chunk_size=limit)] == got
