"""Tenant DLP configuration: detectors (catalog types enabled with an action), custom
patterns and allow lists. Their bodies are validated by ``renlayer_core.dlp``; the store keeps
them as opaque documents."""

from __future__ import annotations

from typing import Any

from renlayer_core.models.base import Record


class Detector(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    # The catalog type id, e.g. "secret.aws_access_key". One detector per type and tenant.
    type: str
    enabled: bool = True
    document: dict[str, Any]
    created_at: int
    updated_at: int


class Pattern(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    name: str
    enabled: bool = True
    document: dict[str, Any]
    created_at: int
    updated_at: int


class AllowList(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    name: str
    document: dict[str, Any]
    created_at: int
    updated_at: int
