"""Globs as the policy language defines them: ``*`` and ``?`` only.

Two styles:

- ``any`` (tools, hosts, upstreams, models, findings, the ``glob`` operator): ``*`` matches any
  run of characters (dots and slashes included), ``?`` exactly one character.
- ``path``: ``*`` and ``?`` never match ``/``; ``**`` matches any run including ``/``; a
  ``/**`` segment (at the end, or followed by ``/``) also matches *no* segment, Ant-style, so
  ``/v1/admin/**`` covers ``/v1/admin`` itself — a deny on a tree must not miss its root.

Matching compiles to the cheapest correct form: a string compare, a prefix or suffix test, the
stdlib ``re`` for patterns with at most one star (backtracking is then linear), and RE2 for the
rest so that an agent-controlled string can never trigger catastrophic backtracking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

GlobStyle = Literal["any", "path"]
Matcher = Callable[[str], bool]

WILDCARDS: Final = frozenset("*?")
# Reserved so that a future character-class or brace syntax cannot change what a stored
# policy means; rejecting them now beats silently treating them as literals.
RESERVED: Final = frozenset("[]{}\\")
MAX_GLOB_LEN: Final = 512
# Escaped by hand rather than with re.escape: the output must be valid for RE2 as well, and
# RE2 rejects some of re.escape's escapes.
_REGEX_SPECIAL: Final = frozenset(".^$|?*+()[]{}\\")


def glob_problem(pattern: str, style: GlobStyle) -> str | None:
    """Why ``pattern`` is not a valid glob, or None."""
    if not pattern:
        return "a glob must not be empty"
    if len(pattern) > MAX_GLOB_LEN:
        return f"a glob has at most {MAX_GLOB_LEN} characters"
    bad = sorted({c for c in pattern if c in RESERVED})
    if bad:
        shown = ", ".join(f"'{c}'" for c in bad)
        return f"{shown} not supported in globs (only * and ? are wildcards)"
    if any(ord(c) < 32 or ord(c) == 127 for c in pattern):
        return "control characters are not allowed in globs"
    if "***" in pattern:
        return "'***' is not a valid wildcard (use * or **)"
    if style == "any" and "**" in pattern:
        return "'**' is only meaningful in paths (here * already matches any run)"
    return None


def has_wildcard(pattern: str) -> bool:
    return any(c in WILDCARDS for c in pattern)


def literal_prefix(pattern: str) -> str:
    """The characters before the first wildcard."""
    for i, c in enumerate(pattern):
        if c in WILDCARDS:
            return pattern[:i]
    return pattern


def literal_suffix(pattern: str) -> str:
    """The characters after the last wildcard."""
    for i in range(len(pattern) - 1, -1, -1):
        if pattern[i] in WILDCARDS:
            return pattern[i + 1 :]
    return pattern


def glob_to_regex(pattern: str, style: GlobStyle) -> str:
    """Regex source (valid for both ``re`` and RE2) that must match the whole string."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if style == "path" and pattern.startswith("**", i):
            seg_start = i == 0 or pattern[i - 1] == "/"
            seg_end = i + 2 == n or pattern[i + 2] == "/"
            if seg_start and seg_end and out and out[-1] == "/":
                # "/**" as a whole segment: zero or more segments.
                out[-1] = "(?:/.*)?"
            else:
                out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*" if style == "path" else ".*")
        elif c == "?":
            out.append("[^/]" if style == "path" else ".")
        else:
            out.append("\\" + c if c in _REGEX_SPECIAL else c)
        i += 1
    return "".join(out)


def compile_glob(pattern: str, style: GlobStyle) -> Matcher:
    """A predicate testing whether a string matches ``pattern`` entirely."""
    if not has_wildcard(pattern):
        return pattern.__eq__
    stars = pattern.count("*")
    prefix, suffix = literal_prefix(pattern), literal_suffix(pattern)
    if "?" not in pattern and stars == 1 and pattern.endswith("*") and style == "any":
        return _startswith(prefix)
    if "?" not in pattern and stars == 1 and pattern.startswith("*") and style == "any":
        return _endswith(suffix)
    source = glob_to_regex(pattern, style)
    if stars <= 1:
        # One star: at most n backtracking positions — safe with the fast stdlib engine.
        return _re_fullmatch(re.compile(source, re.DOTALL))
    return _re2_fullmatch(source)


def _startswith(prefix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.startswith(prefix)

    return match


def _endswith(suffix: str) -> Matcher:
    def match(value: str) -> bool:
        return value.endswith(suffix)

    return match


def _re_fullmatch(rx: re.Pattern[str]) -> Matcher:
    fullmatch = rx.fullmatch

    def match(value: str) -> bool:
        return fullmatch(value) is not None

    return match


def _re2_fullmatch(source: str) -> Matcher:
    from renlayer_core.policy.regex import compile_re2

    fullmatch = compile_re2("(?s)" + source).fullmatch

    def match(value: str) -> bool:
        return fullmatch(value) is not None

    return match
