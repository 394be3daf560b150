"""The memory backend's own guarantees: a failed write transaction leaves nothing behind,
indexes included."""

from __future__ import annotations

import msgspec
import pytest

from renlayer_core.ids import new_id
from renlayer_core.models import Tenant, now_ms
from storage_backends import _tables as t
from storage_backends.memory import MemoryEngine
from tests.storage import records


def test_failed_transaction_is_undone_with_its_indexes() -> None:
    engine = MemoryEngine()
    tenant = Tenant(id=new_id("ten"), name="a", created_at=now_ms(), updated_at=now_ms())
    with engine.write() as tx:
        tx.insert(t.TENANTS, tenant)
        kept = records.upstream(tenant.id, name="kept")
        tx.insert(t.UPSTREAMS, kept)
    with pytest.raises(RuntimeError), engine.write() as tx:
        tx.insert(t.UPSTREAMS, records.upstream(tenant.id, name="gone"))
        tx.replace(t.UPSTREAMS, msgspec.structs.replace(kept, name="renamed"))
        tx.set_audit_head(tenant.id, 1, "f" * 64)
        raise RuntimeError("boom")
    with engine.read() as tx:
        assert tx.select(t.UPSTREAMS, tenant.id, []) == [kept]
        assert tx.find(t.UPSTREAMS, tenant.id, "name", "kept") == kept
        assert tx.find(t.UPSTREAMS, tenant.id, "name", "gone") is None
        assert tx.find(t.UPSTREAMS, tenant.id, "name", "renamed") is None
        assert tx.audit_head(tenant.id, lock=False)[0] == 0
