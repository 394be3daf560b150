"""Deterministic policy sets and action requests for one tenant, shaped like real use.

A tenant's policy set is mostly exact tool or host names (one per integration an operator
wired up), some globs over a namespace (`db.*`, `*.svc-12.internal`), some rules scoped to an
agent or a label, some `when` predicates on the arguments, and a handful of broad low-priority
rules that catch the rest. The requests aim at those rules in a realistic mix: many hit an
exact rule, some a glob, many match nothing specific and fall through to a broad rule or the
tenant's default.

Everything here is plain JSON data (the policy file and action request forms of SPEC §4) so
every competitor starts from the same input; nothing here imports the engine or a peer.
Only `*` globs and lowercase names are generated: Cedar's `like` has no `?`, and the peers
compare hosts case-sensitively, so staying inside that subset keeps the matching comparable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from renlayer_core.ids import encode_int

Json = dict[str, Any]

DEFAULT_SEED = 20261128
SHARE_EXACT = 0.60
SHARE_GLOB = 0.20
SHARE_SCOPED = 0.10  # the remaining 10% carry `when` predicates
SHARE_MONITOR = 0.08
SHARE_DISABLED = 0.02

_WORDS = [
    "db",
    "crm",
    "billing",
    "search",
    "mail",
    "files",
    "git",
    "slack",
    "jira",
    "docs",
    "calendar",
    "payments",
    "ledger",
    "warehouse",
    "analytics",
    "tickets",
    "storage",
    "vault",
    "kube",
    "metrics",
]
_VERBS = ("query", "write", "delete", "list", "get", "exec", "send", "update")
_SUBS = ("api", "db", "cache", "queue", "admin")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_TEAMS = ("finance", "support", "eng", "ops", "sales", "data")
_ENVS = ("prod", "staging")
_TIERS = ("1", "2", "3")
_LLM_MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "llama-3-70b")

# (RE2 pattern, Cedar `like` patterns that accept the same generated queries). The Cedar form
# is an approximation (no word boundaries, no case folding); the generated queries are
# lowercase and chosen so both forms agree on them.
REGEX_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\b(drop|truncate)\b", ("*drop *", "*truncate *")),
    (r"\bdelete\s+from\b", ("*delete from*",)),
    (r"(?i)\bpassword\b", ("*password*",)),
    (r"\bgrant\s+all\b", ("*grant all*",)),
)
_QUERIES = (
    "select id, total from orders where id = 7",
    "select count(*) from users",
    "drop table users",
    "truncate table audit_log",
    "delete from accounts where region = 'eu'",
    "update settings set password = 'x' where id = 1",
    "grant all on schema public to intern",
    "insert into events values (1, 'login')",
)


@dataclass(frozen=True)
class Agent:
    id: str
    labels: tuple[str, ...]


@dataclass
class Workload:
    """One tenant's policy file, its agents, and the requests to evaluate against it."""

    size: int
    seed: int
    document: Json
    requests: list[Json]
    agents: list[Agent]
    category: dict[str, str] = field(default_factory=dict)  # policy id -> kind of rule
    intent: list[str] = field(default_factory=list)  # per request: what it aimed at

    @property
    def policies(self) -> list[Json]:
        policies: list[Json] = self.document["policies"]
        return policies


def _ulid(rng: random.Random, ms: int) -> str:
    return encode_int((ms << 80) | rng.getrandbits(80))


