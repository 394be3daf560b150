"""DLP benchmark: RenLayer's scan plan side by side with Presidio, detect-secrets and Hyperscan.

    python -m benchmarks.bench_dlp            # full run, a few minutes
    python -m benchmarks.bench_dlp --quick    # smoke run, well under a minute
    python -m benchmarks.bench_dlp --only ours,presidio_peer

Each competitor (``benchmarks/dlp_peers/<name>.py``) runs in its own subprocess, so imports,
caches and allocator state of one tool never touch another. Per competitor we report:

- import and compile (setup) time, tracemalloc peak during setup, RSS growth;
- latency per 4–5 KB agent payload (``perf_counter_ns`` around each call, after warm-up):
  p50, p99, mean, over as many samples as fit in the time budget (the count is reported);
- throughput over 1 MB of clean text (MB/s, median of a few runs);
- the hits on labelled texts (the catalog's cases and the corpus insertions), scored in the
  parent process by ``dlp_score`` over the types each tool shares with us.

Results go to ``benchmarks/results/dlp-<date>.json`` with the machine, Python and library
versions, and a table is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script
    sys.path.insert(0, str(ROOT))

from benchmarks import dlp_corpus, dlp_score  # noqa: E402
from benchmarks.dlp_peers import COMPETITORS  # noqa: E402

SEED = 20261128
FULL: dict[str, Any] = {
    "payloads": 1000,
    "rounds": 3,
    "budget_s": 20.0,
    "min_samples": 100,
    "clean_bytes": 1 << 20,
    "clean_budget_s": 2.0,
    "dense_per_kind": 4,
    "noise_payloads": 200,
    "timeout_s": 300,
}
QUICK: dict[str, Any] = {
    "payloads": 200,
    "rounds": 1,
    "budget_s": 3.0,
    "min_samples": 20,
    "clean_bytes": 1 << 18,
    "clean_budget_s": 0.5,
    "dense_per_kind": 1,
    "noise_payloads": 30,
    "timeout_s": 120,
}
WARMUP = 20

# ---------------------------------------------------------------------------------------------
# Inputs (rebuilt identically in every process from the seed)


def corpus(params: dict[str, Any]) -> dict[str, Any]:
    main = dlp_corpus.payloads(SEED, params["payloads"])
    dense = dlp_corpus.dense_payloads(SEED + 1, params["dense_per_kind"])
    return {
        "payloads": main,
        "accuracy_corpus": dense + main[: params["noise_payloads"]],
        "clean": dlp_corpus.clean_text(SEED + 2, params["clean_bytes"]),
    }


def snapshot_cases() -> list[list[Any]]:
    """The catalog's labelled table (tests/dlp/cases.py) as [detector id, text, spans] rows.

    Taken once by the parent and handed to every worker, so all tools are scored on the same
    cases even if the table changes during a run."""
    try:
        module = importlib.import_module("tests.dlp.cases")
    except ImportError as exc:
        print(f"# no labelled cases: {exc}", file=sys.stderr)
        return []
    return [
        [case.detector_id, case.text, [[int(s), int(e)] for s, e in case.spans]]
        for case in module.CASES
    ]


def case_samples(rows: list[list[Any]]) -> list[dlp_score.Sample]:
    return [
        dlp_score.Sample(tuple((det, s, e) for s, e in spans), scope=det) for det, _t, spans in rows
    ]


def corpus_samples(payloads: list[dlp_corpus.Payload]) -> list[dlp_score.Sample]:
    return [
        dlp_score.Sample(tuple((lab.type, lab.start, lab.end) for lab in p.labels))
        for p in payloads
    ]


# ---------------------------------------------------------------------------------------------
# Worker: one competitor, in its own process


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_rss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _percentile(sorted_ns: list[int], q: float) -> float:
    i = min(len(sorted_ns) - 1, max(0, round(q * (len(sorted_ns) - 1))))
    return sorted_ns[i] / 1000


def _time_payloads(scan: Any, inputs: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    """Every payload in turn, for up to ``rounds`` rounds or until the budget is spent.

    Besides the raw percentiles we report those of each payload's best time over the rounds:
    on a shared machine a preempted call costs a scheduler slice (milliseconds), which says
    nothing about the scanner; the best-of-rounds figures filter that out."""
    for x in inputs[:WARMUP]:
        scan(x)
    per_payload: list[list[int]] = [[] for _ in inputs]
    clock = time.perf_counter_ns
    deadline = time.perf_counter() + params["budget_s"]
    n = 0
    for _ in range(params["rounds"]):
        for i, x in enumerate(inputs):
            t0 = clock()
            scan(x)
            per_payload[i].append(clock() - t0)
            n += 1
            if time.perf_counter() > deadline and n >= params["min_samples"]:
                break
        else:
            continue
        break
    samples = sorted(t for ts in per_payload for t in ts)
    best = sorted(min(ts) for ts in per_payload if ts)
    return {
        "samples": len(samples),
        "payloads": len(best),
        "p50_us": _percentile(samples, 0.50),
        "p99_us": _percentile(samples, 0.99),
        "mean_us": statistics.fmean(samples) / 1000,
        "best_of_rounds_p50_us": _percentile(best, 0.50),
        "best_of_rounds_p99_us": _percentile(best, 0.99),
    }


def _clean_input(mod: Any, scan: Any, clean: str, budget_s: float) -> str:
    """The clean text, or a prefix of it for tools that would need minutes for the whole
    (the throughput of a prefix is reported with its size)."""
    probe = clean[: 1 << 16]
    t0 = time.perf_counter()
    scan(mod.prepare(probe))
    per_char = (time.perf_counter() - t0) / len(probe)
    fits = int(4 * budget_s / per_char) if per_char > 0 else len(clean)
    return clean[: max(len(probe), min(len(clean), fits))]


def _time_clean(scan: Any, prepared: Any, n_bytes: int, budget_s: float) -> dict[str, Any]:
    runs: list[float] = []
    hits: list[Any] = []
    start = time.perf_counter()
    while not runs or (time.perf_counter() - start < budget_s and len(runs) < 7):
        t0 = time.perf_counter()
        hits = scan(prepared)
        runs.append(time.perf_counter() - t0)
    median = statistics.median(runs)
    return {
        "bytes": n_bytes,
        "runs": len(runs),
        "median_s": median,
        "mb_per_s": n_bytes / 1e6 / median,
        "hits": len(hits),
        "hit_types": sorted({str(h[0]) for h in hits}),
    }


def setup_memory(name: str) -> dict[str, Any]:
    """Peak Python allocations while importing and setting up, in a fresh process (a second
    setup in the timing process would hit warm caches). C allocations, such as RE2's or
    Hyperscan's automata, are not seen here: the RSS growth of the timing process covers
    them."""
    mod = importlib.import_module(f"benchmarks.dlp_peers.{name}")
    tracemalloc.start()
    mod.load()
    mod.setup()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if hasattr(mod, "teardown"):
        mod.teardown()
    return {"setup_tracemalloc_peak_kb": peak // 1024}


def worker(name: str, params: dict[str, Any]) -> dict[str, Any]:
    mod = importlib.import_module(f"benchmarks.dlp_peers.{name}")
    data = corpus(params)
    payloads: list[dlp_corpus.Payload] = data["payloads"]
    if mod.INPUT == "json":
        payloads = [p for p in payloads if p.is_json]
    inputs = [mod.prepare(p.text) for p in payloads]

    rss0 = _rss_kb()
    t0 = time.perf_counter()
    versions = mod.load()
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scan = mod.setup()
    compile_s = time.perf_counter() - t0
    rss_setup = _rss_kb() - rss0
    out: dict[str, Any] = {
        "name": name,
        "label": mod.label,
        "input": mod.INPUT,
        "versions": versions,
        "import_s": import_s,
        "compile_s": compile_s,
        "rss_after_setup_kb": rss_setup,
        "payload_bytes_mean": statistics.fmean(len(p.text.encode()) for p in payloads),
        "payload": _time_payloads(scan, inputs, params),
        "type_map": mod.type_map(),
    }
    if mod.INPUT == "text":
        clean = _clean_input(mod, scan, data["clean"], params["clean_budget_s"])
        out["clean"] = _time_clean(
            scan, mod.prepare(clean), len(clean.encode()), params["clean_budget_s"]
        )
    if getattr(mod, "SCORED", mod.INPUT == "text"):
        out["hits"] = {
            "cases": [scan(mod.prepare(text)) for _d, text, _s in params["cases"]],
            "corpus": [scan(mod.prepare(p.text)) for p in data["accuracy_corpus"]],
        }
    out["rss_peak_growth_kb"] = _peak_rss_kb() - rss0
    if hasattr(mod, "info"):
        out["info"] = mod.info()
    if hasattr(mod, "teardown"):
        mod.teardown()
    return out


# ---------------------------------------------------------------------------------------------
# Parent: run every competitor, score, report


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "load_avg_at_start": os.getloadavg(),
    }


def run_competitor(name: str, params: dict[str, Any]) -> dict[str, Any]:
    result = _subprocess(["--worker", name], params)
    if "error" not in result:
        # Tracing a slow compile (Hyperscan's) would double the run for little: C memory.
        slow = result["compile_s"] > 5
        memory = {} if slow else _subprocess(["--memory", name])
        result["setup_tracemalloc_peak_kb"] = memory.get("setup_tracemalloc_peak_kb")
        if "error" in memory:
            result["memory_error"] = memory["error"]
    result.setdefault("name", name)
    return result


def _subprocess(args: list[str], params: dict[str, Any] | None = None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(params or {}, f)
    cmd = [sys.executable, "-m", "benchmarks.bench_dlp", *args, "--params", f.name]
    timeout = (params or {}).get("timeout_s", 120)
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        return {"error": " | ".join(proc.stderr.strip().splitlines()[-5:])}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _catalog_ids() -> set[str]:
    try:
        from renlayer_core.dlp.catalog import CATALOG
    except ImportError:  # the peers alone can still be compared on the corpus
        return set(dlp_corpus.KIND_TYPES)
    return {spec.id for spec in CATALOG}


def accuracy(results: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Each tool on its common types, and ours on the same types, for both label sets."""
    data = corpus(params)
    sets = {
        "cases": case_samples(params["cases"]),
        "corpus": corpus_samples(data["accuracy_corpus"]),
    }
    by_name = {r["name"]: r for r in results if "hits" in r}
    ours = by_name.get("ours")
    catalog = _catalog_ids()
    out: dict[str, Any] = {}
    for name, r in by_name.items():
        out[name] = {}
        for set_name, samples in sets.items():
            if not samples:
                continue
            labelled = {lab[0] for s in samples for lab in s.labels}
            common = dlp_score.common_types(r["type_map"], catalog, labelled)
            tool = dlp_score.score(samples, r["hits"][set_name], r["type_map"], common)
            entry: dict[str, Any] = {"tool": tool.as_dict()}
            if ours is not None and name != "ours":
                mine = dlp_score.score(samples, ours["hits"][set_name], ours["type_map"], common)
                entry["ours_same_types"] = mine.as_dict()
            out[name][set_name] = entry
    return out


