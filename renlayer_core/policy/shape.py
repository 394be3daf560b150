"""Size and shape limits on a document before it is validated field by field.

A document that is too deep (or cyclic, as YAML aliases allow) or too big once YAML aliases
are expanded (the "billion laughs" bomb: a few lines that expand to 10⁹ values) would
otherwise exhaust the stack or the CPU in validation. One iterative walk counts values as
they would be visited, so an alias used twice counts twice.

The same walk refuses text that is not Unicode: JSON allows lone surrogates (``"\\ud800"``),
which no UTF-8 encoder, RE2 included, accepts — they would break matching at evaluation time.
"""

from __future__ import annotations

from typing import Any, Final

from renlayer_core.errors import FieldError
from renlayer_core.policy.text import is_unicode

MAX_DOCUMENT_DEPTH: Final = 100
MAX_DOCUMENT_VALUES: Final = 1_000_000
_SHOWN_SEGMENTS: Final = 8


NOT_UNICODE: Final = "is not valid Unicode text (it holds a lone surrogate)"


def shape_problem(data: object, max_depth: int = MAX_DOCUMENT_DEPTH) -> FieldError | None:
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
        if depth > max_depth:
            return FieldError(
                _format(path),
                f"nested deeper than {max_depth} levels",
                f"at most {max_depth} levels",
            )
        if type(value) is str:
            if not is_unicode(value):
                return FieldError(_format(path), NOT_UNICODE, "Unicode text")
        elif type(value) is dict:
            for k in value:
                if type(k) is str and not is_unicode(k):
                    return FieldError(_format(path), f"a key {NOT_UNICODE}", "Unicode text")
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
