"""Decision semantics: ordering, monitor hits, defaults, matching rules, approval data,
explain."""

from __future__ import annotations

from typing import Any

from renlayer_core.policy import compile_policies, explain, parse_policy_set, parse_request
from tests.policy.helpers import AGENT, OTHER_AGENT, decide, matches, policy, request


def test_first_enforce_match_decides_in_priority_order() -> None:
    d = decide(
        [policy("late-allow", 50, "allow"), policy("early-deny", 10, "deny", reason="no")],
        request(),
        default="allow",
    )
    assert (d.effect, d.code, d.policy_name, d.reason) == (
        "deny",
        "policy_denied",
        "early-deny",
        "no",
    )


def test_priority_ties_are_broken_by_id() -> None:
    low, high = "pol_01ARYZ6S41TSV4RRFFQ69G5FAA", "pol_01ARYZ6S41TSV4RRFFQ69G5FZZ"
    docs = [policy("b", 5, "allow", id=high), policy("a", 5, "deny", id=low)]
    assert decide(docs, request()).policy_id == low
    # Without explicit ids the file order decides (ids are generated in file order).
    docs = [policy("first", 5, "allow"), policy("second", 5, "deny")]
    assert decide(docs, request()).policy_name == "first"


def test_monitor_hits_before_the_decision_only() -> None:
    docs = [
        policy("watch-1", 1, "deny", mode="monitor"),
        policy("watch-2", 2, "require_approval", mode="monitor"),
        policy("decider", 3, "allow"),
        policy("watch-after", 4, "deny", mode="monitor"),
    ]
    d = decide(docs, request())
    assert d.policy_name == "decider" and d.effect == "allow"
    assert [(m.policy_name, m.effect) for m in d.monitor] == [
        ("watch-1", "deny"),
        ("watch-2", "require_approval"),
    ]


def test_monitor_never_decides() -> None:
    d = decide([policy("watch", 1, "allow", mode="monitor")], request())
    assert (d.effect, d.code) == ("deny", "default_denied")
    assert [m.policy_name for m in d.monitor] == ["watch"]


def test_default_effects_and_codes() -> None:
    deny = decide([], request())
    assert (deny.effect, deny.code, deny.policy_id) == ("deny", "default_denied", None)
    allow = decide([], request(), default="allow")
    assert (allow.effect, allow.code, allow.policy_id) == ("allow", "allowed", None)


def test_disabled_policies_are_ignored() -> None:
    docs = [policy("off", 1, "deny", enabled=False), policy("on", 2, "allow")]
    assert decide(docs, request()).policy_name == "on"
    d = decide([policy("off", 1, "allow", enabled=False, mode="monitor")], request())
    assert d.monitor == ()


def test_agents_by_id_and_label() -> None:
    labelled = request(agent={"id": AGENT, "labels": ["team=finance", "env=prod"]})
    assert matches({"agents": [AGENT]}, labelled)
    assert matches({"agents": [AGENT.lower()]}, labelled)  # ids compare canonically
    assert not matches({"agents": [OTHER_AGENT]}, labelled)
    assert matches({"agents": [OTHER_AGENT, "label:team=finance"]}, labelled)
    assert not matches({"agents": ["label:team=Finance"]}, labelled)  # values exact
    assert not matches({"agents": ["label:team=fin*"]}, labelled)  # no globs in labels
    star = request(agent={"id": AGENT, "labels": ["tier=*"]})
    assert matches({"agents": ["label:tier=*"]}, star)


def test_kinds_upstreams_models() -> None:
    r = request(kind="llm", upstream="openai", model="gpt-4o-mini")
    assert matches({"kinds": ["llm", "http"]}, r)
    assert not matches({"kinds": ["tool"]}, r)
    assert matches({"upstreams": ["open*"]}, r)
    assert not matches({"upstreams": ["anthropic"]}, r)
    assert matches({"models": ["gpt-4*"]}, r)
    assert not matches({"models": ["GPT-4*"]}, r)  # models compare exactly
    assert not matches({"models": ["gpt-4*"]}, request(kind="llm"))  # no model at all


def test_tools_are_case_sensitive_globs() -> None:
    r = request(tool="db.query")
    assert matches({"tools": ["db.*"]}, r)
    assert matches({"tools": ["shell.exec", "db.query"]}, r)
    assert not matches({"tools": ["DB.*"]}, r)
    assert not matches({"tools": ["db.*"]}, request())  # a request without a tool


