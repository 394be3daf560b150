"""Policy documents (SPEC §4) as strict pydantic models.

Strict mode: no coercion (``priority: "100"`` is an error, not 100), unknown fields rejected.
Every semantic check (globs, RE2, agent references, ``when`` operators) runs inside validation
so that one pass reports every problem with its path. Validators raise
``PydanticCustomError("renlayer", "{message}", ctx)`` and ``loader.py`` turns them into
``FieldError``s; ``ctx["at"]`` is an extra path suffix below the failing location.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Final, Literal, NoReturn, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic_core import PydanticCustomError

from renlayer_core.errors import InvalidId
from renlayer_core.ids import new_id, parse_id
from renlayer_core.policy.fields import NUMERIC_ROOTS, FieldRef, parse_field
from renlayer_core.policy.globs import GlobStyle, glob_problem
from renlayer_core.policy.regex import re2_problem
from renlayer_core.policy.uri import normalize_percent

Effect = Literal["allow", "deny", "require_approval"]
DefaultEffect = Literal["allow", "deny"]
Mode = Literal["enforce", "monitor"]
Kind = Literal["http", "llm", "tool"]
Op = Literal[
    "eq", "ne", "in", "not_in", "glob", "regex", "gt", "gte", "lt", "lte", "exists", "contains"
]
NUMERIC_OPS: Final = frozenset({"gt", "gte", "lt", "lte"})
TEXT_OPS: Final = frozenset({"glob", "regex"})

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)
T = TypeVar("T")


def fail(
    message: str, *, expected: str | None = None, found: str | None = None, at: str = ""
) -> NoReturn:
    ctx: dict[str, Any] = {"message": message}
    if expected is not None:
        ctx["expected"] = expected
    if found is not None:
        ctx["found"] = found
    if at:
        ctx["at"] = at
    raise PydanticCustomError("renlayer", "{message}", ctx)


def _q(value: str) -> str:
    """User input quoted for a one-line message, cut short if long."""
    return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"


def _glob(style: GlobStyle, lower: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        problem = glob_problem(value, style)
        if problem is not None:
            fail(problem, expected="a glob using * and ?", found=describe(value))
        return value.lower() if lower else value

    return AfterValidator(check)


def _agent_ref(value: str) -> str:
    if value.startswith("label:"):
        key, sep, _ = value[len("label:") :].partition("=")
        if not sep or not key or any(c.isspace() for c in key):
            fail(
                f"{_q(value)} is not a label reference",
                expected="label:key=value",
                found=describe(value),
            )
        return value
    try:
        return parse_id(value, "agent")
    except InvalidId:
        fail(
            f"{_q(value)} is neither an agent id nor a label reference",
            expected="an agent id (agent_<ULID>) or label:key=value",
            found=describe(value),
        )


def _method(value: str) -> str:
    if not value.isascii() or not value.isalpha():
        fail(
            f"{_q(value)} is not an HTTP method",
            expected="letters, e.g. POST",
            found=describe(value),
        )
    return value.upper()


def _policy_id(value: str) -> str:
    try:
        return parse_id(value, "pol")
    except InvalidId as exc:
        fail(exc.message, expected="a policy id (pol_<ULID>)", found=describe(value))


_UPSTREAM: Final = re.compile(r"[a-z0-9*?][a-z0-9*?-]{0,62}")


# The checks below reject patterns that are valid globs yet could never match what they are
# compared with: a silent never-matching deny is the worst kind of policy bug.
def _host(value: str) -> str:
    if "/" in value or "@" in value or any(c.isspace() for c in value):
        fail(
            f"{_q(value)} is not a host (write the host alone: no scheme, path or user)",
            expected="a host glob such as *.example.com",
            found=describe(value),
        )
    if value.count(":") == 1:
        fail(
            f"{_q(value)} has a port; hosts are matched without one",
            expected="a host glob without port",
            found=describe(value),
        )
    if value.endswith("."):
        fail(
            f"{_q(value)} cannot match: hosts are matched without their trailing dot",
            expected="a host glob without a trailing dot",
            found=describe(value),
        )
    return value


def _path(value: str) -> str:
    if not value.startswith(("/", "*")):
        fail(
            f"{_q(value)} cannot match: request paths start with '/'",
            expected="a path glob starting with / or *",
            found=describe(value),
        )
    # Written as requests are matched: %61 is a, %2f is %2F.
    value = normalize_percent(value)
    if any(seg in (".", "..") for seg in value.split("/")):
        fail(
            f"{_q(value)} cannot match: request paths are matched after resolving '.' and '..'",
            expected="a path glob without '.' or '..' segments",
            found=describe(value),
        )
    return value


def _upstream(value: str) -> str:
    if not _UPSTREAM.fullmatch(value):
        fail(
            f"{_q(value)} cannot match: upstream names are lower-case letters, digits and '-'",
            expected="an upstream name or glob, e.g. prod-db or prod-*",
            found=describe(value),
        )
    return value


NonEmpty = Annotated[list[T], Field(min_length=1, max_length=10_000)]
ToolGlob = Annotated[str, _glob("any")]
HostGlob = Annotated[str, _glob("any", lower=True), AfterValidator(_host)]
PathGlob = Annotated[str, _glob("path"), AfterValidator(_path)]
UpstreamGlob = Annotated[str, _glob("any"), AfterValidator(_upstream)]


class When(BaseModel):
    """One extra predicate: ``{field, op, value}``."""

    model_config = _STRICT
    field: str
    op: Op
    value: JsonValue = None

    @model_validator(mode="after")
    def _check(self) -> When:
        try:
            ref = parse_field(self.field)
        except ValueError as exc:
            fail(str(exc), expected="a known field", found=describe(self.field), at="field")
        problem = value_problem(ref, self.op, self.value, "value" in self.model_fields_set)
        if problem is not None:
            fail(problem[0], expected=problem[1], found=describe(self.value), at="value")
        return self

    @property
    def ref(self) -> FieldRef:
        return parse_field(self.field)


class Match(BaseModel):
    """Every listed field must hold; an absent (or null) field matches anything."""

    model_config = _STRICT
    agents: NonEmpty[Annotated[str, AfterValidator(_agent_ref)]] | None = None
    kinds: NonEmpty[Kind] | None = None
    upstreams: NonEmpty[UpstreamGlob] | None = None
    tools: NonEmpty[ToolGlob] | None = None
    hosts: NonEmpty[HostGlob] | None = None
    methods: NonEmpty[Annotated[str, AfterValidator(_method)]] | None = None
    paths: NonEmpty[PathGlob] | None = None
    models: NonEmpty[ToolGlob] | None = None
    findings: NonEmpty[ToolGlob] | None = None
    when: NonEmpty[When] | None = None


class Policy(BaseModel):
    model_config = _STRICT
    # Generated in validation order, so ids from one file sort in file order (ties in
    # priority are then broken by position in the file).
    id: Annotated[str, AfterValidator(_policy_id)] = Field(default_factory=lambda: new_id("pol"))
    name: Annotated[str, Field(min_length=1, max_length=200)]
    priority: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
    effect: Effect
    mode: Mode = "enforce"
    enabled: bool = True
    reason: Annotated[str, Field(max_length=2000)] | None = None
    revision: Annotated[int, Field(ge=1)] = 1
    match: Match = Field(default_factory=Match)


class PolicySet(BaseModel):
    model_config = _STRICT
    default_effect: DefaultEffect = "deny"
    policies: list[Policy] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> PolicySet:
        seen: dict[str, int] = {}
        for i, policy in enumerate(self.policies):
            if policy.id in seen:
                fail(
                    f"duplicate policy id '{policy.id}' (also policies[{seen[policy.id]}])",
                    expected="a unique id",
                    found=f"'{policy.id}'",
                    at=f"policies[{i}].id",
                )
            seen[policy.id] = i
        return self


def value_problem(ref: FieldRef, op: str, value: object, given: bool) -> tuple[str, str] | None:
    """(message, expected) when ``value`` does not suit ``op`` on ``ref``, else None."""
    if op == "exists":
        if given and not isinstance(value, bool):
            return "'exists' takes true or false", "true or false"
        return None
    if not given:
        return f"'{op}' needs a value", "a value"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return f"'{op}' takes a non-empty list", "a non-empty list"
        items: list[object] = list(value)
    else:
        items = [value]
    for item in items:
        problem = _item_problem(ref, op, item)
        if problem is not None:
            return problem
    return None


def is_number(value: object) -> bool:
    """JSON numbers only: bool is not a number here, and NaN/infinity are not JSON."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


