"""``when`` predicates compiled to closures for the decision table.

A compiled predicate returns ``True`` or ``False``, or a ``Problem`` when it cannot be
evaluated (field missing, or a value of the wrong type for the operator); the evaluator then
counts it as false and records a diagnostic. Semantics, in one place:

- a missing field is unevaluable for every operator except ``exists`` (so ``ne`` and ``not_in``
  never hold by accident on an absent field);
- equality is JSON equality: ``true`` is not ``1``, ``1`` equals ``1.0``, lists and objects
  compare deeply;
- ``gt``/``gte``/``lt``/``lte`` need a number (a boolean is not one);
- ``glob`` and ``regex`` need text; ``regex`` searches (anchor with ``^…$`` to match whole);
- ``contains``: substring for text (value must be text), element equality for lists;
  anything else is the wrong type.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from renlayer_core.policy.fields import FieldRef
from renlayer_core.policy.globs import compile_glob
from renlayer_core.policy.regex import compile_re2
from renlayer_core.policy.request import ActionRequest


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class Problem(NamedTuple):
    problem: str  # "missing" | "wrong_type"
    found: str  # JSON type of the value found ("" when missing)


PROBLEM_MISSING: Final = Problem("missing", "")
Getter = Callable[[ActionRequest], Any]
Predicate = Callable[[ActionRequest], "bool | Problem"]


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def json_equal(a: object, b: object) -> bool:
    """Equality of JSON values: bool and number never equal, numbers compare by value."""
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta is list:
        if tb is not list or len(a) != len(b):  # type: ignore[arg-type]
            return False
        return all(json_equal(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[call-overload]
    if ta is dict:
        if tb is not dict or a.keys() != b.keys():  # type: ignore[attr-defined]
            return False
        return all(json_equal(v, b[k]) for k, v in a.items())  # type: ignore[attr-defined,index]
    if ta in (int, float):
        return tb in (int, float) and a == b
    return ta is tb and a == b


def make_getter(ref: FieldRef) -> Getter:
    root = ref.root
    if root in ("args", "body"):
        return _json_getter(operator.attrgetter(root), ref.path)
    if root == "header":
        name = ref.header
        return lambda req: req.headers.get(name, MISSING)
    if root == "body.size":
        return operator.attrgetter("body_size")
    if root == "session.trace_count":
        return lambda req: MISSING if req.trace_count is None else req.trace_count
    if root == "time.hour":
        return operator.attrgetter("hour")
    return operator.attrgetter("weekday")


def _json_getter(base: Getter, path: tuple[str | int, ...]) -> Getter:
    def get(req: ActionRequest) -> Any:
        value = base(req)
        if value is None:
            return MISSING  # no args / no body at all
        for seg in path:
            if type(seg) is str:
                if type(value) is not dict:
                    return MISSING
                value = value.get(seg, MISSING)
                if value is MISSING:
                    return MISSING
            else:
                if type(value) is not list or seg >= len(value):  # type: ignore[operator]
                    return MISSING
                value = value[seg]  # type: ignore[index]
        return value

    return get


def compile_predicate(ref: FieldRef, op: str, value: Any, given: bool) -> Predicate:
    get = make_getter(ref)
    if op == "exists":
        want = value if given else True

        def exists(req: ActionRequest) -> bool | Problem:
            return (get(req) is not MISSING) is want

        return exists
    test = _OPS[op](value)

    def pred(req: ActionRequest) -> bool | Problem:
        actual = get(req)
        if actual is MISSING:
            return PROBLEM_MISSING
        return test(actual)

    return pred


Test = Callable[[Any], "bool | Problem"]


def _wrong(value: object) -> Problem:
    return Problem("wrong_type", json_type(value))


def _is_num(value: object) -> bool:
    t = type(value)
    return t is int or t is float


def _eq(expected: Any) -> Test:
    return lambda actual: json_equal(actual, expected)


def _ne(expected: Any) -> Test:
    return lambda actual: not json_equal(actual, expected)


def _in(options: list[Any]) -> Test:
    # All-text or all-number lists (the common case, and the long ones) become a set lookup.
    # The type test first keeps JSON equality: True must not be found in {1}, nor 1 in {"1"}.
    if all(type(o) is str for o in options):
        texts = frozenset(options)
        return lambda actual: type(actual) is str and actual in texts
    if all(_is_num(o) for o in options):
        numbers = frozenset(options)
        return lambda actual: _is_num(actual) and actual in numbers
    return lambda actual: any(json_equal(actual, o) for o in options)


def _not_in(options: list[Any]) -> Test:
    member = _in(options)
    return lambda actual: not member(actual)


def _glob(pattern: str) -> Test:
    match = compile_glob(pattern, "any")
    return lambda actual: match(actual) if type(actual) is str else _wrong(actual)


def _regex(source: str) -> Test:
    search = compile_re2(source).search
    return lambda actual: search(actual) is not None if type(actual) is str else _wrong(actual)


def _cmp(fn: Callable[[Any, Any], bool]) -> Callable[[Any], Test]:
    def build(bound: Any) -> Test:
        return lambda actual: fn(actual, bound) if _is_num(actual) else _wrong(actual)

    return build


def _contains(item: Any) -> Test:
    def test(actual: Any) -> bool | Problem:
        if type(actual) is str:
            return item in actual if type(item) is str else _wrong(actual)
        if type(actual) is list:
            return any(json_equal(x, item) for x in actual)
        return _wrong(actual)

    return test


_OPS: Final[dict[str, Callable[[Any], Test]]] = {
    "eq": _eq,
    "ne": _ne,
    "in": _in,
    "not_in": _not_in,
    "glob": _glob,
    "regex": _regex,
    "gt": _cmp(operator.gt),
    "gte": _cmp(operator.ge),
    "lt": _cmp(operator.lt),
    "lte": _cmp(operator.le),
    "contains": _contains,
}
