"""A rule: one enabled detector (catalog type + its config, or a custom pattern) reduced to
what scanning needs. Both the scan plan and its naive twin are built from rules, so they
differ only in how candidates are found, never in what a candidate means."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from renlayer_core.dlp.config import DetectorConfig, DlpConfig, PatternDef, builtin_specs
from renlayer_core.dlp.rx import compile_checked, value_group
from renlayer_core.dlp.spec import Action, Category, DetectorSpec

Style = Literal["placeholder", "mask", "hash"]

# Overlap resolution prefers the more specific category when spans are equally long: an
# AWS key inside a URL is a secret first, an IP address second.
SPECIFICITY: dict[str, int] = {"secret": 4, "fin": 3, "health": 2, "pii": 1, "net": 0}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    kind: Literal["regex", "keywords"]
    # RE2 source, case-folding already applied (`(?i:…)` for case-insensitive specs).
    source: str
    regex: Any
    group: int
    # Literals every match contains, A–Z-folded: the gate set looks for them and the regex
    # runs around their hits. Empty → the gate set runs the pattern itself.
    keywords: tuple[str, ...]
    # Keyword rules: the keywords as written (case-sensitive rules compare against these).
    words: tuple[str, ...]
    # RE2 source the gate looks for instead of the keywords (see DetectorSpec.trigger).
    trigger: str | None
    case_sensitive: bool
    whole_word: bool
    radius: int
    max_len: int
    # How many characters the stream scanner holds back for this rule while none of its
    # triggers/keywords is in the unreleased tail: `lead + longest trigger match`, or
    # `max_len` when that is unknown (no lead, unbounded trigger, no keywords).
    quiet_hold: int
    # The most characters a match starts before a trigger/keyword match in it (None: unknown).
    lead: int | None
    validator: Callable[[str], bool] | None
    min_confidence: float
    action: Action
    style: Style
    scan_keys: bool
    rank: int
    # The record scoring and the reference matcher use: the catalog's, with the tenant's
    # extra context words merged in, or one synthesised for a custom pattern.
    spec: DetectorSpec
    builtin: bool = False


def build_rules(
    config: DlpConfig, catalog: Mapping[str, DetectorSpec] | None = None
) -> tuple[Rule, ...]:
    """Rules for every enabled detector and pattern, in a deterministic order (by id)."""
    if catalog is None:
        catalog = builtin_specs() if config.detectors else {}
    rules = [_from_spec(catalog[d.type], d) for d in config.detectors if d.enabled]
    rules += [_from_pattern(p) for p in config.patterns if p.enabled]
    return tuple(sorted(rules, key=lambda r: r.id))


def ascii_fold(text: str) -> str:
    """Lower-case A–Z only: keeps every other character (and so every offset) unchanged."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def _from_spec(spec: DetectorSpec, det: DetectorConfig) -> Rule:
    source = spec.pattern if spec.case_sensitive else f"(?i:{spec.pattern})"
    regex = compile_checked(source, spec.id)
    context = tuple(dict.fromkeys((*spec.context_words, *det.context_words)))
    spec = replace(spec, context_words=context)
    return Rule(
        id=spec.id,
        category=spec.category,
        kind="regex",
        source=source,
        regex=regex,
        group=regex.groupindex.get("value", 0),
        keywords=tuple(dict.fromkeys(ascii_fold(k) for k in spec.keywords if k)),
        words=(),
        trigger=spec.trigger,
        case_sensitive=spec.case_sensitive,
        whole_word=False,
        radius=spec.max_len,  # every match holds a gate match and is ≤ max_len long (scan.py)
        max_len=spec.max_len,
        quiet_hold=_quiet_hold(spec),
        lead=spec.lead,
        validator=spec.validator,
        min_confidence=det.min_confidence,
        action=det.action or spec.default_action,
        style=det.redaction,
        scan_keys=spec.scan_keys,
        rank=SPECIFICITY[spec.category],
        spec=spec,
        builtin=True,
    )


def _from_pattern(pat: PatternDef) -> Rule:
    regex = None if pat.regex is None else compile_checked(pat.regex, "regex")
    words = tuple(dict.fromkeys(pat.keywords))
    validator = make_validator(pat.validator)
    spec = DetectorSpec(
        id=pat.detector_id,
        category=pat.category,
        title=pat.name,
        pattern=pat.regex or "",
        max_len=pat.max_len,
        validator=validator,
        context_words=pat.context_words,
        confidence=pat.confidence,
        default_action=pat.action,
        scan_keys=pat.scan_keys,
    )
    return Rule(
        id=pat.detector_id,
        category=pat.category,
        kind="regex" if regex is not None else "keywords",
        source=pat.regex or "",
        regex=regex,
        group=0 if regex is None else value_group(regex),
        keywords=tuple(dict.fromkeys(ascii_fold(w) for w in words)),
        words=words,
        trigger=None,
        case_sensitive=pat.case_sensitive,
        whole_word=pat.whole_word,
        radius=pat.max_len,
        max_len=max((len(w) for w in words), default=pat.max_len),
        quiet_hold=max((len(w) for w in words), default=pat.max_len),
        lead=None,
        validator=validator,
        min_confidence=pat.min_confidence,
        action=pat.action,
        style=pat.redaction,
        scan_keys=pat.scan_keys,
        rank=SPECIFICITY[pat.category],
        spec=spec,
    )


def _quiet_hold(spec: DetectorSpec) -> int:
    if spec.lead is None:
        return spec.max_len
    longest = trigger_width(spec.trigger) if spec.trigger else max(map(len, spec.keywords))
    if longest is None:
        return spec.max_len
    # No -1: a trigger ending exactly at the end of what has arrived may still be unseen
    # (an assertion after it looks at the next character).
    return min(spec.max_len, spec.lead + longest)


def trigger_width(trigger: str) -> int | None:
    """The longest match of an RE2 trigger in characters (None: unbounded or not parsable),
    from Python's regex parser: triggers use the syntax both engines share."""
    import importlib

    parser: Any = importlib.import_module("re._parser")
    try:
        _low, high = parser.parse(trigger).getwidth()
    except Exception:  # any parse failure just means "unknown"
        return None
    return int(high) if high < parser.MAXREPEAT else None


def make_validator(name: str | None) -> Callable[[str], bool] | None:
    """`luhn` | `mod97` | `entropy>=x` → the catalog's validator functions."""
    if name is None:
        return None
    from renlayer_core.dlp import validators

    return validators.named(name)
