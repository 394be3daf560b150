"""The scan plan against its naive twin (every detector over the whole text, no prefilter):
Hypothesis builds texts from prose, near-misses and the catalog's labelled cases, and the two
must agree exactly — same findings, same offsets, same confidence, same fingerprints.

`RENLAYER_HYPOTHESIS_EXAMPLES` raises the example count for a heavier run."""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.dlp import (
    DlpConfig,
    ScanPlan,
    compile_plan,
    gatepool,
    scan_naive,
    scan_naive_json,
)
from renlayer_core.dlp import scan as scan_module
from tests.dlp import cases

KEY = b"differential-fingerprint-key-000"
EXAMPLES = int(os.environ.get("RENLAYER_HYPOTHESIS_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROSE = (
    "ID-1234",
    "REF-none REF-12 REF-1234",
    "key",
    "the agent called the api and got a token back",
    "please reset my password before the meeting",
    "key points: latency, cost, safety",
    "eyJ is how a JWT starts; sk- is how some keys start",
    "ghp_ github_pat_ xoxb- AKIA AIza sk_live_ rlk_ npm_ pypi-",
    "version 1.2.3.4 at 10:30, ticket 123-45-678, port 8080",
    "mysql://localhost/db and https://user@example.com/path",
    "-----BEGIN PUBLIC KEY----- not a private one",
    "iban DE00 0000, card 4111 1111, call +1 (555) 010-0000",
    "Grüße 👋🏽 — ключ: 日本語のテキスト",
    "password = hunter2 api_key: 'x' secret=",
    "",
)
SEPARATORS = (" ", "\n", "\t", ", ", '"', "'", ": ", "=", "/", "é", "😀", "\r\n", "")
SNIPPETS = tuple(c.text for c in cases.CASES)

CUSTOM_PATTERNS: tuple[dict[str, object], ...] = (
    {"name": "codename", "keywords": ["bluebird", "Project X", "key"], "action": "redact"},
    {"name": "exact", "keywords": ["ACME", "AC"], "case_sensitive": True, "whole_word": False},
    {"name": "employee", "category": "pii", "regex": r"\bEMP-(?P<value>[0-9]{5})\b"},
    {"name": "digits", "category": "fin", "regex": r"[0-9]{12,19}", "validator": "luhn"},
    {"name": "hexish", "regex": r"\b[a-f0-9]{16,64}\b", "validator": "entropy>=3"},
    {"name": "anchored", "category": "pii", "regex": r"^ID-[0-9]{4}$|^key"},
    # A value group that takes part in only one branch: "REF-none" is a match, no finding.
    {"name": "ref", "regex": r"\bREF-(?:(?P<value>[0-9]{4})|none|[0-9]{2})\b"},
)


def _configs() -> list[DlpConfig]:
    full = DlpConfig.full_catalog().model_dump()
    token, email = cases.github_token(), "jane.roe@example.com"
    allow = [
        {"values": [email, "10.0.0.1"]},
        {"regexes": [r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+"], "detectors": ["net.*"]},
        {"values": [token], "detectors": ["secret.github_token"]},
    ]
    tuned = [
        {**d, "min_confidence": 0.9, "context_words": ["bearer", "key"]} for d in full["detectors"]
    ]
    return [
        DlpConfig.full_catalog(),
        DlpConfig.recommended(),
        DlpConfig.parse({"detectors": full["detectors"], "patterns": list(CUSTOM_PATTERNS)}),
        DlpConfig.parse({**full, "allow_lists": allow}),
        DlpConfig.parse({"detectors": tuned, "patterns": list(CUSTOM_PATTERNS[:3])}),
        DlpConfig.parse({"patterns": list(CUSTOM_PATTERNS)}),
    ]


CONFIGS = _configs()
PLANS: list[ScanPlan] = [compile_plan(c, KEY) for c in CONFIGS]

pieces = st.one_of(
    st.sampled_from(PROSE),
    st.sampled_from(SNIPPETS),
    st.sampled_from(SEPARATORS),
    st.text(alphabet="abcAKIA0123456789-_=:.@/ \n+eyJghp", max_size=40),
    st.text(max_size=10),
)
texts = st.lists(st.tuples(pieces, st.sampled_from(SEPARATORS)), max_size=14).map(
    lambda parts: "".join(p + s for p, s in parts)
)


@contextlib.contextmanager
def windows_always() -> Iterator[None]:
    """Force the keyword-window path even on short texts (the default runs short texts whole)."""
    saved = scan_module.WHOLE_TEXT_BYTES, scan_module.HIT_BUDGET
    scan_module.WHOLE_TEXT_BYTES, scan_module.HIT_BUDGET = -1, False
    try:
        yield
    finally:
        scan_module.WHOLE_TEXT_BYTES, scan_module.HIT_BUDGET = saved


@SETTINGS
@given(which=st.integers(0, len(CONFIGS) - 1), text=texts, windowed=st.booleans())
def test_plan_equals_naive_twin(which: int, text: str, windowed: bool) -> None:
    plan, config = PLANS[which], CONFIGS[which]
    with windows_always() if windowed else contextlib.nullcontext():
        fast = plan.scan_text(text)
    assert fast == scan_naive(config, text, KEY)


@SETTINGS
@given(text=texts, filler=st.integers(0, 3))
def test_plan_equals_naive_twin_on_long_texts(text: str, filler: int) -> None:
    pad = "lorem ipsum dolor sit amet token password key " * (filler * 60)
    long = pad + text + pad + text
    assert PLANS[2].scan_text(long) == scan_naive(CONFIGS[2], long, KEY)


@contextlib.contextmanager
def small_blocks(size: int, helper: bool = False) -> Iterator[None]:
    """Gate block by block with tiny blocks, so matches straddle many block edges; with
    `helper`, half of the blocks of any text go to the gate's helper thread."""
    saved = scan_module.GATE_BLOCK_BYTES, gatepool.PARALLEL_MIN_BLOCKS
    scan_module.GATE_BLOCK_BYTES = size
    if helper:
        gatepool.PARALLEL_MIN_BLOCKS = 2
    try:
        yield
    finally:
        scan_module.GATE_BLOCK_BYTES, gatepool.PARALLEL_MIN_BLOCKS = saved


@SETTINGS
@given(
    which=st.integers(0, len(CONFIGS) - 1),
    parts=st.lists(texts, min_size=1, max_size=4),
    shift=st.text(alphabet="ab 1-é\n", max_size=70),
    size=st.integers(1, 96),
    windowed=st.booleans(),
    helper=st.booleans(),
)
def test_block_gating_equals_naive_twin(
    which: int, parts: list[str], shift: str, size: int, windowed: bool, helper: bool
) -> None:
    plan, config = PLANS[which], CONFIGS[which]
    text = shift + "".join(parts)
    with small_blocks(size, helper), windows_always() if windowed else contextlib.nullcontext():
        fast = plan.scan_text(text)
    assert fast == scan_naive(config, text, KEY)


def test_block_gating_finds_a_secret_across_a_block_edge() -> None:
    plan, config = PLANS[2], CONFIGS[2]
    # The PEM body runs far past its trigger's block: its detector must run beyond the block.
    lines = (bytes((i * 37 + j * 11) % 256 for j in range(48)) for i in range(20))
    body = "\n".join(base64.b64encode(line).decode() for line in lines)
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    secret = f"AKIAIOSFODNN7EXAMPLE card 4111 1111 1111 1111 password = hunter2hunter2 {pem}"
    for offset in range(0, 40, 3):
        text = "x" * offset + ("lorem ipsum " * 20 + secret + " ") * 6
        with small_blocks(64):
            fast = plan.scan_text(text)
        assert fast == scan_naive(config, text, KEY)
        assert "secret.private_key" in {f.detector for f in fast}


json_values = st.recursive(
    st.one_of(texts, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)
    ),
    max_leaves=12,
)


@SETTINGS
@given(which=st.integers(0, len(CONFIGS) - 1), value=json_values)
def test_json_scan_equals_naive_twin(which: int, value: object) -> None:
    assert PLANS[which].scan_json(value) == scan_naive_json(CONFIGS[which], value, KEY)


def test_every_labelled_case_agrees_with_the_twin() -> None:
    for case in cases.CASES:
        for plan, config in zip(PLANS, CONFIGS, strict=True):
            assert plan.scan_text(case.text) == scan_naive(config, case.text, KEY), case.note


def test_a_match_without_its_value_group_is_no_finding() -> None:
    config = CONFIGS[2]
    text = "see REF-none, REF-12 and REF-4321"
    found = PLANS[2].scan_text(text)
    assert [(f.start, f.end) for f in found if ".custom.ref" in f.detector] == [(29, 33)]
    assert found == scan_naive(config, text, KEY)
