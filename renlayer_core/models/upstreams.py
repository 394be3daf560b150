"""Upstreams: named destinations of the proxy. Headers to inject are held only as ciphertext:
the caller encrypts them with the server's header key before the store ever sees them."""

from __future__ import annotations

import re
from typing import Final, Literal

import pydantic

from renlayer_core.models.base import Document, Record

UpstreamKind = Literal["http", "openai", "anthropic", "mcp"]
NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RESERVED_NAMES: Final = frozenset({"v1", "healthz", "readyz", "metrics", "docs"})


class Upstream(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    name: str
    base_url: str
    kind: UpstreamKind = "http"
    headers_ciphertext: bytes | None = None
    created_at: int
    updated_at: int


def check_upstream_name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(
            f"an upstream name is 1-63 of a-z, 0-9 and '-', not starting with '-'; found {value!r}"
        )
    if value in RESERVED_NAMES:
        raise ValueError(f"the upstream name {value!r} is reserved")
    return value


def _base_url(value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if scheme not in ("http", "https") or not sep or not rest or rest.startswith("/"):
        raise ValueError(f"expected an http(s) url, found {value!r}")
    return value


class UpstreamCreate(Document):
    name: str
    base_url: str = pydantic.Field(max_length=2048)
    kind: UpstreamKind = "http"
    headers: dict[str, str] = pydantic.Field(default_factory=dict, max_length=32)

    _name = pydantic.field_validator("name")(check_upstream_name)
    _url = pydantic.field_validator("base_url")(_base_url)


class UpstreamPatch(Document):
    base_url: str | None = pydantic.Field(default=None, max_length=2048)
    kind: UpstreamKind | None = None
    headers: dict[str, str] | None = pydantic.Field(default=None, max_length=32)

    _url = pydantic.field_validator("base_url")(lambda v: None if v is None else _base_url(v))
