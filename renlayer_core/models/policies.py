"""Stored policies. The policy language lives in ``renlayer_core.policy``; the store keeps
the validated document opaquely, next to the columns it filters and orders on."""

from __future__ import annotations

from typing import Any, Literal

from renlayer_core.models.base import Record

PolicyEffect = Literal["allow", "deny", "require_approval"]
PolicyMode = Literal["enforce", "monitor"]


class Policy(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    name: str
    priority: int
    effect: PolicyEffect
    mode: PolicyMode = "enforce"
    enabled: bool = True
    # Starts at 1; the store increments it on every update (approvals bind to it).
    revision: int = 1
    document: dict[str, Any]
    created_at: int
    updated_at: int
