"""The gate's helper thread: same blocks, same order, never waited for behind another scan,
and still working in a forked child."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.dlp import DlpConfig, compile_plan, gatepool
from renlayer_core.dlp.scan import Candidates, find_candidates
from renlayer_core.dlp.textcodec import clean
from tests.dlp import cases


@pytest.fixture(autouse=True)
def helper_on() -> Iterator[None]:
    saved = gatepool.PARALLEL_MIN_BLOCKS, gatepool._state.enabled
    gatepool.PARALLEL_MIN_BLOCKS, gatepool._state.enabled = 2, True
    try:
        yield
    finally:
        gatepool.PARALLEL_MIN_BLOCKS, gatepool._state.enabled = saved


class Recorder:
    """A gate that names the block's first byte and records which thread read it."""

    def __init__(self) -> None:
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, block: memoryview) -> list[int]:
        with self.lock:
            self.threads.add(threading.current_thread().name)
        return [block[0]] if len(block) else []


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=300), cuts=st.lists(st.integers(0, 300), max_size=40))
def test_blocks_come_back_in_order(data: bytes, cuts: list[int]) -> None:
    bounds = [(min(a, len(data)), min(a + 7, len(data))) for a in sorted(cuts)]
    gate = Recorder()
    got = gatepool.match_blocks(gate, memoryview(data), bounds)
    assert got == [[data[a]] if a < b else [] for a, b in bounds]


def test_a_large_text_uses_the_helper_and_a_small_one_does_not() -> None:
    data = bytes(range(256)) * 4
    gate = Recorder()
    gatepool.match_blocks(gate, memoryview(data), [(0, 10)])
    assert gate.threads == {threading.current_thread().name}
    gate = Recorder()
    gatepool.match_blocks(gate, memoryview(data), [(i, i + 8) for i in range(0, 800, 8)])
    assert any(name.startswith("renlayer-dlp-gate") for name in gate.threads)


def test_a_busy_helper_is_not_waited_for() -> None:
    data = bytes(100)
    gate = Recorder()
    with gatepool._state.busy:  # another scan holds the helper
        got = gatepool.match_blocks(gate, memoryview(data), [(i, i + 5) for i in range(0, 90, 5)])
    assert got == [[0]] * 18
    assert gate.threads == {threading.current_thread().name}


def _on_helper() -> bool:
    return threading.current_thread().name.startswith("renlayer-dlp-gate")


def _in_thread(call: Callable[[], list[list[int]]]) -> list[list[int]] | None:
    """`call()` on a fresh thread, given 5 s: a regression that queues behind a stuck helper
    then fails instead of hanging the run."""
    out: list[list[list[int]]] = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(timeout=5)
    return out[0] if out else None


def test_a_caller_that_leaves_early_keeps_the_helper_until_its_half_is_done() -> None:
    # The caller's half is interrupted (Ctrl-C, MemoryError) while the helper still gates the
    # other half: the helper stays busy until that half is done, so the next large scan gates
    # on its own thread instead of queueing behind the abandoned work.
    working, finish = threading.Event(), threading.Event()

    def gate(block: memoryview) -> list[int]:
        if _on_helper():
            working.set()
            finish.wait(10)
            return []
        working.wait(10)
        raise KeyboardInterrupt

    data, bounds = bytes(range(16)), [(i, i + 4) for i in range(0, 16, 4)]
    with pytest.raises(KeyboardInterrupt):
        gatepool.match_blocks(gate, memoryview(data), bounds)
    try:
        recorder = Recorder()
        got = _in_thread(lambda: gatepool.match_blocks(recorder, memoryview(data), bounds))
        assert got == [[0], [4], [8], [12]]
        assert not any(name.startswith("renlayer-dlp-gate") for name in recorder.threads)
    finally:
        finish.set()
    # Its half done, the helper is free for the next large scan again.
    assert gatepool._state.busy.acquire(timeout=5)
    gatepool._state.busy.release()
    recorder = Recorder()
    assert gatepool.match_blocks(recorder, memoryview(data), bounds) == [[0], [4], [8], [12]]
    assert any(name.startswith("renlayer-dlp-gate") for name in recorder.threads)


def test_an_error_on_the_helper_reaches_the_caller_and_frees_the_helper() -> None:
    def gate(block: memoryview) -> list[int]:
        if _on_helper():
            raise ValueError("helper")
        return []

    data, bounds = bytes(16), [(i, i + 4) for i in range(0, 16, 4)]
    with pytest.raises(ValueError, match="helper"):
        gatepool.match_blocks(gate, memoryview(data), bounds)
    recorder = Recorder()
    assert gatepool.match_blocks(recorder, memoryview(data), bounds) == [[0]] * 4
    assert any(name.startswith("renlayer-dlp-gate") for name in recorder.threads)


def test_turned_off_it_gates_on_the_calling_thread() -> None:
    gatepool.configure(threads=1)
    gate = Recorder()
    gatepool.match_blocks(gate, memoryview(bytes(64)), [(i, i + 4) for i in range(0, 64, 4)])
    assert gate.threads == {threading.current_thread().name}
    with pytest.raises(ValueError):
        gatepool.configure(threads=3)


def _child(out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    data = bytes(range(200))
    out.put(
        gatepool.match_blocks(
            lambda b: [b[0]], memoryview(data), [(i, 200) for i in range(0, 200, 10)]
        )
    )


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_child_gets_its_own_helper() -> None:
    # The parent's helper thread is running; a child forked now must not hand work to a
    # thread that does not exist in it (it would wait forever).
    gatepool.match_blocks(
        lambda b: [], memoryview(bytes(64)), [(i, i + 4) for i in range(0, 64, 4)]
    )
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_child, args=(out,))
    child.start()
    child.join(timeout=20)
    assert child.exitcode == 0
    assert out.get(timeout=1) == [[i] for i in range(0, 200, 10)]


def test_concurrent_large_scans_equal_single_threaded_ones() -> None:
    # Many threads scan large texts with one plan, so the helper is busy for some scans and
    # free for others, and scans start mid-text as the stream scanner's do: every result
    # equals the one computed with the helper off.
    plan = compile_plan(DlpConfig.full_catalog(), b"concurrent-gate-key-000000000000")
    secrets = " ".join(c.text for c in cases.CASES[::7])
    texts = [
        ("lorem ipsum 1.2.3 port 8080 " * 2000 + secrets) * 2,
        ("Grüße 👋🏽 ключ 日本語 id 12345678 " * 1500 + secrets) * 2,
    ]
    jobs = [(i, start) for i in range(len(texts)) for start in (0, 1, 40_001, 70_000)]

    def run(job: tuple[int, int]) -> Candidates:
        text, data = clean(texts[job[0]])
        return find_candidates(plan.matcher, text, data, job[1])

    gatepool.configure(threads=1)
    expected = {job: run(job) for job in jobs}
    assert any(c.items for c in expected.values())
    gatepool.configure(threads=2)
    errors: list[tuple[int, int]] = []

    def worker(offset: int) -> None:
        for k in range(len(jobs)):
            job = jobs[(k + offset) % len(jobs)]
            if run(job) != expected[job]:
                errors.append(job)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


@pytest.mark.parametrize(
    ("value", "threads"),
    [(None, 2), ("", 2), ("0", 1), ("1", 1), (" 1 ", 1), ("2", 2), ("8", 2)],
)
def test_the_environment_setting(value: str | None, threads: int) -> None:
    assert gatepool._threads_from_env(value) == threads


def test_a_malformed_environment_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="RENLAYER_DLP_GATE_THREADS"):
        gatepool._threads_from_env("two")
