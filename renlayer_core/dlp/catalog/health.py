"""Health data: US provider identifiers and diagnosis codes, only next to their labels.
Default action: log."""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import LABEL_FILLER
from renlayer_core.dlp.spec import DetectorSpec

NPI = DetectorSpec(
    id="health.us_npi",
    category="health",
    title="US National Provider Identifier (Luhn over 80840 prefix, next to its label)",
    pattern=(
        r"\b(?i:npi|national provider identifier|national provider id)"
        + LABEL_FILLER
        + r"\b(?P<value>[12][0-9]{9})\b"
    ),
    keywords=("npi", "national provider"),
    window=128,
    max_len=96,
    validator=v.npi,
    confidence=0.9,
    default_action="log",
)

ICD10 = DetectorSpec(
    id="health.icd10",
    category="health",
    title="ICD-10 diagnosis code (next to a diagnosis word)",
    # Dotted form only (E11.9, F32.A, S72.001A): undotted 3-char codes look like too many
    # other things. Needs a context word within 64 characters before it.
    pattern=r"\b(?P<value>[A-TV-Z][0-9][0-9AB]\.[0-9A-TV-Z]{1,4})\b",
    max_len=8,
    context_words=(
        "icd",
        "icd-10",
        "icd10",
        "icd-10-cm",
        "diagnosis",
        "diagnoses",
        "diagnosed",
        "dx",
        "condition",
        "disorder",
        "comorbidity",
        "comorbidities",
    ),
    context_required=True,
    confidence=0.7,
    context_boost=0.2,
    default_action="log",
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (NPI, ICD10)
