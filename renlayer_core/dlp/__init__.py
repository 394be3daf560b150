"""DLP: the detector catalog, configuration documents, and the scan pipeline
(compile → scan / redact / stream), with a naive twin for differential testing.

Importing this package compiles nothing; `compile_plan` does the work once per configuration.
"""

from renlayer_core.dlp.config import AllowListDef, DetectorConfig, DlpConfig, PatternDef
from renlayer_core.dlp.finding import Finding
from renlayer_core.dlp.limits import Limits
from renlayer_core.dlp.naive import scan_naive, scan_naive_json
from renlayer_core.dlp.plan import ScanPlan, compile_plan
from renlayer_core.dlp.stream import StreamScanner

__all__ = [
    "AllowListDef",
    "DetectorConfig",
    "DlpConfig",
    "Finding",
    "Limits",
    "PatternDef",
    "ScanPlan",
    "StreamScanner",
    "compile_plan",
    "scan_naive",
    "scan_naive_json",
]
