"""RE2 access for the scan pipeline: syntax checks with helpful messages, and matching over
UTF-8 bytes with byte offsets.

The scan plan encodes a text once and runs every regex over the same bytes with `pos`/`endpos`
windows; RE2 keeps the surrounding bytes as context, so `\\b` at a window edge sees the real
neighbour. The public `re2` wrapper re-encodes the text and builds a Python generator per call;
the compiled object's `Match` method is a single C++ call and five times cheaper, so the hot
path uses it when present (google-re2 ≥ 1.0) and falls back to `finditer` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import re2

from renlayer_core.errors import FieldError, PatternInvalid

Span = tuple[int, int]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_UNANCHORED: Any = re2._re2.RE2.Anchor.UNANCHORED if hasattr(re2, "_re2") else None

# Constructs people bring from PCRE/Python that RE2 rejects, checked before RE2's own (terser)
# error so the message names the construct.
_GROUP_OPENERS = (
    ("(?<=", "lookbehind `(?<=`"),
    ("(?<!", "negative lookbehind `(?<!`"),
    ("(?=", "lookahead `(?=`"),
    ("(?!", "negative lookahead `(?!`"),
    ("(?>", "atomic group `(?>`"),
    ("(?(", "conditional group `(?(`"),
    ("(?P=", "named backreference `(?P=`"),
    ("(?P>", "named recursion `(?P>`"),
    ("(?&", "named recursion `(?&`"),
    ("(?R)", "recursion `(?R)`"),
    ("(?|", "branch reset group `(?|`"),
    ("(?#", "comment group `(?#`"),
    ("(?'", "quoted group name `(?'` (use `(?P<name>`)"),
    ("(*", "backtracking verb `(*`"),
)
_ESCAPES = {
    **{str(d): "backreference `\\" + str(d) + "`" for d in range(1, 10)},
    "k": "named backreference `\\k`",
    "g": "backreference `\\g`",
    "G": "anchor `\\G`",
    "Z": "anchor `\\Z` (use `\\z`)",
    "K": "match reset `\\K`",
}
# `(?1)`, `(?+1)`, `(?-1)`: PCRE's numbered recursion (`(?-i)` is RE2's flag clearing).
_RECURSION = re.compile(r"\(\?[+-]?[0-9]+\)?")
# Escapes whose argument is in braces (`\p{Greek}`, `\x{41}`): the `}` is not a quantifier's.
_BRACED = ("p", "P", "x")


def unsupported_construct(pattern: str) -> str | None:
    """Name the first non-RE2 construct in `pattern`, or None. Skips escapes, `\\Q…\\E`
    quoting and character classes (where `(?=` or `++` are literal characters)."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt in _ESCAPES:
                return _ESCAPES[nxt]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
            elif nxt in _BRACED and pattern[i + 2 : i + 3] == "{":
                end = pattern.find("}", i + 3)
                i = n if end < 0 else end + 1
            else:
                i += 2
            continue
        if ch == "[":
            i = _class_end(pattern, i)
            continue
        if ch == "(":
            for opener, name in _GROUP_OPENERS:
                if pattern.startswith(opener, i):
                    return name
            recursion = _RECURSION.match(pattern, i)
            if recursion is not None:
                return f"recursion `{recursion.group()}`"
        elif ch in "*+?}" and pattern[i + 1 : i + 2] == "+":
            return f"possessive quantifier `{ch}+`"
        i += 1
    return None


def _class_end(pattern: str, i: int) -> int:
    """Index just past the character class opening at `i` (RE2's rules: a `]` right after
    `[` or `[^` is literal; escapes and `[:alpha:]` sit inside). Unterminated: the end."""
    n = len(pattern)
    i += 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < n:
        ch = pattern[i]
        if ch == "]":
            return i + 1
        if ch == "\\":
            braced = pattern[i + 1 : i + 2] in _BRACED and pattern[i + 2 : i + 3] == "{"
            end = pattern.find("}", i + 3) if braced else -1
            i = end + 1 if end >= 0 else i + 2
        elif pattern.startswith("[:", i) and pattern.find(":]", i + 2) >= 0:
            i = pattern.find(":]", i + 2) + 2
        else:
            i += 1
    return n


