"""Streaming scan: feed chunks (e.g. SSE deltas of an LLM answer), get back what is safe to
emit, findings with offsets in the whole stream.

Equal to scanning the whole text, for every way of splitting it, because of how the emitted
prefix ends (the cut): the region since the last cut is scanned with the text before it as
context; the cut is placed so that every match starting before it is complete, and never
inside a raw match of any detector (so the detectors' left-to-right scans and the overlap
resolution split cleanly there).

Where the cut may go, per detector (n = characters arrived; every unfinished match starts at
or after the last cut, since everything before it was complete):
- no lead known (keyword-less patterns, custom patterns): n − max_len;
- a lead and a trigger (or keyword) of bounded length, none of which occurs in the region
  (the gate set says so): n − (lead + longest trigger match) — an unfinished match contains
  a trigger match not fully arrived, and starts at most `lead` before it;
- a trigger hit at h in the region (h the first one): max(h − lead, n − max_len) — every
  trigger match of an unfinished match starts at or after h.
So ordinary prose is held back by ~230 characters (the plan's `quiet_hold`), while a PEM
block or JWT in flight is held until its detector's `max_len` has passed its start. Scanning
happens once `quiet_hold + step` characters are pending (`step` defaults to 24 × quiet_hold,
at least MIN_STEP): each character is scanned about (quiet_hold + step) / step times, and
every scan has a fixed cost of Python and RE2 calls, so the step trades CPU for how far
output lags behind input. A caller that paces by time (a proxy relaying a slow LLM stream)
calls `flush()` when the upstream pauses: the lag is then the quiet hold, whatever the step."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

import msgspec

from renlayer_core.dlp import redact as _redact
from renlayer_core.dlp.finding import Finding
from renlayer_core.dlp.resolve import findings_from
from renlayer_core.dlp.rx import iter_spans
from renlayer_core.dlp.scan import Candidates, find_candidates
from renlayer_core.dlp.textcodec import char_to_byte, clean
from renlayer_core.errors import InvalidInput

if TYPE_CHECKING:
    from renlayer_core.dlp.plan import ScanPlan

MIN_STEP = 512


class StreamScanner:
    def __init__(
        self, plan: ScanPlan, redact: bool, actions: frozenset[str], step: int | None
    ) -> None:
        self._plan = plan
        self._redact = redact
        self._actions = actions
        self._styles = plan.styles
        self._hold = plan.quiet_hold
        self._keep = plan.context_reach
        if step is not None and step < 1:
            raise InvalidInput("a stream's scan step must be at least 1 character")
        # Each scan covers hold + step characters and advances by about step; every scan also
        # has a fixed cost (~10 µs of Python and RE2 calls: an RE2 set call alone costs ~2 µs
        # before it reads a byte). Measured on 4.5 kB payloads in 20–200-character chunks
        # (stream / redact_text, p50): step 4 × hold 2.7×, 8 × 2.0×, 12 × 1.7×, 16 × 1.75×;
        # after whole-text scans got cheaper (card issuer prefixes, 2026-11-29): 4 × 3.4×,
        # 8 × 2.5×, 12 × 1.9×, 16 × 2.0×, and 20 × 1.6× only because a 4.5 kB payload then
        # fits in one scan. Each further scan costs ~8 µs, a third of it the gate's floor.
        # Later the same day, 4.5 kB / 22 kB streams: 12 × 2.13× / 1.23×, 16 × 2.03× / 1.14×,
        # 24 × 1.44× / 1.14×, 32 × 1.46× / 1.09×. 24 ×: a stream up to ~5.8 kB is one scan,
        # and a long one rescans a character ~1.04 times; the price is lag for a caller that
        # never calls flush() (~5.8 kB instead of ~3 kB). Latency-sensitive callers use
        # flush() rather than a small step.
        self.step = step if step is not None else max(self._hold * 24, MIN_STEP)
        self._buf = ""  # text from absolute offset _base on; _base ≤ _final
        # Chunks not yet joined into _buf: appending to a long str on every small chunk
        # would copy the whole buffer each time. A finished stream swaps in a list that
        # refuses more, so feed() needs no check of its own.
        self._parts: list[str] = []
        self._base = 0
        self._final = 0  # output emitted and findings final before this offset
        self._due = self._hold + self.step  # pending characters that trigger a scan
        # Characters still to arrive before the next scan, and the limit on what is kept:
        # feed() runs once per SSE delta (often a few characters), so it only counts.
        self._until = min(self._due, plan.limits.max_chars + 1)
        self._max_chars = plan.limits.max_chars
        # Made on first use: most streams are fed str, and making one costs ~1 µs.
        self._decoder: codecs.IncrementalDecoder | None = None
        self._closed = False
        self.findings: list[Finding] = []

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the output that can no longer change ('' while holding)."""
        # Called once per SSE delta, often for a few characters: three attribute operations
        # unless a scan is due (measured ≈ 0.47 → 0.18 µs a call).
        self._parts.append(chunk)
        self._until -= len(chunk)
        if self._until > 0:
            return ""
        return self._scan()

    def flush(self) -> str:
        """Scan now, whatever the step, and return what can no longer change. For a caller
        that paces output by time: a proxy relaying a slow LLM stream calls this when the
        upstream pauses (or every ~100 ms), so a reader waits for at most the quiet hold, not
        for `step` more characters. Output and findings stay exactly those of the whole text."""
        if self._closed:
            raise InvalidInput("the stream is already finished")
        self._join()
        if self._pending() <= self._hold:
            return ""  # nothing could be released: skip the scan
        return self._scan()

    def _join(self) -> None:
        if self._parts:
            self._buf += "".join(self._parts)
            self._parts.clear()

    def _scan(self) -> str:
        self._join()
        if len(self._buf) > self._max_chars:
            self._plan.limits.check_chars(len(self._buf))
        out = self._advance(final=False)
        # At least step / 2 new characters before the next scan: while a long secret is in
        # flight most of the text stays pending, and rescanning it on every chunk would cost
        # O(max_len² / chunk). The countdown also stops at the size limit, so feed's common
        # path only counts.
        room = self._max_chars - len(self._buf) + 1
        self._until = min(max(self._due - self._pending(), self.step // 2), room)
        return out

    def feed_bytes(self, chunk: bytes) -> str:
        """Bytes chunks may split a UTF-8 sequence; invalid bytes become U+FFFD."""
        if self._decoder is None:
            self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        return self.feed(self._decoder.decode(chunk))

    def finish(self) -> str:
        """End of stream: scan and return everything still held."""
        if self._decoder is not None:
            tail = self._decoder.decode(b"", final=True)
            if tail:
                self.feed(tail)
        if self._closed:
            raise InvalidInput("the stream is already finished")
        self._join()
        out = self._advance(final=True)
        self._closed = True
        self._parts = _Finished()
        return out

    def _pending(self) -> int:
        return self._base + len(self._buf) - self._final  # after _join()

    def _advance(self, final: bool) -> str:
        text, data = clean(self._buf)
        start = self._final - self._base
        cands = find_candidates(self._plan.matcher, text, data, start)
        cut = (
            len(text) if final else _safe_cut(self._bound(text, data, start, cands), cands.matches)
        )
        if cut <= start:
            self._due = 2 * self._pending()  # a long run of overlapping matches: back off
            return ""
        self._due = self._hold + self.step
        out = self._buf[start:cut]
        # Most scans of prose have no candidate: skip the per-scan Python below (each scan
        # has a fixed cost, and a 4.5 kB stream is scanned about twice).
        if cands.items:
            items = [c for c, m in zip(cands.items, cands.spans, strict=True) if m[0] < cut]
            plan = self._plan
            found = [
                _shift(f, self._base)
                for f in findings_from(plan.rules, text, items, plan.key, plan.allow)
            ]
            if found:
                self.findings += found
                plan.limits.check_findings(len(self.findings))
                if self._redact:
                    out = _redact.apply(out, found, self._styles, self._actions, self._final)
        self._final = self._base + cut
        drop = max(0, cut - self._keep)
        self._buf = self._buf[drop:]
        self._base += drop
        return out

    def _bound(self, text: str, data: bytes, start: int, cands: Candidates) -> int:
        """The furthest cut that leaves no unfinished match before it (see module doc)."""
        n = len(text)
        bound = n - self._hold
        matcher = self._plan.matcher
        bstart = -1
        for index in cands.gated:
            rule = matcher.rules[index]
            found = matcher.keyword_res.get(index)
            if rule.lead is None or found is None:
                continue  # its max_len is within the quiet hold, or it has no trigger
            if bstart < 0:
                bstart = start if len(data) == n else char_to_byte(text, start)
            hit = next(iter_spans(found[0], data, bstart, len(data)), None)
            if hit is not None:
                at = hit[0][0] if len(data) == n else len(data[: hit[0][0]].decode("utf-8"))
                bound = min(bound, max(at - rule.lead, n - rule.max_len))
        return bound


class _Finished(list[str]):
    """The chunk list of a finished stream: feeding it is an error."""

    def append(self, _chunk: str) -> None:
        raise InvalidInput("the stream is already finished")


def _safe_cut(cut: int, matches: list[tuple[int, int]]) -> int:
    """Move `cut` left until no raw match straddles it."""
    for start, end in sorted(matches, key=lambda m: -m[1]):
        if start < cut < end:
            cut = start
    return cut


def _shift(f: Finding, by: int) -> Finding:
    return f if by == 0 else msgspec.structs.replace(f, start=f.start + by, end=f.end + by)
