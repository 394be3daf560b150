"""Scanning text with a compiled plan: findings, offsets, scoring, allow lists, overlaps."""

from __future__ import annotations

import pytest

from renlayer_core.dlp import DlpConfig, Finding, PatternDef, ScanPlan, compile_plan, scan_naive
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.errors import PayloadTooLarge
from tests.dlp import cases

KEY = b"fingerprint-key-for-tests-000000"


@pytest.fixture(scope="module")
def plan() -> ScanPlan:
    return compile_plan(DlpConfig.full_catalog(), KEY)


def spans(found: list[Finding]) -> list[tuple[str, int, int]]:
    return [(f.detector, f.start, f.end) for f in found]


def test_compile_passes_are_named_and_timed(plan: ScanPlan) -> None:
    names = [name for name, _ in plan.timings]
    assert names == [
        "build_rules",
        "keyword_list_automaton",
        "gate_set",
        "json_matcher",
        "allow_lists",
    ]
    assert all(seconds >= 0 for _, seconds in plan.timings)


def test_a_plan_is_immutable(plan: ScanPlan) -> None:
    with pytest.raises(AttributeError):
        plan.rules = ()  # type: ignore[misc]


def test_finds_a_secret_with_exact_character_offsets(plan: ScanPlan) -> None:
    token = cases.github_token()
    text = f"deploy with {token} please"
    found = plan.scan_text(text)
    assert spans(found) == [("secret.github_token", 12, 12 + len(token))]
    f = found[0]
    assert (f.category, f.action, f.path) == ("secret", "block", None)
    assert f.preview == token[:4] + "*" * 12 + token[-4:]
    assert len(f.fingerprint) == 32 and int(f.fingerprint, 16) >= 0


def test_no_raw_value_in_a_finding_its_repr_or_its_json(plan: ScanPlan) -> None:
    token = cases.github_token()
    (f,) = plan.scan_text(f"token {token}")
    import msgspec

    for rendered in (repr(f), str(f), msgspec.json.encode(f).decode(), str(f.to_dict())):
        assert token not in rendered
        assert token[4:-4] not in rendered
    assert KEY.decode() not in repr(plan)


def test_fingerprints_are_keyed_and_stable(plan: ScanPlan) -> None:
    token = cases.github_token()
    a = plan.scan_text(f"a {token}")[0].fingerprint
    b = plan.scan_text(f"another text: {token}!")[0].fingerprint
    other = compile_plan(DlpConfig.full_catalog(), b"another key").scan_text(f"a {token}")
    assert a == b != other[0].fingerprint


def test_offsets_are_characters_in_non_ascii_text(plan: ScanPlan) -> None:
    token = cases.github_token()
    prefix = "Grüße 👋🏽 — ключ: "
    text = prefix + token + " ✓ and mail josé@example.com"
    found = plan.scan_text(text)
    assert found[0].start == len(prefix) and found[0].end == len(prefix) + len(token)
    assert text[found[0].start : found[0].end] == token
    assert found == scan_naive(DlpConfig.full_catalog(), text, KEY)


def test_lone_surrogates_do_not_break_the_scan(plan: ScanPlan) -> None:
    token = cases.github_token()
    text = "\ud800 broken " + token + " \udfff"
    (f,) = plan.scan_text(text)
    assert text[f.start : f.end] == token


def test_invalid_utf8_bytes_are_replaced_not_rejected(plan: ScanPlan) -> None:
    token = cases.github_token()
    data = b"\xff\xfe garbage \xc3" + token.encode() + b" \x80"
    (f,) = plan.scan_bytes(data)
    decoded = data.decode("utf-8", "replace")
    assert decoded[f.start : f.end] == token


def test_text_limit_is_a_clear_error() -> None:
    from renlayer_core.dlp import Limits

    small = compile_plan(DlpConfig.full_catalog(), KEY, Limits(max_chars=100))
    with pytest.raises(PayloadTooLarge, match="payload of 101 characters is larger than"):
        small.scan_text("x" * 101)
    many = compile_plan(DlpConfig.full_catalog(), KEY, Limits(max_findings=3))
    emails = " ".join(f"user{i}@example.com" for i in range(4))
    with pytest.raises(PayloadTooLarge, match="more than 3 findings"):
        many.scan_text(emails)


# -- custom specs: windows, overlaps, scoring ---------------------------------------------------

TICKET = DetectorSpec(
    id="secret.ticket",
    category="secret",
    title="ticket secret",
    pattern=r"(?:[a-z]{0,10}TKT-(?P<value>[0-9]{6}))",
    keywords=("tkt-",),
    max_len=20,
    context_words=("ticket",),
    confidence=0.6,
    context_boost=0.3,
)
ID6 = DetectorSpec(
    id="pii.six_digits",
    category="pii",
    title="six digits",
    pattern=r"\b[0-9]{6}\b",
    max_len=6,
    confidence=0.5,
)
SPECS = {s.id: s for s in (TICKET, ID6)}


def custom_plan(**doc: object) -> tuple[DlpConfig, ScanPlan]:
    config = DlpConfig.parse(doc, catalog=SPECS)
    return config, compile_plan(config, KEY, catalog=SPECS)


