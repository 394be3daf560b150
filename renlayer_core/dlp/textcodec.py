"""Text ↔ UTF-8 bytes for scanning, with offsets.

RE2 runs over UTF-8 bytes; findings speak in characters. ASCII text (checked in C by
`len(data) == len(text)`) needs no mapping; other text maps only the offsets that findings
use. Lone surrogates (legal in a Python str, e.g. from JSON `"\\ud800"`, but not encodable)
become U+FFFD before scanning — one character for one, so offsets are unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> tuple[str, bytes]:
    """(text with lone surrogates replaced, its UTF-8 bytes)."""
    try:
        return text, text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE.sub(REPLACEMENT, text)
        return text, text.encode("utf-8")


def decode_input(data: bytes) -> str:
    """Bytes from the outside world: invalid UTF-8 sequences become U+FFFD, so one bad byte
    cannot hide the rest of a payload from the scanner (offsets are in the decoded text)."""
    return data.decode("utf-8", "replace")


def char_to_byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def byte_to_char_map(data: bytes, offsets: Iterable[int]) -> dict[int, int]:
    """Character offset of each byte offset (each on a character boundary), in one pass."""
    out: dict[int, int] = {}
    prev_b = prev_c = 0
    for b in sorted(set(offsets)):
        prev_c += len(data[prev_b:b].decode("utf-8"))
        prev_b = b
        out[b] = prev_c
    return out


def snap_back(data: bytes, pos: int) -> int:
    """Move `pos` left onto a character boundary (UTF-8 continuation bytes are 0b10xxxxxx)."""
    while 0 < pos < len(data) and data[pos] & 0xC0 == 0x80:
        pos -= 1
    return pos


def snap_forward(data: bytes, pos: int) -> int:
    while 0 < pos < len(data) and data[pos] & 0xC0 == 0x80:
        pos += 1
    return pos
