"""Property: whatever the sequence of outages, checkpoints and restarts, the store ends up with
every submitted record exactly once, first seen in submission order.

The naive twin is a synchronous, never-failing writer: appending each record as it is
submitted gives exactly the submission order. The store here is a small idempotent log
(first write of an id wins, duplicates ignored — the contract of ``append_traces``) with a
switch that makes it raise ``Unavailable``, so Hypothesis can place outages anywhere.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.ingest import WriteBehindWriter, WriterConfig
from tests.ingest.helpers import SwitchableLog

CFG = WriterConfig(
    batch_size=3, max_delay=0.001, max_queue_records=5, retry_initial=0.001, retry_max=0.004
)


def _writer(log: SwitchableLog, spill: Path) -> WriteBehindWriter[int]:
    cfg = dataclasses.replace(CFG, spill_path=spill)
    return WriteBehindWriter(
        log.append,
        encode=lambda n: n.to_bytes(8, "big"),
        decode=lambda b: int.from_bytes(b, "big"),
        config=cfg,
        name="test writer",
    )


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(1, 12)),
        st.tuples(st.just("down"), st.just(0)),
        st.tuples(st.just("up"), st.just(0)),
        st.tuples(st.just("flush"), st.just(0)),
        st.tuples(st.just("restart"), st.just(0)),
    ),
    max_size=12,
)


@settings(max_examples=int(os.environ.get("RENLAYER_HYPOTHESIS_EXAMPLES", "25")), deadline=None)
@given(ops=OPS)
def test_outages_checkpoints_and_restarts_keep_order_and_lose_nothing(
    ops: list[tuple[str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spill = Path(tmp) / "p.spill"
        log = SwitchableLog()
        writer = _writer(log, spill)
        submitted: list[int] = []
        for op, arg in ops:
            if op == "submit":
                for _ in range(arg):
                    submitted.append(len(submitted))
                    writer.submit(submitted[-1])
            elif op == "down":
                log.down = True
            elif op == "up":
                log.down = False
            elif op == "flush":
                writer.flush(timeout=0.01)
            else:
                # A shutdown with the store maybe down, then a new process on the same file.
                report = writer.close(timeout=0.02)
                assert report.lost == 0
                writer = _writer(log, spill)
        log.down = False
        assert writer.close(timeout=10).clean
        assert list(log.order) == submitted
        assert not spill.exists()
