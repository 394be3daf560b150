"""`renlayer policy …` on bad input, in process (the same `main` the console script runs):
exit 2 and one line on stderr for anything wrong with the input, never a traceback; exit 1 for
every decision that is not allow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renlayer_core.cli import main
from tests.policy.helpers import AGENT

REQUEST = {"agent": {"id": AGENT}, "kind": "tool", "tool": "db.query"}


def _files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "ok.json": json.dumps([{"name": "a", "priority": 1, "effect": "deny"}]),
        "req.json": json.dumps(REQUEST),
        "deep.json": "[" * 100_000,
        "deep.yaml": "[" * 100_000,
        "bad.json": '[{"name": "a", "priority": 1, "effect": "maybe"}]',
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / name
        out[name].write_text(text)
    out["latin1.yaml"] = tmp_path / "latin1.yaml"
    out["latin1.yaml"].write_bytes(b"- name: caf\xe9\n")
    out["dir"] = tmp_path / "dir"
    out["dir"].mkdir()
    out["missing"] = tmp_path / "missing.yaml"
    return out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["eval", "--policies", "latin1.yaml", "--request", "req.json"], "not UTF-8"),
        (["eval", "--policies", "deep.json", "--request", "req.json"], "nested too deeply"),
        (["eval", "--policies", "deep.yaml", "--request", "req.json"], "nested too deeply"),
        (["eval", "--policies", "ok.json", "--request", "deep.json"], "nested too deeply"),
        (["eval", "--policies", "ok.json", "--request", "latin1.yaml"], "not UTF-8"),
        (["eval", "--policies", "dir", "--request", "req.json"], "dir"),
        (["eval", "--policies", "ok.json", "--request", "dir"], "dir"),
        (["eval", "--policies", "missing", "--request", "req.json"], "missing.yaml"),
        (["eval", "--policies", "bad.json", "--request", "req.json"], "bad.json"),
        (["eval", "--policies", "ok.json"], "--request"),
    ],
)
def test_eval_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    files = _files(tmp_path)
    args = [str(files[a]) if a in files else a for a in argv]
    if "--request" not in argv:  # argparse's usage error
        with pytest.raises(SystemExit) as info:
            main(["policy", *args])
        assert info.value.code == 2
    else:
        assert main(["policy", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert fragment in err and "Traceback" not in err
    assert "<root>" not in err


@pytest.mark.parametrize("name", ["latin1.yaml", "deep.json", "deep.yaml", "dir", "missing"])
def test_validate_bad_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    files = _files(tmp_path)
    assert main(["policy", "validate", str(files["ok.json"]), str(files[name])]) == 2
    out = capsys.readouterr().out
    assert "ok.json: ok (1 policy" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("effect", "code", "status"),
    [
        ("allow", "allowed", 0),
        ("deny", "policy_denied", 1),
        ("require_approval", "approval_required", 1),
    ],
)
def test_eval_exit_code_follows_the_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], effect: str, code: str, status: int
) -> None:
    (tmp_path / "p.yaml").write_text(f"- {{name: a, priority: 1, effect: {effect}}}\n")
    (tmp_path / "r.json").write_text(json.dumps(REQUEST))
    argv = ["policy", "eval", "--policies", str(tmp_path / "p.yaml")]
    assert main([*argv, "--request", str(tmp_path / "r.json"), "--json"]) == status
    decision = json.loads(capsys.readouterr().out)
    assert decision["code"] == code
    keys = {"effect", "code", "policy_id", "policy_name", "reason", "monitor", "diagnostics"}
    assert keys <= decision.keys()


@pytest.mark.parametrize(("default", "status"), [("allow", 0), ("deny", 1)])
def test_eval_default_effect_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default: str, status: int
) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"default_effect": default, "policies": []}))
    (tmp_path / "r.json").write_text(json.dumps(REQUEST))
    argv = ["policy", "eval", "--policies", str(tmp_path / "p.json")]
    assert main([*argv, "--request", str(tmp_path / "r.json")]) == status
    assert ("default_denied" in capsys.readouterr().out) is (default == "deny")


def test_eval_human_output_escapes_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = [{"name": "evil\x1b[2J", "priority": 1, "effect": "deny", "reason": "a\nb"}]
    (tmp_path / "p.json").write_text(json.dumps(doc))
    (tmp_path / "r.json").write_text(json.dumps(REQUEST))
    argv = ["policy", "eval", "--policies", str(tmp_path / "p.json")]
    assert main([*argv, "--request", str(tmp_path / "r.json"), "--explain"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "evil\\x1b[2J" in out
    assert "reason:  a\\nb" in out
