"""Store URLs as the CLI and server take them: ``--store`` or ``RENLAYER_STORE``, defaulting
to ``sqlite:///./renlayer.db``; and how to print one without its password."""

from __future__ import annotations

import os
import re
from typing import Final

DEFAULT_STORE_URL: Final = "sqlite:///./renlayer.db"
STORE_ENV: Final = "RENLAYER_STORE"

_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*):[^@/]*@", re.IGNORECASE)


def resolve_store_url(value: str | None) -> str:
    return value or os.environ.get(STORE_ENV) or DEFAULT_STORE_URL


def redact_url(url: str) -> str:
    """``postgresql://app:hunter2@db/x`` → ``postgresql://app:***@db/x``."""
    redacted = _PASSWORD.sub(r"\g<head>:***@", url)
    # A password may also travel as a query parameter.
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", redacted)
