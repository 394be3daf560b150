"""RenLayer's naive twin: every enabled policy checked in (priority, id) order, no index."""

from __future__ import annotations

from typing import Any

from benchmarks.policy_peers import ours
from benchmarks.policy_workload import Json

label = "renlayer (naive twin)"
role = "baseline"
notes = (
    "same semantics as the decision table (it is the test oracle); the gap to ours is what "
    "the index buys",
)
version = ours.version
import_library = ours.import_library
translate = ours.translate
outcome = ours.outcome


def build(source: Json) -> Any:
    from renlayer_core.policy import parse_policy_set

    policy_set = parse_policy_set(source)
    return policy_set.policies, policy_set.default_effect


def evaluate(state: Any, request: Any) -> Any:
    from renlayer_core.policy import evaluate_naive

    policies, default_effect = state
    return evaluate_naive(policies, default_effect, request)
