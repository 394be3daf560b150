"""RenLayer's stream scanner with redaction, fed SSE-sized chunks of 20–200 characters.

Cutting the text into chunks is done outside the timing, seeded by the text, so every run
feeds the same chunks. Compare with ``ours_redact`` (the same work on the whole text)."""

from __future__ import annotations

import random
import zlib

from benchmarks.dlp_corpus import sse_chunks
from benchmarks.dlp_peers import Hit, Scan, _ours

label = "renlayer stream"
INPUT = "text"
SCORED = False  # streamed findings equal whole-text ones (a tested property)
load = _ours.versions
type_map = _ours.type_map


def setup() -> Scan:
    plan = _ours.plan()

    def scan(chunks: list[str]) -> list[Hit]:
        stream = plan.stream(redact=True)
        for chunk in chunks:
            stream.feed(chunk)
        stream.finish()
        return [(f.detector, f.start, f.end) for f in stream.findings]

    return scan


def prepare(text: str) -> list[str]:
    return sse_chunks(random.Random(zlib.crc32(text.encode())), text)
