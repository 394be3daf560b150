"""Policies → an immutable decision table, through an ordered list of named, timed passes
(OPA's compiler shape): the timings are on the table for anyone wondering where compile time
goes.

Passes: ``select`` (enabled policies only) → ``order`` (by (priority, id); a policy's rank is
its position) → ``leaves`` (per-policy checks and ``when`` predicates as closures) →
``choose_index`` (the most selective dimension per policy) → ``index`` (dicts and glob
indexes) → ``decisions`` (prebuilt decisions for the common no-monitor, no-diagnostic case).
"""

from __future__ import annotations

import gc
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from renlayer_core.errors import FieldError, PolicyInvalid
from renlayer_core.policy.decision import (
    CODE_FOR_EFFECT,
    Decision,
    MonitorHit,
    default_decision,
    policy_reason,
)
from renlayer_core.policy.globs import GlobStyle, compile_glob, has_wildcard
from renlayer_core.policy.index import DIMENSIONS, GlobIndex, key_cost
from renlayer_core.policy.model import Match, Policy, describe
from renlayer_core.policy.predicates import Predicate, compile_predicate
from renlayer_core.policy.request import ActionRequest

Check = Callable[[ActionRequest], bool]
# Match field → the dimension it can be indexed under.
INDEXABLE: Final = {
    "agents": "agent",
    "upstreams": "upstream",
    "tools": "tool",
    "hosts": "host",
    "kinds": "kind",
}


_PENDING: Final = Decision("deny", "default_denied", reason="policy not compiled yet")


class CompiledPolicy:
    """What evaluation needs of one policy, flattened for speed."""

    __slots__ = (
        "check_fns", "check_names", "decision", "effect", "enforce", "hit", "id", "index_dim",
        "index_keys", "name", "policy", "pred_fields", "pred_fns", "pred_ops", "rank", "reason",
        "revision",
    )  # fmt: skip

    def __init__(self, policy: Policy, rank: int) -> None:
        self.policy = policy
        self.rank = rank
        self.id = policy.id
        self.name = policy.name
        self.effect = policy.effect
        self.enforce = policy.mode == "enforce"
        self.revision = policy.revision
        self.reason = policy_reason(policy.name, policy.effect, policy.reason)
        self.index_dim: str | None = None
        self.index_keys: tuple[str, ...] = ()
        self.check_names: tuple[str, ...] = ()
        self.check_fns: tuple[Check, ...] = ()
        self.pred_fns: tuple[Predicate, ...] = ()
        self.pred_fields: tuple[str, ...] = ()
        self.pred_ops: tuple[str, ...] = ()
        self.hit = MonitorHit(policy.id, policy.name, policy.effect)
        # Filled in by the `decisions` pass; until then, a deny (never allow by accident).
        self.decision = _PENDING


@dataclass(frozen=True, slots=True)
class DecisionTable:
    """Immutable; share it freely between threads and requests."""

    default_effect: str
    policies: tuple[CompiledPolicy, ...]
    wildcard: tuple[int, ...]
    agent: dict[str, tuple[int, ...]]
    kind: dict[str, tuple[int, ...]]
    upstream: GlobIndex
    tool: GlobIndex
    host: GlobIndex
    default: Decision
    timings: tuple[tuple[str, int], ...] = field(default=())  # (pass, nanoseconds)

    def candidates(self, req: ActionRequest) -> list[int]:
        """Ranks of the policies that may match, in (priority, id) order, each once."""
        return sorted(set(self.candidate_ranks(req)))

    def candidate_ranks(self, req: ActionRequest) -> list[int]:
        """The same ranks sorted, but possibly repeated (a policy listing two keys that both
        match); the evaluator skips repeats, which is cheaper than deduplicating here."""
        out = list(self.wildcard)
        agent = self.agent
        if agent:
            for key in req.agent_keys:
                hit = agent.get(key)
                if hit is not None:
                    out += hit
        hit = self.kind.get(req.kind)
        if hit is not None:
            out += hit
        value = req.upstream
        if value is not None:
            self.upstream.lookup(value, out)
        value = req.tool
        if value is not None:
            self.tool.lookup(value, out)
        value = req.host_key
        if value is not None:
            self.host.lookup(value, out)
        out.sort()
        return out

    def stats(self) -> dict[str, Any]:
        return {
            "policies": len(self.policies),
            "wildcard": len(self.wildcard),
            "agent_keys": len(self.agent),
            "kind_keys": len(self.kind),
            "upstream_keys": len(self.upstream),
            "tool_keys": len(self.tool),
            "host_keys": len(self.host),
            "timings_ns": dict(self.timings),
        }


