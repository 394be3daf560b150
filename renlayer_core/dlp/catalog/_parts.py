"""Regex building blocks shared by the catalog modules (RE2 syntax, no lookaround).

RE2 has no lookbehind, so a pattern cannot say "not preceded by a letter" without consuming
that letter — and consuming it would hide the next match in a list like ``a,b``. The catalog
uses two tricks instead: ``\\b`` where the token starts or ends with a word character, and a
trailing character class outside the `value` group where the token may end in ``-``/``_``.
"""

from __future__ import annotations

from typing import Final

# Where a token may start: a word boundary, or right after the two-character escape `\n`,
# `\r` or `\t` of a JSON string seen as raw text ("keys:\nAKIA…" — `\b` alone fails there,
# `n` being a word character). The escape is consumed, outside the `value` group.
START: Final = r"(?:\\[nrt]|\b)"

# After a token whose alphabet includes '-' and '_' (so \b would cut it short): the next
# character must not continue the token. Consumed, but outside the `value` group.
END_B64URL: Final = r"(?:[^A-Za-z0-9_\-]|$)"
END_B64: Final = r"(?:[^A-Za-z0-9+/=]|$)"

# Between a label and its value: optional quote, ``:``/``=``/``:=``/``=>``, optional quote.
# Quotes may be JSON-escaped (\") when the assignment sits inside a JSON string; a closing
# bracket covers `env["API_KEY"] = …`.
ASSIGN: Final = r"""(?:\\?["'])?\]?[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}(?:\\?["'`])?"""

# Between a context word embedded in a pattern and the number it labels, e.g. "routing
# number (ABA): ", "Passport No. ", "NPI #": up to three short words of letters, each
# followed by separators. Words can never swallow the start of a value that begins with a
# digit, nor one beginning with a letter immediately followed by a digit.
LABEL_FILLER: Final = r"[ \t:#=.\-]{0,3}(?:[A-Za-z.()#°/]{1,12}[ \t:#=.\-)]{1,3}){0,3}"

# RE2 caps any repetition count (nested counts multiplied) at 1000.
_RE2_MAX_REPEAT: Final = 1000


def bounded(char_class: str, lo: int, hi: int, *, lazy: bool = False) -> str:
    """``char_class{lo,hi}`` for any ``hi``, written as consecutive runs of at most 1000 so RE2
    accepts it. Matches exactly the same strings (a run of lo..hi characters of the class)."""
    q = "?" if lazy else ""
    runs = []
    remaining_lo, remaining_hi = lo, hi
    while remaining_hi > 0:
        take_hi = min(remaining_hi, _RE2_MAX_REPEAT)
        take_lo = min(remaining_lo, take_hi)
        runs.append(f"{char_class}{{{take_lo},{take_hi}}}{q}")
        remaining_lo -= take_lo
        remaining_hi -= take_hi
    return "(?:" + "".join(runs) + ")"
