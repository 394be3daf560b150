"""One error hierarchy for the whole product, each class with a stable ``code``.

The tree (codes in brackets) — the API maps codes to HTTP status in one place::

    RenLayerError [error]
    ├── InvalidInput [invalid_input]                 → 400
    │   ├── InvalidId [invalid_id]                   → 400
    │   ├── ValidationFailed [validation_failed]     → 422 (lists each bad field path)
    │   │   ├── PolicyInvalid [policy_invalid]
    │   │   └── PatternInvalid [pattern_invalid]     (non-RE2 syntax, bad validator, …)
    │   ├── InvalidCursor [invalid_cursor]           → 400
    │   └── PayloadTooLarge [payload_too_large]      → 413
    ├── NotFound [not_found]                         → 404 (also for another tenant's rows)
    ├── Conflict [conflict]                          → 409
    ├── Unauthenticated [unauthenticated]            → 401
    ├── Forbidden [forbidden]                        → 403
    └── Unavailable [unavailable]                    → 503 (store down; enforcement fails closed)

Messages follow Cedar's habit: lowercase, one line, user input quoted, phrased in policy terms
rather than Python types. Secrets never appear in a message: callers pass masked values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: where (a dotted/indexed path), what was expected and what was found."""

    path: str
    message: str
    expected: str | None = None
    found: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.expected is not None:
            out["expected"] = self.expected
        if self.found is not None:
            out["found"] = self.found
        return out

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"


class RenLayerError(Exception):
    """Base of every error RenLayer raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(RenLayerError):
    code = "invalid_input"
    status = 400


class InvalidId(InvalidInput):
    code = "invalid_id"


class ValidationFailed(InvalidInput):
    """A document failed validation; ``errors`` lists every bad field, not just the first."""

    code = "validation_failed"
    status = 422

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        self.errors = list(errors)
        if message is None:
            first = str(self.errors[0]) if self.errors else "invalid document"
            more = len(self.errors) - 1
            message = first + (f" (and {more} more)" if more > 0 else "")
        super().__init__(message)


class PolicyInvalid(ValidationFailed):
    code = "policy_invalid"


class PatternInvalid(ValidationFailed):
    code = "pattern_invalid"


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    status = 413


class NotFound(RenLayerError):
    code = "not_found"
    status = 404


class Conflict(RenLayerError):
    code = "conflict"
    status = 409

    def __init__(self, message: str, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class Unauthenticated(RenLayerError):
    code = "unauthenticated"
    status = 401


class Forbidden(RenLayerError):
    code = "forbidden"
    status = 403


class Unavailable(RenLayerError):
    code = "unavailable"
    status = 503
