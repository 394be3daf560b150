"""The audit log: append-only, per-tenant seq, a hash chain that a third party can verify,
no fork under concurrent writers, and tampering located to the first broken seq."""

from __future__ import annotations

import hashlib
import json
import threading

import msgspec
import pytest

from renlayer_core.errors import Conflict, InvalidInput
from renlayer_core.models import AuditDraft, AuditEvent, Tenant
from renlayer_core.models.audit import GENESIS_HASH
from storage_backends import GenericStore
from tests.storage import records
from tests.storage.conftest import Backend, make_tenant


def _draft(i: int = 0, **kw: object) -> AuditDraft:
    values: dict[str, object] = {
        "actor": "usr_01ARYZ6S41TSV4RRFFQ69G5FAV",
        "action": "policy.update",
        "resource_type": "policy",
        "resource_id": f"pol_{i}",
        "before": {"priority": i},
        "after": {"priority": i + 1, "name": "ünïcode ✓"},
        "request_id": f"req-{i}",
        "ip": "203.0.113.7",
    }
    values.update(kw)
    return AuditDraft(**values)  # type: ignore[arg-type]


def test_chain_links_and_is_independently_verifiable(store: GenericStore, tenant: Tenant) -> None:
    events = [store.audit.append(tenant.id, _draft(i)) for i in range(5)]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    prev = GENESIS_HASH
    for e in events:
        # The documented byte layout, recomputed without any RenLayer code.
        body = {
            k: getattr(e, k)
            for k in (
                "id",
                "tenant_id",
                "seq",
                "time",
                "actor",
                "action",
                "resource_type",
                "resource_id",
                "before",
                "after",
                "request_id",
                "ip",
            )
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert e.prev_hash == prev
        assert e.hash == hashlib.sha256(prev.encode() + canonical.encode("utf-8")).hexdigest()
        prev = e.hash
    result = store.audit.verify(tenant.id)
    assert (result.ok, result.first_broken_seq, result.checked) == (True, None, 5)


def test_seq_is_per_tenant(store: GenericStore, tenant: Tenant, other: Tenant) -> None:
    store.audit.append(tenant.id, _draft())
    store.audit.append(tenant.id, _draft())
    assert store.audit.append(other.id, _draft()).seq == 1
    assert store.audit.append(tenant.id, _draft()).seq == 3


def test_secrets_never_enter_the_log(store: GenericStore, tenant: Tenant) -> None:
    draft = _draft(
        before={"secret_hash": "abc", "name": "k"},
        after={
            "headers": {"Authorization": "Bearer sk-live"},
            "nested": [{"password": "hunter2", "token": "t", "kept": 1}],
            "webhook_secret": "whsec_x",
            "headers_ciphertext": "AAAA",
        },
    )
    event = store.audit.append(tenant.id, draft)
    stored = json.dumps([event.before, event.after])
    for secret in ("abc", "sk-live", "hunter2", '"t"', "whsec_x", "AAAA"):
        assert secret not in stored
    assert event.after["nested"][0]["kept"] == 1
    assert store.audit.get(tenant.id, event.id) == event


def test_empty_log_verifies(store: GenericStore, tenant: Tenant) -> None:
    assert store.audit.verify(tenant.id).ok


def test_port_has_no_update_or_delete(store: GenericStore) -> None:
    assert not any(hasattr(store.audit, n) for n in ("update", "delete", "replace", "remove"))


def _concurrent_appends(stores: list[GenericStore], tenant_id: str, per_thread: int) -> None:
    errors: list[BaseException] = []

    def run(s: GenericStore, n: int) -> None:
        try:
            for i in range(per_thread):
                s.audit.append(tenant_id, _draft(n * 1000 + i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s, n)) for n, s in enumerate(stores * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_writers_do_not_fork_the_chain(backend: Backend) -> None:
    # Two store instances (on SQL backends: two connection sets), two threads each.
    stores = [backend.open(), backend.open()]
    tenant = make_tenant(stores[0])
    _concurrent_appends(stores, tenant.id, 10)
    result = stores[1].audit.verify(tenant.id)
    assert (result.ok, result.checked) == (True, 40)
    assert sorted(e.seq for e in stores[0].audit.iter_audit(tenant.id)) == list(range(1, 41))


TAMPER_SQLITE = "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete"


def _unlock(b: Backend) -> None:
    if b.kind == "sqlite":
        for stmt in TAMPER_SQLITE.split(";"):
            b.sql(stmt)
    else:
        b.sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")


def _seeded(b: Backend) -> tuple[GenericStore, str]:
    store = b.open()
    tenant = make_tenant(store)
    for i in range(6):
        store.audit.append(tenant.id, _draft(i))
    assert store.audit.verify(tenant.id).ok
    return store, tenant.id


def test_database_refuses_update_and_delete(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    with pytest.raises(Exception, match="append-only"):
        sql_backend.sql("DELETE FROM audit_events WHERE seq = 1")
    with pytest.raises(Exception, match="append-only"):
        sql_backend.sql("UPDATE audit_events SET actor = 'x' WHERE seq = 1")
    assert store.audit.verify(tenant_id).ok


def test_tampered_after_is_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    _unlock(sql_backend)
    sql_backend.sql(
        "UPDATE audit_events SET doc = replace(doc, '\"priority\":4', '\"priority\":40') "
        "WHERE tenant_id = ? AND seq = 4",
        (tenant_id,),
    )
    result = store.audit.verify(tenant_id)
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 4, 3)


def test_deleted_row_is_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    _unlock(sql_backend)
    sql_backend.sql("DELETE FROM audit_events WHERE tenant_id = ? AND seq = 3", (tenant_id,))
    assert store.audit.verify(tenant_id).first_broken_seq == 3


def test_deleted_tail_is_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    _unlock(sql_backend)
    sql_backend.sql("DELETE FROM audit_events WHERE tenant_id = ? AND seq >= 5", (tenant_id,))
    assert store.audit.verify(tenant_id).first_broken_seq == 5


def test_reordered_rows_are_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    _unlock(sql_backend)
    # Swap the positions of events 2 and 3.
    for a, b in ((2, -2), (3, 2), (-2, 3)):
        sql_backend.sql(
            "UPDATE audit_events SET seq = ? WHERE tenant_id = ? AND seq = ?", (b, tenant_id, a)
        )
    assert store.audit.verify(tenant_id).first_broken_seq == 2


def test_forger_who_rehashes_a_row_breaks_the_next_link(sql_backend: Backend) -> None:
    """Rewriting a row *and* its hash still breaks the link from the row after it."""
    from renlayer_core.models.audit import chain_hash, event_fields

    store, tenant_id = _seeded(sql_backend)
    (doc,) = sql_backend.sql(
        "SELECT doc FROM audit_events WHERE tenant_id = ? AND seq = 2", (tenant_id,)
    )[0]
    forged = msgspec.json.decode(doc, type=AuditEvent)
    forged = msgspec.structs.replace(forged, actor="usr_forged")
    forged = msgspec.structs.replace(
        forged, hash=chain_hash(forged.prev_hash, event_fields(forged))
    )
    _unlock(sql_backend)
    sql_backend.sql(
        "UPDATE audit_events SET doc = ? WHERE tenant_id = ? AND seq = 2",
        (msgspec.json.encode(forged).decode(), tenant_id),
    )
    assert store.audit.get(tenant_id, forged.id).actor == "usr_forged"
    result = store.audit.verify(tenant_id)
    assert (result.ok, result.first_broken_seq) == (False, 3)


_APPENDER = """
import sys
from renlayer_core.models import AuditDraft
from storage_backends import open_store
url, schema, tenant = sys.argv[1], sys.argv[2], sys.argv[3]
kw = {"schema": schema} if schema != "-" else {}
store = open_store(url, cursor_key=b"k" * 32, **kw)
for i in range(15):
    store.audit.append(tenant, AuditDraft(actor="usr_p", action="x.y", resource_type="policy"))
store.close()
"""


def test_concurrent_processes_do_not_fork_the_chain(sql_backend: Backend) -> None:
    import subprocess
    import sys
    from pathlib import Path

    store = sql_backend.open()
    tenant = make_tenant(store)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _APPENDER,
                sql_backend.url,
                sql_backend.schema or "-",
                tenant.id,
            ],
            cwd=Path(__file__).resolve().parents[2],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    result = store.audit.verify(tenant.id)
    assert (result.ok, result.checked) == (True, 45)


def _rewrite(b: Backend, tenant_id: str, seq: int, **changes: object) -> AuditEvent:
    """Rewrite event ``seq`` by SQL with ``changes``, re-hashing it as a forger would."""
    from renlayer_core.models.audit import chain_hash, event_fields

    (doc,) = b.sql(
        "SELECT doc FROM audit_events WHERE tenant_id = ? AND seq = ?", (tenant_id, seq)
    )[0]
    forged = msgspec.structs.replace(msgspec.json.decode(doc, type=AuditEvent), **changes)
    forged = msgspec.structs.replace(
        forged, hash=chain_hash(forged.prev_hash, event_fields(forged))
    )
    _unlock(b)
    b.sql(
        "UPDATE audit_events SET doc = ? WHERE tenant_id = ? AND seq = ?",
        (msgspec.json.encode(forged).decode(), tenant_id, seq),
    )
    return forged


def test_a_rehashed_last_event_is_found_at_its_own_seq(sql_backend: Backend) -> None:
    # No later row links to it; only the recorded head does. The broken seq is 6, the forged
    # event — it used to be reported as 7, an event that does not exist.
    store, tenant_id = _seeded(sql_backend)
    _rewrite(sql_backend, tenant_id, 6, actor="usr_forged")
    result = store.audit.verify(tenant_id)
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 6, 5)


