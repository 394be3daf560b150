"""Streaming: for every way of splitting a text into chunks, the streamed output equals the
whole-text redaction and the findings are equal (offsets in the whole stream)."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.dlp import DlpConfig, ScanPlan, StreamScanner, compile_plan
from renlayer_core.errors import InvalidInput
from tests.dlp import cases
from tests.dlp.test_differential import CUSTOM_PATTERNS, KEY, PLANS, texts

EXAMPLES = int(os.environ.get("RENLAYER_HYPOTHESIS_EXAMPLES", "60"))
ALL = frozenset({"block", "redact", "log"})


def _short_plans() -> list[ScanPlan]:
    """Plans whose longest match is short, so streams of a few hundred characters already
    cut and emit many times (the full catalog holds back ~10 000 characters: PEM keys)."""
    from renlayer_core.dlp.config import builtin_specs

    short = [{"type": i} for i, s in sorted(builtin_specs().items()) if s.max_len <= 120]
    patterns = [dict(p, max_len=40) for p in CUSTOM_PATTERNS if "regex" in p]
    patterns += [p for p in CUSTOM_PATTERNS if "keywords" in p]
    docs = [
        {"detectors": short},
        {"detectors": short, "patterns": patterns},
        {"patterns": patterns, "allow_lists": [{"values": ["bluebird"]}]},
    ]
    return [compile_plan(DlpConfig.parse(d), KEY) for d in docs]


SHORT_PLANS = _short_plans()


@pytest.fixture(scope="module")
def plan() -> ScanPlan:
    return compile_plan(DlpConfig.full_catalog(), KEY)


def run(stream: StreamScanner, chunks: list[str]) -> str:
    return "".join(stream.feed(c) for c in chunks) + stream.finish()


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(max(c, 0), len(text)) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def check(plan: ScanPlan, text: str, chunks: list[str], step: int | None = None) -> None:
    expected, found = plan.redact_text(text, ALL)
    stream = plan.stream(actions=ALL, step=step)
    assert run(stream, chunks) == expected
    assert stream.findings == found


# Shared by the split-equivalence properties: texts are repeated, so examples are large.
SPLITS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SPLITS
@given(
    which=st.integers(0, len(SHORT_PLANS) - 1),
    text=texts,
    cuts=st.lists(st.integers(0, 3000), max_size=40),
    step=st.sampled_from([None, 1, 7, 50]),
)
def test_any_split_streams_like_the_whole_text(
    which: int, text: str, cuts: list[int], step: int | None
) -> None:
    text = text * 3
    plan = SHORT_PLANS[which]
    assert plan.max_len <= 120
    check(plan, text, split(text, cuts), step)


@settings(max_examples=max(5, EXAMPLES // 6), deadline=None)
@given(text=texts, cuts=st.lists(st.integers(0, 30000), max_size=40))
def test_any_split_of_a_long_text_streams_like_the_whole_text_full_catalog(
    text: str, cuts: list[int]
) -> None:
    pad = "lorem ipsum dolor sit amet token key " * 300
    long = pad + text + pad + text + pad
    check(PLANS[2], long, split(long, cuts), 64)


def secret_text() -> tuple[str, str]:
    token = cases.github_token()
    body = "lorem ipsum " * 900 + f"export GITHUB_TOKEN={token}\n" + "dolor sit amet " * 900
    return token, body


def test_secret_split_across_chunks_is_found_and_redacted(plan: ScanPlan) -> None:
    token, text = secret_text()
    middle = text.index(token) + 10
    stream = plan.stream()
    out = run(stream, [text[:middle], text[middle:]])
    assert token not in out and token[:10] in text[:middle]
    assert "[REDACTED:secret.github_token]" in out
    check(plan, text, [text[:middle], text[middle:]])


def test_one_char_per_chunk_and_empty_chunks(plan: ScanPlan) -> None:
    token = cases.github_token()
    text = f"a {token} b jane.roe@example.com 😀 c"
    check(plan, text, list(text))
    check(plan, text, [x for ch in text for x in ("", ch, "")])
    check(plan, "", [""])


def test_placeholder_producing_secret_split_inside_the_value(plan: ScanPlan) -> None:
    token, text = secret_text()
    at = text.index(token)
    chunks = [text[: at + 1], text[at + 1 : at + 2], text[at + 2 : at + 30], text[at + 30 :]]
    check(plan, text, chunks, step=1)


def test_output_is_released_before_the_end(plan: ScanPlan) -> None:
    _, text = secret_text()
    stream = plan.stream(step=256)
    emitted = [stream.feed(text[i : i + 100]) for i in range(0, len(text), 100)]
    released = sum(len(e) for e in emitted)
    # Held back: at most max_len + step + one chunk (+ what a redaction changes in length).
    assert len(text) - released <= plan.max_len + 256 + 100 + 64
    assert released > 0


def test_bytes_chunks_may_split_multibyte_characters(plan: ScanPlan) -> None:
    token = cases.github_token()
    text = f"日本語 {token} 😀👋🏽 é"
    data = text.encode()
    stream = plan.stream(actions=ALL)
    out = "".join(stream.feed_bytes(data[i : i + 1]) for i in range(len(data)))
    out += stream.finish()
    expected, found = plan.redact_text(text, ALL)
    assert out == expected and stream.findings == found


def test_without_redaction_the_text_passes_through(plan: ScanPlan) -> None:
    _token, text = secret_text()
    stream = plan.stream(redact=False)
    assert run(stream, [text[i : i + 50] for i in range(0, len(text), 50)]) == text
    assert [f.detector for f in stream.findings] == ["secret.github_token"]


def test_a_finished_stream_refuses_more(plan: ScanPlan) -> None:
    stream = plan.stream()
    stream.finish()
    with pytest.raises(InvalidInput, match="already finished"):
        stream.feed("x")


# -- early release ---------------------------------------------------------------------------
@SPLITS
@given(
    which=st.sampled_from([0, 2, 3]),
    text=texts,
    cuts=st.lists(st.integers(0, 3000), max_size=40),
    step=st.sampled_from([None, 1, 7, 50]),
)
def test_any_split_streams_like_the_whole_text_with_early_release(
    which: int, text: str, cuts: list[int], step: int | None
) -> None:
    """The full catalog (PEM keys, JWTs, service-account files, assignments, emails …), whose
    quiet hold is a few hundred characters: streams of this size cut many times."""
    text = text * 3
    check(PLANS[which], text, split(text, cuts), step)


def prose(n: int) -> str:
    sentence = "the agent read the file and wrote a short summary of the release notes. "
    return (sentence * (n // len(sentence) + 1))[:n]


@pytest.mark.parametrize("kb", [4, 32])
def test_clean_prose_is_released_within_a_few_hundred_characters(plan: ScanPlan, kb: int) -> None:
    text = prose(kb * 1024)
    stream = plan.stream()
    released, worst = 0, 0
    for i in range(0, len(text), 100):
        released += len(stream.feed(text[i : i + 100]))
        worst = max(worst, min(i + 100, len(text)) - released)
    # Held back at most: quiet hold + step + one chunk — not the plan's max_len (6 700).
    step = stream.step
    assert step == max(24 * plan.quiet_hold, 512)
    assert plan.quiet_hold <= 300 < plan.max_len
    assert worst <= plan.quiet_hold + step + 100
    assert len(text) - released <= plan.quiet_hold + step + 100
    assert released + len(stream.finish()) == len(text)


def test_a_private_key_in_flight_is_held_until_it_completes(plan: ScanPlan) -> None:
    key = next(c.text for c in cases.CASES if c.detector_id == "secret.private_key" and c.spans)
    text = prose(2000) + "\n" + key + "\n" + prose(3000)
    begin = text.index("-----BEGIN")
    stream = plan.stream(actions=ALL)
    out = ""
    for i in range(0, len(text), 100):
        out += stream.feed(text[i : i + 100])
        # Nothing from the key's first line on is released while the key may still grow.
        assert len(out) <= begin
    out += stream.finish()
    assert key not in out and "[REDACTED:secret.private_key]" in out
    check(plan, text, [text[i : i + 100] for i in range(0, len(text), 100)])


@SPLITS
@given(
    which=st.sampled_from([0, 2, 3]),
    text=texts,
    cuts=st.lists(st.integers(0, 3000), max_size=40),
    flushes=st.lists(st.booleans(), min_size=41, max_size=41),
    step=st.sampled_from([None, 7, 50]),
)
def test_flush_at_any_point_keeps_the_whole_text_result(
    which: int, text: str, cuts: list[int], flushes: list[bool], step: int | None
) -> None:
    text = text * 3
    plan = PLANS[which]
    expected, found = plan.redact_text(text, ALL)
    stream = plan.stream(actions=ALL, step=step)
    out = ""
    for chunk, flush in zip(split(text, cuts), flushes, strict=False):
        out += stream.feed(chunk)
        if flush:
            out += stream.flush()
    out += stream.finish()
    assert out == expected
    assert stream.findings == found


def test_flush_releases_all_but_the_quiet_hold(plan: ScanPlan) -> None:
    text = prose(8 * 1024)
    stream = plan.stream()
    released = 0
    for i in range(0, len(text), 100):
        released += len(stream.feed(text[i : i + 100]))
        released += len(stream.flush())
        arrived = min(i + 100, len(text))
        # Without flush() up to quiet hold + step (≈ 5 800 characters) would be pending.
        assert arrived - released <= plan.quiet_hold
    assert released + len(stream.finish()) == len(text)


def test_flush_with_nothing_new_is_free_and_a_finished_stream_refuses_it(plan: ScanPlan) -> None:
    stream = plan.stream()
    assert stream.flush() == ""
    assert stream.feed("short") == ""
    assert stream.flush() == ""  # under the quiet hold: nothing can be final yet
    assert stream.finish() == "short"
    with pytest.raises(InvalidInput, match="already finished"):
        stream.flush()
