"""The spill file: frames survive exactly up to a crash point; torn tails are cut, not fatal."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.errors import InvalidInput, Unavailable
from renlayer_core.ingest.spill import MAGIC, SpillFile, frame


def _all_pending(spill: SpillFile) -> list[bytes]:
    return spill.read(1_000_000).payloads if spill.pending else []


def test_append_then_reopen_reads_everything_in_order(tmp_path: Path) -> None:
    path = tmp_path / "t.spill"
    spill = SpillFile(path)
    spill.append([b"a", b"bb"])
    spill.append([b"", b"ccc"])
    spill.close()
    again = SpillFile(path)
    assert again.pending == 4
    assert _all_pending(again) == [b"a", b"bb", b"", b"ccc"]
    again.close()


def test_advance_past_everything_removes_the_file(tmp_path: Path) -> None:
    spill = SpillFile(tmp_path / "t.spill")
    spill.append([b"one", b"two", b"three"])
    first = spill.read(2)
    assert first.payloads == [b"one", b"two"]
    spill.advance(first.count, first.end)
    assert spill.path.exists() and spill.pending == 1
    rest = spill.read(10)
    assert rest.payloads == [b"three"]
    spill.advance(rest.count, rest.end)
    assert not spill.path.exists() and spill.pending == 0
    spill.close()


def test_a_second_writer_on_the_same_file_is_refused(tmp_path: Path) -> None:
    first = SpillFile(tmp_path / "t.spill")
    with pytest.raises(Unavailable, match="in use by another trace writer"):
        SpillFile(tmp_path / "t.spill")
    first.close()
    SpillFile(tmp_path / "t.spill").close()


def test_a_foreign_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "t.spill"
    path.write_bytes(b"hello, this is somebody's file")
    with pytest.raises(InvalidInput, match="not a renlayer spill file"):
        SpillFile(path)
    assert path.read_bytes() == b"hello, this is somebody's file"


def test_torn_tail_is_cut_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "t.spill"
    path.write_bytes(MAGIC + frame(b"kept-1") + frame(b"kept-2") + frame(b"torn-record")[:-3])
    with caplog.at_level(logging.WARNING, logger="renlayer.ingest"):
        spill = SpillFile(path)
    assert spill.pending == 2
    assert spill.torn_bytes == len(frame(b"torn-record")) - 3
    assert "torn or corrupt tail" in caplog.text
    # New appends start right after the last whole frame, not after the garbage.
    spill.append([b"new"])
    assert _all_pending(spill) == [b"kept-1", b"kept-2", b"new"]
    spill.close()


def test_torn_header_is_treated_as_empty(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "t.spill"
    path.write_bytes(MAGIC[:3])
    with caplog.at_level(logging.WARNING, logger="renlayer.ingest"):
        spill = SpillFile(path)
    assert spill.pending == 0 and not path.exists()
    assert "torn file header" in caplog.text
    spill.close()


def test_flipped_byte_in_the_last_frame_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "t.spill"
    data = bytearray(MAGIC + frame(b"good") + frame(b"soon-bad"))
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    spill = SpillFile(path)
    assert _all_pending(spill) == [b"good"]
    spill.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payloads=st.lists(st.binary(max_size=40), min_size=1, max_size=12),
    cut=st.integers(min_value=0),
)
def test_a_crash_anywhere_keeps_exactly_the_whole_frames_before_it(
    tmp_path: Path, payloads: list[bytes], cut: int
) -> None:
    """The naive twin: the frames that fit entirely before the cut point."""
    blob = MAGIC + b"".join(frame(p) for p in payloads)
    cut %= len(blob) + 1
    path = tmp_path / "prop.spill"
    path.unlink(missing_ok=True)
    path.write_bytes(blob[:cut])
    expected, end = [], len(MAGIC)
    for p in payloads:
        end += len(frame(p))
        if end <= cut:
            expected.append(p)
    spill = SpillFile(path)
    try:
        assert _all_pending(spill) == expected
    finally:
        spill.close()
