"""Webhook endpoints and the deliveries outbox."""

from __future__ import annotations

from typing import Any

import msgspec

from renlayer_core.errors import Conflict, InvalidInput
from renlayer_core.models import (
    DeliveryAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from renlayer_core.models.webhooks import DeliveryStatus
from renlayer_core.storage.filters import (
    DeliveryFilter,
)
from renlayer_core.storage.page import Page
from storage_backends import _tables as t
from storage_backends._engine import Duplicate
from storage_backends._tables import Cond
from storage_backends.repos._shared import (
    check_id,
    check_indexed,
    check_tenant,
    eq,
    not_found,
)
from storage_backends.repos.crud import Crud

# The most due deliveries one call returns (a dispatcher works in batches).
MAX_DUE = 10_000


class WebhookRepo(Crud[WebhookEndpoint]):
    kind = "webhook endpoint"

    def _before_delete(self, tx: Any, tenant_id: str, record_id: str) -> None:
        for d in tx.select(t.DELIVERIES, tenant_id, eq(endpoint_id=record_id)):
            tx.delete(t.DELIVERIES, tenant_id, d.id)

    def create_delivery(self, tenant_id: str, delivery: WebhookDelivery) -> WebhookDelivery:
        check_tenant(tenant_id, delivery)
        check_id(t.DELIVERIES, delivery.id)
        check_indexed(t.DELIVERIES, delivery)
        with self._s.engine.write() as tx:
            if tx.get(t.WEBHOOKS, tenant_id, delivery.endpoint_id) is None:
                raise not_found("webhook endpoint", delivery.endpoint_id)
            try:
                tx.insert(t.DELIVERIES, delivery)
            except Duplicate:
                raise Conflict(
                    f"a delivery with id {delivery.id!r} already exists", existing_id=delivery.id
                ) from None
        return delivery

    def get_delivery(self, tenant_id: str, delivery_id: str) -> WebhookDelivery:
        row: WebhookDelivery = self._s.fetch(
            t.DELIVERIES, tenant_id, delivery_id, "webhook delivery"
        )
        return row

    def list_deliveries(
        self,
        tenant_id: str,
        endpoint_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[WebhookDelivery]:
        self.get(tenant_id, endpoint_id)
        f = DeliveryFilter(endpoint_id=endpoint_id)
        conds = eq(endpoint_id=endpoint_id)
        return self._s.page(t.DELIVERIES, tenant_id, conds, f.digest(), limit=limit, cursor=cursor)

    def record_attempt(
        self,
        tenant_id: str,
        delivery_id: str,
        attempt: DeliveryAttempt,
        *,
        status: DeliveryStatus,
        next_attempt_at: int | None,
    ) -> WebhookDelivery:
        with self._s.engine.write() as tx:
            current: WebhookDelivery | None = tx.get(
                t.DELIVERIES, tenant_id, delivery_id, lock=True
            )
            if current is None:
                raise not_found("webhook delivery", delivery_id)
            updated = msgspec.structs.replace(
                current,
                attempts=(*current.attempts, attempt),
                status=status,
                next_attempt_at=next_attempt_at,
            )
            tx.replace(t.DELIVERIES, updated)
        return updated

    def due(self, tenant_id: str, now_ms: int, limit: int = 100) -> list[WebhookDelivery]:
        # Checked here: the backends read a bad limit three ways (memory's slice drops the last
        # rows for -1, SQLite's LIMIT -1 is no limit, PostgreSQL refuses it; a huge one was a
        # raw driver error on SQLite).
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_DUE:
            raise InvalidInput(f"limit must be between 1 and {MAX_DUE}, found {limit!r}")
        conds = [Cond("status", "=", "pending"), Cond("next_attempt_at", "<=", now_ms)]
        with self._s.engine.read() as tx:
            rows: list[WebhookDelivery] = tx.select(
                t.DELIVERIES,
                tenant_id,
                conds,
                order_by="next_attempt_at",
                descending=False,
                limit=limit,
            )
        return rows
