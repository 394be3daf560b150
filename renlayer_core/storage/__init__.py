"""The storage port (Protocols), pagination, cursors and the key cache. Pure: backends live
in ``storage_backends`` and are opened with ``storage_backends.open_store(url, ...)``."""

from __future__ import annotations

from renlayer_core.storage.cursor import CursorCodec
from renlayer_core.storage.filters import (
    AgentFilter,
    ApprovalFilter,
    AuditFilter,
    NoFilter,
    PolicyFilter,
    SessionFilter,
    TraceFilter,
    parse_time,
)
from renlayer_core.storage.page import DEFAULT_LIMIT, MAX_LIMIT, Page, check_limit
from renlayer_core.storage.ports import (
    AgentRepo,
    ApprovalRepo,
    AuditRepo,
    Capabilities,
    DocRepo,
    KeyRepo,
    PolicyRepo,
    Store,
    TenantRepo,
    TraceRepo,
    UpstreamRepo,
    UserRepo,
    VerifyResult,
    WebhookRepo,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "AgentFilter",
    "AgentRepo",
    "ApprovalFilter",
    "ApprovalRepo",
    "AuditFilter",
    "AuditRepo",
    "Capabilities",
    "CursorCodec",
    "DocRepo",
    "KeyRepo",
    "NoFilter",
    "Page",
    "PolicyFilter",
    "PolicyRepo",
    "SessionFilter",
    "Store",
    "TenantRepo",
    "TraceFilter",
    "TraceRepo",
    "UpstreamRepo",
    "UserRepo",
    "VerifyResult",
    "WebhookRepo",
    "check_limit",
    "parse_time",
]
