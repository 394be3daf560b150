"""Edge values every backend answers alike: PostgreSQL cannot store NUL (U+0000) in text, so a
NUL in an id or filter finds nothing (as on the other backends) and a NUL in a stored column
is a clear ``InvalidInput`` — never a raw driver error (a 500)."""

from __future__ import annotations

import msgspec
import pytest

from renlayer_core.errors import InvalidInput, NotFound
from renlayer_core.models import AuditDraft, Tenant
from renlayer_core.storage.filters import AgentFilter, AuditFilter, TraceFilter
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import make_agent, make_key

NUL = "\x00"


def test_a_nul_in_an_id_is_not_found(store: GenericStore, tenant: Tenant) -> None:
    agent = make_agent(store, tenant.id)
    make_key(store, tenant.id, agent.id)
    with pytest.raises(NotFound):
        store.agents.get(tenant.id, agent.id + NUL)
    with pytest.raises(NotFound):
        store.tenants.get(tenant.id + NUL)
    with pytest.raises(NotFound):
        store.agents.get(tenant.id + NUL, agent.id)
    with pytest.raises(NotFound):
        store.keys.lookup("ab" + NUL)


def test_a_nul_in_a_filter_matches_nothing(store: GenericStore, tenant: Tenant) -> None:
    make_agent(store, tenant.id, labels=["env=prod"])
    store.audit.append(tenant.id, AuditDraft(actor="u", action="x", resource_type="r"))
    assert store.agents.list(tenant.id, AgentFilter(label="env=prod" + NUL)).data == []
    assert store.audit.list(tenant.id, AuditFilter(actor="u" + NUL)).data == []
    assert store.traces.list(tenant.id, TraceFilter(code="c" + NUL)).data == []
    assert list(store.audit.iter_audit(tenant.id, AuditFilter(action=NUL))) == []


def test_a_nul_in_a_stored_value_is_kept_or_refused_clearly(
    store: GenericStore, tenant: Tenant
) -> None:
    # In the JSON document a NUL is escaped, so every backend keeps it.
    agent = make_agent(store, tenant.id, name="a" + NUL + "b")
    assert store.agents.get(tenant.id, agent.id).name == "a" + NUL + "b"
    # In an indexed column PostgreSQL cannot keep it: InvalidInput there, kept elsewhere.
    draft = AuditDraft(actor="u" + NUL, action="x", resource_type="r")
    try:
        event = store.audit.append(tenant.id, draft)
    except InvalidInput as exc:
        assert store.capabilities.name == "postgresql"
        assert "nul" in str(exc).lower()
    else:
        assert event.actor == "u" + NUL
    assert store.audit.verify(tenant.id).ok


def test_a_nul_in_an_ingested_trace_never_loses_the_batch(
    store: GenericStore, tenant: Tenant
) -> None:
    # PostgreSQL used to refuse the whole batch (the good trace too): an ingest batch is never
    # refused for one row, so every backend stores U+FFFD in place of U+0000 in a trace.
    good = records.trace(tenant.id)
    odd = records.trace(
        tenant.id,
        session_external_id="s" + NUL,
        upstream="up" + NUL,
        code="c" + NUL,
        detectors=("pii" + NUL + ".email",),
        error="e" + NUL,
    )
    store.traces.append_traces([good, odd])
    stored = store.traces.get(tenant.id, odd.id)
    assert stored.action.upstream == "up\ufffd"
    assert stored.decision.code == "c\ufffd"
    assert stored.session_external_id == "s\ufffd"
    assert stored.findings[0].detector == "pii\ufffd.email"
    assert stored.error == "e\ufffd"
    assert store.traces.get(tenant.id, good.id) == msgspec.structs.replace(
        good, session_id=store.traces.get(tenant.id, good.id).session_id
    )
    assert [t.id for t in store.traces.list(tenant.id, TraceFilter(upstream="up\ufffd")).data] == [
        odd.id
    ]


LONE = "\ud800"  # a lone surrogate: a Python str, but not encodable as UTF-8


def test_a_lone_surrogate_or_an_oversized_integer_is_a_clear_error(
    store: GenericStore, tenant: Tenant
) -> None:
    # SQLite and PostgreSQL used to raise UnicodeEncodeError / OverflowError (a 500).
    with pytest.raises(NotFound):
        store.agents.get(tenant.id, "agent_" + LONE)
    assert store.agents.list(tenant.id, AgentFilter(label=LONE)).data == []
    with pytest.raises(InvalidInput):
        store.audit.append(tenant.id, AuditDraft(actor="u" + LONE, action="x", resource_type="r"))
    agent = make_agent(store, tenant.id)
    if store.capabilities.name != "memory":  # memory keeps any Python value
        with pytest.raises(InvalidInput):
            make_agent(store, tenant.id, name="a" + LONE)
        with pytest.raises(InvalidInput):  # an indexed integer column
            store.approvals.create(
                tenant.id, records.approval(tenant.id, agent.id, expires_at=2**70)
            )
    assert store.audit.verify(tenant.id).ok
    assert [a.id for a in store.agents.list(tenant.id).data] == [agent.id]


