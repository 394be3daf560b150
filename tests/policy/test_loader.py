from __future__ import annotations

import json
from pathlib import Path

import pytest

from renlayer_core.errors import PolicyInvalid
from renlayer_core.policy import parse_policy_file

REPO = Path(__file__).resolve().parents[2]


def test_example_file_is_valid() -> None:
    policy_set = parse_policy_file(REPO / "examples" / "policies.yaml")
    assert policy_set.default_effect == "deny"
    names = [p.name for p in policy_set.policies]
    assert "no-prod-db-writes" in names and "approve-large-payments" in names
    assert any(p.mode == "monitor" for p in policy_set.policies)


def test_json_and_yaml_give_the_same_policies(tmp_path: Path) -> None:
    doc = {
        "default_effect": "allow",
        "policies": [
            {"id": "pol_01ARYZ6S41TSV4RRFFQ69G5FAV", "name": "a", "priority": 1, "effect": "deny"}
        ],
    }
    (tmp_path / "p.json").write_text(json.dumps(doc))
    (tmp_path / "p.yaml").write_text(
        "default_effect: allow\npolicies:\n"
        "  - {id: pol_01ARYZ6S41TSV4RRFFQ69G5FAV, name: a, priority: 1, effect: deny}\n"
    )
    assert parse_policy_file(tmp_path / "p.json") == parse_policy_file(tmp_path / "p.yaml")


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        (
            "dup.yaml",
            "- name: a\n  name: b\n  priority: 1\n  effect: deny\n",
            "duplicate key 'name'",
        ),
        (
            "dup.json",
            '[{"name": "a", "name": "b", "priority": 1, "effect": "deny"}]',
            "duplicate key",
        ),
        ("bad.yaml", "- name: [unclosed\n", "not valid YAML"),
        ("bad.json", "[{", "not valid JSON"),
    ],
)
def test_unreadable_documents(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_file(tmp_path / name)
    assert fragment in info.value.message
    assert "\n" not in info.value.message


def test_yaml_types_are_not_coerced(tmp_path: Path) -> None:
    # A quoted number is text, and a priority must be an integer. (`yes` is text in the
    # YAML 1.2 core schema policies are read with: see test_loader_hostile.)
    (tmp_path / "p.yaml").write_text("- {name: yes, priority: '5', effect: deny, enabled: 1}\n")
    with pytest.raises(PolicyInvalid) as info:
        parse_policy_file(tmp_path / "p.yaml")
    assert {e.path for e in info.value.errors} == {"policies[0].priority", "policies[0].enabled"}


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        parse_policy_file(tmp_path / "nope.yaml")