def test_windowed_detector_matches_at_text_edges_and_merges_windows() -> None:
    config, plan = custom_plan(detectors=[{"type": "secret.ticket"}])
    for text in ("TKT-123456", "abcdefghijTKT-123456", "TKT-111111TKT-222222 " * 30 + "TKT-3"):
        assert plan.scan_text(text) == scan_naive(config, text, KEY, SPECS)
    found = plan.scan_text("x" * 5000 + " qqTKT-000001 " + "y" * 5000)
    assert spans(found) == [("secret.ticket", 5007, 5013)]


def test_context_word_boosts_and_min_confidence_filters() -> None:
    _, plan = custom_plan(detectors=[{"type": "secret.ticket", "min_confidence": 0.7}])
    assert plan.scan_text("ref TKT-123456") == []
    (f,) = plan.scan_text("ticket TKT-123456")
    assert f.confidence == pytest.approx(0.9)
    _, plan = custom_plan(detectors=[{"type": "secret.ticket", "context_words": ["case"]}])
    assert plan.scan_text("case: TKT-123456")[0].confidence == pytest.approx(0.9)


def test_overlaps_prefer_longest_then_most_specific_category() -> None:
    _, plan = custom_plan(
        detectors=[{"type": "secret.ticket"}, {"type": "pii.six_digits"}],
        patterns=[{"name": "long", "category": "net", "regex": r"TKT-[0-9]{6}"}],
    )
    # net.custom.long covers "TKT-123456" (longer) and wins over the 6-digit value.
    assert spans(plan.scan_text("TKT-123456")) == [("net.custom.long", 0, 10)]
    _, plan = custom_plan(detectors=[{"type": "secret.ticket"}, {"type": "pii.six_digits"}])
    # Same span "123456": the secret beats the pii detector.
    assert spans(plan.scan_text("TKT-123456 and 654321")) == [
        ("secret.ticket", 4, 10),
        ("pii.six_digits", 15, 21),
    ]


def test_allow_lists_by_value_regex_fingerprint_and_scope() -> None:
    det = [{"type": "secret.ticket"}, {"type": "pii.six_digits"}]
    _, plain = custom_plan(detectors=det)
    fp = plain.scan_text("TKT-000777")[0].fingerprint
    allow = [
        {"values": ["123456"]},
        {"regexes": ["9{6}"]},
        {"fingerprints": [fp]},
        {"values": ["555555"], "detectors": ["pii.*"]},
    ]
    config, plan = custom_plan(detectors=det, allow_lists=allow)
    text = "TKT-123456 TKT-999999 TKT-000777 TKT-555555 555555 1999999"
    assert spans(plan.scan_text(text)) == [("secret.ticket", 37, 43)]
    assert plan.scan_text(text) == scan_naive(config, text, KEY, SPECS)


# -- custom patterns ----------------------------------------------------------------------------


def test_keyword_list_whole_word_and_case() -> None:
    pats = [
        {"name": "codename", "keywords": ["Bluebird", "blue"], "action": "redact"},
        {"name": "exact", "keywords": ["ACME"], "case_sensitive": True, "whole_word": False},
    ]
    config, plan = custom_plan(patterns=pats)
    text = "BLUEBIRD ships; bluebirds don't; acme vs xACMEx; blue_sky, blue."
    assert spans(plan.scan_text(text)) == [
        ("secret.custom.codename", 0, 8),
        ("secret.custom.exact", 42, 46),
        ("secret.custom.codename", len(text) - 5, len(text) - 1),
    ]
    assert plan.scan_text(text) == scan_naive(config, text, KEY, SPECS)


def test_custom_regex_value_group_first_group_or_whole_match() -> None:
    pats = [
        {"name": "named", "regex": r"id=(?P<value>[0-9]{4})"},
        {"name": "first", "regex": r"no=([0-9]{4})"},
        {"name": "whole", "regex": r"K[0-9]{4}"},
    ]
    _, plan = custom_plan(patterns=pats)
    assert spans(plan.scan_text("id=1234 no=5678 K9012")) == [
        ("secret.custom.named", 3, 7),
        ("secret.custom.first", 11, 15),
        ("secret.custom.whole", 16, 21),
    ]


def test_custom_validators_apply() -> None:
    pats = [
        {"name": "card", "regex": r"\b[0-9]{16}\b", "validator": "luhn"},
        {"name": "rand", "regex": r"\b[A-Za-z0-9]{12}\b", "validator": "entropy>=3.3"},
    ]
    _, plan = custom_plan(patterns=pats)
    text = "4111111111111111 4111111111111112 aaaaaaaaaaaa Xk3pQ9mZ2vLr"
    assert spans(plan.scan_text(text)) == [
        ("secret.custom.card", 0, 16),
        ("secret.custom.rand", 47, 59),
    ]


def test_disabled_entries_are_not_scanned() -> None:
    _, plan = custom_plan(
        detectors=[{"type": "pii.six_digits", "enabled": False}],
        patterns=[{"name": "x", "keywords": ["secret"], "enabled": False}],
    )
    assert plan.scan_text("123456 secret") == []
    assert PatternDef(name="x", keywords=("y",)).enabled
