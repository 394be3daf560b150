"""Approvals: a small state machine (pending → approved/denied → used; expiry derived)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from renlayer_core.errors import Conflict
from renlayer_core.models import (
    Approval,
    now_ms,
)
from renlayer_core.storage.filters import (
    ApprovalFilter,
)
from renlayer_core.storage.page import Page
from storage_backends import _tables as t
from storage_backends._tables import Cond
from storage_backends.repos._shared import (
    Shared,
    not_found,
)
from storage_backends.repos.crud import Crud


class _ApprovalCrud(Crud[Approval]):
    def _before_create(self, tx: Any, tenant_id: str, record: Approval) -> None:
        # The approval's agent must be one of this tenant's: never bind tenant A's approval
        # to tenant B's agent (or to no agent at all).
        if tx.get(t.AGENTS, tenant_id, record.agent_id) is None:
            raise not_found("agent", record.agent_id)


def _effective(approval: Approval) -> Approval:
    status = approval.effective_status(now_ms())
    return (
        approval if status == approval.status else msgspec.structs.replace(approval, status=status)
    )


class ApprovalRepo:
    def __init__(self, shared: Shared) -> None:
        self._s = shared
        self._crud: Crud[Approval] = _ApprovalCrud(shared, t.APPROVALS)
        self._crud.kind = "approval"

    def create(self, tenant_id: str, approval: Approval) -> Approval:
        return self._crud.create(tenant_id, approval)

    def get(self, tenant_id: str, approval_id: str) -> Approval:
        return _effective(self._crud.get(tenant_id, approval_id))

    def list(
        self,
        tenant_id: str,
        filters: ApprovalFilter = ApprovalFilter(),  # noqa: B008 - frozen, immutable
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Approval]:
        now = now_ms()
        conds: list[Cond] = []
        if filters.status in ("pending", "approved"):
            conds = [Cond("status", "=", filters.status), Cond("expires_at", ">", now)]
        elif filters.status == "expired":
            # Only pending approvals age into "expired" in a list filter; an approved one past
            # its expiry is also shown as expired.
            conds = [Cond("status", "in", ("pending", "approved")), Cond("expires_at", "<=", now)]
        elif filters.status is not None:
            conds = [Cond("status", "=", filters.status)]
        return self._s.page(
            t.APPROVALS,
            tenant_id,
            conds,
            filters.digest(),
            limit=limit,
            cursor=cursor,
            post=_effective,
        )

    def _transition(
        self, tenant_id: str, approval_id: str, change: Callable[[Approval], Approval]
    ) -> Approval:
        with self._s.engine.write() as tx:
            # Locked: two consumes (or an approve and a deny) racing must not both succeed.
            current: Approval | None = tx.get(t.APPROVALS, tenant_id, approval_id, lock=True)
            if current is None:
                raise not_found("approval", approval_id)
            updated = change(_effective(current))
            tx.replace(t.APPROVALS, updated)
        return updated

    def decide(
        self, tenant_id: str, approval_id: str, *, approve: bool, decided_by: str, at_ms: int
    ) -> Approval:
        def change(a: Approval) -> Approval:
            if a.status != "pending":
                raise Conflict(f"approval {approval_id!r} is {a.status}, not pending")
            status = "approved" if approve else "denied"
            return msgspec.structs.replace(
                a, status=status, decided_by=decided_by, decided_at=at_ms
            )

        return self._transition(tenant_id, approval_id, change)

    def consume(self, tenant_id: str, approval_id: str, *, digest: str, at_ms: int) -> Approval:
        def change(a: Approval) -> Approval:
            if a.status != "approved" or at_ms >= a.expires_at:
                raise Conflict(f"approval {approval_id!r} is {a.status}, not approved")
            if a.digest != digest:
                raise Conflict(f"approval {approval_id!r} was given for a different action")
            return msgspec.structs.replace(a, status="used", used_at=at_ms)

        return self._transition(tenant_id, approval_id, change)
