"""Canonical JSON and the approval digest (SPEC §4 rule 5).

An approval is bound to *this* action: the digest covers the agent, the action's shape (kind,
upstream, method, host, path with query, tool, model) and its canonical arguments and body,
plus the policy id and revision that asked for approval, plus the tenant. Headers, findings,
session and time are left out on purpose: they change between the original attempt and the
approved retry (the retry carries ``X-RenLayer-Approval``) without changing what the action
does. Method is compared upper-cased and host lower-cased, as matching does.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Final

import msgspec

if TYPE_CHECKING:
    from renlayer_core.policy.request import ActionRequest

DIGEST_VERSION: Final = 1
_ENCODE: Final = msgspec.json.Encoder(order="sorted")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8. Deterministic for equal JSON values."""
    try:
        return _ENCODE.encode(value)
    except (OverflowError, msgspec.EncodeError):
        # Integers beyond 64 bits: msgspec refuses them; the stdlib does not.
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def action_digest(request: ActionRequest) -> str:
    """SHA-256 over the tenant-agnostic fields of an action."""
    return _sha256(
        {
            "v": DIGEST_VERSION,
            "agent": request.agent_id,
            "kind": request.kind,
            "upstream": request.upstream,
            "method": request.method_key,
            "host": request.host.lower() if request.host is not None else None,
            "path": request.path,
            "tool": request.tool,
            "model": request.model,
            "args": request.args,
            "body": request.body,
        }
    )


def approval_digest_from(tenant_id: str, action: str, policy_id: str, revision: int) -> str:
    """The approval digest from a decision's ``action_digest`` (what the engine stores)."""
    return _sha256(
        {
            "v": DIGEST_VERSION,
            "tenant": tenant_id,
            "action": action,
            "policy_id": policy_id,
            "policy_revision": revision,
        }
    )


def approval_digest(tenant_id: str, request: ActionRequest, policy_id: str, revision: int) -> str:
    """Digest an Approval is bound to: any change to tenant, action, policy or revision
    changes it."""
    return approval_digest_from(tenant_id, action_digest(request), policy_id, revision)
