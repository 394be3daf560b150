"""Approvals: a held action, bound to a digest of exactly what was asked."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from renlayer_core.models.base import Record

# Stored status. "expired" is derived from ``expires_at`` for a pending or approved approval.
ApprovalStatus = Literal["pending", "approved", "denied", "used", "expired"]


class Approval(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    agent_id: str
    status: ApprovalStatus = "pending"
    # Hex SHA-256 of (tenant, agent, action, canonical arguments/body, policy id, revision).
    digest: str
    policy_id: str
    policy_revision: int
    # A summary of the held action for the reviewer (no raw payload).
    summary: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: int
    expires_at: int
    decided_by: str | None = None
    decided_at: int | None = None
    used_at: int | None = None

    def effective_status(self, at_ms: int) -> ApprovalStatus:
        if self.status in ("pending", "approved") and at_ms >= self.expires_at:
            return "expired"
        return self.status
