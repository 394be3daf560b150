"""``renlayer policy validate FILE…`` and ``renlayer policy eval --policies F --request F``.

Exit codes (SPEC §9): 0 valid / allowed, 1 the action is not allowed (deny or approval
required), 2 bad input (invalid file, unreadable path) with a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from renlayer_core.errors import ValidationFailed

EXIT_OK = 0
EXIT_NOT_ALLOWED = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("policy", help="validate policy files and evaluate requests")
    subs = parser.add_subparsers(dest="policy_command", metavar="ACTION")
    parser.set_defaults(handler=_usage(parser))

    validate = subs.add_parser("validate", help="check policy files; print every problem")
    validate.add_argument("files", nargs="+", metavar="FILE", help="JSON or YAML policy file")
    validate.set_defaults(handler=run_validate)

    ev = subs.add_parser("eval", help="evaluate an action request against a policy file")
    ev.add_argument("--policies", required=True, metavar="FILE", help="JSON or YAML file")
    ev.add_argument("--request", required=True, metavar="FILE", help="action request (JSON)")
    ev.add_argument("--json", action="store_true", help="print the decision as JSON")
    ev.add_argument("--explain", action="store_true", help="also list every candidate")
    ev.set_defaults(handler=run_eval)


def _usage(parser: argparse.ArgumentParser) -> Any:
    def handler(_: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT

    return handler


def run_validate(args: argparse.Namespace) -> int:
    from renlayer_core.errors import PolicyInvalid
    from renlayer_core.policy import parse_policy_file

    status = EXIT_OK
    for name in args.files:
        try:
            policy_set = parse_policy_file(name)
        except PolicyInvalid as exc:
            status = EXIT_BAD_INPUT
            print(f"{name}: invalid ({len(exc.errors)} problem{'s' * (len(exc.errors) != 1)})")
            for err in exc.errors:
                print(f"  {_format_error(err.path, err.message, err.expected, err.found)}")
        except OSError as exc:
            status = EXIT_BAD_INPUT
            print(f"{name}: cannot read: {exc.strerror or exc}")
        else:
            n = len(policy_set.policies)
            enabled = sum(p.enabled for p in policy_set.policies)
            print(
                f"{name}: ok ({n} polic{'y' if n == 1 else 'ies'}, {enabled} enabled, "
                f"default {policy_set.default_effect})"
            )
    return status


def _format_error(path: str, message: str, expected: str | None, found: str | None) -> str:
    out = f"{path or '<root>'}: {message}"
    extra = [f"expected {expected}"] if expected else []
    if found:
        extra.append(f"found {found}")
    return out + (f" ({'; '.join(extra)})" if extra else "")


def run_eval(args: argparse.Namespace) -> int:
    from renlayer_core.errors import ValidationFailed
    from renlayer_core.policy import compile_policies, explain, parse_policy_file, parse_request

    try:
        policy_set = parse_policy_file(args.policies)
    except ValidationFailed as exc:
        raise _one_line(args.policies, exc) from None
    try:
        request = parse_request(_read_request(args.request))
    except ValidationFailed as exc:
        raise _one_line(args.request, exc) from None
    table = compile_policies(policy_set.policies, policy_set.default_effect)
    explanation = explain(table, request)
    decision = explanation.decision
    if args.json:
        out = decision.to_dict()
        if args.explain:
            out["explanation"] = explanation.to_dict()["candidates"]
        print(json.dumps(out, indent=2))
    else:
        _print_human(decision.to_dict(), explanation.to_dict() if args.explain else None)
    return EXIT_OK if decision.allowed else EXIT_NOT_ALLOWED


def _read_request(name: str) -> Any:
    from renlayer_core.errors import FieldError, ValidationFailed
    from renlayer_core.policy.loader import MAX_FILE_BYTES
    from renlayer_core.policy.shape import MAX_DOCUMENT_DEPTH

    with Path(name).open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        problem = f"is larger than {MAX_FILE_BYTES // 2**20} MiB"
    else:
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            problem = f"is not UTF-8 text (bad byte at offset {exc.start})"
        except RecursionError:
            problem = f"is nested too deeply to read (at most {MAX_DOCUMENT_DEPTH} levels)"
        except ValueError as exc:
            detail = str(exc)
            if "int_max_str_digits" in detail:
                detail = f"a number has more than {sys.get_int_max_str_digits()} digits"
            problem = f"is not valid JSON: {detail}"
    raise ValidationFailed([FieldError("", f"the request {problem}")])


def _one_line(name: str, exc: ValidationFailed) -> ValidationFailed:
    """The first problem of a file, prefixed with the file's name, as one line."""
    first = exc.errors[0] if exc.errors else None
    text = (
        exc.message
        if first is None
        else _format_error(first.path, first.message, first.expected, first.found).removeprefix(
            "<root>: "
        )
    )
    more = len(exc.errors) - 1
    return type(exc)(exc.errors, f"{name}: {text}" + (f" (and {more} more)" if more > 0 else ""))


def _say(line: str) -> None:
    """One line of human output; policy names and reasons come from files, so control
    characters (a terminal escape sequence in a policy name) are shown escaped."""
    from renlayer_core.policy.text import printable

    print(printable(line))


def _print_human(d: dict[str, Any], explanation: dict[str, Any] | None) -> None:
    _say(f"effect:  {d['effect']}")
    _say(f"code:    {d['code']}")
    if d["policy_id"]:
        _say(f"policy:  {d['policy_name']} ({d['policy_id']})")
    else:
        _say("policy:  none matched (default effect)")
    _say(f"reason:  {d['reason']}")
    if d.get("action_digest"):
        _say(f"digest:  {d['action_digest']} (policy revision {d['policy_revision']})")
    for hit in d["monitor"]:
        _say(f"monitor: {hit['policy_name']} ({hit['policy_id']}) would {hit['effect']}")
    for diag in d["diagnostics"]:
        _say(f"note:    {diag['policy_name']}: {diag['message']}")
    if explanation is not None:
        _say(f"candidates ({len(explanation['candidates'])} of {explanation['total_policies']}):")
        for c in explanation["candidates"]:
            why = f" — {c['failed_field']}: {c['detail']}" if c["failed_field"] else ""
            _say(f"  [{c['priority']}] {c['policy_name']} ({c['mode']}): {c['outcome']}{why}")
