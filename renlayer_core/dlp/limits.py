"""Bounds on what one scan accepts, so no input can take unbounded time or memory. Exceeding
one is an error with a stable code — never a silent partial scan (a partial scan would let a
secret through)."""

from __future__ import annotations

from dataclasses import dataclass

from renlayer_core.errors import PayloadTooLarge


@dataclass(frozen=True, slots=True)
class Limits:
    # Characters in one text, or in all strings of one JSON document together.
    max_chars: int = 16 * 1024 * 1024
    # Nesting of JSON arrays/objects (the root is depth 0).
    max_depth: int = 64
    # Strings, keys and numbers scanned in one JSON document.
    max_leaves: int = 1_000_000
    # Findings reported by one scan (after overlap resolution).
    max_findings: int = 10_000

    def check_chars(self, n: int) -> None:
        if n > self.max_chars:
            raise PayloadTooLarge(
                f"payload of {n} characters is larger than the scan limit of {self.max_chars}"
            )

    def check_bytes(self, n: int) -> None:
        """Before decoding: more bytes than any text within the limit can take in UTF-8
        (4 per character) is refused unread; otherwise the decoded text is checked."""
        if n > 4 * self.max_chars:
            raise PayloadTooLarge(
                f"payload of {n} bytes is larger than the scan limit of {self.max_chars} characters"
            )

    def check_findings(self, n: int) -> None:
        if n > self.max_findings:
            raise PayloadTooLarge(
                f"payload has more than {self.max_findings} findings, the scan limit"
            )
