"""The decision table's structure: passes, index choice, and candidate sets that do not grow
with policies that cannot match."""

from __future__ import annotations

from typing import Any

import pytest

from renlayer_core.policy import compile_policies, parse_policy_set, parse_request
from renlayer_core.policy.compiler import PASSES
from renlayer_core.policy.index import GlobIndex
from tests.policy.helpers import policy, request


def table_of(docs: list[dict[str, Any]]) -> Any:
    return compile_policies(parse_policy_set(docs).policies)


def test_passes_are_named_ordered_and_timed() -> None:
    table = table_of([policy()])
    names = [name for name, _ in table.timings]
    assert names == [name for name, _ in PASSES]
    assert names[0] == "select" and "choose_index" in names
    assert all(isinstance(ns, int) and ns >= 0 for _, ns in table.timings)
    assert table.stats()["timings_ns"].keys() == set(names)


def test_only_enabled_policies_are_compiled() -> None:
    table = table_of([policy("a"), policy("b", enabled=False)])
    assert [cp.name for cp in table.policies] == ["a"]


def test_ranks_follow_priority_then_id() -> None:
    table = table_of([policy("c", 3), policy("a", 1), policy("b", 1)])
    assert [cp.name for cp in table.policies] == ["a", "b", "c"]
    assert [cp.rank for cp in table.policies] == [0, 1, 2]


def test_most_selective_dimension_is_chosen() -> None:
    docs = [policy(f"k{i}", match={"kinds": ["tool"]}) for i in range(5)]
    docs.append(policy("t", match={"kinds": ["tool"], "tools": ["db.query"]}))
    docs.append(policy("w", match={"methods": ["GET"]}))
    table = table_of(docs)
    dims = {cp.name: cp.index_dim for cp in table.policies}
    assert dims["t"] == "tool"  # one policy on db.query beats six on kind=tool
    assert dims["w"] is None  # methods are not indexed: wildcard bucket
    t = next(cp for cp in table.policies if cp.name == "t")
    assert t.check_names == ("kinds",)  # the indexed field is not re-checked


def test_candidates_do_not_grow_with_unrelated_policies() -> None:
    docs = [policy(f"tool-{i}", i, match={"tools": [f"svc{i}.call"]}) for i in range(500)]
    docs += [policy(f"host-{i}", i, match={"hosts": [f"*.h{i}.example.com"]}) for i in range(500)]
    docs += [policy(f"agent-{i}", i, match={"agents": [f"label:shard={i}"]}) for i in range(500)]
    docs.append(policy("catch-all", 10_000, "allow"))
    table = table_of(docs)
    r = parse_request(
        request(
            kind="http",
            tool="svc7.call",
            host="api.h9.example.com",
            agent={"id": "agent_01ARYZ6S41TSV4RRFFQ69G5FAV", "labels": ["shard=3"]},
        )
    )
    names = [table.policies[rank].name for rank in table.candidates(r)]
    assert names == ["agent-3", "tool-7", "host-9", "catch-all"]


def test_candidates_are_sorted_and_unique() -> None:
    table = table_of([policy("p", 1, match={"tools": ["db.*", "db.query", "*.query", "*"]})])
    r = parse_request(request(tool="db.query"))
    assert table.candidates(r) == [0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("db.query", [0, 1, 3, 4]),
        ("db.exec", [1, 2, 4]),
        ("shell.exec", [2, 4]),
        ("", [4]),
    ],
)
def test_glob_index_lookup(value: str, expected: list[int]) -> None:
    index = GlobIndex(
        [("db.query", 0), ("db.*", 1), ("*.exec", 2), ("d?.q*y", 3), ("*", 4), ("nope.*", 5)]
    )
    out: list[int] = []
    index.lookup(value, out)
    assert sorted(out) == expected
    assert len(index) == 6


def test_table_is_immutable() -> None:
    table = table_of([policy()])
    with pytest.raises(AttributeError):
        table.default_effect = "allow"
