"""Competitors of the policy benchmark, one module each, all with the same names.

Every module defines::

    label: str                      # how the results name it
    role: str                       # "ours", "baseline" or "peer"
    notes: tuple[str, ...]          # what differs from RenLayer's semantics, said plainly
    def version() -> str
    def import_library() -> None    # so import time and RSS are not counted as setup
    def translate(workload) -> tuple[source, list[native request]]   # not timed
    def build(source) -> state                                       # timed, memory measured
    def evaluate(state, native_request) -> result                    # timed per call
    def outcome(result) -> str      # "allow" / "deny" / "require_approval", optionally
                                    # followed by "|<policy id>|<monitor ids>" for ours

`translate` turns the shared JSON workload into each engine's own source form (Cedar text,
Casbin rows, our policy file) and request form, outside the timings: a deployment keeps its
policies in that form already. Peers are imported only inside their own module, so the
runner and the tests never need the `bench` extra unless a peer is actually run.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, cast

from benchmarks.policy_workload import Workload

COMPETITORS = ("ours", "naive", "cedar", "pycasbin")


class Competitor(Protocol):
    label: str
    role: str
    notes: tuple[str, ...]

    def version(self) -> str: ...

    def import_library(self) -> None: ...

    def translate(self, workload: Workload) -> tuple[Any, list[Any]]: ...

    def build(self, source: Any) -> Any: ...

    def evaluate(self, state: Any, request: Any) -> Any: ...

    def outcome(self, result: Any) -> str: ...


def load(name: str) -> Competitor:
    if name not in COMPETITORS:
        raise ValueError(f"unknown competitor {name!r}; known: {', '.join(COMPETITORS)}")
    return cast(Competitor, importlib.import_module(f"benchmarks.policy_peers.{name}"))
