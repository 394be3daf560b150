"""Over-long text in an indexed column is refused alike on every backend: ``InvalidInput``
naming the column, nothing written. PostgreSQL used to answer ``Unavailable`` (its B-tree
entry limit is an ``OperationalError``): a 503 for a client's input, and an "outage" the
ingest writer retried for ever, stalling every tenant's traces behind one record."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from renlayer_core.errors import InvalidInput
from renlayer_core.models import AuditDraft, Tenant, now_ms
from renlayer_core.storage.filters import AgentFilter, AuditFilter, TraceFilter
from storage_backends import GenericStore
from storage_backends.repos import _shared
from storage_backends.repos._shared import MAX_INDEXED_BYTES
from tests.storage import records
from tests.storage.conftest import make_agent, make_key


def _text(n: int) -> str:
    """``n`` bytes of incompressible ASCII (PostgreSQL compresses a repetitive value before
    indexing it, which would hide the limit)."""
    return secrets.token_hex(n)[:n]


Write = Callable[[GenericStore, str, str, str], object]

# Each indexed text column a caller controls: (tenant, agent id, value) → write.
WRITES: dict[str, Write] = {
    "users.email": lambda s, t, a, v: s.users.create(t, records.user(t, email=v)),
    "agents.label": lambda s, t, a, v: make_agent(s, t, labels=(v,)),
    "api_keys.secret_hash": lambda s, t, a, v: make_key(s, t, a, secret_hash=v),
    "detectors.type": lambda s, t, a, v: s.detectors.create(t, records.detector(t, type=v)),
    "upstreams.name": lambda s, t, a, v: s.upstreams.create(t, records.upstream(t, name=v)),
    "audit.actor": lambda s, t, a, v: s.audit.append(
        t, AuditDraft(actor=v, action="x", resource_type="r")
    ),
    "audit.resource_id": lambda s, t, a, v: s.audit.append(
        t, AuditDraft(actor="u", action="x", resource_type="r", resource_id=v)
    ),
}


def test_an_over_long_indexed_value_is_refused_and_one_at_the_limit_is_kept(
    store: GenericStore, tenant: Tenant
) -> None:
    agent = make_agent(store, tenant.id)
    for name, write in WRITES.items():
        with pytest.raises(InvalidInput, match="longer than"):
            write(store, tenant.id, agent.id, _text(MAX_INDEXED_BYTES + 1))
            pytest.fail(f"{name} took an over-long value")
        write(store, tenant.id, agent.id, _text(MAX_INDEXED_BYTES))  # at the limit: kept
    assert len(store.agents.list(tenant.id, AgentFilter()).data) == 2
    assert len(store.audit.list(tenant.id, AuditFilter()).data) == 2
    assert store.audit.verify(tenant.id).ok


def test_multibyte_text_is_measured_in_utf8_bytes(store: GenericStore, tenant: Tenant) -> None:
    at_limit = "é" * (MAX_INDEXED_BYTES // 2)  # 2 bytes each
    store.users.create(tenant.id, records.user(tenant.id, email=at_limit))
    with pytest.raises(InvalidInput):
        store.users.create(tenant.id, records.user(tenant.id, email=at_limit + "é"))


def test_an_update_or_rotation_to_an_over_long_value_changes_nothing(
    store: GenericStore, tenant: Tenant
) -> None:
    agent = make_agent(store, tenant.id, labels=("team=a",))
    long_label = "team=" + _text(MAX_INDEXED_BYTES)
    with pytest.raises(InvalidInput):
        store.agents.update(tenant.id, msgspec.structs.replace(agent, labels=(long_label,)))
    assert store.agents.get(tenant.id, agent.id).labels == ("team=a",)
    key = make_key(store, tenant.id, agent.id)
    fresh = make_key(store, tenant.id, agent.id)  # a template with a valid id and agent
    new_key = msgspec.structs.replace(
        fresh, id=records.id_at("key", now_ms()), secret_hash=_text(MAX_INDEXED_BYTES + 1)
    )
    with pytest.raises(InvalidInput):
        store.keys.rotate(tenant.id, key.id, new_key, now_ms() + 60_000)
    assert store.keys.get(tenant.id, key.id).replaced_by is None


TRACE_FIELDS: dict[str, Callable[[str], dict[str, Any]]] = {
    "upstream": lambda v: {"upstream": v},
    "code": lambda v: {"code": v},
    "detector": lambda v: {"detectors": ("pii.email", v)},
    "session": lambda v: {"session_external_id": v},
}


@pytest.mark.parametrize("field", sorted(TRACE_FIELDS))
def test_a_trace_batch_with_an_over_long_indexed_value_is_refused_as_a_whole(
    store: GenericStore, tenant: Tenant, field: str
) -> None:
    # InvalidInput, not Unavailable: the write-behind writer then splits the batch and keeps
    # aside only this record, instead of retrying the batch as an outage for ever.
    good = records.trace(tenant.id)
    bad = records.trace(tenant.id, **TRACE_FIELDS[field](_text(MAX_INDEXED_BYTES + 1)))
    with pytest.raises(InvalidInput, match="longer than"):
        store.traces.append_traces([good, bad])
    assert store.traces.list(tenant.id, TraceFilter()).data == []
    store.traces.append_traces([good])
    assert [t.id for t in store.traces.list(tenant.id, TraceFilter()).data] == [good.id]


def test_the_database_limit_itself_is_input_not_an_outage(
    store: GenericStore, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backstop under the repositories' bound: without it, PostgreSQL's own refusal must
    # still be InvalidInput. The other backends have no such limit and keep the value.
    monkeypatch.setattr(_shared, "MAX_INDEXED_BYTES", 1 << 20)
    value = _text(8000)
    try:
        created = store.upstreams.create(tenant.id, records.upstream(tenant.id, name=value))
    except InvalidInput:
        assert store.capabilities.name == "postgresql"
        store.ping()  # and the store is up
    else:
        assert store.capabilities.name != "postgresql"
        assert store.upstreams.get_by_name(tenant.id, value).id == created.id


@pytest.mark.parametrize("field", ["tenant_id", "id"])
def test_a_trace_with_an_over_long_tenant_or_id_is_refused_alike(
    store: GenericStore, tenant: Tenant, field: str
) -> None:
    # Trace ids and tenant ids are taken as sent (no canonical-id check, no tenant row): the
    # memory and SQLite backends stored them at any length while PostgreSQL's primary key
    # refused them past ~2.7 kB.
    good = records.trace(tenant.id)
    bad = msgspec.structs.replace(
        records.trace(tenant.id), **{field: field[:3] + "_" + _text(MAX_INDEXED_BYTES)}
    )
    with pytest.raises(InvalidInput, match=f"traces.{field} is longer than"):
        store.traces.append_traces([good, bad])
    assert store.traces.list(tenant.id, TraceFilter()).data == []
    at_limit = msgspec.structs.replace(bad, **{field: _text(MAX_INDEXED_BYTES)})
    store.traces.append_traces([good, at_limit])
    assert store.traces.get(at_limit.tenant_id, at_limit.id).id == at_limit.id
