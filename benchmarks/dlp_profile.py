"""Where the scan plan spends its time: cProfile over the benchmark's inputs.

    python -m benchmarks.dlp_profile            # payloads (text, JSON) and 1 MiB clean text
    python -m benchmarks.dlp_profile --top 25

Prints, for each input, the functions with the most own time and the cumulative time of the
plan's stages (whatever functions of ``renlayer_core.dlp`` appear), so a regression can be
pinned to a stage rather than guessed at.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import dlp_corpus  # noqa: E402
from benchmarks.bench_dlp import SEED  # noqa: E402


def _plan() -> Any:
    from renlayer_core.dlp import DlpConfig, compile_plan

    return compile_plan(DlpConfig.full_catalog(), fingerprint_key=b"renlayer-profile")


def profile(run: Callable[[], object], top: int, title: str) -> None:
    run()  # warm-up
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    stats = pstats.Stats(prof)
    total = float(getattr(stats, "total_tt", 0.0))
    print(f"\n=== {title}: {total * 1000:.1f} ms profiled (profiling overhead included)")
    stats.sort_stats("tottime").print_stats(top)
    print(f"--- {title}: cumulative time by renlayer_core.dlp function")
    rows = []
    for (file, line, fn), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "renlayer_core/dlp" in file:
            rows.append((ct, f"{Path(file).name}:{line}({fn})"))
    for ct, name in sorted(rows, reverse=True)[:top]:
        print(f"{ct * 1000:9.1f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv)
    plan = _plan()
    corpus = dlp_corpus.payloads(SEED, 300)
    payloads = [p.text for p in corpus]
    documents = [json.loads(p.text) for p in corpus if p.is_json]
    clean = dlp_corpus.clean_text(SEED + 2)

    def run_payloads() -> None:
        for text in payloads:
            plan.scan_text(text)

    def run_json() -> None:
        for doc in documents:
            plan.scan_json(doc)

    def run_clean() -> None:
        plan.scan_text(clean)

    profile(run_payloads, args.top, f"{len(payloads)} payloads")
    profile(run_json, args.top, f"{len(documents)} JSON payloads, scan_json")
    profile(run_clean, args.top, "1 MiB clean text")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
