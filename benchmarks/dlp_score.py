"""Precision and recall of a tool's hits against labelled spans, over the types it shares with us.

Rules (the same for every tool, ours included):

- A tool's finding type maps to a set of our detector ids (``TYPE_MAP``); ``secret.*`` in that
  set marks a generic detector (keyword/entropy) that counts for any secret type.
- The *common types* of a tool are the ids it maps to explicitly (not through ``secret.*``)
  that are also in our catalog and have at least one labelled example in the evaluation set.
  Only labels of common types are expected, and only hits that can stand for a common type are
  counted.
- Overlapping or touching hits whose types map to the same set are merged first (regex
  engines report one match several times; a tool should not gain or lose by how it splits a
  span).
- A hit is a true positive when it overlaps a label of a type it stands for; a hit that
  overlaps a label of a type it stands for outside the common types (a generic detector on a
  generic secret) is not judged; any other hit is a false positive. A label is found when some
  hit that stands for its type overlaps it.
- A labelled case that is scoped to one detector (the catalog's table) only judges hits that
  can stand for that detector: other findings in a case's text are neither right nor wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

GENERIC = "secret.*"

TypeMap = dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Sample:
    """One scored text: its labels (type, start, end) and, for scoped cases, the only type
    whose hits are judged."""

    labels: tuple[tuple[str, int, int], ...]
    scope: str | None = None


@dataclass(slots=True)
class Tally:
    expected: int = 0
    found: int = 0
    tp: int = 0
    fp: int = 0

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "expected": self.expected,
            "found": self.found,
            "tp": self.tp,
            "fp": self.fp,
            "precision": _ratio(self.tp, self.tp + self.fp),
            "recall": _ratio(self.found, self.expected),
        }


@dataclass(slots=True)
class Score:
    common: tuple[str, ...]
    overall: Tally = field(default_factory=Tally)
    per_type: dict[str, Tally] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "common_types": list(self.common),
            "overall": self.overall.as_dict(),
            "per_type": {t: v.as_dict() for t, v in sorted(self.per_type.items())},
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def covers(mapped: Iterable[str], label_type: str) -> bool:
    return any(
        m == label_type or (m == GENERIC and label_type.startswith("secret.")) for m in mapped
    )


def common_types(type_map: TypeMap, catalog: Iterable[str], labelled: Iterable[str]) -> set[str]:
    explicit = {t for mapped in type_map.values() for t in mapped if t != GENERIC}
    return explicit & set(catalog) & set(labelled)


def _relevant(mapped: tuple[str, ...], common: set[str], scope: str | None) -> bool:
    if scope is not None:
        return scope in common and covers(mapped, scope)
    return any(covers(mapped, t) for t in common)


def _merge(
    hits: Iterable[tuple[tuple[str, ...], int, int]],
) -> list[tuple[tuple[str, ...], int, int]]:
    out: list[tuple[tuple[str, ...], int, int]] = []
    for mapped, start, end in sorted(hits, key=lambda h: (h[0], h[1], h[2])):
        if out and out[-1][0] == mapped and start <= out[-1][2]:
            prev = out[-1]
            out[-1] = (mapped, prev[1], max(prev[2], end))
        else:
            out.append((mapped, start, end))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(
    samples: Sequence[Sample],
    hits: Sequence[Sequence[Sequence[Any]]],
    type_map: TypeMap,
    common: set[str],
) -> Score:
    """Score ``hits[i]`` (tool type, start, end) against ``samples[i]`` on ``common`` types."""
    result = Score(tuple(sorted(common)))
    for t in common:
        result.per_type[t] = Tally()
    for sample, raw in zip(samples, hits, strict=True):
        _score_one(result, sample, raw, type_map, common)
    return result


def _score_one(
    result: Score,
    sample: Sample,
    raw: Sequence[Sequence[Any]],
    type_map: TypeMap,
    common: set[str],
) -> None:
    labels = [
        lab
        for lab in sample.labels
        if lab[0] in common and (sample.scope is None or lab[0] == sample.scope)
    ]
    mapped_hits = []
    for h in raw:
        mapped = type_map.get(str(h[0]), ())
        if mapped and _relevant(mapped, common, sample.scope):
            mapped_hits.append((mapped, int(h[1]), int(h[2])))
    preds = _merge(mapped_hits)
    for lab_type, start, end in labels:
        tally = result.per_type[lab_type]
        tally.expected += 1
        result.overall.expected += 1
        if any(covers(m, lab_type) and _overlaps((s, e), (start, end)) for m, s, e in preds):
            tally.found += 1
            result.overall.found += 1
    for mapped, s, e in preds:
        match = next(
            (lab for lab in labels if covers(mapped, lab[0]) and _overlaps((s, e), lab[1:])),
            None,
        )
        if match is not None:
            result.per_type[match[0]].tp += 1
            result.overall.tp += 1
            continue
        if any(covers(mapped, lab[0]) and _overlaps((s, e), lab[1:]) for lab in sample.labels):
            continue  # right about a label outside the common types: not judged
        result.overall.fp += 1
        for t in _blame(mapped, common, sample.scope):
            result.per_type[t].fp += 1


def _blame(mapped: tuple[str, ...], common: set[str], scope: str | None) -> list[str]:
    """Which types a false positive counts against: its explicit types (a generic detector's
    false positives only count in the overall figure)."""
    if scope is not None:
        return [scope]
    return [t for t in mapped if t in common]