def summary(results: list[dict[str, Any]], acc: dict[str, Any]) -> dict[str, Any]:
    by = {r["name"]: r for r in results if "payload" in r}
    s: dict[str, Any] = {}
    ours = by.get("ours")
    if ours is None:
        return s
    p50 = ours["payload"]["p50_us"]
    s["ours_p50_us"] = p50
    s["ours_clean_mb_per_s"] = ours.get("clean", {}).get("mb_per_s")
    if "ours_1thread" in by:  # the large-text gate kept on the calling thread
        s["ours_1thread_clean_mb_per_s"] = by["ours_1thread"].get("clean", {}).get("mb_per_s")
    for name in ("presidio_peer", "detect_secrets_peer", "hyperscan_peer", "ours_naive"):
        if name in by:
            s[f"speedup_p50_vs_{name}"] = by[name]["payload"]["p50_us"] / p50
    if "ours_stream" in by and "ours_redact" in by:
        s["stream_overhead_vs_redact_text"] = (
            by["ours_stream"]["payload"]["p50_us"] / by["ours_redact"]["payload"]["p50_us"]
        )
        s["stream_overhead_vs_scan_text"] = by["ours_stream"]["payload"]["p50_us"] / p50
    s["accuracy_vs_ours"] = {
        name: {
            set_name: {
                "tool": _pr(entry["tool"]),
                "ours": _pr(entry["ours_same_types"]),
                "common_types": len(entry["tool"]["common_types"]),
            }
            for set_name, entry in sets.items()
            if "ours_same_types" in entry
        }
        for name, sets in acc.items()
        if name != "ours"
    }
    presidio = s["accuracy_vs_ours"].get("presidio_peer", {})
    recall_ok = all(
        (v["ours"]["recall"] or 0) >= (v["tool"]["recall"] or 0) for v in presidio.values()
    )
    s["targets"] = {
        "payload_p50_le_30us": p50 <= 30,
        "clean_ge_300_mb_s": (s["ours_clean_mb_per_s"] or 0) >= 300,
        "ge_300x_presidio": s.get("speedup_p50_vs_presidio_peer", 0) >= 300,
        "recall_ge_presidio_on_common_types": bool(presidio) and recall_ok,
        "stream_overhead_le_2x": s.get("stream_overhead_vs_redact_text", 99) <= 2,
    }
    return s


