"""``ScanPlan.scan_text`` with block gating kept on the calling thread
(``RENLAYER_DLP_GATE_THREADS=1``): what a scan costs when the second core is not free."""

from __future__ import annotations

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer (1 thread)"
INPUT = "text"
SCORED = False  # the same findings as ``ours``
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    from renlayer_core.dlp import gatepool

    gatepool.configure(threads=1)
    plan = _ours.plan()

    def scan(text: str) -> list[Hit]:
        return [(f.detector, f.start, f.end) for f in plan.scan_text(text)]

    return scan


def prepare(text: str) -> str:
    return text
