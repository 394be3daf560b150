"""Which sink errors are an outage (retry and keep the batch) and how to describe them safely."""

from __future__ import annotations

import re

from renlayer_core.errors import RenLayerError, Unavailable

# Credentials a driver may echo back in a message: a URL's user:password@, password=...
_SECRETS = (
    (re.compile(r"(://)[^@/\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(password|passwd|pwd|secret|token)(\s*[=:]\s*)\S+"), r"\1\2***"),
)


def is_outage(exc: BaseException) -> bool:
    """An outage is retried forever; anything else means the store refuses these records.

    ``Unavailable`` is the port's outage error. A foreign exception is a driver error the
    backend did not translate (a dropped connection, a locked file): treated as an outage too,
    because retrying a refusal costs only time, while dropping a record after an outage loses
    it. A ``RenLayerError`` other than ``Unavailable`` (invalid input, conflict) is a refusal.
    """
    return isinstance(exc, Unavailable) or not isinstance(exc, RenLayerError)


def describe(exc: BaseException) -> str:
    """One line for metrics and logs, with credentials masked."""
    code = exc.code if isinstance(exc, RenLayerError) else type(exc).__name__
    text = " ".join(str(exc).split())[:300]
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return f"{code}: {text}" if text else code
