"""Competitors of the DLP benchmark, one module each, all with the same names (msgspec style):

- ``label``: the name in the results table;
- ``TYPE_MAP``: the tool's finding type -> the RenLayer detector ids it corresponds to
  (``secret.*`` marks a generic detector that counts for any secret type);
- ``INPUT``: ``"text"`` (every payload) or ``"json"`` (the JSON payloads only, decoded);
- ``load() -> dict[str, str]``: import the tool, return its version(s) (timed as import);
- ``setup() -> Scan``: build the scanner once (timed as compile);
- ``prepare(text) -> object``: per-input work the benchmark does not time (e.g. cutting a
  text into SSE chunks); ``Scan`` takes what ``prepare`` returned.

Each module imports its tool only inside ``load``/``setup``: the benchmark runs every
competitor in its own subprocess, and the test suite never needs the peers installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (finding type as the tool names it, start, end) in characters of the scanned text.
Hit = tuple[str, int, int]
Scan = Callable[[Any], list[Hit]]

COMPETITORS: tuple[str, ...] = (
    "ours",
    "ours_1thread",
    "ours_json",
    "ours_redact",
    "ours_stream",
    "ours_naive",
    "hyperscan_peer",
    "presidio_peer",
    "detect_secrets_peer",
)
