"""A page of a keyset-paginated list, and the limit rules (SPEC §6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from renlayer_core.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    data: Sequence[T]
    next_cursor: str | None
    has_more: bool


def check_limit(limit: int | None) -> int:
    """Default 50. Outside 1..200 is an error, not a clamp: a client asking for 1000 rows and
    silently getting 200 could take the short page for the end of the list."""
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, found {limit!r}")
    return limit
