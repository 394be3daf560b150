"""``renlayer export traces --from T --to T [--tenant ten_…] [--store URL]``: NDJSON on
stdout, one trace per line, newest first, streamed in chunks (constant memory whatever the
range). A progress line goes to stderr only when stderr is a terminal."""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Any

from renlayer_core.cli.migrate_cmd import add_store_argument, open_cli_store
from renlayer_core.errors import InvalidInput
from renlayer_core.ids import parse_id
from renlayer_core.storage.filters import TraceFilter, parse_time

TENANT_ENV = "RENLAYER_TENANT"
_PROGRESS_EVERY = 1000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="export records as NDJSON")
    subs = parser.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    traces = subs.add_parser("traces", help="export a tenant's traces in a time range")
    add_store_argument(traces)
    traces.add_argument(
        "--from",
        dest="from_",
        required=True,
        metavar="TIME",
        help="inclusive start: RFC 3339 or unix ms",
    )
    traces.add_argument(
        "--to", required=True, metavar="TIME", help="exclusive end: RFC 3339 or unix ms"
    )
    traces.add_argument("--tenant", metavar="TENANT_ID", help=f"ten_… id (default: ${TENANT_ENV})")
    traces.set_defaults(handler=run_traces)


def _tenant(value: str | None) -> str:
    chosen = value or os.environ.get(TENANT_ENV)
    if not chosen:
        raise InvalidInput(f"say which tenant to export with --tenant ten_… or ${TENANT_ENV}")
    return parse_id(chosen, "ten")


def run_traces(args: argparse.Namespace) -> int:
    import msgspec

    tenant_id = _tenant(args.tenant)
    filters = TraceFilter(from_ms=parse_time(args.from_), to_ms=parse_time(args.to))
    if (
        filters.from_ms is not None
        and filters.to_ms is not None
        and filters.from_ms > filters.to_ms
    ):
        raise InvalidInput(f"--from {args.from_!r} is after --to {args.to!r}")
    out: IO[bytes] = sys.stdout.buffer
    err = sys.stderr
    progress = err.isatty()
    encoder = msgspec.json.Encoder()
    count = 0
    store = open_cli_store(args.store)
    try:
        for trace in store.traces.iter_traces(tenant_id, filters):
            out.write(encoder.encode(trace) + b"\n")
            count += 1
            if progress and count % _PROGRESS_EVERY == 0:
                err.write(f"\rexported {count} traces")
                err.flush()
    finally:
        store.close()
        out.flush()
    if progress:
        err.write(f"\rexported {count} traces\n")
    return 0
