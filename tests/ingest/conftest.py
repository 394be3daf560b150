"""Fixtures shared by the ingest tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="package", autouse=True)
def _restore_id_generator() -> Iterator[None]:
    """Leave the process-wide ULID generator as found: it never goes back in time, so ids
    minted here would shift the times of ids minted by later test modules (tests/test_ids.py
    pins exact times)."""
    from renlayer_core import ids

    saved = ids._GENERATOR
    ids._GENERATOR = ids._Generator()
    yield
    ids._GENERATOR = saved
