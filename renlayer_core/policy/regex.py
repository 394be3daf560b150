"""RE2, the only regex engine policies may use: linear time whatever the input, so an agent
cannot stall enforcement with a crafted argument. Stdlib-only syntax (lookaround,
backreferences, possessive quantifiers) is rejected at write time."""

from __future__ import annotations

import functools
from typing import Any, Final

MAX_REGEX_LEN: Final = 2048


@functools.cache
def _options() -> Any:
    import re2

    opts = re2.Options()
    # RE2 logs every syntax error to stderr through absl; we report errors ourselves.
    opts.log_errors = False
    return opts


def compile_re2(source: str) -> Any:
    """Compile with RE2; raises ``ValueError`` with a user-facing message on bad syntax."""
    import re2

    if len(source) > MAX_REGEX_LEN:
        raise ValueError(f"a regex has at most {MAX_REGEX_LEN} characters")
    try:
        return re2.compile(source, options=_options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ValueError(f"syntax not supported by RE2: {detail}") from None


def re2_problem(source: str) -> str | None:
    try:
        compile_re2(source)
    except ValueError as exc:
        return str(exc)
    return None
