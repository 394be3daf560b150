"""Policy files written by a careless or hostile hand: YAML 1.1 traps, encodings, nesting,
alias bombs, oversized files. Every one must end in ``PolicyInvalid`` with one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from renlayer_core.errors import PolicyInvalid
from renlayer_core.policy import parse_policy_file, parse_policy_set
from renlayer_core.policy.loader import MAX_FILE_BYTES, load_document


def _invalid(path: Path) -> PolicyInvalid:
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_file(path)
    assert "\n" not in info.value.message
    return info.value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # YAML 1.1 would read these as booleans, a base-60 number, an octal number: the
        # "Norway problem". Policies read YAML 1.2 core scalars, as JSON would.
        ("[SE, NO, DK]", ["SE", "NO", "DK"]),
        ("[yes, no, on, off, y, n, Yes, OFF]", ["yes", "no", "on", "off", "y", "n", "Yes", "OFF"]),
        ("12:30", "12:30"),
        ("1_000", "1_000"),
        ("2026-01-01", "2026-01-01"),
        ("[true, True, TRUE, false, False, FALSE]", [True, True, True, False, False, False]),
        ("[~, null, Null, NULL]", [None, None, None, None]),
        ("[0, -7, +7, 017, 0o17, 0x1F]", [0, -7, 7, 17, 15, 31]),
        ("[1.5, 1e3, -2.5E-1, .5, 1.]", [1.5, 1000.0, -0.25, 0.5, 1.0]),
        ("'yes'", "yes"),
    ],
)
def test_yaml_scalars_follow_the_yaml_12_core_schema(text: str, value: Any) -> None:
    assert load_document(f"v: {text}\n", ".yaml") == {"v": value}


def test_norway_is_not_false_in_a_when_list(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "- name: nordics\n  priority: 1\n  effect: deny\n"
        "  match: {when: [{field: args.country, op: in, value: [SE, NO, DK]}]}\n"
    )
    (policy,) = parse_policy_file(tmp_path / "p.yaml").policies
    assert policy.match.when is not None
    assert policy.match.when[0].value == ["SE", "NO", "DK"]


def test_yaml_yes_is_not_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("- {name: a, priority: 1, effect: deny, enabled: off}\n")
    err = _invalid(tmp_path / "p.yaml")
    assert [(e.path, e.expected, e.found) for e in err.errors] == [
        ("policies[0].enabled", "true or false", "'off'")
    ]


def test_yaml_merge_keys_are_supported(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "base: &base {name: a, priority: 1, effect: deny}\npolicies:\n  - <<: *base\n    name: b\n"
    )
    with pytest.raises(PolicyInvalid) as info:  # `base` is not a policy-file field
        parse_policy_file(tmp_path / "p.yaml")
    assert [e.path for e in info.value.errors] == ["base"]
    (tmp_path / "q.yaml").write_text(
        "- &base {name: a, priority: 1, effect: deny}\n- <<: *base\n  name: b\n"
    )
    names = [p.name for p in parse_policy_file(tmp_path / "q.yaml").policies]
    assert names == ["a", "b"]


def test_yaml_duplicate_keys_beside_a_merge_are_still_rejected(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "- &base {name: a, priority: 1, effect: deny}\n- <<: *base\n  name: b\n  name: c\n"
    )
    assert "duplicate key 'name'" in _invalid(tmp_path / "p.yaml").message


def test_yaml_explicit_bad_int_tag(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("- {name: a, priority: !!int ten, effect: deny}\n")
    assert "not valid YAML" in _invalid(tmp_path / "p.yaml").message


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_not_utf8(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"p{suffix}").write_bytes(b'[{"name": "\xff"}]')
    assert "not UTF-8 text" in _invalid(tmp_path / f"p{suffix}").message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_bytes(
        b'\xef\xbb\xbf[{"name": "a", "priority": 1, "effect": "deny"}]'
    )
    assert len(parse_policy_file(tmp_path / "p.json").policies) == 1


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deeply_nested_file(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"p{suffix}").write_text("[" * 50_000 + "]" * 50_000)
    assert "nested" in _invalid(tmp_path / f"p{suffix}").message


def test_deeply_nested_when_value_has_a_short_message() -> None:
    deep: list[Any] = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    doc = [{"name": "a", "priority": 1, "effect": "deny"}]
    doc[0]["match"] = {"when": [{"field": "args.q", "op": "eq", "value": deep}]}
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_set(doc)
    assert "nested deeper than" in info.value.message
    assert len(info.value.message) < 300


def test_yaml_cycle(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "- {name: a, priority: 1, effect: deny, "
        "match: {when: [{field: args.x, op: eq, value: &v [*v]}]}}\n"
    )
    assert "nested deeper than" in _invalid(tmp_path / "p.yaml").message


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):  # 10**9 values once expanded
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("policies: *a8")
    (tmp_path / "p.yaml").write_text("\n".join(lines) + "\n")
    assert "values" in _invalid(tmp_path / "p.yaml").message


def test_oversized_file(tmp_path: Path) -> None:
    with (tmp_path / "p.json").open("w") as f:
        f.write("[" + " " * MAX_FILE_BYTES + "]")
    assert "larger than" in _invalid(tmp_path / "p.json").message


@pytest.mark.parametrize("text", ["", "~", "hello", "42", "- a\n---\n- b\n"])
def test_yaml_that_is_not_a_policy_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "p.yaml").write_text(text)
    _invalid(tmp_path / "p.yaml")


def test_non_text_keys_are_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("- {name: a, priority: 1, effect: deny, 1: x}\n")
    (err,) = _invalid(tmp_path / "p.yaml").errors
    assert (err.path, err.message, err.found) == (
        "policies[0]",
        "keys must be text",
        "the number 1",
    )


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_huge_number_literal(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"p{suffix}").write_text(
        '[{"name": "a", "priority": 1' + "0" * 5000 + ', "effect": "deny"}]'
    )
    message = _invalid(tmp_path / f"p{suffix}").message
    assert "digits" in message and "sys." not in message
