"""``ScanPlan.scan_text`` with block gating kept on the calling thread
(``RENLAYER_DLP_GATE_THREADS=1``): what a scan costs when the second core is not free."""

from __future__ import annotations

from benchmarks.dlp_peers import Scan, _ours, ours

label = "renlayer (1 thread)"
INPUT = "text"
SCORED = False  # the same findings as ``ours``
load = _ours.versions
type_map = _ours.type_map
prepare = ours.prepare


def setup() -> Scan:
    from renlayer_core.dlp import gatepool

    gatepool.configure(threads=1)  # each competitor runs in its own process
    return ours.setup()
