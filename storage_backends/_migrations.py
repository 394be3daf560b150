"""Schema migrations: ``migrations/<backend>/NNNN_name.sql`` files, applied in order and
recorded in ``renlayer_schema(version, applied_at)``. Files are immutable history: a change
to the schema is a new file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load(backend: str) -> list[Migration]:
    folder = resources.files("storage_backends") / "migrations" / backend
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            out.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    out.sort(key=lambda m: m.version)
    if [m.version for m in out] != list(range(1, len(out) + 1)):
        raise RuntimeError(f"{backend} migrations are not numbered 1..n")
    return out


def latest(backend: str) -> int:
    return len(load(backend))
