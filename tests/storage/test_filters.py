"""``from``/``to`` parsing and filter digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renlayer_core.errors import InvalidInput
from renlayer_core.storage.filters import AgentFilter, TraceFilter, parse_time
from renlayer_core.storage.page import check_limit


def test_rfc3339_and_unix_ms() -> None:
    assert parse_time("2026-11-28T10:00:00Z") == 1795860000000
    assert parse_time("2026-11-28T11:00:00+01:00") == 1795860000000
    assert parse_time("2026-11-28T10:00:00.250Z") == 1795860000250
    assert parse_time("1795860000000") == 1795860000000
    assert parse_time(1795860000000) == 1795860000000
    assert parse_time(None) is None


@pytest.mark.parametrize(
    "bad", ["yesterday", "2026-11-28", "2026-11-28T10:00:00", "", "-5", True, -1, 1 << 50]
)
def test_bad_times_are_clear_errors(bad: object) -> None:
    with pytest.raises(InvalidInput):
        parse_time(bad)  # type: ignore[arg-type]


def test_digest_depends_on_values_only() -> None:
    assert TraceFilter(agent_id="a").digest() == TraceFilter(agent_id="a").digest()
    assert TraceFilter(agent_id="a").digest() != TraceFilter(agent_id="b").digest()
    assert TraceFilter().digest() == AgentFilter().digest()  # both empty: same list binding
    assert AgentFilter(status="active").as_dict() == {"status": "active"}


def test_limit_rules() -> None:
    assert check_limit(None) == 50
    assert check_limit(200) == 200
    for bad in (0, 201, -3, True, 2.5):
        with pytest.raises(InvalidInput):
            check_limit(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["²", "١٢٣", "9" * 5000, " 12 ", "-5", "1e3", ""])
def test_parse_time_refuses_odd_digits_and_huge_numbers_clearly(value: str) -> None:
    # Non-ASCII digits pass str.isdigit() and 5000 digits exceed int()'s limit: both used to
    # escape as a bare ValueError (a 500) instead of InvalidInput.
    if value == " 12 ":
        assert parse_time(value) == 12
        return
    with pytest.raises(InvalidInput):
        parse_time(value)


@given(st.integers(0, 253402300799999), st.sampled_from(["Z", "+05:30", "-08:00"]))
def test_rfc3339_is_exact_to_the_millisecond(ms: int, offset: str) -> None:
    # The float timestamp() used to lose a millisecond for some times (e.g. 2522-01-13).
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    shift = (
        timedelta(0)
        if offset == "Z"
        else sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:]))
    )
    try:
        local = epoch + timedelta(milliseconds=ms) + shift
    except OverflowError:  # past year 9999 in that offset: not an RFC 3339 time
        return
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}{offset}"
    assert parse_time(text) == ms
