"""The dispatcher's exit codes and its backstop for unexpected errors."""

import argparse

import pytest

from renlayer_core import cli

_BUILD = cli.build_parser


def _parser_with(handler: object) -> argparse.ArgumentParser:
    parser = _BUILD()
    parser.set_defaults(handler=handler)
    return parser


def test_no_command_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == cli.EXIT_BAD_INPUT
    assert "usage" in capsys.readouterr().err


def test_unknown_command_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["no-such-command"])
    assert info.value.code == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.count("\n") == 1


def test_unexpected_error_exits_3_without_echoing_its_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(_args: argparse.Namespace) -> int:
        raise RuntimeError("token=sk-live-should-not-print")

    monkeypatch.delenv("RENLAYER_DEBUG", raising=False)
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(boom))
    assert cli.main([]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "RuntimeError" in err
    assert "sk-live" not in err


def test_every_spec_command_is_offered() -> None:
    parser = cli.build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("policy", "scan", "migrate", "audit", "export"):
        assert name in subs.choices
