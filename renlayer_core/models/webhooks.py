"""Webhook endpoints and their deliveries (the durable outbox). The signing secret is held
only as ciphertext: the caller encrypts it before the store sees it."""

from __future__ import annotations

from typing import Any, Literal

import pydantic

from renlayer_core.models.base import Document, Record

EventType = Literal["policy.denied", "dlp.blocked", "key.revoked", "approval.requested"]
WebhookStatus = Literal["active", "disabled"]
DeliveryStatus = Literal["pending", "succeeded", "failed"]


class WebhookEndpoint(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    url: str
    event_types: tuple[str, ...]
    secret_ciphertext: bytes
    status: WebhookStatus = "active"
    description: str = ""
    created_at: int
    updated_at: int


class DeliveryAttempt(Record, frozen=True, kw_only=True):
    at: int
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0


class WebhookDelivery(Record, frozen=True, kw_only=True):
    # ``evt_…``: also the Standard Webhooks ``webhook-id`` (a redelivery keeps it).
    id: str
    tenant_id: str
    endpoint_id: str
    event_type: str
    payload: dict[str, Any]
    status: DeliveryStatus = "pending"
    attempts: tuple[DeliveryAttempt, ...] = ()
    next_attempt_at: int | None = None
    created_at: int


class WebhookCreate(Document):
    url: str = pydantic.Field(min_length=8, max_length=2048)
    event_types: tuple[EventType, ...] = pydantic.Field(min_length=1)
    description: str = pydantic.Field(default="", max_length=500)


class WebhookPatch(Document):
    url: str | None = pydantic.Field(default=None, min_length=8, max_length=2048)
    event_types: tuple[EventType, ...] | None = pydantic.Field(default=None, min_length=1)
    status: WebhookStatus | None = None
    description: str | None = pydantic.Field(default=None, max_length=500)
