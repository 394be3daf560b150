"""Runs the labelled table through the reference matcher: exact spans, nothing more."""

from __future__ import annotations

import pytest

from renlayer_core.dlp import catalog
from renlayer_core.dlp.reference import candidates, reference_find
from tests.dlp.cases import CASES, Case


def _case_id(case: Case) -> str:
    return f"{case.detector_id}:{case.note or case.text[:24]!r}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_exact_spans(case: Case) -> None:
    spec = catalog.get(case.detector_id)
    found = [(m.start, m.end) for m in reference_find(spec, case.text)]
    assert found == list(case.spans)


@pytest.mark.parametrize("case", [c for c in CASES if c.spans], ids=_case_id)
def test_every_positive_match_holds_a_keyword_and_fits_max_len(case: Case) -> None:
    spec = catalog.get(case.detector_id)
    by_value = {(c.start, c.end): c for c in candidates(spec, case.text)}
    for span in case.spans:
        cand = by_value[span]
        whole = case.text[cand.match_start : cand.match_end]
        assert len(whole) <= spec.max_len
        if spec.keywords:
            assert any(k.lower() in whole.lower() for k in spec.keywords), spec.keywords


def test_every_detector_has_positive_and_negative_cases() -> None:
    positive = {c.detector_id for c in CASES if c.spans}
    negative = {c.detector_id for c in CASES if not c.spans}
    all_ids = {d.id for d in catalog.CATALOG}
    assert all_ids - positive == set()
    assert all_ids - negative == set()
    assert {c.detector_id for c in CASES} <= all_ids


def test_cases_are_data_with_consistent_spans() -> None:
    for case in CASES:
        assert all(0 <= s < e <= len(case.text) for s, e in case.spans), case
        assert list(case.spans) == sorted(case.spans)
