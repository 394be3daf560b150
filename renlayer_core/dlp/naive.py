"""The naive twin of the scan plan: every detector over the whole text, no keyword prefilter,
no RE2 set, no windows — then the same scoring, allow lists and overlap resolution. Slow and
obviously right; the differential tests hold the plan to it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from renlayer_core.dlp import reference
from renlayer_core.dlp.allow import AllowMatcher
from renlayer_core.dlp.config import DlpConfig
from renlayer_core.dlp.finding import Finding
from renlayer_core.dlp.jsonscan import Loc, hidden_key, key_context, leaves, render
from renlayer_core.dlp.limits import Limits
from renlayer_core.dlp.resolve import findings_from
from renlayer_core.dlp.rules import Rule, ascii_fold, build_rules
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.dlp.textcodec import clean


def scan_naive(
    config: DlpConfig,
    text: str,
    fingerprint_key: bytes,
    catalog: Mapping[str, DetectorSpec] | None = None,
    *,
    path: str | None = None,
    only_keys: bool = False,
    context: str = "",
) -> list[Finding]:
    """`context` is scanned before `text` but is no part of it (a JSON member name):
    findings lie in `text`, with offsets in it."""
    rules, allow = _compiled(config) if catalog is None else _compile(config, catalog)
    text, _ = clean(text)
    shift = len(context)
    # The value on its own (anchors hold at its start), then, with the context before it,
    # the matches that start in the context.
    cands = [
        (j, s + shift, e + shift)
        for i, rule in enumerate(rules)
        if rule.scan_keys or not only_keys
        for j, s, e, _m in _whole_text(i, rule, text)
    ]
    if context:
        text, _ = clean(context + text)
        cands += [
            (j, s, e)
            for i, rule in enumerate(rules)
            for j, s, e, m in _whole_text(i, rule, text)
            if m < shift
        ]
    return findings_from(
        rules, text, list(dict.fromkeys(cands)), fingerprint_key, allow, path=path, offset=shift
    )


def scan_naive_json(
    config: DlpConfig,
    value: Any,
    fingerprint_key: bytes,
    catalog: Mapping[str, DetectorSpec] | None = None,
) -> list[Finding]:
    """JSON, naively: each leaf scanned on its own with `scan_naive`."""
    keys = any(r.scan_keys for r in build_rules(config, catalog))
    import msgspec

    out: list[Finding] = []
    hidden: dict[Loc, str] = {}
    for loc, in_key, text in leaves(value, Limits(), keys):
        path = render(loc, hidden)
        context = key_context(loc, in_key)
        found = scan_naive(
            config, text, fingerprint_key, catalog, path=path, only_keys=in_key, context=context
        )
        if in_key:
            found = [msgspec.structs.replace(f, in_key=True) for f in found]
            if found:
                hidden[loc] = hidden_key(found[0].detector, found[0].fingerprint)
                path = render(loc, hidden)
                found = [msgspec.structs.replace(f, path=path) for f in found]
        out += found
    return out


def _compile(
    config: DlpConfig, catalog: Mapping[str, DetectorSpec] | None
) -> tuple[tuple[Rule, ...], AllowMatcher]:
    return build_rules(config, catalog), AllowMatcher.build(config.allow_lists)


@lru_cache(maxsize=32)
def _compiled(config: DlpConfig) -> tuple[tuple[Rule, ...], AllowMatcher]:
    # The twin is called once per string in the tests: compiling its detectors every time
    # would dominate them. Configurations are immutable, so caching by value is safe.
    return _compile(config, None)


def _whole_text(index: int, rule: Rule, text: str) -> Iterator[tuple[int, int, int, int]]:
    """(rule index, value start, value end, match start) of every match."""
    if rule.kind == "keywords":
        yield from _keyword_occurrences(index, rule, text)
        return
    if rule.builtin:  # the catalog's own reference matcher
        for cand in reference.candidates(rule.spec, text):
            yield (index, cand.start, cand.end, cand.match_start)
        return
    for m in rule.regex.finditer(text):
        # A value group that did not take part is no finding (as in reference.candidates).
        start, end = m.span(rule.group)
        if end > start >= 0:
            yield (index, start, end, m.start())


def _keyword_occurrences(index: int, rule: Rule, text: str) -> Iterator[tuple[int, int, int, int]]:
    """Every occurrence, overlapping ones included, of every keyword (A–Z folded)."""
    folded = ascii_fold(text)
    for word in rule.keywords:
        pos = folded.find(word)
        while pos >= 0:
            yield (index, pos, pos + len(word), pos)
            pos = folded.find(word, pos + 1)
