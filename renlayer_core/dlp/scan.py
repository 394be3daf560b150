"""Finding candidates fast: one Aho-Corasick pass for every keyword, one RE2 set pass for the
keyword-less patterns, and each detector's own regex only where one of those says it can match.

Why windows never lose a match: every match of a keyworded detector contains one of its
keywords and is at most `max_len` long, so it lies within `radius ≥ max_len` of a keyword hit.
Windows of one detector are merged when they overlap, so no match straddles a window edge, and
RE2 scans a window with the whole text as context (`\\b` at an edge sees the real neighbour):
the matches found window by window are exactly those of a scan over the whole text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renlayer_core.dlp.resolve import Candidate
from renlayer_core.dlp.rules import Rule
from renlayer_core.dlp.rx import iter_spans
from renlayer_core.dlp.textcodec import byte_to_char_map, char_to_byte, snap_back, snap_forward

# A raw hit in bytes: (rule index, value start, value end, match start, match end).
_Raw = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Matcher:
    rules: tuple[Rule, ...]
    # Aho-Corasick over ASCII-folded keywords → tuple of (rule index, keyword length in bytes).
    automaton: Any
    # RE2 set over keyword-less regex rules; set index i ↔ rule index set_rules[i].
    rset: Any
    set_rules: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidates in character offsets, plus the raw match spans (for the stream's cut)."""

    items: list[Candidate]
    matches: list[tuple[int, int]]


def find_candidates(m: Matcher, text: str, data: bytes, start: int = 0) -> Candidates:
    """Candidates whose match starts at or after character `start` (earlier text is context)."""
    ascii_only = len(data) == len(text)
    bstart = start if ascii_only else char_to_byte(text, start)
    raw: list[_Raw] = []
    windows = _keyword_pass(m, data, bstart, raw, 1 if ascii_only else 4)
    for index in _set_pass(m, data, bstart):
        windows[index] = [(bstart, len(data))]
    for index, spans in windows.items():
        merged = _merge(spans, bstart, len(data), None if ascii_only else data)
        _regex_pass(m.rules[index], index, data, merged, raw)
    return _to_chars(raw, data, ascii_only)


def _keyword_pass(
    m: Matcher, data: bytes, bstart: int, raw: list[_Raw], scale: int
) -> dict[int, list[tuple[int, int]]]:
    windows: dict[int, list[tuple[int, int]]] = {}
    if m.automaton is None:
        return windows
    folded = data.lower().decode("latin-1")  # bytes.lower folds A–Z only: offsets stay bytes
    rules = m.rules
    for last, entries in m.automaton.iter(folded, bstart):
        for index, length in entries:
            hit = last + 1 - length
            rule = rules[index]
            if rule.kind == "keywords":
                raw.append((index, hit, last + 1, hit, last + 1))
            else:
                reach = rule.radius * scale
                windows.setdefault(index, []).append((hit - reach, last + 1 + reach))
    return windows


def _set_pass(m: Matcher, data: bytes, bstart: int) -> list[int]:
    if m.rset is None:
        return []
    # One character of context before the region keeps `\b`/`^` honest at its edge; extra
    # text can only add set hits, and the set is only a prefilter.
    hits = m.rset.Match(data if bstart == 0 else data[snap_back(data, bstart - 1) :])
    return [m.set_rules[i] for i in hits or ()]


def _merge(
    spans: list[tuple[int, int]], lo: int, hi: int, data: bytes | None
) -> list[tuple[int, int]]:
    """Clip, sort and merge overlapping windows; snap them to characters (`data` given)."""
    spans.sort()
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        a, b = max(first, lo), min(last, hi)
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    if data is None:
        return merged
    return [(snap_back(data, a), snap_forward(data, b)) for a, b in merged]


def _regex_pass(
    rule: Rule, index: int, data: bytes, windows: list[tuple[int, int]], raw: list[_Raw]
) -> None:
    group = rule.group
    for a, b in windows:
        for spans in iter_spans(rule.regex, data, a, b):
            vs, ve = spans[group] if group and spans[group][0] >= 0 else spans[0]
            if ve > vs:
                raw.append((index, vs, ve, spans[0][0], spans[0][1]))


def _to_chars(raw: list[_Raw], data: bytes, ascii_only: bool) -> Candidates:
    if ascii_only:
        return Candidates([(r[0], r[1], r[2]) for r in raw], [(r[3], r[4]) for r in raw])
    pos = byte_to_char_map(data, [o for r in raw for o in r[1:]])
    return Candidates(
        [(r[0], pos[r[1]], pos[r[2]]) for r in raw], [(pos[r[3]], pos[r[4]]) for r in raw]
    )
