"""Trace ingest: idempotent on trace id, sessions upserted exactly once per trace, and
streaming reads that fetch in chunks."""

from __future__ import annotations

import os
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.models import Tenant, TraceRecord, now_ms
from renlayer_core.storage.filters import TraceFilter
from storage_backends import GenericStore, open_store
from tests.storage import records
from tests.storage.conftest import CURSOR_KEY, make_tenant


def test_append_is_idempotent_on_trace_id(store: GenericStore, tenant: Tenant) -> None:
    batch = [records.trace(tenant.id, session_external_id="s") for _ in range(5)]
    store.traces.append_traces(batch)
    store.traces.append_traces(batch)  # a replay after a spill
    store.traces.append_traces(batch[:2] + batch[:2] + [records.trace(tenant.id)])  # repeats
    assert len(list(store.traces.iter_traces(tenant.id))) == 6
    (session,) = store.traces.list_sessions(tenant.id).data
    assert session.trace_count == 5


def test_sessions_count_traces_and_denies(store: GenericStore, tenant: Tenant) -> None:
    base = now_ms() - 5_000
    first = [
        records.trace(tenant.id, ms=base + 100, agent_id="agent_A", session_external_id="chat-1"),
        records.trace(
            tenant.id, ms=base, agent_id="agent_A", session_external_id="chat-1", effect="deny"
        ),
    ]
    store.traces.append_traces(first)
    store.traces.append_traces(
        [
            records.trace(
                tenant.id,
                ms=base + 900,
                session_external_id="chat-1",
                effect="require_approval",
                code="approval_required",
            ),
            records.trace(tenant.id, ms=base + 50, session_external_id="chat-2", effect="deny"),
            records.trace(tenant.id, ms=base + 60),
        ]
    )
    sessions = {s.external_id: s for s in store.traces.list_sessions(tenant.id).data}
    s1, s2 = sessions["chat-1"], sessions["chat-2"]
    assert (s1.first_seen, s1.last_seen) == (base, base + 900)
    assert (s1.trace_count, s1.deny_count, s1.agent_id) == (3, 1, "agent_A")
    assert (s2.trace_count, s2.deny_count) == (1, 1)
    assert store.traces.get_session(tenant.id, s1.id) == s1
    for t in first:
        assert store.traces.get(tenant.id, t.id).session_id == s1.id
    no_session = [t for t in store.traces.iter_traces(tenant.id) if t.session_external_id is None]
    assert [t.session_id for t in no_session] == [None]


def test_one_batch_may_hold_several_tenants(
    store: GenericStore, tenant: Tenant, other: Tenant
) -> None:
    mine = records.trace(tenant.id, session_external_id="same")
    theirs = records.trace(other.id, session_external_id="same")
    store.traces.append_traces([mine, theirs])
    assert store.traces.get(tenant.id, mine.id).tenant_id == tenant.id
    assert store.traces.get(other.id, theirs.id).tenant_id == other.id
    s_mine = store.traces.list_sessions(tenant.id).data
    s_theirs = store.traces.list_sessions(other.id).data
    assert len(s_mine) == len(s_theirs) == 1 and s_mine[0].id != s_theirs[0].id


def test_stored_trace_round_trips(store: GenericStore, tenant: Tenant) -> None:
    t = records.trace(
        tenant.id,
        detectors=("secret.aws_access_key",),
        upstream_status=200,
        request_bytes=1234,
        response_bytes=99,
        enforcement_us=87,
        upstream_ms=412,
        key_id="key_X",
        error=None,
    )
    store.traces.append_traces([t])
    got = store.traces.get(tenant.id, t.id)
    assert got == t
    assert got.findings[0].preview == "ab******yz"


def test_streaming_fetches_in_chunks(store: GenericStore, tenant: Tenant) -> None:
    base = now_ms() - 100_000
    batch = [records.trace(tenant.id, ms=base + i) for i in range(95)]
    store.traces.append_traces(batch)
    fetches: list[tuple[str, int, int]] = []
    store.set_fetch_hook(lambda table, limit, rows: fetches.append((table, limit, rows)))
    stream = store.traces.iter_traces(tenant.id, chunk_size=10)
    head = [next(stream) for _ in range(15)]
    # Only what was consumed has been fetched: two chunks, not the range.
    assert fetches == [("traces", 10, 10), ("traces", 10, 10)]
    rest = list(stream)
    assert [t.id for t in head + rest] == [t.id for t in reversed(batch)]
    assert len(fetches) == 10 and all(limit == 10 and rows <= 10 for _, limit, rows in fetches)
    store.set_fetch_hook(None)
    ranged = list(store.traces.iter_traces(tenant.id, TraceFilter(from_ms=base + 90), chunk_size=3))
    assert [t.id for t in ranged] == [t.id for t in reversed(batch[90:])]


