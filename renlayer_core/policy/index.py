"""Candidate lookup structures of the decision table.

Each policy is filed under one *dimension* (agent, kind, upstream, tool or host) by the keys
it lists there, or in the wildcard bucket when it lists none. Exact keys go in a dict; glob
keys are grouped by their literal prefix (``db.*`` under ``db.``) or, failing that, their
literal suffix (``*.example.com``), so a lookup costs one dict get per distinct prefix/suffix
length, and only globs that share the literal part are run; the rare glob with neither
(``*``, ``*db*``) is tried on every lookup. Lookups yield policy *ranks* (position in
(priority, id) order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from renlayer_core.policy.globs import (
    Matcher,
    compile_glob,
    has_wildcard,
    literal_prefix,
    literal_suffix,
)

Entry = tuple[Matcher, tuple[int, ...]]
DIMENSIONS: Final = ("agent", "upstream", "tool", "host", "kind")


class GlobIndex:
    """Exact keys and globs of one dimension → ranks."""

    __slots__ = ("exact", "other", "prefix_lens", "prefixes", "suffix_lens", "suffixes")

    def __init__(self, keyed: Iterable[tuple[str, int]]) -> None:
        exact: dict[str, list[int]] = defaultdict(list)
        globs: dict[str, list[int]] = defaultdict(list)
        for key, rank in keyed:
            (globs if has_wildcard(key) else exact)[key].append(rank)
        self.exact: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in exact.items()}
        prefixes: dict[str, list[Entry]] = defaultdict(list)
        suffixes: dict[str, list[Entry]] = defaultdict(list)
        other: list[Entry] = []
        for pattern, ranks in globs.items():
            entry = (compile_glob(pattern, "any"), tuple(ranks))
            prefix, suffix = literal_prefix(pattern), literal_suffix(pattern)
            if len(prefix) >= len(suffix) and prefix:
                prefixes[prefix].append(entry)
            elif suffix:
                suffixes[suffix].append(entry)
            else:
                other.append(entry)
        self.prefixes = {k: tuple(v) for k, v in prefixes.items()}
        self.suffixes = {k: tuple(v) for k, v in suffixes.items()}
        self.prefix_lens = tuple(sorted({len(k) for k in prefixes}))
        self.suffix_lens = tuple(sorted({len(k) for k in suffixes}))
        self.other = tuple(other)

    def lookup(self, value: str, out: list[int]) -> None:
        """Append the ranks of every key matching ``value`` to ``out``."""
        hit = self.exact.get(value)
        if hit is not None:
            out.extend(hit)
        n = len(value)
        if self.prefix_lens:
            prefixes = self.prefixes
            for size in self.prefix_lens:
                if size > n:
                    break
                bucket = prefixes.get(value[:size])
                if bucket is not None:
                    _run(bucket, value, out)
        if self.suffix_lens:
            suffixes = self.suffixes
            for size in self.suffix_lens:
                if size > n:
                    break
                bucket = suffixes.get(value[n - size :])
                if bucket is not None:
                    _run(bucket, value, out)
        if self.other:
            _run(self.other, value, out)

    def __len__(self) -> int:
        return (
            len(self.exact)
            + sum(map(len, self.prefixes.values()))
            + sum(map(len, self.suffixes.values()))
            + len(self.other)
        )


def _run(entries: tuple[Entry, ...], value: str, out: list[int]) -> None:
    for match, ranks in entries:
        if match(value):
            out.extend(ranks)


def key_cost(key: str, counts: dict[str, int], dim_total: int) -> int:
    """Expected candidates contributed by filing a policy under ``key``: how many policies
    share it, plus a surcharge for globs, which also cost a match to confirm."""
    if not has_wildcard(key):
        return counts.get(key, 0)
    if literal_prefix(key) or literal_suffix(key):
        return counts.get(key, 0) + 4
    return dim_total + 8
