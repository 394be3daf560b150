"""Reading policy documents: JSON/YAML files, Python data → validated ``Policy`` objects.

Pydantic's errors are translated here into ``FieldError``s in product terms (the path as users
write it — ``policies[2].match.when[0].value`` — what was expected and what was found).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from renlayer_core.errors import FieldError, PolicyInvalid
from renlayer_core.policy.model import Policy, PolicySet, describe
from renlayer_core.policy.shape import MAX_DOCUMENT_DEPTH, shape_problem
from renlayer_core.policy.text import clean_error
from renlayer_core.policy.yaml12 import YamlError, load_yaml

# Far above any real policy file (10,000 policies take about 3 MB), far below what would
# make reading it a denial of service.
MAX_FILE_BYTES: Final = 16 * 1024 * 1024

_EXPECTED: Final[dict[str, str]] = {
    "string_type": "text",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "dict_type": "an object",
    "float_type": "a number",
}


def parse_policy(data: object) -> Policy:
    """Validate one policy document; raises ``PolicyInvalid`` listing every bad field."""
    _check_shape(data)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise _invalid(translate_errors(exc)) from None


def parse_policy_set(data: object) -> PolicySet:
    """A list of policies, or ``{"default_effect": ..., "policies": [...]}``."""
    if isinstance(data, list):
        data = {"policies": data}
    if not isinstance(data, dict):
        raise _invalid(
            [
                FieldError(
                    "",
                    "a policy file holds a list of policies or an object with 'policies'",
                    expected="a list or an object",
                    found=describe(data),
                )
            ]
        )
    if "policies" not in data and {"name", "effect"} & data.keys():
        raise _invalid(
            [
                FieldError(
                    "",
                    "this looks like a single policy; a policy file holds a list of policies "
                    "or an object with 'policies'",
                    expected="a list of policies",
                    found="an object with 'name' or 'effect'",
                )
            ]
        )
    _check_shape(data)
    try:
        return PolicySet.model_validate(data)
    except ValidationError as exc:
        raise _invalid(translate_errors(exc)) from None


def _invalid(errors: list[FieldError]) -> PolicyInvalid:
    return PolicyInvalid([clean_error(e) for e in errors])


def _check_shape(data: object) -> None:
    problem = shape_problem(data)
    if problem is not None:
        raise _invalid([problem])


def parse_policy_file(path: str | Path) -> PolicySet:
    """Read a JSON (``.json``) or YAML (anything else) policy file; ``OSError`` when it
    cannot be read, ``PolicyInvalid`` for anything wrong with what it holds."""
    p = Path(path)
    with p.open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES // 2**20} MiB"
        raise PolicyInvalid(
            [FieldError("", f"the file is larger than {limit}", f"at most {limit}", "more")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyInvalid(
            [FieldError("", f"not UTF-8 text (bad byte at offset {exc.start})", "UTF-8 text")]
        ) from None
    return parse_policy_set(load_document(text, p.suffix.lower()))


def load_document(text: str, suffix: str) -> Any:
    """JSON or YAML text → data, rejecting duplicate keys (a later key silently winning would
    hide half of a policy)."""
    try:
        if suffix == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return load_yaml(text)
    except RecursionError:
        message = f"nested too deeply to read (at most {MAX_DOCUMENT_DEPTH} levels)"
    except (ValueError, YamlError) as exc:
        detail = str(exc)
        if "int_max_str_digits" in detail:  # Python's guard against quadratic int parsing
            detail = f"a number has more than {sys.get_int_max_str_digits()} digits"
        message = f"not valid {'JSON' if suffix == '.json' else 'YAML'}: {detail}"
    raise _invalid([FieldError("", message)])


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def translate_errors(exc: ValidationError) -> list[FieldError]:
    return [_translate(err) for err in exc.errors(include_url=False)]


def _json_value_loc(loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool]:
    """Pydantic tags each level inside a ``when`` value with its union member ('dict',
    'list') and a bad key with '[key]'; users should see ``when[0].value.a.b``."""
    if "when" not in loc:
        return loc, False
    at = loc.index("when") + 2
    if len(loc) <= at or loc[at] != "value":
        return loc, False
    tail = loc[at + 1 :]
    if "[key]" in tail:
        return loc[: at + 1], True
    return loc[: at + 1] + tuple(p for i, p in enumerate(tail) if i % 2 == 1), False


def found_key(err: Any) -> str:
    return describe(err.get("input"))


def _translate(err: Any) -> FieldError:
    loc, bad_key = _json_value_loc(tuple(err["loc"]))
    kind: str = err["type"]
    if kind == "invalid_key":
        return FieldError(format_loc(loc[:-1]), "keys must be text", "text keys", found_key(err))
    if bad_key:
        return FieldError(
            format_loc(loc), "object keys must be text", "text keys", describe(err.get("input"))
        )
    if kind == "invalid-json-value":
        expected = "text, a number, true, false, null, a list or an object"
        return FieldError(
            format_loc(loc), "must be plain JSON", expected, describe(err.get("input"))
        )
    ctx: dict[str, Any] = err.get("ctx") or {}
    found = describe(err.get("input"))
    if kind == "renlayer":
        at = ctx.get("at", "")
        path = format_loc(loc)
        if at:
            path = f"{path}{'' if at.startswith('[') or not path else '.'}{at}"
        return FieldError(path, ctx["message"], ctx.get("expected"), ctx.get("found"))
    path = format_loc(loc)
    if kind == "extra_forbidden":
        return FieldError(path, f"unknown field '{loc[-1]}'", "a known field", f"'{loc[-1]}'")
    if kind == "missing":
        return FieldError(path, "is required", "a value", "nothing")
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return FieldError(path, f"must be one of {expected}", f"one of {expected}", found)
    if kind in ("too_short", "string_too_short"):
        return FieldError(path, "must not be empty", "at least one item", found)
    if kind in ("too_long", "string_too_long"):
        limit = ctx.get("max_length")
        return FieldError(path, f"is too long (at most {limit})", f"at most {limit}", found)
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "at least" if kind == "greater_than_equal" else "at most"
        bound = ctx.get("ge", ctx.get("le"))
        return FieldError(path, f"must be {word} {bound}", f"{word} {bound}", found)
    if kind in _EXPECTED:
        return FieldError(path, f"must be {_EXPECTED[kind]}", _EXPECTED[kind], found)
    message = str(err.get("msg", "is invalid"))
    return FieldError(path, message[:1].lower() + message[1:], None, found)
