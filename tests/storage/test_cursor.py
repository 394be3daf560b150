"""The cursor codec alone (the contract suite checks it through every list)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renlayer_core.errors import InvalidCursor
from renlayer_core.storage.cursor import CursorCodec

CODEC = CursorCodec(b"k" * 32)
BOUND = {"resource": "traces", "tenant_id": "ten_A", "filter_digest": "d1"}


def test_round_trip_and_binding() -> None:
    c = CODEC.encode(last_key="trace_X", **BOUND)
    assert "=" not in c and "+" not in c and "/" not in c
    assert CODEC.decode(c, **BOUND) == "trace_X"
    for field, value in (
        ("resource", "audit_events"),
        ("tenant_id", "ten_B"),
        ("filter_digest", "d2"),
    ):
        with pytest.raises(InvalidCursor):
            CODEC.decode(c, **{**BOUND, field: value})
    with pytest.raises(InvalidCursor):
        CursorCodec(b"j" * 32).decode(c, **BOUND)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CursorCodec(b"short")


@given(st.text(max_size=300))
def test_arbitrary_text_is_an_invalid_cursor_never_a_crash(text: str) -> None:
    with pytest.raises(InvalidCursor):
        CODEC.decode(text, **BOUND)


@given(st.binary(max_size=200), st.integers(0, 199))
def test_any_single_byte_change_is_refused(noise: bytes, pos: int) -> None:
    import base64

    c = CODEC.encode(last_key="trace_X", **BOUND)
    raw = bytearray(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)))
    raw[pos % len(raw)] ^= (noise[0] if noise else 0) or 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(InvalidCursor):
        CODEC.decode(tampered, **BOUND)
