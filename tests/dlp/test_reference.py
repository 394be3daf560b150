"""The reference matcher: offsets, value groups, context scoring."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.dlp import catalog
from renlayer_core.dlp.reference import RawMatch, candidates, has_context, reference_find
from renlayer_core.dlp.spec import DetectorSpec

_TOKEN = DetectorSpec(
    id="secret.test_token",
    category="secret",
    title="Test token",
    pattern=r"\b(?P<value>tok_[a-z0-9]{8})\b",
    keywords=("tok_",),
    context_words=("token", "api key"),
    confidence=0.7,
    context_boost=0.2,
)


@pytest.mark.parametrize("prefix", ["", "é ", "日本 ", "😀 ", "e\u0301 ", "a\u200db "])
def test_offsets_are_character_offsets(prefix: str) -> None:
    text = prefix + "x tok_abcd1234 y"
    (m,) = reference_find(_TOKEN, text)
    assert text[m.start : m.end] == m.value == "tok_abcd1234"
    assert m.start == len(prefix) + 2


@given(
    before=st.text(max_size=30).map(lambda s: s + " "),
    after=st.text(max_size=30).map(lambda s: " " + s),
)
@settings(max_examples=60, deadline=None)
def test_offsets_hold_for_any_unicode_around(before: str, after: str) -> None:
    value = "tok_a1b2c3d4"
    text = before + value + after
    spans = [(m.start, m.end) for m in reference_find(_TOKEN, text)]
    assert (len(before), len(before) + len(value)) in spans
    assert all(text[s:e].startswith("tok_") for s, e in spans)


def test_whole_match_when_no_value_group() -> None:
    spec = replace(_TOKEN, pattern=r"tok_[a-z0-9]{8}")
    (m,) = reference_find(spec, "==tok_abcd1234==")
    assert (m.start, m.end) == (2, 14)


def test_candidates_expose_the_whole_match_and_the_value() -> None:
    spec = replace(_TOKEN, pattern=r"key=(?P<value>tok_[a-z0-9]{8})")
    (c,) = candidates(spec, "a key=tok_abcd1234")
    assert (c.match_start, c.match_end, c.start, c.end) == (2, 18, 6, 18)


def test_case_insensitive_specs() -> None:
    spec = replace(_TOKEN, pattern=r"tok_[a-z0-9]{8}", case_sensitive=False)
    assert [m.value for m in reference_find(spec, "TOK_ABCD1234")] == ["TOK_ABCD1234"]
    assert reference_find(replace(spec, case_sensitive=True), "TOK_ABCD1234") == []


def test_validator_drops_candidates() -> None:
    spec = replace(_TOKEN, validator=lambda value: value.endswith("4"))
    assert [m.value for m in reference_find(spec, "tok_aaaaaaa4 tok_aaaaaaa5")] == ["tok_aaaaaaa4"]


def test_context_boost_is_capped() -> None:
    spec = replace(_TOKEN, confidence=0.95, context_boost=0.2)
    (m,) = reference_find(spec, "my token: tok_abcd1234")
    assert m == RawMatch("secret.test_token", 10, 22, "tok_abcd1234", 1.0)
    (m,) = reference_find(spec, "nothing: tok_abcd1234")
    assert m.confidence == 0.95


def test_context_words_are_whole_words_before_the_value_within_the_window() -> None:
    assert has_context("the token is tok_x", 13, ("token",), 64)
    assert has_context("AWS_SECRET_ACCESS_KEY=x", 22, ("secret",), 64)  # _ separates words
    assert has_context("my API KEY: x", 12, ("api key",), 64)
    assert not has_context("tokens: x", 8, ("token",), 64)  # not a whole word
    assert not has_context("mytoken: x", 9, ("token",), 64)
    assert not has_context("x tok token", 2, ("token",), 64)  # after the value
    assert not has_context("token" + " " * 70 + "x", 75, ("token",), 64)  # too far
    assert not has_context("token x", 6, (), 64)
    assert has_context('"a\\ntoken: x', 11, ("token",), 64)  # after a raw JSON \n escape


def test_context_required_drops_without_context() -> None:
    spec = replace(_TOKEN, context_required=True)
    assert reference_find(spec, "tok_abcd1234") == []
    assert [m.confidence for m in reference_find(spec, "token tok_abcd1234")] == [0.9]


def test_empty_value_groups_are_not_findings() -> None:
    spec = replace(_TOKEN, pattern=r"tok_(?P<value>[a-z]*)")
    assert reference_find(spec, "tok_ tok_1") == []


def test_catalog_entries_are_found_after_multibyte_text() -> None:
    text = "日本語のテキスト 😀 é — contact jane.roe@example.com, ip 203.0.113.7"
    email = reference_find(catalog.get("pii.email"), text)
    ip = reference_find(catalog.get("net.ipv4"), text)
    assert [m.value for m in email] == ["jane.roe@example.com"]
    assert [text[m.start : m.end] for m in ip] == ["203.0.113.7"]


_NOISY = st.lists(
    st.sampled_from(
        [*"aAzZ09_-.:/@+=%$#&*()[]{}<>\"' \n\t", "é", "日", "😀", "AKIA", "eyJ", "ghp_", "sk-"]
    ),
    max_size=60,
).map("".join)


@given(text=_NOISY)
@settings(max_examples=40, deadline=None)
def test_every_catalog_detector_survives_noise(text: str) -> None:
    for spec in catalog.CATALOG:
        for m in reference_find(spec, text):
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.value
            assert 0.0 < m.confidence <= 1.0
