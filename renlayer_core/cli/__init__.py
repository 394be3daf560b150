"""The ``renlayer`` command.

Each sub-command lives in its own module exposing ``register(subparsers)``; the module is
imported when the parser is built, so it must keep heavy imports inside its handler.
Exit codes (SPEC §9): 0 success, 1 findings reported / eval did not allow, 2 bad input;
and 3 for an internal error, so a crash is never read as "findings" or "not allowed".
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from renlayer_core.errors import RenLayerError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

# Sub-command modules, in the order `renlayer --help` lists them. A module missing here
# (not yet written) is simply not offered.
_COMMANDS = (
    "renlayer_core.cli.serve_cmd",
    "renlayer_core.cli.scan_cmd",
    "renlayer_core.cli.policy_cmd",
    "renlayer_core.cli.token_cmd",
    "renlayer_core.cli.audit_cmd",
    "renlayer_core.cli.export_cmd",
    "renlayer_core.cli.migrate_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"renlayer: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="renlayer", description="RenLayer: policy and DLP for AI agents.")
    from renlayer_core import __version__

    parser.add_argument("--version", action="version", version=f"renlayer {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(subs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        code: int = handler(args)
    except RenLayerError as exc:
        print(f"renlayer: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(
            f"renlayer: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # The message of an unexpected error may quote input (and so a secret): name the
        # type only, and show the traceback only when asked for.
        if os.environ.get("RENLAYER_DEBUG"):
            raise
        print(
            f"renlayer: internal error ({type(exc).__name__}); "
            "run with RENLAYER_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
