"""pycasbin with a priority model: the closest Casbin gets to RenLayer's first-match order.

The model uses `e = priority(p.eft) || deny`: Casbin sorts the rows by the `priority` column
(lower first, ties in insertion order) and stops at the first row whose matcher holds, which
is RenLayer's rule for enforce policies. Rows are inserted in RenLayer's (priority, id) order.
A Casbin row is flat, so a policy listing several tools/hosts/methods/agents becomes the
cartesian product of rows; `*` in a column means "field not constrained". Labels are roles:
`g(agent_id, "label:team=finance")`, and an agent id matches itself through `g` as well.
Globs use Casbin's `globMatch`, regexes its `regexMatch`, and `args.amount gt N` a custom
`numGt` function (Casbin has no numeric comparison on string columns).
"""

from __future__ import annotations

import itertools
import logging
from importlib.metadata import version as _dist_version
from typing import Any

from benchmarks.policy_workload import Json, Workload

label = "pycasbin"
role = "peer"
notes = (
    "priority effect = first match wins, like ours; but only allow/deny: require_approval "
    "rows are written as deny and compared as deny",
    "no monitor mode: monitor policies are left out (Casbin evaluates fewer rows)",
    "disabled policies are left out, as RenLayer's compiler does",
    "list fields are expanded into one row per combination (rows >= policies)",
    "regexMatch anchors at the start (re.match), so patterns are prefixed with `.*` after "
    "any inline flags",
    "Casbin logs every decision through the `casbin.enforcer` logger (at WARNING for a "
    "deny); the benchmark raises that logger to ERROR so no I/O is timed, but the log "
    "string is still built on every call, as in production",
    "FastEnforcer's exact-key index is not used: it cannot serve rows whose key column is a "
    "glob or `*`, which most of these rows are",
)

MODEL = """
[request_definition]
r = sub, kind, ups, tool, host, method, model, amount, query

[policy_definition]
p = priority, sub, kind, ups, tool, host, method, model, amt, qre, eft

[role_definition]
g = _, _

[policy_effect]
e = priority(p.eft) || deny

[matchers]
m = (p.sub == "*" || g(r.sub, p.sub)) && (p.kind == "*" || r.kind == p.kind) \
&& (p.ups == "*" || r.ups == p.ups) && (p.tool == "*" || globMatch(r.tool, p.tool)) \
&& (p.host == "*" || globMatch(r.host, p.host)) && (p.method == "*" || r.method == p.method) \
&& (p.model == "*" || globMatch(r.model, p.model)) \
&& (p.amt == "*" || numGt(r.amount, p.amt)) && (p.qre == "*" || regexMatch(r.query, p.qre))
"""


def import_library() -> None:
    import casbin  # noqa: F401


def version() -> str:
    return _dist_version("casbin")


def num_gt(value: object, bound: str) -> bool:
    return isinstance(value, int) and value > int(bound)


def _anchored(pattern: str) -> str:
    """re.match anchors at the start; RenLayer's regex searches anywhere."""
    if pattern.startswith("(?i)"):
        return "(?i).*" + pattern.removeprefix("(?i)")
    return ".*" + pattern


def _predicates(match: Json) -> tuple[str, str]:
    amount, query = "*", "*"
    for pred in match.get("when", []):
        if pred["field"] == "args.amount":
            amount = str(pred["value"])
        else:
            query = _anchored(pred["value"])
    return amount, query


def rows(policy: Json) -> list[list[str]]:
    match = policy["match"]
    columns = [match.get(name) or ["*"] for name in ("agents", "kinds", "upstreams")]
    columns += [match.get(name) or ["*"] for name in ("tools", "hosts", "methods", "models")]
    amount, query = _predicates(match)
    effect = "allow" if policy["effect"] == "allow" else "deny"
    return [
        [str(policy["priority"]), *combo, amount, query, effect]
        for combo in itertools.product(*columns)
    ]


def _request(req: Json) -> tuple[Any, ...]:
    args = req.get("args") or {}
    return (
        req["agent"]["id"],
        req["kind"],
        req.get("upstream") or "",
        req.get("tool") or "",
        req.get("host") or "",
        req.get("method") or "",
        req.get("model") or "",
        args.get("amount"),
        str(args.get("query", "")),
    )


def translate(workload: Workload) -> tuple[str, list[Any]]:
    """The policy as Casbin's CSV policy text (what a file or string adapter loads)."""
    live = [
        p
        for p in workload.policies
        if p.get("enabled", True) and p.get("mode", "enforce") == "enforce"
    ]
    live.sort(key=lambda p: (p["priority"], p["id"]))
    lines = ["p, " + ", ".join(row) for p in live for row in rows(p)]
    lines += [f"g, {a.id}, label:{lab}" for a in workload.agents for lab in a.labels]
    return "\n".join(lines), [_request(r) for r in workload.requests]


def build(source: str) -> Any:
    """Model text + policy text → a ready enforcer (Casbin sorts by priority on load)."""
    import casbin

    logging.getLogger("casbin").setLevel(logging.ERROR)
    model = casbin.model.Model()
    model.load_model_from_text(MODEL)
    enforcer = casbin.Enforcer(model, casbin.persist.adapters.StringAdapter(source))
    enforcer.add_function("numGt", num_gt)
    return enforcer.enforce


def evaluate(state: Any, request: tuple[Any, ...]) -> bool:
    return bool(state(*request))


def outcome(result: bool) -> str:
    return "allow" if result else "deny"
