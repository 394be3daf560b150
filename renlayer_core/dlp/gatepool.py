"""A second thread for gating large texts block by block.

RE2 releases the GIL while its set reads a block, so on a text of many blocks one helper
thread gating the second half while the calling thread gates the first roughly halves the
gate's wall time, which is about two thirds of a clean megabyte's scan (measured on the
2-core machine: 1 MiB gate 2.8 → 1.9 ms). Everything after the gate stays on the calling
thread, and the result is the same block list in the same order either way (the
differential tests run with the helper forced on).

The helper is never waited for behind another scan: when it is already busy (two large
scans at once, e.g. two server workers), the caller gates every block itself, which is what
it would do with no helper — so concurrency never makes a scan slower than single-threaded.
It is created on first use, replaced in a forked child (a pool's thread does not survive
``fork``), and turned off with ``RENLAYER_DLP_GATE_THREADS=1`` or ``configure(threads=1)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

Gate = Callable[[memoryview], list[int]]
Bounds = Sequence[tuple[int, int]]

# Texts with fewer blocks are gated on the calling thread. Handing half of the blocks over
# costs GIL hand-offs at every block; measured (1 MiB clean text, median): 128 KiB 481 → 554
# µs (slower), 256 KiB 926 → 905, 384 KiB 1342 → 1201, 512 KiB 1803 → 1572, 1 MiB 3827 → 2974.
PARALLEL_MIN_BLOCKS = 96


class _State:
    """The module's mutable state in one place (replaced whole in a forked child)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.lock = threading.Lock()  # guards executor creation
        self.busy = threading.Lock()  # held while the helper works for one scan
        self.executor: ThreadPoolExecutor | None = None


def _threads_from_env(value: str | None) -> int:
    """``RENLAYER_DLP_GATE_THREADS``: unset → 2; ``0``/``1`` → 1 (no helper); 2 or more → 2.
    Anything else is a configuration error, said at import rather than ignored."""
    if value is None or not value.strip():
        return 2
    try:
        threads = int(value)
    except ValueError:
        raise ValueError(
            f"RENLAYER_DLP_GATE_THREADS must be a whole number (1 turns the helper off), "
            f"found {value!r}"
        ) from None
    return 1 if threads <= 1 else 2


_state = _State(_threads_from_env(os.environ.get("RENLAYER_DLP_GATE_THREADS")) == 2)


def configure(*, threads: int) -> None:
    """1: gate on the calling thread only; 2: use the helper for large texts."""
    if threads not in (1, 2):
        raise ValueError("threads must be 1 or 2")
    _state.enabled = threads == 2


def match_blocks(gate: Gate, view: memoryview, bounds: Bounds) -> list[list[int]]:
    """``gate(view[a:b])`` for every (a, b) in ``bounds``, in order."""
    state = _state
    if not state.enabled or len(bounds) < PARALLEL_MIN_BLOCKS:
        return _match_all(gate, view, bounds)
    if not state.busy.acquire(blocking=False):
        return _match_all(gate, view, bounds)
    # `busy` is released when the helper's half is done, not when this call returns: if the
    # caller leaves early (an error or Ctrl-C in its half, or while it waits), the helper is
    # still working, and the next large scan must gate on its own thread rather than queue
    # behind the abandoned half. Released once, whichever of the two paths gets there.
    release = _once(state.busy.release)
    half = len(bounds) // 2
    try:
        later: Future[list[list[int]]] = _helper(state).submit(
            _helper_half, release, gate, view, bounds[half:]
        )
    except RuntimeError:  # the interpreter is shutting down: no new work for threads
        release()
        return _match_all(gate, view, bounds)
    except BaseException:
        release()
        raise
    first = _match_all(gate, view, bounds[:half])
    return first + later.result()


def _match_all(gate: Gate, view: memoryview, bounds: Bounds) -> list[list[int]]:
    return [gate(view[a:b]) for a, b in bounds]


def _helper_half(
    release: Callable[[], None], gate: Gate, view: memoryview, bounds: Bounds
) -> list[list[int]]:
    try:
        return _match_all(gate, view, bounds)
    finally:
        release()


def _once(release: Callable[[], None]) -> Callable[[], None]:
    """`release` on the first call only (list.pop is atomic: two threads may race to it)."""
    pending = [release]

    def run() -> None:
        try:
            first = pending.pop()
        except IndexError:
            return
        first()

    return run


def _helper(state: _State) -> ThreadPoolExecutor:
    with state.lock:
        if state.executor is None:
            state.executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="renlayer-dlp-gate"
            )
        return state.executor


def _after_fork_in_child() -> None:
    # The parent's worker thread does not exist here; an executor that believes it does
    # would accept work and never run it. Start afresh (locks too: one may have been held).
    global _state  # noqa: PLW0603 - replaced whole, once, in the child
    _state = _State(_state.enabled)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