def test_hosts_and_methods_are_case_insensitive() -> None:
    r = request(kind="http", host="API.Example.com:443", method="post")
    assert matches({"hosts": ["api.example.com"]}, r)
    assert matches({"hosts": ["*.EXAMPLE.com"]}, r)
    assert not matches({"hosts": ["*.api.example.com"]}, r)
    assert matches({"methods": ["POST"]}, r)
    assert matches({"methods": ["Post", "GET"]}, r)
    assert not matches({"methods": ["GET"]}, r)
    deep = request(kind="http", host="a.b.example.com")
    assert matches({"hosts": ["*.example.com"]}, deep)  # * crosses dots
    assert not matches({"hosts": ["*.example.com"]}, request(kind="http", host="example.com"))


def test_paths() -> None:
    def on(path: str, *globs: str) -> bool:
        return matches({"paths": list(globs)}, request(kind="http", path=path))

    assert on("/v1/admin/users/7", "/v1/admin/**")
    assert on("/v1/admin", "/v1/admin/**")
    assert not on("/v1/admin/users/7", "/v1/admin/*")
    assert on("/v1/public/../admin/x", "/v1/admin/*")  # dot segments resolved first
    assert on("/v1/admin/x?next=/y/z", "/v1/admin/*")  # query string ignored
    assert not on("/V1/admin", "/v1/**")  # paths compare exactly


def test_findings() -> None:
    r = request(findings=["secret.aws_access_key", "pii.email"])
    assert matches({"findings": ["secret.*"]}, r)
    assert matches({"findings": ["pii.email"]}, r)
    assert not matches({"findings": ["fin.*"]}, r)
    assert not matches({"findings": ["*"]}, request())  # no findings at all


def test_every_listed_field_must_hold() -> None:
    r = request(tool="db.query", upstream="prod-db")
    assert matches({"tools": ["db.*"], "upstreams": ["prod-db"]}, r)
    assert not matches({"tools": ["db.*"], "upstreams": ["staging-db"]}, r)
    assert matches({}, r)  # no match fields: matches everything


def test_require_approval_carries_digest_inputs() -> None:
    docs = [policy("approve", 1, "require_approval", revision=3)]
    d = decide(docs, request(tool="payments.transfer", args={"amount": 5000}))
    assert (d.effect, d.code, d.policy_revision) == ("require_approval", "approval_required", 3)
    assert d.action_digest is not None and len(d.action_digest) == 64
    out = d.to_dict()
    assert out["policy_revision"] == 3 and out["action_digest"] == d.action_digest


def test_decision_json_shape() -> None:
    d = decide([policy("watch", 1, "deny", mode="monitor"), policy("ok", 2, "allow")], request())
    out = d.to_dict()
    assert set(out) == {
        "effect",
        "code",
        "policy_id",
        "policy_name",
        "reason",
        "monitor",
        "diagnostics",
    }
    assert out["monitor"] == [
        {"policy_id": d.monitor[0].policy_id, "policy_name": "watch", "effect": "deny"}
    ]
    assert out["reason"] == "policy 'ok' allows this action"


def _table(docs: list[dict[str, Any]]) -> Any:
    return compile_policies(parse_policy_set(docs).policies)


def test_explain_lists_candidates_and_why() -> None:
    docs = [
        policy("other-tool", 1, "deny", match={"tools": ["shell.*"]}),
        policy("wrong-method", 2, "deny", match={"kinds": ["tool"], "methods": ["DELETE"]}),
        policy(
            "amount",
            3,
            "deny",
            match={"tools": ["db.*"], "when": [{"field": "args.n", "op": "gt", "value": 5}]},
        ),
        policy(
            "missing",
            4,
            "deny",
            match={"tools": ["db.*"], "when": [{"field": "args.zzz", "op": "eq", "value": 1}]},
        ),
        policy("watch", 5, "deny", mode="monitor"),
        policy("winner", 6, "allow", match={"tools": ["db.query"]}),
        policy("after", 7, "deny"),
    ]
    table = _table(docs)
    result = explain(table, parse_request(request(tool="db.query", args={"n": 1})))
    by_name = {c.policy_name: c for c in result.candidates}
    assert "other-tool" not in by_name  # never a candidate: the tool index ruled it out
    assert by_name["wrong-method"].outcome == "no_match"
    assert by_name["wrong-method"].failed_field == "methods"
    assert by_name["amount"].outcome == "no_match"
    assert by_name["amount"].failed_field == "when[0] (args.n gt)"
    assert by_name["missing"].outcome == "unevaluable"
    assert by_name["watch"].outcome == "matched"
    assert by_name["winner"].outcome == "matched"
    assert by_name["after"].outcome == "not_reached"
    assert [c.policy_name for c in result.candidates] == [
        "wrong-method", "amount", "missing", "watch", "winner", "after",
    ]  # fmt: skip
    assert result.decision.policy_name == "winner"
    assert result.total_policies == 7
    assert result.to_dict()["candidates"][0]["indexed_by"] in ("kind", "wildcard", "host")
