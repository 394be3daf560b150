"""RenLayer core: the enforcement layer AI agents run through.

Importing this package does no I/O and imports no server, database or HTTP library; the
ASGI layer, the CLI and the storage backends are imported only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
