"""Tenant: the unit of isolation. Every other resource belongs to exactly one tenant."""

from __future__ import annotations

from typing import Literal

import msgspec
import pydantic

from renlayer_core.models.base import Document, Record

DefaultEffect = Literal["allow", "deny"]
FailMode = Literal["closed", "open"]
# none: metadata and findings only (the default); redacted: bodies after redaction; full: raw.
TracePayloads = Literal["none", "redacted", "full"]

_HEADER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


class TenantSettings(Record, frozen=True, kw_only=True):
    default_effect: DefaultEffect = "deny"
    fail_mode: FailMode = "closed"
    trace_payloads: TracePayloads = "none"
    session_header: str = "X-RenLayer-Session"


class Tenant(Record, frozen=True, kw_only=True):
    id: str
    name: str
    settings: TenantSettings = msgspec.field(default_factory=TenantSettings)
    created_at: int
    updated_at: int


def _check_header(value: str | None) -> str | None:
    if value is not None and (not value or not _HEADER_CHARS.issuperset(value)):
        raise ValueError(f"a header name uses letters, digits and '-', found {value!r}")
    return value


class TenantSettingsPatch(Document):
    default_effect: DefaultEffect | None = None
    fail_mode: FailMode | None = None
    trace_payloads: TracePayloads | None = None
    session_header: str | None = pydantic.Field(default=None, max_length=64)

    _header = pydantic.field_validator("session_header")(_check_header)


class TenantCreate(Document):
    name: str = pydantic.Field(min_length=1, max_length=200)
    settings: TenantSettingsPatch = TenantSettingsPatch()


class TenantPatch(Document):
    name: str | None = pydantic.Field(default=None, min_length=1, max_length=200)
    settings: TenantSettingsPatch | None = None


def apply_settings(current: TenantSettings, patch: TenantSettingsPatch) -> TenantSettings:
    changes = patch.model_dump(exclude_none=True)
    return msgspec.structs.replace(current, **changes)
