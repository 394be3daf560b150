"""Percent-encoding normalisation (RFC 3986 §6.2.2), shared by request paths and policy path
globs so that both sides of a comparison are written the same way: percent-encoded
unreserved characters are the characters themselves (``%61`` is ``a``, ``%2e`` is ``.``);
the others stay encoded with upper-case hex (``%2f`` → ``%2F``: an encoded slash is not a
separator). Decoded once: ``%2561`` is ``%2561``, not ``a``."""

from __future__ import annotations

import re
from typing import Final

_PERCENT: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _one(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else "%" + m.group(1).upper()


def normalize_percent(path: str) -> str:
    return _PERCENT.sub(_one, path) if "%" in path else path
