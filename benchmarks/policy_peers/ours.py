"""RenLayer's compiled decision table (`compile_policies` + `evaluate`)."""

from __future__ import annotations

from typing import Any

import renlayer_core
from benchmarks.policy_workload import Json, Workload

label = "renlayer (decision table)"
role = "ours"
notes = (
    "the full SPEC §4 semantics: (priority, id) order, first enforce match decides, monitor "
    "hits recorded, require_approval kept distinct, default effect on no match",
    "setup = parse_policy_set (validation of every field, globs and RE2 regexes) + "
    "compile_policies, starting from the JSON policy file",
    "requests are parsed into ActionRequest once, outside the timings, as the proxy does "
    "before enforcement",
)


def import_library() -> None:
    import renlayer_core.policy  # noqa: F401


def version() -> str:
    return renlayer_core.__version__


def translate(workload: Workload) -> tuple[Json, list[Any]]:
    from renlayer_core.policy import parse_request

    return workload.document, [parse_request(r) for r in workload.requests]


def build(source: Json) -> Any:
    from renlayer_core.policy import compile_policies, parse_policy_set

    policy_set = parse_policy_set(source)
    return compile_policies(policy_set.policies, default_effect=policy_set.default_effect)


def evaluate(state: Any, request: Any) -> Any:
    from renlayer_core.policy import evaluate as _evaluate

    return _evaluate(state, request)


def outcome(result: Any) -> str:
    monitor = ",".join(hit.policy_id for hit in result.monitor)
    return f"{result.effect}|{result.policy_id or ''}|{monitor}"
