"""Render a DLP benchmark results file as the Markdown tables of docs/benchmarks-dlp.md.

python -m benchmarks.dlp_report benchmarks/results/dlp-2026-11-28.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _f(x: float | None, spec: str = ".1f") -> str:
    return "–" if x is None else format(x, spec)


def _mb(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.1f}"


def speed_table(report: dict[str, Any]) -> str:
    rows = [
        "| competitor | p50 µs / payload | p99 µs | p99 µs best-of-rounds | samples "
        "| MB/s (clean) | clean size "
        "| import s | compile s | setup alloc MB | RSS growth MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        if "error" in r:
            rows.append(f"| {r['name']} | error: {r['error'][:80]} ||||||||||")
            continue
        pay, clean = r["payload"], r.get("clean", {})
        size = f"{clean['bytes'] / 1024:.0f} KB" if clean else "–"
        rows.append(
            f"| {r['label']} | {pay['p50_us']:.1f} | {pay['p99_us']:.1f} "
            f"| {pay['best_of_rounds_p99_us']:.1f} | {pay['samples']} "
            f"| {_f(clean.get('mb_per_s'), '.3g')} | {size} | {r['import_s']:.3f} "
            f"| {r['compile_s']:.3f} | {_mb(r['setup_tracemalloc_peak_kb'])} "
            f"| {r['rss_peak_growth_kb'] / 1024:.1f} |"
        )
    return "\n".join(rows)


def accuracy_table(report: dict[str, Any]) -> str:
    rows = [
        "| tool | label set | common types | n | tool P | tool R | ours P | ours R |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, sets in report["accuracy"].items():
        for set_name, entry in sets.items():
            t = entry["tool"]
            o = entry.get("ours_same_types", t)
            rows.append(
                f"| {name} | {set_name} | {len(t['common_types'])} | {t['overall']['expected']} "
                f"| {_f(t['overall']['precision'], '.3f')} | {_f(t['overall']['recall'], '.3f')} "
                f"| {_f(o['overall']['precision'], '.3f')} | {_f(o['overall']['recall'], '.3f')} |"
            )
    return "\n".join(rows)


def per_type_table(report: dict[str, Any], name: str, set_name: str) -> str:
    entry = report["accuracy"].get(name, {}).get(set_name)
    if entry is None:
        return ""
    rows = [
        f"| type ({name}, {set_name}) | n | tool P | tool R | ours P | ours R |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    ours = entry.get("ours_same_types", entry["tool"])["per_type"]
    for t, v in entry["tool"]["per_type"].items():
        o = ours.get(t, {})
        rows.append(
            f"| {t} | {v['expected']} | {_f(v['precision'], '.2f')} | {_f(v['recall'], '.2f')} "
            f"| {_f(o.get('precision'), '.2f')} | {_f(o.get('recall'), '.2f')} |"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    report = json.loads(Path(argv[0]).read_text())
    m = report["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {report['date']}\n")
    print(speed_table(report) + "\n")
    print(accuracy_table(report) + "\n")
    for name in report["accuracy"]:
        for set_name in ("cases", "corpus"):
            table = per_type_table(report, name, set_name)
            if table:
                print(table + "\n")
    print("```json\n" + json.dumps(report["summary"], indent=1) + "\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
