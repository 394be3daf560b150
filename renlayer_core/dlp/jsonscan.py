"""JSON payloads: the strings (and integers) to scan, each with its JSON path, and the
rebuild of a value with some of them replaced.

The walk is iterative and depth-checked, so a hostile 100 000-deep document (or a Python value
that contains itself) is a clear error, never a RecursionError. Paths are rendered only for
the leaves that have findings: most strings of a payload have none."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from renlayer_core.dlp.limits import Limits
from renlayer_core.errors import FieldError, PayloadTooLarge, ValidationFailed

# Where a node sits: None for the root, else (parent location, key or index).
Loc = tuple[Any, str | int] | None
# (location, in_key, text). Integers appear as their decimal text: a card number stored as a
# JSON number is still a card number. Floats and booleans cannot hold a detectable value.
Leaf = tuple[Loc, bool, str]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Longest member name given to a value as context (see key_context): the generic assignment
# detector reads at most ~60 characters of name, context words at most 64 before the value.
KEY_CONTEXT_MAX = 64


def key_context(loc: Loc, in_key: bool) -> str:
    """What a value is scanned after: its member name as `"name": ` (empty for keys, array
    items, the root and names longer than KEY_CONTEXT_MAX). Without it `{"password": "…"}`
    would lose the label that makes its value a finding; findings still lie in the value."""
    if in_key or loc is None or not isinstance(loc[1], str) or len(loc[1]) > KEY_CONTEXT_MAX:
        return ""
    return _labelled(loc[1])


@lru_cache(maxsize=4096)
def _labelled(name: str) -> str:
    # Payloads repeat the same few member names thousands of times.
    return json.dumps(name, ensure_ascii=False) + ": "


def render(loc: Loc, hidden: Mapping[Loc, str] | None = None) -> str:
    """`$.messages[2].content`; keys that are not identifiers as `$["x-api-key"]`; a member
    whose name is itself a finding as its `hidden` label, so that a secret used as a key
    never reaches a finding's path (paths are stored in traces)."""
    parts: list[str] = []
    while loc is not None:
        label = hidden.get(loc) if hidden else None
        loc, step = loc
        if label is not None:
            parts.append(f"[{json.dumps(label)}]")
        elif isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(f".{step}" if _IDENT.match(step) else f"[{json.dumps(step)}]")
    return "$" + "".join(reversed(parts))


def hidden_key(detector: str, fingerprint: str) -> str:
    """What a path shows for a member name that is a finding: its detector and fingerprint
    prefix, `[secret.github_token:3f2a9c1d0b4e]` — stable and distinct per value, like the
    `hash` redaction style, never the name."""
    return f"[{detector}:{fingerprint[:12]}]"


def leaves(value: Any, limits: Limits, keys: bool) -> list[Leaf]:
    """Every string/integer leaf (and object key when `keys`) in document order: a node's
    keys first, then each child's subtree."""
    out: list[Leaf] = []
    total = 0
    stack: list[tuple[Loc, Any, int]] = [(None, value, 0)]
    while stack:
        loc, node, depth = stack.pop()
        if isinstance(node, str):
            out.append((loc, False, node))
            total += len(node)
        elif isinstance(node, bool) or node is None or isinstance(node, float):
            continue
        elif isinstance(node, int):
            out.append((loc, False, _digits(loc, node)))
        elif isinstance(node, dict):
            _check(loc, depth, limits)
            _string_keys(loc, node)
            if keys:
                out += [((loc, k), True, k) for k in node]
                total += sum(map(len, node))
            stack += [((loc, k), v, depth + 1) for k, v in reversed(node.items())]
        elif isinstance(node, list | tuple):
            _check(loc, depth, limits)
            stack += [((loc, i), node[i], depth + 1) for i in range(len(node) - 1, -1, -1)]
        else:
            msg = f"a {type(node).__name__} is not a JSON value"
            raise ValidationFailed([FieldError(render(loc), msg)])
        if len(out) > limits.max_leaves:
            raise PayloadTooLarge(f"payload has more than {limits.max_leaves} values to scan")
    limits.check_chars(total)
    return out


def _digits(loc: Loc, node: int) -> str:
    # int.__repr__, as json.dumps writes it (an int subclass's own __str__ is not the JSON).
    # Python refuses to convert ints longer than sys.get_int_max_str_digits() (4300 by
    # default; the conversion is quadratic): a clear error with the path, not a bare
    # ValueError out of the scan.
    try:
        return int.__repr__(node)
    except ValueError:
        limit = sys.get_int_max_str_digits()
        msg = f"an integer of more than {limit} digits cannot be scanned"
        raise ValidationFailed([FieldError(render(loc), msg)]) from None


def _check(loc: Loc, depth: int, limits: Limits) -> None:
    if depth >= limits.max_depth:
        msg = f"nesting is deeper than {limits.max_depth} levels"
        raise ValidationFailed([FieldError(render(loc), msg)])


def _string_keys(loc: Loc, node: dict[Any, Any]) -> None:
    if not all(isinstance(k, str) for k in node):
        raise ValidationFailed([FieldError(render(loc), "object keys must be strings")])


def rebuild(value: Any, replaced: dict[int, str], keys: bool) -> Any:
    """A copy of `value` where leaf number i (in `leaves` order, same `keys`) becomes
    `replaced[i]`. Only call on a value `leaves` accepted (so depth is bounded)."""
    return _Rebuild(replaced, keys).node(value)


class _Rebuild:
    def __init__(self, replaced: dict[int, str], keys: bool) -> None:
        self.replaced, self.keys, self.next = replaced, keys, 0

    def leaf(self, value: Any) -> Any:
        index, self.next = self.next, self.next + 1
        return self.replaced.get(index, value)

    def node(self, value: Any) -> Any:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return self.leaf(value)
        if isinstance(value, dict):
            names = [self.leaf(k) if self.keys else k for k in value]
            out: dict[str, Any] = {}
            for name, child in zip(names, value.values(), strict=True):
                unique = name
                while unique in out:  # a redacted key must not overwrite another member
                    unique += "~"
                out[unique] = self.node(child)
            return out
        if isinstance(value, list | tuple):
            return [self.node(v) for v in value]
        return value
