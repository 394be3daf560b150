"""RenLayer's compiled scan plan over the full catalog: ``ScanPlan.scan_text``."""

from __future__ import annotations

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer"
INPUT = "text"
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    plan = _ours.plan()

    def scan(text: str) -> list[Hit]:
        return [(f.detector, f.start, f.end) for f in plan.scan_text(text)]

    return scan


def prepare(text: str) -> str:
    return text