def test_a_trace_with_a_lone_surrogate_is_refused_alike_on_every_backend(
    store: GenericStore, tenant: Tenant
) -> None:
    # The write-behind writer sends such a record to its rejected file on `InvalidInput`; the
    # memory backend used to let a raw UnicodeEncodeError out instead.
    bad = records.trace(tenant.id, upstream="u" + LONE)
    good = records.trace(tenant.id)
    with pytest.raises(InvalidInput, match="lone surrogate"):
        store.traces.append_traces([good, bad])
    assert store.traces.list(tenant.id, TraceFilter()).data == []  # refused as a whole
    store.traces.append_traces([good])
    assert [r.id for r in store.traces.list(tenant.id, TraceFilter()).data] == [good.id]


def test_the_text_backslash_u0000_is_kept_as_written(store: GenericStore, tenant: Tenant) -> None:
    # The six characters `\u0000` are not a NUL: their JSON is `\\u0000`. The NUL search
    # used to match them, find nothing to replace, and raise the internal NeedsScrub out of
    # every backend — an error the ingest writer takes for an outage and retries for ever.
    odd = records.trace(
        tenant.id,
        error="bad escape \\u0000 in body",
        session_external_id="s\\u0000",
        code="c\\\\u0000",  # two backslashes, then u0000
    )
    mixed = records.trace(tenant.id, upstream="up\\" + NUL)  # a backslash, then a real NUL
    store.traces.append_traces([odd, mixed])
    stored = store.traces.get(tenant.id, odd.id)
    assert stored.error == "bad escape \\u0000 in body"
    assert stored.session_external_id == "s\\u0000"
    assert stored.decision.code == "c\\\\u0000"
    assert store.traces.get(tenant.id, mixed.id).action.upstream == "up\\\ufffd"


def test_a_repeated_trace_is_checked_like_the_first(store: GenericStore, tenant: Tenant) -> None:
    # A batch may carry one trace id twice (a writer re-sending); only the first is stored,
    # but a repeat the store could not hold refuses the batch on every backend. SQLite used
    # to check only the rows it kept, and took batches the other backends refuse.
    good = records.trace(tenant.id)
    for repeat in (
        msgspec.structs.replace(good, error="e" + LONE),
        msgspec.structs.replace(
            good, action=msgspec.structs.replace(good.action, upstream="u" * 3000)
        ),
    ):
        with pytest.raises(InvalidInput):
            store.traces.append_traces([good, repeat])
        assert store.traces.list(tenant.id, TraceFilter()).data == []
    # A NUL in the repeat refuses nothing: scrubbed, it is still only a repeat.
    store.traces.append_traces([good, msgspec.structs.replace(good, error="e" + NUL)])
    assert store.traces.get(tenant.id, good.id).error is None


def test_a_nul_in_a_trace_field_of_fixed_values_is_refused_clearly(
    store: GenericStore, tenant: Tenant
) -> None:
    # U+FFFD in place of the NUL is no effect at all: the scrubbed copy failed its type
    # check, and msgspec's ValidationError (quoting the value) left every backend — an
    # untranslated error, which the ingest writer retries as an outage for ever.
    good = records.trace(tenant.id)
    bad = records.trace(tenant.id)
    bad = msgspec.structs.replace(
        bad, decision=msgspec.structs.replace(bad.decision, effect="deny" + NUL)
    )
    with pytest.raises(InvalidInput, match=r"\$\.decision\.effect"):
        store.traces.append_traces([good, bad])
    assert store.traces.list(tenant.id, TraceFilter()).data == []


def test_a_nul_in_a_batch_counts_each_trace_once_in_its_session(
    store: GenericStore, tenant: Tenant
) -> None:
    # SQLite finds a NUL only while it encodes the trace rows, then redoes the whole batch
    # scrubbed: nothing of the first try (session counts, new sessions) may be written.
    first = records.trace(tenant.id, session_external_id="s", effect="deny")
    store.traces.append_traces([first])
    batch = [
        first,  # a replay: counted already
        records.trace(tenant.id, session_external_id="s", effect="deny"),
        records.trace(tenant.id, session_external_id="new"),
        records.trace(tenant.id, session_external_id="s", error="e" + NUL),
    ]
    store.traces.append_traces(batch)
    sessions = store.traces.list_sessions(tenant.id).data
    assert sorted((s.external_id, s.trace_count, s.deny_count) for s in sessions) == [
        ("new", 1, 0),
        ("s", 3, 2),
    ]
    assert len(store.traces.list(tenant.id, TraceFilter()).data) == 4


def test_a_session_id_set_by_the_writer_is_checked_alike(
    store: GenericStore, tenant: Tenant
) -> None:
    # The store files a trace with a session external id under its own session id, but the
    # other backends check the trace as given: SQLite checked only the row it wrote, and
    # took what they refuse.
    for session_id in ("x" + LONE, "x" * 3000):
        bad = records.trace(tenant.id, session_external_id="s", session_id=session_id)
        with pytest.raises(InvalidInput):
            store.traces.append_traces([records.trace(tenant.id), bad])
    assert store.traces.list(tenant.id, TraceFilter()).data == []
