"""Each compiled `when` predicate agrees with the naive twin's, on arbitrary nested JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from renlayer_core.policy import parse_policy, parse_request
from renlayer_core.policy.naive import predicate as naive_predicate
from renlayer_core.policy.predicates import Problem, compile_predicate
from tests.policy.helpers import policy, request
from tests.policy.strategies import examples

SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([1.0, 0.0, -0.0, 2.5, 10**20, 1e300]),
    st.sampled_from(["", "a", "ab", "A", "1", "true", "drop table"]),
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "x.y"]), inner, max_size=3),
    ),
    max_leaves=8,
)
OPS = ["eq", "ne", "in", "not_in", "glob", "regex", "gt", "gte", "lt", "lte", "exists", "contains"]
FIELDS = ["args.a", "args.b[0]", 'args["x.y"]', "args.a.b", "args", "body.size", "body.a"]


@st.composite
def predicates(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(OPS))
    field = draw(st.sampled_from(FIELDS))
    value: Any
    if op in ("gt", "gte", "lt", "lte") or (field == "body.size" and op != "exists"):
        value = draw(st.sampled_from([0, 1, -1, 2.5, 10**20]))
        if op in ("in", "not_in"):
            value = [value]
        elif op in ("glob", "regex", "contains"):
            op = "eq"
    elif op in ("in", "not_in"):
        value = draw(st.lists(JSON, min_size=1, max_size=3))
    elif op == "glob":
        value = draw(st.sampled_from(["*", "a*", "?", "*b", "A?"]))
    elif op == "regex":
        value = draw(st.sampled_from(["a", "^a$", "(?i)DROP", r"\d"]))
    elif op == "contains":
        value = draw(SCALAR)
    elif op == "exists":
        value = draw(st.booleans())
    else:
        value = draw(JSON)
    return {"field": field, "op": op, "value": value}


@settings(max_examples=examples(300), deadline=None)
@given(predicates(), st.dictionaries(st.sampled_from(["a", "b", "x.y"]), JSON, max_size=3), JSON)
def test_compiled_predicate_agrees_with_naive(
    when: dict[str, Any], args: dict[str, Any], body: Any
) -> None:
    w = parse_policy(policy(match={"when": [when]})).match.when[0]  # type: ignore[index]
    r = parse_request(request(args=args, body=body))
    fast = compile_predicate(w.ref, w.op, w.value, "value" in w.model_fields_set)(r)
    verdict, found = naive_predicate(w, r)
    if isinstance(fast, Problem):
        assert (fast.problem, fast.found) == (verdict, found)
    else:
        assert verdict == ("true" if fast else "false")
