"""Inputs a JSON parser accepts but that broke evaluation: lone surrogates (valid in JSON
text, ``"\\ud800"``, yet not Unicode, so RE2 and UTF-8 encoding refuse them) and times whose
conversion to UTC leaves the calendar. Each must be refused at parse time with a clear error,
never raise from ``evaluate``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from renlayer_core.errors import PolicyInvalid, ValidationFailed
from renlayer_core.policy import parse_policy_set, parse_request
from tests.policy.helpers import AGENT, policy, request

LONE = json.loads('"a\\ud800b"')


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"tool": LONE}, "tool"),
        ({"host": LONE}, "host"),
        ({"method": LONE}, "method"),
        ({"args": {"q": LONE}}, "args.q"),
        ({"args": {LONE: 1}}, "args"),
        ({"body": LONE}, "body"),
        ({"body": [1, {"x": LONE}]}, "body[1].x"),
        ({"headers": {"x-a": LONE}}, "headers.x-a"),
        ({"findings": [LONE]}, "findings[0]"),
        ({"agent": {"id": AGENT, "labels": ["k=" + LONE]}}, "agent.labels[0]"),
    ],
)
def test_request_text_must_be_unicode(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(**fields))
    assert path in [e.path for e in info.value.errors]
    assert "not valid Unicode" in info.value.message


@pytest.mark.parametrize(
    "match",
    [
        {"tools": ["*" + LONE + "*"]},
        {"hosts": ["*" + LONE]},
        {"when": [{"field": "args.q", "op": "regex", "value": LONE}]},
        {"when": [{"field": "args.q", "op": "glob", "value": "*" + LONE + "*"}]},
        {"when": [{"field": "args.q", "op": "eq", "value": LONE}]},
    ],
)
def test_policy_text_must_be_unicode(match: dict[str, Any]) -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set([policy(match=match)])
    assert "not valid Unicode" in info.value.message
    assert info.value.errors[0].path.startswith("policies[0].match.")


def test_policy_name_must_be_unicode() -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set([policy(name=LONE)])
    assert info.value.errors[0].path == "policies[0].name"


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z"]
)
def test_time_at_the_edge_of_the_calendar(when: str) -> None:
    if when.endswith("Z"):
        assert parse_request(request(time=when)).hour == 0
        return
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(time=when))
    assert [e.path for e in info.value.errors] == ["time"]


@pytest.mark.parametrize(
    "doc",
    [
        {"policies": [], "bad\nkey": 1},
        [policy(match={"when": [{"field": "args.q\n", "op": "eq", "value": 1}]})],
        [policy(name=123, match={"tools": ["a\nb"]})],
        "a\nb",
    ],
)
def test_policy_errors_are_one_printable_line(doc: Any) -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set(doc)
    for err in info.value.errors:
        assert all(str(part).isprintable() for part in err.to_dict().values())
    shown = [str(v) for e in info.value.errors for v in e.to_dict().values()]
    assert any("\\n" in v for v in shown), shown


@pytest.mark.parametrize(
    "fields",
    [{"bad\nkey": 1}, {"headers": {"x\ny": 1}}, {"args": {"a\nb": float("nan")}}, {"tool": 5}],
)
def test_request_errors_are_one_printable_line(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(**fields))
    for err in info.value.errors:
        assert all(str(part).isprintable() for part in err.to_dict().values())


@pytest.mark.parametrize("where", ["args", "body"])
def test_request_integers_too_large_to_encode(where: str) -> None:
    # Such an integer cannot be written as JSON text (Python refuses past 4300 digits), so
    # the approval digest and body.size could not be computed: refuse it up front.
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(**{where: {"x": 10**5000}}))
    assert [e.path for e in info.value.errors] == [f"{where}.x"]
    assert parse_request(request(**{where: {"x": 10**299}})) is not None


def test_huge_integers_in_policies_are_described_not_printed() -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set([policy(priority=10**5000)])
    (err,) = info.value.errors
    assert err.path == "policies[0].priority" and err.found == "a number of about 5000 digits"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"agent": {"id": AGENT, "labels": [10**5000]}}, "agent.labels[0]"),
        ({"findings": [10**5000]}, "findings[0]"),
        ({"headers": {10**5000: "x"}}, "headers"),
        ({"session": {10**5000: 1}}, "session.a number of about 5000 digits"),
    ],
)
def test_request_non_text_where_text_is_expected(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(**fields))
    assert path in [e.path for e in info.value.errors]
