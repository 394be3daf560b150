"""`renlayer scan [FILE|-] [--json] [--redact]`: the built-in catalog over a file, no server.

Exit codes (SPEC §9): 1 when findings are reported (as secret scanners do in CI), 0 when
clean, 2 on bad input. Input that parses as a JSON object or array is scanned value by value
(findings carry JSON paths); anything else as text. Invalid UTF-8 becomes U+FFFD (said on
stderr) so one bad byte cannot hide the rest of a file."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renlayer_core.dlp import ScanPlan

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
ALL_ACTIONS = frozenset({"block", "redact", "log"})
# Fingerprints from the CLI are keyed with this unless RENLAYER_FINGERPRINT_KEY is set (use
# the server's key to correlate CLI findings with traces).
CLI_FINGERPRINT_KEY = b"renlayer-cli-fingerprint-key"
_SURROGATE = re.compile("[\ud800-\udfff]")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan a file (or stdin) for secrets and personal data",
        description="Scan a file or stdin with the built-in DLP catalog. Exit 1 on findings.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    parser.add_argument("--json", action="store_true", help="findings as NDJSON, one per line")
    parser.add_argument(
        "--redact", action="store_true", help="print the input with every finding redacted"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from renlayer_core.dlp import DlpConfig, Limits, compile_plan

    name, data = _read(args.file)
    if data is None:
        return EXIT_BAD_INPUT
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") > data.count("\ufffd".encode()):
        print(f"renlayer: {name}: invalid UTF-8 replaced with U+FFFD", file=sys.stderr)
    key = os.environ.get("RENLAYER_FINGERPRINT_KEY", "").encode() or CLI_FINGERPRINT_KEY
    plan = compile_plan(DlpConfig.full_catalog(), key, Limits(max_findings=1_000_000))
    value = _as_json(text)
    if value is not None:
        return _scan_json(plan, name, value, text, args)
    return _scan_text(plan, name, text, args)


def _read(path: str) -> tuple[str, bytes | None]:
    if path == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            print("renlayer: cannot read <stdin>: it is closed", file=sys.stderr)
            return "<stdin>", None
        return "<stdin>", sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return path, fh.read()
    except OSError as exc:
        print(f"renlayer: cannot read {path!r}: {exc.strerror or exc}", file=sys.stderr)
        return path, None


def _as_json(text: str) -> Any:
    """The parsed document when the input is a JSON object or array, else None."""
    import json

    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _scan_text(plan: ScanPlan, name: str, text: str, args: argparse.Namespace) -> int:
    found = plan.scan_text(text)
    if args.redact:
        from renlayer_core.dlp import redact

        sys.stdout.write(redact.apply(text, found, plan.styles, ALL_ACTIONS))
    out = sys.stderr if args.redact else sys.stdout
    for f in found:
        line, col = _line_col(text, f.start)
        if args.json:
            _ndjson(out, {"file": name, "line": line, "column": col, **f.to_dict()})
        else:
            print(f"{name}:{line}:{col} {f.detector} {f.preview}", file=out)
    return EXIT_FINDINGS if found else EXIT_OK


def _scan_json(plan: ScanPlan, name: str, value: Any, text: str, args: argparse.Namespace) -> int:
    from renlayer_core.errors import ValidationFailed

    try:
        redacted, found = plan.redact_json(value, ALL_ACTIONS)
    except ValidationFailed:
        # e.g. nested deeper than a scan allows: scan the file's own text, so lines and
        # columns point into it and --redact prints it as it was.
        return _scan_text(plan, name, text, args)
    if args.redact:
        import json

        body = json.dumps(redacted, indent=2, ensure_ascii=False)
        # A lone surrogate (JSON "\ud800") cannot be written as UTF-8: keep it escaped.
        sys.stdout.write(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", body) + "\n")
    out = sys.stderr if args.redact else sys.stdout
    for f in found:
        if args.json:
            _ndjson(out, {"file": name, **f.to_dict()})
        else:
            where = f"{f.path}{'(key)' if f.in_key else ''}:{f.start + 1}"
            print(f"{name}:{where} {f.detector} {f.preview}", file=out)
    return EXIT_FINDINGS if found else EXIT_OK


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _ndjson(out: Any, obj: dict[str, Any]) -> None:
    import json

    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
