"""Text from users, made safe to show: error messages are one line, so a field name or value
holding a newline, a control character or a lone surrogate is shown escaped (``'\\n'``), never
raw — a raw newline would split one error into two lines, or forge a second one."""

from __future__ import annotations

from renlayer_core.errors import FieldError


def is_unicode(text: str) -> bool:
    """False for text holding lone surrogates (not encodable as UTF-8)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped as Python/JSON would."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def clean_error(err: FieldError) -> FieldError:
    def show(value: str | None) -> str | None:
        return None if value is None else printable(value)

    return FieldError(
        printable(err.path), printable(err.message), show(err.expected), show(err.found)
    )
