"""Allow lists, compiled: exact values, whole-value RE2 regexes and fingerprints, each list
global or scoped to detector ids / `<category>.*`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from renlayer_core.dlp.config import AllowListDef
from renlayer_core.dlp.rx import compile_checked


@dataclass(frozen=True, slots=True)
class _Entry:
    values: frozenset[str]
    regexes: tuple[Any, ...]
    fingerprints: frozenset[str]
    scope: frozenset[str]  # empty → every detector

    def applies_to(self, detector: str) -> bool:
        if not self.scope:
            return True
        return detector in self.scope or f"{detector.partition('.')[0]}.*" in self.scope


@dataclass(frozen=True, slots=True)
class AllowMatcher:
    entries: tuple[_Entry, ...]

    @classmethod
    def build(cls, lists: tuple[AllowListDef, ...]) -> AllowMatcher:
        entries = tuple(
            _Entry(
                values=frozenset(a.values),
                regexes=tuple(
                    compile_checked(f"(?s:{r})", f"regexes[{i}]", echo=False)
                    for i, r in enumerate(a.regexes)
                ),
                fingerprints=frozenset(a.fingerprints),
                scope=frozenset(a.detectors),
            )
            for a in lists
        )
        return cls(entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def suppresses(self, detector: str, value: str, fingerprint: Callable[[], str]) -> bool:
        for entry in self.entries:
            if not entry.applies_to(detector):
                continue
            if value in entry.values:
                return True
            if any(r.fullmatch(value) is not None for r in entry.regexes):
                return True
            if entry.fingerprints and fingerprint() in entry.fingerprints:
                return True
        return False
