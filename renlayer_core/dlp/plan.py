"""The scan plan: a tenant's DLP configuration compiled once, scanned many times.

`compile_plan` is an ordered list of named, timed passes (OPA's compiler shape); the result is
immutable and safe to share between threads. `scan_naive` (naive.py) is its oracle."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import ahocorasick

from renlayer_core.dlp import jsonscan, redact
from renlayer_core.dlp.allow import AllowMatcher
from renlayer_core.dlp.config import DlpConfig
from renlayer_core.dlp.finding import Finding
from renlayer_core.dlp.limits import Limits
from renlayer_core.dlp.resolve import findings_from
from renlayer_core.dlp.rules import Rule, Style, build_rules, trigger_width
from renlayer_core.dlp.rx import compile_checked, keyword_alternation, new_set, set_matcher
from renlayer_core.dlp.scan import Candidates, Matcher, find_candidates
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.dlp.textcodec import clean, decode_input

if TYPE_CHECKING:
    from renlayer_core.dlp.stream import StreamScanner


@dataclass(frozen=True, eq=False)
class ScanPlan:
    rules: tuple[Rule, ...]
    matcher: Matcher
    # The same detectors in multi-line mode, to scan all strings of a JSON document joined by
    # newlines in one pass (None when a pattern uses `\A`/`\z`/flag clearing: see json_live).
    json_matcher: Matcher | None
    allow: AllowMatcher
    limits: Limits
    # Pass name → seconds it took, in order.
    timings: tuple[tuple[str, float], ...]
    key: bytes = field(repr=False)

    @cached_property
    def styles(self) -> dict[str, Style]:
        return {r.id: r.style for r in self.rules}

    @cached_property
    def max_len(self) -> int:
        """Longest possible match: what a stream scanner must hold back."""
        return max((r.max_len for r in self.rules), default=0)

    @cached_property
    def quiet_hold(self) -> int:
        """What a stream scanner holds back while no trigger is in flight (see stream.py)."""
        return max((r.quiet_hold for r in self.rules), default=0)

    @cached_property
    def context_reach(self) -> int:
        """How far before a value context words (and word boundaries) are looked for."""
        return max((r.spec.context_window for r in self.rules), default=0) + 1

    # -- text ---------------------------------------------------------------------------
    def scan_text(self, text: str) -> list[Finding]:
        self.limits.check_chars(len(text))
        text, data = clean(text)
        return self._findings(text, find_candidates(self.matcher, text, data))

    def scan_bytes(self, data: bytes) -> list[Finding]:
        """Bytes are decoded as UTF-8 with invalid sequences replaced by U+FFFD; the limit
        is on the decoded characters (non-ASCII text takes more bytes than characters)."""
        self.limits.check_bytes(len(data))
        return self.scan_text(decode_input(data))

    def redact_text(
        self, text: str, actions: Collection[str] = redact.DEFAULT_ACTIONS
    ) -> tuple[str, list[Finding]]:
        found = self.scan_text(text)
        return redact.apply(text, found, self.styles, actions), found

    # -- JSON ---------------------------------------------------------------------------
    def scan_json(self, value: Any) -> list[Finding]:
        return [f for _leaf, found in self._scan_leaves(value) for f in found]

    def redact_json(
        self, value: Any, actions: Collection[str] = redact.DEFAULT_ACTIONS
    ) -> tuple[Any, list[Finding]]:
        styles = self.styles
        replaced: dict[int, str] = {}
        out: list[Finding] = []
        for index, ((_loc, _in_key, text), found) in enumerate(self._scan_leaves(value)):
            out += found
            if found:
                new = redact.apply(text, found, styles, actions)
                if new is not text:
                    replaced[index] = new
        return jsonscan.rebuild(value, replaced, bool(self._key_rules)), out

    @cached_property
    def _key_rules(self) -> frozenset[int]:
        return frozenset(i for i, r in enumerate(self.rules) if r.scan_keys)

    def _scan_leaves(self, value: Any) -> list[tuple[jsonscan.Leaf, list[Finding]]]:
        key_rules = self._key_rules
        leaves = jsonscan.leaves(value, self.limits, keys=bool(key_rules))
        contexts = [jsonscan.key_context(loc, in_key) for loc, in_key, _ in leaves]
        live = json_live(self.json_matcher, [leaf[2] for leaf in leaves], contexts)
        out: list[tuple[jsonscan.Leaf, list[Finding]]] = []
        total = 0
        # Member names that are findings, by location: paths through them show a label.
        hidden: dict[jsonscan.Loc, str] = {}
        for index, leaf in enumerate(leaves):
            if live is not None and index not in live[0] and index not in live[1]:
                out.append((leaf, []))
                continue
            loc, in_key, raw = leaf
            context = contexts[index]
            text, data = clean(raw)
            cands = find_candidates(self.matcher, text, data)
            if in_key:
                cands = Candidates([c for c in cands.items if c[0] in key_rules], [], [])
            elif context and (live is None or index in live[1]):
                text, cands = self._with_context(context, raw, cands)
            elif context:
                # No match can start in the member name: the value's own candidates, moved
                # past a context that is still there for scoring.
                text, _ = clean(context + raw)
                shift = len(context)
                moved = [(i, s + shift, e + shift) for i, s, e in cands.items]
                cands = Candidates(moved, [], [])
            path = jsonscan.render(loc, hidden)
            found = self._findings(
                text, cands, path, in_key=in_key, check=False, offset=len(context)
            )
            if in_key and found:  # keys come before their member's subtree (leaves order)
                hidden[loc] = jsonscan.hidden_key(found[0].detector, found[0].fingerprint)
                path = jsonscan.render(loc, hidden)
                found = [_with_path(f, path) for f in found]
            total += len(found)
            self.limits.check_findings(total)
            out.append((leaf, found))
        return out

    def _with_context(self, context: str, raw: str, alone: Candidates) -> tuple[str, Candidates]:
        """The value's own candidates plus those of `context + raw` whose match starts in the
        context (a label such as `"password": ` that the value alone lacks), all in offsets
        of `context + raw`. Scanning the value on its own first keeps `^`/`\\A` anchored at
        its start."""
        text, data = clean(context + raw)
        shift = len(context)
        items = [(i, s + shift, e + shift) for i, s, e in alone.items]
        both = find_candidates(self.matcher, text, data)
        items += [c for c, m in zip(both.items, both.spans, strict=True) if m[0] < shift]
        return text, Candidates(list(dict.fromkeys(items)), [], [])

    # -- streams ------------------------------------------------------------------------
    def stream(
        self,
        redact: bool = True,
        actions: Collection[str] = redact.DEFAULT_ACTIONS,
        step: int | None = None,
    ) -> StreamScanner:
        from renlayer_core.dlp.stream import StreamScanner

        return StreamScanner(self, redact=redact, actions=frozenset(actions), step=step)

    # -- shared ---------------------------------------------------------------------------
    def _findings(
        self,
        text: str,
        cands: Candidates,
        path: str | None = None,
        *,
        in_key: bool = False,
        check: bool = True,
        offset: int = 0,
    ) -> list[Finding]:
        found = findings_from(
            self.rules, text, cands.items, self.key, self.allow, path=path, offset=offset
        )
        if in_key:
            found = [_keyed(f) for f in found]
        if check:
            self.limits.check_findings(len(found))
        return found


def json_live(
    matcher: Matcher | None, texts: list[str], contexts: list[str] | None = None
) -> tuple[set[int], set[int]] | None:
    """Indices of the strings that may hold a finding on their own, and of those that may
    hold one starting in their context (`contexts[i] + texts[i]`, a member name before the
    value), from one scan of all strings and context-prefixed strings joined by newlines.
    None: scan everything.

    Sound because the joined scan uses multi-line variants of every pattern: a match a string
    has on its own (`^`/`$` at its edges included) is a match in the joined text too, so the
    joined left-to-right scan reports some match H that starts at or before that match and
    ends after its start: H touches the string — and, for a match starting in a context, H
    covers a character of that context. Only strings so touched are scanned on their own."""
    if matcher is None or len(texts) < 2:
        return None
    contexts = contexts or [""] * len(texts)
    extra = [i for i, c in enumerate(contexts) if c]
    owners = list(range(len(texts))) + extra
    cleaned = [clean(t)[0] for t in texts] + [clean(contexts[i] + texts[i])[0] for i in extra]
    joined = "\n".join(cleaned)
    starts: list[int] = []
    pos = 0
    for text in cleaned:
        starts.append(pos)
        pos += len(text) + 1
    live: set[int] = set()
    in_context: set[int] = set()
    n = len(texts)
    for start, end in find_candidates(matcher, joined, joined.encode("utf-8")).matches:
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, end - 1) - 1
        for i in range(first, last + 1):
            if i < n:
                live.add(i)
            elif start < starts[i] + len(contexts[owners[i]]):
                in_context.add(owners[i])
    return live, in_context


def _keyed(f: Finding) -> Finding:
    import msgspec

    return msgspec.structs.replace(f, in_key=True)


def _with_path(f: Finding, path: str) -> Finding:
    import msgspec

    return msgspec.structs.replace(f, path=path)


# -- the compiler -------------------------------------------------------------------------
_State = dict[str, Any]


def _pass_rules(st: _State) -> None:
    st["rules"] = build_rules(st["config"], st["catalog"])


def _pass_automaton(st: _State) -> None:
    entries: dict[str, list[tuple[int, int]]] = {}
    for index, rule in enumerate(st["rules"]):
        if rule.kind == "keywords":
            for kw in rule.keywords:
                entries.setdefault(kw, []).append((index, len(kw.encode("utf-8"))))
    if not entries:
        st["automaton"] = None
        return
    automaton = ahocorasick.Automaton()
    for kw, hits in entries.items():
        # Keys are the UTF-8 bytes seen as Latin-1, the text is scanned the same way.
        automaton.add_word(kw.encode("utf-8").decode("latin-1"), tuple(hits))
    automaton.make_automaton()
    st["automaton"] = automaton


def _pass_gate(st: _State) -> None:
    gate_rules: list[int] = []
    sources: list[str] = []
    keyword_res: dict[int, tuple[Any, int]] = {}
    for index, rule in enumerate(st["rules"]):
        if rule.kind != "regex":
            continue
        gate_rules.append(index)
        if rule.trigger is not None:
            # Every match contains a trigger match, so a window of `radius` on both sides of
            # each reported trigger hit covers it (no extra right margin: a trigger hit
            # hidden by an overlapping reported hit starts inside that hit).
            sources.append(rule.trigger)
            keyword_res[index] = (compile_checked(rule.trigger, rule.id), 0)
            continue
        if not rule.keywords:
            sources.append(rule.source)
            continue
        alternation = keyword_alternation(rule.keywords)
        sources.append(alternation)
        longest = max(len(k.encode("utf-8")) for k in rule.keywords)
        keyword_res[index] = (compile_checked(alternation, rule.id), longest)
    st["gate"] = set_matcher(new_set(sources)) if sources else None
    st["gate_rules"] = tuple(gate_rules)
    st["gate_span"] = _gate_span([st["rules"][i] for i in gate_rules])
    st["keyword_res"] = keyword_res


def _gate_span(rules: list[Rule]) -> int | None:
    """Longest match of any gate entry in characters (None: one is unbounded), so that block
    gating can extend each block far enough to hold every gate match starting in it."""
    longest = 0
    for rule in rules:
        if rule.trigger is not None:
            width = trigger_width(rule.trigger)
            if width is None:
                return None
        elif rule.keywords:
            width = max(len(k) for k in rule.keywords)
        else:
            width = rule.max_len
        longest = max(longest, width)
    return longest


def _pass_json_matcher(st: _State) -> None:
    rules: tuple[Rule, ...] = st["rules"]
    if any(_needs_alone(r.source) for r in rules):
        st["json_matcher"] = None
        return
    sub: _State = {"rules": tuple(_multiline(r) for r in rules)}
    _pass_automaton(sub)
    _pass_gate(sub)
    st["json_matcher"] = _matcher(sub)


def _multiline(rule: Rule) -> Rule:
    # `(?m)` changes only what `^` and `$` mean: other patterns are reused as they are.
    if rule.kind != "regex" or ("^" not in rule.source and "$" not in rule.source):
        return rule
    source = f"(?m:{rule.source})"
    return replace(rule, source=source, regex=compile_checked(source, rule.id))


_FLAG_CLEARING = re.compile(r"\(\?[A-Za-z]*-")


def _needs_alone(source: str) -> bool:
    # `\A`, `\z` and flag clearing (`(?-m)`) would not survive the multi-line rewrite.
    return "\\A" in source or "\\z" in source or _FLAG_CLEARING.search(source) is not None


def _matcher(st: _State) -> Matcher:
    return Matcher(
        st["rules"],
        st["gate"],
        st["gate_rules"],
        st["keyword_res"],
        st["automaton"],
        st["gate_span"],
    )


def _pass_allow_lists(st: _State) -> None:
    st["allow"] = AllowMatcher.build(st["config"].allow_lists)


PASSES: tuple[tuple[str, Callable[[_State], None]], ...] = (
    ("build_rules", _pass_rules),
    ("keyword_list_automaton", _pass_automaton),
    ("gate_set", _pass_gate),
    ("json_matcher", _pass_json_matcher),
    ("allow_lists", _pass_allow_lists),
)


def compile_plan(
    config: DlpConfig,
    fingerprint_key: bytes,
    limits: Limits | None = None,
    catalog: Mapping[str, DetectorSpec] | None = None,
) -> ScanPlan:
    """Compile `config` into a scan plan. `fingerprint_key` keys the findings' HMACs;
    `catalog` replaces the built-in detector catalog (tests, embedders)."""
    st: _State = {"config": config, "catalog": catalog}
    timings = []
    for name, run in PASSES:
        t0 = time.perf_counter()
        run(st)
        timings.append((name, time.perf_counter() - t0))
    return ScanPlan(
        rules=st["rules"],
        matcher=_matcher(st),
        json_matcher=st["json_matcher"],
        allow=st["allow"],
        limits=limits or Limits(),
        timings=tuple(timings),
        key=fingerprint_key,
    )
