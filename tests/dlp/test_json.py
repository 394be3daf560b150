"""JSON payloads: every string (and integer) scanned with its path; redaction keeps JSON valid."""

from __future__ import annotations

import json
from typing import Any

import pytest

from renlayer_core.dlp import DlpConfig, ScanPlan, compile_plan
from renlayer_core.dlp.spec import DetectorSpec
from renlayer_core.errors import PayloadTooLarge, ValidationFailed
from tests.dlp import cases

KEY = b"json-fingerprint-key-00000000000"
ALL = frozenset({"block", "redact", "log"})


@pytest.fixture(scope="module")
def plan() -> ScanPlan:
    return compile_plan(DlpConfig.recommended(), KEY)


def test_findings_carry_json_paths(plan: ScanPlan) -> None:
    token = cases.github_token()
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "be nice"},
            {"role": "user", "content": "hi"},
            {"role": "user", "content": f"use {token} to push"},
        ],
        "metadata": {"reply-to": "jane.roe@example.com", "n": 3, "ok": True, "x": None},
    }
    found = plan.scan_json(body)
    assert [(f.path, f.detector, f.start) for f in found] == [
        ("$.messages[2].content", "secret.github_token", 4),
        ('$.metadata["reply-to"]', "pii.email", 0),
    ]


def test_a_card_number_stored_as_a_json_number_is_found_and_becomes_a_string(
    plan: ScanPlan,
) -> None:
    visa = cases.card("4", 16)
    body = {"card": int(visa), "amount": 12.5, "count": 1}
    (f,) = plan.scan_json(body)
    assert (f.path, f.detector) == ("$.card", "fin.credit_card")
    redacted, _ = plan.redact_json(body)
    assert redacted == {"card": "[REDACTED:fin.credit_card]", "amount": 12.5, "count": 1}


def test_redacted_json_stays_valid_and_untouched_values_are_kept(plan: ScanPlan) -> None:
    token = cases.github_token()
    visa = cases.card("4", 16)
    body: list[Any] = [{"a": f'quote " and {token}', "b": [visa, "clean"]}, "tail\n"]
    redacted, found = plan.redact_json(body, ALL)
    text = json.dumps(redacted)
    assert json.loads(text) == redacted
    assert token not in text and visa not in text
    assert redacted[0]["a"] == 'quote " and [REDACTED:secret.github_token]'
    assert redacted[0]["b"] == ["[REDACTED:fin.credit_card]", "clean"]
    assert redacted[1] == "tail\n"
    assert len(found) == 2
    assert body[0]["a"].endswith(token)  # the input is not modified


def test_object_keys_are_scanned_for_detectors_that_ask_for_it() -> None:
    spec = DetectorSpec(
        id="secret.keyed",
        category="secret",
        title="k",
        pattern=r"sekrit_[0-9]{4}",
        keywords=("sekrit_",),
        max_len=11,
        scan_keys=True,
    )
    other = DetectorSpec(id="pii.num", category="pii", title="n", pattern=r"[0-9]{4}", max_len=4)
    specs = {spec.id: spec, other.id: other}
    config = DlpConfig.parse({"detectors": [{"type": spec.id}, {"type": other.id}]}, specs)
    plan = compile_plan(config, KEY, catalog=specs)
    body = {"sekrit_1234": "v", "sekrit_9999": {"inner": "sekrit_5555"}}
    found = plan.scan_json(body)
    first, second = (f"[secret.keyed:{f.fingerprint[:12]}]" for f in found[:2])
    assert first != second  # distinct values, distinct labels
    assert [(f.path, f.in_key, f.detector) for f in found] == [
        (f'$["{first}"]', True, "secret.keyed"),
        (f'$["{second}"]', True, "secret.keyed"),
        (f'$["{second}"].inner', False, "secret.keyed"),
    ]
    # A member name that is a finding never reaches a path (paths are stored in traces).
    assert not any("sekrit_" in (f.path or "") for f in found)
    assert [f.path for f in plan.scan_json({"a": {"sekrit_1234": {"b": "x 1234"}}})] == [
        f'$.a["{first}"]',
        f'$.a["{first}"].b',
    ]
    redacted, _ = plan.redact_json(body, ALL)
    assert list(redacted) == ["[REDACTED:secret.keyed]", "[REDACTED:secret.keyed]~"]


def test_deep_nesting_is_a_clear_error_not_a_recursion_error(plan: ScanPlan) -> None:
    value: object = "x"
    for _ in range(100_000):
        value = [value]
    with pytest.raises(ValidationFailed, match="nesting is deeper than 64 levels"):
        plan.scan_json(value)
    shallow: object = "x"
    for _ in range(64):
        shallow = {"a": shallow}
    assert plan.scan_json(shallow) == []


def test_a_value_that_contains_itself_is_rejected(plan: ScanPlan) -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValidationFailed, match="nesting"):
        plan.scan_json(loop)