def test_a_tampered_first_event_is_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    _rewrite(sql_backend, tenant_id, 1, prev_hash="1" * 64)
    assert store.audit.verify(tenant_id).first_broken_seq == 1


def test_an_inserted_event_is_found(sql_backend: Backend) -> None:
    # A forger copies event 3 as a new row at seq 4 (shifting 4..6 up by one in the column).
    store, tenant_id = _seeded(sql_backend)
    _unlock(sql_backend)
    for seq in (6, 5, 4):
        sql_backend.sql(
            "UPDATE audit_events SET seq = ? WHERE tenant_id = ? AND seq = ?",
            (seq + 1, tenant_id, seq),
        )
    (doc,) = sql_backend.sql(
        "SELECT doc FROM audit_events WHERE tenant_id = ? AND seq = 3", (tenant_id,)
    )[0]
    copy = msgspec.structs.replace(
        msgspec.json.decode(doc, type=AuditEvent), id="audit_01ARYZ6S41TSV4RRFFQ69G5FAV"
    )
    sql_backend.sql(
        "INSERT INTO audit_events (tenant_id, id, seq, actor, action, resource_id, doc) "
        "VALUES (?, ?, 4, ?, ?, ?, ?)",
        (
            tenant_id,
            copy.id,
            copy.actor,
            copy.action,
            copy.resource_id,
            msgspec.json.encode(copy).decode(),
        ),
    )
    assert store.audit.verify(tenant_id).first_broken_seq == 4