def compile_policies(policies: Iterable[Policy], default_effect: str = "deny") -> DecisionTable:
    if default_effect not in ("allow", "deny"):
        found = describe(default_effect)
        raise PolicyInvalid(
            [FieldError("default_effect", "must be allow or deny", "allow or deny", found)]
        )
    state: dict[str, Any] = {"policies": policies, "default_effect": default_effect}
    timings: list[tuple[str, int]] = []
    # Compiling allocates tens of thousands of small acyclic objects (closures, tuples):
    # the cyclic GC finds nothing to free yet rescans everything, doubling compile time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for name, run in PASSES:
            start = time.perf_counter_ns()
            run(state)
            timings.append((name, time.perf_counter_ns() - start))
    finally:
        if was_enabled:
            gc.enable()
    return DecisionTable(**state["parts"], timings=tuple(timings))


def _select(state: dict[str, Any]) -> None:
    state["enabled"] = [p for p in state["policies"] if p.enabled]


def _order(state: dict[str, Any]) -> None:
    ordered = sorted(state["enabled"], key=lambda p: (p.priority, p.id))
    state["compiled"] = [CompiledPolicy(p, rank) for rank, p in enumerate(ordered)]


def _leaves(state: dict[str, Any]) -> None:
    for cp in state["compiled"]:
        match = cp.policy.match
        cp.check_names, cp.check_fns = _checks(match)
        when = match.when or []
        cp.pred_fns = tuple(
            compile_predicate(w.ref, w.op, w.value, "value" in w.model_fields_set) for w in when
        )
        cp.pred_fields = tuple(w.field for w in when)
        cp.pred_ops = tuple(w.op for w in when)


def _choose_index(state: dict[str, Any]) -> None:
    """File each policy under the dimension where it expects the fewest fellow candidates;
    the index then guarantees that field, so its check is dropped."""
    counts, totals = _key_counts(state["compiled"])
    for cp in state["compiled"]:
        fld = _cheapest_field(cp.policy.match, counts, totals)
        if fld is None:
            continue
        cp.index_dim = INDEXABLE[fld]
        cp.index_keys = tuple(dict.fromkeys(getattr(cp.policy.match, fld)))
        keep = [i for i, name in enumerate(cp.check_names) if name != fld]
        cp.check_names = tuple(cp.check_names[i] for i in keep)
        cp.check_fns = tuple(cp.check_fns[i] for i in keep)


