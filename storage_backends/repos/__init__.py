"""The repositories of the storage port, written once over an ``Engine``.

Tenancy, pagination, cursors, the audit chain and the key cache live here, so every backend
behaves the same by construction; a backend only supplies table operations (``_engine.Tx``).
"""

from __future__ import annotations

from storage_backends.repos.store import GenericStore

__all__ = ["GenericStore"]
