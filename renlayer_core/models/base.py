"""Shared pieces of the resource records.

Stored records are msgspec Structs (frozen, keyword-only, unknown fields rejected): they are
what the hot path reads and what backends serialise, and msgspec decodes them an order of
magnitude faster than pydantic. User-facing create/update documents are pydantic models
(``extra="forbid"``) because they need precise, field-by-field messages; ``validate_document``
turns pydantic's errors into ``ValidationFailed`` with one ``FieldError`` per bad field.

Times are integers: unix milliseconds (UTC). The API layer renders them as RFC 3339.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

import msgspec
import pydantic

from renlayer_core.errors import FieldError, ValidationFailed


class Record(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every stored record."""


def now_ms() -> int:
    return int(time.time() * 1000)


class Document(pydantic.BaseModel):
    """Base of every user-facing create/update document: unknown fields are errors."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


D = TypeVar("D", bound=Document)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "field required"
    msg = str(err.get("msg", "invalid value"))
    # pydantic prefixes custom errors with "Value error, "; keep our own message only.
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def _found(err: Any) -> str | None:
    if err.get("type") == "missing":
        return None
    value = err.get("input")
    text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def validate_document(model: type[D], data: object) -> D:
    """Validate ``data`` against ``model``; every bad field is reported, not only the first."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [
            FieldError(path=_path(tuple(e["loc"])), message=_message(e), found=_found(e))
            for e in exc.errors()
        ]
        raise ValidationFailed(errors) from None
