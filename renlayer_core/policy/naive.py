"""The naive twin of the decision table — OPA's "indexing disabled" path, kept as a test oracle.

Sort the enabled policies by (priority, id) and test every one with the plainest code that
states the semantics: a backtracking glob matcher over tokens (no regex, no prefix index), a
tagged-tree JSON equality, field lookups written out. It shares no index, glob or predicate
code with the table; only request parsing (which precomputes normalised host/path), field-path
parsing, canonical JSON and message wording are common, and each is tested directly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from renlayer_core.policy.decision import (
    CODE_FOR_EFFECT,
    Decision,
    Diagnostic,
    MonitorHit,
    default_decision,
    diagnostic_message,
    policy_reason,
)
from renlayer_core.policy.digest import action_digest, canonical_json
from renlayer_core.policy.fields import parse_field
from renlayer_core.policy.model import Match, Policy, When
from renlayer_core.policy.request import ActionRequest

_ABSENT = object()


def evaluate_naive(
    policies: Iterable[Policy], default_effect: str, request: ActionRequest
) -> Decision:
    ordered = sorted((p for p in policies if p.enabled), key=lambda p: (p.priority, p.id))
    monitor: list[MonitorHit] = []
    diagnostics: list[Diagnostic] = []
    for policy in ordered:
        if not static_match(policy.match, request):
            continue
        holds = True
        for w in policy.match.when or []:
            verdict, found = predicate(w, request)
            if verdict == "true":
                continue
            if verdict in ("missing", "wrong_type"):
                message = diagnostic_message(w.field, verdict, found)  # type: ignore[arg-type]
                diagnostics.append(
                    Diagnostic(policy.id, policy.name, w.field, w.op, verdict, message)  # type: ignore[arg-type]
                )
            holds = False
            break
        if not holds:
            continue
        if policy.mode == "monitor":
            monitor.append(MonitorHit(policy.id, policy.name, policy.effect))
            continue
        approval = policy.effect == "require_approval"
        return Decision(
            effect=policy.effect,
            code=CODE_FOR_EFFECT[policy.effect],
            policy_id=policy.id,
            policy_name=policy.name,
            reason=policy_reason(policy.name, policy.effect, policy.reason),
            monitor=tuple(monitor),
            diagnostics=tuple(diagnostics),
            policy_revision=policy.revision if approval else None,
            action_digest=action_digest(request) if approval else None,
        )
    base = default_decision(default_effect)
    return Decision(
        base.effect, base.code, reason=base.reason, monitor=tuple(monitor),
        diagnostics=tuple(diagnostics),
    )  # fmt: skip


def static_match(match: Match, r: ActionRequest) -> bool:
    if match.agents is not None:
        ok = False
        for ref in match.agents:
            if ref.startswith("label:"):
                ok = ok or ref[len("label:") :] in r.labels
            else:
                ok = ok or ref == r.agent_id
        if not ok:
            return False
    if match.kinds is not None and r.kind not in match.kinds:
        return False
    tests = (
        (match.upstreams, r.upstream, False),
        (match.tools, r.tool, False),
        (match.hosts, r.host_key, False),
        (match.paths, r.path_key, True),
        (match.models, r.model, False),
    )
    for patterns, value, is_path in tests:
        if patterns is None:
            continue
        if value is None or not any(glob_match(p, value, is_path) for p in patterns):
            return False
    if match.methods is not None:
        method = r.method.upper() if r.method is not None else None
        if method not in [m.upper() for m in match.methods]:
            return False
    if match.findings is not None:
        found = [f for f in r.findings for p in match.findings if glob_match(p, f, False)]
        if not found:
            return False
    return True


# --- globs: tokens + backtracking with memo ---------------------------------------------------


def _tokens(pattern: str, is_path: bool) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if is_path and pattern[i : i + 3] == "/**" and pattern[i + 3 : i + 4] in ("", "/"):
            out.append("/**")  # zero or more whole segments
            i += 3
        elif is_path and pattern[i : i + 2] == "**":
            out.append("**")
            i += 2
        elif pattern[i] in "*?":
            out.append(pattern[i])
            i += 1
        else:
            out.append("=" + pattern[i])
            i += 1
    return tuple(out)


def glob_match(pattern: str, text: str, is_path: bool) -> bool:
    tokens = _tokens(pattern, is_path)

    @functools.cache
    def at(i: int, j: int) -> bool:
        if i == len(tokens):
            return j == len(text)
        tok = tokens[i]
        if tok == "*":
            for k in range(j, len(text) + 1):
                if at(i + 1, k):
                    return True
                if k < len(text) and is_path and text[k] == "/":
                    return False
            return False
        if tok == "**":
            return any(at(i + 1, k) for k in range(j, len(text) + 1))
        if tok == "/**":
            if at(i + 1, j):
                return True
            if j < len(text) and text[j] == "/":
                return any(at(i + 1, k) for k in range(j + 1, len(text) + 1))
            return False
        if j >= len(text):
            return False
        if tok == "?":
            return not (is_path and text[j] == "/") and at(i + 1, j + 1)
        return text[j] == tok[1] and at(i + 1, j + 1)

    return at(0, 0)


# --- when predicates ---------------------------------------------------------------------------


def _lookup(field: str, r: ActionRequest) -> Any:
    if field == "body.size":
        if r.body is None:
            return 0
        if isinstance(r.body, str):
            return len(r.body.encode("utf-8"))
        return len(canonical_json(r.body))
    if field == "session.trace_count":
        return _ABSENT if r.trace_count is None else r.trace_count
    if field == "time.hour":
        return r.time.hour
    if field == "time.weekday":
        return r.time.weekday()
    if field.startswith("header."):
        wanted = field[len("header.") :].lower()
        for name, value in r.headers.items():
            if name.lower() == wanted:
                return value
        return _ABSENT
    ref = parse_field(field)
    node: Any = r.args if ref.root == "args" else r.body
    if node is None:
        return _ABSENT
    for step in ref.path:
        by_key = isinstance(step, str) and isinstance(node, dict) and step in node
        by_index = isinstance(step, int) and isinstance(node, list) and step < len(node)
        if not (by_key or by_index):
            return _ABSENT
        node = node[step]
    return node


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "text"
    return "a list" if isinstance(v, list) else "an object"


def _tag(v: Any) -> Any:
    """JSON value → comparable tagged tree: type tag first, so true ≠ 1 but 1 = 1.0."""
    if v is True or v is False:
        return ("bool", v)
    if isinstance(v, int | float):
        return ("num", v)
    if isinstance(v, list):
        return ("list", tuple(_tag(x) for x in v))
    if isinstance(v, dict):
        return ("obj", tuple(sorted((k, _tag(x)) for k, x in v.items())))
    return ("str" if isinstance(v, str) else "null", v)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def predicate(w: When, r: ActionRequest) -> tuple[str, str]:
    """("true" | "false" | "missing" | "wrong_type", JSON type found)."""
    actual = _lookup(w.field, r)
    if w.op == "exists":
        wanted = w.value if "value" in w.model_fields_set else True
        return ("true" if (actual is not _ABSENT) == wanted else "false"), ""
    if actual is _ABSENT:
        return "missing", ""
    verdict = _apply(w.op, actual, w.value)
    if verdict is None:
        return "wrong_type", _kind(actual)
    return ("true" if verdict else "false"), ""


def _apply(op: str, actual: Any, value: Any) -> bool | None:
    """None means the value found cannot be tested by ``op``."""
    if op == "eq":
        return bool(_tag(actual) == _tag(value))
    if op == "ne":
        return bool(_tag(actual) != _tag(value))
    if op == "in":
        return _tag(actual) in [_tag(v) for v in value]
    if op == "not_in":
        return _tag(actual) not in [_tag(v) for v in value]
    if op in ("gt", "gte", "lt", "lte"):
        if not _number(actual):
            return None
        results: dict[str, bool] = {
            "gt": actual > value,
            "gte": actual >= value,
            "lt": actual < value,
            "lte": actual <= value,
        }
        return results[op]
    if op == "glob":
        return glob_match(str(value), actual, False) if isinstance(actual, str) else None
    if op == "regex":
        import re2

        return bool(re2.search(value, actual)) if isinstance(actual, str) else None
    if op == "contains":
        if isinstance(actual, str):
            return bool(value in actual) if isinstance(value, str) else None
        if isinstance(actual, list):
            return _tag(value) in [_tag(x) for x in actual]
        return None
    raise ValueError(f"unknown operator '{op}'")
