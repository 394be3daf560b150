"""Every `when` operator and field root, through both the table and the naive twin."""

from __future__ import annotations

from typing import Any

import pytest

from renlayer_core.policy.predicates import json_equal
from tests.policy.helpers import decide, policy, request

ARGS = {
    "amount": 1500,
    "price": 9.5,
    "flag": True,
    "name": "Prod-DB",
    "query": "DROP TABLE users",
    "tags": ["a", "b", 3],
    "nested": {"list": [{"id": 7}], "dotted.key": "x"},
    "nothing": None,
}
REQ = request(
    args=ARGS,
    body={"text": "hello world", "n": 2},
    headers={"X-Env": "prod"},
    session={"trace_count": 4},
    time="2026-11-28T18:45:00Z",  # Saturday
)


def outcome(when: dict[str, Any], req: dict[str, Any] = REQ) -> tuple[bool, list[str]]:
    """(whether the predicate held, problems reported as diagnostics)."""
    d = decide([policy(effect="allow", match={"when": [when]})], req)
    return d.effect == "allow", [diag.problem for diag in d.diagnostics]


def holds(field: str, op: str, *value: Any, req: dict[str, Any] = REQ) -> bool:
    when: dict[str, Any] = {"field": field, "op": op}
    if value:
        when["value"] = value[0]
    ok, problems = outcome(when, req)
    assert problems == [], problems
    return ok


def problem(field: str, op: str, *value: Any, req: dict[str, Any] = REQ) -> str:
    when: dict[str, Any] = {"field": field, "op": op}
    if value:
        when["value"] = value[0]
    ok, problems = outcome(when, req)
    assert not ok
    assert len(problems) == 1
    return problems[0]


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("args.amount", "eq", 1500, True),
        ("args.amount", "eq", 1500.0, True),  # JSON numbers compare by value
        ("args.amount", "eq", "1500", False),
        ("args.flag", "eq", True, True),
        ("args.flag", "eq", 1, False),  # a boolean is not a number
        ("args.amount", "ne", 1, True),
        ("args.amount", "ne", 1500, False),
        ("args.nothing", "eq", None, True),
        ("args.tags", "eq", ["a", "b", 3], True),
        ("args.tags", "eq", ["a", "b"], False),
        ("args.nested", "eq", {"list": [{"id": 7}], "dotted.key": "x"}, True),
        ("args.amount", "in", [1, 1500], True),
        ("args.amount", "in", [True, "1500"], False),
        ("args.amount", "in", [1500.0, 2], True),  # all-number list: set lookup
        ("args.flag", "in", [1, 0], False),  # ... that never finds a boolean
        ("args.amount", "in", ["1500", "x"], False),  # all-text list
        ("args.name", "in", ["x", "Prod-DB"], True),
        ("args.name", "not_in", ["x", "y"], True),
        ("args.amount", "not_in", [1, 2], True),
        ("args.amount", "not_in", [1500], False),
        ("args.name", "glob", "Prod-*", True),
        ("args.name", "glob", "prod-*", False),  # case-sensitive
        ("args.query", "regex", r"(?i)\b(drop|truncate)\b", True),
        ("args.query", "regex", "^TABLE", False),  # search, anchors honoured
        ("args.query", "regex", "TABLE", True),
        ("args.amount", "gt", 1000, True),
        ("args.amount", "gt", 1500, False),
        ("args.amount", "gte", 1500, True),
        ("args.price", "lt", 10, True),
        ("args.price", "lte", 9.5, True),
        ("args.price", "lt", 9.5, False),
        ("args.query", "contains", "TABLE", True),
        ("args.query", "contains", "table", False),
        ("args.tags", "contains", 3, True),
        ("args.tags", "contains", "c", False),
        ("args.nested.list[0].id", "eq", 7, True),
        ('args.nested["dotted.key"]', "eq", "x", True),
        ("args.tags[2]", "eq", 3, True),
        ("body.text", "glob", "hello*", True),
        ("body.n", "gte", 2, True),
        ("body.size", "eq", len(b'{"n":2,"text":"hello world"}'), True),
        ("header.x-env", "eq", "prod", True),
        ("header.X-ENV", "in", ["dev", "prod"], True),
        ("session.trace_count", "gt", 3, True),
        ("time.hour", "eq", 18, True),
        ("time.weekday", "in", [5, 6], True),
        ("time.weekday", "eq", 0, False),
    ],
)
def test_operator_semantics(field: str, op: str, value: Any, expected: bool) -> None:
    assert holds(field, op, value) is expected


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("args.amount", True, True),
        ("args.amount", False, False),
        ("args.missing", False, True),
        ("args.nothing", True, True),  # present, even though null
        ("header.x-other", False, True),
        ("session.trace_count", True, True),
        ("body.text", True, True),
    ],
)
def test_exists(field: str, value: bool, expected: bool) -> None:
    assert holds(field, "exists", value) is expected


