"""Health data: US provider identifiers and diagnosis codes, only next to their labels.
Default action: log."""

from __future__ import annotations

from typing import Final

from renlayer_core.dlp import validators as v
from renlayer_core.dlp.catalog._parts import LABEL_FILLER, START
from renlayer_core.dlp.spec import DetectorSpec

NPI = DetectorSpec(
    id="health.us_npi",
    category="health",
    title="US National Provider Identifier (Luhn over 80840 prefix, next to its label)",
    pattern=(
        START
        + r"(?i:npi|national provider identifier|national provider id)"
        + LABEL_FILLER
        + r"\b(?P<value>[12][0-9]{9})\b"
    ),
    keywords=("npi", "national provider"),
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
    pattern=START + r"(?P<value>[A-TV-Z][0-9][0-9AB]\.[0-9A-TV-Z]{1,4})\b",
    max_len=10,
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

_DEA_BODY = r"DEA" + LABEL_FILLER + r"\b(?P<value>[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7})\b"
DEA = DetectorSpec(
    id="health.us_dea_number",
    title="US DEA registration number (checksum, next to its label)",
    category="health",
    pattern=START + _DEA_BODY,
    keywords=("DEA",),
    # The keyword alone hits inside "idea" and "deal" (the gate folds case): the gate looks
    # for the label followed by the number's shape instead.
    trigger=_DEA_BODY.replace("(?P<value>", "("),
    max_len=80,
    validator=v.dea_number,
    confidence=0.9,
    default_action="log",
)

# Medicare Beneficiary Identifier: a fixed alphabet per position (no S L O I B Z letters).
_MBI_L = "[AC-HJKMNP-RT-Y]"
_MBI_A = "[AC-HJKMNP-RT-Y0-9]"
MBI = DetectorSpec(
    id="health.us_mbi",
    category="health",
    title="US Medicare Beneficiary Identifier (next to a Medicare word)",
    pattern=(
        START
        + r"(?P<value>[1-9]"
        + _MBI_L
        + _MBI_A
        + r"[0-9]-?"
        + _MBI_L
        + _MBI_A
        + r"[0-9]-?"
        + _MBI_L
        + r"{2}[0-9]{2})\b"
    ),
    max_len=15,
    validator=v.medical_record_number,
    context_words=("medicare", "mbi", "beneficiary", "hicn", "cms"),
    context_required=True,
    confidence=0.8,
    context_boost=0.15,
    default_action="log",
)

MRN = DetectorSpec(
    id="health.medical_record_number",
    category="health",
    title="Medical record number (next to its label)",
    pattern=(
        START
        + r"(?i:mrn|medical record(?: number| no\.?| #)?|patient id)"
        + LABEL_FILLER
        + r"\b(?P<value>[A-Z]{0,3}[0-9][0-9\-]{3,14}[0-9])\b"
    ),
    keywords=("mrn", "medical record", "patient id"),
    max_len=110,
    validator=v.medical_record_number,
    confidence=0.85,
    default_action="log",
)

DETECTORS: Final[tuple[DetectorSpec, ...]] = (NPI, DEA, MBI, MRN, ICD10)
