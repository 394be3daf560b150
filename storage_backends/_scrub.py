"""Trace text every backend can hold: U+0000 stored as U+FFFD, lone surrogates and over-long
indexed text refused (``InvalidInput``), the same on every backend.

PostgreSQL cannot store U+0000 in text and would refuse the whole batch for it, losing the
other traces; an ingest batch is never refused for one row, so every backend stores the same
replacement. Finding out takes one JSON encode of the trace: ``scrub`` pays it up front
(memory, PostgreSQL), while SQLite checks the document it encodes for the row anyway
(``trace_doc``) and redoes the batch scrubbed in the rare case it holds a NUL — one encode
per trace instead of two (measured: SQLite ingest +2–5 %)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from renlayer_core.errors import InvalidInput
from renlayer_core.models import TraceRecord
from storage_backends._tables import TRACES
from storage_backends.repos._shared import MAX_INDEXED_BYTES, check_indexed

_encode = msgspec.json.Encoder().encode
_LONE_SURROGATE = "text must be valid unicode (found a lone surrogate)"


class NeedsScrub(Exception):
    """A trace of the batch holds U+0000: redo the batch through ``scrub_batch``."""


def trace_doc(trace: TraceRecord) -> bytes:
    """``trace``'s JSON document, checked as ``scrub`` checks it; ``NeedsScrub`` if it holds
    a U+0000 (raised before the caller writes anything, so it can redo the batch)."""
    try:
        raw = _encode(trace)
    except UnicodeEncodeError:
        # The SQL drivers refuse a lone surrogate when binding it, the memory backend would
        # let the raw error out: one answer everywhere.
        raise InvalidInput(_LONE_SURROGATE) from None
    if b"\\u0000" in raw and _holds_nul(raw):
        raise NeedsScrub
    # No text of the trace is longer in UTF-8 than the whole trace's JSON (escapes only
    # lengthen it), so the usual trace skips the column check.
    if len(raw) > MAX_INDEXED_BYTES:
        check_indexed(TRACES, trace)
    return raw


def _holds_nul(raw: bytes) -> bool:
    """Whether the JSON ``raw`` holds a NUL's escape. The bytes ``\\u0000`` also appear where
    a text holds a backslash followed by ``u0000`` (JSON ``\\\\u0000``): an escape's backslash
    is the last of an odd run of backslashes (the others pair up as escaped backslashes)."""
    at = raw.find(b"\\u0000")
    while at != -1:
        start = at
        while start > 0 and raw[start - 1] == 0x5C:  # backslash
            start -= 1
        if (at - start) % 2 == 0:
            return True
        at = raw.find(b"\\u0000", at + 1)
    return False


def scrub(trace: TraceRecord) -> TraceRecord:
    """``trace`` with every U+0000 in its text replaced by U+FFFD, checked for lone
    surrogates and over-long indexed text (no copy in the usual case)."""
    try:
        trace_doc(trace)
        return trace
    except NeedsScrub:
        try:
            fixed = msgspec.convert(_replace_nul(msgspec.to_builtins(trace)), TraceRecord)
        except msgspec.ValidationError as exc:
            # A NUL in a field of fixed values (an effect, an action kind): U+FFFD makes it
            # no value at all. Refused like any unstorable text, not let out as a foreign
            # error (an outage to the ingest writer); the message names the field only.
            text = str(exc)
            where = text.rpartition(" - at ")[2] if " - at " in text else "a field"
            raise InvalidInput(
                f"the trace is not valid with U+0000 replaced by U+FFFD ({where})"
            ) from None
    trace_doc(fixed)  # the over-long check, on the text as stored
    return fixed


def scrub_batch(batch: Sequence[TraceRecord]) -> list[TraceRecord]:
    return [scrub(r) for r in batch]


def _replace_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_replace_nul(v) for v in value]
    if isinstance(value, dict):
        return {_replace_nul(k): _replace_nul(v) for k, v in value.items()}
    return value
