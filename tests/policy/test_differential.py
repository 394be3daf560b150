"""The decision table and its naive twin must agree on every decision (SPEC: every fast
structure has a naive twin). Each generated set is checked on its generated requests plus a
fixed bank of 48: about 150 × 50 + 150 × 50 + 30 × 50 ≈ 16,500 comparisons per default run."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.policy import (
    compile_policies,
    evaluate,
    evaluate_naive,
    explain,
    parse_policy_set,
    parse_request,
)
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
        assert explain(table, request).decision == fast


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


def test_generated_sets_are_mostly_valid_and_decisive() -> None:
    """Guard against a vacuous differential test: the generators must produce valid sets
    and requests that hit every outcome."""
    seen: set[str] = set()
    valid = 0

    @settings(max_examples=80, deadline=None, database=None)
    @given(policy_docs(), st.lists(request_docs(), min_size=1, max_size=4))
    def run(docs: list[dict[str, Any]], requests: list[dict[str, Any]]) -> None:
        nonlocal valid
        policy_set = parse_policy_set(docs)  # generated sets are valid by construction
        valid += 1
        table = compile_policies(policy_set.policies)
        for request in [parse_request(doc) for doc in requests] + BANK:
            d = evaluate(table, request)
            seen.add(d.code)
            if d.monitor:
                seen.add("monitor")
            if d.diagnostics:
                seen.add("diagnostics")

    run()
    assert valid >= 30
    assert {"allowed", "policy_denied", "approval_required", "default_denied"} <= seen
    assert {"monitor", "diagnostics"} <= seen
