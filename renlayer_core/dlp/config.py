"""The user-facing DLP configuration documents (persisted as JSON by the storage layer).

`DetectorConfig` turns on a built-in catalog type, `PatternDef` defines a custom detector,
`AllowListDef` suppresses known-good values, and `DlpConfig` bundles a tenant's set.
Everything is validated at write time: unknown fields, unknown catalog types, non-RE2 regexes
and malformed validators are rejected with the field path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from renlayer_core.dlp.fingerprint import FINGERPRINT_HEX
from renlayer_core.dlp.spec import Action, Category, DetectorSpec
from renlayer_core.errors import FieldError, PatternInvalid
from renlayer_core.errors import ValidationFailed as _ValidationFailed

RedactionStyle = Literal["placeholder", "mask", "hash"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Word = Annotated[str, Field(min_length=1, max_length=128)]

_NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_VALIDATOR = re.compile(r"^(luhn|mod97|entropy>=(\d+(?:\.\d+)?))$")
_DETECTOR_REF = re.compile(r"^[a-z]+\.(\*|[a-z0-9_.-]+)$")
_HEX = re.compile(r"^[0-9a-f]+$")
MAX_KEYWORDS = 10_000
DEMO_ACTIONS: dict[str, Action] = {
    "secret": "block",
    "fin": "redact",
    "pii": "log",
    "health": "log",
    "net": "log",
}


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class DetectorConfig(_Doc):
    """Enables one built-in catalog type (`type` = catalog id, e.g. `secret.aws_access_key`)."""

    type: str = Field(min_length=3, max_length=128)
    # None → the catalog's default action for this type.
    action: Action | None = None
    redaction: RedactionStyle = "placeholder"
    min_confidence: Probability = 0.0
    # Added to the catalog's context words.
    context_words: tuple[Word, ...] = ()
    enabled: bool = True


class PatternDef(_Doc):
    """A custom detector: an RE2 `regex` (its `value` group, else its first group, else the
    whole match is the finding) or a `keywords` list (Aho-Corasick). Its detector id is
    `<category>.custom.<name>`, so policies on `secret.*` cover custom secrets too."""

    name: str = Field(pattern=_NAME)
    category: Category = "secret"
    regex: str | None = Field(default=None, min_length=1, max_length=4096)
    keywords: tuple[Word, ...] = Field(default=(), max_length=MAX_KEYWORDS)
    # Keyword matching only: whole words (neighbours are not letters, digits or `_`) and
    # case-insensitive for A–Z by default. Regexes use inline `(?i)` instead.
    whole_word: bool = True
    case_sensitive: bool = False
    validator: str | None = None
    context_words: tuple[Word, ...] = ()
    confidence: Probability = 0.8
    min_confidence: Probability = 0.0
    action: Action = "log"
    redaction: RedactionStyle = "placeholder"
    # Longest value the regex is expected to match: the stream scanner holds this much back.
    max_len: int = Field(default=256, ge=1, le=65536)
    scan_keys: bool = False
    enabled: bool = True

    @field_validator("regex")
    @classmethod
    def _re2_only(cls, regex: str | None) -> str | None:
        if regex is not None:
            from renlayer_core.dlp.rx import compile_checked, new_set

            compile_checked(regex, "regex")
            # The plan's gate runs every pattern in one RE2 set, which refuses some patterns
            # RE2 compiles on their own: say so here, at write time, with the field's path.
            new_set([regex], "regex")
        return regex

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, validator: str | None) -> str | None:
        if validator is None:
            return None
        match = _VALIDATOR.fullmatch(validator)  # `match` + `$` would accept "luhn\n"
        if match is None or (match.group(2) is not None and float(match.group(2)) > 8.0):
            msg = f"unknown validator {validator!r}: use 'luhn', 'mod97' or 'entropy>=x' (x ≤ 8)"
            raise PatternInvalid([FieldError("validator", msg, found=validator)])
        return validator

    @model_validator(mode="after")
    def _one_matcher(self) -> PatternDef:
        if (self.regex is None) == (not self.keywords):
            raise ValueError("a pattern needs either 'regex' or 'keywords', not both or neither")
        return self

    @property
    def detector_id(self) -> str:
        return f"{self.category}.custom.{self.name}"


class AllowListDef(_Doc):
    """Values that are never findings: exact `values`, RE2 `regexes` (matching the whole
    value), or `fingerprints` (as reported in findings). Scoped to `detectors` (ids or
    `<category>.*`); empty → every detector."""

    name: str | None = Field(default=None, max_length=128)
    values: tuple[Annotated[str, Field(min_length=1, max_length=4096)], ...] = ()
    regexes: tuple[Annotated[str, Field(min_length=1, max_length=4096)], ...] = ()
    fingerprints: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()

    @field_validator("regexes")
    @classmethod
    def _re2_only(cls, regexes: tuple[str, ...]) -> tuple[str, ...]:
        from renlayer_core.dlp.rx import compile_checked

        for i, regex in enumerate(regexes):
            compile_checked(regex, f"regexes[{i}]", echo=False)
        return regexes

    @field_validator("fingerprints")
    @classmethod
    def _hex(cls, fingerprints: tuple[str, ...]) -> tuple[str, ...]:
        for fp in fingerprints:
            if len(fp) < FINGERPRINT_HEX or not _HEX.match(fp):
                raise ValueError(
                    f"fingerprint {fp[:64]!r} is not a finding fingerprint"
                    f" ({FINGERPRINT_HEX}+ lowercase hex chars)"
                )
        return tuple(fp[:FINGERPRINT_HEX] for fp in fingerprints)

    @field_validator("detectors")
    @classmethod
    def _refs(cls, detectors: tuple[str, ...]) -> tuple[str, ...]:
        for ref in detectors:
            if not _DETECTOR_REF.match(ref):
                raise ValueError(f"{ref!r} is not a detector id or '<category>.*'")
        return detectors


class DlpConfig(_Doc):
    """A tenant's DLP set: enabled catalog types, custom patterns and allow lists."""

    detectors: tuple[DetectorConfig, ...] = ()
    patterns: tuple[PatternDef, ...] = ()
    allow_lists: tuple[AllowListDef, ...] = ()

    @field_validator("patterns", mode="before")
    @classmethod
    def _index_pattern_errors(cls, items: Any) -> Any:
        return _indexed(items, PatternDef, "patterns")

    @field_validator("allow_lists", mode="before")
    @classmethod
    def _index_allow_list_errors(cls, items: Any) -> Any:
        # As for patterns: a regex error of allow_lists[i] is reported at that path.
        return _indexed(items, AllowListDef, "allow_lists")

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> DlpConfig:
        context = info.context if isinstance(info.context, Mapping) else {}
        catalog = context.get("catalog") or (builtin_specs() if self.detectors else {})
        seen: set[str] = set()
        for det in self.detectors:
            if det.type not in catalog:
                raise ValueError(f"unknown detector type {det.type!r}")
            if det.type in seen:
                raise ValueError(f"detector type {det.type!r} is configured twice")
            seen.add(det.type)
        names = [p.name for p in self.patterns]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"pattern name {dupes[0]!r} is used twice")
        return self

    @classmethod
    def parse(cls, data: Any, catalog: Mapping[str, DetectorSpec] | None = None) -> DlpConfig:
        """Validate a JSON-shaped document; errors become ValidationFailed with field paths.
        `catalog` replaces the built-in catalog (tests, embedders with their own types)."""
        try:
            return cls.model_validate(data, context={"catalog": catalog} if catalog else None)
        except ValidationError as exc:
            raise _ValidationFailed(_field_errors(exc)) from None

    @classmethod
    def full_catalog(cls, catalog: Mapping[str, DetectorSpec] | None = None) -> DlpConfig:
        """Every built-in type with its catalog default action."""
        specs = catalog or builtin_specs()
        return cls.parse({"detectors": [{"type": i} for i in sorted(specs)]}, catalog)

    @classmethod
    def recommended(cls, catalog: Mapping[str, DetectorSpec] | None = None) -> DlpConfig:
        """The demo set: secrets → block, financial → redact, personal data → log."""
        specs = catalog or builtin_specs()
        detectors = [{"type": i, "action": DEMO_ACTIONS[specs[i].category]} for i in sorted(specs)]
        return cls.parse({"detectors": detectors}, catalog)


def builtin_specs() -> dict[str, DetectorSpec]:
    """The built-in catalog by id (imported lazily: the catalog compiles nothing on import)."""
    from renlayer_core.dlp import catalog

    return dict(catalog.BY_ID)


def _indexed(items: Any, model: type[_Doc], field: str) -> Any:
    """PatternInvalid escapes pydantic untouched: re-raise it with the list index."""
    if not isinstance(items, list | tuple):
        return items
    errors: list[FieldError] = []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            try:
                model.model_validate(item)
            except PatternInvalid as exc:
                errors += [_prefixed(f"{field}[{i}]", e) for e in exc.errors]
            except ValidationError:
                pass  # reported by pydantic with its path
    if errors:
        raise PatternInvalid(errors)
    return items


def _prefixed(prefix: str, error: FieldError) -> FieldError:
    return FieldError(f"{prefix}.{error.path}", error.message, error.expected, error.found)


def _field_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        out.append(FieldError(path.lstrip("."), err["msg"].lower().removeprefix("value error, ")))
    return out
