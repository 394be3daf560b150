"""The declarative record of one detector type (built-in catalog entry or compiled custom
pattern). Presidio's shape — pattern, context words, validator — without its costs: the scan
plan, not the detector, decides when the regex runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Category = Literal["pii", "fin", "secret", "net", "health"]
Action = Literal["block", "redact", "log"]


@dataclass(frozen=True, slots=True)
class DetectorSpec:
    # Stable id `<category>.<name>`, e.g. "secret.aws_access_key".
    id: str
    category: Category
    title: str
    # RE2 syntax. If it has a group named `value`, that group's span is the finding;
    # otherwise the whole match is.
    pattern: str
    # Literals that any match must contain (case-insensitive). The plan runs `pattern` only
    # within `max_len` characters of a keyword hit. Empty → the pattern goes into the shared
    # RE2 set instead (keep that set small: it slows down as it grows).
    keywords: tuple[str, ...] = ()
    # An RE2 pattern of which every match of `pattern` contains a match (a test checks it on
    # every labelled case and every reference candidate). When set, the plan's gate set and
    # windows look for it instead of the keywords: for detectors whose keywords are common
    # words ("token", "secret", "asia"), a trigger that includes the separator or the token's
    # shape names the detector only where a match is plausible. Case as written (use `(?i)`).
    # Must not match the empty string. The naive twin ignores it.
    trigger: str | None = None
    # Upper bound on a match's length in characters: the stream scanner holds back this much.
    max_len: int = 256
    # The most characters a match can start before the start of a trigger (or keyword) match
    # it contains (checked by a test). Lets the stream scanner release text early: while no
    # trigger has appeared in the unreleased tail, only `lead` plus the trigger's longest
    # match minus one need be held for this detector, not `max_len`. None: hold `max_len`.
    lead: int | None = None
    # Returns False to drop a candidate (checksum, entropy, look-alike test).
    validator: Callable[[str], bool] | None = None
    # Words that raise confidence when found within `context_window` chars before the match.
    context_words: tuple[str, ...] = ()
    context_window: int = 64
    # Without a context word the finding is dropped (for patterns too weak on their own).
    context_required: bool = False
    confidence: float = 0.8
    # Boost added when a context word is present (capped at 1.0).
    context_boost: float = 0.15
    case_sensitive: bool = True
    default_action: Action = "log"
    # Whether the pattern should also run over JSON object keys.
    scan_keys: bool = False
