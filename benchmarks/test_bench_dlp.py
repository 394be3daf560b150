"""A pytest-benchmark slice of the DLP benchmark (the full comparison is ``bench_dlp.py``).

Not part of the default test run (``testpaths`` is ``tests``); run it with

    pytest benchmarks/test_bench_dlp.py --benchmark-enable

Without ``--benchmark-enable`` each benchmark body runs once, which still checks that it works.
Only RenLayer is measured here: the peers are not needed.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from benchmarks import dlp_corpus, dlp_score
from renlayer_core import apikeys

SEED = 20261128
KEY = b"renlayer-benchmark-fingerprint-key"


@pytest.fixture(scope="module")
def plan() -> Any:
    from renlayer_core.dlp import DlpConfig, compile_plan

    return compile_plan(DlpConfig.full_catalog(), fingerprint_key=KEY)


@pytest.fixture(scope="module")
def payload() -> str:
    """A clean agent payload of about 4.6 KB (what 99% of the traffic looks like)."""
    candidates = [p for p in dlp_corpus.payloads(SEED, 200) if not p.labels]
    return min(candidates, key=lambda p: abs(len(p.text.encode()) - 4600)).text


@pytest.fixture(scope="module")
def clean_1mb() -> str:
    return dlp_corpus.clean_text(SEED + 2)


def test_scan_text_payload(benchmark: Any, plan: Any, payload: str) -> None:
    benchmark(plan.scan_text, payload)


def test_scan_text_1mb_clean(benchmark: Any, plan: Any, clean_1mb: str) -> None:
    benchmark.pedantic(plan.scan_text, args=(clean_1mb,), rounds=5, iterations=1)


def test_stream_payload(benchmark: Any, plan: Any, payload: str) -> None:
    chunks = dlp_corpus.sse_chunks(random.Random(SEED), payload)

    def run() -> str:
        stream = plan.stream(redact=True)
        out = [stream.feed(chunk) for chunk in chunks]
        out.append(stream.finish())
        return "".join(out)

    assert benchmark(run) == plan.redact_text(payload)[0]


def _catalog_ids() -> set[str]:
    from renlayer_core.dlp.catalog import CATALOG

    return {spec.id for spec in CATALOG}


def test_plan_finds_every_inserted_value(plan: Any) -> None:
    """The corpus insertions are real work for the plan: each one is found, with its type,
    overlapping the inserted span, and nothing else is reported. Guards the benchmark against
    measuring a plan that silently finds nothing, or a corpus whose fakes are invalid."""
    assert set(dlp_corpus.KIND_TYPES) <= _catalog_ids()
    missed, extra = [], []
    for p in dlp_corpus.dense_payloads(SEED + 1, 1):
        found = plan.scan_text(p.text)
        for lab in p.labels:
            if not any(_same(f, lab) for f in found):
                missed.append(lab.type)
        extra += [f.detector for f in found if not any(_same(f, lab) for lab in p.labels)]
    assert (missed, extra) == ([], [])


def _same(f: Any, lab: dlp_corpus.Label) -> bool:
    return bool(f.detector == lab.type and f.start < lab.end and lab.start < f.end)


# ---- the corpus and the scoring the comparison rests on (cheap, no timing) -------------------


def test_corpus_is_deterministic_and_well_formed() -> None:
    first = dlp_corpus.payloads(SEED, 120, rate=0.1)
    assert [p.text for p in first] == [p.text for p in dlp_corpus.payloads(SEED, 120, rate=0.1)]
    assert all(3500 <= len(p.text) <= 5200 for p in first)
    for p in first + dlp_corpus.dense_payloads(SEED + 1, 1):
        if p.is_json:
            json.loads(p.text)
        for lab in p.labels:
            value = p.text[lab.start : lab.end]
            assert value and value == value.strip()


def test_corpus_fakes_pass_their_checksums() -> None:
    rng = random.Random(SEED)
    for _ in range(50):
        assert luhn(dlp_corpus.fake_credit_card(rng))
        iban = dlp_corpus.fake_iban(rng)
        assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
        token = dlp_corpus.fake_github_token(rng)
        assert apikeys.checksum(token[4:34]) == token[34:]
        assert apikeys.is_well_formed(dlp_corpus.fake_renlayer_key(rng))


def luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return total % 10 == 0


def test_score_counts_overlaps_generic_hits_and_scope() -> None:
    type_map = {
        "CARD": ("fin.credit_card",),
        "IP": ("net.ipv4", "net.ipv6"),
        "ENTROPY": (dlp_score.GENERIC,),
    }
    common = dlp_score.common_types(
        type_map, {"fin.credit_card", "net.ipv4", "secret.jwt"}, {"fin.credit_card", "net.ipv4"}
    )
    assert common == {"fin.credit_card", "net.ipv4"}
    samples = [
        dlp_score.Sample((("fin.credit_card", 10, 26), ("net.ipv4", 40, 50))),
        dlp_score.Sample((), scope="net.ipv4"),
    ]
    hits = [
        # one card split in two touching pieces, an IP that misses, a stray card
        [["CARD", 10, 18], ["CARD", 18, 26], ["IP", 60, 70], ["CARD", 80, 96]],
        # scoped to net.ipv4: the card hit is not judged, the IP hit is a false positive
        [["CARD", 0, 16], ["IP", 20, 30]],
    ]
    s = dlp_score.score(samples, hits, type_map, common)
    assert s.overall.as_dict() == {
        "expected": 2,
        "found": 1,
        "tp": 1,
        "fp": 3,
        "precision": 0.25,
        "recall": 0.5,
    }
    assert (s.per_type["net.ipv4"].fp, s.per_type["fin.credit_card"].fp) == (2, 1)
    generic = dlp_score.score(
        [dlp_score.Sample((("secret.jwt", 5, 20),))],
        [[["ENTROPY", 0, 30]]],
        type_map,
        {"secret.jwt"},
    )
    assert (generic.overall.found, generic.overall.tp) == (1, 1)
    # A generic hit on a secret of a type outside the common ones is neither right nor wrong.
    outside = dlp_score.score(
        [dlp_score.Sample((("secret.generic_assignment", 5, 20),))],
        [[["ENTROPY", 0, 30], ["ENTROPY", 40, 50]]],
        type_map,
        {"secret.jwt"},
    )
    assert (outside.overall.tp, outside.overall.fp) == (0, 1)