def _pr(score: dict[str, Any]) -> dict[str, Any]:
    o = score["overall"]
    return {"precision": o["precision"], "recall": o["recall"], "n": o["expected"]}


def _fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)


def print_table(results: list[dict[str, Any]], acc: dict[str, Any]) -> None:
    head = f"{'competitor':30} {'p50 µs':>9} {'p99 µs':>9} {'n':>6} {'MB/s':>8} "
    head += f"{'setup s':>8} {'RSS MB':>7}"
    print(head)
    for r in results:
        if "error" in r:
            print(f"{r['name']:30} ERROR {r['error'][:120]}")
            continue
        pay = r["payload"]
        clean = r.get("clean", {})
        print(
            f"{r['label']:30} {pay['p50_us']:9.1f} {pay['p99_us']:9.1f} {pay['samples']:6d} "
            f"{_fmt(clean.get('mb_per_s'), '.3g'):>8} {r['import_s'] + r['compile_s']:8.3f} "
            f"{r['rss_peak_growth_kb'] / 1024:7.1f}"
        )
    print()
    for name, sets in acc.items():
        for set_name, entry in sets.items():
            t = entry["tool"]["overall"]
            line = f"{name:22} {set_name:7} P={_fmt(t['precision'], '.3f')} "
            line += f"R={_fmt(t['recall'], '.3f')} (n={t['expected']})"
            if "ours_same_types" in entry:
                o = entry["ours_same_types"]["overall"]
                line += f" | ours P={_fmt(o['precision'], '.3f')} R={_fmt(o['recall'], '.3f')}"
            print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: small samples")
    ap.add_argument("--only", help="comma-separated competitor module names")
    ap.add_argument("--out", help="results file (default benchmarks/results/dlp-<date>.json)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--memory", help=argparse.SUPPRESS)
    ap.add_argument("--params", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory:
        print(json.dumps(setup_memory(args.memory)))
        return 0
    if args.worker:
        print(json.dumps(worker(args.worker, json.loads(Path(args.params).read_text()))))
        return 0
    params = dict(QUICK if args.quick else FULL)
    params["cases"] = snapshot_cases()
    names = args.only.split(",") if args.only else list(COMPETITORS)
    info = machine()
    results = []
    for name in names:
        t0 = time.perf_counter()
        results.append(run_competitor(name, params))
        print(f"# {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    info["load_avg_at_end"] = os.getloadavg()
    acc = accuracy(results, params)
    report = {
        "benchmark": "dlp",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": info,
        "params": {k: v for k, v in params.items() if k != "cases"},
        "labelled_cases": len(params["cases"]),
        "seed": SEED,
        "summary": summary(results, acc),
        "results": [{k: v for k, v in r.items() if k != "hits"} for r in results],
        "accuracy": acc,
    }
    out = Path(args.out) if args.out else _default_out(args.quick)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    print_table(results, acc)
    print(json.dumps(report["summary"], indent=1))
    print(f"# wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


def _default_out(quick: bool) -> Path:
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    return ROOT / "benchmarks" / "results" / f"dlp-{day}{'-quick' if quick else ''}.json"


if __name__ == "__main__":
    raise SystemExit(main())
