from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from renlayer_core.errors import ValidationFailed
from renlayer_core.policy import parse_request
from renlayer_core.policy.request import normalize_host, normalize_path
from tests.policy.helpers import AGENT, request


def test_full_request_is_parsed_and_normalised() -> None:
    r = parse_request(
        {
            "agent": {"id": AGENT.lower(), "labels": ["team=finance"]},
            "kind": "http",
            "upstream": "prod-db",
            "tool": None,
            "args": {"query": "select 1"},
            "method": "post",
            "host": "DB.Internal.Example.com:8443",
            "path": "/v1/public/../admin/./x?debug=1",
            "model": None,
            "headers": {"X-Env": "prod"},
            "body": {"any": "json"},
            "findings": ["pii.email"],
            "session": {"trace_count": 3},
            "time": "2026-11-28T10:00:00Z",
        }
    )
    assert r.agent_id == AGENT
    assert r.agent_keys == (AGENT, "label:team=finance")
    assert r.method_key == "POST" and r.method == "post"
    assert r.host_key == "db.internal.example.com"
    assert r.path_key == "/v1/admin/x"
    assert r.headers == {"x-env": "prod"}
    assert r.trace_count == 3
    assert (r.hour, r.weekday) == (10, 5)  # 2026-11-28 is a Saturday; Monday is 0
    assert r.body_size == len(b'{"any":"json"}')


def test_time_defaults_to_now_and_offsets_become_utc() -> None:
    before = datetime.now(UTC)
    r = parse_request(request())
    assert before <= r.time <= datetime.now(UTC)
    r = parse_request(request(time="2026-11-28T23:30:00-02:00"))
    assert (r.time.hour, r.weekday) == (1, 6)
    assert r.raw_time == "2026-11-29T01:30:00Z"


@pytest.mark.parametrize(
    ("body", "size"),
    [(None, 0), ("héllo", 6), ({"b": 1, "a": [1, 2]}, len(b'{"a":[1,2],"b":1}')), ([], 2)],
)
def test_body_size(body: Any, size: int) -> None:
    assert parse_request(request(body=body)).body_size == size


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("API.Example.COM", "api.example.com"),
        ("example.com.", "example.com"),
        ("example.com:443", "example.com"),
        ("[::1]:8080", "::1"),
        ("::1", "::1"),
    ],
)
def test_normalize_host(host: str, key: str) -> None:
    assert normalize_host(host) == key


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v1/x?y=/z", "/v1/x"),
        ("/v1/x#frag", "/v1/x"),
        ("/a/b/../c", "/a/c"),
        ("/a/./b", "/a/b"),
        ("/../../etc", "/etc"),
        ("/a/b/..", "/a/"),
        ("/a//b", "/a//b"),
        ("/", "/"),
    ],
)
def test_normalize_path(path: str, key: str) -> None:
    assert normalize_path(path) == key


REJECTIONS: list[tuple[Any, str, str]] = [
    ("text", "", "an action request is an object"),
    ({"kind": "tool"}, "agent", "is required"),
    (request(agent={"id": "usr_01ARYZ6S41TSV4RRFFQ69G5FAV"}), "agent.id", "agent_"),
    (request(agent={"id": AGENT, "labels": ["team"]}), "agent.labels[0]", "key=value"),
    (request(agent={"id": AGENT, "labels": "a=b"}), "agent.labels", "must be a list"),
    (request(agent={"id": AGENT, "role": "x"}), "agent.role", "unknown field"),
    (request(kind="grpc"), "kind", "http, llm or tool"),
    (request(tool=5), "tool", "must be text"),
    (request(method=["GET"]), "method", "must be text"),
    (request(headers={"X-A": "1", "x-a": "2"}), "headers.x-a", "given twice"),
    (request(headers={"X-A": 1}), "headers.X-A", "must be text"),
    (request(findings="pii.email"), "findings", "must be a list"),
    (request(findings=[1]), "findings[0]", "detector id"),
    (request(session={"trace_count": -1}), "session.trace_count", "whole number"),
    (request(session={"trace_count": True}), "session.trace_count", "whole number"),
    (request(session={"count": 1}), "session.count", "unknown field"),
    (request(time="2026-11-28"), "time", "RFC 3339"),
    (request(time="2026-11-28T10:00:00"), "time", "RFC 3339"),  # no offset
    (request(time="2026-13-28T10:00:00Z"), "time", "RFC 3339"),
    (request(args={"x": {1, 2}}), "args.x", "is not JSON"),
    (request(body={"x": float("nan")}), "body.x", "finite"),
    (request(color="red"), "color", "unknown field"),
]


@pytest.mark.parametrize(("data", "path", "fragment"), REJECTIONS)
def test_rejections_name_the_path(data: Any, path: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_request(data)
    assert info.value.code == "validation_failed"
    matching = [e for e in info.value.errors if e.path == path]
    assert matching, info.value.errors
    assert fragment in matching[0].message


def test_all_request_problems_reported_together() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(kind="x", tool=1, time="soon"))
    assert {e.path for e in info.value.errors} == {"kind", "tool", "time"}


def test_to_dict_round_trips() -> None:
    doc = request(tool="db.query", args={"q": 1}, time="2026-11-28T10:00:00Z")
    r = parse_request(doc)
    again = parse_request(r.to_dict())
    assert again.to_dict() == r.to_dict()
