"""Resource records of SPEC §3: msgspec Structs for what is stored, pydantic documents for
what users send. One module per resource."""

from __future__ import annotations

from renlayer_core.models.agents import Agent, AgentCreate, AgentPatch, AgentStatus
from renlayer_core.models.approvals import Approval, ApprovalStatus
from renlayer_core.models.audit import AuditDraft, AuditEvent, remove_secrets
from renlayer_core.models.base import Document, Record, now_ms, validate_document
from renlayer_core.models.dlp import AllowList, Detector, Pattern
from renlayer_core.models.keys import ApiKey, KeyCreate, KeyLookup, KeyRotate
from renlayer_core.models.policies import Policy
from renlayer_core.models.tenant import Tenant, TenantCreate, TenantPatch, TenantSettings
from renlayer_core.models.traces import (
    MonitorHit,
    Session,
    Trace,
    TraceAction,
    TraceDecision,
    TraceFinding,
    TraceRecord,
)
from renlayer_core.models.upstreams import Upstream, UpstreamCreate, UpstreamPatch
from renlayer_core.models.users import User, UserCreate, UserPatch
from renlayer_core.models.webhooks import (
    DeliveryAttempt,
    WebhookCreate,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookPatch,
)

__all__ = [
    "Agent",
    "AgentCreate",
    "AgentPatch",
    "AgentStatus",
    "AllowList",
    "ApiKey",
    "Approval",
    "ApprovalStatus",
    "AuditDraft",
    "AuditEvent",
    "DeliveryAttempt",
    "Detector",
    "Document",
    "KeyCreate",
    "KeyLookup",
    "KeyRotate",
    "MonitorHit",
    "Pattern",
    "Policy",
    "Record",
    "Session",
    "Tenant",
    "TenantCreate",
    "TenantPatch",
    "TenantSettings",
    "Trace",
    "TraceAction",
    "TraceDecision",
    "TraceFinding",
    "TraceRecord",
    "Upstream",
    "UpstreamCreate",
    "UpstreamPatch",
    "User",
    "UserCreate",
    "UserPatch",
    "WebhookCreate",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookPatch",
    "now_ms",
    "remove_secrets",
    "validate_document",
]
