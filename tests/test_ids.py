import threading
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renlayer_core import ids
from renlayer_core.errors import InvalidId


def test_spec_time_vector() -> None:
    assert ids.encode_time(1469918176385) == "01ARYZ6S41"


def test_spec_uuid_vector_both_ways() -> None:
    u = uuid.UUID("01563DF3-6481-D676-4C61-EFB99302BD5B")
    assert ids.ulid_to_uuid("01ARYZ6S41TSV4RRFFQ69G5FAV") == u
    assert ids.uuid_to_ulid(u) == "01ARYZ6S41TSV4RRFFQ69G5FAV"


def test_overflow_boundary() -> None:
    assert ids.decode_int(ids.MAX_ULID) == (1 << 128) - 1
    with pytest.raises(InvalidId, match="above the largest ulid"):
        ids.decode_int("80000000000000000000000000")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("agent_01ARYZ6S41TSV4RRFFQ69G5FA", "26 characters"),
        ("agent_01ARYZ6S41TSV4RRFFQ69G5FAU", "not a Crockford"),
        ("key_01ARYZ6S41TSV4RRFFQ69G5FAV", "starting with 'agent_'"),
        ("01ARYZ6S41TSV4RRFFQ69G5FAV", "starting with 'agent_'"),
        ("agent_", "26 characters"),
    ],
)
def test_parse_rejects(value: str, message: str) -> None:
    with pytest.raises(InvalidId, match=message):
        ids.parse_id(value, "agent")


def test_parse_rejects_non_string() -> None:
    with pytest.raises(InvalidId, match="found int"):
        ids.parse_id(42, "agent")


def test_parse_canonicalises_case_and_crockford_aliases() -> None:
    assert ids.parse_id("agent_01aryz6s41tsv4rrffq69g5fav", "agent") == (
        "agent_01ARYZ6S41TSV4RRFFQ69G5FAV"
    )
    assert ids.parse_id("agent_O1ARYZ6S4ITSV4RRFFQ69G5FAV", "agent") == (
        "agent_01ARYZ6S41TSV4RRFFQ69G5FAV"
    )


def test_new_id_carries_prefix_and_time() -> None:
    value = ids.new_id("pol")
    assert value.startswith("pol_")
    assert abs(ids.id_time_ms(value) - time.time() * 1000) < 60_000
    assert ids.parse_id(value, "pol") == value


def test_explicit_time_is_encoded() -> None:
    # A private generator: explicit times must not disturb the process-wide one.
    value = ids.encode_int(ids.UlidGenerator().next(1469918176385))
    assert value.startswith("01ARYZ6S41")
    assert ids.id_time_ms("pol_" + value) == 1469918176385


def test_monotonic_within_one_millisecond() -> None:
    gen = ids.UlidGenerator()
    values = [ids.encode_int(gen.next(1_700_000_000_000)) for _ in range(1000)]
    assert values == sorted(values)
    assert len(set(values)) == 1000
    assert {v[:10] for v in values} == {ids.encode_time(1_700_000_000_000)}


def test_monotonic_when_clock_steps_back() -> None:
    gen = ids.UlidGenerator()
    first = gen.next(1_800_000_000_000)
    second = gen.next(1_799_999_999_000)
    assert second > first


def test_monotonic_across_threads() -> None:
    out: list[list[str]] = [[] for _ in range(4)]

    def work(i: int) -> None:
        out[i].extend(ids.new_ulid() for _ in range(500))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [v for chunk in out for v in chunk]
    assert len(set(everything)) == len(everything)
    for chunk in out:
        assert chunk == sorted(chunk)


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_roundtrip_int(value: int) -> None:
    text = ids.encode_int(value)
    assert len(text) == 26
    assert ids.decode_int(text) == value
    assert ids.uuid_to_ulid(ids.ulid_to_uuid(text)) == text


@given(st.integers(min_value=0, max_value=(1 << 128) - 2))
def test_lexical_order_is_numeric_order(value: int) -> None:
    assert ids.encode_int(value) < ids.encode_int(value + 1)
