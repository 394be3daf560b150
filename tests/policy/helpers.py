"""Small builders shared by the policy tests."""

from __future__ import annotations

from typing import Any

from renlayer_core.policy import (
    Decision,
    compile_policies,
    evaluate,
    evaluate_naive,
    parse_policy_set,
    parse_request,
)

AGENT = "agent_01ARYZ6S41TSV4RRFFQ69G5FAV"
OTHER_AGENT = "agent_01BX5ZZKBKACTAV9WEVGEMMVRZ"


def request(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"agent": {"id": AGENT, "labels": []}, "kind": "tool"}
    doc.update(fields)
    return doc


def policy(
    name: Any = "p", priority: Any = 10, effect: str = "deny", **extra: Any
) -> dict[str, Any]:
    return {"name": name, "priority": priority, "effect": effect, **extra}


def decide(docs: list[dict[str, Any]], req: dict[str, Any], default: str = "deny") -> Decision:
    """Evaluate with the table and the naive twin; they must agree."""
    policy_set = parse_policy_set({"default_effect": default, "policies": docs})
    parsed = parse_request(req)
    fast = evaluate(compile_policies(policy_set.policies, default), parsed)
    slow = evaluate_naive(policy_set.policies, default, parsed)
    assert fast == slow
    return fast


def matches(match: dict[str, Any], req: dict[str, Any]) -> bool:
    """Does a single allow policy with this match allow the request (default deny)?"""
    return decide([policy(effect="allow", match=match)], req).effect == "allow"
