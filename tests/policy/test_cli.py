"""`renlayer policy …` run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "renlayer_core.cli", "policy", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_validate_ok() -> None:
    out = run("validate", EXAMPLES / "policies.yaml")
    assert out.returncode == 0, out.stderr
    assert "policies.yaml: ok (7 policies" in out.stdout


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- name: x\n  priority: high\n  effect: deny\n  match:\n"
        "    when: [{field: args.q, op: regex, value: '(?<=a)b'}]\n"
    )
    out = run("validate", EXAMPLES / "policies.yaml", bad)
    assert out.returncode == 2
    assert "policies.yaml: ok" in out.stdout
    assert "bad.yaml: invalid (2 problems)" in out.stdout
    assert (
        "policies[0].priority: must be an integer (expected an integer; found 'high')" in out.stdout
    )
    assert "policies[0].match.when[0].value: syntax not supported by RE2" in out.stdout


def test_eval_denied_exits_1() -> None:
    out = run(
        "eval",
        "--policies",
        EXAMPLES / "policies.yaml",
        "--request",
        EXAMPLES / "request-denied.json",
    )
    assert out.returncode == 1, out.stderr
    assert "effect:  deny" in out.stdout
    assert "code:    policy_denied" in out.stdout
    assert "no-prod-db-writes" in out.stdout


def test_eval_allowed_exits_0() -> None:
    out = run(
        "eval",
        "--policies",
        EXAMPLES / "policies.yaml",
        "--request",
        EXAMPLES / "request-allowed.json",
    )
    assert out.returncode == 0, out.stderr
    assert "effect:  allow" in out.stdout and "read-only-tools" in out.stdout


def test_eval_json(tmp_path: Path) -> None:
    req = tmp_path / "pay.json"
    req.write_text(
        json.dumps(
            {
                "agent": {"id": "agent_01JD6ZK0XQ4Q2M9V8T7S6R5P4N"},
                "kind": "tool",
                "tool": "payments.transfer",
                "args": {"amount": 2500},
            }
        )
    )
    out = run("eval", "--policies", EXAMPLES / "policies.yaml", "--request", req, "--json")
    assert out.returncode == 1
    decision = json.loads(out.stdout)
    assert decision["code"] == "approval_required"
    assert decision["policy_name"] == "approve-large-payments"
    assert len(decision["action_digest"]) == 64
    assert decision["monitor"] == [] and decision["diagnostics"] == []


def test_eval_explain_and_monitor(tmp_path: Path) -> None:
    req = tmp_path / "llm.json"
    req.write_text(
        json.dumps(
            {
                "agent": {"id": "agent_01JD6ZK0XQ4Q2M9V8T7S6R5P4N", "labels": ["team=finance"]},
                "kind": "llm",
                "model": "gpt-4o",
                "body": {"prompt": "x" * 70000},
            }
        )
    )
    out = run("eval", "--policies", EXAMPLES / "policies.yaml", "--request", req, "--explain")
    assert out.returncode == 0, out.stderr
    assert "monitor: watch-large-prompts" in out.stdout
    assert "finance-agents-use-gpt-4o (enforce): matched" in out.stdout


@pytest.mark.parametrize(
    ("request_text", "fragment"),
    [
        ("{not json", "is not valid JSON"),
        ('{"kind": "tool"}', "agent: is required"),
        ('{"agent": {"id": "agent_01JD6ZK0XQ4Q2M9V8T7S6R5P4N"}, "kind": "x"}', "kind: must be"),
    ],
)
def test_eval_bad_request_exits_2_with_one_line(
    tmp_path: Path, request_text: str, fragment: str
) -> None:
    req = tmp_path / "r.json"
    req.write_text(request_text)
    out = run("eval", "--policies", EXAMPLES / "policies.yaml", "--request", req)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("renlayer: ")
    assert fragment in lines[0]


def test_eval_missing_file_exits_2(tmp_path: Path) -> None:
    out = run(
        "eval", "--policies", tmp_path / "none.yaml", "--request", EXAMPLES / "request-denied.json"
    )
    assert out.returncode == 2
    assert "none.yaml" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_eval_invalid_policies_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x", "priority": 1, "effect": "maybe"}]')
    out = run("eval", "--policies", bad, "--request", EXAMPLES / "request-denied.json")
    assert out.returncode == 2
    assert "policies[0].effect: must be one of" in out.stderr


def test_policy_without_action_is_usage_error() -> None:
    out = run()
    assert out.returncode == 2