def _item_problem(ref: FieldRef, op: str, item: object) -> tuple[str, str] | None:
    numeric = ref.root in NUMERIC_ROOTS
    text = ref.root == "header"
    if op in NUMERIC_OPS:
        if text:
            return f"'{ref.text}' is text; '{op}' compares numbers", "an operator for text"
        return None if is_number(item) else (f"'{op}' compares numbers", "a number")
    if numeric:
        if op in TEXT_OPS or op == "contains":
            return f"'{ref.text}' is a number; '{op}' works on text", "an operator for numbers"
        return None if is_number(item) else (f"'{ref.text}' is a number", "a number")
    if op == "glob":
        if not isinstance(item, str):
            return "'glob' takes a glob pattern", "a glob pattern (text)"
        problem = glob_problem(item, "any")
        return None if problem is None else (problem, "a glob using * and ?")
    if op == "regex":
        if not isinstance(item, str):
            return "'regex' takes a regular expression", "an RE2 regular expression (text)"
        problem = re2_problem(item)
        return None if problem is None else (problem, "an RE2 regular expression")
    if op == "contains" and isinstance(item, list | dict):
        return "'contains' takes a single value", "text, a number, true, false or null"
    if text and not isinstance(item, str):
        return "header values are text", "text"
    if isinstance(item, float) and not math.isfinite(item):
        return "numbers must be finite", "a finite number"
    return None


def describe(value: object) -> str:
    """A short, quoted, JSON-flavoured description of a user value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 200:
        # Long integers: too long to show, and past 4300 digits Python refuses to write them.
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} value"
