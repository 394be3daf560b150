"""Hostile input: backtracking-shaped regexes, huge bodies, invalid bytes. RE2 keeps every
scan linear; limits turn oversized input into a clear error. No timing assertions here."""

from __future__ import annotations

import pytest

from renlayer_core.dlp import DlpConfig, Limits, PatternDef, compile_plan
from renlayer_core.errors import PatternInvalid, PayloadTooLarge, ValidationFailed

KEY = b"hostile-fingerprint-key-00000000"


@pytest.mark.parametrize("regex", [r"(a+)+$", r"(a|aa)+b", r"(.*a){12}x", r"([a-z]+)*!"])
def test_catastrophic_backtracking_shapes_stay_linear(regex: str) -> None:
    plan = compile_plan(DlpConfig.parse({"patterns": [{"name": "evil", "regex": regex}]}), KEY)
    adversarial = "a" * (1 << 20) + "!"
    found = plan.scan_text(adversarial)  # returns: RE2 has no backtracking
    assert isinstance(found, list)


def test_a_50_mb_body_is_rejected_with_a_clear_error() -> None:
    plan = compile_plan(DlpConfig.full_catalog(), KEY)
    body = "x" * (50 * 1024 * 1024)
    with pytest.raises(PayloadTooLarge) as info:
        plan.scan_text(body)
    assert info.value.code == "payload_too_large"
    assert "larger than the scan limit of 16777216" in info.value.message
    with pytest.raises(PayloadTooLarge):
        plan.scan_bytes(body.encode())


def test_a_stream_is_bounded_by_the_same_limit() -> None:
    plan = compile_plan(DlpConfig.full_catalog(), KEY, Limits(max_chars=50_000))
    stream = plan.stream()
    out = "".join(stream.feed("word " * 1000) for _ in range(100)) + stream.finish()
    assert len(out) == 500_000  # the held-back buffer stays small, so no limit is hit


def test_invalid_utf8_everywhere_is_scanned_not_crashed() -> None:
    plan = compile_plan(DlpConfig.full_catalog(), KEY)
    junk = bytes(range(256)) * 64 + b"\xed\xa0\x80 jane.roe@example.com \xf0\x28\x8c\x28"
    found = plan.scan_bytes(junk)
    assert [f.detector for f in found] == ["pii.email"]


def test_many_keyword_hits_do_not_blow_up() -> None:
    plan = compile_plan(DlpConfig.full_catalog(), KEY)
    text = "password=token key=api secret=pass " * 20_000
    assert isinstance(plan.scan_text(text), list)


def test_an_integer_too_long_to_convert_is_a_clear_error_with_its_path() -> None:
    # Python refuses int → str beyond 4300 digits (quadratic); a bare ValueError escaped.
    plan = compile_plan(DlpConfig.full_catalog(), KEY)
    body = {"n": [1, 10**5000]}
    for scan in (plan.scan_json, plan.redact_json):
        with pytest.raises(ValidationFailed) as info:
            scan(body)
        assert info.value.errors[0].path == "$.n[1]"
        assert "digits cannot be scanned" in info.value.message


def test_a_stored_pattern_too_large_for_the_gate_set_fails_compile_as_pattern_invalid() -> None:
    # Written before the write-time check (model_construct skips validation): compile_plan
    # must say what is wrong, not raise re2.error("failed to compile Set").
    big = PatternDef(name="big", regex="x").model_copy(update={"regex": r"\pL{300}q"})
    config = DlpConfig(patterns=(big,))
    with pytest.raises(PatternInvalid) as info:
        compile_plan(config, KEY)
    assert info.value.code == "pattern_invalid"
    assert "too large for the scan gate" in info.value.message


def test_repeated_pem_begin_lines_are_no_cpu_bomb() -> None:
    """With `-` in the PEM body class, every BEGIN of repeated BEGIN lines stayed a live match
    start with its own 5,000-step counter; RE2's DFA overflowed and fell back to its NFA
    (~6 s per MB). The body has no `-` now: a match in flight ends at the next `-----`.
    No timing assertion here (see the module doc): a regression shows in the durations."""
    plan = compile_plan(DlpConfig.full_catalog(), KEY)
    begin = "-----BEGIN PRIVATE" + " KEY-----"
    for bomb in (begin * 40_000, ("A: " + begin + "\n") * 30_000, (begin + "AAAA") * 30_000):
        assert plan.scan_text(bomb) == []


def test_the_bytes_limit_counts_decoded_characters() -> None:
    """Non-ASCII text takes up to 4 bytes a character: a body under the character limit is
    scanned whatever its byte length; one that no text within the limit could fill is
    refused before it is decoded."""
    plan = compile_plan(DlpConfig.full_catalog(), KEY, Limits(max_chars=1000))
    body = ("é" * 900 + " jane.roe@example.com").encode()
    assert len(body) > 1000
    assert [f.detector for f in plan.scan_bytes(body)] == ["pii.email"]
    with pytest.raises(PayloadTooLarge, match="payload of 4001 bytes"):
        plan.scan_bytes(b"x" * 4001)
    with pytest.raises(PayloadTooLarge, match="1001 characters"):
        plan.scan_bytes(b"x" * 1001)
