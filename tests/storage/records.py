"""Record builders for the contract suite: valid records with fresh ids."""

from __future__ import annotations

import secrets
from typing import Any

from renlayer_core.ids import encode_int, new_id
from renlayer_core.models import (
    AllowList,
    Approval,
    Detector,
    Pattern,
    Policy,
    TraceAction,
    TraceDecision,
    TraceFinding,
    TraceRecord,
    Upstream,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    now_ms,
)


def id_at(prefix: str, ms: int) -> str:
    """An id minted at ``ms`` (``new_id`` never goes back in time: it keeps ids monotonic)."""
    return f"{prefix}_{encode_int((ms << 80) | secrets.randbits(79))}"


def _times() -> dict[str, int]:
    now = now_ms()
    return {"created_at": now, "updated_at": now}


def user(tenant_id: str, **kw: Any) -> User:
    values: dict[str, Any] = {"email": f"{secrets.token_hex(4)}@example.com", "role": "editor"}
    return User(tenant_id=tenant_id, **{"id": new_id("usr"), **values, **_times(), **kw})


def policy(tenant_id: str, **kw: Any) -> Policy:
    values: dict[str, Any] = {
        "name": "p",
        "priority": 100,
        "effect": "deny",
        "document": {"name": "p", "match": {"tools": ["db.*"]}},
    }
    return Policy(tenant_id=tenant_id, **{"id": new_id("pol"), **values, **_times(), **kw})


def detector(tenant_id: str, **kw: Any) -> Detector:
    values: dict[str, Any] = {"type": "secret.aws_access_key", "document": {"action": "block"}}
    return Detector(tenant_id=tenant_id, **{"id": new_id("det"), **values, **_times(), **kw})


def pattern(tenant_id: str, **kw: Any) -> Pattern:
    values: dict[str, Any] = {"name": "order-ids", "document": {"regex": "ORD-[0-9]{6}"}}
    return Pattern(tenant_id=tenant_id, **{"id": new_id("pat"), **values, **_times(), **kw})


def allow_list(tenant_id: str, **kw: Any) -> AllowList:
    values: dict[str, Any] = {"name": "test-cards", "document": {"values": ["4111111111111111"]}}
    return AllowList(tenant_id=tenant_id, **{"id": new_id("allow"), **values, **_times(), **kw})


def upstream(tenant_id: str, **kw: Any) -> Upstream:
    values: dict[str, Any] = {
        "name": f"up-{secrets.token_hex(3)}",
        "base_url": "https://api.example.com",
        "kind": "openai",
        "headers_ciphertext": b"\x00\x01opaque-ciphertext\xff",
    }
    return Upstream(tenant_id=tenant_id, **{"id": new_id("ups"), **values, **_times(), **kw})


def webhook(tenant_id: str, **kw: Any) -> WebhookEndpoint:
    values: dict[str, Any] = {
        "url": "https://hooks.example.com/rl",
        "event_types": ("policy.denied",),
        "secret_ciphertext": b"\x10ciphertext",
    }
    return WebhookEndpoint(tenant_id=tenant_id, **{"id": new_id("whk"), **values, **_times(), **kw})


def delivery(tenant_id: str, endpoint_id: str, **kw: Any) -> WebhookDelivery:
    values: dict[str, Any] = {
        "event_type": "policy.denied",
        "payload": {"type": "policy.denied", "data": {"trace_id": "trace_x"}},
        "next_attempt_at": now_ms(),
        "created_at": now_ms(),
    }
    return WebhookDelivery(
        tenant_id=tenant_id, endpoint_id=endpoint_id, **{"id": new_id("evt"), **values, **kw}
    )


def approval(tenant_id: str, agent_id: str, **kw: Any) -> Approval:
    now = now_ms()
    values: dict[str, Any] = {
        "digest": "ab" * 32,
        "policy_id": new_id("pol"),
        "policy_revision": 1,
        "created_at": now,
        "expires_at": now + 3_600_000,
    }
    return Approval(
        tenant_id=tenant_id, agent_id=agent_id, **{"id": new_id("appr"), **values, **kw}
    )


def trace(tenant_id: str, *, ms: int | None = None, **kw: Any) -> TraceRecord:
    ts = now_ms() if ms is None else ms
    effect = kw.pop("effect", "allow")
    code = kw.pop("code", "allowed" if effect == "allow" else "policy_denied")
    policy_id = kw.pop("policy_id", None)
    action = TraceAction(
        kind="http", upstream=kw.pop("upstream", "openai"), method="POST", path="/v1/chat"
    )
    detectors = kw.pop("detectors", ())
    findings = tuple(
        TraceFinding(
            detector=d,
            category=d.partition(".")[0],
            location="request.body",
            path="$.messages[0].content",
            start=0,
            end=10,
            action="log",
            preview="ab******yz",
            fingerprint=secrets.token_hex(8),
        )
        for d in detectors
    )
    return TraceRecord(
        id=id_at("trace", ts) if ms is not None else new_id("trace"),
        tenant_id=tenant_id,
        timestamp=ts,
        action=action,
        decision=TraceDecision(effect=effect, code=code, policy_id=policy_id),
        findings=findings,
        **kw,
    )