def compile_checked(pattern: str, field: str, echo: bool = True) -> Any:
    """Compile an RE2 pattern or raise PatternInvalid naming what is unsupported. `echo`:
    whether the error may quote the pattern (an allow list's regex may hold the very value
    it allows, so its errors do not)."""
    found = pattern if echo else None
    construct = unsupported_construct(pattern)
    if construct is not None:
        msg = f"{construct} is not supported: patterns use RE2 syntax"
        raise PatternInvalid([FieldError(field, msg, expected="RE2 syntax", found=found)])
    try:
        return _compile(pattern)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        if not echo:  # RE2 quotes the offending fragment, sometimes the whole pattern
            detail = detail.split(": ", 1)[0]
        msg = f"invalid RE2 pattern: {detail}"
        raise PatternInvalid([FieldError(field, msg, expected="RE2 syntax", found=found)]) from None


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> Any:
    # Some catalog patterns take 0.1–0.2 s to compile (large counted repetitions); plans are
    # recompiled on every configuration change, so compiled programs are shared (RE2
    # objects are immutable and thread-safe). Failures are not cached.
    return re2.compile(pattern, _OPTIONS)


def value_group(regex: Any) -> int:
    """The group whose span is the finding: `value` if named, else the first group, else 0."""
    index: dict[str, int] = regex.groupindex
    if "value" in index:
        return index["value"]
    return 1 if regex.groups >= 1 else 0


def iter_spans(regex: Any, data: bytes, pos: int, endpos: int) -> Iterator[list[Span]]:
    """Non-overlapping leftmost-first matches in `data[pos:endpos]`, as byte spans per group.

    Empty matches are skipped (they can never be a finding)."""
    raw = getattr(regex, "_regexp", None)
    if raw is None or _UNANCHORED is None:  # pragma: no cover - other re2 builds
        for m in regex.finditer(data, pos, endpos):
            spans = [m.span(g) for g in range(regex.groups + 1)]
            if spans[0][0] != spans[0][1]:
                yield spans
        return
    while pos <= endpos:
        spans = raw.Match(_UNANCHORED, data, pos, endpos)
        start, end = spans[0]
        if start < 0:
            return
        if end == start:
            pos = start + 1
            continue
        yield spans
        pos = end


def new_set(patterns: list[str], field: str = "patterns") -> Any:
    """One RE2 search set over `patterns` (index i ↔ patterns[i]).

    A set never falls back to the NFA, so RE2 refuses one whose DFA cannot get going within
    its memory budget: a single pattern that compiles on its own (`\\pL{200}`) or several
    large ones together. That is the configuration's problem, said as PatternInvalid at
    `field` — never a raw `re2.error` out of compile_plan."""
    rset = re2.Set.SearchSet(_OPTIONS)
    try:
        for pattern in patterns:
            rset.Add(pattern)
        rset.Compile()
    except re2.error:
        msg = (
            "too large for the scan gate (one RE2 set): use smaller counted repetitions,"
            " e.g. `[A-Za-z0-9]{20,40}` rather than `\\pL{200}`"
        )
        raise PatternInvalid([FieldError(field, msg, expected="RE2 syntax")]) from None
    return rset


def set_matcher(rset: Any) -> Callable[[bytes | memoryview], list[int]]:
    """`rset`'s match function over bytes or a buffer view of them: the indices of the
    patterns that match (empty list: none). The compiled set's own `Match` when present —
    the public wrapper adds a Python frame and a type check per call, ~0.5 µs, which a
    stream pays on every scan and block gating on every 4 KiB."""
    raw = getattr(rset, "_set", None)
    if raw is not None and hasattr(raw, "Match"):
        match: Callable[[bytes | memoryview], list[int]] = raw.Match
        return match
    return lambda data: list(rset.Match(data) or ())  # pragma: no cover - other re2 builds


def keyword_alternation(keywords: tuple[str, ...]) -> str:
    """A case-insensitive RE2 alternation of literal keywords (Unicode case folding: a
    superset of A–Z folding, which is what a prefilter may be)."""
    return "(?i:" + "|".join(re2.escape(k) for k in keywords) + ")"
