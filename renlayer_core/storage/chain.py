"""Verification of an audit hash chain, independent of any backend."""

from __future__ import annotations

from collections.abc import Iterable

from renlayer_core.models.audit import GENESIS_HASH, AuditEvent, chain_hash, event_fields
from renlayer_core.storage.ports import VerifyResult


def verify_chain(events: Iterable[AuditEvent], head: tuple[int, str] | None = None) -> VerifyResult:
    """Check ``events`` (in seq order, starting at 1) link and hash correctly.

    ``head`` is the store's record of the last (seq, hash) appended, if it keeps one: it
    catches a truncated tail, which the rows alone cannot reveal.
    """
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    for event in events:
        if event.seq != expected_seq or event.prev_hash != prev:
            return VerifyResult(ok=False, first_broken_seq=expected_seq, checked=checked)
        if chain_hash(prev, event_fields(event)) != event.hash:
            return VerifyResult(ok=False, first_broken_seq=event.seq, checked=checked)
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if head is not None and head[0] != checked:
        # A deleted tail (head ahead of the rows) or rows past the head: broken after the
        # shorter of the two.
        return VerifyResult(ok=False, first_broken_seq=min(head[0], checked) + 1, checked=checked)
    if head is not None and checked and head[1] != prev:
        # The last event was rewritten and re-hashed: no later row links to it, the recorded
        # head does. It is the broken one (not the seq after it, which does not exist).
        return VerifyResult(ok=False, first_broken_seq=checked, checked=checked - 1)
    return VerifyResult(ok=True, first_broken_seq=None, checked=checked)
