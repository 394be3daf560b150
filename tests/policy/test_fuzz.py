"""Fuzzing the public entry points: whatever JSON-like data comes in, ``parse_policy_set``,
``parse_policy`` and ``parse_request`` raise only ``RenLayerError`` subclasses (a clear 4xx,
never a 500), and ``evaluate``/``explain`` never raise on a request that parsed.

Arbitrary values mostly fail at the top, so the richer strategies *mutate* valid documents:
one subtree of a generated policy set or request replaced by something arbitrary."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renlayer_core.errors import RenLayerError
from renlayer_core.policy import (
    compile_policies,
    evaluate,
    evaluate_naive,
    explain,
    parse_policy,
    parse_policy_set,
    parse_request,
)
from tests.policy.strategies import examples, policy_docs, request_docs

SETTINGS = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "*", "**", "/**", "[", "(?<=a)", "\\Z", "label:", "agent_", "pol_"]),
    st.sampled_from(["eq", "in", "regex", "args.x", "body.size", "header.x", "time.hour"]),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "é", "İ", "ſ", "1e3", "NaN"]),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.sampled_from([10**300, -(10**300)]),
    st.builds(lambda: 10**5000),  # too long for Python to write as text
    st.floats(),  # NaN and infinities included: not JSON, must still be refused cleanly
    _TEXT,
)
JSONISH = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_TEXT, st.integers(), st.none()), inner, max_size=4),
    ),
    max_leaves=20,
)


def _mutate(draw: st.DrawFn, doc: Any) -> Any:
    """Replace one randomly chosen subtree of ``doc`` (or add a key) with arbitrary data."""
    if isinstance(doc, dict) and doc and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from([*sorted(doc, key=str), "extra"]))
        out = dict(doc)
        out[key] = _mutate(draw, doc[key]) if key in doc else draw(JSONISH)
        return out
    if isinstance(doc, list) and doc and draw(st.integers(0, 3)) > 0:
        i = draw(st.integers(0, len(doc) - 1))
        return [*doc[:i], _mutate(draw, doc[i]), *doc[i + 1 :]]
    return draw(JSONISH)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Any]) -> Any:
    return _mutate(draw, draw(base))


def _only_renlayer_errors(fn: Any, data: Any) -> Any:
    try:
        return fn(data)
    except RenLayerError as exc:
        assert exc.message and exc.message.isprintable(), exc.message
        return None


@SETTINGS
@given(JSONISH)
def test_arbitrary_data_as_policy_set_or_request(data: Any) -> None:
    _only_renlayer_errors(parse_policy_set, data)
    _only_renlayer_errors(parse_policy, data)
    _only_renlayer_errors(parse_request, data)


@SETTINGS
@given(mutated(policy_docs(min_size=1, max_size=4)), request_docs())
def test_mutated_policy_sets(docs: Any, req: dict[str, Any]) -> None:
    policy_set = _only_renlayer_errors(parse_policy_set, docs)
    if policy_set is None:
        return
    table = compile_policies(policy_set.policies, policy_set.default_effect)
    request = parse_request(req)
    decision = evaluate(table, request)
    assert decision == evaluate_naive(policy_set.policies, policy_set.default_effect, request)
    assert explain(table, request).decision == decision


@SETTINGS
@given(policy_docs(max_size=6), mutated(request_docs()))
def test_mutated_requests(docs: list[dict[str, Any]], req: Any) -> None:
    request = _only_renlayer_errors(parse_request, req)
    if request is None:
        return
    policy_set = parse_policy_set(docs)
    table = compile_policies(policy_set.policies, policy_set.default_effect)
    decision = evaluate(table, request)
    assert decision == evaluate_naive(policy_set.policies, policy_set.default_effect, request)
    assert explain(table, request).decision == decision
    decision.to_dict()
