"""A small pytest-benchmark slice of bench_storage.py, out of the default run.

    pytest benchmarks/test_bench_storage.py --benchmark-enable

(testpaths is ``tests``, and ``--benchmark-disable`` is the default, so plain ``pytest`` never
times anything here.)
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bench_storage as bench
from renlayer_core.storage import TraceFilter
from storage_backends import open_store

N = 10_000


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Any]:
    store = open_store(f"sqlite:///{tmp_path / 'b.db'}", cursor_key=secrets.token_bytes(32))
    yield store
    store.close()


def test_ingest_10k_traces_into_sqlite(benchmark: Any, tmp_path: Path) -> None:
    shape = bench.make_shape(random.Random(1))
    batches = list(bench.generate(shape, N, seed=1))
    stores: list[Any] = []

    def setup() -> tuple[tuple[Any], dict[str, Any]]:
        path = tmp_path / f"i{len(stores)}.db"
        store = open_store(f"sqlite:///{path}", cursor_key=b"k" * 32)
        stores.append(store)
        return (store,), {}

    def ingest(store: Any) -> None:
        for batch in batches:
            store.traces.append_traces(batch)

    benchmark.pedantic(ingest, setup=setup, rounds=3, iterations=1)
    count = sum(1 for _ in stores[0].traces.iter_traces(shape.tenant))
    for s in stores:
        s.close()
    assert count == N


def test_filtered_page_fetch_from_sqlite(benchmark: Any, sqlite_store: Any) -> None:
    shape = bench.make_shape(random.Random(2))
    for batch in bench.generate(shape, N, seed=2):
        sqlite_store.traces.append_traces(batch)
    agent = shape.agents[0]

    def fetch() -> int:
        page = sqlite_store.traces.list(shape.tenant, TraceFilter(agent_id=agent), limit=50)
        return len(page.data)

    rows = benchmark(fetch)
    assert rows == 50
