"""cedarpy (Cedar's Rust authorizer) with the same scoping written as permit/forbid policies.

Mapping: an agent is `Agent::"<id>"` whose parents are its labels (`Label::"team=finance"`),
the request kind is the action (`Action::"tool"`), the upstream is the resource
(`Upstream::"svc-3"`), and tool, host, method and args travel in the context. A RenLayer
`agents`/`kinds`/`upstreams` list of one becomes a scope constraint; tools, hosts, methods and
`when` predicates become `when { ... }` conditions, globs become `like`. The policy text is
parsed ONCE into a `cedarpy.PolicySet` handle and the agents ONCE into an `Entities` handle,
and both are reused for every request (cedarpy >= 4.8 has both handles).
"""

from __future__ import annotations

import json
from importlib.metadata import version as _dist_version
from typing import Any

from benchmarks.policy_workload import REGEX_TEMPLATES, Json, Workload

label = "cedarpy"
role = "peer"
notes = (
    "no priorities: any matching forbid overrides every permit (forbid-overrides), so a "
    "high-priority allow above a lower-priority deny is a deny in Cedar",
    "two effects only: require_approval is written as forbid and compared as deny",
    "no monitor mode: monitor policies are left out (Cedar evaluates fewer policies)",
    "disabled policies are left out, as RenLayer's compiler does",
    "no regex: each RE2 `when` regex is replaced by `like` patterns that agree on the "
    "generated (lowercase) queries; word boundaries and case folding are lost",
    "each request crosses the Python/Rust boundary as JSON (cedarpy serialises the context "
    "and parses the answer); that cost is part of what a Python caller pays and is measured",
)

_SCALAR_FIELDS = ("tool", "host", "method", "model")


def import_library() -> None:
    import cedarpy  # noqa: F401


def version() -> str:
    return _dist_version("cedarpy")


def _quote(text: str) -> str:
    return json.dumps(text)  # Cedar string literals share JSON's escaping for our inputs


def _one_of(attr: str, values: list[str]) -> str:
    terms = [f"{attr} like {_quote(v)}" if "*" in v else f"{attr} == {_quote(v)}" for v in values]
    return terms[0] if len(terms) == 1 else "(" + " || ".join(terms) + ")"


def _principal(match: Json) -> tuple[str, list[str]]:
    """The principal scope, or a `when` condition when more than one agent is listed."""
    agents = match.get("agents")
    if not agents:
        return "principal", []
    refs = [
        f"Label::{_quote(a.removeprefix('label:'))}"
        if a.startswith("label:")
        else f"Agent::{_quote(a)}"
        for a in agents
    ]
    if len(refs) == 1:
        op = "in" if agents[0].startswith("label:") else "=="
        return f"principal {op} {refs[0]}", []
    return "principal", ["(" + " || ".join(f"principal in {r}" for r in refs) + ")"]


def _action(match: Json) -> str:
    kinds = match.get("kinds")
    if not kinds:
        return "action"
    if len(kinds) == 1:
        return f'action == Action::"{kinds[0]}"'
    return "action in [" + ", ".join(f'Action::"{k}"' for k in kinds) + "]"


def _resource(match: Json) -> tuple[str, list[str]]:
    ups = match.get("upstreams")
    if not ups:
        return "resource", []
    if len(ups) == 1:
        return f"resource == Upstream::{_quote(ups[0])}", []
    refs = ", ".join(f"Upstream::{_quote(u)}" for u in ups)
    return "resource", [f"[{refs}].contains(resource)"]


def _predicate(pred: Json) -> str:
    name = pred["field"].removeprefix("args.")
    attr = f"context.args.{name}"
    guard = f"context.args has {name}"
    if pred["op"] == "gt":
        return f"({guard} && {attr} > {int(pred['value'])})"
    likes = dict(REGEX_TEMPLATES)[pred["value"]]
    return f"({guard} && {_one_of(attr, list(likes))})"


def policy_text(policy: Json) -> str:
    match = policy["match"]
    principal, conditions = _principal(match)
    resource, more = _resource(match)
    conditions += more
    for name in _SCALAR_FIELDS:
        if match.get(f"{name}s"):
            conditions.append(_one_of(f"context.{name}", match[f"{name}s"]))
    conditions += [_predicate(p) for p in match.get("when", [])]
    verb = "permit" if policy["effect"] == "allow" else "forbid"
    head = f"@id({_quote(policy['id'])})\n{verb} ({principal}, {_action(match)}, {resource})"
    body = f"\nwhen {{ {' && '.join(conditions)} }}" if conditions else ""
    return f"{head}{body};"


def _entities(workload: Workload) -> str:
    labels = sorted({lab for a in workload.agents for lab in a.labels})
    rows: list[Json] = [
        {"uid": {"type": "Label", "id": lab}, "attrs": {}, "parents": []} for lab in labels
    ]
    for agent in workload.agents:
        parents = [{"type": "Label", "id": lab} for lab in agent.labels]
        rows.append({"uid": {"type": "Agent", "id": agent.id}, "attrs": {}, "parents": parents})
    return json.dumps(rows)


def _request(req: Json) -> Json:
    context: Json = {name: req.get(name) or "" for name in _SCALAR_FIELDS}
    context["args"] = req.get("args") or {}
    return {
        "principal": {"type": "Agent", "id": req["agent"]["id"]},
        "action": {"type": "Action", "id": req["kind"]},
        "resource": {"type": "Upstream", "id": req.get("upstream") or ""},
        "context": context,
    }


def translate(workload: Workload) -> tuple[tuple[str, str], list[Json]]:
    live = [
        p
        for p in workload.policies
        if p.get("enabled", True) and p.get("mode", "enforce") == "enforce"
    ]
    text = "\n\n".join(policy_text(p) for p in live)
    return (text, _entities(workload)), [_request(r) for r in workload.requests]


def build(source: tuple[str, str]) -> tuple[Any, Any, Any]:
    import cedarpy

    text, entities = source
    policies = cedarpy.PolicySet.from_str(text)
    return cedarpy.is_authorized, policies, cedarpy.Entities.from_json_str(entities)


def evaluate(state: tuple[Any, Any, Any], request: Json) -> Any:
    is_authorized, policies, entities = state
    return is_authorized(request, policies, entities)


def outcome(result: Any) -> str:
    if result.diagnostics.errors:
        return "error"
    return "allow" if result.allowed else "deny"
