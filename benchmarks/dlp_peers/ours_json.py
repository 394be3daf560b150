"""RenLayer's scan plan on the JSON payloads, value by value: ``ScanPlan.scan_json``.

The payload is decoded outside the timing (the proxy decodes it once for policies anyway).
Offsets are relative to each JSON string, so this competitor is not scored for accuracy."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer scan_json"
INPUT = "json"
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    plan = _ours.plan()

    def scan(value: Any) -> list[Hit]:
        return [(f.detector, f.start, f.end) for f in plan.scan_json(value)]

    return scan


def prepare(text: str) -> Any:
    return json.loads(text)
