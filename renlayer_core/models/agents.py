"""Agents: the callers RenLayer enforces on. Labels are ``key=value`` strings."""

from __future__ import annotations

import re
from typing import Literal

import pydantic

from renlayer_core.models.base import Document, Record

AgentStatus = Literal["active", "disabled"]

LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,62}=[A-Za-z0-9_.\-/:@]{0,128}$")


class Agent(Record, frozen=True, kw_only=True):
    id: str
    tenant_id: str
    name: str
    description: str = ""
    labels: tuple[str, ...] = ()
    status: AgentStatus = "active"
    created_at: int
    updated_at: int


def check_label(value: str) -> str:
    if not LABEL_RE.match(value):
        raise ValueError(f"a label is 'key=value' (letters, digits, _ . - /), found {value!r}")
    return value


def _labels(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    for value in values:
        check_label(value)
    # Sorted and unique, so two documents with the same labels store the same record.
    return tuple(sorted(set(values)))


class AgentCreate(Document):
    name: str = pydantic.Field(min_length=1, max_length=200)
    description: str = pydantic.Field(default="", max_length=2000)
    labels: tuple[str, ...] = pydantic.Field(default=(), max_length=64)
    status: AgentStatus = "active"

    _labels = pydantic.field_validator("labels")(_labels)


class AgentPatch(Document):
    name: str | None = pydantic.Field(default=None, min_length=1, max_length=200)
    description: str | None = pydantic.Field(default=None, max_length=2000)
    labels: tuple[str, ...] | None = pydantic.Field(default=None, max_length=64)
    status: AgentStatus | None = None

    _labels = pydantic.field_validator("labels")(_labels)
