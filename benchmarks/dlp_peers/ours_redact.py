"""RenLayer's whole-text redaction, ``ScanPlan.redact_text``: the baseline for streaming."""

from __future__ import annotations

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer redact_text"
INPUT = "text"
SCORED = False  # the same findings as ``ours``
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    plan = _ours.plan()

    def scan(text: str) -> list[Hit]:
        _redacted, findings = plan.redact_text(text)
        return [(f.detector, f.start, f.end) for f in findings]

    return scan


def prepare(text: str) -> str:
    return text
