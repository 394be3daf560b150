"""Redaction: replace found values in a text. Styles: `placeholder`
(`[REDACTED:secret.aws_access_key]`, the default), `mask` (keep the last 4), `hash`
(`[HASH:<fingerprint prefix>]`, stable across payloads, so equal values stay correlatable)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from renlayer_core.dlp.finding import Finding
from renlayer_core.dlp.rules import Style

# What a redaction replaces by default: `redact` findings; `block` ones too, since a blocked
# action that is forwarded anyway (monitor mode, fail-open) must not leak. `log` findings are
# only recorded.
DEFAULT_ACTIONS: frozenset[str] = frozenset({"redact", "block"})
HASH_PREFIX = 12


def replacement(style: Style, finding: Finding, value: str) -> str:
    if style == "mask":
        return mask_last4(value)
    if style == "hash":
        return f"[HASH:{finding.fingerprint[:HASH_PREFIX]}]"
    return f"[REDACTED:{finding.detector}]"


def mask_last4(value: str) -> str:
    """All but the last 4 characters become `*` (short values keep at most a quarter)."""
    keep = 4 if len(value) >= 12 else len(value) // 4
    return "*" * (len(value) - keep) + value[len(value) - keep :]


def apply(
    text: str,
    findings: Sequence[Finding],
    styles: Mapping[str, Style],
    actions: Collection[str] = DEFAULT_ACTIONS,
    offset: int = 0,
) -> str:
    """`text` with each finding whose action is in `actions` replaced. Findings are sorted and
    non-overlapping (overlap resolution guarantees it); `offset` is the text's position in a
    longer stream that the findings' offsets refer to."""
    parts: list[str] = []
    pos = 0
    for f in findings:
        if f.action not in actions:
            continue
        start, end = f.start - offset, f.end - offset
        parts.append(text[pos:start])
        parts.append(replacement(styles[f.detector], f, text[start:end]))
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)