class _Universe:
    """The names a tenant of this size plausibly has: services, tools, hosts, upstreams."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.rng = rng
        self.services = max(4, size // 6)
        base_ms = 1_790_000_000_000
        self.agents = [self._agent(base_ms + i) for i in range(60)]

    def _agent(self, ms: int) -> Agent:
        rng = self.rng
        labels = (
            f"team={rng.choice(_TEAMS)}",
            f"env={rng.choice(_ENVS)}",
            f"tier={rng.choice(_TIERS)}",
        )
        return Agent(id=f"agent_{_ulid(rng, ms)}", labels=labels)

    def service(self, k: int) -> str:
        word = _WORDS[k % len(_WORDS)]
        return word if k < len(_WORDS) else f"{word}{k // len(_WORDS)}"

    def any_service(self) -> int:
        return self.rng.randrange(self.services)

    def tool(self, k: int) -> str:
        return f"{self.service(k)}.{self.rng.choice(_VERBS)}"

    def host(self, k: int) -> str:
        return f"{self.rng.choice(_SUBS)}.svc-{k}.internal"


class _PolicyMaker:
    """Draws policies of each category; every policy is valid SPEC §4 JSON."""

    def __init__(self, universe: _Universe) -> None:
        self.u = universe
        self.rng = universe.rng

    def _effect(self, weights: tuple[float, float, float]) -> str:
        return self.rng.choices(("allow", "deny", "require_approval"), weights)[0]

    def exact(self) -> tuple[Json, str]:
        u, rng = self.u, self.rng
        k = u.any_service()
        match: Json
        if rng.random() < 0.65:
            tools = [u.tool(k)] + ([u.tool(k)] if rng.random() < 0.2 else [])
            match = {"kinds": ["tool"], "tools": sorted(set(tools))}
            if rng.random() < 0.3:
                match["upstreams"] = [f"svc-{k}"]
        else:
            match = {"kinds": ["http"], "hosts": [u.host(k)]}
            if rng.random() < 0.5:
                match["methods"] = sorted(set(rng.sample(_METHODS, rng.choice((1, 2)))))
        return {"effect": self._effect((0.65, 0.25, 0.10)), "match": match}, "exact"

    def glob(self) -> tuple[Json, str]:
        u, rng = self.u, self.rng
        k = u.any_service()
        if rng.random() < 0.6:
            pattern = f"{u.service(k)}.*" if rng.random() < 0.7 else f"{u.service(k)}.get*"
            match: Json = {"tools": [pattern]}
        else:
            match = {"kinds": ["http"], "hosts": [f"*.svc-{k}.internal"]}
        return {"effect": self._effect((0.40, 0.45, 0.15)), "match": match}, "glob"

    def scoped(self) -> tuple[Json, str]:
        u, rng = self.u, self.rng
        if rng.random() < 0.5:
            who = f"label:{rng.choice(rng.choice(u.agents).labels)}"
        else:
            who = rng.choice(u.agents).id
        k = u.any_service()
        roll = rng.random()
        match: Json = {"agents": [who]}
        if roll < 0.45:
            match |= {"kinds": ["tool"], "tools": [f"{u.service(k)}.*"]}
        elif roll < 0.9:
            match |= {"kinds": ["http"], "hosts": [u.host(k)]}
        else:  # e.g. "this agent may not call models": wide, so kept rare
            match |= {"kinds": ["llm"], "models": [rng.choice(_LLM_MODELS)]}
        return {"effect": self._effect((0.6, 0.4, 0.0)), "match": match}, "scoped"

    def predicate(self) -> tuple[Json, str]:
        u, rng = self.u, self.rng
        k = u.any_service()
        tools = [u.tool(k)] if rng.random() < 0.6 else [f"{u.service(k)}.*"]
        if rng.random() < 0.5:
            when = {"field": "args.amount", "op": "gt", "value": rng.randrange(100, 10_000, 50)}
        else:
            when = {"field": "args.query", "op": "regex", "value": rng.choice(REGEX_TEMPLATES)[0]}
        match = {"kinds": ["tool"], "tools": tools, "when": [when]}
        return {"effect": self._effect((0.0, 0.5, 0.5)), "match": match}, "when"


def _broad_rules() -> list[tuple[Json, str]]:
    """The catch-alls every real tenant has, at the bottom (or top, for monitors)."""
    return [
        (
            {
                "name": "monitor-http-deletes",
                "priority": 1,
                "effect": "deny",
                "mode": "monitor",
                "match": {"kinds": ["http"], "methods": ["DELETE"]},
            },
            "broad",
        ),
        (
            {
                "name": "staging-tools-allowed",
                "priority": 5000,
                "effect": "allow",
                "match": {"agents": ["label:env=staging"], "kinds": ["tool"]},
            },
            "broad",
        ),
        (
            {
                "name": "llm-allowed",
                "priority": 6000,
                "effect": "allow",
                "match": {"kinds": ["llm"]},
            },
            "broad",
        ),
    ]


def _specific_rules(maker: _PolicyMaker, count: int) -> list[tuple[Json, str]]:
    rng = maker.rng
    draws = (maker.exact, maker.glob, maker.scoped, maker.predicate)
    weights = (SHARE_EXACT, SHARE_GLOB, SHARE_SCOPED, 1 - SHARE_EXACT - SHARE_GLOB - SHARE_SCOPED)
    rules = []
    for _ in range(count):
        policy, category = rng.choices(draws, weights)[0]()
        policy["priority"] = rng.randrange(10, 1000, 10)  # 99 distinct values: many ties
        if rng.random() < SHARE_MONITOR:
            policy["mode"] = "monitor"
        if rng.random() < SHARE_DISABLED:
            policy["enabled"] = False
        rules.append((policy, category))
    return rules


def generate_policies(size: int, seed: int, universe: _Universe) -> tuple[Json, dict[str, str]]:
    """A policy file of exactly `size` policies (ids in file order, names unique)."""
    broad = _broad_rules()[: max(1, min(3, size // 3))]
    rules = _specific_rules(_PolicyMaker(universe), size - len(broad)) + broad
    universe.rng.shuffle(rules)
    base_ms = 1_790_100_000_000
    policies: list[Json] = []
    category: dict[str, str] = {}
    for i, (policy, kind) in enumerate(rules):
        policy_id = f"pol_{_ulid(universe.rng, base_ms + i)}"
        policy.setdefault("name", f"{kind}-{i}")
        policies.append({"id": policy_id, **policy})
        category[policy_id] = kind
    return {"default_effect": "deny", "policies": policies}, category


class _RequestMaker:
    """Builds action requests that satisfy a chosen policy, or nothing in particular."""

    def __init__(self, universe: _Universe) -> None:
        self.u = universe
        self.rng = universe.rng

    def _agent_for(self, who: list[str] | None) -> Agent:
        if not who:
            return self.rng.choice(self.u.agents)
        target = self.rng.choice(who)
        if target.startswith("label:"):
            label = target.removeprefix("label:")
            return self.rng.choice([a for a in self.u.agents if label in a.labels])
        return next(a for a in self.u.agents if a.id == target)

    def _instantiate(self, pattern: str) -> str:
        if pattern.startswith("*."):
            return self.rng.choice(_SUBS) + pattern[1:]
        if pattern.endswith(".*"):
            return pattern[:-1] + self.rng.choice(_VERBS)
        return pattern.replace("*", self.rng.choice(("", "_by_id", "_all")))

    def _args(self, when: list[Json] | None) -> Json:
        rng = self.rng
        args: Json = {"query": rng.choice(_QUERIES)}
        if rng.random() < 0.6:
            args["amount"] = rng.randrange(0, 12_000)
        for pred in when or []:
            if rng.random() < 0.3:
                continue  # a third of the time, aim at the rule but fail its predicate
            if pred["field"] == "args.amount":
                args["amount"] = pred["value"] + rng.randrange(1, 500)
            else:
                args["query"] = _query_for(pred["value"], rng)
        return args

    def aimed_at(self, policy: Json) -> Json:
        rng, match = self.rng, policy["match"]
        kind = rng.choice(match.get("kinds") or (["tool"] if "tools" in match else ["http"]))
        agent = self._agent_for(match.get("agents"))
        request: Json = {"agent": {"id": agent.id, "labels": list(agent.labels)}, "kind": kind}
        if kind == "tool":
            tools = match.get("tools") or [self.u.tool(self.u.any_service())]
            request["tool"] = self._instantiate(rng.choice(tools))
            request["args"] = self._args(match.get("when"))
            ups = match.get("upstreams")
            request["upstream"] = rng.choice(ups) if ups else f"svc-{self.u.any_service()}"
        elif kind == "http":
            hosts = match.get("hosts") or [self.u.host(self.u.any_service())]
            request["host"] = self._instantiate(rng.choice(hosts))
            request["method"] = rng.choice(match.get("methods") or _METHODS)
            request["path"] = f"/v1/{rng.choice(_VERBS)}"
        else:
            model = rng.choice(match.get("models") or _LLM_MODELS)
            request |= {"model": model, "host": "api.openai.com"}
        return request

    def unaimed(self) -> Json:
        """A request no specific rule was written for: a new tool, a new host, a new model."""
        rng, u = self.rng, self.u
        agent = rng.choice(u.agents)
        kind = rng.choices(("tool", "http", "llm"), (0.5, 0.35, 0.15))[0]
        request: Json = {"agent": {"id": agent.id, "labels": list(agent.labels)}, "kind": kind}
        n = rng.randrange(100_000)
        if kind == "tool":
            request["tool"] = f"misc{n}.{rng.choice(_VERBS)}"
            request["args"] = self._args(None)
        elif kind == "http":
            request["host"] = f"www.example{n}.com"
            request["method"] = rng.choice(_METHODS)
            request["path"] = "/"
        else:
            request |= {"model": rng.choice(_LLM_MODELS), "host": "api.openai.com"}
        return request


def _query_for(pattern: str, rng: random.Random) -> str:
    hits = {
        REGEX_TEMPLATES[0][0]: ("drop table users", "truncate table audit_log"),
        REGEX_TEMPLATES[1][0]: ("delete from accounts where region = 'eu'",),
        REGEX_TEMPLATES[2][0]: ("update settings set password = 'x' where id = 1",),
        REGEX_TEMPLATES[3][0]: ("grant all on schema public to intern",),
    }
    return rng.choice(hits[pattern])


# What the requests aim at; the rest (40%) aim at nothing specific.
REQUEST_MIX = (("exact", 0.35), ("glob", 0.15), ("scoped", 0.05), ("when", 0.05))


def generate_requests(
    count: int, universe: _Universe, policies: list[Json], category: dict[str, str]
) -> tuple[list[Json], list[str]]:
    rng = universe.rng
    maker = _RequestMaker(universe)
    by_kind: dict[str, list[Json]] = {}
    for policy in policies:
        by_kind.setdefault(category[policy["id"]], []).append(policy)
    intents = [k for k, _ in REQUEST_MIX] + ["none"]
    weights = [w for _, w in REQUEST_MIX] + [1 - sum(w for _, w in REQUEST_MIX)]
    requests, aims = [], []
    for _ in range(count):
        intent = rng.choices(intents, weights)[0]
        pool = by_kind.get(intent)
        if pool:
            requests.append(maker.aimed_at(rng.choice(pool)))
        else:
            intent = "none"
            requests.append(maker.unaimed())
        aims.append(intent)
    return requests, aims


def generate(size: int, requests: int = 10_000, seed: int = DEFAULT_SEED) -> Workload:
    """The same `(size, requests, seed)` always gives the same workload, byte for byte."""
    if size < 1:
        raise ValueError(f"a policy set needs at least one policy, got {size}")
    rng = random.Random(f"{seed}:{size}")
    universe = _Universe(size, rng)
    document, category = generate_policies(size, seed, universe)
    reqs, aims = generate_requests(requests, universe, document["policies"], category)
    return Workload(
        size=size,
        seed=seed,
        document=document,
        requests=reqs,
        agents=universe.agents,
        category=category,
        intent=aims,
    )