def test_non_json_values_are_rejected_with_their_path(plan: ScanPlan) -> None:
    with pytest.raises(ValidationFailed) as info:
        plan.scan_json({"a": [1, {"b": object()}]})
    assert info.value.errors[0].path == "$.a[1].b"
    assert "not a JSON value" in info.value.message
    with pytest.raises(ValidationFailed, match="object keys must be strings"):
        plan.scan_json({1: "x"})


def test_json_size_limits(plan: ScanPlan) -> None:
    from renlayer_core.dlp import Limits

    small = compile_plan(DlpConfig.recommended(), KEY, Limits(max_chars=10, max_leaves=5))
    with pytest.raises(PayloadTooLarge, match="larger than the scan limit"):
        small.scan_json({"a": "x" * 6, "b": "y" * 6})
    with pytest.raises(PayloadTooLarge, match="more than 5 values"):
        small.scan_json(list(range(6)))


@pytest.mark.parametrize("regex", [r"^ID-[0-9]{4}$", r"\AID-[0-9]{4}\z", r"(?m)^ID-[0-9]{4}(?-m)$"])
def test_anchored_custom_patterns_match_each_string_on_its_own(regex: str) -> None:
    from renlayer_core.dlp import scan_naive_json

    config = DlpConfig.parse({"patterns": [{"name": "id", "regex": regex}]})
    plan = compile_plan(config, KEY)
    body = {"a": "ID-1234", "b": ["x ID-0000", "ID-9999"], "c": "ID-12345", "d": "ID-4321"}
    found = plan.scan_json(body)
    assert [f.path for f in found] == ["$.a", "$.b[1]", "$.d"]
    assert found == scan_naive_json(config, body, KEY)


# -- member names as context ----------------------------------------------------------------
_PASSWORD = "hunter2-" + "Xq9" + "v!Lw7zR"
_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfi" + "CYzQ8pLmN3aB"


@pytest.fixture(scope="module")
def full() -> ScanPlan:
    return compile_plan(DlpConfig.full_catalog(), KEY)


@pytest.mark.parametrize(
    ("body", "path", "detector"),
    [
        ({"password": _PASSWORD}, "$.password", "secret.generic_assignment"),
        ({"api_key": _PASSWORD}, "$.api_key", "secret.generic_assignment"),
        ({"client_secret": _PASSWORD}, "$.client_secret", "secret.generic_assignment"),
        ({"auth": {"token": _PASSWORD}}, "$.auth.token", "secret.generic_assignment"),
        (
            {"tool": "deploy", "arguments": {"db": {"DB_PASSWORD": _PASSWORD}}},
            "$.arguments.db.DB_PASSWORD",
            "secret.generic_assignment",
        ),
        ({"aws_secret_access_key": _AWS_SECRET}, "$.aws_secret_access_key", None),
    ],
)
def test_a_value_is_scanned_after_its_member_name(
    full: ScanPlan, body: dict[str, object], path: str, detector: str | None
) -> None:
    from renlayer_core.dlp import scan_naive_json

    found = full.scan_json(body)
    assert len(found) == 1, found
    f = found[0]
    assert f.path == path
    assert f.detector == (detector or "secret.aws_secret_key")
    value = _PASSWORD if detector else _AWS_SECRET
    # Offsets are in the value, which is redacted whole.
    assert (f.start, f.end) == (0, len(value))
    redacted, _ = full.redact_json(body, ALL)
    assert value not in json.dumps(redacted)
    assert found == scan_naive_json(DlpConfig.full_catalog(), body, KEY)


@pytest.mark.parametrize(
    "body",
    [
        {"password_policy": "min 8 chars"},
        {"password": "changeme"},
        {"password": "<your-password>"},
        {"api_key": "${API_KEY}"},
        {"token": "REPLACE_ME"},
        {"passwords": ["hunter2-Xq9v!Lw7zR"]},  # array items have no member name
        {"k" * 65 + "_password": "hunter2-Xq9v!Lw7zR"},  # too long a name to be a label
        {"secret": 12},
    ],
)
def test_member_names_that_make_no_finding(full: ScanPlan, body: dict[str, object]) -> None:
    from renlayer_core.dlp import scan_naive_json

    assert [f for f in full.scan_json(body) if f.category == "secret"] == []
    assert full.scan_json(body) == scan_naive_json(DlpConfig.full_catalog(), body, KEY)


def test_a_value_alone_keeps_its_anchors_and_its_own_findings(full: ScanPlan) -> None:
    token = cases.github_token()
    body = {"note": f"{token} is the password: {_PASSWORD}", "n": [token]}
    found = full.scan_json(body)
    assert [(f.path, f.detector, f.start) for f in found] == [
        ("$.note", "secret.github_token", 0),
        ("$.note", "secret.generic_assignment", len(token) + 18),
        ("$.n[0]", "secret.github_token", 0),
    ]
