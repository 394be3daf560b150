"""YAML for policy files, read with YAML 1.2 core-schema scalars.

PyYAML implements YAML 1.1, where ``no``, ``off`` and ``n`` are booleans, ``12:30`` is the
number 750 and ``017`` is octal. In a policy that silently changes meaning — ``value: [SE, NO,
DK]`` becomes ``["SE", false, "DK"]`` and the deny on Norway never matches. The 1.2 core schema
keeps only ``true``/``false`` (three spellings each), decimal, ``0o`` and ``0x`` integers and
plain floats; everything else is text, exactly as the same document in JSON would read.
Duplicate keys are rejected (a later key silently winning would hide half of a policy); merge
keys (``<<: *base``) work, and an explicit key beside them overrides the merged one.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any, Final

_YAML11_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
)
_BOOL: Final = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT: Final = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT: Final = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_MERGE: Final = "tag:yaml.org,2002:merge"


class YamlError(Exception):
    """The text is not a YAML document we can read; the message is one line."""


def load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise YamlError(" ".join(str(exc).split())) from None


@functools.cache
def _loader() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # Integers before floats: a resolver list is tried in order, and "17" matches both.
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
    Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))
    Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return Loader


def _scalar_error(node: Any, what: str) -> Exception:
    from yaml.constructor import ConstructorError

    return ConstructorError(None, None, f"'{node.value[:40]}' is not {what}", node.start_mark)


def _construct_int(loader: Any, node: Any) -> int:
    text = str(loader.construct_scalar(node))
    try:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)
    except ValueError:
        if len(text) > sys.get_int_max_str_digits():
            raise _scalar_error(
                node, f"an integer of at most {sys.get_int_max_str_digits()} digits"
            ) from None
        raise _scalar_error(node, "an integer") from None


def _construct_float(loader: Any, node: Any) -> float:
    text = str(loader.construct_scalar(node)).lower()
    try:
        return float(text.replace(".inf", "inf").replace(".nan", "nan"))
    except ValueError:
        raise _scalar_error(node, "a number") from None


def _construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
    from yaml.constructor import ConstructorError

    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE:
            continue
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable: construct_mapping reports it below
            continue
        if duplicate:
            line = key_node.start_mark.line + 1
            raise ConstructorError(None, None, f"duplicate key '{key}' (line {line})")
        seen.add(key)
    out: dict[Any, Any] = loader.construct_mapping(node)
    return out
