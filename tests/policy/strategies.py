"""Hypothesis strategies for policy sets and action requests.

Values come from small pools so that policies and requests collide often: matches, near
misses, ties in priority, case variants of hosts and methods, paths with dot segments.
Set RENLAYER_HYPOTHESIS_PROFILE=heavy for a long run.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from renlayer_core.ids import encode_int

HEAVY = os.environ.get("RENLAYER_HYPOTHESIS_PROFILE") == "heavy"


def examples(default: int) -> int:
    return default * 20 if HEAVY else default


# Fixed ids (not new_id): reproducible examples, and no id generated at import time.
_BASE = 1_764_000_000_000 << 80
AGENTS = ["agent_" + encode_int(_BASE + k * 7919) for k in range(3)]
POLICY_IDS = ["pol_" + encode_int(_BASE + k * 104729) for k in range(80)]
LABELS = ["team=finance", "team=data", "env=prod", "env=dev", "tier=*"]
UPSTREAMS = ["prod-db", "staging-db", "openai", "mcp-tools"]
UPSTREAM_GLOBS = ["prod-*", "*-db", "*", "open?i", "prod-db", "mcp-tools"]
TOOLS = ["db.query", "db.exec", "shell.exec", "payments.transfer", "files.list", "DB.Query"]
TOOL_GLOBS = ["db.*", "*.exec", "*", "db.?uery", "*.*", "d*y", "files.list", "DB.*", "*a*e*"]
HOSTS = ["db.internal.example.com", "API.example.com", "example.com", "a.b.example.com:443"]
HOSTS += ["localhost", "[::1]:8080", "db.internal.example.com."]
HOST_GLOBS = ["*.example.com", "example.com", "*.internal.*", "LOCALHOST", "?xample.com"]
HOST_GLOBS += ["a.*.com", "::1", "api.example.com"]
METHODS = ["GET", "post", "DELETE", "Put", "get"]
POLICY_METHODS = ["GET", "POST", "delete", "put"]
PATHS = ["/v1/admin", "/v1/admin/users/1", "/v1/public/../admin/x", "/v1/query", "/v2/a/b/c"]
PATHS += ["/v1/query?x=/y", "/", "/v1/admin/", "/v1/./query", "/v1/%61dmin/x", "/v1/a%2fb"]
PATHS += ["/v1/public/%2e%2E/admin", "/V1/admin"]
PATH_GLOBS = ["/v1/admin/**", "/v1/*", "/v1/*/users/*", "/**", "/v?/query", "**/c", "/v1/**/1"]
PATH_GLOBS += ["/v1/admin*", "/v1/admin", "/*/*/*/*", "/v1/a**"]
MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3", "GPT-4o"]
MODEL_GLOBS = ["gpt-4*", "claude-?", "*mini", "gpt-4o"]
FINDINGS = ["secret.aws_access_key", "pii.email", "fin.iban"]
FINDING_GLOBS = ["secret.*", "pii.email", "*.iban", "*", "pii.?mail"]

FIELDS = [
    "args.amount", "args.query", "args.items[0]", "args.nested.flag", "args", "body.size",
    "body.text", "body[1]", "body", "header.X-Env", "header.x-missing", "session.trace_count",
    "time.hour", "time.weekday", 'args["amount"]',
]  # fmt: skip
NUMBER_FIELDS = {"body.size", "session.trace_count", "time.hour", "time.weekday"}
SCALARS: list[Any] = [1000, 1000.0, True, False, 1, 0, "prod", None, "select 1", "", 5, 3]
NUMBERS: list[Any] = [0, 1, 3, 5, 10, 12, 1000, 1000.5, 5000, -1, 100]
GLOBS = ["*", "prod*", "*1", "?elect*", "DROP*", "*o*"]
REGEXES = ["(?i)drop", "^sel", r"\d+", "x", "^$", r"(?i)\b(drop|truncate)\b"]


def _when() -> st.SearchStrategy[dict[str, Any]]:
    def value_for(op: str) -> st.SearchStrategy[Any]:
        if op in ("gt", "gte", "lt", "lte"):
            return st.sampled_from(NUMBERS)
        if op in ("in", "not_in"):
            return st.lists(st.sampled_from(SCALARS + NUMBERS), min_size=1, max_size=3)
        if op == "glob":
            return st.sampled_from(GLOBS)
        if op == "regex":
            return st.sampled_from(REGEXES)
        if op == "contains":
            return st.sampled_from(["ele", "prod", 1, "a", True, None])
        if op == "exists":
            return st.booleans()
        return st.sampled_from([*SCALARS, [1, 2], {"a": 1}])

    any_ops = ["eq", "ne", "in", "not_in", "glob", "regex", "gt", "gte", "lt", "lte", "exists"]
    any_ops.append("contains")
    number_ops = ["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists"]
    text_ops = ["eq", "ne", "in", "not_in", "glob", "regex", "contains", "exists"]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        field = draw(st.sampled_from(FIELDS))
        if field in NUMBER_FIELDS:
            op = draw(st.sampled_from(number_ops))
            values: st.SearchStrategy[Any] = (
                st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3)
                if op in ("in", "not_in")
                else st.sampled_from(NUMBERS)
            )
        elif field.startswith("header."):
            op = draw(st.sampled_from(text_ops))
            texts = ["prod", "dev", "5", "PROD"]
            values = (
                st.lists(st.sampled_from(texts), min_size=1, max_size=3)
                if op in ("in", "not_in")
                else st.sampled_from(texts)
                if op in ("eq", "ne", "contains")
                else value_for(op)
            )
        else:
            op = draw(st.sampled_from(any_ops))
            values = value_for(op)
        out = {"field": field, "op": op}
        if op != "exists" or draw(st.booleans()):
            out["value"] = draw(st.booleans() if op == "exists" else values)
        return out

    return build()


def _subset(pool: list[str], max_size: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), min_size=1, max_size=max_size)


# Built once: a composite strategy defined per draw makes Hypothesis re-read its source.
_MATCH_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "agents": _subset(AGENTS + ["label:" + lab for lab in LABELS]),
    "kinds": _subset(["http", "llm", "tool"], 2),
    "upstreams": _subset(UPSTREAM_GLOBS),
    "tools": _subset(TOOL_GLOBS),
    "hosts": _subset(HOST_GLOBS),
    "methods": _subset(POLICY_METHODS),
    "paths": _subset(PATH_GLOBS),
    "models": _subset(MODEL_GLOBS),
    "findings": _subset(FINDING_GLOBS),
    "when": st.lists(_when(), min_size=1, max_size=3),
}
_FIELDS_WITH_WHEN = sorted(_MATCH_OPTIONS)
_FIELDS_WITHOUT_WHEN = sorted(set(_MATCH_OPTIONS) - {"when"})


@st.composite
def match_doc(draw: st.DrawFn, with_when: bool = True) -> dict[str, Any]:
    names = _FIELDS_WITH_WHEN if with_when else _FIELDS_WITHOUT_WHEN
    chosen = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    return {name: draw(_MATCH_OPTIONS[name]) for name in chosen}


@st.composite
def policy_docs(
    draw: st.DrawFn, min_size: int = 0, max_size: int = 8, with_when: bool = True
) -> list[dict[str, Any]]:
    n = draw(st.integers(min_size, max_size))
    picks = draw(st.lists(st.integers(0, len(POLICY_IDS) - 1), min_size=n, max_size=n, unique=True))
    ids = [POLICY_IDS[k] for k in picks]
    docs = []
    for i in range(n):
        doc: dict[str, Any] = {
            "name": f"p{i}",
            "priority": draw(st.integers(0, 4)),
            "effect": draw(st.sampled_from(["allow", "deny", "require_approval"])),
            "mode": draw(st.sampled_from(["enforce", "enforce", "monitor"])),
            "enabled": draw(st.sampled_from([True, True, True, False])),
            "match": draw(match_doc(with_when)),
        }
        if draw(st.booleans()):
            doc["id"] = ids[i]
        if draw(st.booleans()):
            doc["reason"] = f"because {i}"
        if draw(st.booleans()):
            doc["revision"] = draw(st.integers(1, 3))
        docs.append(doc)
    return docs


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


ARGS = st.fixed_dictionaries(
    {},
    optional={
        "amount": st.sampled_from([5, 1000, 1000.0, 5000, "5000", True, None, 1000.5]),
        "query": st.sampled_from(["select 1", "DROP table x", 7, "truncate", "prod-ele"]),
        "items": st.lists(st.sampled_from([1, "a", "ele", True, None]), max_size=3),
        "nested": st.fixed_dictionaries({}, optional={"flag": st.sampled_from([True, 1, "x"])}),
    },
)
BODIES = st.sampled_from(
    [None, {"text": "hello"}, "raw text", {"text": 5}, [1, "prod"], {"text": "prod-ele"}, ""]
)


@st.composite
def request_docs(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "agent": {
            "id": draw(st.sampled_from(AGENTS)),
            "labels": draw(st.lists(st.sampled_from(LABELS), max_size=3, unique=True)),
        },
        "kind": draw(st.sampled_from(["http", "llm", "tool"])),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "upstream": _maybe(st.sampled_from(UPSTREAMS)),
        "tool": _maybe(st.sampled_from(TOOLS)),
        "host": _maybe(st.sampled_from(HOSTS)),
        "method": _maybe(st.sampled_from(METHODS)),
        "path": _maybe(st.sampled_from(PATHS)),
        "model": _maybe(st.sampled_from(MODELS)),
        "findings": st.lists(st.sampled_from(FINDINGS), max_size=2),
        "args": st.one_of(st.none(), ARGS, st.sampled_from([[1, 2], "text"])),
        "body": BODIES,
        "headers": st.sampled_from([{}, {"x-env": "prod"}, {"X-Env": "dev"}, {"X-ENV": "5"}]),
        "session": st.sampled_from([None, {"trace_count": 0}, {"trace_count": 5}, {}]),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            doc[name] = draw(strategy)
    when = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)))
    doc["time"] = when.isoformat().replace("+00:00", "Z")
    return doc


def request_bank(size: int = 48, seed: int = 1234) -> list[dict[str, Any]]:
    """Deterministic requests from the same pools, evaluated against every generated policy
    set: many comparisons per example without paying for Hypothesis draws."""
    import random

    rng = random.Random(seed)
    args_pool: list[Any] = [
        None, {"amount": 5000, "query": "DROP table x"}, {"amount": "5000"}, {"amount": 1000.0},
        {"items": ["ele", 1], "nested": {"flag": True}}, {"query": "select 1", "amount": True},
        [1, 2], "text", {"amount": 5, "items": [], "nested": {}},
    ]  # fmt: skip
    bodies = [None, {"text": "hello"}, "raw text", {"text": 5}, [1, "prod"], {"text": "prod-ele"}]
    out = []
    for _ in range(size):
        doc: dict[str, Any] = {
            "agent": {"id": rng.choice(AGENTS), "labels": rng.sample(LABELS, rng.randint(0, 3))},
            "kind": rng.choice(["http", "llm", "tool"]),
            "upstream": rng.choice([None, *UPSTREAMS]),
            "tool": rng.choice([None, *TOOLS]),
            "host": rng.choice([None, *HOSTS]),
            "method": rng.choice([None, *METHODS]),
            "path": rng.choice([None, *PATHS]),
            "model": rng.choice([None, *MODELS]),
            "findings": rng.sample(FINDINGS, rng.randint(0, 2)),
            "args": rng.choice(args_pool),
            "body": rng.choice(bodies),
            "headers": rng.choice([{}, {"x-env": "prod"}, {"X-Env": "dev"}]),
            "session": rng.choice([None, {"trace_count": 0}, {"trace_count": 5}]),
            "time": f"2026-11-{rng.randint(1, 30):02d}T{rng.randint(0, 23):02d}:30:00Z",
        }
        out.append(doc)
    return out
