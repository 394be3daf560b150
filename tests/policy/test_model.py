"""Policy validation: each rejection case with its path; accepted forms normalised."""

from __future__ import annotations

from typing import Any

import pytest

from renlayer_core.errors import FieldError, PolicyInvalid
from renlayer_core.ids import parse_id
from renlayer_core.policy import parse_policy, parse_policy_set
from tests.policy.helpers import AGENT, policy


def errors_of(data: Any) -> list[FieldError]:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set(data)
    assert info.value.code == "policy_invalid"
    return info.value.errors


def one_error(data: Any) -> FieldError:
    errs = errors_of(data)
    assert len(errs) == 1, errs
    return errs[0]


def with_match(**match: Any) -> list[dict[str, Any]]:
    return [policy("ok"), policy("bad", match=match)]


def with_when(*when: dict[str, Any]) -> list[dict[str, Any]]:
    return with_match(when=list(when))


M = "policies[1].match"
W = M + ".when[0]"
V = W + ".value"
F = W + ".field"
m = with_match


def w(field: str, op: str, *value: Any, **extra: Any) -> list[dict[str, Any]]:
    doc: dict[str, Any] = {"field": field, "op": op, **extra}
    if value:
        doc["value"] = value[0]
    return with_when(doc)


REJECTIONS: list[tuple[str, Any, str, str]] = [
    ("unknown top field", [policy(priorty=3)], "policies[0].priorty", "unknown field 'priorty'"),
    ("unknown match field", m(tool=["x"]), M + ".tool", "unknown field"),
    ("unknown set field", {"policies": [], "x": 1}, "x", "unknown field 'x'"),
    ("missing name", [{"priority": 1, "effect": "deny"}], "policies[0].name", "is required"),
    ("string priority", [policy(priority="10")], "policies[0].priority", "must be an integer"),
    ("float priority", [policy(priority=1.5)], "policies[0].priority", "must be an integer"),
    ("bool enabled", [policy(enabled="yes")], "policies[0].enabled", "must be true or false"),
    ("bad effect", [policy(effect="block")], "policies[0].effect", "must be one of"),
    ("bad mode", [policy(mode="dry")], "policies[0].mode", "must be one of"),
    ("revision 0", [policy(revision=0)], "policies[0].revision", "must be at least 1"),
    ("empty name", [policy(name="")], "policies[0].name", "must not be empty"),
    ("bad id", [policy(id="agent_01ARYZ6S41TSV4RRFFQ69G5FAV")], "policies[0].id", "pol_"),
    ("bad default", {"default_effect": "ask", "policies": []}, "default_effect", "one of"),
    ("empty list", m(tools=[]), M + ".tools", "must not be empty"),
    ("empty when", m(when=[]), M + ".when", "must not be empty"),
    ("unknown kind", m(kinds=["tool", "grpc"]), M + ".kinds[1]", "one of"),
    ("bad glob", m(tools=["db.[a-z]"]), M + ".tools[0]", "not supported in globs"),
    ("bad host glob", m(hosts=["ok.com", "{a,b}.com"]), M + ".hosts[1]", "not supported"),
    ("bad path glob", m(paths=["/v1/***"]), M + ".paths[0]", "'***'"),
    ("** outside paths", m(tools=["db.**"]), M + ".tools[0]", "only meaningful in paths"),
    ("bad agent ref", m(agents=["bob"]), M + ".agents[0]", "neither an agent id"),
    ("bad agent id", m(agents=["agent_123"]), M + ".agents[0]", "agent"),
    ("label without =", m(agents=["label:team"]), M + ".agents[0]", "label reference"),
    ("bad method", m(methods=["GET /x"]), M + ".methods[0]", "not an HTTP method"),
    ("non-string tool", m(tools=[3]), M + ".tools[0]", "must be text"),
    ("unknown op", w('args.a', 'matches', 'x'), W + ".op", "one of"),
    ("unknown root", w('env.x', 'eq', 1), F, "unknown field 'env.x'"),
    ("bad path syntax", w('args.a[x]', 'eq', 1), F, "bad path"),
    ("bad header", w('header.a b', 'eq', 'x'), F, "header name"),
    ("gt with string", w('args.a', 'gt', '10'), V, "compares numbers"),
    ("gt with bool", w('args.a', 'gt', True), V, "compares numbers"),
    ("in without list", w('args.a', 'in', 'x'), V, "non-empty list"),
    ("in empty list", w('args.a', 'not_in', []), V, "non-empty list"),
    ("lookahead", w('args.q', 'regex', '(?=drop)'), V, "not supported by RE2"),
    ("backreference", w('args.q', 'regex', '(a)\\1'), V, "not supported by RE2"),
    ("regex not text", w('args.q', 'regex', 5), V, "regular expression"),
    ("bad when glob", w('args.q', 'glob', '[ab]'), V, "not supported in globs"),
    ("missing value", w('args.q', 'eq'), V, "needs a value"),
    ("exists non-bool", w('args.q', 'exists', 1), V, "true or false"),
    ("contains list", w('args.q', 'contains', [1]), V, "single value"),
    ("regex on number", w('time.hour', 'regex', '1'), V, "is a number"),
    ("text on number", w('body.size', 'eq', 'big'), V, "is a number"),
    ("gt on header", w('header.x-n', 'gt', 3), V, "is text"),
    ("number on header", w('header.x-n', 'eq', 3), V, "header values are text"),
    ("unknown when key", w('args.a', 'eq', 1, **{'x': 2}), W + ".x", "unknown field"),
    ("url as host", m(hosts=["https://x.com/"]), M + ".hosts[0]", "is not a host"),
    ("host with port", m(hosts=["x.com:443"]), M + ".hosts[0]", "has a port"),
    ("relative path", m(paths=["v1/admin/**"]), M + ".paths[0]", "start with '/'"),
    ("upper upstream", m(upstreams=["Prod-DB"]), M + ".upstreams[0]", "lower-case"),
    ("non-JSON value", w("args.d", "eq", {1, 2}), V, "must be plain JSON"),
    ("non-text key", w("args.d", "eq", {"a": [{1: 2}]}), V, "object keys must be text"),
    ("not a list", "just text", "", "a list of policies or an object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "path", "fragment"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_name_the_path(data: Any, path: str, fragment: str) -> None:
    err = one_error(data)
    assert err.path == path
    assert fragment in err.message
    assert "Input should" not in err.message  # pydantic wording never leaks
    assert err.message == err.message.strip() and "\n" not in err.message


def test_every_problem_is_reported_at_once() -> None:
    errs = errors_of(
        [
            policy(priority="x", effect="nope", match={"tools": [], "methods": ["G T"]}),
            policy(match={"when": [{"field": "args.a", "op": "gt", "value": "1"}]}),
        ]
    )
    paths = {e.path for e in errs}
    assert paths == {
        "policies[0].priority",
        "policies[0].effect",
        "policies[0].match.tools",
        "policies[0].match.methods[0]",
        "policies[1].match.when[0].value",
    }
    for err in errs:
        assert err.expected is not None and err.found is not None


def test_error_found_and_expected_describe_user_input() -> None:
    err = one_error(with_when({"field": "args.a", "op": "gt", "value": "10"}))
    assert err.expected == "a number"
    assert err.found == "'10'"
    assert str(err).startswith("policies[1].match.when[0].value: ")


def test_errors_inside_json_values_have_clean_paths() -> None:
    err = one_error(w("args.d", "eq", {"a": {"b": [1, b"x"]}}))
    assert err.path == V + ".a.b[1]"
    assert err.found == "a bytes value"


def test_duplicate_ids_are_rejected() -> None:
    pid = "pol_01ARYZ6S41TSV4RRFFQ69G5FAV"
    err = one_error([policy(id=pid), policy(id=pid.lower())])
    assert err.path == "policies[1].id"
    assert "duplicate policy id" in err.message


def test_defaults_and_normalisation() -> None:
    p = parse_policy(
        policy(
            match={
                "agents": [AGENT.lower(), "label:team=finance"],
                "hosts": ["*.Example.COM"],
                "methods": ["post", "Get"],
            }
        )
    )
    assert p.mode == "enforce" and p.enabled is True and p.revision == 1 and p.reason is None
    assert parse_id(p.id, "pol") == p.id
    assert p.match.agents == [AGENT, "label:team=finance"]
    assert p.match.hosts == ["*.example.com"]
    assert p.match.methods == ["POST", "GET"]
    assert p.match.tools is None


def test_generated_ids_follow_file_order() -> None:
    docs = [policy(name=f"p{i}", priority=1) for i in range(50)]
    ids = [p.id for p in parse_policy_set(docs).policies]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_object_and_list_forms() -> None:
    as_list = parse_policy_set([policy()])
    assert as_list.default_effect == "deny" and len(as_list.policies) == 1
    as_obj = parse_policy_set({"default_effect": "allow", "policies": [policy()]})
    assert as_obj.default_effect == "allow"


def test_single_policy_errors_have_root_paths() -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy(policy(match={"tools": ["a[b"]}))
    assert [e.path for e in info.value.errors] == ["match.tools[0]"]


def test_null_match_fields_mean_absent() -> None:
    p = parse_policy(policy(match={"tools": None}))
    assert p.match.tools is None


@pytest.mark.parametrize(
    "when",
    [
        {"field": "args.items[0].name", "op": "eq", "value": "x"},
        {"field": 'args["dotted.key"]', "op": "exists"},
        {"field": "args", "op": "contains", "value": "x"},
        {"field": "body", "op": "exists", "value": False},
        {"field": "body.size", "op": "lte", "value": 1048576},
        {"field": "header.X-Request-Id", "op": "regex", "value": "^[a-f0-9-]+$"},
        {"field": "session.trace_count", "op": "in", "value": [1, 2, 3]},
        {"field": "time.hour", "op": "gte", "value": 18},
        {"field": "time.weekday", "op": "not_in", "value": [5, 6]},
        {"field": "args.amount", "op": "eq", "value": None},
        {"field": "args.tags", "op": "eq", "value": ["a", {"b": 1}]},
    ],
)
def test_accepted_predicates(when: dict[str, Any]) -> None:
    p = parse_policy(policy(match={"when": [when]}))
    assert p.match.when is not None
    (w,) = p.match.when
    assert (w.field, w.op, w.value) == (when["field"], when["op"], when.get("value"))
