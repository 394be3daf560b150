"""From candidates to findings: validators, context scoring, minimum confidence, allow lists,
then overlap resolution. Shared by the scan plan and the naive twin, which differ only in how
they find candidates."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from renlayer_core.dlp.allow import AllowMatcher
from renlayer_core.dlp.finding import Finding, masked_preview
from renlayer_core.dlp.fingerprint import fingerprint
from renlayer_core.dlp.reference import score
from renlayer_core.dlp.rules import Rule

# (rule index, start, end): a raw value span in character offsets of the scanned text.
Candidate = tuple[int, int, int]


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def findings_from(
    rules: Sequence[Rule],
    text: str,
    candidates: Iterable[Candidate],
    key: bytes,
    allow: AllowMatcher,
    *,
    path: str | None = None,
    offset: int = 0,
) -> list[Finding]:
    """Score and filter candidates, then resolve overlaps. `text[:offset]` is context only
    (a JSON value's member name): candidates starting there are dropped, and the findings'
    offsets are relative to `offset`."""
    kept = []
    for index, start, end in candidates:
        if start < offset:
            continue
        finding = _finding(
            rules[index], text, (start, end), key=key, allow=allow, path=path, shift=offset
        )
        if finding is not None:
            kept.append((finding, rules[index].rank))
    return resolve_overlaps(kept)


def _finding(
    rule: Rule,
    text: str,
    span: tuple[int, int],
    *,
    key: bytes,
    allow: AllowMatcher,
    path: str | None,
    shift: int,
) -> Finding | None:
    start, end = span
    value = text[start:end]
    if rule.kind == "keywords" and not _keyword_ok(rule, text, start, end, value):
        return None
    if rule.validator is not None and not rule.validator(value):
        return None
    confidence = _confidence(rule, text, start)
    if confidence is None or confidence < rule.min_confidence:
        return None
    digest: list[str] = []

    def fp() -> str:
        if not digest:
            digest.append(fingerprint(key, value))
        return digest[0]

    if allow and allow.suppresses(rule.id, value, fp):
        return None
    return Finding(
        detector=rule.id,
        category=rule.category,
        start=start - shift,
        end=end - shift,
        confidence=confidence,
        action=rule.action,
        preview=masked_preview(value),
        fingerprint=fp(),
        path=path,
    )


def _keyword_ok(rule: Rule, text: str, start: int, end: int, value: str) -> bool:
    if rule.case_sensitive and value not in rule.words:
        return False
    if not rule.whole_word:
        return True
    if start > 0 and is_word_char(value[0]) and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(value[-1]) and is_word_char(text[end]))


def _confidence(rule: Rule, text: str, start: int) -> float | None:
    """Base confidence, boosted by a context word before the value; None → dropped. The
    catalog's reference scorer, so the plan scores exactly as the catalog is tested."""
    return score(rule.spec, text, start)


def resolve_overlaps(items: list[tuple[Finding, int]]) -> list[Finding]:
    """Keep non-overlapping findings: longest first, then the more specific category, then
    higher confidence, then detector id and position (so the result is deterministic)."""
    items.sort(key=lambda it: (it[0].start - it[0].end, -it[1], -it[0].confidence, _tie(it[0])))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Finding] = []
    for finding, _rank in items:
        i = bisect_left(starts, finding.start)
        if i > 0 and ends[i - 1] > finding.start:
            continue
        if i < len(starts) and starts[i] < finding.end:
            continue
        starts.insert(i, finding.start)
        ends.insert(i, finding.end)
        kept.append(finding)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def _tie(finding: Finding) -> tuple[str, int]:
    return (finding.detector, finding.start)
