"""`renlayer scan`: output formats, JSON detection, redaction and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from renlayer_core.cli import main
from tests.dlp import cases

ROOT = Path(__file__).resolve().parents[2]


def test_human_output_names_file_line_column_detector_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = cases.github_token()
    path = tmp_path / "notes.txt"
    path.write_text(f"first line\n  token = {token}\n")
    assert main(["scan", str(path)]) == 1
    out = capsys.readouterr().out
    assert out == f"{path}:2:11 secret.github_token {token[:4]}{'*' * 12}{token[-4:]}\n"
    assert token not in out


def test_clean_input_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clean.txt"
    path.write_text("nothing sensitive here\n")
    assert main(["scan", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_json_flag_writes_ndjson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "two.txt"
    path.write_text("mail jane.roe@example.com\nip 10.0.0.1\n")
    assert main(["scan", str(path), "--json"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["detector"], r["line"], r["column"]) for r in rows] == [
        ("pii.email", 1, 6),
        ("net.ipv4", 2, 4),
    ]
    assert set(rows[0]) >= {"file", "start", "end", "confidence", "action", "fingerprint"}


def test_redact_prints_the_redacted_text_and_findings_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", "--redact", str(ROOT / "examples" / "payload.txt")]) == 1
    captured = capsys.readouterr()
    assert "[REDACTED:secret.github_token]" in captured.out
    assert "[REDACTED:secret.renlayer_key]" in captured.out
    assert "ghp_FAKE" not in captured.out
    assert "secret.github_token" in captured.err


def test_json_input_is_scanned_with_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = cases.github_token()
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"messages": [{"content": "hi"}, {"content": f"k {token}"}]}))
    assert main(["scan", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"{path}:$.messages[1].content:3 secret.github")
    assert main(["scan", "--redact", str(path)]) == 1
    redacted = json.loads(capsys.readouterr().out)
    assert redacted["messages"][1]["content"] == "k [REDACTED:secret.github_token]"


def test_json_too_deep_for_a_scan_falls_back_to_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200 + '"jane.roe@example.com"' + "]" * 200)
    assert main(["scan", str(path)]) == 1
    assert "pii.email" in capsys.readouterr().out


def test_the_text_fallback_scans_the_file_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It used to scan json.dumps(value): one line, non-ASCII escaped, so line:column did not
    # point into the file and --redact printed a different document.
    path = tmp_path / "deep.json"
    text = "[\n" * 100 + '  "café",\n  "jane.roe@example.com"\n' + "]" * 100 + "\n"
    path.write_text(text)
    assert main(["scan", str(path)]) == 1
    assert capsys.readouterr().out == f"{path}:102:4 pii.email jane************.com\n"
    assert main(["scan", "--redact", str(path)]) == 1
    assert capsys.readouterr().out == text.replace("jane.roe@example.com", "[REDACTED:pii.email]")


def test_redacted_json_with_lone_surrogates_is_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # JSON may escape lone surrogates; writing them raw raised UnicodeEncodeError (exit 3).
    path = tmp_path / "surrogates.json"
    path.write_text('{"a": "\\ud800 jane.roe@example.com", "b": "x\\udc00y"}')
    assert main(["scan", "--redact", str(path)]) == 1
    out = capsys.readouterr().out
    assert json.loads(out) == {"a": "\ud800 [REDACTED:pii.email]", "b": "x\udc00y"}
    out.encode("utf-8")  # strict: no raw surrogate left


def test_a_closed_stdin_is_bad_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["scan", "-"]) == 2
    assert capsys.readouterr().err == "renlayer: cannot read <stdin>: it is closed\n"


def test_missing_file_is_bad_input_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "/no/such/file.txt"]) == 2
    err = capsys.readouterr().err
    assert err == "renlayer: cannot read '/no/such/file.txt': No such file or directory\n"


def test_invalid_utf8_is_reported_and_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe jane.roe@example.com")
    assert main(["scan", str(path)]) == 1
    captured = capsys.readouterr()
    assert "invalid UTF-8 replaced" in captured.err
    assert "pii.email" in captured.out


def test_stdin_through_a_real_process() -> None:
    token = cases.github_token()
    proc = subprocess.run(
        [sys.executable, "-m", "renlayer_core.cli", "scan", "-", "--redact"],
        input=f"key: {token}\n".encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == b"key: [REDACTED:secret.github_token]\n"
    assert b"<stdin>:1:6 secret.github_token" in proc.stderr
