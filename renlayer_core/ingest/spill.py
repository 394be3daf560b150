"""The spill file: an append-only, length-prefixed, checksummed log of encoded records.

Layout: an 8-byte magic ``RLSPILL1``, then frames ``<u32 length><u32 crc32><payload>`` (little
endian). Length-prefixed frames with a CRC, rather than NDJSON, because the payload is binary
msgpack and because a torn write (a crash in the middle of an append) is then detected exactly:
a short header, a short payload or a checksum mismatch marks the end of the valid data. What
follows is ignored with a warning and cut off before the next append, never a crash. A torn
frame was never acknowledged: ``append`` returns only after ``fsync``.

One process at a time: ``open`` takes an exclusive ``flock`` on ``<path>.lock`` (released by
the kernel if the process dies), so two writers can never interleave frames in one file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from renlayer_core.errors import InvalidInput, Unavailable

MAGIC: Final = b"RLSPILL1"
_HEADER: Final = struct.Struct("<II")
FRAME_OVERHEAD: Final = _HEADER.size
# A frame longer than this is corruption, not a record: stop there instead of allocating it.
MAX_FRAME: Final = 64 * 1024 * 1024

log = logging.getLogger("renlayer.ingest")


def frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


@dataclass(slots=True)
class FrameRun:
    """The valid frames read from one position: payloads (if kept), count and end offset."""

    payloads: list[bytes]
    count: int
    end: int


def read_frames(
    fh: BinaryIO, limit: int | None, *, keep: bool = True, max_bytes: int | None = None
) -> FrameRun:
    """Read valid frames from ``fh``'s position, stopping at the end, at ``limit`` frames or
    at the first short or corrupt frame, and before the payloads pass ``max_bytes`` (the
    first frame is read whatever its size). ``keep=False`` only counts, so recovering a large
    file takes constant memory."""
    run = FrameRun([], 0, fh.tell())
    size = 0
    while limit is None or run.count < limit:
        header = fh.read(_HEADER.size)
        if len(header) < _HEADER.size:
            break
        length, crc = _HEADER.unpack(header)
        if max_bytes is not None and run.count and size + length > max_bytes:
            break
        size += length
        payload = fh.read(length) if length <= MAX_FRAME else b""
        if len(payload) != length or zlib.crc32(payload) != crc:
            break
        if keep:
            run.payloads.append(payload)
        run.count += 1
        run.end += _HEADER.size + length
    return run


class SpillFile:
    """Pending records on disk, replayed from ``read_offset``; owned by one writer."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_fd: int | None = _take_lock(self.path)
        self._fd: int | None = None
        self.read_offset = len(MAGIC)
        self.pending = 0
        self.torn_bytes = 0
        # End of the file as written so far (the next frame starts here).
        self.size = 0
        if self.path.exists():
            self._recover()

    # -- opening and recovery -------------------------------------------------------------

    def _recover(self) -> None:
        size = self.path.stat().st_size
        with open(self.path, "rb") as fh:
            magic = fh.read(len(MAGIC))
            if len(magic) < len(MAGIC):
                # Crashed while creating the file: nothing in it was ever acknowledged.
                self._cut(size, 0, "a torn file header")
                return
            if magic != MAGIC:
                raise InvalidInput(f"'{self.path}' is not a renlayer spill file; move it away")
            run = read_frames(fh, None, keep=False)
        if run.end < size:
            self._cut(size, run.end, "a torn or corrupt tail")
        self.pending, self.size = run.count, run.end
        if not run.count:
            self.remove()

    def _cut(self, size: int, valid_end: int, what: str) -> None:
        self.torn_bytes += size - valid_end
        log.warning(
            "spill file '%s' ends with %s (%d bytes ignored); it was never acknowledged",
            self.path,
            what,
            size - valid_end,
        )
        if valid_end < len(MAGIC):
            self.path.unlink(missing_ok=True)
        else:
            os.truncate(self.path, valid_end)

    def _open_for_append(self) -> int:
        if self._fd is None:
            fresh = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            if fresh:
                os.write(self._fd, MAGIC)
                _fsync_dir(self.path.parent)
                self.size = len(MAGIC)
        return self._fd

    # -- the log ------------------------------------------------------------------------

    def append(self, payloads: Sequence[bytes]) -> None:
        """Append and ``fsync``: once this returns the records survive a crash. On failure the
        file is cut back to where it was, so a half-written frame never precedes later ones."""
        if not payloads:
            return
        blob = b"".join(frame(p) for p in payloads)
        try:
            fd = self._open_for_append()
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as exc:
            self._undo_partial()
            raise Unavailable(
                f"cannot write the spill file '{self.path}': {exc.strerror or 'i/o error'}"
            ) from None
        self.size += len(blob)
        self.pending += len(payloads)

    def _undo_partial(self) -> None:
        try:
            if self.path.exists():
                os.truncate(self.path, self.size)
        except OSError:
            # Nothing more to do here: the next start cuts a torn tail anyway.
            log.warning("could not cut spill file '%s' back after a failed write", self.path)

    def read(self, limit: int, *, max_bytes: int | None = None) -> FrameRun:
        """Up to ``limit`` pending payloads from ``read_offset``, at most ``max_bytes`` of
        them (but at least one)."""
        with open(self.path, "rb") as fh:
            fh.seek(self.read_offset)
            return read_frames(fh, limit, max_bytes=max_bytes)

    def advance(self, count: int, offset: int) -> None:
        """``count`` records up to ``offset`` are in the store; drop the file once all are."""
        self.read_offset = offset
        self.pending -= count
        if self.pending <= 0:
            self.remove()

    def remove(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.path.unlink(missing_ok=True)
        self.read_offset = len(MAGIC)
        self.pending = self.size = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def _take_lock(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Unavailable(f"spill file '{path}' is in use by another trace writer") from None
    return fd


def _fsync_dir(directory: Path) -> None:
    # A new file's directory entry must be durable too, or a crash can lose the whole file.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
