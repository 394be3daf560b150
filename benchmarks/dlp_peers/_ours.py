"""Shared setup for the RenLayer competitors: the full built-in catalog, one scan plan."""

from __future__ import annotations

from typing import Any

FINGERPRINT_KEY = b"renlayer-benchmark-fingerprint-key"


def versions() -> dict[str, str]:
    from importlib.metadata import version

    import renlayer_core.dlp  # noqa: F401

    out = {"google-re2": version("google-re2"), "pyahocorasick": version("pyahocorasick")}
    return out


def type_map() -> dict[str, tuple[str, ...]]:
    """Our own ids map to themselves; generic detectors count for any secret (as for peers)."""
    from renlayer_core.dlp.catalog import CATALOG

    return {spec.id: _mapped(spec.id) for spec in CATALOG}


def _mapped(detector: str) -> tuple[str, ...]:
    return ("secret.*", detector) if detector.startswith("secret.generic") else (detector,)


def config() -> Any:
    from renlayer_core.dlp import DlpConfig

    return DlpConfig.full_catalog()


def plan() -> Any:
    from renlayer_core.dlp import compile_plan

    return compile_plan(config(), fingerprint_key=FINGERPRINT_KEY)
