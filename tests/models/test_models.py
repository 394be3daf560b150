"""Resource documents: precise validation messages; records: strict decoding."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from renlayer_core.errors import InvalidInput, ValidationFailed
from renlayer_core.models import (
    AgentCreate,
    ApiKey,
    Approval,
    Tenant,
    TenantCreate,
    TraceRecord,
    UpstreamCreate,
    UserCreate,
    WebhookCreate,
    remove_secrets,
    validate_document,
)
from renlayer_core.models.audit import GENESIS_HASH, REMOVED, AuditDraft, seal
from renlayer_core.models.tenant import TenantSettings, TenantSettingsPatch, apply_settings


def _errors(model: type, data: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        validate_document(model, data)
    return {e.path: e.message for e in info.value.errors}


def test_unknown_fields_and_every_bad_field_are_reported() -> None:
    errors = _errors(AgentCreate, {"name": "", "labels": ["bad label"], "colour": "red"})
    assert set(errors) == {"name", "labels", "colour"}
    assert errors["colour"] == "unknown field"
    assert "'bad label'" in errors["labels"]


def test_agent_labels_are_normalised() -> None:
    doc = validate_document(AgentCreate, {"name": "a", "labels": ["b=2", "a=1", "b=2"]})
    assert doc.labels == ("a=1", "b=2")


@pytest.mark.parametrize(
    "name", ["v1", "healthz", "readyz", "metrics", "docs", "-x", "A", "a" * 64, "a_b"]
)
def test_reserved_and_malformed_upstream_names(name: str) -> None:
    errors = _errors(UpstreamCreate, {"name": name, "base_url": "https://x.example"})
    assert "name" in errors and repr(name) in errors["name"]


def test_valid_upstream_and_bad_url() -> None:
    ok = validate_document(
        UpstreamCreate,
        {"name": "openai-prod", "base_url": "https://api.openai.com", "kind": "openai"},
    )
    assert ok.kind == "openai"
    assert "base_url" in _errors(UpstreamCreate, {"name": "x", "base_url": "ftp://x"})
    assert "kind" in _errors(UpstreamCreate, {"name": "x", "base_url": "https://x", "kind": "smtp"})


def test_user_email_and_role() -> None:
    assert validate_document(UserCreate, {"email": "Ada@Example.com", "role": "auditor"}).email == (
        "ada@example.com"
    )
    errors = _errors(UserCreate, {"email": "nope", "role": "root"})
    assert set(errors) == {"email", "role"}


def test_tenant_defaults_and_settings_patch() -> None:
    doc = validate_document(TenantCreate, {"name": "acme"})
    settings = apply_settings(TenantSettings(), doc.settings)
    assert (settings.default_effect, settings.fail_mode, settings.trace_payloads) == (
        "deny",
        "closed",
        "none",
    )
    assert settings.session_header == "X-RenLayer-Session"
    patched = apply_settings(settings, TenantSettingsPatch(fail_mode="open"))
    assert patched.fail_mode == "open" and patched.default_effect == "deny"
    assert "settings.session_header" in _errors(
        TenantCreate, {"name": "a", "settings": {"session_header": "bad header"}}
    )


def test_webhook_event_types() -> None:
    assert "event_types[0]" in _errors(
        WebhookCreate, {"url": "https://h.example/x", "event_types": ["nope"]}
    )


def test_records_reject_unknown_fields() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(
            b'{"id":"ten_1","name":"a","created_at":0,"updated_at":0,"extra":1}', type=Tenant
        )


def test_key_record_has_no_secret_field() -> None:
    assert "secret" not in ApiKey.__struct_fields__
    assert "secret_hash" in ApiKey.__struct_fields__


def test_trace_findings_have_no_raw_value_field() -> None:
    from renlayer_core.models import TraceFinding

    assert not {"value", "raw", "match"} & set(TraceFinding.__struct_fields__)
    assert "session_id" in TraceRecord.__struct_fields__


def test_approval_effective_status() -> None:
    a = Approval(
        id="appr_1",
        tenant_id="t",
        agent_id="a",
        digest="d",
        policy_id="p",
        policy_revision=1,
        created_at=0,
        expires_at=100,
    )
    assert a.effective_status(99) == "pending"
    assert a.effective_status(100) == "expired"
    used = msgspec.structs.replace(a, status="used")
    assert used.effective_status(1000) == "used"


def test_remove_secrets_is_deep_and_keeps_the_rest() -> None:
    value = {
        "name": "k",
        "Secret": "x",
        "api_token": "y",
        "list": [{"password": "p", "ok": 1}],
        "secretive": "kept: not a secret key",
    }
    assert remove_secrets(value) == {
        "name": "k",
        "Secret": "[removed]",
        "api_token": "[removed]",
        "list": [{"password": "[removed]", "ok": 1}],
        "secretive": "kept: not a secret key",
    }


@pytest.mark.parametrize(
    "key",
    [
        "Authorization",
        "authorization",
        "api_key",
        "apiKey",
        "X-Api-Key",
        "client_secret",
        "clientSecret",
        "secretHash",
        "private_key",
        "Cookie",
        "Set-Cookie",
        "access_token",
        "refreshToken",
        "PASSWORD",
        "passphrase",
        "credentials",
    ],
)
def test_remove_secrets_covers_credential_key_spellings(key: str) -> None:
    value = {"outer": [{"headers_ok": 1, key: "s3cr3t-value"}], key: {"nested": "s3cr3t"}}
    cleaned = remove_secrets(value)
    assert "s3cr3t" not in json.dumps(cleaned)
    assert cleaned[key] == REMOVED
    assert cleaned["outer"][0][key] == REMOVED


@pytest.mark.parametrize("key", ["name", "keyword", "monkey", "status", "secretary_name"])
def test_remove_secrets_leaves_ordinary_keys(key: str) -> None:
    assert remove_secrets({key: "v"}) == {key: "v"}


@pytest.mark.parametrize("bad", [{"a": float("nan")}, {"a": b"bytes"}, {"a": {1, 2}}])
def test_sealing_a_non_json_value_is_invalid_input(bad: Any) -> None:
    draft = AuditDraft(actor="u", action="x", resource_type="r", after=bad)
    with pytest.raises(InvalidInput):
        seal(draft, id="audit_x", tenant_id="ten_x", seq=1, time=0, prev=GENESIS_HASH)
