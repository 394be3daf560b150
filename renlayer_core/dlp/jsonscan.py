"""JSON payloads: the strings (and integers) to scan, each with its JSON path, and the
rebuild of a value with some of them replaced.

The walk is iterative and depth-checked first, so a hostile 100 000-deep document (or a
Python value that contains itself) is a clear error, never a RecursionError."""

from __future__ import annotations

import json
import re
from typing import Any

from renlayer_core.dlp.limits import Limits
from renlayer_core.errors import FieldError, PayloadTooLarge, ValidationFailed

# (path, in_key, text). Integers appear as their decimal text: a card number stored as a JSON
# number is still a card number. Floats and booleans cannot hold a detectable value.
Leaf = tuple[str, bool, str]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def member_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if _IDENT.match(key) else f"{parent}[{json.dumps(key)}]"


def leaves(value: Any, limits: Limits, keys: bool) -> list[Leaf]:
    """Every string/integer leaf (and object key when `keys`), depth-first in document order."""
    out: list[Leaf] = []
    total = 0
    stack: list[tuple[str, Any, int]] = [("$", value, 0)]
    while stack:
        path, node, depth = stack.pop()
        if isinstance(node, str):
            out.append((path, False, node))
            total += len(node)
        elif isinstance(node, bool) or node is None or isinstance(node, float):
            continue
        elif isinstance(node, int):
            out.append((path, False, str(node)))
        elif isinstance(node, dict | list | tuple):
            _check_depth(path, depth + 1, limits)
            children = _children(path, node)
            if keys and isinstance(node, dict):
                out += [(member_path(path, k), True, k) for k in node]
                total += sum(len(k) for k in node)
            stack += [(p, v, depth + 1) for p, v in reversed(children)]
        else:
            msg = f"a {type(node).__name__} is not a JSON value"
            raise ValidationFailed([FieldError(path, msg)])
        if len(out) > limits.max_leaves:
            raise PayloadTooLarge(f"payload has more than {limits.max_leaves} values to scan")
    limits.check_chars(total)
    return out


def _children(
    path: str, node: dict[Any, Any] | list[Any] | tuple[Any, ...]
) -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        for k in node:
            if not isinstance(k, str):
                raise ValidationFailed([FieldError(path, "object keys must be strings")])
        return [(member_path(path, k), v) for k, v in node.items()]
    return [(f"{path}[{i}]", v) for i, v in enumerate(node)]


def _check_depth(path: str, depth: int, limits: Limits) -> None:
    if depth > limits.max_depth:
        msg = f"nesting is deeper than {limits.max_depth} levels"
        raise ValidationFailed([FieldError(path, msg)])


def rebuild(value: Any, replaced: dict[tuple[str, bool], str], path: str = "$") -> Any:
    """A copy of `value` with the leaves in `replaced` swapped; untouched subtrees are shared.
    Only call on a value `leaves` accepted (so depth is bounded)."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return replaced.get((path, False), value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            child = member_path(path, k)
            new_key = replaced.get((child, True)) or str(k)
            while new_key in out:  # a redacted key must not overwrite another member
                new_key += "~"
            out[new_key] = rebuild(v, replaced, child)
        return out
    if isinstance(value, list | tuple):
        return [rebuild(v, replaced, f"{path}[{i}]") for i, v in enumerate(value)]
    return value
