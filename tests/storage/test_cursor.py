"""The cursor codec alone (the contract suite checks it through every list)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renlayer_core.errors import InvalidCursor
from renlayer_core.models import Tenant
from renlayer_core.storage.cursor import CursorCodec
from storage_backends import GenericStore
from tests.storage.conftest import make_agent

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


def test_only_the_canonical_spelling_is_a_cursor() -> None:
    # The base64 decoder used to skip junk characters and take padding and the standard
    # alphabet, so a malformed cursor (SPEC §6: a 400) read as the authentic one.
    c = CODEC.encode(last_key="trace_X", **BOUND)
    variants = {
        "junk": c[:8] + "!!!!" + c[8:],
        "dots": c[:8] + "...." + c[8:],
        "newlines": c[:8] + "\n\n\n\n" + c[8:],
        "padding": c + "=" * (-len(c) % 4 or 4),
        "inner padding": c[:8] + "====" + c[8:],
        "whitespace": " " + c + " ",
    }
    for name, variant in variants.items():
        with pytest.raises(InvalidCursor):
            CODEC.decode(variant, **BOUND)
            pytest.fail(f"{name} was accepted")
    assert CODEC.decode(c, **BOUND) == "trace_X"


@given(st.text(alphabet="+/=", min_size=1, max_size=3), st.integers(0, 10_000))
def test_standard_alphabet_or_padding_spellings_are_refused(extra: str, seed: int) -> None:
    c = CODEC.encode(last_key=f"trace_{seed}", **BOUND)
    standard = c.replace("-", "+").replace("_", "/")
    for variant in (standard, c + extra):
        if variant == c:
            continue
        with pytest.raises(InvalidCursor):
            CODEC.decode(variant, **BOUND)


def test_a_last_character_differing_only_in_unused_bits_is_refused() -> None:
    # A base64 text whose length is not a multiple of 4 leaves low bits of its last character
    # unused: several characters decode to the same bytes. Only the one encode makes counts.
    c = CODEC.encode(last_key="trace_X", **BOUND)
    assert len(c) % 4, "the probe needs a cursor with unused bits"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for ch in alphabet.replace(c[-1], ""):
        with pytest.raises(InvalidCursor):
            CODEC.decode(c[:-1] + ch, **BOUND)


def test_every_backend_refuses_a_malformed_spelling_of_a_real_cursor(
    store: GenericStore, tenant: Tenant
) -> None:
    for _ in range(3):
        make_agent(store, tenant.id)
    page = store.agents.list(tenant.id, limit=1)
    assert page.next_cursor is not None
    c = page.next_cursor
    for variant in (c + "==", c[:8] + "!!!!" + c[8:], c.replace("-", "+").replace("_", "/")):
        if variant == c:
            continue
        with pytest.raises(InvalidCursor):
            store.agents.list(tenant.id, limit=1, cursor=variant)
    assert len(store.agents.list(tenant.id, limit=1, cursor=c).data) == 1
