"""Users of the Platform API (operators), with one role each."""

from __future__ import annotations

from typing import Literal

import pydantic

from renlayer_core.models.base import Document, Record

Role = Literal["owner", "admin", "editor", "viewer", "auditor"]


class User(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    # Stored lower-cased: e-mail addresses compare case-insensitively (unique per tenant).
    email: str
    role: Role
    name: str = ""
    created_at: int
    updated_at: int


def _email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError(f"expected an e-mail address, found {value!r}")
    return value.lower()


class UserCreate(Document):
    email: str = pydantic.Field(max_length=320)
    role: Role
    name: str = pydantic.Field(default="", max_length=200)

    _email = pydantic.field_validator("email")(_email)


class UserPatch(Document):
    role: Role | None = None
    name: str | None = pydantic.Field(default=None, max_length=200)
