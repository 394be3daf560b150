"""Finding candidates fast. One RE2 set pass over the text answers, for every detector at
once, "can this keyword-less pattern match?" and "does one of this detector's keywords occur?".
Only the detectors it names do more work: a keyword-less pattern runs over the text, a
keyworded one finds its keyword hits and runs its regex in a window around each. Custom
keyword lists (possibly thousands of words) go through one Aho-Corasick automaton.

Why windows never lose a match: every match of a keyworded detector contains one of its
keywords and is at most `max_len` long, so it lies within `radius ≥ max_len` of a keyword hit.
Windows of one detector are merged when they overlap, so no match straddles a window edge, and
RE2 scans a window with the whole text as context (`\\b` at an edge sees the real neighbour):
the matches found window by window are exactly those of a scan over the whole text.

Why not Aho-Corasick for the catalog's keywords too: measured on this build, pyahocorasick
walks ~70–120 MB/s even without hits, the RE2 set ~250 MB/s with every catalog keyword in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from renlayer_core.dlp.gatepool import match_blocks
from renlayer_core.dlp.resolve import Candidate
from renlayer_core.dlp.rules import Rule
from renlayer_core.dlp.rx import iter_spans
from renlayer_core.dlp.textcodec import byte_to_char_map, char_to_byte, snap_back, snap_forward

# A raw hit in bytes: (rule index, value start, value end, match start, match end).
_Raw = tuple[int, int, int, int, int]
_Windows = dict[int, list[tuple[int, int]]]
# Below this many bytes a detector whose keyword occurs runs over the whole text: one RE2
# pass over a few kB costs less than locating each keyword hit from Python.
WHOLE_TEXT_BYTES = 8192
# Whether a detector with many keyword hits switches to one pass over the whole region (the
# differential tests turn it off to exercise window merging).
HIT_BUDGET = True
# Regions longer than eight blocks are gated block by block (each block extended by the longest
# gate match), and a detector runs only around the blocks that named it: on large clean text a
# stray digit run no longer costs a card or phone pass over the whole text.
GATE_BLOCK_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Matcher:
    rules: tuple[Rule, ...]
    # One RE2 set's match function (bytes → indices of the entries that match): entry i is
    # rule gate_rules[i]'s pattern (keyword-less rules), trigger, or the case-insensitive
    # alternation of its keywords (keyworded rules). None: no regex rule.
    gate: Callable[[bytes | memoryview], list[int]] | None
    gate_rules: tuple[int, ...]
    # Keyworded regex rules: rule index → RE2 alternation of its keywords, and its longest one.
    keyword_res: dict[int, tuple[Any, int]]
    # Aho-Corasick over the keyword-list rules' ASCII-folded keywords, as Latin-1 views of
    # their UTF-8 bytes → tuple of (rule index, keyword length in bytes). None if there are none.
    automaton: Any
    # Longest match of any gate entry in characters (None: unbounded, no block gating).
    gate_span: int | None = None


class Candidates(NamedTuple):
    """Candidates in character offsets, the match span of each, and every raw match span
    (including matches whose value group did not take part: the stream's cut must not split
    those either, since the regex's left-to-right scan consumed them). A NamedTuple, not a
    dataclass: it is built on every scan (five times per streamed payload), and a frozen
    dataclass's field-by-field __init__ cost ~1 µs each time."""

    items: list[Candidate]
    spans: list[tuple[int, int]]
    matches: list[tuple[int, int]]
    # Rules the gate set named (a pattern, trigger or keyword occurs in the region).
    gated: tuple[int, ...] = ()


def find_candidates(m: Matcher, text: str, data: bytes, start: int = 0) -> Candidates:
    """Candidates whose match starts at or after character `start` (earlier text is context)."""
    ascii_only = len(data) == len(text)
    bstart = start if ascii_only else char_to_byte(text, start)
    scale = 1 if ascii_only else 4  # a character is at most 4 UTF-8 bytes
    raw: list[_Raw] = []
    if m.automaton is not None:
        _keyword_lists(m, data, bstart, raw)
    gated, regions = _gate(m, data, bstart, scale)
    if not gated and not raw:
        return Candidates([], [], [])  # the common case on clean text: nothing to convert
    for index in gated:
        spans = _windows(m, index, data, regions=regions, scale=scale, bstart=bstart)
        merged = _merge(spans, bstart, len(data), None if ascii_only else data)
        _regex_pass(m.rules[index], index, data, merged, raw)
    return _to_chars(raw, data, ascii_only, tuple(gated))


def _gate(m: Matcher, data: bytes, bstart: int, scale: int) -> tuple[list[int], _Windows | None]:
    """The rules the gate names, and where: rule index → byte regions in which it named
    them, or None for the whole region (texts too short to gate block by block)."""
    gate = m.gate
    if gate is None:
        return [], None
    # One character of context before the region keeps `\b`/`^` honest at its edge; extra
    # text can only add set hits, and the set is only a prefilter.
    lo = 0 if bstart == 0 else snap_back(data, bstart - 1)
    end = len(data)
    if m.gate_span is None or end - lo <= 8 * GATE_BLOCK_BYTES:
        hits = gate(data if lo == 0 else data[lo:])
        return [m.gate_rules[i] for i in hits], None
    # A gate match starting in a block is at most `gate_span` characters long, so the block
    # extended by that (plus a character each side for `\b`) holds it with its neighbours.
    reach = m.gate_span * scale + 4
    # ASCII text (scale 1) has a character boundary at every byte: its block edges need no
    # snapping. Blocks go to the set as memoryview slices, read in place (no 4 KiB copy).
    if scale == 1:
        bounds = [
            (first - 1 if first > lo else lo, min(end, first + GATE_BLOCK_BYTES + reach))
            for first in range(lo, end, GATE_BLOCK_BYTES)
        ]
    else:
        bounds = [
            (
                snap_back(data, first - 1) if first > lo else lo,
                snap_forward(data, min(end, first + GATE_BLOCK_BYTES + reach)),
            )
            for first in range(lo, end, GATE_BLOCK_BYTES)
        ]
    regions: _Windows = {}
    gate_rules = m.gate_rules
    for (a, b), named in zip(bounds, match_blocks(gate, memoryview(data), bounds), strict=True):
        for i in named:
            regions.setdefault(gate_rules[i], []).append((a, b))
    return sorted(regions), regions  # rule order, as the gate set lists them


def _windows(
    m: Matcher, index: int, data: bytes, *, regions: _Windows | None, scale: int, bstart: int
) -> list[tuple[int, int]]:
    """Where rule `index` runs: around the blocks that named it (a block holds every gate
    match starting in it, and a match lies within `radius` of its gate match, so a block is
    widened like a keyword hit), or around its keyword hits in the whole region. Within named
    blocks, locating keyword hits first costs more than it saves (measured: 1 MB of code and
    logs, generic assignments 2.2 → 1.4 ms)."""
    reach = m.rules[index].radius * scale
    if regions is not None:
        return [(a - reach, b + reach) for a, b in regions[index]]
    keyword_re = m.keyword_res.get(index)
    if keyword_re is None or len(data) - bstart <= WHOLE_TEXT_BYTES:
        return [(bstart, len(data))]
    return _hit_windows(keyword_re, data, bstart, len(data), reach)


def _hit_windows(
    keyword_re: tuple[Any, int], data: bytes, lo: int, hi: int, reach: int
) -> list[tuple[int, int]]:
    # The scan finds non-overlapping hits; a hit hidden inside another one ends at most
    # `longest` bytes after it, hence the extra `longest` on the right. Once the hits seen
    # could cover half the region, one pass over all of it is cheaper than more windows.
    regex, longest = keyword_re
    budget = (hi - lo) // (4 * reach + 2 * longest) + 1 if HIT_BUDGET else -1
    windows: list[tuple[int, int]] = []
    for spans in iter_spans(regex, data, lo, hi):
        if len(windows) == budget:
            return [(lo - reach, hi + reach + longest)]
        windows.append((spans[0][0] - reach, spans[0][1] + reach + longest))
    return windows


def _keyword_lists(m: Matcher, data: bytes, bstart: int, raw: list[_Raw]) -> None:
    folded = data.lower().decode("latin-1")  # bytes.lower folds A–Z only: offsets stay bytes
    for last, entries in m.automaton.iter(folded, bstart):
        for index, length in entries:
            hit = last + 1 - length
            raw.append((index, hit, last + 1, hit, last + 1))


def _merge(
    spans: list[tuple[int, int]], lo: int, hi: int, data: bytes | None
) -> list[tuple[int, int]]:
    """Clip, sort and merge overlapping windows; snap them to characters (`data` given)."""
    spans.sort()
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1]:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    merged = [(max(a, lo), min(b, hi)) for a, b in merged]
    if data is None:
        return merged
    return [(snap_back(data, a), snap_forward(data, b)) for a, b in merged]


def _regex_pass(
    rule: Rule, index: int, data: bytes, windows: list[tuple[int, int]], raw: list[_Raw]
) -> None:
    group = rule.group
    for a, b in windows:
        for spans in iter_spans(rule.regex, data, a, b):
            # A value group that did not take part (or is empty) is no finding — exactly as
            # reference.candidates — but the match still blocks the stream's cut (-1 marks it).
            vs, ve = spans[group]
            if vs < 0 or ve <= vs:
                vs = ve = -1
            raw.append((index, vs, ve, spans[0][0], spans[0][1]))


def _to_chars(raw: list[_Raw], data: bytes, ascii_only: bool, gated: tuple[int, ...]) -> Candidates:
    if not ascii_only:
        pos = byte_to_char_map(data, [o for r in raw for o in r[1:] if o >= 0])
        pos[-1] = -1
        raw = [(r[0], pos[r[1]], pos[r[2]], pos[r[3]], pos[r[4]]) for r in raw]
    kept = [r for r in raw if r[1] >= 0]
    return Candidates(
        [(r[0], r[1], r[2]) for r in kept],
        [(r[3], r[4]) for r in kept],
        [(r[3], r[4]) for r in raw],
        gated,
    )
