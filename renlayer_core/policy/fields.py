"""``when`` field references: what a predicate reads from an action request.

Roots: ``args`` / ``body`` followed by an optional JSON path (``.name``, ``[n]``,
``["any key"]``), ``body.size``, ``header.<name>`` (case-insensitive), ``session.trace_count``,
``time.hour`` and ``time.weekday``. Parsing is shared by validation, the decision table and
the naive twin; resolving a reference against a request is not (each evaluator has its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Root = Literal[
    "args", "body", "body.size", "header", "session.trace_count", "time.hour", "time.weekday"
]
# Roots whose value is always an integer when present.
NUMERIC_ROOTS: Final = frozenset({"body.size", "session.trace_count", "time.hour", "time.weekday"})
ROOTS_HELP: Final = (
    "args.<path>, body.<path>, body.size, header.<name>, session.trace_count, time.hour "
    "or time.weekday"
)
_SEGMENT: Final = re.compile(r'\.([^.\[\]"\s]+)|\[(\d{1,9})\]|\["([^"\\]*)"\]')
MAX_FIELD_LEN: Final = 256
_HEADER: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class FieldRef:
    text: str
    root: Root
    # JSON path below args/body: str keys and int indexes.
    path: tuple[str | int, ...] = ()
    # Lower-cased header name for the header root.
    header: str = ""


def parse_field(text: str) -> FieldRef:
    """Parse a ``when`` field; raises ``ValueError`` with a user-facing message."""
    if len(text) > MAX_FIELD_LEN:
        raise ValueError(f"a field reference has at most {MAX_FIELD_LEN} characters")
    fixed = {"body.size", "session.trace_count", "time.hour", "time.weekday"}
    if text in fixed:
        return FieldRef(text, text)  # type: ignore[arg-type]
    if text.startswith("header."):
        name = text[len("header.") :]
        if not _HEADER.fullmatch(name):
            raise ValueError(f"'{name}' is not a valid header name")
        return FieldRef(text, "header", header=name.lower())
    for root in ("args", "body"):
        if text == root or text.startswith((root + ".", root + "[")):
            return FieldRef(text, root, _parse_path(text, len(root)))
    raise ValueError(f"unknown field '{text}' (fields are {ROOTS_HELP})")


def _parse_path(text: str, pos: int) -> tuple[str | int, ...]:
    out: list[str | int] = []
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise ValueError(f"bad path in '{text}' at character {pos + 1}")
        name, index, quoted = m.groups()
        out.append(int(index) if index is not None else (name if name is not None else quoted))
        pos = m.end()
    return tuple(out)
