"""Second review of SPEC §4 semantics: cases where the first implementation let an action
through (or raised) where a user of a security product would expect otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from renlayer_core.errors import PolicyInvalid, ValidationFailed
from renlayer_core.policy import compile_policies, parse_policy_set, parse_request
from renlayer_core.policy.request import normalize_path
from tests.policy.helpers import decide, policy, request


@pytest.mark.parametrize(
    ("path", "key"),
    [
        # RFC 3986 §6.2.2.2: percent-encoded unreserved characters are the characters
        # themselves; every mainstream server decodes them before routing.
        ("/v1/%61dmin/users", "/v1/admin/users"),
        ("/v1/%41%44MIN", "/v1/ADMIN"),
        ("/v1/public/%2e%2e/admin", "/v1/admin"),
        ("/v1/public/%2E%2E/admin", "/v1/admin"),
        ("/v1/%2e/admin", "/v1/admin"),
        ("/v1/%7euser", "/v1/~user"),
        # Reserved characters stay encoded (an encoded slash is not a separator), with
        # upper-case hex (§6.2.2.1) so that %2f and %2F compare equal.
        ("/v1/a%2fb", "/v1/a%2Fb"),
        ("/v1/a%2Fb", "/v1/a%2Fb"),
        ("/v1/%3f", "/v1/%3F"),
        ("/v1/%zz", "/v1/%zz"),
        ("/v1/%", "/v1/%"),
        ("/v1/%25", "/v1/%25"),
        ("/v1/%2561dmin", "/v1/%2561dmin"),  # decoded once only
    ],
)
def test_path_percent_encoding_is_normalised(path: str, key: str) -> None:
    assert normalize_path(path) == key


def test_percent_encoded_path_cannot_dodge_a_deny() -> None:
    docs = [policy(name="admin", effect="deny", match={"paths": ["/v1/admin/**"]})]
    for path in ("/v1/%61dmin/users", "/v1/public/%2e%2e/admin", "/v1/ADMIN/../%61dmin"):
        d = decide(docs, request(kind="http", path=path), default="allow")
        assert d.code == "policy_denied", path


@pytest.mark.parametrize("method", ["poſt", "PO ST", "", "GET\r\n", "pöst"])
def test_request_method_must_be_an_http_token(method: str) -> None:
    # "poſt".upper() is "POST" in Python: a non-ASCII method must not match a POST policy.
    with pytest.raises(ValidationFailed) as info:
        parse_request(request(method=method))
    assert [e.path for e in info.value.errors] == ["method"]


@pytest.mark.parametrize("method", ["get", "PATCH", "M-SEARCH", "PROPFIND"])
def test_request_method_tokens(method: str) -> None:
    assert parse_request(request(method=method)).method_key == method.upper()


def test_compile_policies_rejects_a_bad_default_effect_as_invalid_policy() -> None:
    for bad in ("require_approval", "ALLOW", ""):
        with pytest.raises(PolicyInvalid) as info:
            compile_policies([], bad)
        assert [e.path for e in info.value.errors] == ["default_effect"]


def test_policy_paths_are_percent_normalised_like_requests() -> None:
    # Requests are matched decoded; a policy written encoded must mean the same path.
    docs = [policy(match={"paths": ["/v1/%61dmin/**", "/v1/a%2fb"]})]
    (p,) = parse_policy_set(docs).policies
    assert p.match.paths == ["/v1/admin/**", "/v1/a%2Fb"]
    for path in ("/v1/admin/x", "/v1/%61dmin", "/v1/a%2Fb", "/v1/a%2fb"):
        assert decide(docs, request(kind="http", path=path), default="allow").code == (
            "policy_denied"
        ), path


@pytest.mark.parametrize(
    ("match", "fragment"),
    [
        ({"paths": ["/v1/../admin"]}, "'.' and '..'"),
        ({"paths": ["/v1/./admin/**"]}, "'.' and '..'"),
        ({"paths": ["/v1/%2e%2e/admin"]}, "'.' and '..'"),
        ({"paths": ["/v1/admin/.."]}, "'.' and '..'"),
        ({"hosts": ["example.com."]}, "trailing dot"),
        ({"hosts": ["*.example.com."]}, "trailing dot"),
    ],
)
def test_patterns_that_could_never_match_are_rejected(match: dict[str, Any], fragment: str) -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set([policy(match=match)])
    assert fragment in info.value.message


def test_paths_with_dots_inside_segments_are_fine() -> None:
    docs = [policy(match={"paths": ["/v1/file..txt", "/v1/.well-known/*", "/*.json"]})]
    assert decide(docs, request(kind="http", path="/v1/.well-known/x")).code == "policy_denied"


def test_a_single_policy_as_a_file_gets_a_hint() -> None:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set(policy())
    (err,) = info.value.errors
    assert "looks like a single policy" in err.message and err.path == ""
