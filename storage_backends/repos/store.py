"""``GenericStore``: the ``Store`` of the port over any ``Engine``."""

from __future__ import annotations

from renlayer_core.storage.cursor import CursorCodec
from renlayer_core.storage.keycache import KeyCache
from renlayer_core.storage.ports import Capabilities, Store
from storage_backends import _tables as t
from storage_backends._engine import Engine
from storage_backends.repos._shared import (
    FetchHook,
    Shared,
)
from storage_backends.repos.approvals import ApprovalRepo
from storage_backends.repos.audit import AuditRepo
from storage_backends.repos.crud import (
    AgentRepo,
    AllowListRepo,
    DetectorRepo,
    PatternRepo,
    PolicyRepo,
    TenantRepo,
    UpstreamRepo,
    UserRepo,
)
from storage_backends.repos.keys import KeyRepo
from storage_backends.repos.traces import TraceRepo
from storage_backends.repos.webhooks import WebhookRepo


class GenericStore:
    """A ``Store`` over any ``Engine``."""

    def __init__(self, engine: Engine, *, cursor_key: bytes, key_cache: KeyCache | None = None):
        self.capabilities: Capabilities = engine.capabilities
        self._shared = Shared(engine, CursorCodec(cursor_key), key_cache or KeyCache())
        s = self._shared
        self.tenants = TenantRepo(s)
        self.users = UserRepo(s, t.USERS)
        self.agents = AgentRepo(s, t.AGENTS)
        self.keys = KeyRepo(s)
        self.policies = PolicyRepo(s, t.POLICIES)
        self.detectors = DetectorRepo(s, t.DETECTORS)
        self.patterns = PatternRepo(s, t.PATTERNS)
        self.allow_lists = AllowListRepo(s, t.ALLOW_LISTS)
        self.upstreams = UpstreamRepo(s, t.UPSTREAMS)
        self.webhooks = WebhookRepo(s, t.WEBHOOKS)
        self.approvals = ApprovalRepo(s)
        self.traces = TraceRepo(s)
        self.audit = AuditRepo(s)
        engine.subscribe(s.cache.apply)

    @property
    def engine(self) -> Engine:
        return self._shared.engine

    @property
    def key_cache(self) -> KeyCache:
        return self._shared.cache

    def set_fetch_hook(self, hook: FetchHook | None) -> None:
        self._shared.fetch_hook = hook

    def migrate(self) -> int:
        return self._shared.engine.migrate()

    def ping(self) -> None:
        self._shared.engine.ping()

    def close(self) -> None:
        self._shared.engine.close()

    def __enter__(self) -> GenericStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["GenericStore"]


def _conforms(store: GenericStore) -> Store:
    """Static check (mypy): the generic store satisfies the port."""
    return store