def test_a_chunk_size_out_of_range_is_invalid_input_everywhere(
    store: GenericStore, tenant: Tenant
) -> None:
    # verify(chunk_size=0) used to raise a raw IndexError; 10**30 a raw IntegrityError on
    # SQLite; a fraction ended a SQL stream after its first chunk (one row for 1.5).
    store.audit.append(tenant.id, AuditDraft(actor="u", action="a", resource_type="r"))
    store.traces.append_traces([records.trace(tenant.id) for _ in range(3)])
    for bad in (0, -1, 10**30, True, 1.5):
        with pytest.raises(InvalidInput):
            store.audit.verify(tenant.id, chunk_size=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            list(store.traces.iter_traces(tenant.id, chunk_size=bad))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            list(store.audit.iter_audit(tenant.id, chunk_size=bad))  # type: ignore[arg-type]
    assert store.audit.verify(tenant.id, chunk_size=1).ok
    assert len(list(store.traces.iter_traces(tenant.id, chunk_size=2))) == 3


def test_a_deleted_head_row_is_found_and_append_refuses_clearly(sql_backend: Backend) -> None:
    # audit_heads is the one mutable audit table. With the tenant's row deleted, verify read
    # "nothing appended" and answered ok (checked 0) over six events; the next append raised
    # the engine's internal Duplicate (a 500).
    store, tenant_id = _seeded(sql_backend)
    sql_backend.sql("DELETE FROM audit_heads WHERE tenant_id = ?", (tenant_id,))
    result = store.audit.verify(tenant_id)
    assert (result.ok, result.first_broken_seq) == (False, 1)
    with pytest.raises(Conflict):
        store.audit.append(tenant_id, _draft(9))


def test_a_head_rewound_behind_its_events_is_found(sql_backend: Backend) -> None:
    store, tenant_id = _seeded(sql_backend)
    (doc,) = sql_backend.sql(
        "SELECT doc FROM audit_events WHERE tenant_id = ? AND seq = 4", (tenant_id,)
    )[0]
    fourth = json.loads(doc)
    sql_backend.sql(
        "UPDATE audit_heads SET seq = 4, hash = ? WHERE tenant_id = ?", (fourth["hash"], tenant_id)
    )
    result = store.audit.verify(tenant_id)
    assert (result.ok, result.first_broken_seq) == (False, 5)
