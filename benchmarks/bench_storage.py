"""Storage benchmark: trace ingest, filtered list pages at scale, and NDJSON export.

Per backend (SQLite file, PostgreSQL in a fresh schema dropped afterwards, memory for
reference), one process, only the public API (``open_store``, ``store.traces``, the
write-behind writer):

* ingest rate: direct ``append_traces`` in the writer's batches (``WriterConfig().batch_size``;
  the whole data set), and through the ``WriteBehindWriter`` (a sample, submit latency
  included);
* list-page latency at N traces: p50/p99 over page fetches with filters (agent_id, code,
  from/to, agent+code, none), each query followed through its cursors;
* NDJSON export: ``iter_traces`` + msgspec JSON lines to /dev/null, traces/s, and the peak RSS
  growth during the export (VmHWM reset through /proc/self/clear_refs, plus a sampler).

Usage::

    python benchmarks/bench_storage.py [--traces 1000000] [--backends sqlite,postgresql,memory]
                                       [--quick] [--out FILE]

Targets (reported, not asserted): ingest ≥ 50,000/s on SQLite and ≥ 20,000/s on PostgreSQL;
list page p50 ≤ 5 ms at 1M; export ≥ 100,000/s with peak RSS growth ≤ 50 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402

from renlayer_core.ids import encode_int  # noqa: E402
from renlayer_core.ingest import WriterConfig  # noqa: E402
from renlayer_core.ingest.traces import trace_writer  # noqa: E402
from renlayer_core.models import (  # noqa: E402
    TraceAction,
    TraceDecision,
    TraceFinding,
    TraceRecord,
)
from renlayer_core.storage import TraceFilter  # noqa: E402
from storage_backends import open_store  # noqa: E402

PG_URL = os.environ.get("RENLAYER_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TARGETS = {
    "ingest_sqlite_per_s": 50_000,
    "ingest_postgresql_per_s": 20_000,
    "list_p50_ms": 5.0,
    "export_per_s": 100_000,
    "export_rss_growth_mb": 50.0,
}
BATCH = WriterConfig().batch_size  # direct ingest sends the batches the writer sends
DAY_MS = 86_400_000
BASE_MS = 1_780_000_000_000
CODES = (
    ("allowed", "allow", 80),
    ("policy_denied", "deny", 10),
    ("dlp_blocked", "deny", 5),
    ("default_denied", "deny", 5),
)


# -- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    tenant: str
    agents: tuple[str, ...]
    upstreams: tuple[str, ...]
    span_ms: int = 30 * DAY_MS
    # Sessions are short and concurrent: in each window of 500 traces, 50 sessions of ~10
    # traces each (so every batch opens ~50 new sessions; n/10 sessions in all).
    window: int = 500
    concurrent_sessions: int = 50


def make_shape(rng: random.Random) -> Shape:
    def ident(prefix: str) -> str:
        return f"{prefix}_{encode_int((BASE_MS << 80) | rng.getrandbits(79))}"

    return Shape(
        tenant=ident("ten"),
        agents=tuple(ident("agent") for _ in range(50)),
        upstreams=tuple(f"upstream-{i}" for i in range(10)),
    )


def generate(shape: Shape, n: int, seed: int) -> Iterator[list[TraceRecord]]:
    """``n`` traces in time order over ``span_ms``, in batches; ids carry their timestamp."""
    rng = random.Random(seed)
    codes = [c for c, _, w in CODES for _ in range(w)]
    effect = {c: e for c, e, _ in CODES}
    step = max(1, shape.span_ms // max(n, 1))
    batch: list[TraceRecord] = []
    for i in range(n):
        ts = BASE_MS + i * step
        code = rng.choice(codes)
        findings: tuple[TraceFinding, ...] = ()
        if code == "dlp_blocked" or rng.random() < 0.03:
            findings = (
                TraceFinding(
                    detector="secret.aws_access_key",
                    category="secret",
                    location="request.body",
                    path="$.config.key",
                    start=10,
                    end=30,
                    action="block" if code == "dlp_blocked" else "log",
                    preview="AKIA************MPLE",
                    fingerprint=f"{rng.getrandbits(64):016x}",
                ),
            )
        batch.append(
            TraceRecord(
                id=f"trace_{encode_int((ts << 80) | rng.getrandbits(79))}",
                tenant_id=shape.tenant,
                agent_id=rng.choice(shape.agents),
                key_id=None,
                session_external_id=(
                    f"session-{i // shape.window}-{rng.randrange(shape.concurrent_sessions)}"
                ),
                timestamp=ts,
                action=TraceAction(
                    kind="llm",
                    upstream=rng.choice(shape.upstreams),
                    method="POST",
                    host="api.openai.com",
                    path="/v1/chat/completions",
                    model="gpt-4o",
                ),
                decision=TraceDecision(
                    effect=effect[code],  # type: ignore[arg-type]
                    code=code,
                    policy_id=None,
                    reason=None if code == "allowed" else "blocked by policy",
                ),
                findings=findings,
                upstream_status=200 if code == "allowed" else None,
                request_bytes=rng.randrange(200, 4000),
                response_bytes=rng.randrange(0, 20000),
                enforcement_us=rng.randrange(20, 400),
                upstream_ms=rng.randrange(100, 3000) if code == "allowed" else None,
            )
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# -- measuring ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


@contextmanager
def rss_watch() -> Iterator[dict[str, float]]:
    """Peak RSS growth (MB) over the block: VmHWM after resetting it, and a 5 ms sampler."""
    out: dict[str, float] = {}
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        hwm_reset = True
    except OSError:
        hwm_reset = False
    before = _status_kb("VmRSS")
    peak = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], _status_kb("VmRSS"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield out
    finally:
        stop.set()
        sampler.join()
        hwm = _status_kb("VmHWM") if hwm_reset else peak[0]
        out["rss_before_mb"] = before / 1024
        out["peak_rss_growth_mb"] = (max(hwm, peak[0]) - before) / 1024
        out["hwm_reset"] = float(hwm_reset)


def bench_direct_ingest(store: Any, shape: Shape, n: int) -> dict[str, Any]:
    spent = 0.0
    count = 0
    for batch in generate(shape, n, seed=1):
        t0 = time.perf_counter()
        store.traces.append_traces(batch)
        spent += time.perf_counter() - t0
        count += len(batch)
        if count % 100_000 == 0:
            print(f"    ingested {count:,} ({count / spent:,.0f}/s)", flush=True)
    return {"traces": count, "seconds": spent, "per_s": count / spent, "batch": BATCH}


def bench_writer_ingest(
    store: Any, n: int, spill_dir: Path, *, bounded: bool, seed: int
) -> dict[str, Any]:
    """A burst of ``n`` submits, then ``close``. ``bounded``: the default 10k memory bound, so
    most of a burst spills to disk and is replayed (the outage path under load); otherwise a
    bound above ``n`` (the writer's cost when memory suffices)."""
    shape = make_shape(random.Random(seed))
    records = [r for batch in generate(shape, n, seed=seed) for r in batch]
    cfg = WriterConfig(batch_size=BATCH, max_delay=0.05)
    if not bounded:
        cfg = WriterConfig(
            batch_size=BATCH, max_delay=0.05, max_queue_records=n + 1, max_queue_bytes=1 << 40
        )
    writer = trace_writer(
        store.traces.append_traces, spill_path=spill_dir / "bench.spill", config=cfg
    )
    samples: list[float] = []
    t0 = time.perf_counter()
    for i, rec in enumerate(records):
        if i % 50 == 0:
            s0 = time.perf_counter()
            writer.submit(rec)
            samples.append((time.perf_counter() - s0) * 1e6)
        else:
            writer.submit(rec)
    submitted_at = time.perf_counter() - t0
    report = writer.close(timeout=600)
    total = time.perf_counter() - t0
    m = writer.metrics()
    return {
        "traces": n,
        "seconds": total,
        "per_s": n / total,
        "submit_phase_seconds": submitted_at,
        "submit_us_p50": percentile(samples, 50),
        "submit_us_p99": percentile(samples, 99),
        "submit_us_max": max(samples) if samples else 0.0,
        "spilled": m.spilled,
        "batches": m.batches,
        "clean_close": report.clean,
        "config": {
            "batch_size": cfg.batch_size,
            "max_delay_s": cfg.max_delay,
            "max_queue_records": cfg.max_queue_records,
        },
    }


def bench_writer_ceiling(n: int, spill_dir: Path) -> dict[str, Any]:
    """The writer alone, into a sink that does nothing: its own cost per trace (encode, queue,
    batch, hand-off), i.e. the ceiling it puts on any backend."""
    records = [r for batch in generate(make_shape(random.Random(5)), n, seed=5) for r in batch]
    writer = trace_writer(lambda batch: None, spill_path=spill_dir / "ceiling.spill")
    t0 = time.perf_counter()
    for rec in records:
        writer.submit(rec)
    submit_s = time.perf_counter() - t0
    report = writer.close(timeout=120)
    total = time.perf_counter() - t0
    return {
        "traces": n,
        "submit_per_s": n / submit_s,
        "end_to_end_per_s": n / total,
        "spilled": writer.metrics().spilled,
        "clean_close": report.clean,
    }


def bench_list(store: Any, shape: Shape, n: int, fetches: int) -> dict[str, Any]:
    rng = random.Random(3)
    step = max(1, shape.span_ms // max(n, 1))
    end_ms = BASE_MS + n * step

    def window() -> TraceFilter:
        start = rng.randrange(BASE_MS, max(BASE_MS + 1, end_ms - DAY_MS))
        return TraceFilter(from_ms=start, to_ms=start + DAY_MS)

    kinds: dict[str, Callable[[], TraceFilter]] = {
        "agent_id": lambda: TraceFilter(agent_id=rng.choice(shape.agents)),
        "code": lambda: TraceFilter(code="dlp_blocked"),
        "from_to": window,
        "agent_id+code": lambda: TraceFilter(
            agent_id=rng.choice(shape.agents), code="policy_denied"
        ),
        "none": TraceFilter,
    }
    per_kind: dict[str, list[float]] = {k: [] for k in kinds}
    rows: dict[str, int] = {k: 0 for k in kinds}
    done = 0
    names = list(kinds)
    while done < fetches:
        kind = names[(done // 5) % len(names)]
        filt = kinds[kind]()
        cursor = None
        for _ in range(5):  # the first page and four more through the cursor
            t0 = time.perf_counter()
            page = store.traces.list(shape.tenant, filt, limit=50, cursor=cursor)
            per_kind[kind].append((time.perf_counter() - t0) * 1000)
            rows[kind] += len(page.data)
            done += 1
            cursor = page.next_cursor
            if cursor is None or done >= fetches:
                break
    every = [v for vs in per_kind.values() for v in vs]
    return {
        "fetches": len(every),
        "limit": 50,
        "p50_ms": percentile(every, 50),
        "p99_ms": percentile(every, 99),
        "mean_ms": statistics.fmean(every),
        "by_filter": {
            k: {
                "fetches": len(v),
                "p50_ms": percentile(v, 50),
                "p99_ms": percentile(v, 99),
                "rows": rows[k],
            }
            for k, v in per_kind.items()
        },
    }


def export_in_child(info: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Export from a fresh process: RSS growth is then not hidden by memory the ingest
    phase freed (CPython reuses its arenas), and nothing else runs in the process."""
    cmd = [sys.executable, __file__, "--export-child", info["url"], info.get("schema", ""), tenant]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["fresh_process"] = True
    return result


def export_child(url: str, schema: str, tenant: str) -> None:
    options: dict[str, Any] = {"schema": schema} if schema else {}
    store = open_store(url, cursor_key=secrets.token_bytes(32), migrate=False, **options)
    try:
        print(json.dumps(bench_export(store, tenant)))
    finally:
        store.close()


def bench_export(store: Any, tenant: str) -> dict[str, Any]:
    enc = msgspec.json.Encoder()
    buf = bytearray()
    count = 0
    with open(os.devnull, "wb") as sink, rss_watch() as rss:
        t0 = time.perf_counter()
        for rec in store.traces.iter_traces(tenant, TraceFilter(), chunk_size=1000):
            enc.encode_into(rec, buf, len(buf))
            buf.extend(b"\n")
            count += 1
            if len(buf) >= 1 << 20:
                sink.write(buf)
                buf.clear()
        buf.extend(enc.encode({"type": "end", "count": count}) + b"\n")
        sink.write(buf)
        seconds = time.perf_counter() - t0
    return {"traces": count, "seconds": seconds, "per_s": count / seconds, **rss}


# -- backends -----------------------------------------------------------------------------


@contextmanager
def open_backend(name: str, workdir: Path) -> Iterator[tuple[Any, dict[str, Any]]]:
    key = secrets.token_bytes(32)
    if name == "memory":
        store = open_store("memory://", cursor_key=key)
        yield store, {}
        store.close()
    elif name == "sqlite":
        path = workdir / "bench.db"
        url = f"sqlite:///{path}"
        store = open_store(url, cursor_key=key)
        try:
            yield store, {"path": str(path), "url": url}
        finally:
            store.close()
            info_size = sum(p.stat().st_size for p in workdir.glob("bench.db*"))
            print(f"    sqlite files: {info_size / 1e6:,.0f} MB")
    elif name == "postgresql":
        import psycopg

        schema = "bench_" + secrets.token_hex(6)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        try:
            store = open_store(PG_URL, cursor_key=key, schema=schema)
            try:
                yield store, {"url": PG_URL, "schema": schema, "server_version": version}
            finally:
                store.close()
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    else:
        raise SystemExit(f"unknown backend {name!r}: expected sqlite, postgresql or memory")


def run_backend(name: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    if name == "memory":
        n = min(n, args.memory_traces)
    shape = make_shape(random.Random(11))
    with (
        tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp,
        open_backend(name, Path(tmp)) as (store, info),
    ):
        print(f"[{name}] direct ingest of {n:,} traces", flush=True)
        direct = bench_direct_ingest(store, shape, n)
        w = min(n, args.writer_traces)
        print(f"[{name}] writer ingest of {w:,} traces (other tenants)", flush=True)
        via_writer = bench_writer_ingest(store, w, Path(tmp), bounded=True, seed=7)
        unbounded = bench_writer_ingest(store, w, Path(tmp), bounded=False, seed=8)
        print(f"[{name}] list pages", flush=True)
        listing = bench_list(store, shape, n, args.fetches)
        print(f"[{name}] NDJSON export of {n:,} traces", flush=True)
        export = (
            export_in_child(info, shape.tenant)
            if "url" in info
            else bench_export(store, shape.tenant)
        )
    return {
        "traces": n,
        "backend": info,
        "ingest_direct": direct,
        "ingest_writer": via_writer,
        "ingest_writer_unbounded": unbounded,
        "list": listing,
        "export": export,
    }


# -- report -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import sqlite3

    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if "model name" in ln), "")
    except OSError:
        pass
    versions: dict[str, str] = {
        "python": sys.version.split()[0],
        "msgspec": msgspec.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import psycopg

        versions["psycopg"] = psycopg.__version__
    except ImportError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_avg_start": os.getloadavg(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "versions": versions,
        "commit": commit,
    }


def verdicts(name: str, r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ingest_target = TARGETS.get(f"ingest_{name}_per_s")
    if ingest_target:
        out["ingest_direct"] = r["ingest_direct"]["per_s"] >= ingest_target
        out["ingest_writer"] = r["ingest_writer"]["per_s"] >= ingest_target
        out["ingest_writer_unbounded"] = r["ingest_writer_unbounded"]["per_s"] >= ingest_target
    if name != "memory":
        out["list_p50"] = r["list"]["p50_ms"] <= TARGETS["list_p50_ms"]
        out["export_rate"] = r["export"]["per_s"] >= TARGETS["export_per_s"]
        out["export_rss"] = r["export"]["peak_rss_growth_mb"] <= TARGETS["export_rss_growth_mb"]
    return out


def summary(results: dict[str, Any]) -> str:
    lines = [
        f"{'backend':<11}{'traces':>10}{'direct/s':>11}{'writer/s':>11}{'w-unb/s':>10}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'export/s':>11}{'RSS+ MB':>9}"
    ]
    for name, r in results.items():
        lines.append(
            f"{name:<11}{r['traces']:>10,}{r['ingest_direct']['per_s']:>11,.0f}"
            f"{r['ingest_writer']['per_s']:>11,.0f}"
            f"{r['ingest_writer_unbounded']['per_s']:>10,.0f}{r['list']['p50_ms']:>9.2f}"
            f"{r['list']['p99_ms']:>9.2f}{r['export']['per_s']:>11,.0f}"
            f"{r['export']['peak_rss_growth_mb']:>9.1f}"
        )
    return "\n".join(lines)


def markdown(doc: dict[str, Any]) -> str:
    """Render a results file as the tables of docs/benchmarks-storage.md."""
    t = doc["targets"]
    ok = {True: "✅", False: "❌"}
    out = [
        "| backend | traces | direct append_traces/s | writer (burst, 10k bound)/s "
        "| writer (no bound)/s | submit p50/p99/max µs | spilled in burst |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in doc["results"].items():
        w, u, d = r["ingest_writer"], r["ingest_writer_unbounded"], r["ingest_direct"]
        target = t.get(f"ingest_{name}_per_s")

        def mark(v: float, target: float | None = target) -> str:
            return f" {ok[v >= target]}" if target else ""

        out.append(
            f"| {name} | {r['traces']:,} | {d['per_s']:,.0f}{mark(d['per_s'])} "
            f"| {w['per_s']:,.0f}{mark(w['per_s'])} | {u['per_s']:,.0f}{mark(u['per_s'])} "
            f"| {w['submit_us_p50']:.1f} / {w['submit_us_p99']:.1f} / {w['submit_us_max']:,.0f} "
            f"| {w['spilled']:,} of {w['traces']:,} |"
        )
    out += [
        "",
        "| backend | list p50 ms | list p99 ms | by filter: p50 / p99 ms "
        "| export traces/s | export peak RSS growth MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in doc["results"].items():
        lst, e = r["list"], r["export"]
        by = "; ".join(
            f"{k} {v['p50_ms']:.2f} / {v['p99_ms']:.2f}" for k, v in lst["by_filter"].items()
        )
        out.append(
            f"| {name} | {lst['p50_ms']:.2f} {ok[lst['p50_ms'] <= t['list_p50_ms']]} "
            f"| {lst['p99_ms']:.2f} | {by} "
            f"| {e['per_s']:,.0f} {ok[e['per_s'] >= t['export_per_s']]} "
            f"| {e['peak_rss_growth_mb']:.1f} "
            f"{ok[e['peak_rss_growth_mb'] <= t['export_rss_growth_mb']]} |"
        )
    c = doc.get("writer_ceiling")
    if c:
        out += [
            "",
            f"Writer alone into a no-op sink: {c['end_to_end_per_s']:,.0f} traces/s "
            f"({c['traces']:,} traces).",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--export-child"]:
        export_child(*argv[1:4])
        return 0
    if argv[:1] == ["--markdown"]:
        print(markdown(json.loads(Path(argv[1]).read_text())))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--traces", type=int, default=1_000_000)
    ap.add_argument("--backends", default="sqlite,postgresql,memory")
    ap.add_argument("--quick", action="store_true", help="20k traces, 50 page fetches")
    ap.add_argument("--fetches", type=int, default=200)
    ap.add_argument("--writer-traces", type=int, default=100_000)
    # The memory backend is a reference, not a target (lists scan every row): kept small.
    ap.add_argument("--memory-traces", type=int, default=20_000)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.quick:
        args.traces, args.fetches = min(args.traces, 20_000), min(args.fetches, 50)
    info = machine()
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        ceiling = bench_writer_ceiling(min(args.traces, args.writer_traces), Path(tmp))
    print(f"writer ceiling (no-op sink): {ceiling['end_to_end_per_s']:,.0f} traces/s", flush=True)
    results: dict[str, Any] = {}
    for name in [b.strip() for b in args.backends.split(",") if b.strip()]:
        results[name] = run_backend(name, args.traces, args)
        results[name]["meets_targets"] = verdicts(name, results[name])
    doc = {
        "benchmark": "storage",
        "quick": args.quick,
        "machine": info,
        "note": "2 cores shared with other agents' work: expect ±20% run to run; "
        "load average at start and end is recorded.",
        "targets": TARGETS,
        "writer_ceiling": ceiling,
        "results": results,
        "load_avg_end": os.getloadavg(),
    }
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    out = args.out or ROOT / "benchmarks" / "results" / (
        "storage-quick.json" if args.quick else f"storage-{stamp}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(summary(results))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
