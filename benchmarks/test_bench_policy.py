"""A pytest-benchmark slice of the policy benchmark; outside the default test run.

    pytest benchmarks/test_bench_policy.py --benchmark-enable

Ours at 10 and 10,000 policies, the naive twin at 1,000, each over a cycle of generated
requests (not one request repeated, which would flatter any cache). The full side-by-side
with cedarpy and pycasbin is `python -m benchmarks.bench_policy`. The last test checks the
benchmark's inputs themselves: the table and its naive twin agree on every generated request,
and the requests really exercise the rules rather than all falling to the default.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.policy_workload import Workload, generate
from renlayer_core.policy import (
    compile_policies,
    evaluate,
    evaluate_naive,
    parse_policy_set,
    parse_request,
)

REQUESTS = 2_000


@functools.cache
def _prepared(size: int) -> tuple[Workload, Any, Any, list[Any]]:
    workload = generate(size, REQUESTS)
    policy_set = parse_policy_set(workload.document)
    table = compile_policies(policy_set.policies, default_effect=policy_set.default_effect)
    requests = [parse_request(r) for r in workload.requests]
    return workload, policy_set, table, requests


@pytest.mark.parametrize("size", [10, 10_000])
def test_decision_table_evaluate(benchmark: BenchmarkFixture, size: int) -> None:
    _, _, table, requests = _prepared(size)
    cycle = itertools.cycle(requests)
    decision = benchmark(lambda: evaluate(table, next(cycle)))
    assert decision.effect in ("allow", "deny", "require_approval")


def test_naive_twin_evaluate_1000(benchmark: BenchmarkFixture) -> None:
    _, policy_set, _, requests = _prepared(1_000)
    policies, default = policy_set.policies, policy_set.default_effect
    cycle = itertools.cycle(requests)
    decision = benchmark(lambda: evaluate_naive(policies, default, next(cycle)))
    assert decision.effect in ("allow", "deny", "require_approval")


def _key(decision: Any) -> tuple[str, str | None, tuple[str, ...]]:
    return decision.effect, decision.policy_id, tuple(h.policy_id for h in decision.monitor)


def test_table_and_naive_agree_and_requests_hit_real_rules() -> None:
    workload, policy_set, table, requests = _prepared(1_000)
    policies, default = policy_set.policies, policy_set.default_effect
    decided_by: Counter[str] = Counter()
    for request in requests:
        fast = evaluate(table, request)
        slow = evaluate_naive(policies, default, request)
        assert _key(fast) == _key(slow)
        decided_by[workload.category.get(fast.policy_id or "", "default")] += 1
    specific = sum(decided_by[k] for k in ("exact", "glob", "scoped", "when"))
    assert specific / len(requests) >= 0.3, decided_by
    assert decided_by["broad"] > 0 and decided_by["default"] > 0, decided_by
    assert all(decided_by[k] > 0 for k in ("exact", "glob", "scoped", "when")), decided_by
