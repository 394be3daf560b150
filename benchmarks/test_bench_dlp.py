"""A pytest-benchmark slice of the DLP benchmark (the full comparison is ``bench_dlp.py``).

Not part of the default test run (``testpaths`` is ``tests``); run it with

    pytest benchmarks/test_bench_dlp.py --benchmark-enable

Without ``--benchmark-enable`` each benchmark body runs once, which still checks that it works.
Only RenLayer is measured here: the peers are not needed.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from benchmarks import dlp_corpus

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
