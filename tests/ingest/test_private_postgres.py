"""PostgreSQL stopped under load (a private cluster, never the shared one): the writer spills,
keeps accepting, and once the server is back every trace arrives exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from renlayer_core.ingest import WriterConfig
from renlayer_core.ingest.traces import trace_writer
from renlayer_core.models import TraceRecord
from storage_backends import open_store
from tests.ingest.helpers import TENANT, make_trace, wait_for
from tests.ingest.pg_cluster import PrivateCluster

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    c = PrivateCluster()
    try:
        c.start()
        yield c
    finally:
        c.destroy()


def _stored_ids(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("select id from traces")]


def test_stop_and_start_postgres_under_load_delivers_every_trace_once(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    store = open_store(cluster.url, cursor_key=b"k" * 32, connect_timeout=1.0)
    spill = tmp_path / "t.spill"
    cfg = WriterConfig(
        batch_size=100, max_delay=0.01, max_queue_records=200, retry_initial=0.02, retry_max=0.2
    )
    writer = trace_writer(store.traces.append_traces, spill_path=spill, config=cfg)
    submitted: list[TraceRecord] = []
    stop = threading.Event()

    def load() -> None:
        i = 0
        while not stop.is_set():
            t = make_trace(i, session=f"s{i % 5}")
            writer.submit(t)
            submitted.append(t)
            i += 1
            if i % 50 == 0:
                time.sleep(0.005)

    loader = threading.Thread(target=load)
    loader.start()
    try:
        assert wait_for(lambda: writer.metrics().written >= 500, timeout=20)
        cluster.stop()
        assert wait_for(lambda: not writer.metrics().store_up, timeout=20)
        sizes = []
        for _ in range(4):
            time.sleep(0.25)
            sizes.append(spill.stat().st_size if spill.exists() else 0)
        # Writing went on while the server was down, into the spill file, which grew.
        assert sizes[0] > 0 and sizes == sorted(sizes) and sizes[-1] > sizes[0]
        cluster.start()
        assert wait_for(lambda: writer.metrics().store_up, timeout=30)
    finally:
        stop.set()
        loader.join()
    report = writer.close(timeout=60)
    assert report.clean, report
    assert not spill.exists()
    ids = _stored_ids(cluster.url)
    assert len(ids) == len(set(ids))
    assert set(ids) == {t.id for t in submitted}
    counts = sum(s.trace_count for s in store.traces.list_sessions(TENANT).data)
    assert counts == len(submitted)
    store.close()
