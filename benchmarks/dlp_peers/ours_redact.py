"""RenLayer's whole-text redaction, ``ScanPlan.redact_text``: the baseline for streaming."""

from __future__ import annotations

from typing import Any

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer redact_text"
INPUT = "text"
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    plan = _ours.plan()

    def scan(text: str) -> list[Hit]:
        result: Any = plan.redact_text(text)
        return _hits(result)

    return scan


def _hits(result: Any) -> list[Hit]:
    findings = getattr(result, "findings", None)
    if findings is None and isinstance(result, tuple):
        findings = result[1]
    return [(f.detector, f.start, f.end) for f in findings or ()]


def prepare(text: str) -> str:
    return text
