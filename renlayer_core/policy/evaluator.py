"""Evaluation of an action request against a decision table (SPEC §4 semantics 2, 3, 6).

Walk the candidates in (priority, id) order; a policy matches when its static checks hold
and its ``when`` predicates, tried in order, all hold (the first false or unevaluable one
stops the policy; an unevaluable one is reported as a diagnostic). The first matching enforce
policy decides; matching monitor policies before it are recorded; otherwise the default effect.
``explain`` is the slow, talkative version for ``simulate``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from renlayer_core.policy.compiler import CompiledPolicy, DecisionTable
from renlayer_core.policy.decision import (
    Decision,
    Diagnostic,
    MonitorHit,
    Problem,
    diagnostic_message,
)
from renlayer_core.policy.digest import action_digest
from renlayer_core.policy.predicates import Problem as PredicateProblem
from renlayer_core.policy.request import ActionRequest


def evaluate(table: DecisionTable, request: ActionRequest) -> Decision:
    policies = table.policies
    monitor: list[MonitorHit] | None = None
    diags: list[Diagnostic] | None = None
    previous = -1
    for rank in table.candidate_ranks(request):
        if rank == previous:
            continue
        previous = rank
        cp = policies[rank]
        for check in cp.check_fns:
            if not check(request):
                break
        else:
            matched = True
            for i, pred in enumerate(cp.pred_fns):
                result = pred(request)
                if result is True:
                    continue
                if result is not False:
                    if diags is None:
                        diags = []
                    diags.append(_diagnostic(cp, i, result))
                matched = False
                break
            if matched:
                if cp.enforce:
                    return _decide(cp, request, monitor, diags)
                if monitor is None:
                    monitor = []
                monitor.append(cp.hit)
    if monitor is None and diags is None:
        return table.default
    return msgspec.structs.replace(
        table.default, monitor=tuple(monitor or ()), diagnostics=tuple(diags or ())
    )


def _decide(
    cp: CompiledPolicy,
    request: ActionRequest,
    monitor: list[MonitorHit] | None,
    diags: list[Diagnostic] | None,
) -> Decision:
    if monitor is None and diags is None and cp.effect != "require_approval":
        return cp.decision
    return msgspec.structs.replace(
        cp.decision,
        monitor=tuple(monitor or ()),
        diagnostics=tuple(diags or ()),
        action_digest=action_digest(request) if cp.effect == "require_approval" else None,
    )


def _diagnostic(cp: CompiledPolicy, i: int, problem: PredicateProblem) -> Diagnostic:
    fld = cp.pred_fields[i]
    kind: Problem = "missing" if problem.problem == "missing" else "wrong_type"
    return Diagnostic(
        cp.id, cp.name, fld, cp.pred_ops[i], kind, diagnostic_message(fld, kind, problem.found)
    )


class CandidateTrace(msgspec.Struct, frozen=True):
    """Why one candidate matched or not."""

    policy_id: str
    policy_name: str
    priority: int
    mode: str
    effect: str
    indexed_by: str  # the dimension that made it a candidate, or "wildcard"
    outcome: str  # "matched" | "no_match" | "unevaluable" | "not_reached"
    failed_field: str | None = None
    detail: str | None = None


class Explanation(msgspec.Struct, frozen=True):
    decision: Decision
    candidates: tuple[CandidateTrace, ...]
    total_policies: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.to_dict(),
            "total_policies": self.total_policies,
            "candidates": [msgspec.structs.asdict(c) for c in self.candidates],
        }


def explain(table: DecisionTable, request: ActionRequest) -> Explanation:
    """Every candidate the index offered, in order, with why it matched or which field
    failed; candidates after the deciding policy are marked ``not_reached``."""
    decision = evaluate(table, request)
    traces: list[CandidateTrace] = []
    decided = False
    for rank in table.candidates(request):
        cp = table.policies[rank]
        if decided:
            traces.append(_trace(cp, "not_reached"))
            continue
        trace = _explain_one(cp, request)
        traces.append(trace)
        decided = trace.outcome == "matched" and cp.enforce
    return Explanation(decision, tuple(traces), len(table.policies))


def _explain_one(cp: CompiledPolicy, request: ActionRequest) -> CandidateTrace:
    for name, check in zip(cp.check_names, cp.check_fns, strict=True):
        if not check(request):
            return _trace(cp, "no_match", name, f"the request does not satisfy match.{name}")
    for i, pred in enumerate(cp.pred_fns):
        result = pred(request)
        if result is True:
            continue
        where = f"when[{i}] ({cp.pred_fields[i]} {cp.pred_ops[i]})"
        if result is False:
            return _trace(cp, "no_match", where, "the predicate is false")
        return _trace(cp, "unevaluable", where, _diagnostic(cp, i, result).message)
    return _trace(cp, "matched")


def _trace(
    cp: CompiledPolicy, outcome: str, failed: str | None = None, detail: str | None = None
) -> CandidateTrace:
    p = cp.policy
    return CandidateTrace(
        cp.id,
        cp.name,
        p.priority,
        p.mode,
        p.effect,
        cp.index_dim or "wildcard",
        outcome,
        failed,
        detail,
    )
