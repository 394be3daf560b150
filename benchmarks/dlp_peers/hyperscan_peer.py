"""Hyperscan (Intel's multi-regex engine) over the same regexes as our catalog.

Regex-only: no keyword windows, validators (Luhn, checksums, entropy), context scoring or
overlap resolution, so its accuracy is that of our raw patterns. Named groups are turned into
plain groups; each pattern is compiled with ``HS_FLAG_SOM_LEFTMOST`` when Hyperscan accepts it
(start offsets), else without (timed, but not scored for accuracy: no span), else it is left
out. ``info()`` says how many were compiled each way.

Hyperscan works on bytes: the text is encoded to UTF-8 inside the timed call (callers hold
``str``), and byte offsets are mapped back to characters when the text is not ASCII.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from benchmarks.dlp_peers import Hit, Scan

label = "hyperscan (catalog regexes)"
INPUT = "text"
_INFO: dict[str, Any] = {}
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def load() -> dict[str, str]:
    import hyperscan  # noqa: F401

    return {"hyperscan": version("hyperscan")}


def type_map() -> dict[str, tuple[str, ...]]:
    """Only patterns compiled with start-of-match are scored: without a start offset there
    is no span to compare (their hits are still part of the timing)."""
    return {i: (i,) for i in _INFO.get("som_ids", ())}


def info() -> dict[str, Any]:
    return _INFO


def _flags(hs: Any, case_sensitive: bool, som: bool) -> int:
    flags = int(hs.HS_FLAG_UTF8)
    flags |= 0 if case_sensitive else int(hs.HS_FLAG_CASELESS)
    return flags | (int(hs.HS_FLAG_SOM_LEFTMOST) if som else 0)


def _accepts(hs: Any, expr: bytes, flags: int) -> bool:
    try:
        hs.Database(mode=hs.HS_MODE_BLOCK).compile(expressions=[expr], flags=[flags])
    except hs.error:
        return False
    return True


def _compile() -> tuple[Any, list[str], list[bool]]:
    import hyperscan as hs

    from renlayer_core.dlp.catalog import CATALOG

    exprs: list[bytes] = []
    flags: list[int] = []
    ids: list[str] = []
    som: list[bool] = []
    rejected: list[str] = []
    for spec in CATALOG:
        expr = _NAMED_GROUP.sub("(", spec.pattern).encode()
        for with_som in (True, False):
            f = _flags(hs, spec.case_sensitive, with_som)
            if _accepts(hs, expr, f):
                exprs.append(expr)
                flags.append(f)
                ids.append(spec.id)
                som.append(with_som)
                break
        else:
            rejected.append(spec.id)
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs), flags=flags)
    _INFO.update(
        catalog=len(CATALOG),
        compiled_som=sum(som),
        compiled_no_som=len(som) - sum(som),
        rejected=rejected,
        som_ids=sorted({i for i, with_som in zip(ids, som, strict=True) if with_som}),
    )
    return db, ids, som


def setup() -> Scan:
    import hyperscan as hs

    db, ids, som = _compile()
    scratch = hs.Scratch(db)

    def scan(text: str) -> list[Hit]:
        raw: list[tuple[int, int, int]] = []

        def on_match(i: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            raw.append((i, start, end))

        data = text.encode()
        db.scan(data, match_event_handler=on_match, scratch=scratch)
        if not raw:
            return []
        to_char = _char_offsets(text, data)
        return [
            (ids[i], to_char(start if som[i] else end - 1), to_char(end)) for i, start, end in raw
        ]

    return scan


def _char_offsets(text: str, data: bytes) -> Any:
    if len(data) == len(text):
        return lambda b: b
    table = [0] * (len(data) + 1)
    pos = 0
    for ci, ch in enumerate(text):
        n = len(ch.encode())
        for k in range(n):
            table[pos + k] = ci
        pos += n
    table[pos] = len(text)
    return table.__getitem__


def prepare(text: str) -> str:
    return text
