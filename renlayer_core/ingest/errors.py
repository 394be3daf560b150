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

    ``Unavailable`` is the port's outage error. A ``RenLayerError`` other than ``Unavailable``
    (invalid input, conflict) is a refusal. A foreign exception is an error the backend did
    not translate: usually a driver error (a dropped connection, a locked file), so an outage,
    because a refusal taken for an outage only delays, while an outage taken for a refusal
    moves good records aside. Except ``UnicodeError`` and ``OverflowError``: they depend on
    the value alone (a lone surrogate, an integer past 2^63), never on the connection, so
    retrying them would block ingest forever behind one record.
    """
    if isinstance(exc, UnicodeError | OverflowError):
        return False
    return isinstance(exc, Unavailable) or not isinstance(exc, RenLayerError)


def refusal_code(exc: BaseException) -> str:
    """The error's code (or type name) alone: a refusal's message may quote the refused value
    (a store message, a decoder's "invalid value 'x'"), and record content stays out of logs."""
    return exc.code if isinstance(exc, RenLayerError) else type(exc).__name__


def describe(exc: BaseException) -> str:
    """One line for metrics and logs, with credentials masked."""
    code = exc.code if isinstance(exc, RenLayerError) else type(exc).__name__
    text = " ".join(str(exc).split())[:300]
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return f"{code}: {text}" if text else code
