"""Plain tenant-scoped resources: one generic CRUD over a table, and the repositories that
are little more than that (tenants, users, agents, policies, DLP configuration, upstreams)."""

from __future__ import annotations

import builtins
from typing import Any, Generic

import msgspec

from renlayer_core.errors import Conflict
from renlayer_core.models import (
    Agent,
    AllowList,
    Detector,
    Pattern,
    Policy,
    Tenant,
    Upstream,
    User,
)
from renlayer_core.storage.filters import (
    AgentFilter,
    NoFilter,
    PolicyFilter,
)
from renlayer_core.storage.page import Page
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends._tables import Cond, Table
from storage_backends.repos._shared import (
    R,
    Shared,
    check_id,
    check_indexed,
    check_tenant,
    eq,
    not_found,
)


class Crud(Generic[R]):
    """Plain tenant-scoped create/get/update/delete over one table."""

    kind = "record"

    def __init__(self, shared: Shared, table: Table) -> None:
        self._s = shared
        self._t = table

    def _conflict(self, tx: Any, tenant_id: str, record: Any, column: str) -> Conflict:
        if column in self._t.columns:
            value = self._t.columns[column](record)
            existing = tx.find(self._t, tenant_id, column, value)
            ident = existing.id if existing is not None else None
            return Conflict(f"a {self.kind} with this {column} already exists", existing_id=ident)
        return Conflict(
            f"a {self.kind} with id {record.id!r} already exists", existing_id=record.id
        )

    def create(self, tenant_id: str, record: R) -> R:
        check_tenant(tenant_id, record)
        check_id(self._t, record.id)  # type: ignore[attr-defined]
        check_indexed(self._t, record)
        with self._s.engine.write() as tx:
            if tx.get(t.TENANTS, tenant_id, tenant_id) is None:
                raise not_found("tenant", tenant_id)
            self._before_create(tx, tenant_id, record)
            try:
                tx.insert(self._t, record)
            except Duplicate as dup:
                raise self._conflict(tx, tenant_id, record, dup.column) from None
        return record

    def _before_create(self, tx: Any, tenant_id: str, record: R) -> None:
        """Hook: check parents exist (within the same transaction)."""

    def get(self, tenant_id: str, record_id: str) -> R:
        row: R = self._s.fetch(self._t, tenant_id, record_id, self.kind)
        return row

    def update(self, tenant_id: str, record: R) -> R:
        check_tenant(tenant_id, record)
        check_indexed(self._t, record)
        with self._s.engine.write() as tx:
            current = tx.get(self._t, tenant_id, record.id, lock=True)  # type: ignore[attr-defined]
            if current is None:
                raise not_found(self.kind, record.id)  # type: ignore[attr-defined]
            record = self._prepare_update(current, record)
            try:
                tx.replace(self._t, record)
            except Duplicate as dup:
                raise self._conflict(tx, tenant_id, record, dup.column) from None
            self._after_update(tx, current, record)
        return record

    def _prepare_update(self, current: R, record: R) -> R:
        return msgspec.structs.replace(record, created_at=current.created_at)  # type: ignore[type-var,attr-defined]

    def _after_update(self, tx: Any, current: R, record: R) -> None:
        """Hook: side effects inside the transaction (notifications)."""

    def delete(self, tenant_id: str, record_id: str) -> None:
        with self._s.engine.write() as tx:
            self._before_delete(tx, tenant_id, record_id)
            if not tx.delete(self._t, tenant_id, record_id):
                raise not_found(self.kind, record_id)

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        """Hook: remove children first."""

    def list(
        self, tenant_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[R]:
        return self._s.page(self._t, tenant_id, [], NoFilter().digest(), limit=limit, cursor=cursor)

    def all(self, tenant_id: str) -> builtins.list[R]:
        with self._s.engine.read() as tx:
            rows: builtins.list[R] = tx.select(self._t, tenant_id, [], descending=False)
        return rows


class TenantRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared

    def create(self, tenant: Tenant) -> Tenant:
        check_id(t.TENANTS, tenant.id)
        with self._s.engine.write() as tx:
            try:
                tx.insert(t.TENANTS, tenant)
            except Duplicate:
                raise Conflict(
                    f"a tenant with id {tenant.id!r} already exists", existing_id=tenant.id
                ) from None
        return tenant

    def get(self, tenant_id: str) -> Tenant:
        with self._s.engine.read() as tx:
            row: Tenant | None = tx.get(t.TENANTS, tenant_id, tenant_id)
        if row is None:
            raise not_found("tenant", tenant_id)
        return row

    def update(self, tenant: Tenant) -> Tenant:
        with self._s.engine.write() as tx:
            current = tx.get(t.TENANTS, tenant.id, tenant.id, lock=True)
            if current is None:
                raise not_found("tenant", tenant.id)
            tenant = msgspec.structs.replace(tenant, created_at=current.created_at)
            tx.replace(t.TENANTS, tenant)
        return tenant


class UserRepo(Crud[User]):
    kind = "user"

    def get_by_email(self, tenant_id: str, email: str) -> User:
        with self._s.engine.read() as tx:
            row: User | None = tx.find(t.USERS, tenant_id, "email", email.lower())
        if row is None:
            raise not_found("user", email)
        return row


class AgentRepo(Crud[Agent]):
    kind = "agent"

    def list(
        self,
        tenant_id: str,
        filters: AgentFilter = AgentFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Agent]:
        conds = eq(status=filters.status)
        if filters.label is not None:
            conds.append(Cond("label", "has", filters.label))
        return self._s.page(
            t.AGENTS, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )

    def _after_update(self, tx: Any, current: Agent, record: Agent) -> None:
        if current.status != record.status:
            tx.notify(f"agent:{record.id}")

    def update(self, tenant_id: str, record: Agent) -> Agent:
        out = super().update(tenant_id, record)
        self._s.cache.invalidate_agent(out.id)
        return out

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        for key in tx.select(t.KEYS, tenant_id, eq(agent_id=record_id)):
            tx.delete(t.KEYS, tenant_id, key.id)
        tx.notify(f"agent:{record_id}")

    def delete(self, tenant_id: str, record_id: str) -> None:
        super().delete(tenant_id, record_id)
        self._s.cache.invalidate_agent(record_id)


class PolicyRepo(Crud[Policy]):
    kind = "policy"

    def _prepare_update(self, current: Policy, record: Policy) -> Policy:
        return msgspec.structs.replace(
            record, created_at=current.created_at, revision=current.revision + 1
        )

    def list(
        self,
        tenant_id: str,
        filters: PolicyFilter = PolicyFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Policy]:
        conds = eq(enabled=filters.enabled, effect=filters.effect, mode=filters.mode)
        return self._s.page(
            t.POLICIES, tenant_id, conds, filters.digest(), limit=limit, cursor=cursor
        )

    def all_enabled(self, tenant_id: str) -> builtins.list[Policy]:
        with self._s.engine.read() as tx:
            rows: builtins.list[Policy] = tx.select(t.POLICIES, tenant_id, eq(enabled=True))
        return sorted(rows, key=lambda p: (p.priority, p.id))


class DetectorRepo(Crud[Detector]):
    kind = "detector"


class PatternRepo(Crud[Pattern]):
    kind = "pattern"


class AllowListRepo(Crud[AllowList]):
    kind = "allow list"


class UpstreamRepo(Crud[Upstream]):
    kind = "upstream"

    def get_by_name(self, tenant_id: str, name: str) -> Upstream:
        with self._s.engine.read() as tx:
            row: Upstream | None = tx.find(t.UPSTREAMS, tenant_id, "name", name)
        if row is None:
            raise not_found("upstream", name)
        return row
