"""Structural checks on every catalog entry: the contract the scan plan and the stream scanner
build on (RE2 syntax, ids, keywords, bounded length)."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.dlp import catalog
from renlayer_core.dlp.catalog import BY_ID, CATALOG
from renlayer_core.dlp.reference import candidates, compile_pattern
from renlayer_core.dlp.rules import trigger_width
from renlayer_core.dlp.rx import compile_checked, iter_spans, keyword_alternation
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.errors import NotFound

# Python's own regex parser (private, untyped) knows the widest string a pattern can match.
sre_parse: Any = importlib.import_module("re._parser")

_ID = re.compile(r"^(pii|fin|secret|net|health)\.[a-z0-9]+(?:_[a-z0-9]+)*$")
_DEFAULT_ACTION = {"secret": "block", "fin": "redact", "pii": "log", "net": "log", "health": "log"}
# Detectors that legitimately have no keyword: any text may hold one, and the pattern goes to
# the plan's shared RE2 set. Keep this list short: the set slows down as it grows.
_KEYWORDLESS = {
    "fin.credit_card",
    "fin.iban",
    "pii.phone",
    "pii.us_ssn",
    "net.ipv4",
    "net.ipv6",
    "net.mac",
    "health.icd10",
    "health.us_mbi",
}


def _ids(spec: DetectorSpec) -> str:
    return spec.id


def test_ids_are_unique_well_formed_and_match_the_category() -> None:
    ids = [d.id for d in CATALOG]
    assert len(ids) == len(set(ids))
    for spec in CATALOG:
        assert _ID.match(spec.id), spec.id
        assert spec.id.split(".")[0] == spec.category


def test_by_id_and_get() -> None:
    assert list(BY_ID) == [d.id for d in CATALOG]
    assert catalog.get("secret.github_token") is BY_ID["secret.github_token"]
    with pytest.raises(NotFound) as err:
        catalog.get("secret.nope")
    assert "'secret.nope'" in str(err.value)


def test_order_is_stable_and_grouped_by_category() -> None:
    cats = [d.category for d in CATALOG]
    order = ["secret", "fin", "pii", "net", "health"]
    assert cats == sorted(cats, key=order.index)


@pytest.mark.parametrize("spec", CATALOG, ids=_ids)
def test_compiles_under_re2(spec: DetectorSpec) -> None:
    regex = compile_pattern(spec.pattern, spec.case_sensitive)
    # The finding is the `value` group, or the whole match when the pattern has no capturing
    # group at all (an unnamed group would be ambiguous: custom patterns use the first one).
    assert "value" in regex.groupindex or regex.groups == 0


@pytest.mark.parametrize("spec", CATALOG, ids=_ids)
def test_max_len_bounds_every_possible_match(spec: DetectorSpec) -> None:
    # Python's parser computes the widest string the pattern can match: that must fit in
    # max_len (the stream scanner's hold-back and the radius the plan searches around a hit).
    low, high = sre_parse.parse(spec.pattern).getwidth()
    assert high < sre_parse.MAXREPEAT, "unbounded repetition"
    assert high <= spec.max_len
    assert low > 0


@pytest.mark.parametrize("spec", CATALOG, ids=_ids)
def test_keywords_are_present_unless_exempt(spec: DetectorSpec) -> None:
    if spec.id in _KEYWORDLESS:
        assert spec.keywords == ()
        return
    assert spec.keywords, "keyword-less detectors must be listed in _KEYWORDLESS"
    for kw in spec.keywords:
        assert len(kw) >= 3 or kw == "@", f"keyword {kw!r} is too short to prefilter"


@pytest.mark.parametrize("spec", CATALOG, ids=_ids)
def test_sane_scores_and_actions(spec: DetectorSpec) -> None:
    assert 0.0 < spec.confidence <= 1.0
    assert 0.0 <= spec.context_boost <= 0.5
    assert spec.context_window > 0
    if spec.context_required:
        assert spec.context_words
    expected = _DEFAULT_ACTION[spec.category]
    # Twilio account SIDs are identifiers, not credentials: redacted, not blocked.
    assert spec.default_action == expected or spec.id == "secret.twilio_account_sid"
    assert spec.title and not spec.title.endswith(".")


def test_every_detector_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "dlp-catalog.md").read_text(encoding="utf-8")
    missing = [d.id for d in CATALOG if f"`{d.id}`" not in doc]
    assert not missing
    assert f"RenLayer ships {len(CATALOG)} detector types" in doc


# -- triggers ------------------------------------------------------------------------------
_TRIGGERED = [s for s in CATALOG if s.trigger is not None]


def _contains_trigger(trigger: Any, text: str, start: int, end: int) -> bool:
    # Searched in the match's own span with the whole text as context, as the plan does.
    data = text.encode("utf-8")
    bstart, bend = len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
    return next(iter_spans(trigger, data, bstart, bend), None) is not None


def _trigger_texts() -> list[str]:
    from tests.dlp import cases

    texts = [c.text for c in cases.CASES]
    # Raw JSON of every case too: escaped quotes and `\n` between a label and its value.
    return texts + [json.dumps(t) for t in texts]


def test_triggered_detectors_are_few_and_trigger_is_not_empty() -> None:
    assert _TRIGGERED, "no detector declares a trigger"
    for spec in _TRIGGERED:
        assert spec.trigger is not None
        assert compile_checked(spec.trigger, spec.id).search("") is None, spec.id


@pytest.mark.parametrize("spec", _TRIGGERED, ids=_ids)
def test_every_candidate_contains_a_trigger_match(spec: DetectorSpec) -> None:
    """The contract the plan's gate and windows build on: every match the reference matcher
    can produce (validated or not) contains a match of the trigger."""
    assert spec.trigger is not None
    trigger = compile_checked(spec.trigger, spec.id)
    seen = 0
    for text in _trigger_texts():
        for cand in candidates(spec, text):
            seen += 1
            assert _contains_trigger(trigger, text, cand.match_start, cand.match_end), text[
                cand.match_start : cand.match_end
            ]
    assert seen, "no labelled case exercises this detector"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_trigger_contract_on_generated_texts(data: st.DataObject) -> None:
    from tests.dlp import cases

    spec = data.draw(st.sampled_from(_TRIGGERED))
    parts = st.one_of(
        st.sampled_from([c.text for c in cases.CASES if c.detector_id == spec.id]),
        st.sampled_from(['"', "'", ": ", "=", " ", "\\n", '\\"', "]", "\t", "://", "@"]),
        st.text(alphabet="abkeyKEYpasword_-.:=\"' tokenAWS@/", max_size=20),
    )
    text = "".join(data.draw(st.lists(parts, max_size=8)))
    assert spec.trigger is not None
    trigger = compile_checked(spec.trigger, spec.id)
    for cand in candidates(spec, text):
        assert _contains_trigger(trigger, text, cand.match_start, cand.match_end)


# -- leads (the stream scanner's early release) ---------------------------------------------
_LEADED = [s for s in CATALOG if s.lead is not None]


def _anchor(spec: DetectorSpec) -> Any:
    source = spec.trigger if spec.trigger is not None else keyword_alternation(spec.keywords)
    return compile_checked(source, spec.id)


@pytest.mark.parametrize("spec", _LEADED, ids=_ids)
def test_lead_bounds_where_a_match_starts_before_its_trigger(spec: DetectorSpec) -> None:
    """Every candidate contains a trigger (or keyword) match starting at most `lead`
    characters after the candidate's start, and the trigger's longest match is bounded."""
    assert spec.lead is not None and spec.keywords
    assert spec.trigger is None or trigger_width(spec.trigger) is not None
    anchor = _anchor(spec)
    seen = 0
    for text in _trigger_texts():
        data = text.encode("utf-8")
        for cand in candidates(spec, text):
            seen += 1
            bstart = len(text[: cand.match_start].encode("utf-8"))
            bend = len(text[: cand.match_end].encode("utf-8"))
            first = next(iter_spans(anchor, data, bstart, bend), None)
            assert first is not None
            lead = len(data[bstart : first[0][0]].decode("utf-8"))
            assert lead <= spec.lead, text[cand.match_start : cand.match_end]
    assert seen


def test_the_full_catalog_releases_a_quiet_stream_early() -> None:
    from renlayer_core.dlp import DlpConfig, compile_plan

    plan = compile_plan(DlpConfig.full_catalog(), b"k" * 32)
    assert plan.quiet_hold <= 300 < plan.max_len
