"""The decision as data (SPEC §4): immutable msgspec structs, cheap to build and to share.

A decision that carries no per-request data (no monitor hits, diagnostics or digest) is built
once at compile time and returned as is on the hot path; hence ``frozen=True``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import msgspec

Problem = Literal["missing", "wrong_type"]

ALLOWED: Final = "allowed"
POLICY_DENIED: Final = "policy_denied"
APPROVAL_REQUIRED: Final = "approval_required"
DEFAULT_DENIED: Final = "default_denied"
CODE_FOR_EFFECT: Final = {
    "allow": ALLOWED,
    "deny": POLICY_DENIED,
    "require_approval": APPROVAL_REQUIRED,
}


class MonitorHit(msgspec.Struct, frozen=True):
    """A monitor-mode policy that matched before the deciding one: what it would have done."""

    policy_id: str
    policy_name: str
    effect: str


class Diagnostic(msgspec.Struct, frozen=True):
    """A predicate that could not be evaluated; it counted as false for its policy."""

    policy_id: str
    policy_name: str
    field: str
    op: str
    problem: Problem
    message: str


class Decision(msgspec.Struct, frozen=True):
    effect: str
    code: str
    policy_id: str | None = None
    policy_name: str | None = None
    reason: str | None = None
    monitor: tuple[MonitorHit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    # Set only for require_approval: the inputs of the approval digest.
    policy_revision: int | None = None
    action_digest: str | None = None

    @property
    def allowed(self) -> bool:
        return self.effect == "allow"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "effect": self.effect,
            "code": self.code,
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "reason": self.reason,
            "monitor": [msgspec.structs.asdict(m) for m in self.monitor],
            "diagnostics": [msgspec.structs.asdict(d) for d in self.diagnostics],
        }
        if self.effect == "require_approval":
            out["policy_revision"] = self.policy_revision
            out["action_digest"] = self.action_digest
        return out


def policy_reason(name: str, effect: str, reason: str | None) -> str:
    """The reason returned to the agent: the policy's own, or one naming the policy."""
    if reason:
        return reason
    verb = {"allow": "allows", "deny": "denies", "require_approval": "requires approval for"}
    return f"policy '{name}' {verb.get(effect, effect)} this action"


def default_decision(default_effect: str) -> Decision:
    if default_effect == "allow":
        return Decision("allow", ALLOWED, reason="no policy matched; the default effect allows")
    return Decision("deny", DEFAULT_DENIED, reason="no policy matched; the default effect denies")


def diagnostic_message(field: str, problem: Problem, found: str = "") -> str:
    if problem == "missing":
        return f"field '{field}' is missing; the predicate counts as false"
    return f"field '{field}' is {found}, which this operator cannot test; counts as false"
