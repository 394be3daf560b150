"""Size and shape limits on a document before it is validated field by field.

A document that is too deep (or cyclic, as YAML aliases allow) or too big once YAML aliases
are expanded (the "billion laughs" bomb: a few lines that expand to 10⁹ values) would
otherwise exhaust the stack or the CPU in validation. One iterative walk counts values as
they would be visited, so an alias used twice counts twice.
"""

from __future__ import annotations

from typing import Any, Final

from renlayer_core.errors import FieldError

MAX_DOCUMENT_DEPTH: Final = 100
MAX_DOCUMENT_VALUES: Final = 1_000_000
_SHOWN_SEGMENTS: Final = 8


def shape_problem(data: object) -> FieldError | None:
    """The first limit ``data`` breaks, or None."""
    # (value, depth, path) where path is a linked (parent, segment) pair: O(1) per value.
    stack: list[tuple[Any, int, Any]] = [(data, 0, None)]
    visited = 0
    while stack:
        value, depth, path = stack.pop()
        visited += 1
        if visited > MAX_DOCUMENT_VALUES:
            return FieldError(
                "",
                f"the document holds more than {MAX_DOCUMENT_VALUES:,} values "
                "(YAML aliases count each time they are used)",
                f"at most {MAX_DOCUMENT_VALUES:,} values",
            )
        if depth > MAX_DOCUMENT_DEPTH:
            return FieldError(
                _format(path),
                f"nested deeper than {MAX_DOCUMENT_DEPTH} levels",
                f"at most {MAX_DOCUMENT_DEPTH} levels",
            )
        if type(value) is dict:
            stack.extend((v, depth + 1, (path, k)) for k, v in value.items())
        elif type(value) is list:
            stack.extend((v, depth + 1, (path, i)) for i, v in enumerate(value))
    return None


def _format(path: Any) -> str:
    parts: list[Any] = []
    while path is not None:
        path, seg = path
        parts.append(seg)
    parts.reverse()
    out = ""
    for seg in parts[:_SHOWN_SEGMENTS]:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out + ("..." if len(parts) > _SHOWN_SEGMENTS else "")
