"""API keys. The store keeps only ``secret_hash`` (HMAC-SHA256 under the server pepper) and
the last four characters for display; the secret itself is shown once and never stored."""

from __future__ import annotations

from typing import Literal

import pydantic

from renlayer_core.apikeys import PREFIX
from renlayer_core.models.agents import AgentStatus
from renlayer_core.models.base import Document, Record

# Stored status. "expired" is never stored: it is derived from ``expires_at`` at read time.
KeyStatus = Literal["active", "revoked"]
EffectiveKeyStatus = Literal["active", "revoked", "expired"]


class ApiKey(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    agent_id: str
    name: str = ""
    secret_hash: str
    last4: str
    created_at: int
    expires_at: int | None = None
    last_used_at: int | None = None
    revoked_at: int | None = None
    status: KeyStatus = "active"
    # Set on the old key by a rotation: the key that replaces it. Its ``expires_at`` is then
    # the grace deadline.
    replaced_by: str | None = None

    @property
    def display(self) -> str:
        return f"{PREFIX}…{self.last4}"

    def effective_status(self, at_ms: int) -> EffectiveKeyStatus:
        if self.status == "revoked":
            return "revoked"
        if self.expires_at is not None and at_ms >= self.expires_at:
            return "expired"
        return "active"


class KeyLookup(Record, frozen=True, kw_only=True):
    """What resolving a presented secret yields: the key, and its agent's status (so a
    disabled agent is refused without a second lookup)."""

    key: ApiKey
    agent_status: AgentStatus


class KeyCreate(Document):
    name: str = pydantic.Field(default="", max_length=200)
    expires_at: int | None = pydantic.Field(default=None, ge=0)


class KeyRotate(Document):
    # How long the old secret keeps working, in seconds (at most 30 days).
    grace_seconds: int = pydantic.Field(default=3600, ge=0, le=30 * 86400)
