"""The reference matcher: one detector over one whole text, in the most obvious way.

No prefilter, no windows, no shared RE2 set: compile the detector's pattern with RE2, walk
every match, take the `value` group's span (or the whole match), validate, score context.
The scan plan and the engine's naive twin are checked against this, so it stays small and
independent of them.

Context words are looked for only BEFORE the value (within ``context_window`` characters of
its start), case-insensitively, as whole words where letters and digits make up words — so
``aws_secret_access_key`` contains the word ``secret`` but ``secretary`` does not (and the
``\n``/``\t``/``\r`` escapes of raw JSON text end a word too). Looking
only backwards keeps a finding decidable as soon as its last character has been seen, which
the stream scanner relies on.

Offsets are character offsets in the Python ``str``: google-re2 matches UTF-8 internally but
its Python binding reports positions in the decoded string (tested with multi-byte text).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from renlayer_core.dlp.spec import DetectorSpec


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A validated candidate before allow lists, overlap resolution and actions."""

    detector_id: str
    start: int
    end: int
    value: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """One regex match before validation: the whole match and the value's span in it."""

    match_start: int
    match_end: int
    start: int
    end: int


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, case_sensitive: bool = True) -> Any:
    """The RE2 program for a detector's pattern (``(?i)`` prepended when case-insensitive)."""
    options = re2.Options()
    # Long bounded bodies (PEM blocks, JWT payloads) can exceed RE2's DFA budget; RE2 then
    # falls back to its NFA, which is correct, only slower — no need to log it.
    options.log_errors = False
    return re2.compile(pattern if case_sensitive else "(?i)" + pattern, options)


def _value_group(regex: Any) -> int:
    index: int = regex.groupindex.get("value", 0)
    return index


def candidates(spec: DetectorSpec, text: str) -> Iterator[Candidate]:
    """Every non-overlapping match of the spec's pattern, left to right."""
    regex = compile_pattern(spec.pattern, spec.case_sensitive)
    group = _value_group(regex)
    for m in regex.finditer(text):
        start, end = m.span(group)
        if start < 0 or start == end:  # the value group did not take part, or is empty
            continue
        yield Candidate(m.start(), m.end(), start, end)


_ESCAPES = ("\\n", "\\r", "\\t")


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def has_context(text: str, start: int, words: tuple[str, ...], window: int) -> bool:
    """Whether one of ``words`` occurs as a whole word in ``text[start - window:start]``."""
    if not words:
        return False
    lo = max(0, start - window)
    haystack = text[lo:start].lower()
    for word in words:
        needle = word.lower()
        at = haystack.find(needle)
        while at >= 0:
            left, right = lo + at, lo + at + len(needle)
            before_ok = (
                left == 0
                or not _is_word_char(text[left - 1])
                # "…\ntoken: x" in raw JSON text; never peeks further back than one character
                # before the window, which is all a stream scanner keeps
                or (left > lo and text[left - 2 : left] in _ESCAPES)
            )
            after_ok = right >= len(text) or not _is_word_char(text[right])
            if before_ok and after_ok:
                return True
            at = haystack.find(needle, at + 1)
    return False


def score(spec: DetectorSpec, text: str, start: int) -> float | None:
    """The confidence of a validated candidate at ``start``, or None when it must be dropped
    for lack of a required context word."""
    found = has_context(text, start, spec.context_words, spec.context_window)
    if spec.context_required and not found:
        return None
    boost = spec.context_boost if found else 0.0
    return min(1.0, round(spec.confidence + boost, 6))


def reference_find(spec: DetectorSpec, text: str) -> list[RawMatch]:
    """All findings of one detector in ``text``, in order of position."""
    out: list[RawMatch] = []
    for cand in candidates(spec, text):
        value = text[cand.start : cand.end]
        if spec.validator is not None and not spec.validator(value):
            continue
        confidence = score(spec, text, cand.start)
        if confidence is not None:
            out.append(RawMatch(spec.id, cand.start, cand.end, value, confidence))
    return out