def test_concurrent_replays_count_once(sql_backend: object) -> None:
    from tests.storage.conftest import Backend

    assert isinstance(sql_backend, Backend)
    stores = [sql_backend.open(), sql_backend.open()]
    tenant = make_tenant(stores[0])
    batch = [records.trace(tenant.id, session_external_id=f"s{i % 3}") for i in range(60)]
    errors: list[BaseException] = []

    def run(store: GenericStore) -> None:
        try:
            for i in range(0, 60, 15):
                store.traces.append_traces(batch[i : i + 15])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sessions = stores[0].traces.list_sessions(tenant.id).data
    assert sorted(s.trace_count for s in sessions) == [20, 20, 20]
    assert len(list(stores[1].traces.iter_traces(tenant.id))) == 60


_batches = st.lists(
    st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(["a", "b", None]), st.booleans()),
        max_size=8,
    ),
    min_size=1,
    max_size=5,
)


@settings(
    # RENLAYER_TEST_HEAVY=1 for a longer search (the default run stays fast).
    max_examples=200 if os.environ.get("RENLAYER_TEST_HEAVY") == "1" else 12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=_batches)
def test_every_backend_ingests_like_the_reference(store: GenericStore, plan: list) -> None:  # type: ignore[type-arg]
    """The naive twin: the memory backend's ingest is the oracle for the SQL paths (PostgreSQL
    uses COPY + ON CONFLICT, SQLite the generic path inside one transaction)."""
    base = now_ms() - 1_000_000
    reference = open_store("memory://", cursor_key=CURSOR_KEY)
    tenant_id = make_tenant(store).id
    reference.tenants.create(store.tenants.get(tenant_id))
    pool: dict[int, TraceRecord] = {}
    for batch in plan:
        traces = []
        for n, session, deny in batch:
            if n not in pool:  # the same n is a replay of the same trace
                pool[n] = records.trace(
                    tenant_id,
                    ms=base + n,
                    session_external_id=session,
                    effect="deny" if deny else "allow",
                )
            traces.append(pool[n])
        store.traces.append_traces(traces)
        reference.traces.append_traces(traces)

    def summary(s: GenericStore) -> object:
        sessions = sorted(
            (x.external_id, x.first_seen, x.last_seen, x.trace_count, x.deny_count)
            for x in s.traces.list_sessions(tenant_id, limit=200).data
        )
        traces = [(t.id, t.session_external_id) for t in s.traces.iter_traces(tenant_id)]
        return sessions, traces

    assert summary(store) == summary(reference)


def test_effect_and_code_filters_find_exactly_their_traces(
    store: GenericStore, tenant: Tenant
) -> None:
    # Effect and code are indexed only for traces that are not allowed (migration 0002): a
    # filter on `allow`/`allowed` walks the primary key instead. Both kinds of filter, paged,
    # must return exactly the matching traces, newest first, on every backend.
    base = now_ms() - 60_000
    kinds = [
        ("allow", "allowed"),
        ("deny", "policy_denied"),
        ("deny", "dlp_blocked"),
        ("require_approval", "approval_required"),
        ("allow", "allowed"),
    ]
    batch = [
        records.trace(tenant.id, ms=base + i, effect=effect, code=code)
        for i, (effect, code) in enumerate(kinds * 7)
    ]
    store.traces.append_traces(batch)
    newest_first = sorted(batch, key=lambda r: r.id, reverse=True)
    for filt in [
        *(TraceFilter(decision=e) for e in ("allow", "deny", "require_approval")),
        *(TraceFilter(code=c) for c in ("allowed", "policy_denied", "dlp_blocked", "nope")),
        TraceFilter(decision="deny", code="dlp_blocked"),
        TraceFilter(decision="allow", code="policy_denied"),
    ]:
        want = [
            r.id
            for r in newest_first
            if filt.decision in (None, r.decision.effect) and filt.code in (None, r.decision.code)
        ]
        got, cursor = [], None
        while True:
            page = store.traces.list(tenant.id, filt, limit=4, cursor=cursor)
            got += [r.id for r in page.data]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert got == want, filt
