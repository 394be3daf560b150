"""Approval digests: same action → same digest; any change to what the action does, to the
policy, its revision or the tenant → a different digest."""

from __future__ import annotations

from typing import Any

import pytest

from renlayer_core.policy import approval_digest, approval_digest_from, parse_request
from renlayer_core.policy.digest import action_digest, canonical_json
from tests.policy.helpers import OTHER_AGENT, request

TENANT = "ten_01ARYZ6S41TSV4RRFFQ69G5FAV"
POLICY = "pol_01ARYZ6S41TSV4RRFFQ69G5FAV"
BASE = request(
    upstream="payments",
    tool="payments.transfer",
    args={"amount": 5000, "to": "acct-1"},
    method="POST",
    host="api.bank.example",
    path="/v1/transfers?dry=0",
    model=None,
    body={"memo": "rent"},
    headers={"x-trace": "1"},
    findings=["pii.email"],
    session={"trace_count": 1},
    time="2026-11-28T10:00:00Z",
)


def digest(doc: dict[str, Any], tenant: str = TENANT, pid: str = POLICY, rev: int = 1) -> str:
    return approval_digest(tenant, parse_request(doc), pid, rev)


def test_same_action_same_digest() -> None:
    again = {**BASE, "args": {"to": "acct-1", "amount": 5000}}  # key order is irrelevant
    assert digest(BASE) == digest(again)
    assert len(digest(BASE)) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"agent": {"id": OTHER_AGENT}},
        {"kind": "http"},
        {"upstream": "payments-2"},
        {"tool": "payments.refund"},
        {"args": {"amount": 5001, "to": "acct-1"}},
        {"args": {"amount": 5000.5, "to": "acct-1"}},
        {"args": {"amount": "5000", "to": "acct-1"}},
        {"method": "PUT"},
        {"host": "api.bank.example:8443"},
        {"path": "/v1/transfers?dry=1"},
        {"model": "gpt-4o"},
        {"body": {"memo": "rent!"}},
        {"body": None},
    ],
)
def test_any_action_change_changes_the_digest(change: dict[str, Any]) -> None:
    assert digest({**BASE, **change}) != digest(BASE)


def test_policy_revision_and_tenant_are_bound() -> None:
    base = digest(BASE)
    assert digest(BASE, tenant="ten_01BX5ZZKBKACTAV9WEVGEMMVRZ") != base
    assert digest(BASE, pid="pol_01BX5ZZKBKACTAV9WEVGEMMVRZ") != base
    assert digest(BASE, rev=2) != base


@pytest.mark.parametrize(
    "change",
    [
        {"headers": {"x-renlayer-approval": "appr_01ARYZ6S41TSV4RRFFQ69G5FAV"}},
        {"findings": []},
        {"session": {"trace_count": 2}},
        {"time": "2026-11-28T10:05:00Z"},
        {"method": "post"},  # methods compare case-insensitively
        {"host": "API.Bank.Example"},  # hosts too
    ],
)
def test_retry_context_does_not_change_the_digest(change: dict[str, Any]) -> None:
    assert digest({**BASE, **change}) == digest(BASE)


def test_engine_can_finish_the_digest_from_the_decision() -> None:
    r = parse_request(BASE)
    assert approval_digest_from(TENANT, action_digest(r), POLICY, 1) == digest(BASE)


def test_canonical_json() -> None:
    assert canonical_json({"b": 1, "a": [1.5, None, True, "é"]}) == (
        '{"a":[1.5,null,true,"é"],"b":1}'.encode()
    )
    assert canonical_json({"big": 2**70}) == b'{"big":1180591620717411303424}'