def _key_counts(
    compiled: list[CompiledPolicy],
) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """Per dimension: how many policies list each key, and how many list the dimension."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for cp in compiled:
        for fld, dim in INDEXABLE.items():
            keys = getattr(cp.policy.match, fld)
            if keys:
                counts[dim].update(set(keys))
                totals[dim] += 1
    return counts, totals


def _cheapest_field(
    match: Match, counts: dict[str, Counter[str]], totals: Counter[str]
) -> str | None:
    best: tuple[int, int, str] | None = None
    for fld, dim in INDEXABLE.items():
        keys = getattr(match, fld)
        if keys:
            cost = sum(_cost(dim, k, counts[dim], totals[dim]) for k in set(keys))
            candidate = (cost, DIMENSIONS.index(dim), fld)
            if best is None or candidate < best:
                best = candidate
    return None if best is None else best[2]


def _cost(dim: str, key: str, counts: Counter[str], total: int) -> int:
    if dim in ("agent", "kind"):
        return counts[key]  # never globs: a label value may contain '*' literally
    return key_cost(key, counts, total)


def _index(state: dict[str, Any]) -> None:
    buckets: dict[str, list[tuple[str, int]]] = defaultdict(list)
    wildcard: list[int] = []
    for cp in state["compiled"]:
        if cp.index_dim is None:
            wildcard.append(cp.rank)
        for key in cp.index_keys:
            buckets[cp.index_dim].append((key, cp.rank))
    state["parts"] = {
        "default_effect": state["default_effect"],
        "policies": tuple(state["compiled"]),
        "wildcard": tuple(wildcard),
        "agent": _exact(buckets["agent"]),
        "kind": _exact(buckets["kind"]),
        "upstream": GlobIndex(buckets["upstream"]),
        "tool": GlobIndex(buckets["tool"]),
        "host": GlobIndex(buckets["host"]),
        "default": default_decision(state["default_effect"]),
    }


def _exact(pairs: list[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
    out: dict[str, list[int]] = defaultdict(list)
    for key, rank in pairs:
        out[key].append(rank)
    return {k: tuple(v) for k, v in out.items()}


def _decisions(state: dict[str, Any]) -> None:
    for cp in state["compiled"]:
        cp.decision = Decision(
            cp.effect,
            CODE_FOR_EFFECT[cp.effect],
            policy_id=cp.id,
            policy_name=cp.name,
            reason=cp.reason,
            policy_revision=cp.revision if cp.effect == "require_approval" else None,
        )


PASSES: Final[tuple[tuple[str, Callable[[dict[str, Any]], None]], ...]] = (
    ("select", _select),
    ("order", _order),
    ("leaves", _leaves),
    ("choose_index", _choose_index),
    ("index", _index),
    ("decisions", _decisions),
)


# --- static checks (every match field but `when`) --------------------------------------------


def _checks(match: Match) -> tuple[tuple[str, ...], tuple[Check, ...]]:
    names: list[str] = []
    fns: list[Check] = []
    for fld, build in _CHECK_BUILDERS:
        keys = getattr(match, fld)
        if keys is None:
            continue
        names.append(fld)
        fns.append(build(keys))
    return tuple(names), tuple(fns)


def _agents(keys: list[str]) -> Check:
    wanted = frozenset(keys)
    return lambda req: not wanted.isdisjoint(req.agent_keys)


def _in_set(attr: str) -> Callable[[list[str]], Check]:
    def build(keys: list[str]) -> Check:
        wanted = frozenset(keys)
        get = attrgetter(attr)
        return lambda req: get(req) in wanted

    return build


def _globs(attr: str, style: GlobStyle) -> Callable[[list[str]], Check]:
    def build(keys: list[str]) -> Check:
        get = attrgetter(attr)
        exact = frozenset(k for k in keys if not has_wildcard(k))
        globs = tuple(compile_glob(k, style) for k in dict.fromkeys(keys) if has_wildcard(k))
        if not globs:
            return lambda req: get(req) in exact

        def check(req: ActionRequest) -> bool:
            value = get(req)
            if value is None:
                return False
            if value in exact:
                return True
            return any(m(value) for m in globs)

        return check

    return build


def _findings(keys: list[str]) -> Check:
    exact = frozenset(k for k in keys if not has_wildcard(k))
    globs = tuple(compile_glob(k, "any") for k in dict.fromkeys(keys) if has_wildcard(k))

    def check(req: ActionRequest) -> bool:
        return any(f in exact or any(m(f) for m in globs) for f in req.findings)

    return check


_CHECK_BUILDERS: Final[tuple[tuple[str, Callable[[list[str]], Check]], ...]] = (
    ("agents", _agents),
    ("kinds", _in_set("kind")),
    ("upstreams", _globs("upstream", "any")),
    ("tools", _globs("tool", "any")),
    ("hosts", _globs("host_key", "any")),
    ("methods", _in_set("method_key")),
    ("paths", _globs("path_key", "path")),
    ("models", _globs("model", "any")),
    ("findings", _findings),
)