def test_exists_without_value_means_true() -> None:
    assert holds("args.amount", "exists") is True
    assert holds("args.missing", "exists") is False


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("args.missing", "eq", 1),
        ("args.missing", "ne", 1),  # ne on a missing field is not "true"
        ("args.missing", "not_in", [1]),
        ("args.amount.deeper", "eq", 1),
        ("args.tags[9]", "eq", 1),
        ("args.tags.x", "eq", 1),
        ("header.x-other", "ne", "prod"),
        ("body.missing", "eq", "x"),
    ],
)
def test_missing_fields_are_unevaluable(field: str, op: str, value: Any) -> None:
    assert problem(field, op, value) == "missing"


def test_missing_roots_are_unevaluable() -> None:
    bare = request()
    assert problem("args.x", "eq", 1, req=bare) == "missing"
    assert problem("body.x", "eq", 1, req=bare) == "missing"
    assert problem("session.trace_count", "gt", 1, req=bare) == "missing"
    assert holds("body.size", "eq", 0, req=bare) is True  # no body is an empty body


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("args.flag", "gt", 0),  # a boolean is not a number
        ("args.name", "gt", 0),
        ("args.amount", "regex", "1"),
        ("args.amount", "glob", "1*"),
        ("args.tags", "glob", "*"),
        ("args.nested", "contains", "list"),  # objects have no `contains`
        ("args.query", "contains", 1),  # text contains text only
        ("args.amount", "contains", 1),
    ],
)
def test_wrong_types_are_unevaluable(field: str, op: str, value: Any) -> None:
    assert problem(field, op, value) == "wrong_type"


def test_diagnostic_names_policy_field_and_problem() -> None:
    d = decide(
        [
            policy(
                "needs-amount",
                match={"when": [{"field": "args.amount", "op": "gt", "value": 1}]},
            )
        ],
        request(args={"amount": "lots"}),
        default="allow",
    )
    assert d.effect == "allow" and d.code == "allowed"  # the deny did not apply
    [diag] = d.diagnostics
    assert (diag.policy_name, diag.field, diag.op, diag.problem) == (
        "needs-amount",
        "args.amount",
        "gt",
        "wrong_type",
    )
    assert "text" in diag.message


def test_predicates_stop_at_the_first_false_one() -> None:
    when = [
        {"field": "args.amount", "op": "eq", "value": 0},
        {"field": "args.missing", "op": "eq", "value": 1},
    ]
    d = decide([policy(match={"when": when})], request(args={"amount": 5}))
    assert d.diagnostics == ()  # the second predicate was never reached


def test_unevaluable_predicate_never_lets_an_action_through() -> None:
    """A deny that cannot be evaluated is skipped, and the next policy or default decides —
    it never turns into an allow by itself."""
    deny = policy(
        "deny-big", 1, "deny", match={"when": [{"field": "args.n", "op": "gt", "value": 5}]}
    )
    d = decide([deny], request(args={}))
    assert (d.effect, d.code) == ("deny", "default_denied")
    assert len(d.diagnostics) == 1


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        (None, None, True),
        ("a", "a", True),
        ([1, [2]], [1.0, [2]], True),
        ({"a": 1}, {"a": True}, False),
        ({"a": 1}, {"b": 1}, False),
        ([1], (1,), False),
    ],
)
def test_json_equal(a: Any, b: Any, equal: bool) -> None:
    assert json_equal(a, b) is equal
