"""RenLayer's naive twin: every detector's regex over the whole text, one by one (the oracle
the scan plan is tested against). Shows what the plan's prefilters buy."""

from __future__ import annotations

from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer naive"
INPUT = "text"
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    from renlayer_core.dlp import scan_naive

    config = _ours.config()

    def scan(text: str) -> list[Hit]:
        found = scan_naive(config, text, _ours.FINGERPRINT_KEY)
        return [(f.detector, f.start, f.end) for f in found]

    return scan


def prepare(text: str) -> str:
    return text
