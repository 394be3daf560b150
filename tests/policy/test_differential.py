"""The decision table and its naive twin must agree on every decision (SPEC: every fast
structure has a naive twin). Each generated set is checked on its generated requests plus a
fixed bank of 48: about 150 × 50 + 150 × 50 + 30 × 50 ≈ 16,500 comparisons per default run."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.policy import (
    ActionRequest,
    Decision,
    DecisionTable,
    Policy,
    compile_policies,
    evaluate,
    evaluate_naive,
    explain,
    parse_policy_set,
    parse_request,
)
from renlayer_core.policy.naive import static_match
from tests.policy.strategies import examples, policy_docs, request_bank, request_docs

BANK = [parse_request(doc) for doc in request_bank()]

SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _check(docs: list[dict[str, Any]], default: str, requests: list[dict[str, Any]]) -> None:
    policy_set = parse_policy_set({"default_effect": default, "policies": docs})
    policies = policy_set.policies
    table = compile_policies(policies, default)
    for request in [parse_request(doc) for doc in requests] + BANK:
        fast = evaluate(table, request)
        slow = evaluate_naive(policies, default, request)
        assert fast == slow, (fast, slow)
        _check_explanation(table, policies, request, fast)


def _check_explanation(
    table: DecisionTable, policies: list[Policy], request: ActionRequest, decision: Decision
) -> None:
    """The index never rules out a policy whose static match holds — even one after the
    deciding policy, which the decision alone would not reveal — and explain's outcomes
    agree with the decision."""
    ex = explain(table, request)
    assert ex.decision == decision
    offered = {c.policy_id for c in ex.candidates}
    for p in policies:
        if p.enabled and static_match(p.match, request):
            assert p.id in offered, (p.id, p.match)
    matched = [c for c in ex.candidates if c.outcome == "matched"]
    enforce = [c.policy_id for c in matched if c.mode == "enforce"]
    assert enforce[:1] == ([decision.policy_id] if decision.policy_id else [])
    assert [c.policy_id for c in matched if c.mode == "monitor"] == [
        m.policy_id for m in decision.monitor
    ]


@SETTINGS
@given(
    policy_docs(),
    st.sampled_from(["allow", "deny"]),
    st.lists(request_docs(), min_size=1, max_size=4),
)
def test_table_matches_twin_on_mixed_sets(
    docs: list[dict[str, Any]], default: str, requests: list[dict[str, Any]]
) -> None:
    _check(docs, default, requests)


@SETTINGS
@given(
    policy_docs(max_size=12, with_when=False),
    st.sampled_from(["allow", "deny"]),
    st.lists(request_docs(), min_size=1, max_size=3),
)
def test_table_matches_twin_on_match_fields_only(
    docs: list[dict[str, Any]], default: str, requests: list[dict[str, Any]]
) -> None:
    _check(docs, default, requests)


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(policy_docs(min_size=20, max_size=60), st.lists(request_docs(), min_size=1, max_size=3))
def test_table_matches_twin_on_large_sets(
    docs: list[dict[str, Any]], requests: list[dict[str, Any]]
) -> None:
    _check(docs, "deny", requests)


def _features(policies: list[Policy], request: ActionRequest, d: Decision) -> set[str]:
    """Which interesting situations one evaluation exercised (asked of the naive twin)."""
    seen = {d.code}
    if d.monitor:
        seen.add("monitor")
        if d.policy_id:
            seen.add("monitor_before_enforce")
    if d.diagnostics:
        seen.add("diagnostics")
        if d.policy_id:
            seen.add("diagnostic_then_decided")
    decider = next((p for p in policies if p.id == d.policy_id), None)
    if decider is not None:
        if any(p.priority == decider.priority for p in policies if p is not decider):
            seen.add("priority_tie")
        # A matching monitor policy after the decider must not be reported.
        as_monitor = [
            p.model_copy(update={"mode": "monitor"}) if p is decider else p for p in policies
        ]
        later = evaluate_naive(as_monitor, "deny", request).monitor
        if len(later) > len(d.monitor) + 1:
            seen.add("monitor_after_enforce")
        if decider.match.when:
            seen.add("decided_by_when")
    enabled_all = [p.model_copy(update={"enabled": True}) for p in policies]
    if evaluate_naive(enabled_all, "deny", request) != evaluate_naive(policies, "deny", request):
        seen.add("disabled_mattered")
    dims = [
        f
        for f in ("agents", "upstreams", "tools", "hosts", "kinds")
        if decider and getattr(decider.match, f)
    ]
    if len(dims) >= 2:
        seen.add("decided_on_two_indexed_dimensions")
    if (
        decider is not None
        and decider.match.agents
        and any(a.startswith("label:") for a in decider.match.agents)
    ):
        seen.add("decided_by_label")
    if decider is not None and decider.match.findings:
        seen.add("decided_by_findings")
    return seen


def test_generated_sets_are_mostly_valid_and_decisive() -> None:
    """Guard against a vacuous differential test: the generators must produce valid sets
    and requests that reach every outcome and every situation where the table could go
    wrong (ties, disabled policies, monitor hits before and after the decider, several
    indexed dimensions, labels, findings, unevaluable predicates)."""
    seen: set[str] = set()
    valid = 0

    # Derandomized: a coverage guard must not be flaky; the features it asks for occur in
    # roughly 1% to 40% of evaluations (decided_by_findings is the rarest).
    @settings(max_examples=120, deadline=None, database=None, derandomize=True)
    @given(policy_docs(), st.lists(request_docs(), min_size=1, max_size=4))
    def run(docs: list[dict[str, Any]], requests: list[dict[str, Any]]) -> None:
        nonlocal valid
        policy_set = parse_policy_set(docs)  # generated sets are valid by construction
        valid += 1
        table = compile_policies(policy_set.policies)
        for request in [parse_request(doc) for doc in requests] + BANK:
            seen.update(_features(policy_set.policies, request, evaluate(table, request)))

    run()
    assert valid >= 30
    assert {"allowed", "policy_denied", "approval_required", "default_denied"} <= seen
    wanted = {
        "monitor", "monitor_before_enforce", "monitor_after_enforce", "diagnostics",
        "diagnostic_then_decided", "priority_tie", "decided_by_when", "disabled_mattered",
        "decided_on_two_indexed_dimensions", "decided_by_label", "decided_by_findings",
    }  # fmt: skip
    assert wanted <= seen, wanted - seen
